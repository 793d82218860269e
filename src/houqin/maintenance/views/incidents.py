"""Incident pages (突发事件): record from a phone at night, follow arrival and resolution, list and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.core import dictionaries
from houqin.core.choices import LocationKind
from houqin.core.excel import xlsx_export
from houqin.core.forms_base import add_service_errors
from houqin.core.models import Location
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_for_actor, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from .. import services
from ..choices import IncidentState
from ..filtersets import IncidentFilterSet
from ..forms.incidents import IncidentCreateForm, IncidentForm, LinkJobForm
from ..models import Incident, Job
from ..services.incidents import UPDATE_FIELDS
from ..settings import INCIDENT_KIND

NAV = "incidents"
LINKED_JOBS_SHOWN = 50


def duration_text(start, end) -> str:
    """ "12 分钟", "1 小时 5 分钟", "2 天 3 小时": how long from ``start`` to ``end``."""
    minutes = max(0, int((end - start).total_seconds() // 60))
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        if rest:
            return _("{hours} h {minutes} min").format(hours=hours, minutes=rest)
        return _("{hours} h").format(hours=hours)
    days, hours = divmod(hours, 24)
    return _("{days} d {hours} h").format(days=days, hours=hours)


def _minutes(start, end) -> int | None:
    return int((end - start).total_seconds() // 60) if start and end else None


def _can_manage(request) -> bool:
    return request.actor.can(p.INCIDENT_MANAGE) and not request.actor.via_bureau


def _filtered(request):
    return filtered(request, IncidentFilterSet, restrict(Incident.objects.all(), request.actor, p.INCIDENT_VIEW))


@org_view(p.INCIDENT_VIEW)
def incident_list(request):
    incidents, filters = _filtered(request)
    page = keyset_page(
        request,
        incidents.select_related("location", "building").annotate(job_count=Count("jobs")),
        key="-pk",
    )
    labels = dictionaries.labels(request.org, INCIDENT_KIND.key)
    for incident in page["rows"]:
        incident.kind_label = labels.get(incident.kind, incident.kind)
    return render(
        request,
        "maintenance/incident_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": dictionaries.choices(request.org, INCIDENT_KIND.key),
            "buildings": Location.objects.filter(kind=LocationKind.BUILDING, is_active=True).order_by("path"),
            "nav_active": NAV,
            "can_manage": _can_manage(request),
        },
        partial="maintenance/partials/incident_rows.html",
    )


@org_view(p.INCIDENT_VIEW)
def incident_export(request):
    incidents, _filters = _filtered(request)
    labels = dictionaries.labels(request.org, INCIDENT_KIND.key)
    return xlsx_export(
        request,
        incidents.select_related("location", "building", "reported_by")
        .prefetch_related("jobs")
        .order_by("-occurred_at", "-pk"),
        [
            (_("Number"), "code"),
            (_("Occurred at"), "occurred_at"),
            (_("Kind"), lambda i: labels.get(i.kind, i.kind)),
            (_("What happened"), "title"),
            (_("Building"), lambda i: i.building.name if i.building_id else ""),
            (_("Place"), lambda i: i.location.name if i.location_id else ""),
            (_("On site"), "on_site_at"),
            (_("Resolved"), "resolved_at"),
            (_("Minutes to arrive"), lambda i: _minutes(i.occurred_at, i.on_site_at)),
            (_("Minutes to resolve"), lambda i: _minutes(i.occurred_at, i.resolved_at)),
            (_("Impact on work"), "impact"),
            (_("Measures taken"), "measures"),
            (_("Follow-up"), "follow_up"),
            (_("Repair jobs"), lambda i: "、".join(job.code for job in i.jobs.all())),
            (_("Recorded by"), "reported_by.name"),
        ],
        _("Emergencies"),
    )


@org_view(p.INCIDENT_MANAGE)
def incident_create(request):
    initial = {}
    location_id = request.GET.get("location", "")
    if location_id.isdigit():
        initial["location"] = Location.objects.filter(pk=location_id, is_active=True).first()
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    form = IncidentCreateForm(request.POST or None, org=request.org, initial=initial)
    incident = submitted(request, form, lambda **data: services.incident_create(actor=request.actor, **data))
    if incident:
        messages.success(request, _("Emergency {code} recorded; the office has been told.").format(code=incident.code))
        return redirect("maintenance:incident_detail", request.org.code, incident.pk)
    return render(request, "maintenance/incident_create.html", {"form": form, "nav_active": NAV})


def _detail_page(request, incident: Incident, link_form=None, status: int = 200):
    jobs = Job.objects.filter(incident=incident)
    visible = list(restrict(jobs, request.actor, p.JOB_VIEW).select_related("location").order_by("pk"))
    hidden = jobs.count() - len(visible)
    times = [{"label": _("Occurred at"), "at": incident.occurred_at, "took": None, "state": IncidentState.REPORTED}]
    if incident.on_site_at:
        took = _("Arrived after {duration}").format(duration=duration_text(incident.occurred_at, incident.on_site_at))
        times.append({"label": _("On site"), "at": incident.on_site_at, "took": took, "state": IncidentState.ON_SITE})
    if incident.resolved_at:
        took = _("Resolved after {duration}").format(duration=duration_text(incident.occurred_at, incident.resolved_at))
        times.append(
            {"label": _("Resolved"), "at": incident.resolved_at, "took": took, "state": IncidentState.RESOLVED}
        )
    can_manage = _can_manage(request)
    return render(
        request,
        "maintenance/incident_detail.html",
        {
            "incident": incident,
            "kind_label": dictionaries.label(request.org, INCIDENT_KIND.key, incident.kind),
            "times": times,
            "jobs": visible[:LINKED_JOBS_SHOWN],
            "hidden_jobs": hidden + max(0, len(visible) - LINKED_JOBS_SHOWN),
            "link_form": link_form or LinkJobForm(),
            "can_manage": can_manage,
            "can_report_job": can_manage and incident.location_id and request.actor.can(p.JOB_REPORT),
            "nav_active": NAV,
        },
        status=status,
    )


def _incident(request, pk, *, change: bool = False) -> Incident:
    """The incident, 404 for whoever cannot read it (so a write page under ``@row_view`` tells nobody who may not
    read emergencies that this one exists), 403 for a reader who may not change it."""
    return get_for_actor(
        Incident.objects.select_related("location", "building", "reported_by"),
        request.actor,
        view=p.INCIDENT_VIEW,
        change=p.INCIDENT_MANAGE if change else None,
        pk=pk,
    )


@org_view(p.INCIDENT_VIEW)
def incident_detail(request, pk):
    return _detail_page(request, _incident(request, pk))


@row_view(p.INCIDENT_MANAGE)
def incident_edit(request, pk):
    incident = _incident(request, pk, change=True)
    initial = {name: getattr(incident, name) for name in UPDATE_FIELDS}
    form = IncidentForm(request.POST or None, org=request.org, current_kind=incident.kind, initial=initial)
    saved = submitted(
        request, form, lambda **data: services.incident_update(actor=request.actor, incident=incident, **data)
    )
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect("maintenance:incident_detail", request.org.code, incident.pk)
    return render(
        request,
        "maintenance/incident_form.html",
        {"form": form, "incident": incident, "nav_active": NAV},
    )


@require_POST
@row_view(p.INCIDENT_MANAGE)
def incident_mark(request, pk, what):
    if what not in (IncidentState.ON_SITE, IncidentState.RESOLVED):
        raise Http404
    incident = _incident(request, pk, change=True)
    services.incident_mark(actor=request.actor, incident=incident, what=what)
    messages.success(request, _("Arrival recorded.") if what == IncidentState.ON_SITE else _("Marked as resolved."))
    return redirect("maintenance:incident_detail", request.org.code, incident.pk)


@require_POST
@row_view(p.INCIDENT_MANAGE)
def incident_link_job(request, pk):
    incident = _incident(request, pk, change=True)
    form = LinkJobForm(request.POST)
    if form.is_valid():
        job = restrict(Job.objects.all(), request.actor, p.JOB_VIEW).filter(code=form.cleaned_data["code"]).first()
        try:
            if job is None:
                raise ValidationError({"code": _("No repair job with this number that you can see.")})
            services.incident_link_job(actor=request.actor, incident=incident, job=job)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "job" in error.error_dict:
                error = ValidationError({"code": error.error_dict["job"]})
            add_service_errors(form, error)
        else:
            messages.success(request, _("Repair {code} linked.").format(code=job.code))
            return redirect("maintenance:incident_detail", request.org.code, incident.pk)
    return _detail_page(request, incident, link_form=form, status=400)


urlpatterns = [
    path("incidents/", incident_list, name="incident_list"),
    path("incidents/new/", incident_create, name="incident_create"),
    path("incidents/export/", incident_export, name="incident_export"),
    path("incidents/<int:pk>/", incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/mark/<str:what>/", incident_mark, name="incident_mark"),
    path("incidents/<int:pk>/link-job/", incident_link_job, name="incident_link_job"),
]
