"""Response and completion targets of a job, from the org's SLA tables and its working calendar.

Normal and urgent jobs count working time (normal completion in working days, the rest in working hours);
emergencies and jobs at critical places (手术室、ICU) count around the clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from houqin.core import orgcache, orgsettings, workcalendar
from houqin.core.models import Location

from .choices import Urgency
from .settings import SLA_COMPLETION, SLA_RESPONSE

FALLBACK_CATEGORY = "other"  # categories an org added later use the targets of "other"


@dataclass(frozen=True)
class Targets:
    response_due: datetime
    completion_due: datetime
    wall_clock: bool


def _hours(table: dict, category: str, urgency: str) -> Decimal:
    row = table.get(category) or table.get(FALLBACK_CATEGORY) or next(iter(table.values()))
    return Decimal(str(row[urgency]))


def is_critical(org, location) -> bool:
    """A critical place, or a place inside one (a 手术间 within the 手术部)."""
    return location.is_critical or any(location.path.startswith(path) for path in _critical_paths(org))


def _critical_paths(org) -> tuple[str, ...]:
    def read():
        return tuple(Location.objects.filter(org=org, is_critical=True).values_list("path", flat=True))

    return orgcache.remember(org, ("maintenance.critical_paths",), read)


def targets(org, *, category: str, urgency: str, location, reported_at: datetime) -> Targets:
    wall_clock = urgency == Urgency.EMERGENCY or is_critical(org, location)
    response = _hours(orgsettings.value(org, SLA_RESPONSE.key), category, urgency)
    completion = _hours(orgsettings.value(org, SLA_COMPLETION.key), category, urgency)
    response_due = workcalendar.add_working_hours(org, reported_at, response, wall_clock=wall_clock)
    if urgency == Urgency.NORMAL:
        days = math.ceil(completion)  # normal jobs: whole working days, the time of day kept in working hours
        if wall_clock:
            completion_due = reported_at + timedelta(days=days)
        else:
            completion_due = workcalendar.add_working_days(org, reported_at, days)
    else:
        completion_due = workcalendar.add_working_hours(org, reported_at, completion, wall_clock=wall_clock)
    return Targets(response_due, max(completion_due, response_due), wall_clock)
