"""Reads of the foundation that pages, API and exports share."""

from __future__ import annotations

from django.db.models import Q

from .choices import Role
from .models import Membership, SecurityEvent
from .permissions import SECURITY_LOG_VIEW, Actor

# Roles that see every phone number they can see a person for: people managers, the dispatch desk, leaders.
PHONE_READERS = frozenset({Role.ORG_ADMIN, Role.LOGISTICS_HEAD, Role.DISPATCHER, Role.LEADER, Role.DEPT_HEAD})


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
