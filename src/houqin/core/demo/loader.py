"""Resolve the demo tables into people (names, phones, 工号) and load whatever is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .. import orgcache
from ..choices import LocationKind
from ..models import Department, Location, Membership, Organization, RoleGrant, User
from ..tenancy import scopes_disabled
from .data import DEMO_PASSWORD, FULL, GIVEN_NAMES, LOGIN_ORDER, ORGS, SIZES, SMALL, SURNAMES, OrgSpec, PlannedPerson


def _names(reserved: set[str]):
    """Distinct names, always in the same order."""
    for i in range(len(SURNAMES) * len(GIVEN_NAMES) * 2):
        # The given name also moves on each time the surnames come round, so pairs do not repeat.
        name = SURNAMES[(i * 37) % len(SURNAMES)] + GIVEN_NAMES[(i * 53 + i // len(SURNAMES) + 11) % len(GIVEN_NAMES)]
        if name not in reserved:
            reserved.add(name)
            yield name


def plan(size: str = FULL) -> list[tuple[OrgSpec, list[PlannedPerson]]]:
    """Every organisation with its people resolved; the small set keeps the first person of each role."""
    if size not in SIZES:
        raise ValueError("size must be one of {}".format(", ".join(SIZES)))
    names = _names({p.name for spec in ORGS for p in spec.people if p.name})
    result = []
    for spec in ORGS:
        people, seen_roles = [], set()
        for position, person in enumerate(spec.people, start=1):
            grants = tuple((g, None) if isinstance(g, str) else (g[0], g[1]) for g in person.roles)
            planned = PlannedPerson(
                org_code=spec.code,
                name=person.name or next(names),
                phone=person.phone or str(spec.phone_base + position),
                employee_no="{}{:04d}".format(spec.employee_prefix, position),
                title=person.title,
                department=person.department,
                grants=grants,
                key=person.key,
            )
            if size == FULL or planned.role not in seen_roles:
                people.append(planned)
            seen_roles.add(planned.role)
        result.append((spec, people))
    return result


def key_logins() -> list[PlannedPerson]:
    """The demo logins worth remembering: one per role in the school first, then a few others."""
    order = {code: index for index, code in enumerate(LOGIN_ORDER)}
    people = [person for _spec, org_people in plan(FULL) for person in org_people if person.key]
    return sorted(people, key=lambda person: order[person.org_code])  # stable: table order within an org


# The loader ------------------------------------------------------------------------------------


@dataclass
class DemoContext:
    """What the foundation's loader made or found, for the loaders of other modules."""

    size: str
    orgs: dict[str, Organization] = field(default_factory=dict)  # by org code
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)  # by (org code, code)
    locations: dict[tuple[str, str], Location] = field(default_factory=dict)  # by (org code, code)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)  # by (org code, phone)
    people: list[PlannedPerson] = field(default_factory=list)

    def members_with_role(self, org_code: str, role: str) -> list[Membership]:
        return [
            self.members[(p.org_code, p.phone)]
            for p in self.people
            if p.org_code == org_code and any(r == role for r, _d in p.grants)
        ]


@dataclass
class DemoResult:
    """How many rows of each kind ``load_demo`` created (all zero when everything was there)."""

    organisations: int = 0
    departments: int = 0
    locations: int = 0
    people: int = 0
    memberships: int = 0
    role_grants: int = 0

    @property
    def total(self) -> int:
        return (
            self.organisations + self.departments + self.locations + self.people + self.memberships + self.role_grants
        )


LOADERS: list[Callable[[DemoContext], None]] = []


