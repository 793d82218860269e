"""Figures of repair work over a period: every number is counted over the job list's own FilterSet, and each
comes with the parameters of the list that shows exactly the jobs behind it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, BooleanField, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from houqin.core import dictionaries, orgsettings
from houqin.core.facts import query
from houqin.core.models import User
from houqin.core.permissions import Actor, restrict
from houqin.core.selectors import OrgNames, org_names

from .. import permissions as p
from ..choices import OPEN_STATES, JobState, Urgency
from ..filtersets import JobFilterSet, sla_met_q, sla_missed_q
from ..models import Job, JobAssignment
from ..settings import CATEGORY, REFERENCE_PRICES

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def _yuan(value) -> Decimal:
    """A sum of money to the fen (SQLite's sums of decimals come back with a float's tail)."""
    return Decimal(str(value or 0)).quantize(CENT)


DONE = {"state": JobState.DONE}
IN_HOUSE_DONE = {"state": JobState.DONE, "in_house": "true"}


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months: from the first day of the month eleven months back up to today."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def job_rows(actor: Actor):
    """What the job list shows the actor before its filters (facts and figures count over the same)."""
    return restrict(Job.objects.all(), actor, p.JOB_VIEW)


def filtered_jobs(actor: Actor, params: dict):
    filterset = JobFilterSet(query(params), queryset=job_rows(actor))
    if not filterset.is_valid():
        raise ValueError(filterset.errors)
    return filterset.qs


class Median(Aggregate):
    """PostgreSQL's median of an interval (``percentile_cont`` works on intervals)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median(queryset, start_field: str, end_field: str) -> timedelta | None:
    rows = queryset.filter(**{end_field + "__isnull": False})
    if connection.vendor == "postgresql":
        span = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
        return rows.aggregate(median=Median(span))["median"]
    # Elsewhere (SQLite, the small-site default) the durations are few enough to take in Python.
    spans = [(end - begin).total_seconds() for begin, end in rows.values_list(start_field, end_field).iterator()]
    return timedelta(seconds=statistics.median(spans)) if spans else None


@dataclass
class Row:
    label: str
    count: int
    params: dict | None  # the list's parameters for exactly these jobs (on top of the period's); None: no link
    extra: dict = field(default_factory=dict)


@dataclass
class Stats:
    start: date
    end: date
    base: dict  # the period (and building/department) parameters every link carries
    totals: dict
    response_median: timedelta | None
    completion_median: timedelta | None
    sla_rate: Decimal | None  # met ÷ (met + missed), percent
    by_category: list[Row]
    by_building: list[Row]
    by_month: list[Row]
    by_technician: list[Row]
    by_department: list[Row]
    savings: Decimal | None
    savings_categories: list[str]  # category codes with a reference price (the savings link lists their jobs)
    savings_jobs: int
    unpriced_jobs: int  # in-house jobs left out of the savings: their category has no reference price


def savings_of(jobs, prices: dict[str, Decimal]) -> Decimal:
    """Reference price minus recorded cost, summed over ``jobs`` (all in priced categories)."""
    saved = Decimal("0.00")
    for row in jobs.values("category").annotate(count=Count("id"), cost=Sum("total_cost")).order_by():
        saved += prices[row["category"]] * row["count"] - _yuan(row["cost"])
    return saved.quantize(CENT)


def reference_prices(org) -> dict[str, Decimal]:
    table = orgsettings.value(org, REFERENCE_PRICES.key)
    prices = {code: Decimal(str(row.get("price") or 0)) for code, row in table.items()}
    return {code: price for code, price in prices.items() if price > 0}


def _totals_aggregates(now) -> dict:
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(state=JobState.DONE)),
        "open": Count("id", filter=Q(state__in=OPEN_STATES)),
        "finished": Count("id", filter=Q(state=JobState.FINISHED)),
        "emergency": Count("id", filter=Q(urgency=Urgency.EMERGENCY)),
        "sla_met": Count("id", filter=sla_met_q()),
        "sla_missed": Count("id", filter=sla_missed_q(now)),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "rating": Avg("rating"),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "cost": Sum("total_cost", filter=Q(state=JobState.DONE)),
        "repeat": Count("id", filter=Q(is_repeat=True)),
    }


DONE_Q = Q(state=JobState.DONE)
IN_HOUSE_Q = DONE_Q & Q(party__isnull=True)


