"""Reads of repair jobs for the board, the technician's list, the job list and its export.

Every function restricts to what the actor may see, narrows through ``JobFilterSet`` (the one filter of the
page, the API, the export and the facts) and loads its relations in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import dictionaries
from houqin.core.permissions import Actor, restrict
from houqin.core.todos import Todo

from .. import permissions as p
from ..choices import OPEN_STATES, URGENCY_RANK, JobState, Urgency
from ..filtersets import JobFilterSet, overdue_q
from ..models import Job, JobAssignment
from ..settings import CATEGORY

BOARD_LIMIT = 200  # cards on the board; more → "use the filters"
FINISHED_LIMIT = 50  # the board's "awaiting confirmation" column
MY_LIMIT = 200  # a technician's open jobs (far fewer in practice)
MY_FINISHED_LIMIT = 20


def current_assignments() -> Prefetch:
    """The technicians now on each job (lead first), as ``job.current_assignments``."""
    return Prefetch(
        "assignments",
        queryset=JobAssignment.objects.filter(removed_at__isnull=True)
        .select_related("user")
        .order_by("-is_lead", "id"),
        to_attr="current_assignments",
    )


def with_relations(queryset: QuerySet) -> QuerySet:
    """Everything a job row, card or export line shows, in two queries for any number of rows."""
    return queryset.select_related("location", "building", "department", "party", "reporter").prefetch_related(
        current_assignments()
    )


CARD_FIELDS = (
    "id",
    "org_id",
    "code",
    "state",
    "category",
    "urgency",
    "description",
    "hold_reason",
    "reported_at",
    "response_due",
    "completion_due",
    "accepted_at",
    "started_at",
    "finished_at",
    "location__id",
    "location__name",
    "building__id",
    "building__name",
    "party__id",
    "party__name",
)


def for_cards(queryset: QuerySet) -> QuerySet:
    """What a board or phone card shows (``partials/job_card.html``, ``my_jobs.html``) and no more: a board
    holds hundreds of cards, so the columns and models nobody looks at are left out."""
    return (
        queryset.select_related("location", "building", "party")
        .only(*CARD_FIELDS)
        .prefetch_related(current_assignments())
    )


def urgency_rank():
    """Emergency 0, urgent 1, normal 2 — for ordering by urgency in the database."""
    return Case(
        *[When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_RANK.items()],
        default=Value(len(URGENCY_RANK)),
        output_field=IntegerField(),
    )


def visible_jobs(actor: Actor) -> QuerySet:
    return restrict(Job.objects.all(), actor, p.JOB_VIEW)


def filter_jobs(queryset: QuerySet, params: Mapping, *, request=None) -> tuple[QuerySet, JobFilterSet]:
    """``queryset`` through ``JobFilterSet``; returns the rows and the filterset (its form shows the errors)."""
    filterset = JobFilterSet(params, queryset=queryset, request=request)
    return filterset.qs, filterset


# Decoration: what the templates show beside the stored fields -------------------------------------


def _span(delta: timedelta) -> tuple[str, int]:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return "min", max(minutes, 1)
    hours = minutes // 60
    if hours < 48:
        return "h", hours
    return "d", hours // 24


def due_text(job: Job, now: datetime) -> str:
    """ "剩 2 小时" / "已超时 3 小时" for an open job's completion target ("" without one)."""
    if job.state not in OPEN_STATES:
        return ""
    if job.completion_due and job.completion_due < now:
        unit, n = _span(now - job.completion_due)
        return {
            "min": _("{n} min overdue"),
            "h": _("{n} h overdue"),
            "d": _("{n} days overdue"),
        }[unit].format(n=n)
    if job.response_due and job.response_due < now and not job.accepted_at and not job.started_at:
        unit, n = _span(now - job.response_due)
        return {
            "min": _("Response {n} min overdue"),
            "h": _("Response {n} h overdue"),
            "d": _("Response {n} days overdue"),
        }[unit].format(n=n)
    if not job.completion_due:
        return ""
    unit, n = _span(job.completion_due - now)
    return {"min": _("{n} min left"), "h": _("{n} h left"), "d": _("{n} days left")}[unit].format(n=n)


