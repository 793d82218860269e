"""The approval engine, on the workflow kit: rules choose the steps, steps are decided in order.

A module registers its kind of request once, with what happens when it is decided::

    approvals.register_kind(
        "procurement.request", _("Purchase request"),
        on_approved=purchase_request_approved,      # f(target, *, actor, request), same transaction
        on_rejected=purchase_request_rejected,
        url=lambda target: reverse("procurement:request_detail", args=[target.org.code, target.pk]),
    )

and submits a record inside its own service::

    approvals.approval_submit(actor=actor, target=purchase, kind="procurement.request",
                              amount=purchase.total, category=purchase.category, department=purchase.department)

The organisation's first matching ``ApprovalRule`` (lowest priority number, then the most specific: a
deeper department, a category, amount limits) gives the steps. While the organisation has no active rule of
a kind, the kind's ``default_steps`` (registered with it) apply. When no rule matches (and no default steps
apply) the request is approved at once, with an event that says so: an organisation without rules is never
blocked.
Nobody decides their own request, also not through a delegate; a rejection needs a reason; a decision
made under a delegation records whom it was made for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import navigation, orgsettings, todos
from . import permissions as p
from .choices import Role
from .models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalRuleStep,
    ApprovalState,
    ApprovalStep,
    Delegation,
    Department,
    Membership,
    RoleGrant,
    StepState,
)
from .notifications import notify
from .permissions import Actor, Grant, restrict
from .workcalendar import CALENDAR_TZ

# Kinds ------------------------------------------------------------------------------------------

Callback = Callable[..., None]  # f(target, *, actor, request)


@dataclass(frozen=True)
class ApprovalKind:
    kind: str  # "<module>.<record>", e.g. "procurement.request"
    label: str
    on_approved: Callback | None = None
    on_rejected: Callback | None = None
    on_withdrawn: Callback | None = None
    url: Callable[[object], str] | None = None  # the target record's page
    # Steps used while the organisation has no active rule of this kind: ({"role": ..., "of_requester_department":
    # bool}, ...). Empty: such a request is approved at once.
    default_steps: tuple[dict, ...] = ()


KINDS: dict[str, ApprovalKind] = {}


def register_kind(
    kind: str,
    label: str,
    *,
    on_approved: Callback | None = None,
    on_rejected: Callback | None = None,
    on_withdrawn: Callback | None = None,
    url: Callable[[object], str] | None = None,
    default_steps: list[dict] | tuple[dict, ...] = (),
) -> ApprovalKind:
    """``default_steps``: roles (each ``{"role": Role.X}``, with ``"of_requester_department": True`` for the
    holders in the department the request is submitted for) that decide while the organisation has no active
    rule of this kind. Once it has one, its rules alone decide (a request no rule matches is approved at once)."""
    if kind in KINDS:
        raise ValueError("approval kind {} registered twice".format(kind))
    steps = []
    for values in default_steps:
        if set(values) - {"role", "of_requester_department"} or values.get("role") not in Role.values:
            raise ValueError("default step of {} must name a role: {!r}".format(kind, values))
        steps.append({"role": values["role"], "of_requester_department": bool(values.get("of_requester_department"))})
    KINDS[kind] = ApprovalKind(kind, label, on_approved, on_rejected, on_withdrawn, url, tuple(steps))
    return KINDS[kind]


def default_steps_apply(org, kind: str) -> bool:
    """Whether a request of ``kind`` in ``org`` takes the kind's default steps: it has some, and the
    organisation has no active rule of the kind."""
    entry = KINDS.get(kind)
    if entry is None or not entry.default_steps:
        return False
    return not ApprovalRule.objects.filter(org=org, kind=kind, is_active=True).exists()


def kind_label(kind: str) -> str:
    return str(KINDS[kind].label) if kind in KINDS else kind


def target_url(request: ApprovalRequest) -> str:
    entry = KINDS.get(request.kind)
    return entry.url(request.target) if entry and entry.url else ""


def request_url(request: ApprovalRequest) -> str:
    return reverse("core:approval_detail", args=[request.org.code, request.pk])


# Rules ------------------------------------------------------------------------------------------


def _specificity(rule: ApprovalRule) -> tuple:
    bounds = (rule.min_amount is not None) + (rule.max_amount is not None)
    return (-(rule.department.depth if rule.department_id else 0), not rule.category, -bounds)


def select_rule(
    org, kind: str, *, amount: Decimal | None, category: str = "", department: Department | None = None
) -> ApprovalRule | None:
    """The rule that applies: active, of this kind, matching category, department subtree and amount;
    the lowest priority number first, then the most specific."""
    rules = ApprovalRule.objects.filter(org=org, kind=kind, is_active=True).filter(
        Q(category="") | Q(category=category)
    )
    if department is None:
        rules = rules.filter(department__isnull=True)
    if amount is None:
        rules = rules.filter(min_amount__isnull=True, max_amount__isnull=True)
    else:
        rules = rules.filter(Q(min_amount__isnull=True) | Q(min_amount__lte=amount))
        rules = rules.filter(Q(max_amount__isnull=True) | Q(max_amount__gt=amount))
    matching = [
        rule
        for rule in rules.select_related("department")
        if rule.department_id is None or department.path.startswith(rule.department.path)
    ]
    matching.sort(key=lambda rule: (rule.priority, *_specificity(rule), rule.pk))
    return matching[0] if matching else None


@transaction.atomic
def approval_rule_save(*, actor: Actor, rule: ApprovalRule | None = None, steps: list[dict], **data) -> ApprovalRule:
    """Create or change a rule and replace its steps, each a dict of ``role`` or ``approver`` (a membership)
    and ``of_requester_department``."""
    if not actor.can(p.APPROVAL_RULE_MANAGE) or actor.via_bureau:
        raise PermissionDenied
    if not steps:
        raise ValidationError({"steps": _("Add at least one step.")})
    rule = rule or ApprovalRule(org=actor.org)
    if data.get("kind") and data["kind"] not in KINDS:
        raise ValidationError({"kind": _("Unknown kind of request.")})
    for name, value in data.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    rule.steps.all().delete()
    for order, values in enumerate(steps, start=1):
        step = ApprovalRuleStep(
            org=actor.org,
            rule=rule,
            order=order,
            role=values.get("role") or "",
            approver=values.get("approver"),
            of_requester_department=bool(values.get("of_requester_department")) and bool(values.get("role")),
        )
        try:
            step.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {"steps": _("Step {n}: {error}").format(n=order, error=" ".join(error.messages))}
            ) from error
        step.save()
    return rule


# Who decides ------------------------------------------------------------------------------------


def _holder_path(grant: Grant) -> str | None:
    return grant.department_path or grant.home_department_path


def _approver_q(membership_id: int, grants: list[Grant]) -> Q:
    """Waiting steps ``membership`` decides by name or by one of its roles (within a limited grant's
    department; a step "of the requester's department" needs the holder's department at or above it)."""
    q = Q(approver_id=membership_id)
    for grant in grants:
        holder = _holder_path(grant)
        if holder:
            q |= Q(role=grant.role, department__isnull=False, department__path__startswith=holder)
        whole_org = Q(role=grant.role, department__isnull=True)
        if grant.department_path:
            whole_org &= Q(request__department__path__startswith=grant.department_path)
        q |= whole_org
    return q


def _grants_of(memberships: list[Membership]) -> dict[int, list[Grant]]:
    found: dict[int, list[Grant]] = {m.pk: [] for m in memberships}
    by_pk = {m.pk: m for m in memberships}
    for role_grant in RoleGrant.objects.filter(membership__in=memberships).select_related("department"):
        member = by_pk[role_grant.membership_id]
        found[member.pk].append(
            Grant(
                role=role_grant.role,
                department_path=role_grant.department.path if role_grant.department_id else None,
                home_department_path=member.department.path if member.department_id else None,
            )
        )
    return found


def today():
    """The date in China, which delegation dates mean, whatever the server's TIME_ZONE."""
    return timezone.localdate(timezone=CALENDAR_TZ)


def _running_on(on) -> Q:
    """Delegations that run on the day ``on``: begun, not past their last day, not ended early."""
    return Q(start_date__lte=on, end_date__gte=on, ended_at__isnull=True)


def active_delegations(delegate: Membership, on=None):
    """Delegations to ``delegate`` that run on the day ``on`` (today in China by default)."""
    return Delegation.objects.filter(_running_on(on or today()), delegate=delegate, delegator__is_active=True)


def _delegators_of(me: Membership) -> list[tuple[Membership, list[Grant]]]:
    """Who delegated to ``me`` for today, each with their grants: their steps ``me`` may decide for them."""
    delegations = list(active_delegations(me).select_related("delegator__user", "delegator__department"))
    grants = _grants_of([d.delegator for d in delegations])
    return [(d.delegator, grants[d.delegator_id]) for d in delegations]


def _waiting_q(actor: Actor) -> Q:
    """Pending steps that wait for ``actor``: their own, and those of whoever delegated to them today."""
    me = actor.membership
    q = _approver_q(me.pk, actor.grants) & ~Q(request__requester_id=me.pk)
    for delegator, grants in _delegators_of(me):
        q |= _approver_q(delegator.pk, grants) & ~Q(request__requester_id__in=[me.pk, delegator.pk])
    return Q(state=StepState.PENDING, request__state=ApprovalState.PENDING) & q


def waiting_steps(actor: Actor):
    """待我审批: steps waiting for the actor, across modules, newest first."""
    if actor.membership is None or actor.via_bureau:
        return ApprovalStep.objects.none()
    return ApprovalStep.objects.filter(_waiting_q(actor))


def acting_for(step: ApprovalStep, actor: Actor) -> Membership | None:
    """May ``actor`` decide ``step``? None when in their own right, the delegator when under a delegation;
    a ValidationError that says why not otherwise."""
    request = step.request
    me = actor.membership
    if me is None or actor.via_bureau:
        raise PermissionDenied
    if request.requester_id == me.pk:
        raise ValidationError(_("Nobody decides their own request."), code="own_request")
    steps = ApprovalStep.objects.filter(pk=step.pk)
    if steps.filter(_approver_q(me.pk, actor.grants)).exists():
        return None
    for delegator, grants in _delegators_of(me):
        if steps.filter(_approver_q(delegator.pk, grants)).exists():
            if request.requester_id == delegator.pk:
                raise ValidationError(
                    _("{name} cannot decide their own request, so nobody can decide it on their behalf.").format(
                        name=delegator.user.name
                    ),
                    code="own_request",
                )
            return delegator
    raise ValidationError(_("This step waits for {approver}, not for you.").format(approver=step.approver_label))


def step_approvers(step: ApprovalStep) -> list[Membership]:
    """Everyone who may decide ``step`` in their own right (the requester never)."""
    request = step.request
    if step.approver_id:
        candidates = [step.approver] if step.approver.is_active else []
    else:
        candidates = []
        grants = RoleGrant.objects.filter(role=step.role, membership__is_active=True).select_related(
            "membership__user", "membership__department", "department"
        )
        for grant in grants:
            member = grant.membership
            if step.department_id:
                holder = grant.department or member.department
                if holder is None or not step.department.path.startswith(holder.path):
                    continue
            elif grant.department_id and not (
                request.department_id and request.department.path.startswith(grant.department.path)
            ):
                continue
            candidates.append(member)
    return list({m.pk: m for m in candidates if m.pk != request.requester_id}.values())


def _only_the_requester_holds(step: ApprovalStep) -> bool:
    """Nobody but the requester could decide this role step."""
    return (
        not step.approver_id
        and not step_approvers(step)
        and RoleGrant.objects.filter(membership=step.request.requester, role=step.role).exists()
    )


def _delegates_of(memberships: list[Membership], requester: Membership) -> list[Membership]:
    delegations = Delegation.objects.filter(
        _running_on(today()),
        delegator__in=[m for m in memberships if m.pk != requester.pk],
        delegate__is_active=True,
    ).select_related("delegate__user")
    return [d.delegate for d in delegations if d.delegate_id != requester.pk]


# Notifications are stored as text, so they are written in the site's language, not in the language the
# person who caused them happens to use.


def _notify_step(request: ApprovalRequest, step: ApprovalStep) -> None:
    approvers = step_approvers(step)
    people = approvers + _delegates_of(approvers, request.requester)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            org=request.org,
            recipients=[m.user for m in people],
            event="approvals.pending",
            title=_("Waiting for your approval: {title}").format(title=request.title),
            body=_("{kind}, requested by {name}.").format(
                kind=kind_label(request.kind), name=request.requester.user.name
            ),
            url=request_url(request),
        )


