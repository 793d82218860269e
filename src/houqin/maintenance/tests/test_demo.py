"""The maintenance demo (small set, as tests load it): a believable, consistent year that loads once."""

from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from houqin.core import numbering, orgsettings
from houqin.core.choices import Role
from houqin.core.models import Compensation, Organization, OrgSetting, RoleGrant, Term, WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.maintenance import sla
from houqin.maintenance.choices import OPEN_STATES, Cause, CheckResult, JobSource, JobState, RoundState
from houqin.maintenance.models import (
    CheckpointVisit,
    Incident,
    Job,
    JobAssignment,
    JobPart,
    MaintenancePlan,
    PatrolRound,
    PatrolRoute,
)
from houqin.maintenance.services.jobs import auto_confirm
from houqin.maintenance.settings import REFERENCE_PRICES

pytestmark = pytest.mark.django_db

LOCAL = timezone.get_default_timezone()


@pytest.fixture
def demo():
    call_command("demo", size="small", stdout=StringIO())
    return {org.code: org for org in Organization.objects.all()}


def _jobs(org):
    with scopes_disabled():
        return list(Job.objects.filter(org=org).select_related("location"))


def test_each_org_gets_a_year_of_jobs_in_the_expected_numbers(demo):
    now = timezone.now()
    expected = {"qyzx": (120, 200), "qyzx-yey": (25, 70), "qyxrmyy": (200, 330)}
    for code, (low, high) in expected.items():
        jobs = _jobs(demo[code])
        assert low <= len(jobs) <= high, (code, len(jobs))
        assert all(now - timedelta(days=367) <= job.reported_at <= now for job in jobs)
        months = Counter(job.reported_at.astimezone(LOCAL).strftime("%Y-%m") for job in jobs)
        assert len(months) >= 12, (code, months)  # spread over the whole year
        states = Counter(job.state for job in jobs)
        assert states[JobState.DONE] / len(jobs) > 0.85, states
        assert states[JobState.REJECTED] + states[JobState.CANCELLED] > 0, states
        with scopes_disabled():
            assert Incident.objects.filter(org=demo[code]).count() >= 3
            assert MaintenancePlan.objects.filter(org=demo[code]).exists()
    # Jobs are reported mostly in working hours.
    hours = Counter(job.reported_at.astimezone(LOCAL).hour for job in _jobs(demo["qyxrmyy"]))
    assert sum(hours[h] for h in range(8, 18)) > 3 * sum(hours[h] for h in (*range(0, 7), 22, 23))


def test_the_school_has_more_heating_jobs_in_winter_than_air_conditioning_jobs_in_summer(demo):
    by_month = Counter(job.reported_at.astimezone(LOCAL).month for job in _jobs(demo["qyzx"]) if job.category == "hvac")
    winter = sum(by_month[m] for m in (12, 1, 2))
    summer = sum(by_month[m] for m in (6, 7, 8))
    assert winter > summer, by_month


def test_the_burst_heating_pipe_in_the_operating_theatre_is_recorded_with_its_night_repair(demo):
    with scopes_disabled():
        incident = Incident.objects.get(org=demo["qyxrmyy"], title="手术部暖气管爆裂")
        job = incident.jobs.get()
    occurred = incident.occurred_at.astimezone(LOCAL)
    assert (occurred.month, occurred.day, occurred.hour, occurred.minute) == (1, 14, 21, 40)
    assert incident.code.startswith("TF-{}-".format(occurred.year))
    assert incident.kind == "burst_pipe" and "2 台择期手术推迟约 2 小时" in incident.impact
    assert incident.measures and incident.follow_up
    assert incident.on_site_at > incident.occurred_at and incident.resolved_at > incident.on_site_at
    assert job.source == JobSource.INCIDENT and job.state == JobState.DONE and job.category == "hvac"
    finished = job.finished_at.astimezone(LOCAL)
    assert finished.date() == occurred.date() and job.confirmed_at.astimezone(LOCAL).date() == occurred.date()


def test_the_glass_door_smashed_at_ten_past_midnight_is_repaired_the_same_morning(demo):
    school = demo["qyzx"]
    today = timezone.localdate()
    year = today.year if (today.month, today.day) > (3, 3) else today.year - 1
    with scopes_disabled():
        incident = Incident.objects.get(org=school, title__contains="玻璃门被砸碎")
        job = incident.jobs.get()
        grants = RoleGrant.objects.filter(org=school, membership__user=incident.reported_by)
        guard_roles = set(grants.values_list("role", flat=True))
        assert not Compensation.objects.filter(org=school, object_id=job.pk, source_label=job.code).exists()
    occurred = incident.occurred_at.astimezone(LOCAL)
    assert (occurred.year, occurred.month, occurred.day, occurred.hour, occurred.minute) == (year, 3, 3, 0, 10)
    assert Role.SECURITY in guard_roles  # recorded by the night guard
    assert job.cause == Cause.DAMAGE and job.state == JobState.DONE
    assert job.finished_at.astimezone(LOCAL).date() == occurred.date()
    assert job.dispatched_at.astimezone(LOCAL).hour >= 7  # the office sent someone in the morning


