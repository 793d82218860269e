"""Working days and working hours of an organisation: what SLAs, due dates and reminders count in.

Which days are working days, first match wins:

1. the org's own table (``CalendarDay``: a day off, or a make-up working day 调休上班), which also
   overrides the national calendar, e.g. for a school's own day off;
2. ``chinesecalendar`` (national holidays and 调休) for the years it covers (2004–2026 in 1.11.0);
3. Monday to Friday, for a year nobody has entered yet — never an error.

Working hours are the org setting ``calendar.working_hours`` (default 08:00–12:00, 14:00–17:30). A
critical place (``Location.is_critical``: operating theatre, ICU) counts hours around the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import orgcache, orgsettings
from .models import CalendarDay, CalendarDayKind
from .permissions import CALENDAR_MANAGE, Actor
from .services import _require, _set_fields

CALENDAR_TZ = ZoneInfo("Asia/Shanghai")
WORKING_HOURS = "calendar.working_hours"
DEFAULT_WORKING_HOURS = [["08:00", "12:00"], ["14:00", "17:30"]]
MAX_DAYS_AHEAD = 3660  # a walk that finds no working time in ten years has a broken table, not a deadline

Period = tuple[time, time]


# Working hours: the setting and its form field ---------------------------------------------------------


def _parse_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(_("“{text}” is not a time of day; write it as 08:00.").format(text=text))
    return time(int(match.group(1)), int(match.group(2)))


def parse_working_hours(text: str) -> list[list[str]]:
    """ "08:00-12:00, 14:00-17:30" → [["08:00", "12:00"], ["14:00", "17:30"]], or a ValidationError saying why.

    Full-width colons and commas, "–", "~" and "至" are read too, as people type them on a Chinese keyboard."""
    text = text.strip().replace("：", ":").replace("，", ",").replace("；", ",").replace(";", ",")
    text = re.sub(r"\s*(?:-|－|–|—|~|～|至)\s*", "-", text)
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    if not pieces:
        raise ValidationError(_("Enter at least one working period, e.g. 08:00-12:00."))
    periods = []
    for piece in pieces:
        start_text, dash, end_text = piece.partition("-")
        if not dash:
            raise ValidationError(_("“{piece}” needs a start and an end, e.g. 08:00-12:00.").format(piece=piece))
        start, end = _parse_time(start_text.strip()), _parse_time(end_text.strip())
        if start >= end:
            raise ValidationError(_("In “{piece}” the end must come after the start.").format(piece=piece))
        if periods and start < periods[-1][1]:
            raise ValidationError(
                _("“{piece}” must start after the period before it ends ({end}); list periods in order.").format(
                    piece=piece, end=periods[-1][1].strftime("%H:%M")
                )
            )
        periods.append((start, end))
    return [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in periods]


def format_working_hours(value: list[list[str]]) -> str:
    return ", ".join("{}-{}".format(start, end) for start, end in value)


class WorkingHoursField(forms.CharField):
    """Edits ``calendar.working_hours`` as one line of text: "08:00-12:00, 14:00-17:30"."""

    def prepare_value(self, value):
        return format_working_hours(value) if isinstance(value, list) else value

    def clean(self, value):
        return parse_working_hours(super().clean(value))


WORKING_HOURS_SETTING = orgsettings.register(
    orgsettings.Setting(
        key=WORKING_HOURS,
        label=_("Working hours"),
        default=DEFAULT_WORKING_HOURS,
        section=_("Calendar"),
        form_field=lambda: WorkingHoursField(max_length=200),
        help_text=_(
            "Periods of a working day, in order, e.g. 08:00-12:00, 14:00-17:30. "
            "Deadlines counted in working hours only count these periods."
        ),
    )
)


def working_hours(org) -> list[Period]:
    """The org's working periods of a day, in order."""
    periods = orgsettings.value(org, WORKING_HOURS)
    return [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in periods]


# Working days ------------------------------------------------------------------------------------


