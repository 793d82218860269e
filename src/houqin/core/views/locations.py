from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import permissions as p
from .. import services
from ..choices import LocationKind
from ..exports import xlsx_response
from ..filtersets import LocationFilterSet
from ..forms import LocationEditForm, LocationForm
from ..forms_base import add_service_errors
from ..locations import actions_for, qr_svgs, qr_url
from ..models import Location
from ..permissions import restrict
from .base import filtered, get_for_actor, keyset_page, org_view, render

QR_SHEET_LIMIT = 600  # one print job; a whole hospital is printed building by building


def _filtered(request):
    """Locations the actor may see, filtered as the list asks (page, QR sheet and export alike)."""
    return filtered(request, LocationFilterSet, restrict(Location.objects.all(), request.actor, p.LOCATION_VIEW))


def _top_places():
    return Location.objects.filter(kind__in=[LocationKind.CAMPUS, LocationKind.BUILDING]).order_by("path")


@org_view(p.LOCATION_VIEW)
def location_list(request):
    locations, filters = _filtered(request)
    page = keyset_page(request, locations.select_related("building"), key="path")
    return render(
        request,
        "core/location_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": LocationKind.choices,
            "top_places": _top_places(),
            "nav_active": "locations",
            "can_manage": request.actor.can(p.LOCATION_MANAGE),
        },
        partial="core/partials/location_rows.html",
    )


@org_view(p.LOCATION_VIEW)
def location_detail(request, pk):
    location = get_for_actor(Location.objects.select_related("parent"), request.actor, pk=pk, view=p.LOCATION_VIEW)
    can_manage = request.actor.can(p.LOCATION_MANAGE)
    url = qr_url(request.org, location)
    return render(
        request,
        "core/location_detail.html",
        {
            "location": location,
            "ancestors": location.ancestors(),
            "children": location.children.order_by("path")[:200],
            "qr_svg": qr_svgs([url], scale=4)[0] if can_manage else "",
            "qr_url": url,
            "actions": actions_for(request, location),
            "nav_active": "locations",
            "can_manage": can_manage,
        },
    )


@org_view(p.LOCATION_VIEW)
def location_by_token(request, token):
    """Where a room's printed QR code leads: the place, and what the person can start there."""
    location = get_for_actor(Location.objects.all(), request.actor, view=p.LOCATION_VIEW, qr_token=token)
    return render(
        request,
        "core/location_scan.html",
        {
            "location": location,
            "ancestors": location.ancestors(),
            "actions": actions_for(request, location),
            "can_manage": request.actor.can(p.LOCATION_MANAGE),
        },
    )


@org_view(p.LOCATION_MANAGE)
def location_create(request):
    form = LocationForm(
        request.POST or None, initial={"parent": request.GET.get("parent"), "kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Location “{name}” created.").format(name=location.name))
            return redirect("core:location_detail", request.org.code, location.pk)
    return render(
        request, "core/object_form.html", {"form": form, "title": _("New location"), "nav_active": "locations"}
    )


@org_view(p.LOCATION_MANAGE)
def location_edit(request, pk):
    location = get_for_actor(
        Location.objects.all(), request.actor, pk=pk, view=p.LOCATION_VIEW, change=p.LOCATION_MANAGE
    )
    initial = {f: getattr(location, f) for f in ("name", "code", "kind", "parent", "note", "is_active")}
    form = LocationEditForm(request.POST or None, initial=initial, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_update(actor=request.actor, location=location, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:location_detail", request.org.code, location.pk)
    return render(
        request,
        "core/object_form.html",
        {"form": form, "title": _("Edit location"), "subject": location, "nav_active": "locations"},
    )


@org_view(p.LOCATION_MANAGE)
def location_qr_sheet(request):
    """A printable A4 sheet of QR labels for the rooms of a building (or any filtered set of places)."""
    locations, filters = _filtered(request)
    if not filters["kind"]:
        locations = locations.filter(kind=LocationKind.ROOM)  # a sheet is for doors unless asked otherwise
    places = list(locations.select_related("building").order_by("path")[:QR_SHEET_LIMIT])
    svgs = qr_svgs([qr_url(request.org, place) for place in places])
    labels = [{"location": place, "svg": svg} for place, svg in zip(places, svgs, strict=True)]
    return render(
        request,
        "core/location_qr_sheet.html",
        {
            "labels": labels,
            "filters": filters,
            "top_places": _top_places(),
            "kinds": LocationKind.choices,
            "limit": QR_SHEET_LIMIT,
            "nav_active": "qr_sheet",
        },
    )


@org_view(p.LOCATION_VIEW)
def location_export(request):
    locations, _filters = _filtered(request)
    rows = (
        (loc.code, loc.name, loc.get_kind_display(), loc.parent.code if loc.parent_id else "", loc.note, loc.qr_token)
        for loc in locations.select_related("parent").order_by("path").iterator(chunk_size=2000)
    )
    return xlsx_response(
        request,
        filename="locations",
        title=_("Locations"),
        headers=[_("Code"), _("Name"), _("Kind"), _("Parent code"), _("Note"), _("QR token")],
        rows=rows,
    )