URGENCY_COLOUR = {Urgency.EMERGENCY: "red", Urgency.URGENT: "orange", Urgency.NORMAL: "secondary"}
STATE_COLOUR = {
    JobState.NEW: "blue",
    JobState.ASSIGNED: "azure",
    JobState.ACCEPTED: "indigo",
    JobState.IN_PROGRESS: "purple",
    JobState.ON_HOLD: "yellow",
    JobState.FINISHED: "teal",
    JobState.DONE: "green",
    JobState.REJECTED: "secondary",
    JobState.CANCELLED: "secondary",
}


def decorate(jobs: list[Job], labels: Mapping[str, str], now: datetime, *, org_code: str = "") -> list[Job]:
    """Set ``category_label``, ``late``, ``due_text``, ``technician_names``, badge labels and colours, and with
    ``org_code`` the page address ``url``, on each job (labels and address made once per list, not per card)."""
    urgency_labels = {value: str(label) for value, label in Urgency.choices}
    state_labels = {value: str(label) for value, label in JobState.choices}
    # The job page's address, reversed once: ".../jobs/0/" less its "0/", then each job's id.
    url_prefix = reverse("maintenance:job_detail", args=[org_code, 0])[:-2] if org_code else None
    for job in jobs:
        job.category_label = labels.get(job.category, job.category)
        job.late = job.is_overdue(now)
        job.due_text = due_text(job, now)
        assignments = getattr(job, "current_assignments", [])
        job.technician_names = "、".join(a.user.name for a in assignments)
        job.urgency_colour = URGENCY_COLOUR.get(job.urgency, "secondary")
        job.state_colour = STATE_COLOUR.get(job.state, "secondary")
        job.urgency_label = urgency_labels.get(job.urgency, job.urgency)
        job.state_label = state_labels.get(job.state, job.state)
        if url_prefix:
            job.url = "{}{}/".format(url_prefix, job.pk)
    return jobs


def category_labels(org) -> dict[str, str]:
    return dictionaries.labels(org, CATEGORY.key)


# The dispatch board --------------------------------------------------------------------------------


def board_jobs(actor: Actor, params: Mapping, *, now: datetime | None = None) -> dict:
    """Open jobs, overdue first then by completion target, and finished ones awaiting confirmation — each
    bounded (the board never loads the whole table), filtered by the board's filters."""
    now = now or timezone.now()
    rows, filterset = filter_jobs(visible_jobs(actor), params)
    late_first = Case(When(overdue_q(now), then=Value(0)), default=Value(1), output_field=IntegerField())
    # state__in first: the (org, state, completion_due) index mnt_job_state_due narrows the rows.
    open_jobs = list(
        for_cards(rows.filter(state__in=OPEN_STATES))
        .annotate(late_first=late_first)
        .order_by("late_first", F("completion_due").asc(nulls_last=True), "id")[: BOARD_LIMIT + 1]
    )
    finished = list(for_cards(rows.filter(state=JobState.FINISHED)).order_by("finished_at", "id")[: FINISHED_LIMIT + 1])
    labels = category_labels(actor.org)
    return {
        "open": decorate(open_jobs[:BOARD_LIMIT], labels, now, org_code=actor.org.code),
        "open_truncated": len(open_jobs) > BOARD_LIMIT,
        "finished": decorate(finished[:FINISHED_LIMIT], labels, now, org_code=actor.org.code),
        "finished_truncated": len(finished) > FINISHED_LIMIT,
        "filterset": filterset,
    }


# The technician's phone list -------------------------------------------------------------------------


def _mine(actor: Actor) -> QuerySet:
    on_job = JobAssignment.objects.filter(user=actor.user, removed_at__isnull=True).values("job_id")
    return visible_jobs(actor).filter(pk__in=on_job)