def national_calendar_covers(year: int) -> bool:
    """Does the installed ``chinesecalendar`` know the holidays of ``year``?"""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _nationally_working(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


class _Days:
    """Answers "is this a working day?" for one org during one call, reading its table once per year touched."""

    def __init__(self, org):
        self.org = org
        self.entries_by_year: dict[int, dict[date, str]] = {}

    def is_working(self, day: date) -> bool:
        entries = self.entries_by_year.get(day.year)
        if entries is None:
            entries = orgcache.remember(self.org, ("calendar", day.year), lambda: self._read(day.year))
            self.entries_by_year[day.year] = entries
        kind = entries.get(day)
        if kind is not None:
            return kind == CalendarDayKind.WORKDAY
        return _nationally_working(day)

    def _read(self, year: int) -> dict[date, str]:
        return dict(CalendarDay.objects.filter(org=self.org, date__year=year).values_list("date", "kind"))


def is_working_day(org, day: date) -> bool:
    """Is ``day`` a working day of ``org`` (its own table, else the national calendar, else Monday–Friday)?"""
    entry = CalendarDay.objects.filter(org=org, date=day).values_list("kind", flat=True).first()
    if entry is not None:
        return entry == CalendarDayKind.WORKDAY
    return _nationally_working(day)


# Adding working time -------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("workcalendar needs timezone-aware datetimes")
    return moment.astimezone(CALENDAR_TZ)


def add_working_hours(
    org, start: datetime, hours: int | float | Decimal, *, location=None, wall_clock: bool = False
) -> datetime:
    """The moment ``hours`` working hours after ``start`` (fractions allowed: 1.5 is 90 minutes).

    Only working periods of working days count; a start outside them begins at the next period, so
    Friday 17:00 + 2 h is Monday 09:30 (default hours). At a critical ``location``, or with
    ``wall_clock=True``, hours run around the clock. An amount that ends exactly at the end of a period
    ends there (11:00 + 1 h is 12:00, not 14:00)."""
    amount = Decimal(str(hours))
    if amount < 0:
        raise ValueError("hours must not be negative")
    remaining = timedelta(microseconds=int(amount * 3_600_000_000))
    moment = _aware(start)
    if wall_clock or (location is not None and location.is_critical):
        return moment + remaining
    periods = working_hours(org)
    days = _Days(org)
    day = moment.date()
    for _step in range(MAX_DAYS_AHEAD):
        if days.is_working(day):
            for period_start, period_end in periods:
                opens = datetime.combine(day, period_start, tzinfo=CALENDAR_TZ)
                closes = datetime.combine(day, period_end, tzinfo=CALENDAR_TZ)
                if closes <= moment:
                    continue
                begin = max(moment, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("no working time within ten years of {}".format(start.isoformat()))


def _clamp_into_working_time(day: date, moment_time: time, periods: list[Period]) -> datetime:
    """``moment_time`` on ``day``, moved forward to the next working period's start if it falls outside
    one, or back to the last period's end if the working day is over."""
    for period_start, period_end in periods:
        if moment_time < period_start:
            return datetime.combine(day, period_start, tzinfo=CALENDAR_TZ)
        if moment_time <= period_end:
            return datetime.combine(day, moment_time, tzinfo=CALENDAR_TZ)
    return datetime.combine(day, periods[-1][1], tzinfo=CALENDAR_TZ)


def add_working_days(org, start: datetime | date, days: int) -> date | datetime:
    """The ``days``-th working day after ``start``; ``start`` itself is not counted.

    With 0 days: ``start`` if it is a working day, else the next working day. A date gives a date.
    A datetime gives the same time of day on the result day, kept inside working hours: a time before a
    working period moves to that period's start (07:00 → 08:00, 12:30 → 14:00), a time after the last
    period moves back to its end (19:00 → 17:30), so the deadline always falls on the result day."""
    if days < 0:
        raise ValueError("days must not be negative")
    moment = _aware(start) if isinstance(start, datetime) else None
    day = moment.date() if moment else start
    table = _Days(org)
    target, counted = max(days, 1), 0
    if days == 0:
        day -= timedelta(days=1)  # so that the walk below considers ``start`` itself
    for _step in range(MAX_DAYS_AHEAD):
        day += timedelta(days=1)
        if table.is_working(day):
            counted += 1
            if counted == target:
                break
    else:
        raise ValueError("no working day within ten years of {}".format(start.isoformat()))
    if moment is None:
        return day
    moment_time = moment.time().replace(tzinfo=None)
    return _clamp_into_working_time(day, moment_time, working_hours(org))


# Editing the org's table ---------------------------------------------------------------------------

MAX_ENTRY_DAYS = 31  # one entry covers at most a month: a holiday block, not a year typed by mistake


@transaction.atomic
def calendar_day_add(*, actor: Actor, start: date, end: date | None = None, kind: str, name: str = "") -> list:
    """Enter ``start``–``end`` (one day when ``end`` is empty) as days off or make-up working days."""
    _require(actor, CALENDAR_MANAGE)
    end = end or start
    if end < start:
        raise ValidationError({"end": _("The last day cannot be before the first day.")})
    if (end - start).days >= MAX_ENTRY_DAYS:
        raise ValidationError({"end": _("Enter at most {days} days at once.").format(days=MAX_ENTRY_DAYS)})
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    taken = list(
        CalendarDay.objects.filter(org=actor.org, date__in=days).order_by("date").values_list("date", flat=True)
    )
    if taken:
        raise ValidationError(
            {
                "start": _("Already entered: {dates}. Edit those days instead.").format(
                    dates=", ".join(day.isoformat() for day in taken)
                )
            }
        )
    entries = []
    for day in days:
        entry = CalendarDay(org=actor.org, date=day, kind=kind, name=name)
        entry.full_clean()
        entry.save()
        entries.append(entry)
    return entries


@transaction.atomic
def calendar_day_update(*, actor: Actor, entry: CalendarDay, **data) -> CalendarDay:
    _require(actor, CALENDAR_MANAGE, entry)
    _set_fields(entry, data)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def calendar_day_delete(*, actor: Actor, entry: CalendarDay) -> None:
    """A configuration row: deleting it is kept in its history, and the day follows the national calendar again."""
    _require(actor, CALENDAR_MANAGE, entry)
    entry.delete()