def test_every_job_agrees_with_its_timestamps_costs_and_timeline(demo):
    now = timezone.now()
    for code in ("qyzx", "qyzx-yey", "qyxrmyy"):
        org = demo[code]
        with scopes_disabled():
            jobs = list(Job.objects.filter(org=org))
            parts = dict(
                JobPart.objects.filter(org=org).values("job").annotate(total=Sum("amount")).values_list("job", "total")
            )
            events = {}
            for event in WorkflowEvent.objects.filter(org=org, object_id__in=[j.pk for j in jobs]).order_by("at", "id"):
                events.setdefault(event.object_id, []).append(event)
            leads = set(JobAssignment.objects.filter(org=org, is_lead=True).values_list("job_id", flat=True))
        for job in jobs:
            assert job.completion_due >= job.reported_at and job.response_due >= job.reported_at, job.code
            if job.state == JobState.DONE:
                assert job.confirmed_at and job.finished_at and job.closed_at == job.confirmed_at, job.code
                assert job.finished_at <= job.confirmed_at <= now
            elif job.state in OPEN_STATES:
                assert job.closed_at is None and job.confirmed_at is None and job.finished_at is None, job.code
                assert (job.state == JobState.ON_HOLD) == bool(job.hold_reason)
            elif job.state == JobState.FINISHED:
                assert job.finished_at and job.closed_at is None, job.code
                assert job.finished_at > now - timedelta(days=3)  # older ones were confirmed automatically
            else:
                assert job.closed_at and not job.finished_at, job.code
            if job.state in (JobState.ASSIGNED, JobState.ACCEPTED, JobState.IN_PROGRESS, JobState.FINISHED):
                assert job.pk in leads, job.code
            labour = (job.labour_hours or 0) * job.hourly_rate if job.hourly_rate is not None else Decimal(0)
            assert job.parts_cost == parts.get(job.pk, Decimal("0.00")), job.code
            assert job.labour_cost == labour.quantize(Decimal("0.01")), job.code
            assert job.total_cost == job.parts_cost + job.labour_cost + job.contractor_invoice, job.code
            timeline = events[job.pk]
            assert timeline[0].from_state == "" and timeline[0].action in ("report", "plan")
            assert timeline[0].at == job.reported_at
            for before, after in pairwise(timeline):
                assert after.from_state == before.to_state and after.at >= before.at, job.code
            assert timeline[-1].to_state == job.state and timeline[-1].at <= now, job.code
        with org_scope(org):
            for job in jobs[::10]:
                job.full_clean()


def test_stored_due_times_are_what_the_sla_gives(demo):
    for code in ("qyzx", "qyxrmyy"):
        org = demo[code]
        with org_scope(org):
            for job in Job.objects.filter(org=org).select_related("location")[::7]:
                counted_from = job.reported_at
                if job.plan_due_on and job.plan_due_on > job.reported_at.astimezone(LOCAL).date():
                    counted_from = datetime.combine(job.plan_due_on, time.min, tzinfo=LOCAL)  # made ahead
                targets = sla.targets(
                    org, category=job.category, urgency=job.urgency, location=job.location, reported_at=counted_from
                )
                assert (job.response_due, job.completion_due, job.wall_clock) == (
                    targets.response_due,
                    targets.completion_due,
                    targets.wall_clock,
                ), job.code


def test_plans_have_the_jobs_they_made_and_patrols_a_month_of_rounds(demo):
    school = demo["qyzx"]
    with scopes_disabled():
        plan = MaintenancePlan.objects.get(org=school, name="配电房每月检修")
        dues = list(plan.jobs.order_by("plan_due_on").values_list("plan_due_on", flat=True))
        assert 12 <= len(dues) <= 13 and all(job.source == JobSource.PLAN for job in plan.jobs.all())
        route = PatrolRoute.objects.get(org=school, name="教学楼每日巡查")
        rounds = list(PatrolRound.objects.filter(route=route))
        problem = CheckpointVisit.objects.get(round__route=route, result=CheckResult.PROBLEM)
    assert 28 <= len(rounds) <= 31
    states = Counter(r.state for r in rounds)
    assert states[RoundState.COMPLETED] >= 0.8 * len(rounds), states
    assert all(r.visited_count == r.checkpoint_count for r in rounds if r.state == RoundState.COMPLETED)
    assert problem.job.source == JobSource.PATROL and problem.job.reported_at >= problem.visited_at


def test_reference_prices_are_set_so_that_savings_can_be_counted(demo):
    for code in ("qyzx", "qyxrmyy"):
        with org_scope(demo[code]):
            prices = orgsettings.value(demo[code], REFERENCE_PRICES.key)
        assert prices["water"]["price"] == "150.00" and prices["building"]["price"] == "500.00"


def test_loading_the_demo_again_adds_nothing(demo):
    models = (Job, JobAssignment, JobPart, Incident, MaintenancePlan, PatrolRoute, PatrolRound, CheckpointVisit)
    models += (WorkflowEvent, Compensation, OrgSetting, Term)

    def counts():
        with scopes_disabled():
            return {model.__name__: model._base_manager.count() for model in models}

    before = counts()
    assert before["Job"] > 0
    call_command("demo", size="small", stdout=StringIO())
    assert counts() == before


def test_numbers_continue_after_the_demo(demo):
    for code in ("qyzx", "qyxrmyy"):
        org = demo[code]
        with scopes_disabled():
            codes = set(Job.objects.filter(org=org).values_list("code", flat=True))
            incident_codes = set(Incident.objects.filter(org=org).values_list("code", flat=True))
        with transaction.atomic():
            for _ in range(3):
                assert numbering.allocate(org, "BX") not in codes
            assert numbering.allocate(org, "TF") not in incident_codes
            transaction.set_rollback(True)
        year = timezone.localdate().year
        this_year = sorted(int(c.rsplit("-", 1)[1]) for c in codes if c.startswith("BX-{}-".format(year)))
        assert this_year == list(range(1, len(this_year) + 1))  # no gaps, in report order


def test_nothing_is_left_for_auto_confirm_at_load_time(demo):
    assert auto_confirm(timezone.now()) == 0
