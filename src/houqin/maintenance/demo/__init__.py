"""Demo data of maintenance: a believable year of repair jobs, emergencies, patrol rounds and PM plans.

For the school, its kindergarten and the hospital of the demo: jobs of the last twelve months up to now —
暖气 in winter, drains and leaks in the rainy season, 开学 checks in late August, air conditioning in summer,
electricity and network all year, mostly in working hours — reported by the people of the rooms'
departments, dispatched, repaired, rated. Each job is a script of the steps the services would have applied,
with their times and actors; steps after ``timezone.now()`` have not happened yet, so the newest jobs are
open, on hold or awaiting confirmation, exactly as they would be.

Everything is computed in Python and bulk-created (jobs, assignments, parts, events, incidents, plans, patrol
routes, rounds and visits); history gets one "created" record per row, written in bulk as the foundation's
demo does. An organisation that already has jobs is left alone, so a second ``houqin demo`` adds nothing.
Numbers are given here in report order and handed to ``numbering.keep`` so that later numbers continue.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from houqin.core import numbering
from houqin.core.demo import DemoContext, register
from houqin.core.models import Compensation, CompensationState, NumberSequence, OrgSetting, WorkflowEvent

from ..models import Incident, Job, JobAssignment, JobPart, MaintenancePlan
from ..services.repeats import refresh_all
from ..settings import REFERENCE_PRICES
from . import jobs, scenes
from .base import OrgWorld, S, Script
from .reads import read_once

# Jobs of a year: (full demo, small demo for tests).
VOLUME = {"qyzx": (1200, 150), "qyzx-yey": (260, 40), "qyxrmyy": (2500, 250)}
# What an outside company would charge per job: the statistics count self-repair savings against it.
REFERENCE_PRICES_DEMO = {
    "water": "150.00",
    "electric": "120.00",
    "hvac": "300.00",
    "door_window": "200.00",
    "network": "100.00",
    "equipment": "260.00",
    "building": "500.00",
    "other": "150.00",
}


@register
def load_maintenance(ctx: DemoContext) -> None:
    now = timezone.now()
    for org_code in VOLUME:
        org = ctx.orgs.get(org_code)
        if org is None:
            continue
        if not OrgSetting.objects.filter(org=org, key=REFERENCE_PRICES.key).exists():
            value = {code: {"price": price} for code, price in REFERENCE_PRICES_DEMO.items()}
            OrgSetting.objects.create(org=org, key=REFERENCE_PRICES.key, value=value)
        if Job.objects.filter(org=org).exists():
            continue  # loaded before, or real work recorded since: left alone
        world = OrgWorld(ctx, org_code, now)
        if not world.technicians or not world.office:
            continue
        if world.kind == "s":
            world.breaks = scenes.past_terms(world)
        if not world.small:
            scenes.contractor_technicians(world)
        with read_once():
            _load(world)


def _load(world: OrgWorld) -> None:
    full, small = VOLUME[world.code]
    plans = scenes.plans(world)
    MaintenancePlan.history.bulk_history_create(MaintenancePlan.objects.bulk_create([plan for plan, _s in plans]))
    incidents = scenes.incidents(world)
    routes = scenes.routes(world)
    scripts = jobs.everyday(world, small if world.small else full)
    scripts += [script for _plan, plan_scripts in plans for script in plan_scripts]
    scripts += [script for _incident, script in incidents]
    scripts += [script for rows in routes for script in rows.scripts]

    # Incidents first (jobs point at them), numbered in the order they happened.
    ordered = sorted((incident for incident, _s in incidents), key=lambda incident: incident.occurred_at)
    _number(world, ordered, "TF", lambda incident: incident.occurred_at)
    Incident.history.bulk_history_create(Incident.objects.bulk_create(ordered))

    scripts.sort(key=lambda script: script.reported_at)
    built = [jobs.build(world, script) for script in scripts]
    rows = [b.job for b in built]
    _number(world, rows, "BX", lambda job: job.reported_at)
    for job in rows:
        job.plan_id = job.plan.pk if job.plan else None
        job.incident_id = job.incident.pk if job.incident else None
    Job.objects.bulk_create(rows, batch_size=500)
    refresh_all(world.org)  # bulk_create bypassed job_create, which flags repeat faults
    Job.history.bulk_history_create(rows, batch_size=500)
    for script, b in zip(scripts, built, strict=True):
        script.job = b.job
    assignments = [a for b in built for a in b.assignments]
    parts = [p for b in built for p in b.parts]
    for row in (*assignments, *parts):
        row.job_id = row.job.pk
    JobAssignment.history.bulk_history_create(JobAssignment.objects.bulk_create(assignments, batch_size=500))
    JobPart.history.bulk_history_create(JobPart.objects.bulk_create(parts, batch_size=500))
    WorkflowEvent.objects.bulk_create(
        [
            WorkflowEvent(
                org_id=world.org.pk,
                content_type=world.job_ct,
                object_id=b.job.pk,
                action=action,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                at=at,
                note=note,
            )
            for b in built
            for action, from_state, to_state, actor, at, note in b.events
        ],
        batch_size=1000,
    )
    scenes.save_routes(world, routes)
    _compensations(world, [s for s in scripts if s.compensate and s.job.state == S.DONE])


def _number(world: OrgWorld, rows: list, prefix: str, when) -> None:
    """Codes in time order after any number the org's sequence has given; the sequence then continues after them."""
    last = dict(NumberSequence._base_manager.filter(org=world.org, prefix=prefix).values_list("year", "last"))
    for row in rows:
        year = when(row).astimezone(numbering.NUMBER_TZ).year
        last[year] = last.get(year, 0) + 1
        row.code = numbering.format_number(prefix, year, last[year])
    for year, n in last.items():
        numbering.keep(world.org, prefix, numbering.format_number(prefix, year, n))


def _compensations(world: OrgWorld, scripts: list[Script]) -> None:
    """赔偿 for a few jobs where a colleague damaged something (pupils and visitors are not members)."""
    rows = []
    for script in scripts[:4]:
        job = script.job
        people = [m for m in world.in_department(job.department_id) if m.user_id != job.reporter_id]
        amount = job.total_cost
        if not people or amount < 50:
            continue
        recorded = job.confirmed_at + timedelta(hours=world.rng.randint(2, 30))
        paid = world.rng.random() < 0.6 and recorded + timedelta(days=6) < world.now
        rows.append(
            Compensation(
                org=world.org,
                person=world.rng.choice(people),
                amount=amount,
                reason="{}：{}".format(job.location.name, job.work_done)[:200],
                content_type=world.job_ct,
                object_id=job.pk,
                source_label=job.code,
                state=CompensationState.PAID if paid else CompensationState.OPEN,
                recorded_by=world.head.user,
                recorded_at=recorded,
                settled_at=recorded + timedelta(days=world.rng.randint(2, 5)) if paid else None,
            )
        )
    if rows:
        Compensation.history.bulk_history_create(Compensation.objects.bulk_create(rows))
