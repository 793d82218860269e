"""Every write of the foundation: ``<entity>_<action>(*, actor, ...)``, atomic, checked, with history."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import dictionaries
from .auth import OneTimePasswordHasher
from .choices import LocationKind, Role, SecurityEventKind
from .models import Department, Location, Membership, Organization, Party, RoleGrant, SecurityEvent, User
from .permissions import DEPARTMENT_MANAGE, LOCATION_MANAGE, PERSON_MANAGE, Actor, restrict

# Where each kind of place may sit (campus → building → floor → room; areas outdoors on a campus).
LOCATION_PARENT_KINDS = {
    LocationKind.CAMPUS: {None},
    LocationKind.BUILDING: {None, LocationKind.CAMPUS},
    LocationKind.AREA: {None, LocationKind.CAMPUS},
    LocationKind.FLOOR: {LocationKind.BUILDING},
    LocationKind.ROOM: {LocationKind.FLOOR, LocationKind.BUILDING},
}
ONE_TIME_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


def _require(actor: Actor, action: str, obj=None) -> None:
    if not actor.can(action):
        raise PermissionDenied
    if obj is not None and obj.pk and not restrict(type(obj).objects.filter(pk=obj.pk), actor, action).exists():
        raise PermissionDenied


def _set_fields(obj, data: dict) -> list[str]:
    changed = []
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def new_one_time_password() -> str:
    """Eight characters, letters and digits (passes the password rules), shown once to the admin."""
    while True:
        password = "".join(secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(8))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


# Departments ---------------------------------------------------------------------------------


@transaction.atomic
def department_create(*, actor: Actor, name: str, code: str, kind: str, parent: Department | None = None) -> Department:
    _require(actor, DEPARTMENT_MANAGE)
    department = Department(org=actor.org, name=name, code=code, kind=kind, parent=parent)
    department.full_clean()
    department.tree_save()
    return department


@transaction.atomic
def department_update(*, actor: Actor, department: Department, **data) -> Department:
    _require(actor, DEPARTMENT_MANAGE, department)
    _set_fields(department, data)
    department.full_clean()
    department.tree_save()
    return department


# Locations -----------------------------------------------------------------------------------


def _check_location_parent(location: Location) -> None:
    parent_kind = location.parent.kind if location.parent_id else None
    allowed = LOCATION_PARENT_KINDS.get(location.kind, {None})
    if parent_kind not in allowed:
        raise ValidationError(
            {
                "parent": _("A {kind} cannot be placed here; choose a parent of kind: {allowed}.").format(
                    kind=location.get_kind_display(),
                    allowed=", ".join(
                        str(LocationKind(k).label) if k else str(_("(none: top level)"))
                        for k in sorted(allowed, key=str)
                    ),
                )
            }
        )


@transaction.atomic
def location_create(
    *,
    actor: Actor,
    name: str,
    code: str,
    kind: str,
    parent: Location | None = None,
    note: str = "",
    is_critical: bool = False,
    use: str = "",
) -> Location:
    _require(actor, LOCATION_MANAGE)
    location = Location(
        org=actor.org, name=name, code=code, kind=kind, parent=parent, note=note, is_critical=is_critical, use=use
    )
    location.full_clean()
    dictionaries.validate_code(actor.org, dictionaries.LOCATION_USE.key, use, field_name="use")
    _check_location_parent(location)
    location.tree_save()
    return location


@transaction.atomic
def location_update(*, actor: Actor, location: Location, **data) -> Location:
    _require(actor, LOCATION_MANAGE, location)
    old_kind, old_use = location.kind, location.use
    _set_fields(location, data)
    location.full_clean()
    dictionaries.validate_code(
        actor.org, dictionaries.LOCATION_USE.key, location.use, field_name="use", current=old_use
    )
    _check_location_parent(location)
    if location.kind != old_kind and location.children.exists():
        raise ValidationError({"kind": _("The kind of a place with places under it cannot change.")})
    location.tree_save()
    if location.kind == LocationKind.FLOOR:
        # A floor's rooms are in whatever building the floor is in now; buildings and campuses carry
        # their own buildings along unchanged.
        location.descendants(include_self=False).update(building=location.building_id)
    return location


# People --------------------------------------------------------------------------------------


def _check_account_is_ours(actor: Actor, user: User, field: str) -> None:
    """An account shared with another organisation (or a platform account) belongs to nobody here:
    changing its password, name or email from one organisation would take it over in the others."""
    if user.is_staff or user.is_superuser or Membership._base_manager.filter(user=user).exclude(org=actor.org).exists():
        raise ValidationError(
            {field: _("This account is also used in another organisation; only its owner can change it.")}
        )


def _check_within_limits(actor: Actor, department: Department | None, field: str) -> None:
    """A people manager limited to a department hands out roles and places people only inside it."""
    limits = actor.limits(PERSON_MANAGE)
    if limits is None:
        return
    if department is None or not any(department.path.startswith(limit) for limit in limits):
        raise ValidationError({field: _("You may only assign departments within your own.")})


def _validate_roles(
    actor: Actor, roles: Iterable[tuple[str, Department | None]]
) -> list[tuple[str, Department | None]]:
    roles = list(dict.fromkeys(roles))
    for role, department in roles:
        _check_within_limits(actor, department, "roles")
        if role not in Role.values:
            raise ValidationError({"roles": _("Unknown role: {role}.").format(role=role)})
        if role == Role.BUREAU and actor.org.kind != "bureau":
            raise ValidationError({"roles": _("The bureau role can only be given in a supervising bureau.")})
        if department is not None and department.org_id != actor.org.pk:
            raise ValidationError({"roles": _("Choose an entry of this organisation.")})
    return roles


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    name: str,
    phone: str,
    employee_no: str = "",
    department: Department | None = None,
    title: str = "",
    email: str = "",
    roles: Iterable[tuple[str, Department | None]] = ((Role.STAFF, None),),
    party: Party | None = None,
) -> tuple[Membership, str | None]:
    """Add a person to the org. A new account gets a one-time password (returned, shown once);
    a phone that already has an account (another organisation) only gains a membership."""
    _require(actor, PERSON_MANAGE)
    roles = _validate_roles(actor, roles)
    _check_within_limits(actor, department, "department")
    user = User.objects.filter(phone=phone).first()
    password = None
    if user is None:
        password = new_one_time_password()
        user = User(phone=phone, name=name, email=email, must_change_password=True)
        user.password = make_password(password, hasher=OneTimePasswordHasher.algorithm)
        user.full_clean(exclude=["password"])
        user.save()
    elif Membership.objects.filter(user=user).exists():
        raise ValidationError({"phone": _("This person is already a member of this organisation.")})
    membership = Membership(
        org=actor.org, user=user, employee_no=employee_no, department=department, title=title, party=party
    )
    membership.full_clean()
    membership.save()
    _grant_roles(membership, roles)
    if password:
        security_event_record(kind=SecurityEventKind.PASSWORD_RESET, org=actor.org, user=user, detail=_("New account"))
    return membership, password


def _grant_roles(membership: Membership, roles: list[tuple[str, Department | None]]) -> None:
    for role, department in roles:
        grant = RoleGrant(org=membership.org, membership=membership, role=role, department=department)
        grant.full_clean()
        grant.save()


@transaction.atomic
def person_update(
    *,
    actor: Actor,
    membership: Membership,
    name: str,
    employee_no: str,
    department: Department | None,
    title: str,
    email: str,
    is_active: bool,
    party: Party | None = None,
) -> Membership:
    _require(actor, PERSON_MANAGE, membership)
    if membership.user_id == actor.user.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    user = membership.user
    if department != membership.department:
        _check_within_limits(actor, department, "department")
    if _set_fields(user, {"name": name, "email": email}):
        _check_account_is_ours(actor, user, "name")
        user.full_clean(exclude=["password"])
        user.save()
    if _set_fields(
        membership,
        {
            "employee_no": employee_no,
            "department": department,
            "title": title,
            "is_active": is_active,
            "party": party,
        },
    ):
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def person_set_roles(*, actor: Actor, membership: Membership, roles: Iterable[tuple[str, Department | None]]) -> None:
    """Replace the membership's roles; every grant and revocation is kept in history."""
    _require(actor, PERSON_MANAGE, membership)
    wanted = set(_validate_roles(actor, roles))
    if membership.user_id == actor.user.pk and not any(role == Role.ORG_ADMIN for role, _d in wanted):
        raise ValidationError({"roles": _("You cannot take the administrator role away from yourself.")})
    current = {(g.role, g.department): g for g in membership.role_grants.select_related("department")}
    for key, grant in current.items():
        if key not in wanted:
            grant.delete()
    _grant_roles(membership, [key for key in wanted if key not in current])


