"""What the demo generator works with: an organisation as it sees it, and a job's script of steps."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from houqin.core import orgsettings, workcalendar
from houqin.core.choices import Role
from houqin.core.demo import SMALL, DemoContext
from houqin.core.models import Location, Membership, Party, User

from .. import sla
from ..choices import JobSource, JobState
from ..models import Incident, Job, JobAssignment, JobPart, MaintenancePlan
from ..settings import AUTO_CONFIRM_DAYS, HOURLY_RATE
from . import places

TZ = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
S = JobState
KIND = {"qyzx": "s", "qyzx-yey": "s", "qyxrmyy": "h"}  # s: school or kindergarten, h: hospital
WORKING_PERIODS = ((time(8), time(12)), (time(14), time(17, 30)))  # when people are at work (not the SLA)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ)


@dataclass
class Step:
    """One transition as the service would apply it, with its time, actor and what it records."""

    at: datetime
    action: str
    actor: User | None
    note: str = ""
    team: tuple[Membership, ...] = ()  # dispatch
    finish: dict | None = None  # finish: work_done, cause, hours, parts [(Part, qty)], invoice
    rating: int | None = None  # confirm
    comment: str = ""


# The state each action leads to (as in Job.WORKFLOW).
TARGET = {
    "report": S.NEW,
    "plan": S.NEW,
    "dispatch": S.ASSIGNED,
    "accept": S.ACCEPTED,
    "start": S.IN_PROGRESS,
    "hold": S.ON_HOLD,
    "resume": S.IN_PROGRESS,
    "finish": S.FINISHED,
    "confirm": S.DONE,
    "auto_confirm": S.DONE,
    "reopen": S.ASSIGNED,
    "reject": S.REJECTED,
    "cancel": S.CANCELLED,
}


@dataclass
class Script:
    """A job from its report on, whatever has happened by now and what would happen later."""

    reported_at: datetime
    category: str
    urgency: str
    location: Location
    description: str
    reporter: Membership | None
    steps: list[Step]
    source: str = JobSource.REPORT
    contact_phone: str = ""
    department_id: int | None = None
    plan: MaintenancePlan | None = None
    plan_due_on: date | None = None
    incident: Incident | None = None
    targets: sla.Targets | None = None
    job: Job | None = None
    compensate: bool = False

    def finished_late(self, finished: datetime) -> bool:
        return bool(self.targets and finished > self.targets.completion_due)


@dataclass
class Built:
    job: Job
    assignments: list[JobAssignment] = field(default_factory=list)
    parts: list[JobPart] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)  # (action, from, to, actor, at, note)


class OrgWorld:
    """One demo organisation's places, people, calendar and settings, read once."""

    def __init__(self, ctx: DemoContext, org_code: str, now: datetime):
        self.ctx, self.code, self.now = ctx, org_code, now
        self.org = ctx.orgs[org_code]
        self.kind = KIND[org_code]
        self.small = ctx.size == SMALL
        self.rng = random.Random("maintenance-demo-" + org_code)
        self.places = {code: loc for (oc, code), loc in ctx.locations.items() if oc == org_code}
        self.rooms = [loc for loc in self.places.values() if loc.kind in ("room", "area") and loc.is_active]
        self.rooms = self.rooms or list(self.places.values())
        by_id = {loc.pk: loc for loc in self.places.values()}
        self.building_code = {
            loc.pk: by_id[loc.building_id].code if loc.building_id in by_id else "" for loc in self.rooms
        }
        people = [p for p in ctx.people if p.org_code == org_code]
        self.members = {p.phone: ctx.members[(org_code, p.phone)] for p in people}
        self.by_department: dict[str, list[Membership]] = {}
        for person in people:
            if person.role not in (Role.TECHNICIAN, Role.BUREAU):
                self.by_department.setdefault(person.department, []).append(self.members[person.phone])
        self.titles = {self.members[p.phone].pk: p.title for p in people}
        role = ctx.members_with_role
        self.technicians = role(org_code, Role.TECHNICIAN)
        self.office = role(org_code, Role.DISPATCHER) or role(org_code, Role.LOGISTICS_HEAD)
        self.head = (role(org_code, Role.LOGISTICS_HEAD) or self.office)[0]
        self.security = role(org_code, Role.SECURITY) or self.office
        self.reporters = (role(org_code, Role.STAFF) + role(org_code, Role.DEPT_HEAD)) or self.office
        self.parties = {p.kind: p for p in Party.objects.filter(org=self.org).order_by("-id")}
        self.rate = Decimal(orgsettings.value(self.org, HOURLY_RATE.key))
        self.auto_days = int(orgsettings.value(self.org, AUTO_CONFIRM_DAYS.key))
        first = (now - timedelta(days=372)).astimezone(TZ).date()
        self.working = {
            first + timedelta(days=n): workcalendar.is_working_day(self.org, first + timedelta(days=n))
            for n in range(400)
        }
        self.breaks: list[tuple[date, date]] = []
        self.job_ct = ContentType.objects.get_for_model(Job)

    @property
    def today(self) -> date:
        return self.now.astimezone(TZ).date()

    # places and people

    def place(self, code: str) -> Location:
        """A named demo place, or (the small demo has few places) the nearest one that exists."""
        while code:
            if code in self.places:
                return self.places[code]
            code = code.rsplit("-", 1)[0] if "-" in code else ""
        return self.rooms[0]

    def rooms_for(self, words: tuple[str, ...]) -> list[Location]:
        if not words:
            return self.rooms
        return [loc for loc in self.rooms if any(word in loc.name for word in words)] or self.rooms

    def reporter_at(self, location: Location) -> Membership:
        departments = places.departments_at(self.code, self.building_code.get(location.pk, ""), location.code)
        candidates = [m for code in departments for m in self.by_department.get(code, [])]
        return self.rng.choice(candidates or self.reporters)

    def person(self, *, department: str = "", role: str = "", title: str = "") -> Membership | None:
        """The first demo person matching all that is given, for the named scenes."""
        for person in self.ctx.people:
            if person.org_code != self.code:
                continue
            if department and person.department != department:
                continue
            if role and not any(r == role for r, _d in person.grants):
                continue
            if title and title not in person.title:
                continue
            return self.members[person.phone]
        return None

    def in_department(self, department_id) -> list[Membership]:
        return [m for members in self.by_department.values() for m in members if m.department_id == department_id]

    def technician_for(self, category: str) -> Membership:
        words = places.TECHNICIAN_WORDS[self.kind].get(category, ())
        fitting = [m for m in self.technicians if any(w in self.titles.get(m.pk, "") for w in words)]
        return self.rng.choice(fitting or self.technicians)

    def dispatcher(self) -> User:
        return self.rng.choice(self.office).user

    # time

    def is_working(self, day: date) -> bool:
        found = self.working.get(day)
        return day.weekday() < 5 if found is None else found

    def in_break(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.breaks)

    def working_moment(self, moment: datetime, *, spread: int = 40) -> datetime:
        """``moment`` if people are at work then, else the start of the next working period plus a few minutes."""
        moment = moment.astimezone(TZ)
        for _ in range(30):
            day = moment.date()
            if self.is_working(day):
                for start, end in WORKING_PERIODS:
                    if moment < local(day, start):
                        return local(day, start) + timedelta(minutes=self.rng.randint(5, spread))
                    if moment < local(day, end):
                        return moment
            moment = local(day + timedelta(days=1), time(0))
        return moment
