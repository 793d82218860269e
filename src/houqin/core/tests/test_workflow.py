"""The workflow kit, driven end to end through the test-only sample request (houqin.sample)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.utils import translation

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import WorkflowEvent
from houqin.core.tenancy import org_scope
from houqin.core.workflow import events_for
from houqin.sample import services
from houqin.sample.models import SampleRequest, SampleState

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scope(world):
    with org_scope(world.org_a), translation.override("en"):
        yield


def actor_of(world, who):
    membership = world.members[who] if isinstance(who, str) else who
    return build_actor(membership.user, membership.org)


def make_sample(world, who=Role.STAFF, amount=Decimal("1200.00"), **extra):
    return services.sample_create(actor=actor_of(world, who), title="打印机", amount=amount, **extra)


def approved_sample(world):
    """A sample submitted without any rule, so the engine approved it at once."""
    sample = make_sample(world)
    services.sample_submit(actor=actor_of(world, Role.STAFF), sample=sample)
    sample.refresh_from_db()
    assert sample.state == SampleState.APPROVED
    return sample


def test_creation_goes_through_the_table_and_is_numbered(world, scope):
    frozen = datetime(2026, 3, 5, 9, 30, tzinfo=SHANGHAI)
    with time_machine.travel(frozen, tick=False):
        sample = make_sample(world)
    assert sample.number == "SQ-2026-00001"
    assert sample.state == SampleState.DRAFT
    [event] = events_for(sample)
    assert (event.action, event.from_state, event.to_state) == ("create", "", SampleState.DRAFT)
    assert event.actor == world.member(Role.STAFF).user
    assert event.at == frozen


@pytest.mark.parametrize(
    "state, action",
    [
        (SampleState.DRAFT, "archive"),
        (SampleState.DRAFT, "approve"),
        (SampleState.APPROVED, "submit"),
        (SampleState.APPROVED, "reject"),
    ],
)
def test_illegal_transitions_are_refused_naming_state_and_action(world, scope, state, action):
    sample = make_sample(world)
    SampleRequest.objects.filter(pk=sample.pk).update(state=state)
    admin = actor_of(world, Role.ORG_ADMIN)
    with pytest.raises(ValidationError) as refused:
        SampleRequest.WORKFLOW.apply(sample, action, actor=admin, note="x")
    message = refused.value.messages[0]
    assert '"{}"'.format(SampleRequest.WORKFLOW.action_label(action)) in message
    assert '"{}"'.format(SampleState(state).label) in message
    assert WorkflowEvent.objects.count() == 1  # only the creation


def test_the_refusal_speaks_the_readers_language(world, scope):
    sample = make_sample(world)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        SampleRequest.WORKFLOW.apply(sample, "archive", actor=actor_of(world, Role.ORG_ADMIN))
    with translation.override("zh-hans"):
        # Labels are looked up when refusing, in the language active then.
        assert str(SampleState.DRAFT.label) in refused.value.messages[0]


def test_the_state_is_read_from_the_locked_row_not_from_memory(world, scope):
    sample = make_sample(world)
    stale = SampleRequest.objects.get(pk=sample.pk)
    services.sample_submit(actor=actor_of(world, Role.STAFF), sample=sample)  # approved without rules
    assert stale.state == SampleState.DRAFT
    with pytest.raises(ValidationError, match='"Submit" is not possible while the record is "Approved"'):
        SampleRequest.WORKFLOW.apply(stale, "submit", actor=actor_of(world, Role.STAFF))
    assert stale.state == SampleState.APPROVED


def test_permission_is_checked_on_the_row(world, scope):
    sample = make_sample(world)  # the staff member's own
    colleague = actor_of(world, "colleague")  # may submit requests, but only their own
    with pytest.raises(PermissionDenied):
        services.sample_submit(actor=colleague, sample=sample)
    sample.refresh_from_db()
    assert sample.state == SampleState.DRAFT


def test_permission_is_checked_by_action(world, scope):
    sample = approved_sample(world)
    with pytest.raises(PermissionDenied):  # archiving needs approval_rule.manage
        services.sample_archive(actor=actor_of(world, Role.STAFF), sample=sample)
    services.sample_archive(actor=actor_of(world, Role.ORG_ADMIN), sample=sample)
    assert sample.state == SampleState.ARCHIVED


def test_the_bureau_moves_nothing(world, scope):
    sample = approved_sample(world)
    bureau = build_actor(world.bureau_member.user, world.org_a)
    with pytest.raises(PermissionDenied):
        SampleRequest.WORKFLOW.apply(sample, "archive", actor=bureau)
    assert SampleRequest.WORKFLOW.available(sample, bureau) == []


def test_creation_for_someone_else_is_refused(world, scope):
    staff = actor_of(world, Role.STAFF)
    sample = SampleRequest(org=world.org_a, number="SQ-X", title="x", requester=world.members["colleague"])
    with pytest.raises(PermissionDenied):
        SampleRequest.WORKFLOW.start(sample, "create", actor=staff)


def test_a_creation_breaking_a_constraint_is_refused_on_the_field_and_saves_nothing(world, scope):
    # start() leaves unique and check constraints to the database; the refusal still names the field.
    first = make_sample(world)
    staff = actor_of(world, Role.STAFF)
    again = SampleRequest(org=world.org_a, number=first.number, title="x", requester=staff.membership)
    with pytest.raises(ValidationError) as refused:
        SampleRequest.WORKFLOW.start(again, "create", actor=staff)
    assert list(refused.value.message_dict) == ["number"]
    assert again.pk is None
    assert SampleRequest.objects.count() == 1
    assert WorkflowEvent.objects.count() == 1


def test_guards_refuse_with_their_message(world, scope):
    sample = make_sample(world, amount=None)
    with pytest.raises(ValidationError, match="Enter an amount above zero before submitting"):
        services.sample_submit(actor=actor_of(world, Role.STAFF), sample=sample)
    sample.refresh_from_db()
    assert sample.state == SampleState.DRAFT
    assert [e.action for e in events_for(sample)] == ["create"]


def test_a_transition_that_needs_a_note_refuses_without(world, scope):
    sample = make_sample(world)
    SampleRequest.objects.filter(pk=sample.pk).update(state=SampleState.PENDING)
    leader = actor_of(world, Role.LEADER)
    with pytest.raises(ValidationError) as refused:
        SampleRequest.WORKFLOW.apply(sample, "reject", actor=leader, note="  ")
    assert "note" in refused.value.message_dict
    SampleRequest.WORKFLOW.apply(sample, "reject", actor=leader, note="预算不足")
    assert sample.state == SampleState.REJECTED


def test_events_record_actor_time_states_and_note(world, scope):
    start = datetime(2026, 4, 1, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        sample = make_sample(world)
        SampleRequest.objects.filter(pk=sample.pk).update(state=SampleState.PENDING)
    later = datetime(2026, 4, 2, 15, 45, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        SampleRequest.WORKFLOW.apply(sample, "reject", actor=actor_of(world, Role.LEADER), note="预算不足")
    events = list(events_for(sample))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("create", "", "draft"),
        ("reject", "pending", "rejected"),
    ]
    assert events[1].actor == world.member(Role.LEADER).user
    assert events[1].at == later
    assert events[1].note == "预算不足"
    assert events[1].org_id == world.org_a.pk


def test_available_lists_what_the_actor_may_do_now(world, scope):
    sample = make_sample(world)
    assert [t.action for t in SampleRequest.WORKFLOW.available(sample, actor_of(world, Role.STAFF))] == ["submit"]
    assert SampleRequest.WORKFLOW.available(sample, actor_of(world, "colleague")) == []
    services.sample_submit(actor=actor_of(world, Role.STAFF), sample=sample)
    assert [t.action for t in SampleRequest.WORKFLOW.available(sample, actor_of(world, Role.ORG_ADMIN))] == ["archive"]
    assert SampleRequest.WORKFLOW.available(sample, actor_of(world, Role.STAFF)) == []


def test_a_transition_whose_service_decides_checks_only_the_permission(world, scope):
    """approve/reject of the sample are moved by the approval engine (checks_row=False): no button for them,
    and a department-limited holder of approval.decide is not stopped by the department scope."""
    outsider = world.members["outsider"]
    sample = make_sample(world, department=world.member(Role.STAFF).department)
    SampleRequest.objects.filter(pk=sample.pk).update(state=SampleState.PENDING)
    limited = build_actor(outsider.user, world.org_a)
    limited.grants = [dataclasses.replace(g, department_path=world.dept_a_other.path) for g in limited.grants]
    assert SampleRequest.WORKFLOW.available(sample, actor_of(world, Role.LEADER)) == []
    SampleRequest.WORKFLOW.apply(sample, "approve", actor=limited)
    assert sample.state == SampleState.APPROVED
    with pytest.raises(PermissionDenied):
        SampleRequest.WORKFLOW.apply(sample, "archive", actor=actor_of(world, Role.STAFF))


def test_timeline_shows_who_when_states_note_and_delegation(world, scope):
    sample = make_sample(world)
    SampleRequest.objects.filter(pk=sample.pk).update(state=SampleState.PENDING)
    leader = world.member(Role.LEADER)
    with time_machine.travel(datetime(2026, 5, 6, 10, 15, tzinfo=SHANGHAI), tick=False):
        SampleRequest.WORKFLOW.apply(
            sample, "reject", actor=actor_of(world, Role.FINANCE), note="预算不足", on_behalf_of=leader.user
        )
    html = Template("{% load houqin %}{% timeline obj %}").render(Context({"obj": sample}))
    assert world.member(Role.STAFF).user.name in html and world.member(Role.FINANCE).user.name in html
    assert "Reject" in html and "Awaiting approval → Rejected" in html
    assert "2026-05-06 10:15" in html
    assert "预算不足" in html
    assert "on behalf of {}".format(leader.user.name) in html
    assert html.count('data-testid="timeline-event"') == 2
