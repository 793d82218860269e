"""`houqin tick`: every piece of time-driven work is a job registered here by its module.

A job is ``run(now) -> int``: it does what is due at ``now`` for every organisation (opening each org's
scope itself) and returns how many things it changed. Running it again at the same ``now`` must change
nothing, which is what makes `houqin tick` safe to start every few minutes from cron or a timer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    name: str  # "<module>.<what>", e.g. "notifications.deliver"
    run: Callable[[datetime], int]


JOBS: dict[str, Job] = {}


def job(name: str):
    """Decorator: ``@tick.job("maintenance.escalate")`` on ``def escalate(now) -> int``."""

    def decorator(func):
        if name in JOBS:
            raise ValueError("tick job {} registered twice".format(name))
        JOBS[name] = Job(name, func)
        return func

    return decorator