def my_jobs(actor: Actor, *, now: datetime | None = None) -> dict:
    """The actor's assigned open jobs by urgency (emergency, urgent, normal) then completion target; the
    finished ones awaiting the reporter; and how many they finished today."""
    now = now or timezone.now()
    mine = _mine(actor)
    open_jobs = list(
        for_cards(mine.filter(state__in=OPEN_STATES))
        .select_related("reporter")
        .only(*CARD_FIELDS, "contact_phone", "reporter_name", "reporter__id", "reporter__name", "reporter__phone")
        .annotate(rank=urgency_rank())
        .order_by("rank", F("completion_due").asc(nulls_last=True), "id")[:MY_LIMIT]
    )
    waiting = list(for_cards(mine.filter(state=JobState.FINISHED)).order_by("-finished_at", "-id")[:MY_FINISHED_LIMIT])
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    labels = category_labels(actor.org)
    for job in open_jobs:
        job.next_action, job.next_label = next_step(job)
    return {
        "open": decorate(open_jobs, labels, now, org_code=actor.org.code),
        "waiting": decorate(waiting, labels, now, org_code=actor.org.code),
        "done_today": mine.filter(finished_at__gte=midnight, finished_at__lte=now).count(),
    }


def next_step(job: Job) -> tuple[str, str]:
    """The one big button of a technician's card: (action, label); "finish" opens the finish form."""
    steps = {
        JobState.ASSIGNED: ("accept", _("Accept the job")),
        JobState.ACCEPTED: ("start", _("Start repairing")),
        JobState.IN_PROGRESS: ("finish", _("Finish the job")),
        JobState.ON_HOLD: ("resume", _("Continue")),
    }
    return steps.get(job.state, ("", ""))


def my_open_jobs(actor: Actor) -> QuerySet:
    """The actor's assigned open jobs (for to-dos)."""
    return _mine(actor).filter(state__in=OPEN_STATES)


# The job list and its export -----------------------------------------------------------------------


def job_list_rows(actor: Actor, params: Mapping, *, request=None) -> tuple[QuerySet, JobFilterSet]:
    """Every job the actor may see, through all of ``JobFilterSet``, with the relations a row shows."""
    rows, filterset = filter_jobs(visible_jobs(actor), params, request=request)
    return with_relations(rows), filterset


# To-dos on the home page ---------------------------------------------------------------------------


def job_todos(actor: Actor) -> list[Todo]:
    """待办 of the office (to dispatch, overdue), of technicians (to accept or start, overdue) and of reporters
    (finished jobs awaiting their confirmation) — one count query each, whatever the number of jobs."""
    if actor.via_bureau:
        return []
    now = timezone.now()
    org_code = actor.org.code
    todos = []
    if actor.can(p.JOB_DISPATCH):
        office = restrict(Job.objects.all(), actor, p.JOB_DISPATCH)
        board = reverse("maintenance:board", args=[org_code])
        todos += [
            Todo(
                _("Repairs awaiting dispatch"),
                office.filter(state=JobState.NEW).count(),
                board + "?state=" + JobState.NEW,
                "warning",
            ),
            Todo(_("Overdue repairs"), office.filter(overdue_q(now)).count(), board + "?overdue=true", "danger"),
        ]
    if actor.can(p.JOB_WORK):
        mine = my_open_jobs(actor)
        my = reverse("maintenance:my_jobs", args=[org_code])
        todos += [
            Todo(
                _("My repairs to accept or start"),
                mine.filter(state__in=(JobState.ASSIGNED, JobState.ACCEPTED)).count(),
                my,
                "warning",
            ),
            Todo(_("My overdue repairs"), mine.filter(overdue_q(now)).count(), my, "danger"),
        ]
    if actor.can(p.JOB_CONFIRM):
        waiting = restrict(Job.objects.filter(reporter=actor.user, state=JobState.FINISHED), actor, p.JOB_CONFIRM)
        todos.append(
            Todo(
                _("My repairs awaiting my confirmation"),
                waiting.count(),
                reverse("maintenance:job_list", args=[org_code])
                + "?"
                + urlencode({"stage": "finished", "reporter": actor.user.pk}),
                "warning",
            )
        )
    return todos
