"""The approval engine, driven through the test-only sample request: rules, steps, delegation, inbox,
callbacks, pages and API."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from houqin.core import approvals
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    Delegation,
    Notification,
    StepState,
    WorkflowEvent,
)
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member
from houqin.core.workflow import events_for
from houqin.sample import services
from houqin.sample.models import SampleRequest, SampleState

SHANGHAI = ZoneInfo("Asia/Shanghai")
KIND = "sample.request"


@pytest.fixture
def scope(world):
    with org_scope(world.org_a), translation.override("en"):
        yield


def actor_of(world, who):
    membership = world.members[who] if isinstance(who, str) else who
    return build_actor(membership.user, membership.org)


def add_rule(world, *steps, name="rule", **fields):
    """Steps: a Role value, a membership, or ("dept", Role) for a role of the requester's department."""
    values = []
    for step in steps:
        if isinstance(step, tuple):
            values.append({"role": step[1], "of_requester_department": True})
        elif isinstance(step, str):
            values.append({"role": step})
        else:
            values.append({"approver": step})
    fields.setdefault("kind", KIND)
    return approvals.approval_rule_save(actor=actor_of(world, Role.ORG_ADMIN), steps=values, name=name, **fields)


def submit(world, who=Role.STAFF, amount="1200.00", category="", department="own"):
    membership = world.members[who] if isinstance(who, str) else who
    department = membership.department if department == "own" else department
    actor = actor_of(world, membership)
    sample = services.sample_create(
        actor=actor, title="打印机", amount=Decimal(amount), category=category, department=department
    )
    return services.sample_submit(actor=actor, sample=sample)


def decide(world, who, request, approve=True, comment=""):
    return approvals.approval_decide(actor=actor_of(world, who), request=request, approve=approve, comment=comment)


def inbox_ids(world, who) -> set[int]:
    return set(approvals.waiting_steps(actor_of(world, who)).values_list("request_id", flat=True))


# Without rules ----------------------------------------------------------------------------------


def test_without_a_rule_the_request_is_approved_at_once_and_says_so(world, scope):
    request = submit(world)
    assert request.state == ApprovalState.APPROVED and request.decided_at is not None
    assert [(e.action, e.to_state) for e in events_for(request)] == [
        ("submit", "pending"),
        ("auto_approve", "approved"),
    ]
    assert "No approval rule applies" in events_for(request).last().note
    assert SampleRequest.objects.get().state == SampleState.APPROVED  # on_approved ran


# Default steps of a kind ------------------------------------------------------------------------

DEFAULTED = "defaulted.kind"


@pytest.fixture
def defaulted_kind():
    approvals.register_kind(
        DEFAULTED,
        "Defaulted",
        default_steps=[{"role": Role.DEPT_HEAD, "of_requester_department": True}, {"role": Role.ASSET_CLERK}],
    )
    yield
    approvals.KINDS.pop(DEFAULTED)


def submit_defaulted(world, department):
    actor = actor_of(world, Role.STAFF)
    sample = services.sample_create(actor=actor, title="调拨", amount=Decimal("800"), department=department)
    return approvals.approval_submit(
        actor=actor, target=sample, kind=DEFAULTED, amount=sample.amount, department=department
    )


def test_default_steps_apply_while_the_org_has_no_active_rule_of_the_kind(world, scope, defaulted_kind):
    add_rule(world, Role.LEADER, name="other kind")  # a rule of another kind changes nothing here
    add_rule(world, Role.LEADER, name="retired", kind=DEFAULTED, is_active=False)  # nor does an inactive one
    request = submit_defaulted(world, world.dept_a)
    assert request.rule is None and request.state == ApprovalState.PENDING
    assert [(s.role, s.department_id, s.state) for s in request.steps.order_by("order")] == [
        (Role.DEPT_HEAD, world.dept_a.pk, StepState.PENDING),
        (Role.ASSET_CLERK, None, StepState.WAITING),
    ]
    assert "default steps" in events_for(request).first().note
    assert inbox_ids(world, Role.DEPT_HEAD) == {request.pk}
    assert inbox_ids(world, Role.ASSET_CLERK) == set()  # not yet its turn
    decide(world, Role.DEPT_HEAD, request)
    decide(world, Role.ASSET_CLERK, request)
    request.refresh_from_db()
    assert request.state == ApprovalState.APPROVED


