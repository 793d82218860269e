"""定期检修: writes of maintenance plans, their calendar (``plan_occurrences``) and the tick job that turns due
dates into jobs.

A plan is due on dates from one of three schedules: every N days/weeks/months from its first date, on
fixed month-days each year ("11-10, 03-01"), or a number of days into each summer or winter break (the
org's ``Term`` rows). ``maintenance.pm_generate`` makes one job per plan and date, ``lead_days`` ahead and
at most ``BACKFILL_DAYS`` late; the unique (plan, plan_due_on) pair makes it idempotent and safe when two
runs overlap.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import MAXYEAR, date, datetime, time, timedelta
from itertools import groupby, islice, takewhile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houqin.core import dictionaries, tick
from houqin.core.models import Location, Membership, Term, TermKind
from houqin.core.permissions import Actor, restrict
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.terms import terms_between

from .. import permissions as p
from .. import sla
from ..choices import IntervalUnit, JobSource, PlanSchedule, Urgency
from ..models import Job, MaintenancePlan
from ..settings import CATEGORY
from .jobs import check_asset, job_create, job_dispatch, technicians

__all__ = [
    "break_terms",
    "generate_plan_jobs",
    "next_occurrences",
    "parse_fixed_dates",
    "plan_create",
    "plan_occurrences",
    "plan_update",
    "schedule_text",
]

logger = logging.getLogger(__name__)

BREAK_KINDS = (TermKind.SUMMER_BREAK, TermKind.WINTER_BREAK)
BACKFILL_DAYS = 7  # a tick that did not run for a while catches up this far back, never further
MAX_BREAK_OFFSET = 90
PLAN_FIELDS = (
    "name",
    "category",
    "location",
    "description",
    "urgency",
    "schedule",
    "interval_count",
    "interval_unit",
    "fixed_dates",
    "break_kind",
    "break_offset_days",
    "starts_on",
    "lead_days",
    "assignee",
    "asset",
)
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
_LEAP_YEAR = 2000


# Fixed dates ---------------------------------------------------------------------------------------


def parse_fixed_dates(text: str) -> list[tuple[int, int]]:
    """ "11-10, 03-01" (commas, 、 or spaces between; "3-1" and "3月1日" too) → sorted (month, day) pairs.
    A ValidationError on ``fixed_dates`` names the entry that is not a date of every year."""
    pairs = set()
    for entry in filter(None, _SEPARATORS.split(text or "")):
        match = _MONTH_DAY.match(entry)
        if not match:
            raise ValidationError(
                {"fixed_dates": _("“{entry}” is not a month and day; write them like 11-10.").format(entry=entry)}
            )
        month, day = int(match.group(1)), int(match.group(2))
        if (month, day) == (2, 29):
            raise ValidationError(
                {
                    "fixed_dates": _("“{entry}”: 29 February is not in every year; choose 02-28 or 03-01.").format(
                        entry=entry
                    )
                }
            )
        try:
            date(_LEAP_YEAR, month, day)
        except ValueError:
            raise ValidationError(
                {"fixed_dates": _("“{entry}” is not a date: there is no such day in that month.").format(entry=entry)}
            ) from None
        pairs.add((month, day))
    return sorted(pairs)


def _format_fixed_dates(pairs: Iterable[tuple[int, int]]) -> str:
    return ", ".join("{:02d}-{:02d}".format(month, day) for month, day in pairs)


def _stored_pairs(plan: MaintenancePlan) -> list[tuple[int, int]]:
    try:
        return parse_fixed_dates(plan.fixed_dates)
    except ValidationError:  # only a row written around the service can hold this; it is simply never due
        return []


# The calendar of a plan ----------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or that month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _iter_occurrences(plan: MaintenancePlan, start: date, terms: Sequence[Term] | None) -> Iterator[date]:
    """The plan's dates on or after ``start`` (and its first date), ascending, without end (breaks: as far as
    the org has entered them)."""
    first = max(start, plan.starts_on)
    origin = plan.starts_on
    if plan.schedule == PlanSchedule.INTERVAL:
        count = plan.interval_count or 0
        if count < 1 or plan.interval_unit not in IntervalUnit.values:
            return
        if plan.interval_unit == IntervalUnit.MONTH:
            # Each date is computed from the first one, so a 31st clamped to 28 Feb returns to 31 Mar.
            k = ((first.year - origin.year) * 12 + first.month - origin.month) // count
            while True:
                if (origin.year * 12 + origin.month - 1 + k * count) // 12 > MAXYEAR:
                    return
                day = _add_months(origin, k * count)
                if day >= first:
                    yield day
                k += 1
        step = count * (7 if plan.interval_unit == IntervalUnit.WEEK else 1)
        k = -(-(first - origin).days // step)  # the first multiple of the step on or after ``first``
        while True:
            try:
                yield origin + timedelta(days=k * step)
            except OverflowError:
                return
            k += 1
    elif plan.schedule == PlanSchedule.DATES:
        pairs = _stored_pairs(plan)
        if not pairs:
            return
        for year in range(first.year, MAXYEAR + 1):
            for month, day_of_month in pairs:
                day = date(year, month, day_of_month)
                if day >= first:
                    yield day
    elif plan.schedule == PlanSchedule.BREAK:
        if plan.break_kind not in BREAK_KINDS:
            return
        if terms is None:
            terms = terms_between(plan.org, first, date.max, kind=plan.break_kind)
        offset = timedelta(days=plan.break_offset_days or 0)
        seen = set()
        for term in sorted((t for t in terms if t.kind == plan.break_kind), key=lambda t: t.start):
            # An offset longer than a short break still falls inside it: on its last day.
            day = min(term.start + offset, term.end)
            if day >= first and day not in seen:
                seen.add(day)
                yield day


def plan_occurrences(
    plan: MaintenancePlan, start: date, end: date, *, terms: Sequence[Term] | None = None
) -> list[date]:
    """The dates ``start``–``end`` (both included, none before the plan's first date) on which ``plan`` is due.
    Reads nothing but the org's breaks, and those only for a break plan without ``terms`` given (pass the
    org's terms, loaded once, when asking for many plans)."""
    if end < start:
        return []
    return list(takewhile(lambda day: day <= end, _iter_occurrences(plan, start, terms)))


def next_occurrences(
    plan: MaintenancePlan, on_or_after: date, count: int = 1, *, terms: Sequence[Term] | None = None
) -> list[date]:
    """The plan's next ``count`` dates from ``on_or_after`` (fewer for breaks the org has not entered yet)."""
    return list(islice(_iter_occurrences(plan, on_or_after, terms), count))


def break_terms(org, start: date) -> list[Term]:
    """Summer and winter breaks of ``org`` ending on or after ``start``: what break plans need, in one query."""
    return [term for term in terms_between(org, start, date.max) if term.kind in BREAK_KINDS]


def schedule_text(plan: MaintenancePlan) -> str:
    """The schedule in words: "每 3 个月", "每年 11-10、03-01", "每个暑假第 3 天"."""
    if plan.schedule == PlanSchedule.INTERVAL:
        count = plan.interval_count or 0
        if plan.interval_unit == IntervalUnit.MONTH:
            return ngettext("Every {count} month", "Every {count} months", count).format(count=count)
        if plan.interval_unit == IntervalUnit.WEEK:
            return ngettext("Every {count} week", "Every {count} weeks", count).format(count=count)
        return ngettext("Every {count} day", "Every {count} days", count).format(count=count)
    if plan.schedule == PlanSchedule.DATES:
        dates = "、".join("{:02d}-{:02d}".format(month, day) for month, day in _stored_pairs(plan))
        return _("Every year on {dates}").format(dates=dates)
    day = (plan.break_offset_days or 0) + 1
    if plan.break_kind == TermKind.WINTER_BREAK:
        return _("Day {day} of each winter break").format(day=day)
    return _("Day {day} of each summer break").format(day=day)


# Writes ----------------------------------------------------------------------------------------------


def _require(actor: Actor, plan: MaintenancePlan | None = None) -> None:
    if actor.via_bureau or not actor.can(p.PLAN_MANAGE):
        raise PermissionDenied
    if plan is not None and not restrict(MaintenancePlan.objects.filter(pk=plan.pk), actor, p.PLAN_MANAGE).exists():
        raise PermissionDenied


def _clean_schedule(plan: MaintenancePlan, errors: dict) -> None:
    """Check the fields of the chosen schedule and empty the others, so a plan says one thing only."""
    if plan.schedule == PlanSchedule.INTERVAL:
        if not plan.interval_count:
            errors["interval_count"] = _("Enter how many days, weeks or months apart.")
        if plan.interval_unit not in IntervalUnit.values:
            errors["interval_unit"] = _("Choose days, weeks or months.")
        plan.fixed_dates, plan.break_kind, plan.break_offset_days = "", "", 0
    elif plan.schedule == PlanSchedule.DATES:
        try:
            pairs = parse_fixed_dates(plan.fixed_dates)
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            if not pairs:
                errors["fixed_dates"] = _("Enter at least one date, e.g. 11-10.")
            plan.fixed_dates = _format_fixed_dates(pairs)
        plan.interval_count, plan.interval_unit, plan.break_kind, plan.break_offset_days = None, "", "", 0
    elif plan.schedule == PlanSchedule.BREAK:
        if plan.break_kind not in BREAK_KINDS:
            errors["break_kind"] = _("Choose the summer or the winter break.")
        if not 0 <= (plan.break_offset_days or 0) <= MAX_BREAK_OFFSET:
            errors["break_offset_days"] = _("Enter 0 to {max} days.").format(max=MAX_BREAK_OFFSET)
        plan.interval_count, plan.interval_unit, plan.fixed_dates = None, "", ""
    else:
        errors["schedule"] = _("Choose how the plan repeats.")


def _save(plan: MaintenancePlan, data: dict, *, current_category: str | None = None) -> MaintenancePlan:
    unknown = set(data) - {*PLAN_FIELDS, "is_active"}
    if unknown:
        raise TypeError("unknown plan fields: {}".format(sorted(unknown)))
    current_location = plan.location_id if plan.pk else None
    current_assignee = plan.assignee_id if plan.pk else None
    for name, value in data.items():
        setattr(plan, name, value)
    plan.name = (plan.name or "").strip()
    plan.description = (plan.description or "").strip()
    plan.fixed_dates = (plan.fixed_dates or "").strip()
    plan.break_offset_days = plan.break_offset_days or 0
    plan.lead_days = plan.lead_days or 0
    errors: dict = {}
    _clean_schedule(plan, errors)
    try:
        dictionaries.validate_code(
            plan.org, CATEGORY.key, plan.category, field_name="category", current=current_category
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    # A place retired or a technician gone since may stay on an old plan (the tick then logs why it makes no
    # job there / leaves the job on the board undispatched); a new choice must be valid now.
    location = plan.location if plan.location_id else None
    if (
        location is not None
        and location.pk != current_location
        and (location.org_id != plan.org_id or not location.is_active)
    ):
        errors["location"] = _("Choose a place of this organisation that is in use.")
    assignee = plan.assignee if plan.assignee_id else None
    if (
        assignee is not None
        and assignee.pk != current_assignee
        and not technicians(plan.org).filter(pk=assignee.pk).exists()
    ):
        errors["assignee"] = _("{name} is not a technician of this organisation or its contractors.").format(
            name=assignee.user.name
        )
    try:
        plan.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    plan.save()
    return plan


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    name: str,
    category: str,
    location: Location | None = None,
    description: str,
    starts_on: date,
    schedule: str = PlanSchedule.INTERVAL,
    urgency: str = Urgency.NORMAL,
    interval_count: int | None = None,
    interval_unit: str = "",
    fixed_dates: str = "",
    break_kind: str = "",
    break_offset_days: int = 0,
    lead_days: int = 0,
    assignee: Membership | None = None,
    asset=None,
) -> MaintenancePlan:
    """A new 定期检修 plan; it makes its first job when its first date is ``lead_days`` away. A plan for one
    asset (a boiler, a lift) names it: its jobs carry it, and the place defaults to the asset's."""
    _require(actor)
    data = {name: value for name, value in locals().items() if name in PLAN_FIELDS}
    _check_asset(actor, data)
    return _save(MaintenancePlan(org=actor.org), data)


@transaction.atomic
def plan_update(*, actor: Actor, plan: MaintenancePlan, **data) -> MaintenancePlan:
    """Change fields of ``PLAN_FIELDS`` or ``is_active`` (plans are paused, never deleted: their jobs point to
    them). Jobs already made keep their dates; new dates follow the new schedule."""
    _require(actor, plan)
    plan = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)  # the caller's copy stays as it was on errors
    _check_asset(actor, data, current=plan.asset if plan.asset_id else None)
    return _save(plan, data, current_category=plan.category)


