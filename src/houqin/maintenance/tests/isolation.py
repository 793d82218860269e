"""Maintenance routes for the org-isolation walk (core/tests/test_isolation.py; see isolation_support.py).

Each page or endpoint of the module is mapped here with how org A's control member reaches an org-A row
and a valid write. ``make_rows`` makes those rows (stored on ``world``) before any state is taken.
"""

from houqin.core.choices import Role  # noqa: F401  (used by the entries below)
from houqin.core.tests.isolation_support import T  # noqa: F401

from .. import permissions as p
from .factories import advance, make_job

# The reads a bureau has on the organisations below it (a literal, not read from permissions.TABLE).
BUREAU_READS = {p.JOB_VIEW, p.STATS_VIEW, p.INCIDENT_VIEW, p.PATROL_VIEW, p.PLAN_VIEW}


def make_rows(world):
    # A new job, and one being repaired by the technician (reported by the staff member).
    world.job_new = make_job(world, description="走廊灯不亮", category="electric")
    world.job_working = advance(world, make_job(world), "in_progress")


PAGES = {}

API = {}
