"""Reads that ``sla.targets`` repeats on every call, done once per organisation while the demo loads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from houqin.core import orgsettings, workcalendar

from .. import sla


@contextmanager
def read_once() -> Iterator[None]:
    """``sla.targets`` reads the two SLA tables, the working hours, the org's holiday table and the place's
    ancestors on each call: five queries a job. Nothing changes them while the demo loads, so for its few
    thousand jobs they are read once and remembered; the due times stored are exactly what ``sla.targets``
    gives (``test_demo`` compares them)."""
    value, days, is_critical = orgsettings.value, workcalendar._Days, sla.is_critical
    settings: dict = {}
    calendars: dict = {}
    critical: dict = {}

    def value_once(org, key):
        if (org.pk, key) not in settings:
            settings[(org.pk, key)] = value(org, key)
        return settings[(org.pk, key)]

    class DaysOnce(days):
        def __init__(self, org):
            super().__init__(org)
            self.entries_by_year = calendars.setdefault(org.pk, {})  # filled a year at a time, then shared

    def is_critical_once(org, location):
        if location.pk not in critical:
            critical[location.pk] = is_critical(org, location)
        return critical[location.pk]

    orgsettings.value, workcalendar._Days, sla.is_critical = value_once, DaysOnce, is_critical_once
    try:
        yield
    finally:
        orgsettings.value, workcalendar._Days, sla.is_critical = value, days, is_critical
