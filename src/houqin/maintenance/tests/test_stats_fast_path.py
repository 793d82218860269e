"""The statistics page's PostgreSQL path (one pass with GROUPING SETS, repeat faults by a window) counts exactly
what the portable queries and the job list's own FilterSet count."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled

from ..models import Job
from ..selectors import stats
from .factories import actor_of, advance, make_job

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 3, 1), date(2026, 4, 30)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")


def _at(*args):
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def repeats(world):
    """Jobs at one place and category, each a repeat or not by the 30-day rule; returns how many repeat."""
    with _at(2026, 2, 10, 9, 0):
        make_job(world)  # before the period: makes the first March job a repeat (19 days)
    with _at(2026, 3, 1, 9, 0):
        advance(world, make_job(world), "done")  # repeat of 10 Feb
        make_job(world)  # the same minute: not earlier than its twin, but 10 Feb is → repeat
    with _at(2026, 3, 31, 9, 0):
        make_job(world)  # exactly 30 days after 1 March 09:00 → repeat
    with _at(2026, 3, 31, 9, 1):
        make_job(world, category="electric")  # the same room, the first electric job: not a repeat
    with _at(2026, 4, 20, 9, 0):
        cancelled = make_job(world, category="electric")  # a repeat (20 days after the electric one)
    with scopes_disabled():
        Job.objects.filter(pk=cancelled.pk).update(state="cancelled")
    with _at(2026, 4, 25, 9, 0):
        make_job(world, category="electric")  # 25 days after 31 March: a repeat; the cancelled one is not a cause
    with _at(2026, 4, 30, 10, 0):
        make_job(world)  # 30 days and one hour after 31 March → not a repeat
    return 5


def _compare(world, params):
    actor = actor_of(world.member(Role.LOGISTICS_HEAD))
    with org_scope(world.org_a):
        jobs = stats.filtered_jobs(actor, params)
        now = timezone.now()
        portable = stats._grouped(jobs, now)
        fast = stats._grouped_pg(jobs, now)
        listed = stats.filtered_jobs(actor, {**params, "repeat": "true"}).count()
        return portable, fast, listed, stats._repeat_count_pg(jobs), stats._medians_pg(jobs), jobs


def _month(rows):
    return [(row["month"].date(), row["count"]) for row in rows]


def test_repeat_faults_count_as_the_list_filters_them(world, repeats):
    actor = actor_of(world.member(Role.LOGISTICS_HEAD))
    with org_scope(world.org_a):
        figures = stats.job_stats(actor, start=START, end=END)
        listed = stats.filtered_jobs(actor, {"start": START, "end": END, "repeat": "true"}).count()
    assert figures.totals["repeat"] == listed == repeats


@postgres_only
@pytest.mark.parametrize(
    "params",
    [
        {"start": START, "end": END},
        {"start": date(2026, 3, 31), "end": date(2026, 3, 31)},
        {"start": START, "end": START},  # the causes of both repeats lie before the period
    ],
)
def test_the_one_pass_figures_equal_the_portable_ones(world, repeats, params):
    portable, fast, listed, repeat, medians, jobs = _compare(world, params)
    p_totals, p_category, p_building, p_month, p_department = portable
    f_totals, f_category, f_building, f_month, f_department = fast
    assert f_totals == p_totals
    assert f_category == [dict(row) for row in p_category]
    assert f_building == [dict(row) for row in p_building]
    assert f_department == [dict(row) for row in p_department]
    assert _month(f_month) == _month(p_month)
    assert repeat == listed
    assert medians == (
        stats._median(jobs, "reported_at", "accepted_at"),
        stats._median(jobs, "reported_at", "finished_at"),
    )


@postgres_only
def test_an_empty_period_gives_zeros_not_errors(world, repeats):
    empty = {"start": date(2025, 1, 1), "end": date(2025, 1, 2)}
    portable, fast, listed, repeat, medians, _jobs = _compare(world, empty)
    assert fast[0]["total"] == portable[0]["total"] == 0 and fast[1:] == ([], [], [], [])
    assert repeat == listed == 0 and medians == (None, None)
