"""报修 pages: the report form (from a room's QR code: scan → 报修 → category → 提交) and the duplicate hint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from houqin.assets.selectors import links as asset_links
from houqin.core import dictionaries
from houqin.core import permissions as core_p
from houqin.core.forms_base import add_service_errors
from houqin.core.locations import LocationAction
from houqin.core.models import Location
from houqin.core.permissions import restrict
from houqin.core.views.base import org_view, render

from .. import permissions as p
from .. import services
from ..choices import OPEN_STATES, JobState
from ..forms.report import JobReportForm, place_label
from ..models import Job
from ..settings import CATEGORY

SIMILAR_LIMIT = 5
PICK_LIMIT = 50
SIMILAR_STATES = (*OPEN_STATES, JobState.FINISHED)


def _places(actor):
    return restrict(Location.objects.filter(is_active=True), actor, core_p.LOCATION_VIEW)


def _place(actor, value) -> Location | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return _places(actor).select_related("building").filter(pk=pk).first()


def service_errors(form, error: ValidationError) -> None:
    """A service's errors on the form; the attachments kit names its field ``file``: here it is ``photos``."""
    if hasattr(error, "error_dict") and "file" in error.error_dict and "file" not in form.fields:
        error = ValidationError({("photos" if k == "file" else k): v for k, v in error.error_dict.items()})
    add_service_errors(form, error)


def similar_jobs(actor, location, category) -> dict:
    """Open (or finished, awaiting confirmation) jobs at the same place and category: at most
    ``SIMILAR_LIMIT`` rows, newest first; numbers and links only for those the actor may view."""
    if location is None or not category:
        return {"rows": [], "more": False}
    found = list(
        Job.objects.filter(location=location, category=category, state__in=SIMILAR_STATES)
        .order_by("-reported_at", "-id")
        .only("pk", "code", "state", "reported_at")[: SIMILAR_LIMIT + 1]
    )
    more = len(found) > SIMILAR_LIMIT
    found = found[:SIMILAR_LIMIT]
    visible = set(
        restrict(Job.objects.filter(pk__in=[j.pk for j in found]), actor, p.JOB_VIEW).values_list("pk", flat=True)
    )
    for job in found:
        job.visible = job.pk in visible
    return {"rows": found, "more": more}


def _similar_context(request, location, category) -> dict:
    return {
        "similar": similar_jobs(request.actor, location, category),
        "similar_url": reverse("maintenance:job_similar", args=[request.org.code]),
    }


def _asset(request):
    """The asset of ``?asset=`` (a label's 报修 button, a damaged return), when the person may name it: one
    they may see, or any of the organisation for the office; on the books. Otherwise None, with a message
    (the report goes on without it)."""
    value = request.POST.get("asset") if request.method == "POST" else request.GET.get("asset")
    if not value:
        return None
    actor = request.actor
    asset = asset_links.find_asset(actor, value, whole_org=actor.can(p.JOB_DISPATCH) and not actor.via_bureau)
    if request.method == "POST":
        return asset  # the form and the service say what is wrong with it
    if asset is None:
        messages.warning(request, _("That asset is not one you may report on: describe the fault instead."))
        return None
    try:
        services.check_asset(actor, asset)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return None
    return asset


def _pick_page(request, asset=None):
    """No place given (the report was not started from a room's code): search and choose one."""
    query = request.GET.get("q", "").strip()[:50]
    places = _places(request.actor).select_related("building").order_by("path")
    if query:
        places = places.filter(Q(name__icontains=query) | Q(code__icontains=query))
    rows = list(places[: PICK_LIMIT + 1])
    return render(
        request,
        "maintenance/report_pick.html",
        {
            "rows": [(place, place_label(place)) for place in rows[:PICK_LIMIT]],
            "more": len(rows) > PICK_LIMIT,
            "query": query,
            "asset": asset,
            "nav_active": "maintenance_report",
        },
    )


@org_view(p.JOB_REPORT)
def job_report(request):
    """报修. From a room's code the place is filled in; the category is the only thing to choose."""
    actor = request.actor
    asset = _asset(request)
    location = _place(actor, request.POST.get("location") if request.method == "POST" else request.GET.get("location"))
    if location is None and asset is not None and request.method != "POST" and "pick" not in request.GET:
        location = _place(actor, asset.location_id)  # 报修 from an asset's label: where the asset is
    if location is None and request.method != "POST":
        return _pick_page(request, asset)
    form = JobReportForm(
        request.POST or None,
        request.FILES or None,
        org=request.org,
        locations=_places(actor),
        can_charge=actor.can(p.JOB_DISPATCH),
        initial={
            "location": location.pk if location else None,
            "contact_phone": request.user.phone,
            "category": request.GET.get("category"),
            "asset": asset.pk if asset else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.job_report(
                actor=actor,
                location=data["location"],
                category=data["category"],
                description=data["description"],
                urgency=data["urgency"],
                photos=data["photos"],
                contact_phone=data["contact_phone"],
                department=data.get("department"),
                asset=data.get("asset"),
            )
        except ValidationError as error:
            service_errors(form, error)
        else:
            if restrict(Job.objects.filter(pk=job.pk), actor, p.JOB_VIEW).exists():
                return redirect("maintenance:job_detail", request.org.code, job.pk)
            return render(request, "maintenance/report_done.html", {"job": job, "nav_active": "maintenance_report"})
    category = form["category"].value() or ""
    return render(
        request,
        "maintenance/report_form.html",
        {
            "form": form,
            "location": location,
            "asset": asset,
            "ancestors": list(location.ancestors()) if location else [],
            "nav_active": "maintenance_report",
            **_similar_context(request, location, category),
        },
    )


@org_view(p.JOB_REPORT)
@require_GET
def job_similar(request):
    """The duplicate hint, swapped in when the category changes (htmx)."""
    location = _place(request.actor, request.GET.get("location"))
    category = request.GET.get("category", "")
    if category not in dictionaries.labels(request.org, CATEGORY.key):
        category = ""
    return render(request, "maintenance/partials/similar.html", _similar_context(request, location, category))


def report_action(request, location) -> LocationAction | None:
    """The 报修 button on a room's page and on what its QR code opens (core.locations.register)."""
    actor = getattr(request, "actor", None)
    if actor is None or actor.via_bureau or not actor.can(p.JOB_REPORT) or not location.is_active:
        return None
    url = "{}?location={}".format(reverse("maintenance:job_report", args=[actor.org.code]), location.pk)
    return LocationAction(label=_("Report a repair"), url=url, primary=True)


urlpatterns = [
    path("jobs/new/", job_report, name="job_report"),
    path("jobs/similar/", job_similar, name="job_similar"),
]
