"""The permission table: role × action → scope, and the one function that applies it.

Read the table as "a <role> may <action> on rows in <scope>":

- ``own``          rows that are the actor's own (the model says which field points at the person)
- ``assigned``     rows assigned to the actor (the model names its assignee field)
- ``department``   rows of the actor's department subtree (the grant's department, else the membership's)
- ``org``          every row of the organisation in the URL
- ``descendants``  every row of organisations below the actor's own (read-only bureau view)
- absent           nothing

A grant limited to a department narrows ``org`` to that department's subtree. Several roles add up.
Later modules add their actions to ``TABLE`` (one line per role) and declare ``scope_fields`` on
their models; nothing else decides who may see or do what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from .choices import Role

OWN, ASSIGNED, DEPARTMENT, ORG, DESCENDANTS = "own", "assigned", "department", "org", "descendants"
SCOPE_ORDER = [OWN, ASSIGNED, DEPARTMENT, ORG, DESCENDANTS]

# Actions of the foundation. Each module adds its own in the same shape.
ORG_VIEW = "org.view"
DEPARTMENT_VIEW = "department.view"
DEPARTMENT_MANAGE = "department.manage"
LOCATION_VIEW = "location.view"
LOCATION_MANAGE = "location.manage"
PERSON_VIEW = "person.view"
PERSON_MANAGE = "person.manage"
SECURITY_LOG_VIEW = "security_log.view"
SETTINGS_VIEW = "settings.view"
SETTINGS_MANAGE = "settings.manage"
FACTS_VIEW = "facts.view"
CALENDAR_VIEW = "calendar.view"  # holidays, make-up days and terms of the org
CALENDAR_MANAGE = "calendar.manage"

_EVERYONE_READS = {ORG_VIEW: ORG, DEPARTMENT_VIEW: ORG, LOCATION_VIEW: ORG}

TABLE: dict[str, dict[str, str]] = {
    Role.LEADER: {**_EVERYONE_READS, PERSON_VIEW: ORG, SETTINGS_VIEW: ORG, FACTS_VIEW: ORG, CALENDAR_VIEW: ORG},
    Role.LOGISTICS_HEAD: {
        **_EVERYONE_READS,
        PERSON_VIEW: ORG,
        LOCATION_MANAGE: ORG,
        SETTINGS_VIEW: ORG,
        FACTS_VIEW: ORG,
        CALENDAR_VIEW: ORG,
    },
    Role.ORG_ADMIN: {
        **_EVERYONE_READS,
        PERSON_VIEW: ORG,
        PERSON_MANAGE: ORG,
        DEPARTMENT_MANAGE: ORG,
        LOCATION_MANAGE: ORG,
        SECURITY_LOG_VIEW: ORG,
        SETTINGS_VIEW: ORG,
        SETTINGS_MANAGE: ORG,
        FACTS_VIEW: ORG,
        CALENDAR_VIEW: ORG,
        CALENDAR_MANAGE: ORG,
    },
    Role.DISPATCHER: {**_EVERYONE_READS, PERSON_VIEW: ORG},
    Role.ASSET_CLERK: {**_EVERYONE_READS, PERSON_VIEW: ORG},
    Role.STOREKEEPER: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.PURCHASER: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.TECHNICIAN: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.SECURITY: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.CANTEEN: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.DEPT_HEAD: {**_EVERYONE_READS, PERSON_VIEW: DEPARTMENT},
    Role.STAFF: {**_EVERYONE_READS, PERSON_VIEW: OWN},
    Role.FINANCE: {**_EVERYONE_READS, PERSON_VIEW: ORG},
    # The bureau reads what lies below it and writes nothing there.
    Role.BUREAU: {
        ORG_VIEW: DESCENDANTS,
        DEPARTMENT_VIEW: DESCENDANTS,
        LOCATION_VIEW: DESCENDANTS,
        PERSON_VIEW: DESCENDANTS,
    },
}

# Approvals (core/approvals.py). Every member submits their own requests and takes part in deciding
# (``approval.decide``); which steps wait for whom is the engine's rule (the step's person or role, or
# a delegation). Who reads requests beyond their own and those they decide is set here.
APPROVAL_VIEW = "approval.view"
APPROVAL_SUBMIT = "approval.submit"
APPROVAL_DECIDE = "approval.decide"
APPROVAL_RULE_MANAGE = "approval_rule.manage"
_APPROVAL_READERS = {Role.LEADER: ORG, Role.LOGISTICS_HEAD: ORG, Role.FINANCE: ORG, Role.DEPT_HEAD: DEPARTMENT}
for _role, _actions in TABLE.items():
    if _role != Role.BUREAU:  # approvals are internal: the bureau reads none of them
        _actions.update({APPROVAL_VIEW: _APPROVAL_READERS.get(_role, OWN), APPROVAL_SUBMIT: OWN, APPROVAL_DECIDE: ORG})
TABLE[Role.ORG_ADMIN][APPROVAL_RULE_MANAGE] = ORG

# Notifications (core/notifications.py). Everyone reads their own inbox and sets their own channels;
# org_admin manages the org's group robots and sees the outbox of external deliveries.
NOTIFICATION_VIEW = "notification.view"
NOTIFICATION_CHANNEL_MANAGE = "notification_channel.manage"
for _actions in TABLE.values():
    _actions[NOTIFICATION_VIEW] = OWN
TABLE[Role.ORG_ADMIN][NOTIFICATION_CHANNEL_MANAGE] = ORG

# Outside parties (core/party_services.py): the offices that deal with suppliers and contractors read
# them; purchasing and the logistics head keep them; the bureau reads those of the orgs below it.
PARTY_VIEW = "party.view"
PARTY_MANAGE = "party.manage"
for _role in (
    Role.LEADER,
    Role.LOGISTICS_HEAD,
    Role.ORG_ADMIN,
    Role.DISPATCHER,
    Role.ASSET_CLERK,
    Role.STOREKEEPER,
    Role.PURCHASER,
    Role.CANTEEN,
    Role.FINANCE,
):
    TABLE[_role][PARTY_VIEW] = ORG
for _role in (Role.ORG_ADMIN, Role.LOGISTICS_HEAD, Role.PURCHASER):
    TABLE[_role][PARTY_MANAGE] = ORG
TABLE[Role.BUREAU][PARTY_VIEW] = DESCENDANTS

# Compensation (赔偿, core/compensation.py): what a person owes for damage, recorded from a job or an
# asset. The person reads their own; their department head the department's; the offices that settle
# it read and record all.
COMPENSATION_VIEW = "compensation.view"
COMPENSATION_MANAGE = "compensation.manage"
for _role, _actions in TABLE.items():
    if _role != Role.BUREAU:
        _actions[COMPENSATION_VIEW] = OWN
TABLE[Role.DEPT_HEAD][COMPENSATION_VIEW] = DEPARTMENT
for _role in (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.FINANCE, Role.ASSET_CLERK, Role.DISPATCHER):
    TABLE[_role][COMPENSATION_VIEW] = ORG
for _role in (Role.LOGISTICS_HEAD, Role.FINANCE, Role.ASSET_CLERK, Role.DISPATCHER):
    TABLE[_role][COMPENSATION_MANAGE] = ORG

# Roles whose grants apply below the member's own organisation instead of inside it.
DOWNWARD_ROLES = {Role.BUREAU}


@dataclass(frozen=True)
class Grant:
    role: str
    department_path: str | None  # the grant is limited to this department's subtree (None: not limited)
    home_department_path: str | None = None  # the holder's own department, for the ``department`` scope


@dataclass
class Actor:
    """Who is acting, in which organisation, with which grants (built once per request)."""

    user: object
    org: object  # the organisation in the URL
    membership: object | None  # the membership whose grants apply (in ``org``, or in a bureau above it)
    grants: list[Grant] = field(default_factory=list)
    via_bureau: bool = False  # reading ``org`` from a bureau above it

    @property
    def home_org(self):
        """The organisation the grants were given in (the bureau for a bureau reader)."""
        return self.membership.org if self.membership else self.org

    @cached_property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def scopes(self, action: str) -> list[tuple[str, Grant]]:
        found = []
        for grant in self.grants:
            scope = TABLE.get(grant.role, {}).get(action)
            if scope:
                found.append((scope, grant))
        return found

    def limits(self, action: str) -> list[str] | None:
        """Department paths the actor's ``action`` is limited to; None when one grant is not limited."""
        paths = []
        for _scope, grant in self.scopes(action):
            if grant.department_path is None:
                return None
            paths.append(grant.department_path)
        return paths

    def can(self, action: str) -> bool:
        """May the actor do ``action`` on at least some rows?"""
        return bool(self.scopes(action))

    def widest_scope(self, action: str) -> str | None:
        scopes = [scope for scope, _grant in self.scopes(action)]
        return max(scopes, key=SCOPE_ORDER.index) if scopes else None


