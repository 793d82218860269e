"""The statistics page's PostgreSQL path (one pass with GROUPING SETS, technicians counted before their names are
joined) counts exactly what the portable queries and the job list's own FilterSet count."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.selectors import org_names
from houqin.core.tenancy import org_scope

from .. import services
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
    with org_scope(world.org_a):
        services.job_cancel(actor=actor_of(world.member(Role.DISPATCHER)), job=cancelled, reason="报错了")
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
        *fast, ids = stats._grouped_pg(jobs, now, params["start"], params["end"], org_names(world.org_a))
        listed = stats.filtered_jobs(actor, {**params, "repeat": "true"}).count()
        technicians = (stats._technicians(jobs), stats._technicians_pg(jobs, ids) if ids else [])
        return portable, fast, listed, technicians, stats._medians_pg(jobs), jobs


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
    portable, fast, listed, (p_technicians, f_technicians), medians, jobs = _compare(world, params)
    p_totals, p_category, p_building, p_month, p_department = portable
    f_totals, f_category, f_building, f_month, f_department = fast
    assert f_totals == p_totals
    assert f_category == [dict(row) for row in p_category]
    assert f_building == [dict(row) for row in p_building]
    assert f_department == [dict(row) for row in p_department]
    assert _month(f_month) == _month(p_month)
    assert f_totals["repeat"] == listed
    assert f_technicians == p_technicians
    assert medians == (
        stats._median(jobs, "reported_at", "accepted_at"),
        stats._median(jobs, "reported_at", "finished_at"),
    )


@postgres_only
def test_an_empty_period_gives_zeros_not_errors(world, repeats):
    empty = {"start": date(2025, 1, 1), "end": date(2025, 1, 2)}
    portable, fast, listed, technicians, medians, _jobs = _compare(world, empty)
    assert fast[0]["total"] == portable[0]["total"] == 0 and fast[1:] == [[], [], [], []]
    assert fast[0]["repeat"] == listed == 0 and technicians == ([], []) and medians == (None, None)


@postgres_only
def test_the_average_rating_is_the_one_avg_gives(world):
    """The one-pass path divides a sum of ratings by their count: the same number as AVG, to the last digit."""
    with _at(2026, 3, 2, 9, 0):
        done = [advance(world, make_job(world), "done") for _rating in range(7)]
    with org_scope(world.org_a):
        for job, rating in zip(done, [5, 4, 4, 3, 5, 2, 4], strict=True):
            Job.objects.filter(pk=job.pk).update(rating=rating)  # 27 / 7
    portable, fast, *_rest = _compare(world, {"start": START, "end": END})
    assert fast[0]["rating"] == portable[0]["rating"] == 27 / 7 and fast[0]["rated"] == 7