@transaction.atomic
def person_reset_password(*, actor: Actor, membership: Membership) -> str:
    """Issue a one-time password (shown once); the person must change it at the next login."""
    _require(actor, PERSON_MANAGE, membership)
    user = membership.user
    _check_account_is_ours(actor, user, "__all__")
    password = new_one_time_password()
    user.password = make_password(password, hasher=OneTimePasswordHasher.algorithm)
    user.must_change_password = True
    Token.objects.filter(user=user).delete()  # API tokens made with the old password stop working
    user.save(update_fields=["password", "must_change_password"])
    security_event_record(kind=SecurityEventKind.PASSWORD_RESET, org=actor.org, user=user, detail=actor.user.name)
    return password


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    Token.objects.filter(user=user).delete()  # a new password ends the sessions of API clients too
    security_event_record(kind=SecurityEventKind.PASSWORD_CHANGED, user=user)


# Security log --------------------------------------------------------------------------------


def security_event_record(
    *,
    kind: str,
    request=None,
    org: Organization | None = None,
    user: User | None = None,
    identifier: str = "",
    detail: str = "",
) -> SecurityEvent:
    ip = user_agent = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR")
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return SecurityEvent.objects.create(
        kind=kind,
        org=org,
        user=user,
        identifier=identifier[:60] or (user.phone if user else ""),
        ip_address=ip,
        user_agent=user_agent or "",
        detail=str(detail)[:300],
    )
