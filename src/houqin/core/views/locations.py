from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import dictionaries, printing, services
from .. import permissions as p
from ..choices import LocationKind
from ..excel import xlsx_export
from ..filtersets import LocationFilterSet
from ..forms import LocationEditForm, LocationForm
from ..forms_base import add_service_errors
from ..imports import LocationImporter
from ..locations import actions_for, public_scan_response, qr_label, qr_url
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
    use_labels = dictionaries.labels(request.org, dictionaries.LOCATION_USE.key)
    for location in page["rows"]:
        location.use_label = use_labels.get(location.use, location.use)
    return render(
        request,
        "core/location_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": LocationKind.choices,
            "uses": dictionaries.choices(request.org, dictionaries.LOCATION_USE.key),
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
            "use_label": dictionaries.label(request.org, dictionaries.LOCATION_USE.key, location.use),
            "ancestors": location.ancestors(),
            "children": location.children.order_by("path")[:200],
            "qr_svg": printing.qr_svgs([url])[0] if can_manage else "",
            "qr_url": url,
            "actions": actions_for(request, location),
            "nav_active": "locations",
            "can_manage": can_manage,
        },
    )


def location_by_token(request, org_code, token):
    """Where a room's printed QR code leads. Someone not logged in is offered what a module allows without
    login at that place (报修 where the org has turned it on), else sent to the login page."""
    if not request.user.is_authenticated:
        response = public_scan_response(request, token)
        if response is not None:
            return response
    return _location_scan(request, org_code, token)


location_by_token.required_action = p.LOCATION_VIEW  # what a logged-in visitor needs (the isolation tests read it)


@org_view(p.LOCATION_VIEW)
def _location_scan(request, token):
    """The place and what the person can start there (报修, …)."""
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
        request.POST or None,
        initial={"parent": request.GET.get("parent"), "kind": request.GET.get("kind")},
        org=request.org,
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
    fields = ("name", "code", "kind", "parent", "note", "is_critical", "use", "is_active")
    initial = {f: getattr(location, f) for f in fields}
    form = LocationEditForm(request.POST or None, initial=initial, instance=location, org=request.org)
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
    places = locations.select_related("building").order_by("path")[:QR_SHEET_LIMIT]
    return printing.label_sheet(
        request,
        [qr_label(request.org, place) for place in places],
        title=_("QR codes of rooms"),
        controls_template="core/location_qr_sheet.html",
        context={"filters": filters, "top_places": _top_places(), "kinds": LocationKind.choices},
        note=_(
            "Each code opens the place's page; stick the label beside the door. At most {limit} labels at once: "
            "choose a building for large sites."
        ).format(limit=QR_SHEET_LIMIT),
        back_url=reverse("core:location_list", args=[request.org.code]),
    )


@org_view(p.LOCATION_MANAGE)
def location_print(request, pk):
    """The 场所信息卡: a place's particulars and its QR code on one A4 page, signed by who answers for it."""
    location = get_for_actor(
        Location.objects.select_related("building"),
        request.actor,
        pk=pk,
        view=p.LOCATION_VIEW,
        change=p.LOCATION_MANAGE,
    )
    ancestors = list(location.ancestors())
    floor = next((place for place in [*ancestors, location] if place.kind == LocationKind.FLOOR), None)
    form = printing.PrintForm(
        title=_("Location card"),
        number=location.code,
        fields=[
            printing.Field(_("Name"), location.name),
            printing.Field(_("Code"), location.code),
            printing.Field(_("Building"), location.building.name if location.building else ""),
            printing.Field(_("Floor"), floor.name if floor else ""),
            printing.Field(_("Kind"), location.get_kind_display()),
            printing.Field(_("Use"), dictionaries.label(request.org, dictionaries.LOCATION_USE.key, location.use)),
            printing.Field(_("Critical place"), _("Yes") if location.is_critical else _("No")),
            printing.Field(_("Responsible department"), ""),  # not recorded yet: filled in by hand
            printing.Field(_("Inside"), " / ".join(place.name for place in ancestors), wide=True),
            printing.Field(_("Note"), location.note, wide=True),
        ],
        signatures=[_("Person in charge of the place"), _("Logistics administrator")],
        qr_url=qr_url(request.org, location),
        back_url=reverse("core:location_detail", args=[request.org.code, location.pk]),
    )
    return printing.render_form(request, form)


@org_view(p.LOCATION_VIEW)
def location_export(request):
    """The filtered places as .xlsx, under the import's headers: an export edited can be imported elsewhere."""
    locations, _filters = _filtered(request)
    use_labels = dictionaries.labels(request.org, dictionaries.LOCATION_USE.key)
    header = {column.key: column.label for column in LocationImporter.columns}
    return xlsx_export(
        request,
        locations.select_related("parent", "building").order_by("path"),
        [
            (header["code"], "code"),
            (header["name"], "name"),
            (header["kind"], lambda loc: loc.get_kind_display()),
            (_("Building"), lambda loc: loc.building.name if loc.building_id else ""),
            (header["parent"], lambda loc: loc.parent.code if loc.parent_id else ""),
            (header["note"], "note"),
            (header["is_critical"], "is_critical"),
            (header["use"], lambda loc: use_labels.get(loc.use, loc.use)),
            (_("QR token"), "qr_token"),
        ],
        _("Locations"),
    )