def test_default_steps_check_their_approvers_like_a_rule(world, scope, defaulted_kind):
    # Nobody heads 语文组: the first default step has nobody to decide it, so nothing is submitted.
    with pytest.raises(ValidationError, match="Nobody but you can decide step 1"):
        submit_defaulted(world, world.dept_a_other)
    assert not ApprovalRequest.objects.filter(kind=DEFAULTED).exists()


def test_a_default_step_only_the_requester_could_decide_is_theirs_by_submitting(world, scope, defaulted_kind):
    # The asset clerk asks to move assets: the receiving head decides; the clerk's own default step is dropped.
    actor = actor_of(world, Role.ASSET_CLERK)
    sample = services.sample_create(actor=actor, title="调拨", amount=Decimal("800"), department=world.dept_a)
    request = approvals.approval_submit(actor=actor, target=sample, kind=DEFAULTED, department=world.dept_a)
    assert [(s.order, s.role, s.state) for s in request.steps.order_by("order")] == [
        (1, Role.DEPT_HEAD, StepState.PENDING)
    ]
    decide(world, Role.DEPT_HEAD, request)
    request.refresh_from_db()
    assert request.state == ApprovalState.APPROVED


def test_a_rule_step_only_the_requester_could_decide_is_still_refused(world, scope, defaulted_kind):
    add_rule(world, Role.ASSET_CLERK, kind=DEFAULTED)
    actor = actor_of(world, Role.ASSET_CLERK)
    sample = services.sample_create(actor=actor, title="调拨", amount=Decimal("800"), department=world.dept_a)
    with pytest.raises(ValidationError, match="Nobody but you can decide step 1"):
        approvals.approval_submit(actor=actor, target=sample, kind=DEFAULTED, department=world.dept_a)


def test_once_the_org_has_a_rule_of_the_kind_its_rules_alone_decide(world, scope, defaulted_kind):
    add_rule(world, Role.LEADER, name="large only", kind=DEFAULTED, min_amount=Decimal("5000"))
    request = submit_defaulted(world, world.dept_a)  # 800 yuan: no rule matches, so approved at once
    assert request.state == ApprovalState.APPROVED and not request.steps.exists()
    assert "No approval rule applies" in events_for(request).last().note


def test_the_rule_list_shows_the_default_steps_and_when_rules_replace_them(world, login, defaulted_kind):
    client = login(world.member(Role.ORG_ADMIN))
    address = reverse("core:approval_rule_list", args=["org-a"])
    [line] = [
        x for x in client.get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode().split("\n") if "Defaulted:" in x
    ]
    assert "Department head of the requester&#x27;s department → Asset clerk" in line and "replaced" not in line
    with org_scope(world.org_a), translation.override("en"):
        add_rule(world, Role.LEADER, kind=DEFAULTED)
    [line] = [
        x for x in client.get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode().split("\n") if "Defaulted:" in x
    ]
    assert "replaced by your rules" in line


def test_default_steps_name_roles_only():
    with pytest.raises(ValueError):
        approvals.register_kind("bad.kind", "Bad", default_steps=[{"approver": 1}])
    with pytest.raises(ValueError):
        approvals.register_kind("bad.kind", "Bad", default_steps=[{"role": "nobody"}])
    assert "bad.kind" not in approvals.KINDS


# Rules ------------------------------------------------------------------------------------------


@pytest.fixture
def rules(world, scope):
    leader = Role.LEADER
    add_rule(world, leader, name="small", max_amount=Decimal("5000"))
    add_rule(world, leader, name="large", min_amount=Decimal("5000"))
    add_rule(world, leader, name="furniture", category="furniture")
    add_rule(world, leader, name="dept", department=world.dept_a)
    add_rule(world, leader, name="child-priority", department=world.dept_a_child, priority=50)
    add_rule(world, leader, name="inactive", category="books", is_active=False)
    add_rule(world, leader, name="other kind", kind="other.kind", category="books")


