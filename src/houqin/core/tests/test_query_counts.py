"""List pages and list endpoints run the same number of queries at two sizes, so N+1 cannot creep in.

Each list is requested with a small org A, then again after about ten times more rows of every kind
(departments, places, people with roles and departments, child organisations, log entries and
change history by the reader) were added. The counts must be equal.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from houqin.core.choices import LocationKind, OrgKind, Role, SecurityEventKind
from houqin.core.models import (
    CalendarDay,
    Department,
    Location,
    Membership,
    PartyContact,
    PartyLicence,
    RoleGrant,
    SecurityEvent,
    Term,
)
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.factories import (
    make_attachment,
    make_department,
    make_location,
    make_member,
    make_org,
    make_party,
)

PAGE_LISTS = [
    "core:home",
    "core:department_list",
    "core:location_list",
    "core:person_list",
    "core:security_log",
    "core:calendar_day_list",
    "core:term_list",
    "core:party_list",
    # Lists in other shapes: the printable label sheet and the Excel exports.
    "core:location_qr_sheet",
    "core:location_export",
    "core:person_export",
    "core:party_export",
]
ADMIN_ONLY = {
    "core:security_log",
    "core:location_qr_sheet",
    "core:calendar_day_list",
    "core:term_list",
    "core:party_list",  # department heads do not read outside parties
    "core:party_export",
}


def _api_list_names() -> list[str]:
    """Every DRF list route of core under /api/v1/o/<org_code>/, read from the resolver (new endpoints join by
    themselves). Modules grow their own rows and assert their lists at two sizes in their own tests."""
    names = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = namespace + (pattern.namespace + ":" if pattern.namespace else "")
                walk(pattern.url_patterns, route, ns)
            elif (
                isinstance(pattern, URLPattern)
                and (pattern.name or "").endswith("-list")
                and "org_code" in route
                and "format" not in route
                and hasattr(pattern.callback, "cls")
                and pattern.callback.cls.__module__.startswith("houqin.core.")
            ):
                names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(names))


API_LISTS = _api_list_names()
# (list, reader) pairs where the reader is refused on purpose, each with the reason.
REFUSED = {
    ("api_notification-list", "bureau"): "a bureau reader's inbox is in the bureau, not in the orgs below it",
    **{
        (name, "bureau"): "approvals are internal to the organisation; test_approvals counts them at two sizes"
        for name in ("api_approval_inbox-list", "api_approval-list", "api_delegation-list")
    },
    **{
        (name, reader): "the org's calendar is read by its leaders and administrator only"
        for name in ("api_calendar_day-list", "api_term-list")
        for reader in (Role.DEPT_HEAD, "bureau")
    },
    **{
        (name, reader): "org settings and dictionaries are read by leaders and the administrator only"
        for name in ("api_setting-list", "api_dictionary-list")
        for reader in (Role.DEPT_HEAD, "bureau")
    },
    **{
        (name, Role.DEPT_HEAD): "department heads do not read outside parties"
        for name in ("api_party-list", "api_party_licence-list", "api_party_contact-list")
    },
}


def grow(world, admin, size: int, tag: str, reader=None) -> None:
    """Add ``size`` rows of every kind to org A (with their links filled, so joins have work to do), and
    give an org-A ``reader`` more department-limited roles (shown as badges on their own pages)."""
    with scopes_disabled():
        departments = [
            make_department(world.org_a, "部门{}{}".format(tag, i), "D{}{}".format(tag, i), parent=world.dept_a)
            for i in range(size)
        ]
        floor = make_location(
            world.org_a, "楼层{}".format(tag), "F{}".format(tag), LocationKind.FLOOR, world.building_a
        )
        for i in range(size):
            make_location(world.org_a, "房间{}{}".format(tag, i), "R{}{}".format(tag, i), LocationKind.ROOM, floor)
        for i in range(size):
            member = make_member(
                world.org_a,
                Role.STAFF,
                Role.TECHNICIAN,
                department=departments[i % len(departments)],
                employee_no="E{}{}".format(tag, i),
            )
            RoleGrant.objects.create(org=world.org_a, membership=member, role=Role.DEPT_HEAD, department=departments[0])
            SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, org=world.org_a, user=member.user)
            SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, org=world.org_a, user=admin.user)
        for i in range(max(1, size // 3)):
            make_org(
                "{}-{}{}".format(world.org_a.code, tag.lower(), i),
                "分校{}{}".format(tag, i),
                OrgKind.CAMPUS,
                parent=world.org_a,
            )
        first_day = timezone.localdate().replace(month=1, day=1) + timedelta(days=100 if tag == "L" else 0)
        for i in range(size):
            day = first_day + timedelta(days=i)
            CalendarDay.objects.create(org=world.org_a, date=day, kind="holiday", name="假{}{}".format(tag, i))
            Term.objects.create(org=world.org_a, name="假期{}{}".format(tag, i), kind="other_break", start=day, end=day)
        rooms = list(Location.objects.filter(org=world.org_a, kind=LocationKind.ROOM)[:size])
        for i in range(size):
            party = make_party(world.org_a, "单位{}{}".format(tag, i))
            PartyLicence.objects.create(org=world.org_a, party=party, kind="other", expires_on=timezone.localdate())
            PartyContact.objects.create(org=world.org_a, party=party, name="联系人{}".format(i))
            make_attachment(party, admin.user)
            make_attachment(rooms[i % len(rooms)], admin.user)
        # The home page lists the reader's own recent changes: make some of everything theirs.
        for model in (Department, Location, Membership, RoleGrant):
            model.history.filter(org=world.org_a).update(history_user=admin.user)
        for department in departments[: max(1, size // 2)]:
            department.name = department.name + "·改"
            department.save()
        Department.history.filter(org=world.org_a).update(history_user=admin.user)
        if reader is not None and reader.org_id == world.org_a.pk:
            for department in departments[: max(1, size // 10)]:
                RoleGrant.objects.create(org=world.org_a, membership=reader, role=Role.STAFF, department=department)


def _count(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), [q["sql"] for q in captured.captured_queries]


def _assert_constant(world, login, reader, url_for, grow_by=(3, 30)):
    admin = world.member(Role.ORG_ADMIN)
    client = login(reader)
    url = url_for()
    client.get(url)  # warm up: session, content types, caches
    grow(world, admin, grow_by[0], "S", reader)
    small, small_sql = _count(client, url)
    grow(world, admin, grow_by[1], "L", reader)
    large, large_sql = _count(client, url)
    assert small == large, "{}: {} queries with few rows, {} with many:\n{}".format(
        url, small, large, "\n".join(q for q in large_sql if q not in small_sql)[:4000]
    )
    return small


@pytest.mark.parametrize(
    "reader, url_name",
    [
        (reader, url_name)
        for url_name in PAGE_LISTS
        for reader in [Role.ORG_ADMIN, Role.DEPT_HEAD, "bureau"]
        if url_name not in ADMIN_ONLY or reader == Role.ORG_ADMIN  # only org_admin opens those pages
    ],
)
def test_list_page_query_count_is_constant(world, login, url_name, reader):
    membership = world.bureau_member if reader == "bureau" else world.member(reader)
    _assert_constant(world, login, membership, lambda: reverse(url_name, args=["org-a"]))


def test_api_lists_are_found():
    # The walk must see the foundation's endpoints; if it finds none, the test below checks nothing.
    assert API_LISTS, "no API list endpoints found under /api/v1/o/<org_code>/"


@pytest.mark.parametrize("url_name", API_LISTS)
@pytest.mark.parametrize("reader", [Role.ORG_ADMIN, Role.DEPT_HEAD, "bureau"])
def test_api_list_query_count_is_constant(world, login, url_name, reader):
    if (url_name, reader) in REFUSED:
        pytest.skip(REFUSED[url_name, reader])
    membership = world.bureau_member if reader == "bureau" else world.member(reader)
    _assert_constant(world, login, membership, lambda: reverse(url_name, kwargs={"org_code": "org-a"}))


def test_lists_really_grow(world, login):
    """The control: after growing, the lists show more rows (else equal counts would prove nothing)."""
    admin = world.member(Role.ORG_ADMIN)
    client = login(admin)
    before = len(client.get(reverse("core:person_list", args=["org-a"])).context["page"]["rows"])
    grow(world, admin, 30, "L")
    after = client.get(reverse("core:person_list", args=["org-a"]))
    assert len(after.context["page"]["rows"]) > before
    home = client.get(reverse("core:home", args=["org-a"]))
    assert home.context["recent"]
