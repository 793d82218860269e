"""Who may enter which organisation: the one place where a request's actor is built."""

from __future__ import annotations

from copy import copy

from django.db.models import Q
from django.http import Http404

from . import orgcache
from .models import Membership, Organization, RoleGrant
from .permissions import DOWNWARD_ROLES, Actor, Grant
from .tenancy import scopes_disabled


def _grants(membership: Membership, grants: list[RoleGrant]) -> list[Grant]:
    home_path = membership.department.path if membership.department_id else None
    return [
        Grant(
            role=grant.role,
            department_path=grant.department.path if grant.department_id else None,
            home_department_path=home_path,
        )
        for grant in grants
    ]


def build_actor(user, org: Organization) -> Actor | None:
    """The actor for ``user`` in ``org``: a member of it, or a bureau member above it (read-only); else None.

    The membership and grants are remembered per organisation version (orgcache); the person and the
    organisation are this request's own rows."""
    if not user.is_authenticated or not user.is_active:
        return None
    found = orgcache.remember(org, ("actor", user.pk), lambda: _access(user, org))
    if found is None:
        return None
    membership, grants, via_bureau = found
    return Actor(user=user, org=org, membership=copy(membership), grants=list(grants), via_bureau=via_bureau)


def _access(user, org: Organization) -> tuple[Membership, tuple[Grant, ...], bool] | None:
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, is_active=True, org__is_active=True)
            .filter(org__in=[org.pk, *org.ancestor_ids()])
            .select_related("org", "department")
        )
        grants_by_membership: dict[int, list[RoleGrant]] = {}
        for grant in RoleGrant.objects.filter(membership__in=memberships).select_related("department"):
            grants_by_membership.setdefault(grant.membership_id, []).append(grant)
    direct = next((m for m in memberships if m.org_id == org.pk), None)
    if direct is not None:
        # In its own organisation a bureau grant reads the bureau and everything below it.
        return direct, tuple(_grants(direct, grants_by_membership.get(direct.pk, []))), False
    for membership in sorted(memberships, key=lambda m: -m.org.depth):  # nearest bureau first
        grants = [g for g in grants_by_membership.get(membership.pk, []) if g.role in DOWNWARD_ROLES]
        if grants:
            return membership, tuple(_grants(membership, grants)), True
    return None


def actor_for_request(request) -> Actor:
    """The request's actor for the organisation in its URL, or 404 (we do not say whether the org exists)."""
    actor = getattr(request, "actor", None)
    if actor is not None and actor.user == request.user:
        return actor
    org = getattr(request, "org", None)
    actor = build_actor(request.user, org) if org is not None else None
    if actor is None:
        raise Http404
    request.actor = actor
    return actor


def orgs_for_user(user) -> list[tuple[Organization, bool]]:
    """Organisations the user can open, each with whether it is read-only (reached through a bureau)."""
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, is_active=True, org__is_active=True).select_related("org")
        )
        bureau_paths = list(
            RoleGrant.objects.filter(membership__in=memberships, role__in=DOWNWARD_ROLES).values_list(
                "membership__org__path", flat=True
            )
        )
    own = {m.org_id for m in memberships}
    result = [(m.org, False) for m in sorted(memberships, key=lambda m: m.org.path)]
    if bureau_paths:
        below = Q()
        for path in bureau_paths:
            below |= Q(path__startswith=path)
        for org in Organization.objects.filter(below, is_active=True).exclude(pk__in=own).order_by("path"):
            result.append((org, True))
    return result