@pytest.fixture(autouse=True)
def other_kind():
    approvals.KINDS.setdefault("other.kind", approvals.ApprovalKind("other.kind", "Other"))
    yield
    approvals.KINDS.pop("other.kind", None)


@pytest.mark.parametrize(
    "amount, category, department, expected",
    [
        ("100", "", "dept_a_other", "small"),
        ("4999.99", "", "dept_a_other", "small"),
        ("5000", "", "dept_a_other", "large"),  # the lower limit is inclusive
        ("9000", "", None, "large"),
        ("100", "furniture", "dept_a_other", "furniture"),  # a category is more specific than amount limits
        ("100", "", "dept_a", "dept"),  # a department more specific still
        ("100", "furniture", "dept_a", "dept"),
        ("100", "", "dept_a_child", "child-priority"),  # a lower priority number first
        (None, "", "dept_a_other", None),  # no amount: only rules without amount limits
        (None, "books", "dept_a_other", None),  # inactive and other kinds never apply
    ],
)
def test_rule_selection(world, rules, amount, category, department, expected):
    rule = approvals.select_rule(
        world.org_a,
        KIND,
        amount=Decimal(amount) if amount else None,
        category=category,
        department=getattr(world, department) if department else None,
    )
    assert (rule.name if rule else None) == expected


def test_a_rule_needs_steps_and_a_sane_amount_range(world, scope):
    with pytest.raises(ValidationError) as no_steps:
        approvals.approval_rule_save(actor=actor_of(world, Role.ORG_ADMIN), steps=[], kind=KIND, name="x")
    assert "steps" in no_steps.value.message_dict
    with pytest.raises(ValidationError, match="upper amount must be above"):
        add_rule(world, Role.LEADER, min_amount=Decimal("10"), max_amount=Decimal("5"))
    with pytest.raises(PermissionDenied):
        approvals.approval_rule_save(actor=actor_of(world, Role.LEADER), steps=[{"role": Role.LEADER}], kind=KIND)


# Steps, decisions, refusals ---------------------------------------------------------------------


def test_steps_are_copied_and_decided_in_order(world, scope):
    finance = world.member(Role.FINANCE)
    add_rule(world, ("dept", Role.DEPT_HEAD), Role.LEADER, finance)
    request = submit(world)
    steps = list(request.steps.order_by("order"))
    assert [(s.role, s.approver_id, s.department_id, s.state) for s in steps] == [
        (Role.DEPT_HEAD, None, world.dept_a.pk, StepState.PENDING),
        (Role.LEADER, None, None, StepState.WAITING),
        ("", finance.pk, None, StepState.WAITING),
    ]
    assert request.current_step == 1
    head = world.member(Role.DEPT_HEAD)
    [pending] = Notification.objects.filter(recipient=head.user, event="approvals.pending")
    assert pending.title.startswith("待您审批")  # stored in the site's language, whatever the requester's

    decide(world, Role.DEPT_HEAD, request)
    request.refresh_from_db()
    assert (request.state, request.current_step) == (ApprovalState.PENDING, 2)
    assert Notification.objects.filter(recipient=world.member(Role.LEADER).user, event="approvals.pending").exists()
    with pytest.raises(ValidationError, match="waits for"):
        decide(world, Role.FINANCE, request)  # not yet finance's turn
    decide(world, Role.LEADER, request, comment="同意")
    decide(world, Role.FINANCE, request)
    request.refresh_from_db()
    assert request.state == ApprovalState.APPROVED
    assert SampleRequest.objects.get().state == SampleState.APPROVED
    assert [e.action for e in events_for(request)] == ["submit", "approve_step", "approve_step", "approve"]
    step2 = request.steps.get(order=2)
    assert (step2.decided_by, step2.comment, step2.state) == (world.member(Role.LEADER), "同意", StepState.APPROVED)
    staff_user = world.member(Role.STAFF).user
    assert Notification.objects.filter(recipient=staff_user, event="approvals.decided").count() == 1


