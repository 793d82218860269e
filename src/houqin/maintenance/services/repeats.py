"""Repeat faults (重复故障), stored on the job as ``Job.is_repeat`` so that lists and statistics filter and count
them without a probe per job.

The rule: a job is a repeat when an earlier job — not rejected or cancelled — was reported at the same place and
in the same category within REPEAT_DAYS before it. A job's flag depends on the jobs before it, so it is set when
the job is made (``is_repeat``) and recomputed for the jobs after one that stops counting or moves
(``refresh_repeats``): a job rejected or cancelled, a category corrected by the office.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef

from ..choices import JobState
from ..filtersets import REPEAT_DAYS
from ..models import Job

__all__ = ["is_repeat", "refresh_all", "refresh_repeats"]

WINDOW = timedelta(days=REPEAT_DAYS)
NOT_A_CAUSE = (JobState.REJECTED, JobState.CANCELLED)


def _causes(org):
    """The jobs that make a later job at their place and category a repeat."""
    return Job.objects.filter(org=org).exclude(state__in=NOT_A_CAUSE)


def is_repeat(org, location_id: int, category: str, reported_at: datetime) -> bool:
    """Whether a job about to be made (not saved yet) at this place and category is a repeat fault."""
    return (
        _causes(org)
        .filter(
            location_id=location_id,
            category=category,
            reported_at__lt=reported_at,
            reported_at__gte=reported_at - WINDOW,
        )
        .exists()
    )


def _refresh(org, jobs) -> int:
    """One UPDATE: each of ``jobs`` gets the flag the rule gives; only rows whose flag changes are written."""
    earlier = _causes(org).filter(
        location=OuterRef("location"),
        category=OuterRef("category"),
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=OuterRef("reported_at") - WINDOW,
    )
    return jobs.exclude(is_repeat=Exists(earlier)).update(is_repeat=Exists(earlier))


def refresh_repeats(org, *, location_id: int, category: str, since: datetime) -> int:
    """Recompute the flag of the jobs at this place and category reported from ``since`` to REPEAT_DAYS after:
    the only ones a job reported at ``since`` can be the cause of (itself included, for a job that moved here).
    Called when that job is rejected or cancelled, and for its old and new category when the office changes it."""
    jobs = Job.objects.filter(
        org=org, location_id=location_id, category=category, reported_at__gte=since, reported_at__lte=since + WINDOW
    )
    return _refresh(org, jobs)


def refresh_all(org) -> int:
    """Recompute the flag of every job of ``org`` (after a bulk load that bypassed ``job_create``)."""
    return _refresh(org, Job.objects.filter(org=org))
