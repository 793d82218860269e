"""The foundation's own facts: people by role, places by kind, logins in the period."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from . import facts
from . import permissions as p
from .choices import LocationKind, Role, SecurityEventKind
from .filtersets import LocationFilterSet, MembershipFilterSet, SecurityEventFilterSet
from .models import Location, Membership, RoleGrant
from .permissions import Actor, restrict
from .selectors import security_events


@facts.register
def people_by_role(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Active people holding each role (today's roster; one fact per role someone holds)."""
    if not actor.can(p.PERSON_VIEW):
        return []
    rows = restrict(Membership.objects.all(), actor, p.PERSON_VIEW)
    base = {"is_active": "true", **({"department": department.pk} if department is not None else {})}
    held = set(RoleGrant.objects.filter(org=org).order_by().values_list("role", flat=True).distinct())
    return [
        facts.count(
            actor,
            key="core.people.by_role.{}".format(role),
            rows=rows,
            filterset=MembershipFilterSet,
            url_name="core:person_list",
            params={**base, "role": role},
            unit=_("people"),
            sentence=_("{value} people hold the role {role}"),
            sentence_params={"role": label},
        )
        for role, label in Role.choices
        if role in held
    ]


@facts.register
def places_by_kind(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Places in use, by kind (campuses, buildings, rooms…)."""
    if not actor.can(p.LOCATION_VIEW):
        return []
    rows = restrict(Location.objects.all(), actor, p.LOCATION_VIEW)
    kinds = set(rows.filter(is_active=True).order_by().values_list("kind", flat=True).distinct())
    return [
        facts.count(
            actor,
            key="core.locations.by_kind.{}".format(kind),
            rows=rows,
            filterset=LocationFilterSet,
            url_name="core:location_list",
            params={"kind": kind, "is_active": "true"},
            unit=_("places"),
            sentence=_("{value} places of the kind {kind} are recorded"),
            sentence_params={"kind": label},
        )
        for kind, label in LocationKind.choices
        if kind in kinds
    ]


@facts.register
def logins(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Logins in the period (how much the system is used)."""
    if not actor.can(p.SECURITY_LOG_VIEW) or actor.via_bureau:
        return []
    return [
        facts.count(
            actor,
            key="core.logins",
            rows=security_events(actor),
            filterset=SecurityEventFilterSet,
            url_name="core:security_log",
            params={"kind": SecurityEventKind.LOGIN, "start": start, "end": end},
            unit=_("logins"),
            sentence=_("People logged in {value} times"),
        )
    ]