def register(loader: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
    """Add a module's demo loader; it runs after the foundation's, in the same transaction."""
    LOADERS.append(loader)
    return loader


def _save_without_history(obj) -> None:
    # History is written afterwards in bulk, one "created" record with the final values per row.
    obj.skip_history_when_saving = True
    try:
        obj.tree_save()
    finally:
        del obj.skip_history_when_saving


def _ensure_departments(org, nodes, parent, found: dict, created: list, ctx: DemoContext) -> None:
    for node in nodes:
        department = found.get(node.code)
        if department is None:
            department = Department(org=org, code=node.code, name=node.name, kind=node.kind, parent=parent)
            _save_without_history(department)
            created.append(department)
        ctx.departments[(org.code, node.code)] = department
        _ensure_departments(org, node.children, department, found, created, ctx)


# The demo's rooms get their use (the `location.use` dictionary) from words in their names.
USE_BY_WORD = [
    ("手术", "operating_room"),
    ("病房", "ward"),
    ("病区", "ward"),
    ("门诊", "clinic"),
    ("诊室", "clinic"),
    ("实验室", "laboratory"),
    ("教室", "classroom"),
    ("班", "classroom"),
    ("宿舍", "dormitory"),
    ("食堂", "canteen"),
    ("实验", "laboratory"),
    ("仪器室", "laboratory"),
    ("库", "storeroom"),
    ("储藏", "storeroom"),
    ("卫生间", "public_area"),
    ("办公", "office"),
    ("活动室", "special_room"),
    ("辅导室", "special_room"),
]


def _demo_use(node) -> str:
    if node.kind not in (LocationKind.ROOM, LocationKind.AREA):
        return ""
    return next((use for word, use in USE_BY_WORD if word in node.name), "")


def _ensure_places(org, nodes, parent, found: dict, created: list, ctx: DemoContext, small: bool) -> None:
    for node in nodes[:2] if small else nodes:
        location = found.get(node.code)
        if location is None:
            location = Location(
                org=org,
                code=node.code,
                name=node.name,
                kind=node.kind,
                parent=parent,
                note=node.note,
                use=_demo_use(node),
            )
            _save_without_history(location)  # tree_save() also sets the building
            created.append(location)
        ctx.locations[(org.code, node.code)] = location
        _ensure_places(org, node.children, location, found, created, ctx, small)


def load_demo(size: str = FULL) -> DemoResult:
    """Load the demo organisations, places and people (only what is missing) in one transaction."""
    planned = plan(size)
    ctx = DemoContext(size=size)
    with transaction.atomic(), scopes_disabled():
        new_orgs = []
        existing = {o.code: o for o in Organization.objects.filter(code__in=[spec.code for spec, _p in planned])}
        for spec, _people in planned:
            org = existing.get(spec.code)
            if org is None:
                parent = ctx.orgs[spec.parent] if spec.parent else None
                org = Organization(
                    code=spec.code, name=spec.name, short_name=spec.short_name, kind=spec.kind, parent=parent
                )
                _save_without_history(org)
                new_orgs.append(org)
            ctx.orgs[spec.code] = org
        org_ids = [org.pk for org in ctx.orgs.values()]

        new_departments, new_locations = [], []
        departments = {(d.org_id, d.code): d for d in Department.objects.filter(org__in=org_ids)}
        locations = {(loc.org_id, loc.code): loc for loc in Location.objects.filter(org__in=org_ids)}
        for spec, _people in planned:
            org = ctx.orgs[spec.code]
            found = {code: d for (org_id, code), d in departments.items() if org_id == org.pk}
            _ensure_departments(org, spec.departments, None, found, new_departments, ctx)
            found = {code: loc for (org_id, code), loc in locations.items() if org_id == org.pk}
            _ensure_places(org, spec.places, None, found, new_locations, ctx, small=size == SMALL)

        people = [person for _spec, org_people in planned for person in org_people]
        ctx.people = people
        users = {u.phone: u for u in User.objects.filter(phone__in={p.phone for p in people})}
        new_users = []
        for person in people:
            if person.phone not in users:
                users[person.phone] = User(phone=person.phone, name=person.name)
                new_users.append(users[person.phone])
        if new_users:
            password_hash = make_password(DEMO_PASSWORD)  # hashed once: the slow part of making accounts
            for user in new_users:
                user.password = password_hash
            User.objects.bulk_create(new_users)

        memberships = {
            (m.org_id, m.user_id): m for m in Membership.objects.filter(org__in=org_ids, user__in=users.values())
        }
        new_memberships = []
        for person in people:
            org, user = ctx.orgs[person.org_code], users[person.phone]
            membership = memberships.get((org.pk, user.pk))
            if membership is None:
                membership = Membership(
                    org=org,
                    user=user,
                    employee_no=person.employee_no,
                    department=ctx.departments[(org.code, person.department)],
                    title=person.title,
                )
                memberships[(org.pk, user.pk)] = membership
                new_memberships.append(membership)
            ctx.members[(person.org_code, person.phone)] = membership
        Membership.objects.bulk_create(new_memberships)

        grants = set(
            RoleGrant.objects.filter(membership__in=ctx.members.values()).values_list(
                "membership_id", "role", "department_id"
            )
        )
        new_grants = []
        for person in people:
            membership = ctx.members[(person.org_code, person.phone)]
            for role, department_code in person.grants:
                department = ctx.departments[(person.org_code, department_code)] if department_code else None
                key = (membership.pk, role, department.pk if department else None)
                if key not in grants:
                    grants.add(key)
                    new_grants.append(
                        RoleGrant(org_id=membership.org_id, membership=membership, role=role, department=department)
                    )
        RoleGrant.objects.bulk_create(new_grants)
        orgcache.changed(org_ids)  # bulk_create sends no signals

        for model, rows in (
            (Organization, new_orgs),
            (Department, new_departments),
            (Location, new_locations),
            (User, new_users),
            (Membership, new_memberships),
            (RoleGrant, new_grants),
        ):
            if rows:
                model.history.bulk_history_create(rows)

        for loader in LOADERS:
            loader(ctx)

    return DemoResult(
        organisations=len(new_orgs),
        departments=len(new_departments),
        locations=len(new_locations),
        people=len(new_users),
        memberships=len(new_memberships),
        role_grants=len(new_grants),
    )
