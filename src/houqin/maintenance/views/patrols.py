"""Pages of patrols (巡查): routes, their QR labels, the scan at a checkpoint, and the rounds.

A checkpoint is marked reached only by ``checkpoint_scan`` — the address printed in its QR code. No other
page has a button for it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import printing
from houqin.core.forms_base import add_service_errors
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_row, keyset_page, org_view, render, row_view
from houqin.core.workcalendar import CALENDAR_TZ

from .. import permissions as p
from .. import services
from ..choices import CheckResult, RoundState, ScheduleKind
from ..filtersets import PatrolRoundFilterSet
from ..forms.patrols import WEEKDAYS, CheckpointFormSet, RouteForm, ScanForm, places
from ..models import Checkpoint, CheckpointVisit, PatrolRound, PatrolRoute
from ..services import patrols as patrol_services

MISSED_DAYS = 30  # the 漏巡 section of the routes page looks this far back
NAV = "patrols"


def _today_bounds() -> tuple[datetime, datetime]:
    start = datetime.combine(timezone.now().astimezone(CALENDAR_TZ).date(), time.min, tzinfo=CALENDAR_TZ)
    return start, start + timedelta(days=1)


def schedule_text(route: PatrolRoute) -> str:
    """ "每天 08:00", "每个工作日 07:30", "每周 星期五 14:00"."""
    at = route.start_time.strftime("%H:%M")
    if route.schedule == ScheduleKind.WEEKLY:
        return "{} {} {}".format(route.get_schedule_display(), dict(WEEKDAYS).get(route.weekday, ""), at)
    return "{} {}".format(route.get_schedule_display(), at)


def scan_url(org, checkpoint: Checkpoint) -> str:
    return settings.HOUQIN_BASE_URL + reverse("maintenance:checkpoint_scan", args=[org.code, checkpoint.qr_token])


def _can_manage(request) -> bool:
    return request.actor.can(p.PATROL_MANAGE) and not request.actor.via_bureau


# Routes ---------------------------------------------------------------------------------------------


@org_view(p.PATROL_VIEW)
def route_list(request):
    start, end = _today_bounds()
    today_round = PatrolRound.objects.filter(route=OuterRef("pk"), scheduled_for__gte=start, scheduled_for__lt=end)
    routes = (
        restrict(PatrolRoute.objects.all(), request.actor, p.PATROL_VIEW)
        .select_related("responsible__user")
        .annotate(
            active_checkpoints=Count("checkpoints", filter=Q(checkpoints__is_active=True)),
            today_state=Subquery(today_round.order_by("-scheduled_for").values("state")[:1]),
            today_round_id=Subquery(today_round.order_by("-scheduled_for").values("pk")[:1]),
        )
    )
    page = keyset_page(request, routes, key="name")
    labels = dict(RoundState.choices)
    for route in page["rows"]:
        route.schedule_text = schedule_text(route)
        route.today_label = labels.get(route.today_state, "")
    missed = None
    if _can_manage(request):
        since = timezone.now() - timedelta(days=MISSED_DAYS)
        missed = list(
            restrict(PatrolRound.objects.all(), request.actor, p.PATROL_VIEW)
            .filter(state=RoundState.MISSED, scheduled_for__gte=since)
            .select_related("route")
            .order_by("-scheduled_for", "-pk")[:50]
        )
    return render(
        request,
        "maintenance/route_list.html",
        {
            "page": page,
            "missed": missed,
            "missed_days": MISSED_DAYS,
            "can_manage": _can_manage(request),
            "nav_active": NAV,
        },
    )


def _route_form_page(request, form, formset, title, route=None):
    return render(
        request,
        "maintenance/route_form.html",
        {"form": form, "formset": formset, "title": title, "route": route, "nav_active": NAV},
    )


def _save_route(request, form, formset, save):
    """The saved route, or None while the form is shown (again) with the errors on their fields."""
    if request.method != "POST":
        return None
    valid = form.is_valid() & formset.is_valid()  # both, so every error shows at once
    if not valid:
        return None
    try:
        return save(checkpoints=formset.entries(), **form.cleaned_data)
    except ValidationError as error:
        checkpoint_errors = getattr(error, "error_dict", {}).pop("checkpoints", None)
        if checkpoint_errors:
            formset._non_form_errors = formset.error_class([m for e in checkpoint_errors for m in e.messages])
        if not hasattr(error, "error_dict") or error.error_dict:
            add_service_errors(form, error)
        return None


@org_view(p.PATROL_MANAGE)
def route_create(request):
    form = RouteForm(request.POST or None, org=request.org)
    formset = CheckpointFormSet(request.POST or None, prefix="checkpoints", places=places(request.org))
    route = _save_route(request, form, formset, lambda **data: services.route_create(actor=request.actor, **data))
    if route:
        messages.success(request, _("Patrol route “{name}” created. Print its QR labels next.").format(name=route.name))
        return redirect("maintenance:route_detail", request.org.code, route.pk)
    return _route_form_page(request, form, formset, _("New patrol route"))


@row_view(p.PATROL_MANAGE)
def route_edit(request, pk):
    route = get_row(PatrolRoute.objects.all(), request.actor, view=p.PATROL_VIEW, change=p.PATROL_MANAGE, pk=pk)
    initial = {name: getattr(route, name) for name in patrol_services.ROUTE_FIELDS}
    form = RouteForm(request.POST or None, initial=initial, org=request.org)
    current = route.checkpoints.filter(is_active=True).order_by("position", "pk")
    formset = CheckpointFormSet(
        request.POST or None,
        prefix="checkpoints",
        places=places(request.org),
        initial=[
            {"id": c.pk, "location": c.location_id, "instructions": c.instructions, "ORDER": index}
            for index, c in enumerate(current, start=1)
        ],
    )
    saved = _save_route(
        request, form, formset, lambda **data: services.route_update(actor=request.actor, route=route, **data)
    )
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect("maintenance:route_detail", request.org.code, route.pk)
    return _route_form_page(request, form, formset, _("Edit patrol route"), route)


@row_view(p.PATROL_VIEW)
def route_detail(request, pk):
    route = get_row(PatrolRoute.objects.select_related("responsible__user"), request.actor, view=p.PATROL_VIEW, pk=pk)
    last = CheckpointVisit.objects.filter(checkpoint=OuterRef("pk")).order_by("-visited_at", "-pk")
    checkpoints = (
        route.checkpoints.filter(is_active=True)
        .select_related("location__building")
        .annotate(
            last_visited_at=Subquery(last.values("visited_at")[:1]),
            last_visited_by=Subquery(last.values("user__name")[:1]),
            last_result=Subquery(last.values("result")[:1]),
        )
        .order_by("position", "pk")
    )
    return render(
        request,
        "maintenance/route_detail.html",
        {
            "route": route,
            "schedule_text": schedule_text(route),
            "checkpoints": checkpoints,
            "rounds": route.rounds.order_by("-scheduled_for", "-pk")[:10],
            "can_manage": _can_manage(request),
            "nav_active": NAV,
            "history_sources": [route.history.all(), Checkpoint.history.filter(route_id=route.pk)],
        },
    )


@row_view(p.PATROL_MANAGE)
def route_labels(request, pk):
    """QR labels of the route's checkpoints, to stick at each place; scanning one is the only way to check in."""
    route = get_row(PatrolRoute.objects.all(), request.actor, view=p.PATROL_VIEW, change=p.PATROL_MANAGE, pk=pk)
    checkpoints = route.checkpoints.filter(is_active=True).select_related("location__building")
    labels = [
        printing.Label(
            c.location.name,
            "{} · {}".format(route.name, c.position) + (" · " + c.instructions if c.instructions else ""),
            scan_url(request.org, c),
        )
        for c in checkpoints.order_by("position", "pk")
    ]
    return printing.label_sheet(
        request,
        labels,
        title=_("Patrol checkpoint labels: {route}").format(route=route.name),
        note=_("Stick each label at its place. A checkpoint counts only when its label is scanned there."),
        back_url=reverse("maintenance:route_detail", args=[request.org.code, route.pk]),
    )