def _notify_requester(request: ApprovalRequest, approved: bool, reason: str = "") -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Approved: {title}") if approved else _("Rejected: {title}")
        notify(
            org=request.org,
            recipients=[request.requester.user],
            event="approvals.decided",
            title=title.format(title=request.title),
            body=reason,
            url=request_url(request),
        )


# Services ---------------------------------------------------------------------------------------


def _callback(request: ApprovalRequest, name: str, actor: Actor) -> None:
    callback = getattr(KINDS[request.kind], name)
    if callback is not None:
        callback(request.target, actor=actor, request=request)


@transaction.atomic
def approval_submit(
    *,
    actor: Actor,
    target,
    kind: str,
    amount: Decimal | None = None,
    category: str = "",
    department: Department | None = None,
    title: str = "",
) -> ApprovalRequest:
    """Start the approval of ``target`` (call it inside the module's own service). The steps come from the
    rule that applies, or from the kind's default steps while the organisation has no active rule of the kind;
    without either the request is approved at once (and ``on_approved`` runs)."""
    if kind not in KINDS:
        raise ValueError("approval kind {} is not registered".format(kind))
    if actor.membership is None:
        raise PermissionDenied
    rule = select_rule(actor.org, kind, amount=amount, category=category, department=department)
    if rule is not None:
        step_specs = [
            (s.order, s.role, s.approver, s.of_requester_department)
            for s in rule.steps.select_related("approver__user").order_by("order")
        ]
    elif default_steps_apply(actor.org, kind):
        step_specs = [
            (order, s["role"], None, s["of_requester_department"])
            for order, s in enumerate(KINDS[kind].default_steps, start=1)
        ]
    else:
        step_specs = []
    request = ApprovalRequest(
        org=actor.org,
        target=target,  # the callbacks get the caller's own instance, so it sees their changes
        kind=kind,
        title=(title or str(target))[:200],
        requester=actor.membership,
        amount=amount,
        category=category,
        department=department,
        rule=rule,
    )
    note = _("No approval rule of this kind is set; the default steps apply.") if rule is None and step_specs else ""
    ApprovalRequest.WORKFLOW.start(request, "submit", actor=actor, note=note)
    if not step_specs:
        ApprovalRequest.WORKFLOW.apply(
            request, "auto_approve", actor=actor, note=_("No approval rule applies; approved automatically.")
        )
        request.decided_at = timezone.now()
        request.save(update_fields=["decided_at"])
        _callback(request, "on_approved", actor)
        return request
    steps = []
    for order, role, approver, of_requester_department in step_specs:
        step = ApprovalStep(
            org=actor.org,
            request=request,
            order=len(steps) + 1 if rule is None else order,
            role=role,
            approver=approver,
            department=department if of_requester_department else None,
        )
        if of_requester_department and department is None:
            raise ValidationError(
                {"department": _("Step {n} is decided in the requester's department: choose one.").format(n=step.order)}
            )
        if rule is None and _only_the_requester_holds(step):
            # A default step that only the requester's own role would decide (the asset clerk moving assets, for
            # which the clerk is the default second step) is theirs by submitting; an org that wants another
            # person there writes a rule, whose steps are never dropped.
            continue
        step.full_clean()
        step.save()
        steps.append(step)
    if not steps:
        ApprovalRequest.WORKFLOW.apply(
            request, "auto_approve", actor=actor, note=_("The requester holds every default step's role.")
        )
        request.decided_at = timezone.now()
        request.save(update_fields=["decided_at"])
        _callback(request, "on_approved", actor)
        return request
    _check_every_step_has_an_approver(request, steps)
    first = steps[0]
    first.state = StepState.PENDING
    first.save(update_fields=["state"])
    request.current_step = first.order
    request.save(update_fields=["current_step"])
    _notify_step(request, first)
    return request