def _check_asset(actor: Actor, data: dict, *, current=None) -> None:
    """The asset (any of the organisation still on the books: plans are the office's) and, where the place is
    left empty, the asset's place."""
    asset = data.get("asset", current)
    if "asset" in data:
        check_asset(actor, asset, current_id=current.pk if current is not None else None, whole_org=True)
    if "location" in data and data["location"] is None:
        if asset is not None and asset.location_id:
            data["location"] = asset.location
        else:
            raise ValidationError({"location": _("Choose the place (or an asset that has one).")})


# The tick job ----------------------------------------------------------------------------------------


def _make_job(plan: MaintenancePlan, day: date, now: datetime, *, dispatch: bool) -> Job | None:
    """One plan's job for ``day``, sent to the plan's technician when ``dispatch``; None when it cannot be made
    now (a place or category retired since, or another run made it first) — it is tried again next tick."""
    try:
        with transaction.atomic():  # a savepoint: one plan's trouble leaves the others' jobs in place
            job = job_create(
                org=plan.org,
                actor=None,
                action="plan",
                location=plan.location,
                category=plan.category,
                description=plan.description,
                urgency=plan.urgency,
                source=JobSource.PLAN,
                reported_at=now,
                plan=plan,
                plan_due_on=day,
                asset_id=plan.asset_id,  # a plan for one asset: its jobs name it (and its card lists them)
            )
            if day > timezone.localdate(now):
                # A job made ahead counts its targets from its own date, not from the day it appeared.
                targets = sla.targets(
                    plan.org,
                    category=job.category,
                    urgency=job.urgency,
                    location=plan.location,
                    reported_at=timezone.make_aware(datetime.combine(day, time.min)),
                )
                job.response_due, job.completion_due = targets.response_due, targets.completion_due
                job.save(update_fields=["response_due", "completion_due"])
            if dispatch:
                job_dispatch(actor=None, system=True, job=job, technicians=[plan.assignee])
            return job
    except IntegrityError:  # an overlapping run made this (plan, date) job a moment ago
        return None
    except ValidationError as error:
        logger.warning("maintenance plan %s: no job for %s: %s", plan.pk, day, error)
        return None


