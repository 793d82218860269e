"""The named scenes of the demo: emergencies, PM plans with the jobs they made, patrol routes with a month of
rounds, the past school year's terms and the hospital's lift contractor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from houqin.core import orgcache
from houqin.core.choices import Role
from houqin.core.models import Membership, RoleGrant, Term, TermKind, User
from houqin.core.models.parties import PartyKind

from .. import sla
from ..choices import Cause, CheckResult, IntervalUnit, JobSource, PlanSchedule, RoundState, ScheduleKind
from ..choices import Urgency as U
from ..models import Checkpoint, CheckpointVisit, Incident, MaintenancePlan, PatrolRound, PatrolRoute
from . import jobs
from .base import TZ, OrgWorld, Script, Step, local
from .stories import EMERGENCIES, PLANS, ROUTES, PlanSpec, RouteSpec

# The past school year ------------------------------------------------------------------------------

# (name pattern, kind, start (year offset, month, day), end (year offset, month, day)); year offset from Y,
# the calendar year in which the school year ends. The kindergarten keeps children a little longer.
SCHOOL_YEAR = {
    "qyzx": [
        ("{a}—{b}学年第一学期", TermKind.TERM, (-1, 9, 1), (0, 1, 23)),
        ("{b}年寒假", TermKind.WINTER_BREAK, (0, 1, 24), (0, 2, 22)),
        ("{a}—{b}学年第二学期", TermKind.TERM, (0, 2, 23), (0, 7, 3)),
        ("{b}年暑假", TermKind.SUMMER_BREAK, (0, 7, 4), (0, 8, 31)),
    ],
    "qyzx-yey": [
        ("{a}—{b}学年第一学期", TermKind.TERM, (-1, 9, 1), (0, 1, 30)),
        ("{b}年寒假", TermKind.WINTER_BREAK, (0, 1, 31), (0, 2, 22)),
        ("{a}—{b}学年第二学期", TermKind.TERM, (0, 2, 23), (0, 7, 17)),
        ("{b}年暑假", TermKind.SUMMER_BREAK, (0, 7, 18), (0, 8, 31)),
    ],
}


def past_terms(world: OrgWorld) -> list[tuple[date, date]]:
    """Adds the terms and breaks of the year behind us (the foundation's demo enters the current school year),
    so that the seasons of the jobs and the "each 暑假" plan have their breaks; returns every break."""
    existing = list(Term.objects.filter(org=world.org))
    new = []
    for year in (world.today.year - 1, world.today.year):
        for name, kind, (sy, sm, sd), (ey, em, ed) in SCHOOL_YEAR[world.code]:
            start, end = date(year + sy, sm, sd), date(year + ey, em, ed)
            if start > world.today or end < world.today - timedelta(days=400):
                continue
            if any(t.kind == kind and t.start <= end and start <= t.end for t in existing + new):
                continue
            new.append(Term(org=world.org, name=name.format(a=year - 1, b=year), kind=kind, start=start, end=end))
    if new:
        Term.history.bulk_history_create(Term.objects.bulk_create(new))
    breaks = (TermKind.WINTER_BREAK, TermKind.SUMMER_BREAK)
    return [(t.start, t.end) for t in existing + new if t.kind in breaks]


# People of outside parties --------------------------------------------------------------------------

CONTRACTOR_PEOPLE = {
    # org code → (phone, name, 工号, title) of a contractor's technician who works on the org's jobs
    "qyxrmyy": ("13800002901", "钱志远", "H0901", "电梯维保工程师（外包）"),
}


def contractor_technicians(world: OrgWorld) -> None:
    """The hospital's lift contractor sends its own engineer: a membership with the party set and the
    technician role, like the 物业 people of the foundation's demo (full demo only)."""
    spec = CONTRACTOR_PEOPLE.get(world.code)
    party = world.parties.get(PartyKind.MAINTENANCE)
    if spec is None or party is None:
        return
    phone, name, employee_no, title = spec
    user = User.objects.filter(phone=phone).first()
    if user is None:
        password = world.head.user.password  # the demo password, hashed once by the foundation
        user = User(phone=phone, name=name, password=password)
        User.objects.bulk_create([user])
        User.history.bulk_history_create([user])
    membership = Membership.objects.filter(org=world.org, user=user).first()
    if membership is None:
        membership = Membership(org=world.org, user=user, employee_no=employee_no, title=title, party=party)
        Membership.objects.bulk_create([membership])
        Membership.history.bulk_history_create([membership])
        grant = RoleGrant(org=world.org, membership=membership, role=Role.TECHNICIAN)
        RoleGrant.objects.bulk_create([grant])
        RoleGrant.history.bulk_history_create([grant])
        orgcache.changed([world.org.pk])  # bulk_create sends no signals
    membership.user = user
    world.technicians.append(membership)
    world.titles[membership.pk] = title


# Emergencies ---------------------------------------------------------------------------------------


def _last(world: OrgWorld, month: int, day: int, hour: int, minute: int) -> datetime:
    moment = local(date(world.today.year, month, day), time(hour, minute))
    return (
        moment
        if moment < world.now - timedelta(hours=2)
        else local(date(world.today.year - 1, month, day), time(hour, minute))
    )


def _who(world: OrgWorld, department: str, role: str) -> Membership:
    return (
        world.person(department=department, role=role)
        or world.person(role=role)
        or world.person(department=department)
        or world.office[0]
    )


def _team(world: OrgWorld, words: tuple[str, ...], category: str) -> tuple[Membership, ...]:
    team = []
    for word in words:
        found = next((m for m in world.technicians if word in world.titles.get(m.pk, "") and m not in team), None)
        if found:
            team.append(found)
    return tuple(team) or (world.technician_for(category),)


def incidents(world: OrgWorld) -> list[tuple[Incident, Script]]:
    result = []
    for spec in EMERGENCIES.get(world.code, ()):
        occurred = _last(world, *spec.when)
        location = world.place(spec.place)
        recorder = _who(world, *spec.recorder)
        reporter = _who(world, *spec.reporter) if any(spec.reporter) else recorder
        resolved = occurred + timedelta(minutes=spec.resolved)
        incident = Incident(
            org=world.org,
            kind=spec.kind,
            title=spec.title,
            location=location,
            building_id=location.building_id,
            occurred_at=occurred,
            on_site_at=occurred + timedelta(minutes=spec.on_site),
            resolved_at=resolved if resolved <= world.now else None,
            impact=spec.impact,
            measures=spec.measures,
            follow_up=spec.follow_up,
            reported_by=recorder.user,
        )
        reported = occurred + timedelta(minutes=min(3, spec.on_site))
        team = _team(world, spec.team, spec.category)
        office = world.dispatcher()
        if spec.urgency == U.EMERGENCY:
            dispatched = reported + timedelta(minutes=3)
        else:  # a night-time door: the office sends someone in the morning
            dispatched = max(reported + timedelta(minutes=5), world.working_moment(reported, spread=10))
        started = max(dispatched + timedelta(minutes=4), occurred + timedelta(minutes=spec.on_site))
        if spec.urgency != U.EMERGENCY:
            started = dispatched + timedelta(minutes=15)
        finished = max(resolved, started + timedelta(minutes=20))
        finish = {
            "work_done": spec.job.work_done,
            "cause": spec.cause,
            "hours": spec.job.hours[0],
            "parts": [(part, part.most) for part in spec.job.parts],
            "invoice": Decimal(spec.invoice),
        }
        confirmed = finished + timedelta(minutes=15)
        steps = [
            Step(reported, "report", reporter.user),
            Step(dispatched, "dispatch", office, team=team),
            Step(dispatched + timedelta(minutes=2), "accept", team[0].user),
            Step(started, "start", team[0].user),
            Step(finished, "finish", team[0].user, finish=finish),
            Step(confirmed, "confirm", reporter.user, spec.rating[1], rating=spec.rating[0], comment=spec.rating[1]),
        ]
        script = Script(
            reported_at=reported,
            category=spec.category,
            urgency=spec.urgency,
            location=location,
            description=spec.job.description,
            reporter=reporter,
            steps=steps,
            source=JobSource.INCIDENT,
            incident=incident,
        )
        result.append((incident, script))
    return result


# Preventive maintenance ----------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _due_dates(world: OrgWorld, spec: PlanSpec) -> tuple[date, list[date]]:
    """The plan's first date and every date whose job has appeared by today (``lead_days`` ahead)."""
    first = world.today - timedelta(days=365)
    last = world.today + timedelta(days=spec.lead_days)
    if spec.schedule == PlanSchedule.INTERVAL:
        start = date(first.year, first.month, spec.day)
        start = start if start >= first else _add_months(start, 1)
        dues, n = [], 0
        while _add_months(start, n * spec.every) <= last:
            dues.append(_add_months(start, n * spec.every))
            n += 1
        return start, dues
    if spec.schedule == PlanSchedule.DATES:
        month, day = (int(x) for x in spec.dates.split("-"))
        dues = [date(y, month, day) for y in (first.year, first.year + 1) if first <= date(y, month, day) <= last]
        return first, dues
    summers = Term.objects.filter(org=world.org, kind=TermKind.SUMMER_BREAK, start__gte=first, start__lte=last)
    return first, sorted(t.start for t in summers)


def _plan_targets(world: OrgWorld, spec: PlanSpec, location, made: datetime, due: date) -> sla.Targets | None:
    """A job made ahead counts its targets from its own date, as ``maintenance.pm_generate`` does."""
    if due <= made.astimezone(TZ).date():
        return None  # counted from the report, as for any job
    return sla.targets(
        world.org, category=spec.category, urgency=U.NORMAL, location=location, reported_at=local(due, time.min)
    )


def plans(world: OrgWorld) -> list[tuple[MaintenancePlan, list[Script]]]:
    result = []
    for spec in PLANS.get(world.code, ()):
        location = world.place(spec.place)
        assignee = _team(world, (spec.technician,), spec.category)[0]
        starts_on, dues = _due_dates(world, spec)
        plan = MaintenancePlan(
            org=world.org,
            name=spec.name,
            category=spec.category,
            location=location,
            description=spec.description,
            schedule=spec.schedule,
            interval_count=spec.every or None,
            interval_unit=IntervalUnit.MONTH if spec.every else "",
            fixed_dates=spec.dates,
            break_kind=TermKind.SUMMER_BREAK if spec.schedule == PlanSchedule.BREAK else "",
            starts_on=starts_on,
            lead_days=spec.lead_days,
            assignee=assignee,
        )
        scripts = []
        for due in dues:
            made = local(due - timedelta(days=spec.lead_days), time(0, 2, world.rng.randint(0, 59)))
            start = world.working_moment(local(due, time(8)), spread=90)
            finished = world.working_moment(start + timedelta(hours=min(spec.hours, 3.5)))
            if spec.hours > 4:  # a day or more of work
                last_day = start.astimezone(TZ).date() + timedelta(days=int(spec.hours // 8))
                finished = max(world.working_moment(local(last_day, time(16, 30))), start + timedelta(hours=3))
            finish = {
                "work_done": spec.work_done,
                "cause": Cause.AGING,
                "hours": spec.hours,
                "parts": [(part, part.most) for part in spec.parts],
                "invoice": 0,
            }
            steps = [
                Step(made, "plan", None),
                Step(made + timedelta(seconds=1), "dispatch", None, team=(assignee,)),
                Step(start - timedelta(minutes=world.rng.randint(5, 30)), "accept", assignee.user),
                Step(start, "start", assignee.user),
                Step(finished, "finish", assignee.user, finish=finish),
            ]
            if world.rng.random() < 0.6:
                confirmed = world.working_moment(finished + timedelta(hours=world.rng.randint(1, 20)))
                steps.append(Step(confirmed, "confirm", world.head.user))
            else:
                note = jobs.auto_confirm_note(world)
                steps.append(Step(finished + timedelta(days=world.auto_days, minutes=1), "auto_confirm", None, note))
            scripts.append(
                Script(
                    reported_at=made,
                    category=spec.category,
                    urgency=U.NORMAL,
                    location=location,
                    description=spec.description,
                    reporter=None,
                    steps=steps,
                    source=JobSource.PLAN,
                    plan=plan,
                    plan_due_on=due,
                    targets=_plan_targets(world, spec, location, made, due),
                )
            )
        result.append((plan, scripts))
    return result


# Patrols -----------------------------------------------------------------------------------------


@dataclass
class RouteRows:
    route: PatrolRoute
    checkpoints: list[Checkpoint]
    rounds: list[tuple[PatrolRound, list[CheckpointVisit]]]
    scripts: list[Script]
    visit_scripts: list[tuple[CheckpointVisit, Script]]


def routes(world: OrgWorld) -> list[RouteRows]:
    result = []
    for spec in ROUTES.get(world.code, ()):
        places = [(world.places[code], what) for code, what in spec.checkpoints if code in world.places]
        if len(places) < 2:
            continue  # the small demo lacks the places of this route
        walker = _walker(world, spec)
        route = PatrolRoute(
            org=world.org,
            name=spec.name,
            description=spec.description,
            schedule=spec.schedule,
            weekday=spec.weekday,
            start_time=spec.start,
            window_hours=Decimal(spec.window),
            responsible=walker,
        )
        checkpoints = [
            Checkpoint(org=world.org, route=route, location=place, position=n, instructions=what)
            for n, (place, what) in enumerate(places, start=1)
        ]
        rows = RouteRows(route, checkpoints, [], [], [])
        _rounds(world, spec, rows, walker)
        result.append(rows)
    return result


def _walker(world: OrgWorld, spec: RouteSpec) -> Membership:
    role, word = spec.walker
    if role == Role.TECHNICIAN:
        return _team(world, (word,), "other")[0]
    return world.person(role=role, title=word) or world.person(role=role) or world.security[0]


def _rounds(world: OrgWorld, spec: RouteSpec, rows: RouteRows, walker: Membership) -> None:
    rng = world.rng
    problem_day = world.today - timedelta(days=9)
    for back in range(30, -1, -1):
        day = world.today - timedelta(days=back)
        if spec.schedule == ScheduleKind.WORKING_DAYS and not world.is_working(day):
            continue
        if spec.schedule == ScheduleKind.WEEKLY and day.isoweekday() != spec.weekday:
            continue
        slot = local(day, spec.start)  # today's round is made when the day begins, visited once its time comes
        due_by = slot + timedelta(hours=float(spec.window))
        missed = due_by <= world.now and rng.random() < 0.06 and day != problem_day
        reach = rng.randint(0, len(rows.checkpoints) - 1) if missed else len(rows.checkpoints)
        round_ = PatrolRound(
            org=world.org,
            route=rows.route,
            scheduled_for=slot,
            due_by=due_by,
            checkpoint_count=len(rows.checkpoints),
        )
        visits = []
        at = slot + timedelta(minutes=rng.randint(0, 12))
        for index, checkpoint in enumerate(rows.checkpoints[:reach]):
            at += timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))
            if at > world.now or at > due_by:
                break
            visit = CheckpointVisit(org=world.org, round=round_, checkpoint=checkpoint, user=walker.user, visited_at=at)
            if spec.problem and day == problem_day and index == spec.problem[0]:
                visit.result, visit.note = CheckResult.PROBLEM, spec.problem[1]
                rows.visit_scripts.append((visit, _patrol_job(world, spec, checkpoint, walker, at)))
            visits.append(visit)
        round_.visited_count = len(visits)
        round_.started_at = visits[0].visited_at if visits else None
        if len(visits) == len(rows.checkpoints):
            round_.state, round_.completed_at = RoundState.COMPLETED, visits[-1].visited_at
        elif due_by <= world.now:
            round_.state = RoundState.MISSED
        else:
            round_.state = RoundState.IN_PROGRESS if visits else RoundState.PLANNED
        rows.rounds.append((round_, visits))
    rows.scripts = [script for _visit, script in rows.visit_scripts]


def _patrol_job(world: OrgWorld, spec: RouteSpec, checkpoint: Checkpoint, walker: Membership, at: datetime) -> Script:
    _index, _note, fault, category = spec.problem
    reported = at + timedelta(minutes=1)
    script = Script(
        reported_at=reported,
        category=category,
        urgency=U.NORMAL,
        location=checkpoint.location,
        description=fault.description,
        reporter=walker,
        steps=[Step(reported, "report", walker.user)],
        source=JobSource.PATROL,
    )
    jobs.life(world, script, fault)
    return script


def save_routes(world: OrgWorld, routes: list[RouteRows]) -> None:
    if not routes:
        return
    PatrolRoute.history.bulk_history_create(PatrolRoute.objects.bulk_create([r.route for r in routes]))
    checkpoints = [c for r in routes for c in r.checkpoints]
    for checkpoint in checkpoints:
        checkpoint.route_id = checkpoint.route.pk
    Checkpoint.history.bulk_history_create(Checkpoint.objects.bulk_create(checkpoints))
    rounds = [round_ for r in routes for round_, _v in r.rounds]
    for round_ in rounds:
        round_.route_id = round_.route.pk
    PatrolRound.history.bulk_history_create(PatrolRound.objects.bulk_create(rounds, batch_size=500))
    for r in routes:
        for visit, script in r.visit_scripts:
            visit.job = script.job
    visits = [v for r in routes for _round, visits in r.rounds for v in visits]
    for visit in visits:
        visit.round_id, visit.checkpoint_id = visit.round.pk, visit.checkpoint.pk
        visit.job_id = visit.job.pk if visit.job else None
    CheckpointVisit.history.bulk_history_create(CheckpointVisit.objects.bulk_create(visits, batch_size=500))