def _check_every_step_has_an_approver(request: ApprovalRequest, steps: list[ApprovalStep]) -> None:
    for step in steps:
        if step_approvers(step):
            continue
        if step.approver_id == request.requester_id:
            message = _(
                "Step {n} names you as its approver, and nobody decides their own request. "
                "Ask the administrator to change the approval rule."
            )
        else:
            message = _(
                "Nobody but you can decide step {n} ({approver}). "
                "Ask the administrator to assign that role or change the approval rule."
            )
        raise ValidationError(message.format(n=step.order, approver=step.approver_label), code="no_approver")


@transaction.atomic
def approval_decide(*, actor: Actor, request: ApprovalRequest, approve: bool, comment: str = "") -> ApprovalRequest:
    """Approve or reject the current step; the last approval approves the request, a rejection ends it."""
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Give a reason for the rejection.")})
    request = ApprovalRequest.objects.select_for_update().select_related("requester__user", "org").get(pk=request.pk)
    step = request.steps.filter(state=StepState.PENDING).select_related("approver__user").first()
    action = "approve" if approve else "reject"
    if step is None:  # decided or withdrawn already: the kit refuses with the state and the action
        ApprovalRequest.WORKFLOW.apply(request, action, actor=actor, note=comment)
    on_behalf_of = acting_for(step, actor)
    next_step = request.steps.filter(order__gt=step.order).order_by("order").first() if approve else None
    if next_step is not None:
        action = "approve_step"
        request.current_step = next_step.order
    else:
        request.decided_at = timezone.now()
    ApprovalRequest.WORKFLOW.apply(
        request,
        action,
        actor=actor,
        note=comment,
        also_save=["current_step", "decided_at"],
        on_behalf_of=on_behalf_of.user if on_behalf_of else None,
    )
    step.state = StepState.APPROVED if approve else StepState.REJECTED
    step.decided_by = actor.membership
    step.on_behalf_of = on_behalf_of
    step.decided_at = timezone.now()
    step.comment = comment
    step.save()
    if next_step is not None:
        next_step.state = StepState.PENDING
        next_step.save(update_fields=["state"])
        _notify_step(request, next_step)
    elif approve:
        _callback(request, "on_approved", actor)
        _notify_requester(request, approved=True)
    else:
        _cancel_open_steps(request)
        _callback(request, "on_rejected", actor)
        _notify_requester(request, approved=False, reason=comment)
    return request