def test_nobody_decides_their_own_request(world, scope):
    second_leader = make_member(world.org_a, Role.LEADER, employee_no="L2")
    add_rule(world, Role.LEADER)
    request = submit(world, Role.LEADER)
    with pytest.raises(ValidationError, match="Nobody decides their own request"):
        decide(world, Role.LEADER, request)
    assert inbox_ids(world, Role.LEADER) == set()
    assert inbox_ids(world, second_leader) == {request.pk}
    decide(world, second_leader, request)


def test_a_step_naming_the_requester_is_refused_at_submission(world, scope):
    add_rule(world, world.member(Role.FINANCE))
    with pytest.raises(ValidationError, match="Step 1 names you as its approver"):
        submit(world, Role.FINANCE)
    assert not ApprovalRequest.objects.exists()
    assert SampleRequest.objects.get().state == SampleState.DRAFT  # nothing half saved


def test_a_role_nobody_else_holds_is_refused_at_submission(world, scope):
    add_rule(world, Role.LEADER)
    with pytest.raises(ValidationError, match=r"Nobody but you can decide step 1"):
        submit(world, Role.LEADER)


def test_a_rejection_needs_a_reason(world, scope):
    add_rule(world, Role.LEADER, Role.FINANCE)
    request = submit(world)
    with pytest.raises(ValidationError) as refused:
        decide(world, Role.LEADER, request, approve=False, comment="  ")
    assert "comment" in refused.value.message_dict
    decide(world, Role.LEADER, request, approve=False, comment="预算不足")
    request.refresh_from_db()
    assert request.state == ApprovalState.REJECTED
    assert list(request.steps.values_list("state", flat=True).order_by("order")) == [
        StepState.REJECTED,
        StepState.CANCELLED,
    ]
    sample = SampleRequest.objects.get()
    assert sample.state == SampleState.REJECTED
    assert events_for(sample).last().note == "预算不足"


def test_the_timeline_shows_each_decision(world, scope):
    add_rule(world, Role.LEADER, Role.FINANCE)
    request = submit(world)
    decide(world, Role.LEADER, request, comment="同意采购")
    html = Template("{% load houqin %}{% timeline obj %}").render(Context({"obj": request}))
    assert html.count('data-testid="timeline-event"') == 2
    assert "Approve" in html and "同意采购" in html and world.member(Role.LEADER).user.name in html
    assert "Awaiting approval → Awaiting approval" not in html  # a step decided: no change of state to show


def test_a_decided_request_cannot_be_decided_again(world, scope):
    add_rule(world, Role.LEADER)
    request = submit(world)
    decide(world, Role.LEADER, request)
    with pytest.raises(ValidationError, match='"Reject" is not possible while the record is "Approved"'):
        decide(world, Role.LEADER, request, approve=False, comment="晚了")


def test_the_requester_withdraws_and_nobody_else_can(world, scope):
    add_rule(world, Role.LEADER)
    request = submit(world)
    with pytest.raises(PermissionDenied):
        approvals.approval_withdraw(actor=actor_of(world, "colleague"), request=request)
    approvals.approval_withdraw(actor=actor_of(world, Role.STAFF), request=request)
    request.refresh_from_db()
    assert request.state == ApprovalState.WITHDRAWN
    assert request.steps.get().state == StepState.CANCELLED
    assert SampleRequest.objects.get().state == SampleState.DRAFT
    assert inbox_ids(world, Role.LEADER) == set()


# Callbacks --------------------------------------------------------------------------------------


def _with_callbacks(monkeypatch, **callbacks):
    kind = dataclasses.replace(approvals.KINDS[KIND], **callbacks)
    monkeypatch.setitem(approvals.KINDS, KIND, kind)


def test_callbacks_fire_once(world, scope, monkeypatch):
    calls = []
    original = approvals.KINDS[KIND].on_approved

    def on_approved(target, *, actor, request):
        calls.append((target.pk, actor.user, request.state))
        original(target, actor=actor, request=request)

    _with_callbacks(monkeypatch, on_approved=on_approved)
    add_rule(world, Role.LEADER, Role.FINANCE)
    request = submit(world)
    decide(world, Role.LEADER, request)
    assert calls == []  # not after the first of two steps
    decide(world, Role.FINANCE, request)
    with pytest.raises(ValidationError):
        decide(world, Role.FINANCE, request)
    assert calls == [(SampleRequest.objects.get().pk, world.member(Role.FINANCE).user, ApprovalState.APPROVED)]


