"""Writes of patrols (巡查): routes with their checkpoints, the rounds ``houqin tick`` makes, and the scans.

A checkpoint counts as reached only through ``checkpoint_visit``, which only the scan page behind the
checkpoint's printed QR code calls; the time is the server's, never one sent by the phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import tick, workcalendar
from houqin.core.models import Membership, Organization
from houqin.core.permissions import Actor, restrict
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.workcalendar import CALENDAR_TZ

from .. import permissions as p
from ..choices import CheckResult, JobSource, RoundState, ScheduleKind
from ..models import Checkpoint, CheckpointVisit, PatrolRound, PatrolRoute
from .jobs import job_create

__all__ = [
    "checkpoint_visit",
    "current_round",
    "make_due_rounds",
    "round_opens_now",
    "route_create",
    "route_update",
    "slot_for",
]

ROUTE_FIELDS = ("name", "description", "schedule", "weekday", "start_time", "window_hours", "responsible", "is_active")
OPEN_ROUND_STATES = (RoundState.PLANNED, RoundState.IN_PROGRESS)
NO_OPEN_ROUND = "当前没有进行中的巡查"  # the message the scan page shows (kept literal: people quote it)


def _require_manage(actor: Actor) -> None:
    if actor.via_bureau or not actor.can(p.PATROL_MANAGE):
        raise PermissionDenied


# Schedules ----------------------------------------------------------------------------------------


def runs_on(route: PatrolRoute, day: date, *, working: bool | None = None) -> bool:
    """Does ``route`` have a round on ``day``? ``working`` saves the calendar lookup when known."""
    if route.schedule == ScheduleKind.WEEKLY:
        return day.isoweekday() == route.weekday
    if route.schedule == ScheduleKind.WORKING_DAYS:
        return workcalendar.is_working_day(route.org, day) if working is None else working
    return True


def slot_for(route: PatrolRoute, day: date) -> tuple[datetime, datetime]:
    """The round's start and the time by which it must be finished, on ``day`` (local time)."""
    start = datetime.combine(day, route.start_time, tzinfo=CALENDAR_TZ)
    return start, start + timedelta(hours=float(Decimal(route.window_hours)))


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=CALENDAR_TZ)
    return start, start + timedelta(days=1)


def _active_count(route: PatrolRoute) -> int:
    return Checkpoint.objects.filter(route=route, is_active=True).count()


def _new_round(route: PatrolRoute, day: date, checkpoint_count: int) -> PatrolRound:
    scheduled_for, due_by = slot_for(route, day)
    patrol_round = PatrolRound(
        org=route.org,
        route=route,
        scheduled_for=scheduled_for,
        due_by=due_by,
        checkpoint_count=checkpoint_count,
    )
    patrol_round.full_clean()
    patrol_round.save()
    return patrol_round


def _created_after(route: PatrolRoute, moment: datetime) -> bool:
    """Was the route made after ``moment``? (A route made at 15:00 owes no round whose window ended at 10:00.)"""
    first = route.history.order_by("history_date").values_list("history_date", flat=True).first()
    return first is not None and first > moment


# Routes -------------------------------------------------------------------------------------------


