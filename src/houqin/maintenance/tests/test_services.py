"""Job services: bad input saves nothing; dispatch tells the technicians; costs; 返修; compensation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from houqin.core.choices import Role
from houqin.core.models import Compensation, Notification
from houqin.core.permissions import restrict
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member, make_party
from houqin.core.workflow import events_for

from .. import permissions as p
from .. import services
from ..choices import Cause, JobState
from ..models import Job, JobAssignment, JobPart
from .factories import actor_of, advance, make_job


def _office(world):
    return actor_of(world.member(Role.DISPATCHER))


def _tech(world):
    return actor_of(world.member(Role.TECHNICIAN))


def _snapshot(job):
    """What a refused write must leave as it was: the job row, its assignments, parts, events, notifications."""
    with scopes_disabled():
        return (
            list(Job.objects.filter(pk=job.pk).values()),
            list(JobAssignment.objects.filter(job=job).values()),
            list(JobPart.objects.filter(job=job).values()),
            list(events_for(job).values_list("pk", flat=True)),
            Notification.objects.count(),
        )


def _party_person(world, *roles):
    party = make_party(world.org_a, "城南物业管理有限公司")
    membership = make_member(world.org_a, *roles, employee_no="W{}".format(len(roles)))
    with scopes_disabled():
        membership.party = party
        membership.save(update_fields=["party"])
    return membership


# Dispatch ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "org_b_technician", "party_person_without_role", "nobody"])
def test_dispatch_refuses_someone_who_is_not_a_technician_of_the_org(world, who):
    job = make_job(world)
    if who == "staff":
        chosen = [world.member(Role.STAFF)]
    elif who == "org_b_technician":
        chosen = [make_member(world.org_b, Role.TECHNICIAN, employee_no="B900")]
    elif who == "party_person_without_role":
        chosen = [_party_person(world, Role.STAFF)]
    else:
        chosen = []
    before = _snapshot(job)
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_dispatch(actor=_office(world), job=job, technicians=chosen)
    assert "technicians" in raised.value.message_dict
    assert _snapshot(job) == before


def test_dispatch_refuses_a_mix_and_saves_none_of_it(world):
    job = make_job(world)
    before = _snapshot(job)
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_dispatch(
            actor=_office(world), job=job, technicians=[world.member(Role.TECHNICIAN), world.member(Role.STAFF)]
        )
    assert world.member(Role.STAFF).user.name in raised.value.message_dict["technicians"][0]
    assert _snapshot(job) == before


def test_a_contractor_technician_may_be_dispatched_and_the_job_records_the_party(world):
    contractor = _party_person(world, Role.TECHNICIAN)
    job = make_job(world)
    with org_scope(world.org_a):
        services.job_dispatch(actor=_office(world), job=job, technicians=[contractor])
        job.refresh_from_db()
    assert job.state == JobState.ASSIGNED and job.party_id == contractor.party_id


def test_dispatch_notifies_the_technicians_and_reassign_takes_the_old_one_off(world):
    first = world.member(Role.TECHNICIAN)
    second = make_member(world.org_a, Role.TECHNICIAN, employee_no="A300")
    job = make_job(world, urgency="emergency")
    with org_scope(world.org_a):
        services.job_dispatch(actor=_office(world), job=job, technicians=[first])
        told = Notification.objects.filter(recipient=first.user, event="maintenance.assigned")
        assert told.count() == 1 and job.code in told.get().title
        assert restrict(Job.objects.all(), actor_of(first), p.JOB_VIEW).filter(pk=job.pk).exists()

        services.job_dispatch(actor=_office(world), job=job, technicians=[second], note="改派")
        old = JobAssignment.objects.get(job=job, membership=first)
        new = JobAssignment.objects.get(job=job, membership=second, removed_at__isnull=True)
        assert old.removed_at is not None and new.is_lead
        assert Notification.objects.filter(recipient=second.user, event="maintenance.assigned").count() == 1
        assert told.count() == 1  # the one taken off is not told again
        # The old technician no longer sees the job; the new one does.
        assert not restrict(Job.objects.all(), actor_of(first), p.JOB_VIEW).filter(pk=job.pk).exists()
        assert restrict(Job.objects.all(), actor_of(second), p.JOB_VIEW).filter(pk=job.pk).exists()


def test_the_old_technician_gets_404_on_a_reassigned_job(world, login):
    first = world.member(Role.TECHNICIAN)
    second = make_member(world.org_a, Role.TECHNICIAN, employee_no="A300")
    job = advance(world, make_job(world), "accepted")
    with org_scope(world.org_a):
        services.job_dispatch(actor=_office(world), job=job, technicians=[second])
    client = login(first)
    assert client.get(reverse("maintenance:job_detail", args=[world.org_a.code, job.pk])).status_code == 404


# Edit --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["completion_due", "response_due"])
def test_a_due_time_before_the_report_is_refused(world, field):
    job = make_job(world)
    before = _snapshot(job)
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_update(actor=_office(world), job=job, **{field: job.reported_at - timedelta(hours=1)})
    assert field in raised.value.message_dict
    assert _snapshot(job) == before


# Finish ------------------------------------------------------------------------------------------


def _finish(world, job, **overrides):
    data = {
        "work_done": "更换阀芯",
        "cause": Cause.AGING,
        "labour_hours": Decimal("1"),
        "parts": [],
    }
    data.update(overrides)
    with org_scope(world.org_a):
        return services.job_finish(actor=_tech(world), job=job, **data)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"cause": ""}, "__all__"),
        ({"work_done": "  "}, "__all__"),
        ({"cause": "sabotage"}, "cause"),
        ({"labour_hours": Decimal("-1")}, "labour_hours"),
        ({"labour_hours": Decimal("5000")}, "labour_hours"),
        ({"contractor_invoice": Decimal("-5")}, "contractor_invoice"),
        ({"parts": [{"name": "阀芯", "quantity": "1", "unit_cost": "5"}, {"name": "", "quantity": "1"}]}, "parts"),
        ({"parts": [{"name": "阀芯", "quantity": "0", "unit_cost": "5"}]}, "parts"),
        ({"parts": [{"name": "阀芯", "quantity": "1", "unit_cost": "-5"}]}, "parts"),
        ({"parts": [{"name": "阀芯", "quantity": "一个", "unit_cost": "5"}]}, "parts"),
    ],
    ids=[
        "no-cause",
        "no-work-done",
        "unknown-cause",
        "negative-hours",
        "too-many-hours",
        "negative-invoice",
        "part-without-name",
        "zero-quantity",
        "negative-cost",
        "not-a-number",
    ],
)
def test_finish_with_bad_input_saves_nothing(world, overrides, field):
    job = advance(world, make_job(world), "in_progress")
    before = _snapshot(job)
    with pytest.raises(ValidationError) as raised:
        _finish(world, job, **overrides)
    errors = raised.value.message_dict if hasattr(raised.value, "error_dict") else {"__all__": raised.value.messages}
    assert field in errors
    assert _snapshot(job) == before


def test_part_errors_name_the_line(world):
    job = advance(world, make_job(world), "in_progress")
    parts = [{"name": "阀芯", "quantity": "1", "unit_cost": "5"}, {"name": "软管", "quantity": "0", "unit_cost": "5"}]
    with pytest.raises(ValidationError) as raised:
        _finish(world, job, parts=parts)
    assert raised.value.message_dict["parts"] == [gettext("Line {n}: the quantity must be above zero.").format(n=2)]


def test_cost_is_parts_plus_labour_plus_the_contractor_invoice(world):
    contractor = _party_person(world, Role.TECHNICIAN)
    job = make_job(world)
    office = _office(world)
    with org_scope(world.org_a):
        services.job_dispatch(actor=office, job=job, technicians=[contractor])
        services.job_start(actor=office, job=job)
        services.job_finish(
            actor=office,
            job=job,
            work_done="更换暖气片",
            cause=Cause.AGING,
            labour_hours=Decimal("2.5"),
            parts=[
                {"name": "暖气片", "unit": "组", "quantity": "2", "unit_cost": "12.50"},
                {"name": "阀门", "unit": "个", "quantity": "1.5", "unit_cost": "33.33"},
            ],
            contractor_invoice=Decimal("300"),
        )
        job.refresh_from_db()
        # 2 × 12.50 = 25.00; 1.5 × 33.33 = 49.995 → 50.00 (to the fen, half up); 2.5 h × 60.00 = 150.00
        assert [part.amount for part in job.parts.all()] == [Decimal("25.00"), Decimal("50.00")]
    assert job.parts_cost == Decimal("75.00")
    assert job.labour_cost == Decimal("150.00")
    assert job.contractor_invoice == Decimal("300.00")
    assert job.total_cost == Decimal("525.00")
    assert job.department == world.dept_a  # charged to the reporter's department


# Confirm and 返修 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(world, rating):
    job = advance(world, make_job(world), "finished")
    before = _snapshot(job)
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_confirm(actor=actor_of(world.member(Role.STAFF)), job=job, rating=rating)
    assert "rating" in raised.value.message_dict
    assert _snapshot(job) == before


def test_the_reporter_must_rate(world):
    job = advance(world, make_job(world), "finished")
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_confirm(actor=actor_of(world.member(Role.STAFF)), job=job, rating=None)
    assert "rating" in raised.value.message_dict


def test_reopen_returns_to_the_same_technicians_and_counts(world):
    technician = world.member(Role.TECHNICIAN)
    reporter = actor_of(world.member(Role.STAFF))
    job = advance(world, make_job(world), "finished")
    with org_scope(world.org_a):
        team = list(JobAssignment.objects.filter(job=job).values_list("pk", "membership_id", "removed_at"))
        services.job_reopen(actor=reporter, job=job, reason="还在漏水")
        job.refresh_from_db()
        assert (job.state, job.reopen_count, job.finished_at) == (JobState.ASSIGNED, 1, None)
        assert list(JobAssignment.objects.filter(job=job).values_list("pk", "membership_id", "removed_at")) == team
        assert Notification.objects.filter(recipient=technician.user, event="maintenance.reopened").count() == 1
    job = advance(world, job, "finished")
    with org_scope(world.org_a):
        services.job_reopen(actor=reporter, job=job, reason="又坏了")
        job.refresh_from_db()
    assert job.reopen_count == 2


# Compensation ------------------------------------------------------------------------------------


def test_compensation_needs_a_finished_job_and_appears_on_the_persons_page(world, login):
    staff = world.member(Role.STAFF)
    job = advance(world, make_job(world), "in_progress")
    with org_scope(world.org_a), pytest.raises(ValidationError):
        services.job_compensation_create(
            actor=_office(world), job=job, person=staff, amount=Decimal("80"), reason="踢坏门"
        )
    job = advance(world, job, "finished")
    with org_scope(world.org_a):
        compensation = services.job_compensation_create(
            actor=_office(world), job=job, person=staff, amount=Decimal("80"), reason="踢坏门"
        )
    assert compensation.source_label == job.code
    page = login(staff).get(reverse("core:person_detail", args=[world.org_a.code, staff.pk])).content.decode()
    assert "踢坏门" in page and "80.00" in page
    assert reverse("maintenance:job_detail", args=[world.org_a.code, job.pk]) in page


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_compensation_with_a_bad_amount_saves_nothing(world, amount):
    job = advance(world, make_job(world), "finished")
    with org_scope(world.org_a), pytest.raises(ValidationError) as raised:
        services.job_compensation_create(
            actor=_office(world), job=job, person=world.member(Role.STAFF), amount=amount, reason="踢坏门"
        )
    assert "amount" in raised.value.message_dict
    with scopes_disabled():
        assert not Compensation.objects.exists()