def test_nothing_is_half_saved_when_a_callback_raises(world, scope, monkeypatch):
    def broken(target, *, actor, request):
        target.title = "changed"
        target.save()
        raise RuntimeError("module failed")

    _with_callbacks(monkeypatch, on_approved=broken)
    add_rule(world, Role.LEADER)
    request = submit(world)
    events_before = WorkflowEvent.objects.count()
    notifications_before = Notification.objects.count()
    with pytest.raises(RuntimeError):
        decide(world, Role.LEADER, request, comment="同意")
    request.refresh_from_db()
    assert (request.state, request.decided_at) == (ApprovalState.PENDING, None)
    assert request.steps.get().state == StepState.PENDING and request.steps.get().decided_by is None
    assert WorkflowEvent.objects.count() == events_before
    assert Notification.objects.count() == notifications_before
    assert SampleRequest.objects.get().title == "打印机"


# Delegation -------------------------------------------------------------------------------------


def _delegate(world, delegator, delegate, start, end):
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        return approvals.delegation_create(
            actor=actor_of(world, delegator),
            delegate=world.members[delegate] if isinstance(delegate, str) else delegate,
            start_date=start,
            end_date=end,
            reason="出差",
        )


@pytest.mark.parametrize(
    "day, inside",
    [(date(2026, 5, 1), True), (date(2026, 5, 3), True), (date(2026, 4, 30), False), (date(2026, 5, 4), False)],
)
def test_delegation_works_inside_its_dates_and_records_on_whose_behalf(world, scope, day, inside):
    head = world.member(Role.LOGISTICS_HEAD)
    add_rule(world, head)
    request = submit(world)
    _delegate(world, Role.LOGISTICS_HEAD, Role.FINANCE, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(datetime.combine(day, datetime.min.time(), SHANGHAI).replace(hour=10), tick=False):
        assert inbox_ids(world, Role.FINANCE) == ({request.pk} if inside else set())
        if not inside:
            with pytest.raises(ValidationError, match="waits for"):
                decide(world, Role.FINANCE, request)
            return
        decide(world, Role.FINANCE, request, comment="代批")
    step = request.steps.get()
    assert (step.decided_by, step.on_behalf_of) == (world.member(Role.FINANCE), head)
    event = events_for(request).get(action="approve")
    assert (event.actor, event.on_behalf_of) == (world.member(Role.FINANCE).user, head.user)
    assert inbox_ids(world, Role.LOGISTICS_HEAD) == set()


@pytest.mark.parametrize(
    "moment, inside",
    [
        (datetime(2026, 5, 1, 0, 30, tzinfo=SHANGHAI), True),  # 4-30 16:30 UTC
        (datetime(2026, 4, 30, 23, 30, tzinfo=SHANGHAI), False),
        (datetime(2026, 5, 3, 23, 30, tzinfo=SHANGHAI), True),
        (datetime(2026, 5, 4, 0, 30, tzinfo=SHANGHAI), False),  # 5-3 16:30 UTC
    ],
)
def test_delegation_dates_are_days_in_china_whatever_the_server_time_zone(world, scope, settings, moment, inside):
    settings.TIME_ZONE = "UTC"
    add_rule(world, world.member(Role.LOGISTICS_HEAD))
    request = submit(world)
    _delegate(world, Role.LOGISTICS_HEAD, Role.FINANCE, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(moment, tick=False):
        assert inbox_ids(world, Role.FINANCE) == ({request.pk} if inside else set())


def test_an_ended_delegation_no_longer_applies(world, scope):
    add_rule(world, world.member(Role.LOGISTICS_HEAD))
    request = submit(world)
    delegation = _delegate(world, Role.LOGISTICS_HEAD, Role.FINANCE, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(datetime(2026, 5, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert inbox_ids(world, Role.FINANCE) == {request.pk}
        with pytest.raises(PermissionDenied):
            approvals.delegation_end(actor=actor_of(world, Role.FINANCE), delegation=delegation)
        approvals.delegation_end(actor=actor_of(world, Role.LOGISTICS_HEAD), delegation=delegation)
        assert inbox_ids(world, Role.FINANCE) == set()


def test_a_delegate_never_decides_their_own_request(world, scope):
    add_rule(world, world.member(Role.LOGISTICS_HEAD))
    _delegate(world, Role.LOGISTICS_HEAD, Role.STAFF, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(datetime(2026, 5, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        request = submit(world, Role.STAFF)
        assert inbox_ids(world, Role.STAFF) == set()
        with pytest.raises(ValidationError, match="Nobody decides their own request"):
            decide(world, Role.STAFF, request)


def test_nobody_decides_the_delegators_own_request_on_their_behalf(world, scope):
    second_leader = make_member(world.org_a, Role.LEADER, employee_no="L2")
    add_rule(world, Role.LEADER)
    _delegate(world, Role.LEADER, Role.FINANCE, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(datetime(2026, 5, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        request = submit(world, Role.LEADER)
        assert inbox_ids(world, Role.FINANCE) == set()
        with pytest.raises(ValidationError, match="cannot decide their own request"):
            decide(world, Role.FINANCE, request)
        assert inbox_ids(world, second_leader) == {request.pk}


def test_delegation_refuses_bad_dates_and_overlaps(world, scope):
    with pytest.raises(ValidationError, match="end date cannot be before"):
        _delegate(world, Role.LEADER, Role.FINANCE, date(2026, 5, 3), date(2026, 5, 1))
    _delegate(world, Role.LEADER, Role.FINANCE, date(2026, 5, 1), date(2026, 5, 3))
    with pytest.raises(ValidationError) as overlap:
        _delegate(world, Role.LEADER, Role.STAFF, date(2026, 5, 3), date(2026, 5, 9))
    assert "start_date" in overlap.value.message_dict


# The inbox --------------------------------------------------------------------------------------


def test_the_inbox_shows_exactly_what_waits_for_each_person(world, scope):
    other_head = make_member(world.org_a, Role.DEPT_HEAD, department=world.dept_a_other, employee_no="H2")
    world.members["other_head"] = other_head
    add_rule(world, ("dept", Role.DEPT_HEAD), Role.LEADER)
    mine = submit(world, Role.STAFF)  # 总务处
    child = submit(world, "colleague")  # 维修组, below 总务处
    outsider = submit(world, "outsider")  # 语文组
    first_step = {Role.DEPT_HEAD: {mine.pk, child.pk}, "other_head": {outsider.pk}}
    for who in world.members:
        assert inbox_ids(world, who) == first_step.get(who, set()), who
    decide(world, Role.DEPT_HEAD, mine)
    decide(world, "other_head", outsider)
    second_step = {Role.DEPT_HEAD: {child.pk}, Role.LEADER: {mine.pk, outsider.pk}}
    for who in world.members:
        assert inbox_ids(world, who) == second_step.get(who, set()), who
    assert approvals.waiting_steps(build_actor(world.bureau_member.user, world.org_a)).count() == 0
    with org_scope(world.org_b):
        assert approvals.waiting_steps(build_actor(world.member_b.user, world.org_b)).count() == 0


def test_a_department_limited_role_grant_only_sees_its_department(world, scope):
    limited = make_member(world.org_a, employee_no="F2")
    with scopes_disabled():
        limited.role_grants.create(org=world.org_a, role=Role.FINANCE, department=world.dept_a)
    add_rule(world, Role.FINANCE)
    mine = submit(world, Role.STAFF)
    outsider = submit(world, "outsider")
    assert inbox_ids(world, limited) == {mine.pk}
    assert inbox_ids(world, Role.FINANCE) == {mine.pk, outsider.pk}
    with pytest.raises(ValidationError, match="waits for"):
        decide(world, limited, outsider)
    decide(world, limited, mine)
    assert SampleRequest.objects.get(pk=mine.target.pk).state == SampleState.APPROVED


def test_a_department_limited_approver_decides_every_step_that_waits_for_them(world, scope):
    """The inbox and the decision agree: a step naming a person, or delegated to them, is theirs to decide
    even on a request of a department their (limited) grant does not reach."""
    limited = make_member(world.org_a, employee_no="F2")
    with scopes_disabled():
        limited.role_grants.create(org=world.org_a, role=Role.DEPT_HEAD, department=world.dept_a)
    add_rule(world, limited, name="by name", category="named")
    add_rule(world, world.member(Role.LOGISTICS_HEAD), name="head")
    named = submit(world, "outsider", category="named")
    delegated = submit(world, "outsider")
    _delegate(world, Role.LOGISTICS_HEAD, limited, date(2026, 5, 1), date(2026, 5, 3))
    with time_machine.travel(datetime(2026, 5, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert inbox_ids(world, limited) == {named.pk, delegated.pk}
        decide(world, limited, named)
        decide(world, limited, delegated, approve=False, comment="预算不足")
    named.refresh_from_db()
    delegated.refresh_from_db()
    assert (named.state, delegated.state) == (ApprovalState.APPROVED, ApprovalState.REJECTED)
    assert delegated.steps.get().on_behalf_of == world.member(Role.LOGISTICS_HEAD)


# Pages ------------------------------------------------------------------------------------------


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_inbox_detail_and_decision_pages(world, login):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
        request = submit(world)
    client = _english(login(world.member(Role.LEADER)))
    inbox = client.get(reverse("core:approval_inbox", args=["org-a"]))
    assert inbox.status_code == 200 and 'data-testid="approval-{}"'.format(request.pk) in inbox.content.decode()
    detail_url = reverse("core:approval_detail", args=["org-a", request.pk])
    page = client.get(detail_url).content.decode()
    assert 'data-testid="decide-form"' in page and 'data-testid="timeline"' in page
    assert 'name="decision" value="approve"' in page and 'name="decision" value="reject"' in page
    decide_url = reverse("core:approval_decide", args=["org-a", request.pk])
    refused = client.post(decide_url, {"decision": "reject", "comment": ""})
    assert refused.status_code == 400 and 'data-field-error="comment"' in refused.content.decode()
    assert client.post(decide_url, {"decision": "reject", "comment": "预算不足"}).status_code == 302
    page = client.get(detail_url).content.decode()
    assert "预算不足" in page and 'data-testid="decide-form"' not in page
    mine = _english(login(world.member(Role.STAFF))).get(reverse("core:approval_mine", args=["org-a"]))
    assert 'data-testid="approval-{}"'.format(request.pk) in mine.content.decode()


def test_the_requester_sees_why_they_cannot_decide_and_outsiders_get_404(world, login):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
        request = submit(world)
    url = reverse("core:approval_detail", args=["org-a", request.pk])
    assert login(world.members["outsider"]).get(url).status_code == 404
    page = login(world.member(Role.STAFF)).get(url).content.decode()
    assert 'data-testid="why-not"' in page and 'data-testid="withdraw"' in page


def test_delegation_page_shows_on_whose_behalf(world, login):
    head = world.member(Role.LOGISTICS_HEAD)
    with org_scope(world.org_a):
        add_rule(world, head)
        request = submit(world)
    client = _english(login(head))
    today = date.today().isoformat()
    response = client.post(
        reverse("core:delegation_list", args=["org-a"]),
        {"delegate": world.member(Role.FINANCE).pk, "start_date": today, "end_date": today, "reason": "出差"},
    )
    assert response.status_code == 302
    finance = _english(login(world.member(Role.FINANCE)))
    detail = reverse("core:approval_detail", args=["org-a", request.pk])
    assert "You decide on behalf of {}".format(head.user.name) in finance.get(detail).content.decode()
    finance.post(reverse("core:approval_decide", args=["org-a", request.pk]), {"decision": "approve"})
    page = finance.get(detail).content.decode()
    assert "{} on behalf of {}".format(world.member(Role.FINANCE).user.name, head.user.name) in page
    assert "on behalf of {}".format(head.user.name) in page.split('data-testid="timeline"')[1]


def test_rules_page_creates_a_rule_with_steps(world, login):
    client = _english(login(world.member(Role.ORG_ADMIN)))
    data = {
        "kind": KIND,
        "name": "五千以上",
        "min_amount": "5000",
        "priority": "100",
        "is_active": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-role": Role.DEPT_HEAD,
        "steps-0-of_requester_department": "on",
        "steps-1-approver": world.member(Role.LEADER).pk,
    }
    response = client.post(reverse("core:approval_rule_create", args=["org-a"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        rule = ApprovalRule.objects.get(name="五千以上")
        steps = list(rule.steps.values_list("role", "of_requester_department", "approver"))
    assert steps == [(Role.DEPT_HEAD, True, None), ("", False, world.member(Role.LEADER).pk)]
    listing = client.get(reverse("core:approval_rule_list", args=["org-a"])).content.decode()
    assert "五千以上" in listing
    assert login(world.member(Role.LEADER)).get(reverse("core:approval_rule_list", args=["org-a"])).status_code == 403


def test_without_any_kind_of_request_the_rules_page_says_nothing_needs_approval(world, login, monkeypatch):
    monkeypatch.setattr(approvals, "KINDS", {})  # as in production until a module registers a kind
    client = _english(login(world.member(Role.ORG_ADMIN)))
    listing = client.get(reverse("core:approval_rule_list", args=["org-a"])).content.decode()
    assert "Nothing needs approval yet" in listing and 'data-testid="new-rule"' not in listing
    create = reverse("core:approval_rule_create", args=["org-a"])
    assert client.get(create).url == reverse("core:approval_rule_list", args=["org-a"])


def test_the_approval_form_prints(world, login):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
        request = submit(world)
        decide(world, Role.LEADER, request, comment="同意")
    page = login(world.member(Role.STAFF)).get(reverse("core:approval_print", args=["org-a", request.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "打印机" in html and "同意" in html and world.member(Role.LEADER).user.name in html


def test_the_home_page_counts_what_waits(world, login):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
        submit(world)
        submit(world, "colleague")
    home = login(world.member(Role.LEADER)).get(reverse("core:home", args=["org-a"]))
    [todo] = [t for t in home.context["todos"] if t.url.endswith("/approvals/")]
    assert todo.count == 2


# API --------------------------------------------------------------------------------------------


def test_api_inbox_decide_and_delegate(world, login):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
        request = submit(world)
    client = login(world.member(Role.LEADER))
    inbox = client.get(reverse("api_approval_inbox-list", kwargs={"org_code": "org-a"})).json()
    assert [row["id"] for row in inbox["results"]] == [request.pk]
    reject = reverse("api_approval-reject", kwargs={"org_code": "org-a", "pk": request.pk})
    refused = client.post(reject, {"comment": ""}, content_type="application/json")
    assert refused.status_code == 400 and "comment" in refused.json()
    approve = reverse("api_approval-approve", kwargs={"org_code": "org-a", "pk": request.pk})
    done = client.post(approve, {"comment": "同意"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved"
    assert done.json()["steps"][0]["comment"] == "同意"
    today = date.today().isoformat()
    created = client.post(
        reverse("api_delegation-list", kwargs={"org_code": "org-a"}),
        {"delegate": world.member(Role.FINANCE).pk, "start_date": today, "end_date": today, "reason": "出差"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    with scopes_disabled():
        assert Delegation.objects.get().delegate == world.member(Role.FINANCE)


# Query counts -----------------------------------------------------------------------------------


def _grow(world, size: int):
    with org_scope(world.org_a):
        for _ in range(size):
            for who in (Role.STAFF, "colleague", "outsider"):
                submit(world, who, amount="300")


@pytest.mark.parametrize(
    "url_name",
    ["core:approval_inbox", "core:approval_mine", "core:approval_all", "api_approval_inbox-list", "api_approval-list"],
)
@pytest.mark.parametrize("reader", [Role.LEADER, Role.STAFF])
def test_approval_lists_cost_the_same_at_any_size(world, login, url_name, reader):
    with org_scope(world.org_a):
        add_rule(world, Role.LEADER)
    client = login(world.member(reader))
    url = reverse(url_name, kwargs={"org_code": "org-a"})
    client.get(url)
    _grow(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 12)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(small) == len(large), "\n".join(q["sql"] for q in large.captured_queries)[:4000]