def _path_lookup(department_field: str) -> str:
    """``department__path__startswith``, or ``path__startswith`` for the Department model itself ("")."""
    return (department_field + "__" if department_field else "") + "path__startswith"


def _in_department(department_fields: str | tuple[str, ...], path: str) -> Q:
    """Rows whose department (or, for a tuple such as a transfer's sending and receiving departments, any of
    them) lies in the subtree at ``path``."""
    names = (department_fields,) if isinstance(department_fields, str) else department_fields
    q = Q()
    for name in names:
        q |= Q(**{_path_lookup(name): path})
    return q


def _scope_q(model, actor: Actor, scope: str, grant: Grant) -> Q | None:
    """The filter for one (scope, grant) pair on ``model``; None means no rows."""
    fields = {"org": "org_id", "org_path": "org__path", **getattr(model, "scope_fields", {})}
    if scope == ORG:
        q = Q(**{fields["org"]: actor.org.pk})
        if grant.department_path:
            # A limited grant reaches only rows of its department; rows without one are out of its reach.
            if DEPARTMENT not in fields:
                return None
            q &= _in_department(fields[DEPARTMENT], grant.department_path)
        return q
    if scope == DESCENDANTS:
        return Q(**{fields["org_path"] + "__startswith": actor.home_org.path})
    if scope == DEPARTMENT:
        path = grant.department_path or grant.home_department_path
        if not path or DEPARTMENT not in fields:
            return None
        return Q(**{fields["org"]: actor.org.pk}) & _in_department(fields[DEPARTMENT], path)
    if scope in (OWN, ASSIGNED):
        if scope not in fields:
            raise ImproperlyConfigured("{} has no scope_fields[{!r}]".format(model.__name__, scope))
        if callable(fields[scope]):
            # A to-many relation (several technicians on a job) is a subquery, so rows never repeat.
            return Q(**{fields["org"]: actor.org.pk}) & fields[scope](actor.user)
        return Q(**{fields["org"]: actor.org.pk, fields[scope]: actor.user})
    return None


def restrict(queryset: QuerySet, actor: Actor, action: str) -> QuerySet:
    """``queryset`` narrowed to the rows ``actor`` may ``action``; used by pages, API, exports and facts."""
    combined = None
    for scope, grant in actor.scopes(action):
        q = _scope_q(queryset.model, actor, scope, grant)
        if q is not None:
            combined = q if combined is None else combined | q
    if combined is None:
        return queryset.none()
    return queryset.filter(combined)
