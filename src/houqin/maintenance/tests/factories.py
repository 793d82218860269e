"""Jobs for tests, made through the services (numbers, SLA targets, events) as the real pages make them."""

from __future__ import annotations

from decimal import Decimal

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope

from .. import services
from ..choices import Cause


def actor_of(membership):
    return build_actor(membership.user, membership.org)


def make_job(world, *, reporter=None, location=None, category="water", urgency="normal", description="水龙头漏水"):
    """A job of org A reported by ``reporter`` (default: the staff member) at ``location`` (default: 101教室)."""
    reporter = reporter or world.member(Role.STAFF)
    with org_scope(world.org_a):
        return services.job_report(
            actor=actor_of(reporter),
            location=location or world.room_a,
            category=category,
            description=description,
            urgency=urgency,
        )


def advance(world, job, to: str):
    """Move ``job`` along the happy path to state ``to`` (assigned, accepted, in_progress, finished, done)."""
    office = actor_of(world.member(Role.DISPATCHER))
    technician = world.member(Role.TECHNICIAN)
    tech = actor_of(technician)
    steps = ["assigned", "accepted", "in_progress", "finished", "done"]
    with org_scope(world.org_a):
        for step in steps[: steps.index(to) + 1]:
            job.refresh_from_db()
            if step == "assigned":
                services.job_dispatch(actor=office, job=job, technicians=[technician])
            elif step == "accepted":
                services.job_accept(actor=tech, job=job)
            elif step == "in_progress":
                services.job_start(actor=tech, job=job)
            elif step == "finished":
                services.job_finish(
                    actor=tech,
                    job=job,
                    work_done="更换水龙头阀芯",
                    cause=Cause.AGING,
                    labour_hours=Decimal("1.5"),
                    parts=[{"name": "阀芯", "unit": "个", "quantity": "1", "unit_cost": "25.00"}],
                )
            elif step == "done":
                reporter = job.reporter
                actor = build_actor(reporter, world.org_a) if reporter else office
                services.job_confirm(actor=actor, job=job, rating=5, comment="很及时")
        job.refresh_from_db()
    return job
