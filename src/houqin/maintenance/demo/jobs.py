"""The jobs of the demo: the everyday repairs of a year, and turning any job's script into rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from houqin.core.models import Location
from houqin.core.models.parties import PartyKind

from .. import sla
from ..choices import Cause
from ..choices import Urgency as U
from ..models import Job, JobAssignment, JobPart
from . import texts
from .base import TARGET, TZ, Built, OrgWorld, S, Script, Step, local, money
from .texts import Fault, Part

# Turning a script into rows ---------------------------------------------------------------------


def build(world: OrgWorld, script: Script) -> Built:
    """The job as it stands at ``world.now``: the steps up to now applied as the services apply them."""
    targets = script.targets or sla.targets(
        world.org,
        category=script.category,
        urgency=script.urgency,
        location=script.location,
        reported_at=script.reported_at,
    )
    reporter = script.reporter
    job = Job(
        org=world.org,
        source=script.source,
        category=script.category,
        urgency=script.urgency,
        location=script.location,
        building_id=script.location.building_id,
        description=script.description,
        reporter=reporter.user if reporter else None,
        reporter_name=reporter.user.name if reporter else "",
        contact_phone=script.contact_phone,
        department_id=script.department_id or (reporter.department_id if reporter else None),
        reported_at=script.reported_at,
        response_due=targets.response_due,
        completion_due=targets.completion_due,
        wall_clock=targets.wall_clock,
        plan=script.plan,
        plan_due_on=script.plan_due_on,
        incident=script.incident,
        created_by=reporter.user if reporter else None,
    )
    built = Built(job)
    state = ""
    team: dict[int, JobAssignment] = {}
    open_since: list[tuple[datetime, str]] = []  # (time, state) after each step, for the escalation time
    for step in script.steps:
        if step.at > world.now:
            break
        to = TARGET[step.action]
        if step.action == "dispatch":
            for assignment in team.values():
                if assignment.membership not in step.team:
                    assignment.removed_at = step.at
            added = False
            for position, membership in enumerate(step.team):
                if membership.pk not in team or team[membership.pk].removed_at:
                    team[membership.pk] = JobAssignment(
                        org=world.org,
                        job=job,
                        membership=membership,
                        user=membership.user,
                        is_lead=position == 0,
                        assigned_at=step.at,
                        assigned_by=step.actor,
                    )
                    built.assignments.append(team[membership.pk])
                    added = True
            job.party = next((m.party for m in step.team if m.party_id), None)
            job.dispatched_at = step.at
            job.accepted_at = None if added else job.accepted_at
        elif step.action == "accept":
            job.accepted_at = step.at
        elif step.action == "start":
            job.accepted_at = job.accepted_at or step.at
            job.started_at = job.started_at or step.at
        elif step.action == "hold":
            job.hold_reason = step.note[:200]
        elif step.action == "resume":
            job.hold_reason = ""
            job.started_at = job.started_at or step.at
        elif step.action == "finish":
            _finish(world, job, built, step)
        elif step.action == "confirm":
            job.rating, job.rating_comment = step.rating, step.comment
            job.confirmed_at = job.closed_at = step.at
        elif step.action == "auto_confirm":
            job.confirmed_at = job.closed_at = step.at
            job.auto_confirmed = True
        elif step.action == "reopen":
            job.reopen_count += 1
            job.finished_at = job.accepted_at = None
        elif step.action in ("reject", "cancel"):
            job.closed_at = step.at
        built.events.append((step.action, state, to, step.actor, step.at, step.note))
        state = to
        open_since.append((step.at, state))
    job.state = state
    job.escalated_at = _escalated(world, job, open_since)
    return built


def _finish(world: OrgWorld, job: Job, built: Built, step: Step) -> None:
    data = step.finish
    lines = [
        JobPart(
            org=world.org,
            job=job,
            name=part.name,
            spec=part.spec,
            unit=part.unit,
            quantity=Decimal(quantity).quantize(Decimal("0.01")),
            unit_cost=money(part.price),
            amount=money(Decimal(part.price) * quantity),
        )
        for part, quantity in data["parts"]
    ]
    built.parts[:] = lines  # finished again after 返修: the final parts
    hours = Decimal(str(data["hours"])).quantize(Decimal("0.5")) or Decimal("0.5")
    job.work_done, job.cause = data["work_done"], data["cause"]
    job.labour_hours, job.hourly_rate = hours, world.rate
    job.parts_cost = sum((line.amount for line in lines), Decimal("0.00"))
    job.labour_cost = money(hours * world.rate)
    job.contractor_invoice = money(data.get("invoice") or 0)
    job.total_cost = job.parts_cost + job.labour_cost + job.contractor_invoice
    job.started_at = job.started_at or step.at
    job.finished_at = step.at


def _escalated(world: OrgWorld, job: Job, states: list[tuple[datetime, str]]) -> datetime | None:
    """When ``houqin tick`` (every two minutes) would have told the head: the first moment the job was open and
    past its completion target, or past its response target with nobody on it."""

    def state_at(moment):
        current = ""
        for at, state in states:
            if at > moment:
                break
            current = state
        return current

    moments = [job.completion_due]
    first_response = min((at for at, state in states if state in (S.ACCEPTED, S.IN_PROGRESS)), default=None)
    if first_response is None or first_response > job.response_due:
        moments.append(job.response_due)
    for moment in sorted(moments):
        told = moment + timedelta(minutes=2)
        if told <= world.now and state_at(told) in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD):
            if moment == job.response_due and state_at(told) not in (S.NEW, S.ASSIGNED):
                continue
            return told
    return None


# The everyday jobs ------------------------------------------------------------------------------


def _day_weights(world: OrgWorld) -> list[tuple[date, float]]:
    today = world.now.astimezone(TZ).date()
    days = []
    for n in range(365, -1, -1):
        day = today - timedelta(days=n)
        weight = 1.0 if world.is_working(day) else (0.45 if world.kind == "h" else 0.12)
        if world.kind == "s":
            if (day.month, day.day) >= (8, 20) and day.month == 8:
                weight = 1.7  # 开学 preparation
            elif world.in_break(day):
                weight *= 0.3
            elif day.month == 9 and day.day <= 10:
                weight *= 1.3
        days.append((day, weight))
    return days


def _category(world: OrgWorld, day: date) -> str:
    weights = dict(texts.BASE_WEIGHTS[world.kind])
    if day.month in texts.WINTER:
        weights["hvac"] += texts.HVAC_WINTER[world.kind]
    if day.month in texts.SUMMER:
        weights["hvac"] += texts.HVAC_SUMMER[world.kind]
    if day.month in texts.RAINY:
        for code, extra in texts.RAIN_EXTRA.items():
            weights[code] += extra
    codes = list(weights)
    return world.rng.choices(codes, weights=[weights[c] for c in codes])[0]


HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 12, 40, 44, 36, 22, 6, 10, 34, 40, 32, 16, 7, 5, 4, 3, 2, 1]
HOUR_WEIGHTS_NIGHT_SHY = [w if 7 <= h <= 18 else w // 3 for h, w in enumerate(HOUR_WEIGHTS)]


def _moment(world: OrgWorld, day: date) -> datetime:
    weights = HOUR_WEIGHTS if world.kind == "h" else HOUR_WEIGHTS_NIGHT_SHY
    hour = world.rng.choices(range(24), weights=weights)[0]
    return local(day, time(hour, world.rng.randint(0, 59), world.rng.randint(0, 59)))


def _pick_fault(world: OrgWorld, category: str, day: date) -> Fault:
    pool = texts.FAULTS[category]
    term_start = world.kind == "s" and day.month == 8 and day.day >= 20
    if term_start and category in texts.TERM_START_FAULTS and world.rng.random() < 0.7:
        pool = texts.TERM_START_FAULTS[category]
    if category == "hvac":
        winter = day.month in texts.WINTER
        pool = tuple(f for f in pool if ("暖气" in f.description) == winter) or pool
    pool = tuple(f for f in pool if world.kind in f.orgs) or pool
    return world.rng.choice(pool)


def _describe(fault: Fault, location: Location) -> str:
    place = location.name
    if location.note and location.note.endswith("班"):
        place = location.note + "教室"  # 三(1)班教室 rather than 301教室
    return fault.description.format(place=place)


def _urgency(world: OrgWorld, category: str) -> str:
    roll = world.rng.random()
    if category in ("water", "electric", "hvac") and roll < 0.035:
        return U.EMERGENCY
    return U.URGENT if roll < 0.17 else U.NORMAL


def _parts(world: OrgWorld, parts: tuple[Part, ...]) -> list[tuple[Part, int]]:
    return [(part, world.rng.randint(1, part.most)) for part in parts]


def _cause(world: OrgWorld, category: str) -> str:
    roll = world.rng.random()
    damage = 0.16 if category in texts.DAMAGE_CATEGORIES else 0
    if roll < damage:
        return Cause.DAMAGE
    if roll < damage + 0.09:
        return Cause.MISUSE
    if roll < damage + 0.11:
        return Cause.DESIGN
    if roll < damage + 0.15:
        return Cause.OTHER
    return Cause.AGING


def everyday(world: OrgWorld, count: int) -> list[Script]:
    rng = world.rng
    days = _day_weights(world)
    total = sum(w for _d, w in days)
    scripts = []
    # Systematic sampling: each day gets its share with the remainder carried on, so the counts follow the
    # weights closely and no month of a small kindergarten is left empty by chance.
    carry = rng.random()
    for day, weight in days:
        carry += count * weight / total
        n = int(carry)
        carry -= n
        for _n in range(n):
            reported = _moment(world, day)
            if reported >= world.now:
                continue
            category = _category(world, day)
            fault = _pick_fault(world, category, day)
            location = rng.choice(world.rooms_for(fault.places))
            reporter = world.reporter_at(location)
            script = Script(
                reported_at=reported,
                category=category,
                urgency=_urgency(world, category),
                location=location,
                description=_describe(fault, location),
                reporter=reporter,
                steps=[Step(reported, "report", reporter.user)],
            )
            # A year without one rejected duplicate or one cancelled report is not believable, however small
            # the site: one of each, a third and two thirds of the way through.
            forced = {count // 3: REJECTED_ROLL, 2 * count // 3: CANCELLED_ROLL}.get(len(scripts))
            life(world, script, fault, roll=forced)
            scripts.append(script)
    return scripts


REJECTED_ROLL, CANCELLED_ROLL = 0.0, 0.02  # what life()'s roll must be for a rejected, a cancelled job


def life(world: OrgWorld, script: Script, fault: Fault, roll: float | None = None) -> None:
    """The steps after the report: dispatch, work, perhaps a hold or 返修, and the reporter's verdict.
    ``roll`` decides between rejected, cancelled and worked on (random unless given)."""
    rng, steps = world.rng, script.steps
    script.targets = sla.targets(
        world.org,
        category=script.category,
        urgency=script.urgency,
        location=script.location,
        reported_at=script.reported_at,
    )
    targets = script.targets
    fast = script.urgency != U.NORMAL or targets.wall_clock
    reporter = script.reporter.user if script.reporter else None
    office = world.dispatcher()
    roll = rng.random() if roll is None else roll
    if roll < 0.015:
        at = world.working_moment(script.reported_at + timedelta(minutes=rng.randint(10, 90)))
        steps.append(Step(at, "reject", office, rng.choice(texts.REJECT_REASONS)))
        return
    dispatched = script.reported_at + timedelta(minutes=rng.randint(3, 15))
    if not fast:
        dispatched = world.working_moment(script.reported_at + timedelta(minutes=rng.randint(5, 75)))
    lead = world.technician_for(script.category)
    team = (lead,)
    if rng.random() < 0.1 and len(world.technicians) > 1:
        team = (lead, rng.choice([m for m in world.technicians if m != lead]))
    steps.append(Step(dispatched, "dispatch", office, team=team))
    if roll < 0.035:
        at = world.working_moment(dispatched + timedelta(minutes=rng.randint(10, 240)))
        who = reporter if reporter and rng.random() < 0.6 else office
        steps.append(Step(at, "cancel", who, rng.choice(texts.CANCEL_REASONS)))
        return
    worker = lead.user
    late = rng.random() < 0.08
    if fast:
        accepted = dispatched + timedelta(minutes=rng.randint(2, 25 if not late else 120))
    else:
        accepted = world.working_moment(dispatched + timedelta(minutes=rng.randint(5, 110 if not late else 420)))
    if rng.random() < 0.7:
        steps.append(Step(accepted, "accept", worker))
    started = accepted + timedelta(minutes=rng.randint(3, 30))
    if not fast:
        started = world.working_moment(accepted + timedelta(minutes=rng.randint(5, 180)))
    steps.append(Step(started, "start", worker))
    working = started
    if rng.random() < 0.05:
        held = working + timedelta(minutes=rng.randint(20, 60))
        steps.append(Step(held, "hold", worker, rng.choice(texts.HOLD_REASONS)))
        working = world.working_moment(held + timedelta(days=rng.choice((1, 2, 3, 5, 8, 14))))
        steps.append(Step(working, "resume", worker))
    hours = rng.uniform(*fault.hours)
    finished = working + timedelta(hours=hours * rng.uniform(1.0, 1.6))
    if not fast:
        finished = world.working_moment(finished)
    if rng.random() < 0.09 and finished < targets.completion_due:
        finished = world.working_moment(targets.completion_due + timedelta(hours=rng.randint(2, 60)))
    finish = finish_data(world, script, fault, hours, team)
    steps.append(Step(finished, "finish", worker, finish=finish))
    if rng.random() < 0.03 and reporter:
        reopened = world.working_moment(finished + timedelta(hours=rng.randint(2, 30)))
        steps.append(Step(reopened, "reopen", reporter, rng.choice(texts.REOPEN_REASONS)))
        again = world.working_moment(reopened + timedelta(minutes=rng.randint(20, 300)))
        steps.append(Step(again, "accept", worker))
        steps.append(Step(again + timedelta(minutes=rng.randint(5, 40)), "start", worker))
        finished = world.working_moment(again + timedelta(hours=rng.uniform(1, 3)))
        steps.append(Step(finished, "finish", worker, finish=finish))
        verdict(world, script, finished, low=True)
        return
    verdict(world, script, finished)


def auto_confirm_note(world: OrgWorld) -> str:
    return _("Not confirmed within {days} days.").format(days=world.auto_days)  # as the tick job writes it


def verdict(world: OrgWorld, script: Script, finished: datetime, *, low: bool = False) -> None:
    rng = world.rng
    reporter = script.reporter.user if script.reporter else None
    if reporter is None or rng.random() < 0.1:
        at = finished + timedelta(days=world.auto_days, minutes=rng.randint(0, 2))
        script.steps.append(Step(at, "auto_confirm", None, auto_confirm_note(world)))
        return
    at = finished + timedelta(minutes=rng.randint(10, 600))
    if rng.random() < 0.3:
        at = world.working_moment(at + timedelta(hours=rng.randint(12, 40)))
    rating = rng.choices((5, 4, 3, 2, 1), weights=(10, 20, 35, 25, 10) if low else (58, 29, 8, 3, 2))[0]
    if script.finished_late(finished) and rating > 3 and rng.random() < 0.4:
        rating -= 1
    comment = rng.choice(texts.COMMENTS[rating])
    script.steps.append(Step(at, "confirm", reporter, comment, rating=rating, comment=comment))


def finish_data(world: OrgWorld, script: Script, fault: Fault, hours: float, team) -> dict:
    rng = world.rng
    cause = _cause(world, script.category)
    invoice = Decimal(0)
    contractor = next((m.party for m in team if m.party_id), None)
    if contractor is not None:
        if contractor.kind == PartyKind.MAINTENANCE:
            invoice = Decimal(rng.randrange(180, 900, 20))
        elif script.category == "building" and rng.random() < 0.5:
            invoice = Decimal(rng.randrange(300, 2600, 50))
    work = fault.work_done
    if cause == Cause.DAMAGE:
        words, by_colleague = rng.choice(texts.DAMAGE_REASONS[world.kind])
        work += "（{}）".format(words)
        script.compensate = by_colleague and rng.random() < 0.3
    return {"work_done": work, "cause": cause, "hours": hours, "parts": _parts(world, fault.parts), "invoice": invoice}
