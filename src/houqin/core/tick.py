"""`houqin tick`: every piece of time-driven work is a job registered here by its module.

A job is ``run(now) -> int``: it does what is due at ``now`` for every organisation (opening each org's
scope itself) and returns how many things it changed. Running it again at the same ``now`` must change
nothing, which is what makes `houqin tick` safe to start every few minutes from cron or a timer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str  # "<module>.<what>", e.g. "notifications.deliver"
    run: Callable[[datetime], int]
    # False for a job that talks to the network (notifications.deliver): it commits its own small steps,
    # since one transaction across slow calls would hold its locks (all of SQLite) for the whole run.
    atomic: bool = True
    # Housekeeping that reads a lot (a walk of the stored files) runs at most this often; None: every tick.
    every: timedelta | None = None


JOBS: dict[str, Job] = {}


def job(name: str, *, atomic: bool = True, every: timedelta | None = None):
    """Decorator: ``@tick.job("maintenance.escalate")`` on ``def escalate(now) -> int``."""

    def decorator(func):
        if name in JOBS:
            raise ValueError("tick job {} registered twice".format(name))
        JOBS[name] = Job(name, func, atomic, every)
        return func

    return decorator


# Running -------------------------------------------------------------------------------------

LOCK_KEY = "houqin:tick:lock"
LOCK_SECONDS = 15 * 60  # a run that crashed without releasing blocks the next ones this long at most


@dataclass(frozen=True)
class Result:
    name: str
    changed: int
    error: str = ""  # the exception, when the job failed (its transaction rolled back)


def run_all(now: datetime, *, names: list[str] | None = None) -> list[Result]:
    """Run the registered jobs (or those named), each in its own transaction: one failing job is logged
    and reported, and the others still run."""
    results = []
    # Jobs that deliver (non-atomic) run last, so what the other jobs wrote in this tick goes out in it too.
    for name in sorted(names or JOBS, key=lambda name: not JOBS[name].atomic):
        if not _due(JOBS[name], now):
            results.append(Result(name, 0))
            continue
        try:
            if JOBS[name].atomic:
                with transaction.atomic():
                    changed = JOBS[name].run(now)
            else:
                changed = JOBS[name].run(now)
        except Exception as error:  # one broken job must not stop the others
            logger.exception("tick job %s failed", name)
            results.append(Result(name, 0, "{}: {}".format(type(error).__name__, error)))
        else:
            results.append(Result(name, changed or 0))
            if JOBS[name].every:
                cache.set(LAST_RUN_KEY.format(name), now.timestamp(), timeout=None)
    return results


LAST_RUN_KEY = "houqin:tick:last:{}"


def _due(job: Job, now: datetime) -> bool:
    if job.every is None:
        return True
    last = cache.get(LAST_RUN_KEY.format(job.name))
    # A clock set back (or a lost cache entry) runs the job rather than skipping it indefinitely.
    return last is None or not 0 <= now.timestamp() - last < job.every.total_seconds()


@contextmanager
def exclusive() -> Iterator[bool]:
    """Yields whether this process holds the run lock; a second concurrent `houqin tick` gets False.

    ``cache.add`` is atomic in every cache backend (the database cache inserts under the key's primary
    key), so two timers that start at the same moment cannot both win; the expiry frees the lock if a
    run is killed.
    """
    token = uuid.uuid4().hex
    acquired = cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired and cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
