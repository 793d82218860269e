"""Reads of the foundation that pages, API and exports share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from . import orgcache
from .choices import Role
from .models import Department, Location, Membership, Party, SecurityEvent
from .permissions import SECURITY_LOG_VIEW, Actor
from .tenancy import scopes_disabled

# Roles that see every phone number they can see a person for: people managers, the dispatch desk, leaders.
PHONE_READERS = frozenset({Role.ORG_ADMIN, Role.LOGISTICS_HEAD, Role.DISPATCHER, Role.LEADER, Role.DEPT_HEAD})


@dataclass(frozen=True)
class OrgNames:
    places: dict[int, str]
    departments: dict[int, str]
    parties: dict[int, str]
    people: dict[int, str]  # by user id: members of the organisation, former ones included


def org_names(org) -> OrgNames:
    """The names of the organisation's places, departments, parties and people by id, remembered per version
    (orgcache): an API list shows them without joining four more tables into its query."""

    def read():
        with scopes_disabled():
            return OrgNames(
                places=dict(Location.objects.filter(org=org).values_list("pk", "name")),
                departments=dict(Department.objects.filter(org=org).values_list("pk", "name")),
                parties=dict(Party.objects.filter(org=org).values_list("pk", "name")),
                people=dict(Membership.objects.filter(org=org).values_list("user_id", "user__name")),
            )

    return orgcache.remember(org, ("names",), read)


def sees_phones(actor: Actor) -> bool:
    """May the actor see (and search by) the phone numbers of the people they can see?"""
    return bool(actor.roles & PHONE_READERS)


def can_see_phone(actor: Actor, membership) -> bool:
    """Phone numbers are shown in full to people managers, the dispatch desk, leaders and the person."""
    return membership.user_id == actor.user.pk or sees_phones(actor)


def security_events(actor: Actor):
    """The log the actor may read: events of this organisation, and logins (recorded before any organisation
    is chosen) of its members."""
    if not actor.can(SECURITY_LOG_VIEW) or actor.via_bureau:
        return SecurityEvent.objects.none()
    members = Membership.objects.filter(org=actor.org).values("user_id")
    return SecurityEvent.objects.filter(Q(org=actor.org) | Q(org__isnull=True, user_id__in=members))
