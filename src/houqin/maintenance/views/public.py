"""Reporting without login (扫码报修) at places the organisation opened for it, and the settings page listing them.

The two public pages are not ``@org_view``: anyone may open them. The org scope is open all the same (the
middleware opens it for every URL with an org code). A logged-in visitor is treated as on any org page: a
person of another organisation gets 404, a member is sent to the ordinary report form.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from houqin.core import orgsettings
from houqin.core import permissions as core_p
from houqin.core.access import actor_for_request
from houqin.core.models import Location
from houqin.core.permissions import restrict
from houqin.core.views.base import get_for_actor, keyset_page, org_view, render

from .. import permissions as p
from .. import services
from ..choices import JobSource
from ..forms.report import PublicPlaceForm, PublicReportForm, place_label
from ..models import Job, PublicReportPlace
from ..settings import SECTION
from .report import service_errors

CLIENT_COOKIE = "houqin_client"  # a long-lived random id of the phone, for the rate limit
CLIENT_COOKIE_AGE = 365 * 24 * 3600

SETTINGS_PAGE = orgsettings.SettingsPage(
    key="maintenance.public_places",
    label=gettext_lazy("Reporting without login"),
    url_name="maintenance:public_place_list",
    section=SECTION,
    description=gettext_lazy("Places where anyone may scan the room's code and report a repair without an account."),
)


def _report_url(org, location) -> str:
    return "{}?location={}".format(reverse("maintenance:job_report", args=[org.code]), location.pk)


def public_scan(request, location):
    """An anonymous scan of a room's code (core.locations.register_public_scan): the public form where the
    org opened the place for it; elsewhere None, and core sends the person to log in."""
    if services.public_reporting_open(request.org, location):
        return redirect("maintenance:public_report", request.org.code, location.qr_token)
    return None


def _client_id(request) -> tuple[str, bool]:
    """The phone's id from its cookie (new: True when it must be set)."""
    value = request.COOKIES.get(CLIENT_COOKIE, "")
    if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(18), True


def _with_cookie(response, client_id: str, new: bool):
    if new:
        response.set_cookie(CLIENT_COOKIE, client_id, max_age=CLIENT_COOKIE_AGE, httponly=True, samesite="Lax")
    return response


def _member_visit(request):
    """A logged-in visitor: 404 outside the organisation (as on every org page), else their actor."""
    return actor_for_request(request) if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def public_report(request, org_code, token):
    """报修 without login: the same form without the charged department, plus name and a phone (required)."""
    actor = _member_visit(request)
    location = Location.objects.select_related("building").filter(qr_token=token, is_active=True).first()
    if location is None:
        raise Http404
    if actor is not None:
        # Members report with their account (their department is charged, they follow the job).
        if actor.via_bureau or not actor.can(p.JOB_REPORT):
            raise PermissionDenied
        return redirect(_report_url(request.org, location))
    is_open = services.public_reporting_open(request.org, location)
    if not is_open and request.method != "POST":
        return redirect_to_login(_report_url(request.org, location))
    client_id, new = _client_id(request)
    form = PublicReportForm(request.POST or None, request.FILES or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.job_report_public(
                org=request.org,
                location=location,
                category=data["category"],
                description=data["description"],
                urgency=data["urgency"],
                contact_phone=data["contact_phone"],
                reporter_name=data["reporter_name"],
                photos=data["photos"],
                # Without its cookie a client shares its network address's count with every other such client.
                client_key="{}|{}".format(request.META.get("REMOTE_ADDR", ""), "-" if new else client_id),
                network_key=request.META.get("REMOTE_ADDR", ""),
            )
        except ValidationError as error:
            service_errors(form, error)
        else:
            done = redirect("maintenance:public_report_done", request.org.code, token, job.code)
            return _with_cookie(done, client_id, new)
    elif request.method == "POST" and not is_open:
        form.add_error(None, _("Reporting without login is not available at this place. Please log in to report."))
    response = render(
        request,
        "maintenance/public_report.html",
        {
            "form": form,
            "location": location,
            "place": place_label(location),
            "login_url": "{}?next={}".format(reverse("login"), _report_url(request.org, location)),
        },
        status=200 if is_open else 403,
    )
    return _with_cookie(response, client_id, new)


public_report.required_action = p.JOB_REPORT  # what a logged-in visitor needs (the isolation tests read it)


@require_GET
def public_report_done(request, org_code, token, code):
    """After a report without login: the job number to keep ("请保存编号以便查询")."""
    _member_visit(request)
    job = (
        Job.objects.select_related("location", "location__building")
        .filter(location__qr_token=token, code=code, source=JobSource.PUBLIC)
        .first()
    )
    if job is None:
        raise Http404
    return render(request, "maintenance/public_report_done.html", {"job": job, "place": place_label(job.location)})


public_report_done.required_action = None  # open to anyone; shows only the number and the place


# Settings: the places open to it ---------------------------------------------------------------------


def _settings_places(actor):
    return restrict(Location.objects.filter(is_active=True), actor, core_p.LOCATION_VIEW).order_by("path")


def _list_page(request, form=None, status=200):
    can_manage = request.actor.can(core_p.SETTINGS_MANAGE) and not request.actor.via_bureau
    places = restrict(PublicReportPlace.objects.all(), request.actor, core_p.SETTINGS_VIEW)
    page = keyset_page(request, places.select_related("location", "location__building", "enabled_by"), key="-id")
    for row in page["rows"]:
        row.place = place_label(row.location)
    if can_manage and form is None:
        form = PublicPlaceForm(locations=_settings_places(request.actor))
    return render(
        request,
        "maintenance/public_place_list.html",
        {"page": page, "form": form, "can_manage": can_manage, "nav_active": "settings"},
        status=status,
    )


@org_view(core_p.SETTINGS_VIEW)
def public_place_list(request):
    return _list_page(request)


@org_view(core_p.SETTINGS_MANAGE)
@require_POST
def public_place_add(request):
    form = PublicPlaceForm(request.POST, locations=_settings_places(request.actor))
    if form.is_valid():
        try:
            place = services.public_place_add(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(
                request, _("Reporting without login is on at {place}.").format(place=place_label(place.location))
            )
            return redirect("maintenance:public_place_list", request.org.code)
    return _list_page(request, form)


@org_view(core_p.SETTINGS_MANAGE)
@require_POST
def public_place_remove(request, pk):
    place = get_for_actor(
        PublicReportPlace.objects.select_related("location", "location__building"),
        request.actor,
        pk=pk,
        view=core_p.SETTINGS_VIEW,
        change=core_p.SETTINGS_MANAGE,
    )
    services.public_place_remove(actor=request.actor, place=place)
    messages.success(request, _("Reporting without login is off at {place}.").format(place=place_label(place.location)))
    return redirect("maintenance:public_place_list", request.org.code)


urlpatterns = [
    path("public/<str:token>/", public_report, name="public_report"),
    path("public/<str:token>/done/<str:code>/", public_report_done, name="public_report_done"),
    path("settings/public-places/", public_place_list, name="public_place_list"),
    path("settings/public-places/add/", public_place_add, name="public_place_add"),
    path("settings/public-places/<int:pk>/remove/", public_place_remove, name="public_place_remove"),
]