def _clean_route(route: PatrolRoute, checkpoints: Sequence[dict] | None, active_after: int) -> None:
    errors: dict[str, list[str]] = {}
    if route.schedule == ScheduleKind.WEEKLY and not route.weekday:
        errors.setdefault("weekday", []).append(_("Choose the weekday of a weekly round."))
    if route.schedule != ScheduleKind.WEEKLY:
        route.weekday = None
    if route.is_active and active_after < 1:
        errors.setdefault("checkpoints", []).append(_("An active route needs at least one checkpoint."))
    if route.responsible_id and not Membership.objects.filter(pk=route.responsible_id, org=route.org).exists():
        errors.setdefault("responsible", []).append(_("Choose a person of this organisation."))
    duplicate = (
        PatrolRoute.objects.filter(org=route.org, name=route.name.strip()).exclude(pk=route.pk or 0).exists()
        if route.name
        else False
    )
    if duplicate:
        errors.setdefault("name", []).append(_("Another route already has this name."))
    if checkpoints is not None:
        seen = set()
        for entry in checkpoints:
            location = entry["location"]
            if location.org_id != route.org_id:
                errors.setdefault("checkpoints", []).append(_("Choose places of this organisation."))
            elif not location.is_active and not entry.get("id"):
                errors.setdefault("checkpoints", []).append(
                    _("{place} is no longer in use.").format(place=location.name)
                )
            if location.pk in seen:
                errors.setdefault("checkpoints", []).append(
                    _("{place} is on the route twice.").format(place=location.name)
                )
            seen.add(location.pk)
    if errors:
        raise ValidationError(errors)
    route.name = route.name.strip()
    try:
        route.full_clean(exclude=["org"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _save_checkpoints(route: PatrolRoute, checkpoints: Sequence[dict]) -> None:
    """Bring the route's checkpoints to ``checkpoints`` (in order): existing ones (by ``id``) are updated and
    reordered, new ones added, and those left out deactivated — never deleted, so their visits stay."""
    existing = {c.pk: c for c in Checkpoint.objects.filter(route=route)}
    kept = set()
    for position, entry in enumerate(checkpoints, start=1):
        checkpoint = existing.get(entry.get("id")) if entry.get("id") else None
        if entry.get("id") and checkpoint is None:
            raise ValidationError({"checkpoints": _("A checkpoint of another route was given.")})
        if checkpoint is None:
            checkpoint = Checkpoint(org=route.org, route=route)
        instructions = (entry.get("instructions") or "").strip()
        changed = (
            checkpoint.pk is None
            or checkpoint.location_id != entry["location"].pk
            or checkpoint.position != position
            or checkpoint.instructions != instructions
            or not checkpoint.is_active
        )
        checkpoint.location = entry["location"]
        checkpoint.position = position
        checkpoint.instructions = instructions
        checkpoint.is_active = True
        if changed:
            checkpoint.full_clean(exclude=["org", "route"])
            checkpoint.save()
        kept.add(checkpoint.pk)
    for checkpoint in existing.values():
        if checkpoint.pk not in kept and checkpoint.is_active:
            checkpoint.is_active = False
            checkpoint.save(update_fields=["is_active"])


@transaction.atomic
def route_create(
    *,
    actor: Actor,
    name: str,
    start_time: time,
    checkpoints: Sequence[dict] = (),
    schedule: str = ScheduleKind.DAILY,
    weekday: int | None = None,
    window_hours: Decimal = Decimal("2.0"),
    description: str = "",
    responsible: Membership | None = None,
    is_active: bool = True,
) -> PatrolRoute:
    """A route with its checkpoints in order; ``checkpoints`` are ``{"location": Location, "instructions": str}``."""
    _require_manage(actor)
    route = PatrolRoute(
        org=actor.org,
        name=name,
        description=description.strip(),
        schedule=schedule,
        weekday=weekday,
        start_time=start_time,
        window_hours=window_hours,
        responsible=responsible,
        is_active=is_active,
    )
    checkpoints = [{**entry, "id": None} for entry in checkpoints]
    _clean_route(route, checkpoints, len(checkpoints))
    route.save()
    _save_checkpoints(route, checkpoints)
    return route


@transaction.atomic
def route_update(
    *, actor: Actor, route: PatrolRoute, checkpoints: Sequence[dict] | None = None, **fields
) -> PatrolRoute:
    """Change a route; with ``checkpoints`` (the whole ordered list, existing ones with their ``id``) also add,
    remove (deactivate) and reorder its checkpoints. Rounds already made keep their visits."""
    _require_manage(actor)
    route = PatrolRoute.objects.select_for_update().get(pk=route.pk)
    unknown = set(fields) - set(ROUTE_FIELDS)
    if unknown:
        raise TypeError("route_update() got unexpected fields {}".format(sorted(unknown)))
    for name, value in fields.items():
        setattr(route, name, value.strip() if name == "description" and value else value)
    active_after = len(checkpoints) if checkpoints is not None else _active_count(route)
    _clean_route(route, checkpoints, active_after)
    route.save()
    if checkpoints is not None:
        _save_checkpoints(route, checkpoints)
    return route


# Rounds -------------------------------------------------------------------------------------------


def _slot_opens_now(route: PatrolRoute, now: datetime) -> bool:
    """Is ``now`` inside today's slot of ``route`` while the tick has not made that round yet?"""
    if not route.is_active:
        return False
    today = now.astimezone(CALENDAR_TZ).date()
    scheduled_for, due_by = slot_for(route, today)
    if not (scheduled_for <= now <= due_by) or not runs_on(route, today):
        return False
    start, end = _local_day_bounds(today)
    if PatrolRound.objects.filter(route=route, scheduled_for__gte=start, scheduled_for__lt=end).exists():
        return False  # today's round exists at another time (the start time was changed since)
    return _active_count(route) > 0


def current_round(route: PatrolRoute, now: datetime | None = None, *, create: bool = True) -> PatrolRound | None:
    """The round of ``route`` whose window contains ``now``. With ``create`` (a scan), a round the tick has not
    made yet is made on the spot; without it (showing the page) nothing is written."""
    now = now or timezone.now()
    found = (
        PatrolRound.objects.filter(route=route, scheduled_for__lte=now, due_by__gte=now)
        .exclude(state=RoundState.MISSED)
        .order_by("-scheduled_for")
        .first()
    )
    if found is not None or not create or not _slot_opens_now(route, now):
        return found
    return _new_round(route, now.astimezone(CALENDAR_TZ).date(), _active_count(route))


def round_opens_now(route: PatrolRoute, now: datetime | None = None) -> bool:
    """Would a scan now find (or open) a round of ``route``? For showing the scan page without writing."""
    now = now or timezone.now()
    return current_round(route, now, create=False) is not None or _slot_opens_now(route, now)


def _finish_if_complete(patrol_round: PatrolRound, now: datetime) -> None:
    reached = set(CheckpointVisit.objects.filter(round=patrol_round).values_list("checkpoint_id", flat=True))
    active = set(Checkpoint.objects.filter(route_id=patrol_round.route_id, is_active=True).values_list("pk", flat=True))
    patrol_round.visited_count = len(reached)
    update = ["visited_count"]
    if patrol_round.started_at is None:
        patrol_round.started_at = now
        update.append("started_at")
    if active <= reached:
        patrol_round.state = RoundState.COMPLETED
        patrol_round.completed_at = now
        update += ["state", "completed_at"]
    elif patrol_round.state == RoundState.PLANNED:
        patrol_round.state = RoundState.IN_PROGRESS
        update.append("state")
    patrol_round.save(update_fields=update)


@transaction.atomic
def checkpoint_visit(
    *,
    actor: Actor,
    checkpoint: Checkpoint,
    result: str,
    note: str = "",
    raise_job: bool = False,
    category: str | None = None,
    description: str = "",
    photos: Sequence = (),
) -> CheckpointVisit:
    """Record that the actor reached ``checkpoint`` now (server time), in the route's open round; a problem
    can open a repair job on the spot. A second scan in the same round changes nothing and returns the first
    visit (``visit.is_new`` is False)."""
    if actor.via_bureau or not restrict(Checkpoint.objects.filter(pk=checkpoint.pk), actor, p.PATROL_WALK).exists():
        raise PermissionDenied
    if result not in CheckResult.values:
        raise ValidationError({"result": _("Choose fine or problem found.")})
    if not checkpoint.is_active:
        raise ValidationError(_("This checkpoint is no longer on the route."))
    now = timezone.now()
    patrol_round = current_round(checkpoint.route, now)
    if patrol_round is None:
        raise ValidationError(NO_OPEN_ROUND)
    patrol_round = PatrolRound.objects.select_for_update().get(pk=patrol_round.pk)  # one scan at a time
    existing = CheckpointVisit.objects.filter(round=patrol_round, checkpoint=checkpoint).first()
    if existing is not None:
        existing.is_new = False
        return existing
    note = note.strip()
    description = description.strip()
    job = None
    if result == CheckResult.PROBLEM and raise_job:
        errors = {}
        if not category:
            errors["category"] = _("Choose a category for the repair.")
        if not (description or note):
            errors["description"] = _("Describe the problem.")
        if errors:
            raise ValidationError(errors)
        job = job_create(
            org=actor.org,
            actor=actor,
            location=checkpoint.location,
            category=category,
            description=description or note,
            source=JobSource.PATROL,
            reporter=actor.user,
            photos=photos,
        )
    visit = CheckpointVisit(
        org=actor.org,
        round=patrol_round,
        checkpoint=checkpoint,
        user=actor.user,
        visited_at=now,
        result=result,
        note=(note or description)[:200],
        job=job,
    )
    visit.full_clean(exclude=["org", "round", "checkpoint", "user", "job"])
    visit.save()
    _finish_if_complete(patrol_round, now)
    visit.is_new = True
    return visit


# Tick -----------------------------------------------------------------------------------------------


@tick.job("maintenance.patrol_rounds")
def make_due_rounds(now: datetime) -> int:
    """Make today's round of every active route once its day has come (one per route and day, never earlier
    days), and mark rounds missed whose window ended with checkpoints not reached."""
    changed = 0
    today = now.astimezone(CALENDAR_TZ).date()
    day_start, day_end = _local_day_bounds(today)
    with scopes_disabled():
        have_today = PatrolRound.objects.filter(scheduled_for__gte=day_start, scheduled_for__lt=day_end)
        routes = list(
            PatrolRoute.objects.filter(is_active=True)
            .exclude(pk__in=have_today.values("route_id"))
            .exclude(Q(schedule=ScheduleKind.WEEKLY) & ~Q(weekday=today.isoweekday()))  # not their day
            .annotate(active_checkpoints=Count("checkpoints", filter=Q(checkpoints__is_active=True)))
            .filter(active_checkpoints__gt=0)
            .select_related("org")
            .order_by("org_id", "pk")
        )
    working: dict[int, bool] = {}
    for route in routes:
        with org_scope(route.org):
            if route.schedule == ScheduleKind.WORKING_DAYS and route.org_id not in working:
                working[route.org_id] = workcalendar.is_working_day(route.org, today)
            if not runs_on(route, today, working=working.get(route.org_id)):
                continue
            scheduled_for, due_by = slot_for(route, today)
            if due_by < now and _created_after(route, scheduled_for):
                continue  # a route made after today's slot starts tomorrow
            _new_round(route, today, route.active_checkpoints)
            changed += 1
    with scopes_disabled():  # after making rounds: one made late (the tick was down) is missed in this run
        missed_orgs = set(
            PatrolRound.objects.filter(state__in=OPEN_ROUND_STATES, due_by__lt=now).values_list("org_id", flat=True)
        )
    for org in Organization.objects.filter(pk__in=missed_orgs).order_by("pk"):
        with org_scope(org):
            for patrol_round in PatrolRound.objects.filter(state__in=OPEN_ROUND_STATES, due_by__lt=now):
                patrol_round.state = RoundState.MISSED
                patrol_round.save(update_fields=["state"])  # one by one: each change is in the history
                changed += 1
    return changed