def _cancel_open_steps(request: ApprovalRequest) -> None:
    for open_step in request.steps.filter(state__in=[StepState.WAITING, StepState.PENDING]):
        open_step.state = StepState.CANCELLED
        open_step.save(update_fields=["state"])


@transaction.atomic
def approval_withdraw(*, actor: Actor, request: ApprovalRequest, note: str = "") -> ApprovalRequest:
    """The requester takes a pending request back; its open steps are no longer needed."""
    ApprovalRequest.WORKFLOW.apply(request, "withdraw", actor=actor, note=note)
    _cancel_open_steps(request)
    _callback(request, "on_withdrawn", actor)
    return request


# Delegations ------------------------------------------------------------------------------------


@transaction.atomic
def delegation_create(*, actor: Actor, delegate: Membership, start_date, end_date, reason: str) -> Delegation:
    """Let ``delegate`` decide the actor's steps from ``start_date`` to ``end_date`` (both included)."""
    if not actor.can(p.APPROVAL_DECIDE) or actor.membership is None or actor.via_bureau:
        raise PermissionDenied
    delegation = Delegation(
        org=actor.org,
        delegator=actor.membership,
        delegate=delegate,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
    )
    delegation.full_clean()
    if not delegate.is_active:
        raise ValidationError({"delegate": _("Choose an active colleague.")})
    if end_date < today():
        raise ValidationError({"end_date": _("The delegation would already be over.")})
    overlapping = Delegation.objects.filter(
        delegator=actor.membership, ended_at__isnull=True, start_date__lte=end_date, end_date__gte=start_date
    )
    if overlapping.exists():
        raise ValidationError({"start_date": _("You already have a delegation in these days; end it first.")})
    delegation.save()
    return delegation