def _generate_for_org(org, plans: list[MaintenancePlan], now: datetime) -> int:
    today = timezone.localdate(now)
    earliest = today - timedelta(days=BACKFILL_DAYS)
    terms = break_terms(org, earliest) if any(plan.schedule == PlanSchedule.BREAK for plan in plans) else []
    due = {
        plan.pk: plan_occurrences(plan, earliest, today + timedelta(days=plan.lead_days), terms=terms) for plan in plans
    }
    due = {pk: days for pk, days in due.items() if days}
    if not due:
        return 0
    # "Due" comes from the data: a (plan, date) that has a job, whatever its state, is done.
    made = set(Job.objects.filter(plan_id__in=due, plan_due_on__gte=earliest).values_list("plan_id", "plan_due_on"))
    assignee_ids = {plan.assignee_id for plan in plans if plan.assignee_id}
    dispatchable = set(technicians(org).filter(pk__in=assignee_ids).values_list("pk", flat=True))
    count = 0
    for plan in plans:
        for day in due.get(plan.pk, ()):
            if (plan.pk, day) in made:
                continue
            if _make_job(plan, day, now, dispatch=plan.assignee_id in dispatchable) is not None:
                count += 1
    return count


@tick.job("maintenance.pm_generate")
def generate_plan_jobs(now: datetime) -> int:
    """Jobs of active plans due from ``BACKFILL_DAYS`` ago to each plan's ``lead_days`` ahead, one per plan and
    date; sent to the plan's technician (who is told) where it names one."""
    with scopes_disabled():
        plans = list(
            MaintenancePlan.objects.filter(is_active=True, org__is_active=True)
            .select_related("org", "location", "assignee__user")
            .order_by("org_id", "id")
        )
    count = 0
    for _org_id, group in groupby(plans, key=lambda plan: plan.org_id):
        group = list(group)
        with org_scope(group[0].org):
            count += _generate_for_org(group[0].org, group, now)
    return count
