"""Data sets and measured cases for `make bench`."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from houqin.core.choices import LocationKind, OrgKind, Role
from houqin.core.models import Department, Location, Membership, Notification, Organization, RoleGrant, User
from houqin.core.tenancy import org_scope, scopes_disabled


@dataclass(frozen=True)
class Size:
    people: int
    locations: int
    departments: int


SIZES = [Size(500, 500, 20), Size(5000, 5000, 200)]


@dataclass
class World:
    org: Organization
    admin: Membership
    building: Location
    recipients: list


_seq = [0]


def build(size: Size) -> World:
    _seq[0] += 1
    n = _seq[0]
    password = make_password("bench-pass-1")
    with transaction.atomic(), scopes_disabled():
        org = Organization(code="bench{}".format(n), name="基准学校{}".format(n), kind=OrgKind.SCHOOL)
        org.tree_save()
        departments = []
        for i in range(size.departments):
            department = Department(org=org, name="部门{}".format(i), code="D{}".format(i))
            department.tree_save()
            departments.append(department)
        building = Location(org=org, name="教学楼", code="B", kind=LocationKind.BUILDING)
        building.tree_save()
        building.building = building
        building.save()
        for i in range(size.locations - 1):
            room = Location(
                org=org, name="房间{}".format(i), code="R{}".format(i), kind=LocationKind.ROOM, parent=building
            )
            room.building = building
            room.tree_save()
        users = User.objects.bulk_create(
            User(phone="1{}{:09d}".format(n + 4, i), name="人员{}".format(i), password=password)
            for i in range(size.people)
        )
        memberships = Membership.objects.bulk_create(
            Membership(org=org, user=u, employee_no="E{}".format(i), department=departments[i % len(departments)])
            for i, u in enumerate(users)
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(org=org, membership=m, role=Role.ORG_ADMIN if i == 0 else Role.STAFF)
            for i, m in enumerate(memberships)
        )
        for user in users[:50]:
            user.email = "{}@bench.example".format(user.phone)
        User.objects.bulk_update(users[:50], ["email"])
        # The admin's inbox holds one notification per person, so the inbox page is measured full.
        Notification.objects.bulk_create(
            Notification(org=org, recipient=users[0], event="bench.seed", title="通知{}".format(i), url="/")
            for i in range(size.people)
        )
    return World(org=org, admin=memberships[0], building=building, recipients=users[:50])


def cases(world: World, client):
    code = world.org.code

    def restrict_people():
        from houqin.core.access import build_actor
        from houqin.core.permissions import PERSON_VIEW, restrict

        with org_scope(world.org):
            actor = build_actor(world.admin.user, world.org)
            list(restrict(Membership.objects.all(), actor, PERSON_VIEW).select_related("user")[:50])

    def allocate_numbers():
        from houqin.core import numbering

        with org_scope(world.org):
            for _ in range(100):
                with transaction.atomic():
                    numbering.allocate(world.org, "BX")

    def working_hours_across_national_day():
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from houqin.core import workcalendar

        with org_scope(world.org):
            start = datetime(2026, 9, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
            for _ in range(100):
                workcalendar.add_working_hours(world.org, start, 40)

    def notify_and_deliver():
        from django.utils import timezone

        from houqin.core import tick
        from houqin.core.notifications import notify

        with transaction.atomic():
            notify(org=world.org, recipients=world.recipients, event="bench.test", title="基准通知", url="people/")
        tick.JOBS["notifications.deliver"].run(timezone.now())

    return [
        ("page  /o/<org>/people/ (first 50)", lambda: client.get("/o/{}/people/".format(code))),
        ("page  /o/<org>/people/?q=人员4999 (search)", lambda: client.get("/o/{}/people/?q=人员4999".format(code))),
        ("page  /o/<org>/locations/ (first 50)", lambda: client.get("/o/{}/locations/".format(code))),
        (
            "page  /o/<org>/locations/qr-sheet/ (up to 600 QR codes)",
            lambda: client.get("/o/{}/locations/qr-sheet/".format(code)),
        ),
        (
            "api   /api/v1/o/<org>/memberships/ (page of 50)",
            lambda: client.get("/api/v1/o/{}/memberships/".format(code)),
        ),
        (
            "api   /api/v1/o/<org>/locations/?page_size=200",
            lambda: client.get("/api/v1/o/{}/locations/?page_size=200".format(code)),
        ),
        ("restrict(people) + first 50 rows", restrict_people),
        (
            "export /o/<org>/people/export/ (every person, .xlsx)",
            lambda: client.get("/o/{}/people/export/".format(code)),
        ),
        ("page  /o/<org>/notifications/ (first page)", lambda: client.get("/o/{}/notifications/".format(code))),
        ("page  /o/<org>/approvals/ (待我审批)", lambda: client.get("/o/{}/approvals/".format(code))),
        ("numbering.allocate x100 (one transaction each)", allocate_numbers),
        ("add_working_hours(40 h across National Day) x100", working_hours_across_national_day),
        ("notify 50 people by email + tick delivery (locmem)", notify_and_deliver),
    ]
