"""Figures of repair work over a period: every number is counted over the job list's own FilterSet, and each
comes with the parameters of the list that shows exactly the jobs behind it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, BooleanField, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from houqin.core import dictionaries, orgsettings
from houqin.core.facts import query
from houqin.core.models import Department, Location
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import OPEN_STATES, JobState, Urgency
from ..filtersets import REPEAT_DAYS, JobFilterSet, sla_met_q, sla_missed_q
from ..models import Job
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


def _grouped_pg(jobs, now):
    """What ``_grouped`` gives, in one pass over the period's jobs (PostgreSQL's GROUPING SETS): the jobs come
    from the same FilterSet and the conditions from the same Q objects; only the grouping is written in SQL."""
    rows = jobs.order_by().values(
        j_category=F("category"),
        j_building=F("building_id"),
        j_department=F("department_id"),
        j_month=TruncMonth("reported_at", tzinfo=SHANGHAI),
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
    )
    inner, params = rows.query.sql_with_params()
    sql = """
        SELECT GROUPING(j_category, j_building, j_department, j_month) AS set_, j_category, j_building,
               j_department, j_month, COUNT(*), COUNT(*) FILTER (WHERE j_done), COUNT(*) FILTER (WHERE j_open),
               COUNT(*) FILTER (WHERE j_finished), COUNT(*) FILTER (WHERE j_emergency),
               COUNT(*) FILTER (WHERE j_sla_met), COUNT(*) FILTER (WHERE j_sla_missed), COUNT(j_rating),
               AVG(j_rating), COUNT(*) FILTER (WHERE j_reopened), SUM(j_cost) FILTER (WHERE j_done),
               COUNT(*) FILTER (WHERE j_in_house), SUM(j_cost) FILTER (WHERE j_in_house)
        FROM ({}) AS j
        GROUP BY GROUPING SETS ((), (j_category), (j_building), (j_department), (j_month))
    """.format(inner)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    # GROUPING() is a bit mask over (category, building, department, month): 1 = not grouped by it.
    sets = {"totals": 0b1111, "category": 0b0111, "building": 0b1011, "department": 0b1101, "month": 0b1110}
    totals = dict.fromkeys(_totals_aggregates(now), 0) | {"rating": None, "cost": None}
    by_category, by_building, by_department, by_month = [], [], [], []
    for set_, category, building, department, month, *n in result:
        count, done, open_, finished, emergency, met, missed, rated, rating, reopened, cost, in_house, in_cost = n
        if set_ == sets["totals"]:
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
            }
        elif set_ == sets["category"]:
            by_category.append(
                {
                    "category": category,
                    "count": count,
                    "done": done,
                    "cost": cost,
                    "in_house": in_house,
                    "in_house_cost": in_cost,
                }
            )
        elif set_ == sets["building"]:
            by_building.append({"building": building, "count": count})
        elif set_ == sets["department"]:
            by_department.append({"department": department, "count": count, "cost": cost})
        elif set_ == sets["month"]:
            by_month.append(
                {"month": timezone.localtime(month, SHANGHAI) if timezone.is_aware(month) else month, "count": count}
            )
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
    _names(by_building, "building", Location)
    _names(by_department, "department", Department)
    return totals, by_category, by_building, by_month, by_department


def _names(rows: list[dict], key: str, model) -> None:
    names = dict(model.objects.filter(pk__in=[row[key] for row in rows if row[key]]).values_list("pk", "name"))
    for row in rows:
        row[key + "__name"] = names.get(row[key])


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


def _repeat_count_pg(jobs) -> int:
    """How many of ``jobs`` are repeat faults — the FilterSet's ``repeat`` (an earlier job, not rejected or
    cancelled, at the same place and category within REPEAT_DAYS before) — counted with one window over the
    organisation's jobs of the period instead of one probe per job."""
    chosen, chosen_params = jobs.order_by().values("id", "reported_at").query.sql_with_params()
    every, every_params = (
        Job.objects.order_by().values("id", "location_id", "category", "reported_at", "state").query.sql_with_params()
    )
    sql = """
        WITH chosen AS MATERIALIZED ({chosen})
        SELECT COUNT(*) FROM (
            SELECT w.id, COUNT(*) FILTER (WHERE w.state NOT IN (%s, %s)) OVER (
                PARTITION BY w.location_id, w.category COLLATE "C" ORDER BY w.reported_at
                RANGE BETWEEN %s PRECEDING AND CURRENT ROW EXCLUDE GROUP
            ) AS earlier
            FROM ({every}) AS w
            WHERE w.reported_at >= (SELECT MIN(reported_at) FROM chosen) - %s
              AND w.reported_at <= (SELECT MAX(reported_at) FROM chosen)
        ) AS x
        WHERE x.earlier > 0 AND x.id IN (SELECT id FROM chosen)
    """.format(chosen=chosen, every=every)
    window = timedelta(days=REPEAT_DAYS)
    params = (*chosen_params, JobState.REJECTED, JobState.CANCELLED, window, *every_params, window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


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
            totals, by_category_rows, building_rows, month_rows, department_rows = _grouped_pg(jobs, now)
            totals["repeat"] = _repeat_count_pg(jobs)
            response_median, completion_median = _medians_pg(jobs)
    else:
        totals, by_category_rows, building_rows, month_rows, department_rows = _grouped(jobs, now)
        totals["repeat"] = filtered_jobs(actor, {**base, "repeat": "true"}).count()
        response_median = _median(jobs, "reported_at", "accepted_at")
        completion_median = _median(jobs, "reported_at", "finished_at")
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
    # One line per (job, technician now on it): a technician is on a job at most once, so counting lines
    # counts jobs, and the join is made once.
    by_technician = [
        Row(
            row["assignments__user__name"],
            row["count"],
            {"technician": row["assignments__user"]},
            {"done": row["done"], "rating": row["rating"]},
        )
        for row in jobs.filter(assignments__user__isnull=False, assignments__removed_at__isnull=True)
        .values("assignments__user", "assignments__user__name")
        .annotate(
            count=Count("id"),
            done=Count("id", filter=Q(state=JobState.DONE)),
            rating=Avg("rating"),
        )
        .order_by("-count", "assignments__user__name")[:30]
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