def _grouped(jobs, now):
    """Totals and the breakdowns by category, building, month and department: one query each (portable)."""
    totals = jobs.aggregate(**_totals_aggregates(now))
    by_category = list(
        jobs.values("category")
        .annotate(
            count=Count("id"),
            done=Count("id", filter=DONE_Q),
            cost=Sum("total_cost", filter=DONE_Q),
            in_house=Count("id", filter=IN_HOUSE_Q),
            in_house_cost=Sum("total_cost", filter=IN_HOUSE_Q),
        )
        .order_by("-count", "category")
    )
    by_building = list(
        jobs.values("building", "building__name").annotate(count=Count("id")).order_by("-count", "building")[:20]
    )
    by_month = list(
        jobs.annotate(month=TruncMonth("reported_at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("month")
    )
    by_department = list(
        jobs.values("department", "department__name")
        .annotate(count=Count("id"), cost=Sum("total_cost", filter=DONE_Q))
        .order_by(F("cost").desc(nulls_last=True), "-count", "department")[:30]
    )
    return totals, by_category, by_building, by_month, by_department


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _month_starts(start: date, end: date) -> list[datetime]:
    """The first moments (in Shanghai) of the months from the one before ``start`` to the one after ``end``: every
    job of the period lies between the first and the last, whatever the site's time zone."""
    first, last = start.year * 12 + start.month - 2, end.year * 12 + end.month
    return [datetime(month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI) for month in range(first, last + 1)]


def _grouped_pg(jobs, now, start: date, end: date, names: OrgNames):
    """What ``_grouped`` gives, in one statement over the period's jobs (PostgreSQL's GROUPING SETS): the jobs
    come from the same FilterSet and the conditions from the same Q objects; only the grouping is written in SQL.
    Also gives the lowest and highest id among the jobs (None when there are none), which bound the technicians'
    query.

    The jobs are grouped once by (category, month), by building and by department; the few (category, month)
    groups then add up to the totals, the categories and the months — cheaper than grouping every job five
    times. The average rating is the sum over the count, divided as PostgreSQL's AVG divides them. A job's month
    is found among the period's month starts (``width_bucket``), cheaper than converting every time to
    Shanghai's calendar."""
    rows = jobs.order_by().values(
        j_id=F("id"),
        j_reported=F("reported_at"),
        j_category=F("category"),
        j_building=F("building_id"),
        j_department=F("department_id"),
        j_cost=F("total_cost"),
        j_rating=F("rating"),
        j_done=_flag(DONE_Q),
        j_in_house=_flag(IN_HOUSE_Q),
        j_open=_flag(Q(state__in=OPEN_STATES)),
        j_finished=_flag(Q(state=JobState.FINISHED)),
        j_emergency=_flag(Q(urgency=Urgency.EMERGENCY)),
        j_sla_met=_flag(sla_met_q()),
        j_sla_missed=_flag(sla_missed_q(now)),
        j_reopened=_flag(Q(reopen_count__gt=0)),
        j_repeat=F("is_repeat"),
    )
    inner, params = rows.query.sql_with_params()
    months = _month_starts(start, end)
    sql = """
        WITH g AS (
            SELECT GROUPING(j_building, j_department) AS set_, j_category, j_month, j_building, j_department,
                   COUNT(*) AS n, COUNT(*) FILTER (WHERE j_done) AS done,
                   COUNT(*) FILTER (WHERE j_open) AS open_jobs, COUNT(*) FILTER (WHERE j_finished) AS finished,
                   COUNT(*) FILTER (WHERE j_emergency) AS emergency, COUNT(*) FILTER (WHERE j_sla_met) AS met,
                   COUNT(*) FILTER (WHERE j_sla_missed) AS missed, COUNT(j_rating) AS rated,
                   SUM(j_rating) AS rating_sum, COUNT(*) FILTER (WHERE j_reopened) AS reopened,
                   SUM(j_cost) FILTER (WHERE j_done) AS cost, COUNT(*) FILTER (WHERE j_in_house) AS in_house,
                   SUM(j_cost) FILTER (WHERE j_in_house) AS in_house_cost,
                   COUNT(*) FILTER (WHERE j_repeat) AS repeats, MIN(j_id) AS first_id, MAX(j_id) AS last_id
            FROM (SELECT *, WIDTH_BUCKET(j_reported, %s::timestamptz[]) AS j_month FROM ({}) AS i) AS j
            GROUP BY GROUPING SETS ((j_category, j_month), (j_building), (j_department))
        )
        SELECT CASE GROUPING(j_category, j_month) WHEN 3 THEN 'totals' WHEN 1 THEN 'category' ELSE 'month' END,
               j_category, j_month, NULL, SUM(n)::bigint, SUM(done)::bigint, SUM(open_jobs)::bigint,
               SUM(finished)::bigint, SUM(emergency)::bigint, SUM(met)::bigint, SUM(missed)::bigint,
               SUM(rated)::bigint, SUM(rating_sum)::numeric / NULLIF(SUM(rated), 0), SUM(reopened)::bigint,
               SUM(cost), SUM(in_house)::bigint, SUM(in_house_cost), SUM(repeats)::bigint, MIN(first_id), MAX(last_id)
        FROM g WHERE set_ = 3
        GROUP BY GROUPING SETS ((), (j_category), (j_month))
        UNION ALL
        SELECT CASE set_ WHEN 1 THEN 'building' ELSE 'department' END, NULL, NULL,
               CASE set_ WHEN 1 THEN j_building ELSE j_department END,
               n, done, open_jobs, finished, emergency, met, missed, rated, NULL, reopened, cost, in_house,
               in_house_cost, repeats, first_id, last_id
        FROM g WHERE set_ <> 3
    """.format(inner)
    with connection.cursor() as cursor:
        cursor.execute(sql, (months, *params))
        result = cursor.fetchall()
    totals = dict.fromkeys(_totals_aggregates(now), 0) | {"rating": None, "cost": None}
    ids = None
    by_category, by_building, by_department, by_month = [], [], [], []
    for kind, category, month, unit, count, done, open_, finished, emergency, *n in result:
        met, missed, rated, rating, reopened, cost, in_house, in_house_cost, repeat, first_id, last_id = n
        if kind == "totals" and count:  # without jobs, the sums of no groups are NULL: the zeros above stand
            totals = {
                "total": count,
                "done": done,
                "open": open_,
                "finished": finished,
                "emergency": emergency,
                "sla_met": met,
                "sla_missed": missed,
                "rated": rated,
                "rating": float(rating) if rating is not None else None,
                "reopened": reopened,
                "cost": cost,
                "repeat": repeat,
            }
            ids = (first_id, last_id)
        elif kind == "category":
            by_category.append(
                {
                    "category": category,
                    "count": count,
                    "done": done,
                    "cost": cost,
                    "in_house": in_house,
                    "in_house_cost": in_house_cost,
                }
            )
        elif kind == "month":
            by_month.append({"month": months[month - 1], "count": count})
        elif kind == "building":
            by_building.append({"building": unit, "count": count})
        elif kind == "department":
            by_department.append({"department": unit, "count": count, "cost": cost})
    by_category.sort(key=lambda row: (-row["count"], row["category"]))
    # Ties ordered as PostgreSQL orders them in the portable queries (NULL last).
    by_building = sorted(by_building, key=lambda row: (-row["count"], row["building"] is None, row["building"] or 0))[
        :20
    ]
    by_month.sort(key=lambda row: row["month"])
    by_department = sorted(
        by_department,
        key=lambda row: (
            row["cost"] is None,
            -(row["cost"] or 0),
            -row["count"],
            row["department"] is None,
            row["department"] or 0,
        ),
    )[:30]
    for row in by_building:
        row["building__name"] = names.places.get(row["building"])
    for row in by_department:
        row["department__name"] = names.departments.get(row["department"])
    return totals, by_category, by_building, by_month, by_department, ids


def _medians_pg(jobs) -> tuple[timedelta | None, timedelta | None]:
    """The median response and completion times in one pass (each over the jobs that have the end time)."""
    inner, params = jobs.order_by().values("reported_at", "accepted_at", "finished_at").query.sql_with_params()
    sql = """
        SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY accepted_at - reported_at)
                   FILTER (WHERE accepted_at IS NOT NULL),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY finished_at - reported_at)
                   FILTER (WHERE finished_at IS NOT NULL)
        FROM ({}) AS j
    """.format(inner)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _technicians(jobs) -> list[dict]:
    """The 30 technicians with the most of ``jobs``: one line per (job, technician now on it) — a technician is
    on a job at most once, so counting lines counts jobs."""
    rows = (
        jobs.filter(assignments__user__isnull=False, assignments__removed_at__isnull=True)
        .values(user=F("assignments__user"), name=F("assignments__user__name"))
        .annotate(count=Count("id"), done=Count("id", filter=DONE_Q), rating=Avg("rating"))
        .order_by("-count", "name")[:30]
    )
    return list(rows)


def _technicians_pg(jobs, ids: tuple[int, int]) -> list[dict]:
    """What ``_technicians`` gives: the current assignments are counted first, and names joined to the 30 lines
    kept. ``ids`` (the lowest and highest job id of ``jobs``) lets PostgreSQL read only the assignments of jobs in
    that range from the job_id index instead of every assignment ever made."""
    inner, params = jobs.order_by().values("id", "state", "rating").query.sql_with_params()
    sql = """
        SELECT t.user_id, u.name, t.count, t.done, t.rating
        FROM (
            SELECT a.user_id, COUNT(*) AS count, COUNT(*) FILTER (WHERE j.state = %s) AS done, AVG(j.rating) AS rating
            FROM {assignment} AS a JOIN ({inner}) AS j ON j.id = a.job_id
            WHERE a.removed_at IS NULL AND a.job_id BETWEEN %s AND %s
            GROUP BY a.user_id
        ) AS t
        JOIN {user} AS u ON u.id = t.user_id
        ORDER BY t.count DESC, u.name
        LIMIT 30
    """.format(assignment=JobAssignment._meta.db_table, user=User._meta.db_table, inner=inner)
    with connection.cursor() as cursor:
        cursor.execute(sql, (JobState.DONE, *params, *ids))
        return [
            {
                "user": user,
                "name": name,
                "count": count,
                "done": done,
                "rating": None if rating is None else float(rating),
            }
            for user, name, count, done, rating in cursor.fetchall()
        ]


def job_stats(actor: Actor, *, start: date, end: date, building=None, department=None) -> Stats:
    base = {"start": start, "end": end}
    if building:
        base["building"] = building
    if department:
        base["department"] = department
    jobs = filtered_jobs(actor, base)
    now = timezone.now()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A year of a big site's jobs is sorted and hashed in memory rather than on disk.
                cursor.execute("SET LOCAL work_mem = '64MB'")
            totals, by_category_rows, building_rows, month_rows, department_rows, ids = _grouped_pg(
                jobs, now, start, end, org_names(actor.org)
            )
            response_median, completion_median = _medians_pg(jobs)
            technician_rows = _technicians_pg(jobs, ids) if ids else []
    else:
        totals, by_category_rows, building_rows, month_rows, department_rows = _grouped(jobs, now)
        response_median = _median(jobs, "reported_at", "accepted_at")
        completion_median = _median(jobs, "reported_at", "finished_at")
        technician_rows = _technicians(jobs)
    judged = totals["sla_met"] + totals["sla_missed"]
    sla_rate = (Decimal(totals["sla_met"] * 100) / judged).quantize(Decimal("0.1")) if judged else None

    labels = dictionaries.labels(actor.org, CATEGORY.key)
    prices = reference_prices(actor.org)
    by_category = []
    savings, savings_jobs, unpriced_jobs = Decimal("0.00"), 0, 0
    for row in by_category_rows:
        code = row["category"]
        by_category.append(Row(labels.get(code, code), row["count"], {"category": code}, row))
        if code in prices:
            savings += prices[code] * row["in_house"] - (row["in_house_cost"] or 0)
            savings_jobs += row["in_house"]
        else:
            unpriced_jobs += row["in_house"]

    by_building = [
        Row(row["building__name"] or "—", row["count"], {"building": row["building"]} if row["building"] else None)
        for row in building_rows
    ]
    by_month = [
        Row(
            row["month"].strftime("%Y-%m"),
            row["count"],
            {"start": max(row["month"].date(), start), "end": min(_month_end(row["month"].date()), end)},
        )
        for row in month_rows
    ]
    by_technician = [
        Row(row["name"], row["count"], {"technician": row["user"]}, {"done": row["done"], "rating": row["rating"]})
        for row in technician_rows
    ]
    by_department = [
        Row(
            row["department__name"] or "—",
            row["count"],
            {"charged_to": row["department"]} if row["department"] else None,
            {"cost": row["cost"] or Decimal("0.00")},
        )
        for row in department_rows
    ]
    return Stats(
        start=start,
        end=end,
        base=base,
        totals=totals,
        response_median=response_median,
        completion_median=completion_median,
        sla_rate=sla_rate,
        by_category=by_category,
        by_building=by_building,
        by_month=by_month,
        by_technician=by_technician,
        by_department=by_department,
        savings=savings.quantize(CENT) if savings_jobs else None,
        savings_categories=sorted(code for code in prices),
        savings_jobs=savings_jobs,
        unpriced_jobs=unpriced_jobs,
    )


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