# The scan -------------------------------------------------------------------------------------------


@row_view(p.PATROL_WALK)
def checkpoint_scan(request, token):
    """The page behind a checkpoint's QR code: the place, what to check, 正常 / 有问题 (login required: an
    anonymous scan goes to the login page and comes back here)."""
    checkpoints = Checkpoint.objects.select_related("route", "location__building")
    checkpoint = get_row(checkpoints, request.actor, view=p.PATROL_WALK, qr_token=token)
    form = ScanForm(request.POST or None, request.FILES or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        description = data["description"]
        try:
            visit = services.checkpoint_visit(
                actor=request.actor,
                checkpoint=checkpoint,
                result=data["result"],
                note=description[:200],
                raise_job=data["result"] == CheckResult.PROBLEM and data["raise_job"],
                category=data["category"] or None,
                description=description,
                photos=data["photos"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
        else:
            if not visit.is_new:
                messages.info(request, _("Already checked in"))
            elif visit.job_id:
                messages.success(request, _("Checked in. Repair {code} was reported.").format(code=visit.job.code))
            else:
                messages.success(request, _("Checked in."))
            return redirect(request.path)
    now = timezone.now()
    patrol_round = None
    if checkpoint.is_active:
        patrol_round = patrol_services.current_round(checkpoint.route, now, create=False)  # a GET writes nothing
    visit = None
    if patrol_round is not None:
        visit = CheckpointVisit.objects.filter(round=patrol_round, checkpoint=checkpoint).select_related("user").first()
    return render(
        request,
        "maintenance/checkpoint_scan.html",
        {
            "checkpoint": checkpoint,
            "route": checkpoint.route,
            "round": patrol_round,
            "can_scan": checkpoint.is_active and patrol_services.round_opens_now(checkpoint.route, now),
            "visit": visit,
            "form": form,
            "no_round_message": _("No patrol round is open now."),
            "nav_active": NAV,
        },
    )


# Rounds ---------------------------------------------------------------------------------------------


@org_view(p.PATROL_VIEW)
def round_list(request):
    rounds, filters = filtered(
        request, PatrolRoundFilterSet, restrict(PatrolRound.objects.all(), request.actor, p.PATROL_VIEW)
    )
    page = keyset_page(request, rounds.select_related("route"), key="-id")
    routes = restrict(PatrolRoute.objects.all(), request.actor, p.PATROL_VIEW).order_by("name")[:300]
    return render(
        request,
        "maintenance/round_list.html",
        {
            "page": page,
            "filters": filters,
            "routes": routes,
            "states": RoundState.choices,
            "nav_active": NAV,
        },
    )


@row_view(p.PATROL_VIEW)
def round_detail(request, pk):
    patrol_round = get_row(PatrolRound.objects.select_related("route"), request.actor, view=p.PATROL_VIEW, pk=pk)
    visits = {
        visit.checkpoint_id: visit
        for visit in patrol_round.visits.select_related("user", "job").order_by("visited_at", "pk")
    }
    checkpoints = (
        Checkpoint.objects.filter(route_id=patrol_round.route_id)
        .filter(Q(is_active=True) | Q(pk__in=list(visits)))
        .select_related("location__building")
        .order_by("position", "pk")
    )
    rows = [(checkpoint, visits.get(checkpoint.pk)) for checkpoint in checkpoints]
    return render(
        request,
        "maintenance/round_detail.html",
        {
            "round": patrol_round,
            "route": patrol_round.route,
            "rows": rows,
            "missing": sum(1 for _c, visit in rows if visit is None),
            "nav_active": NAV,
        },
    )


urlpatterns = [
    path("patrols/", route_list, name="route_list"),
    path("patrols/new/", route_create, name="route_create"),
    path("patrols/<int:pk>/", route_detail, name="route_detail"),
    path("patrols/<int:pk>/edit/", route_edit, name="route_edit"),
    path("patrols/<int:pk>/labels/", route_labels, name="route_labels"),
    path("patrols/c/<str:token>/", checkpoint_scan, name="checkpoint_scan"),
    path("patrols/rounds/", round_list, name="round_list"),
    path("patrols/rounds/<int:pk>/", round_detail, name="round_detail"),
]


# To-dos (registered in registrations.py) -------------------------------------------------------------


def patrol_todos(actor) -> list:
    """Walkers: today's rounds not yet completed. The office: rounds missed in the last 7 days."""
    from houqin.core.todos import Todo

    if actor.via_bureau:
        return []
    found = []
    base = reverse("maintenance:round_list", args=[actor.org.code])
    today = timezone.now().astimezone(CALENDAR_TZ).date()
    rounds = restrict(PatrolRound.objects.all(), actor, p.PATROL_VIEW)
    if actor.can(p.PATROL_WALK):
        start, end = _today_bounds()
        open_today = rounds.filter(
            scheduled_for__gte=start, scheduled_for__lt=end, state__in=(RoundState.PLANNED, RoundState.IN_PROGRESS)
        )
        found.append(
            Todo(
                _("Patrol rounds to walk today"),
                open_today.count(),
                base + "?start={0}&end={0}".format(today.isoformat()),
                "warning",
            )
        )
    if actor.can(p.PATROL_MANAGE):
        since = today - timedelta(days=6)
        since_at = datetime.combine(since, time.min, tzinfo=CALENDAR_TZ)
        found.append(
            Todo(
                _("Patrol rounds missed in the last 7 days"),
                rounds.filter(state=RoundState.MISSED, scheduled_for__gte=since_at).count(),
                base + "?state=missed&start={}".format(since.isoformat()),
                "danger",
            )
        )
    return found
