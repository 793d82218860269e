"""The statistics page and the facts: every figure opens the job list of exactly the jobs it counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import resolve

from houqin.core import facts, orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member, make_party
from houqin.core.tests.test_facts import _listed_ids

from .. import services
from ..choices import Cause
from ..models import Incident, Job
from ..selectors.stats import default_period, job_stats
from ..settings import REFERENCE_PRICES
from .factories import actor_of, advance, make_job

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 3, 1), date(2026, 3, 31)


def _at(*args):
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def march(world):
    """Jobs of March 2026 (and one just before, one just after), in-house and by a contractor."""
    admin = actor_of(world.member(Role.ORG_ADMIN))
    with org_scope(world.org_a):
        orgsettings.settings_update(
            actor=admin, values={REFERENCE_PRICES.key: {"water": {"price": "150.00"}} | _zero_prices("water")}
        )
    contractor = make_member(world.org_a, Role.TECHNICIAN, employee_no="W001")
    with scopes_disabled():
        contractor.party = make_party(world.org_a)
        contractor.save()
    made = {}
    with _at(2026, 2, 28, 23, 59):
        made["before"] = make_job(world)
    with _at(2026, 3, 2, 9, 0):
        made["water"] = advance(world, make_job(world), "done")  # in-house: 25 parts + 1.5 h × 60 = 115
    with _at(2026, 3, 9, 9, 0):
        made["repeat"] = advance(world, make_job(world), "finished")  # same place and category a week later
    with _at(2026, 3, 10, 10, 0):
        made["electric"] = make_job(world, category="electric", urgency="emergency")
        office = actor_of(world.member(Role.DISPATCHER))
        with org_scope(world.org_a):
            services.job_dispatch(actor=office, job=made["electric"], technicians=[contractor])
            tech = actor_of(contractor)
            services.job_start(actor=tech, job=made["electric"])
            services.job_finish(
                actor=tech,
                job=made["electric"],
                work_done="更换空开",
                cause=Cause.AGING,
                labour_hours=Decimal("2"),
                contractor_invoice=Decimal("300"),
            )
            services.job_confirm(actor=actor_of(world.member(Role.STAFF)), job=made["electric"], rating=3)
    with _at(2026, 3, 31, 23, 59):
        made["late_open"] = make_job(world, category="hvac", description="暖气不热")
    with _at(2026, 4, 1, 0, 0):
        made["after"] = make_job(world)
    with scopes_disabled():
        Incident.objects.create(
            org=world.org_a,
            code="TF-2026-00001",
            kind="burst_pipe",
            title="锅炉房暖气管爆裂",
            occurred_at=datetime(2026, 3, 5, 0, 10, tzinfo=SHANGHAI),
            reported_by=world.member(Role.SECURITY).user,
        )
    return made


def _zero_prices(*keep):
    return {
        code: {"price": "0"}
        for code in ("electric", "hvac", "door_window", "network", "equipment", "building", "other")
        if code not in keep
    }


def _facts(world, role=Role.LOGISTICS_HEAD, **kwargs):
    actor = build_actor(world.member(role).user, world.org_a)
    with org_scope(world.org_a):
        return {
            f.key: f
            for f in facts.collect(world.org_a, START, END, actor=actor, **kwargs)
            if f.key.startswith("maintenance.")
        }


def test_every_maintenance_fact_opens_exactly_its_jobs(world, login, march):
    found = _facts(world)
    assert found["maintenance.jobs.reported"].value == 4  # water, repeat, electric, late_open (not before/after)
    assert found["maintenance.jobs.done"].value == 2
    assert found["maintenance.jobs.emergency"].value == 1
    assert found["maintenance.jobs.repeat"].value == 2  # water (after 28 Feb's) and the one a week later
    assert found["maintenance.jobs.by_category.water"].value == 2
    assert found["maintenance.jobs.cost"].value == Decimal("115.00") + Decimal("420.00")  # 2 h × 60 + 300 invoice
    assert found["maintenance.jobs.rating"].value == Decimal("4.0")  # 5 and 3
    assert found["maintenance.jobs.self_repair_savings"].value == Decimal("35.00")  # 150 − 115, water only
    assert found["maintenance.jobs.unpriced"].value == 0  # the electric job was done by the contractor
    assert found["maintenance.incidents"].value == 1
    client = login(world.member(Role.LOGISTICS_HEAD))
    with scopes_disabled():
        cost = {job.pk: job.total_cost for job in Job.objects.all()}
        rating = {job.pk: job.rating for job in Job.objects.all()}
    for fact in found.values():
        ids = _listed_ids(client, fact.url)
        assert len(ids) == len(set(ids)), fact.key
        assert resolve(fact.url.split("?")[0]).url_name in {"job_list", "incident_list", "round_list"}
        if fact.key == "maintenance.jobs.cost":
            assert sum(cost[pk] for pk in ids) == fact.value
        elif fact.key == "maintenance.jobs.rating":
            assert Decimal(sum(rating[pk] for pk in ids)) / len(ids) == fact.value
        elif fact.key == "maintenance.jobs.self_repair_savings":
            assert ids == [march["water"].pk]
        else:
            assert len(ids) == fact.value, (fact.key, fact.url, ids)


def test_facts_follow_the_actor(world, march):
    assert _facts(world, Role.STAFF) == {}  # staff have no statistics (they see their own reports in the list)
    assert "maintenance.incidents" not in _facts(world, Role.FINANCE)
    by_dept = _facts(world, department=world.dept_a_other)
    assert by_dept["maintenance.jobs.reported"].value == 0  # everything was charged to 总务处


def test_stats_page_counts_the_period_and_links_each_figure(world, login, march):
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.get("/o/org-a/maintenance/stats/?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.totals["total"] == 4 and figures.totals["done"] == 2
    # On time: water, repeat and electric finished well within their targets; the hvac job is still open, late.
    assert (figures.totals["sla_met"], figures.totals["sla_missed"], figures.sla_rate) == (3, 1, Decimal("75.0"))
    assert figures.savings == Decimal("35.00") and figures.savings_jobs == 1
    assert [row.label for row in figures.by_month] == ["2026-03"]
    technicians = {row.label: row.count for row in figures.by_technician}
    assert technicians == {world.member(Role.TECHNICIAN).user.name: 2, _name(world, "W001"): 1}
    for row in figures.by_category + figures.by_technician + figures.by_month:
        assert len(_listed_ids(client, row.url)) == row.count, row.label
    assert "35.00" in response.content.decode()


def _name(world, employee_no):
    with scopes_disabled():
        from houqin.core.models import Membership

        return Membership.objects.get(org=world.org_a, employee_no=employee_no).user.name


def test_medians_are_of_response_and_completion(world, march):
    actor = build_actor(world.member(Role.LOGISTICS_HEAD).user, world.org_a)
    with org_scope(world.org_a):
        figures = job_stats(actor, start=START, end=END)
    # Each job was accepted and finished at the moment it was reported (the clock stood still).
    assert figures.response_median == timedelta(0) and figures.completion_median == timedelta(0)


@pytest.mark.parametrize(
    "role,status",
    [(Role.LOGISTICS_HEAD, 200), (Role.LEADER, 200), (Role.DEPT_HEAD, 200), (Role.STAFF, 403), (Role.TECHNICIAN, 403)],
)
def test_who_sees_the_statistics(world, login, role, status):
    assert login(world.member(role)).get("/o/org-a/maintenance/stats/").status_code == status


def test_the_default_period_is_the_last_twelve_months():
    assert default_period(date(2026, 11, 24)) == (date(2025, 12, 1), date(2026, 11, 24))
    assert default_period(date(2026, 1, 5)) == (date(2025, 2, 1), date(2026, 1, 5))