@transaction.atomic
def delegation_end(*, actor: Actor, delegation: Delegation) -> Delegation:
    """End one's own delegation now (it is kept, with the time it ended)."""
    if actor.membership is None or delegation.delegator_id != actor.membership.pk:
        raise PermissionDenied
    if delegation.ended_at is not None:
        raise ValidationError(_("This delegation has already ended."))
    delegation.ended_at = timezone.now()
    delegation.save(update_fields=["ended_at"])
    return delegation


# Reads ------------------------------------------------------------------------------------------


def visible_requests(actor: Actor):
    """Requests the actor may open: those the permission table lets them read, and those they decide or
    decided (in their own right or for someone who delegated to them)."""
    readable = restrict(ApprovalRequest.objects.all(), actor, p.APPROVAL_VIEW)
    if actor.membership is None or actor.via_bureau:
        return readable
    me = actor.membership.pk
    involved = ApprovalStep.objects.filter(Q(decided_by_id=me) | Q(pk__in=waiting_steps(actor).values("pk"))).values(
        "request_id"
    )
    return ApprovalRequest.objects.filter(Q(pk__in=readable.values("pk")) | Q(pk__in=involved))


# Registrations: the menu, the home page's to-dos and the settings hub -----------------------------


@todos.register
def waiting_for_me(actor: Actor) -> list[todos.Todo]:
    if not actor.can(p.APPROVAL_DECIDE) or actor.membership is None or actor.via_bureau:
        return []
    return [
        todos.Todo(
            _("Waiting for my approval"),
            waiting_steps(actor).count(),
            reverse("core:approval_inbox", args=[actor.org.code]),
            "warning",
        )
    ]


navigation.register(
    navigation.NavEntry("approvals", gettext_lazy("Approvals"), "core:approval_inbox", p.APPROVAL_DECIDE)
)
orgsettings.register_page(
    orgsettings.SettingsPage(
        key="approval_rules",
        label=gettext_lazy("Approval rules"),
        url_name="core:approval_rule_list",
        description=gettext_lazy("Who approves which requests, by amount, category and department."),
    )
)
