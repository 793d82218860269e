"""Reporting without login (扫码报修): which places allow it, and the report itself, rate limited per phone."""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Sequence

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from houqin.core import dictionaries, orgsettings
from houqin.core import permissions as core_p
from houqin.core.models import Location, Organization
from houqin.core.permissions import Actor

from ..choices import JobSource, Urgency
from ..models import Job, PublicReportPlace
from ..settings import CATEGORY, PUBLIC_RATE_LIMIT
from .jobs import job_create

__all__ = [
    "clean_contact_phone",
    "job_report_public",
    "public_place_add",
    "public_place_remove",
    "public_reporting_open",
    "report_description",
]

RATE_WINDOW_SECONDS = 3600
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 区号 + a 7–8 digit number, optionally an extension: 010-12345678, 0571-8888888-123. Area codes 010 and 02x
# have three digits, all others four, so the dash may be left out.
LANDLINE = re.compile(r"^(0[12]\d|0[3-9]\d{2})-?([1-9]\d{6,7})(?:-(\d{1,6}))?$")


def clean_contact_phone(value: str) -> str:
    """A mainland mobile (13812345678) or landline (010-12345678, 0571-88881234-8) number, normalised;
    full-width digits, spaces, brackets and a +86 prefix are accepted. ``ValidationError`` otherwise."""
    phone = unicodedata.normalize("NFKC", value or "").strip()
    phone = re.sub(r"[\s()（）]", "", phone).replace("—", "-").replace("－", "-")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :].lstrip("-")
    if MOBILE.match(phone.replace("-", "")):
        return phone.replace("-", "")
    landline = LANDLINE.match(phone)
    if landline:
        return "-".join(part for part in landline.groups() if part)
    raise ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code, e.g. 010-12345678."))


def report_description(org: Organization, category: str, text: str) -> str:
    """The description as typed, or, left empty (报修 in three taps), "<category>（未填写描述）"."""
    text = (text or "").strip()
    if text:
        return text
    return _("{category} (no description given)").format(category=dictionaries.label(org, CATEGORY.key, category))


# Which places ---------------------------------------------------------------------------------------


def public_reporting_open(org: Organization, location: Location) -> bool:
    """Whether a repair may be reported at ``location`` without logging in: the place itself is open, or a
    place above it is open together with everything below it."""
    if location.org_id != org.pk or not location.is_active:
        return False
    return (
        PublicReportPlace.objects.filter(org=org, location_id=location.pk).exists()
        or PublicReportPlace.objects.filter(
            org=org, location_id__in=location.ancestor_ids(), include_children=True
        ).exists()
    )


def _require_settings(actor: Actor) -> None:
    if actor.via_bureau or not actor.can(core_p.SETTINGS_MANAGE):
        raise PermissionDenied


@transaction.atomic
def public_place_add(*, actor: Actor, location: Location, include_children: bool) -> PublicReportPlace:
    """Turn on reporting without login at a place (and, with ``include_children``, every place below it)."""
    _require_settings(actor)
    if location.org_id != actor.org.pk or not location.is_active:
        raise ValidationError({"location": _("Choose a place of this organisation that is in use.")})
    if PublicReportPlace.objects.filter(org=actor.org, location=location).exists():
        raise ValidationError({"location": _("Reporting without login is already on at this place.")})
    place = PublicReportPlace(
        org=actor.org, location=location, include_children=include_children, enabled_by=actor.user
    )
    place.full_clean()
    place.save()
    return place


@transaction.atomic
def public_place_remove(*, actor: Actor, place: PublicReportPlace) -> None:
    """Turn reporting without login off again at a place (history keeps who had turned it on)."""
    _require_settings(actor)
    if place.org_id != actor.org.pk:
        raise PermissionDenied
    place.delete()


# The report -------------------------------------------------------------------------------------------


NETWORK_FACTOR = 10  # reports one network address may send per hour, as a multiple of the per-phone limit


def _rate_key(org: Organization, client_key: str) -> str:
    digest = hashlib.sha256(client_key.encode()).hexdigest()[:32]
    return "maintenance:public_report:{}:{}".format(org.pk, digest)


@transaction.atomic
def job_report_public(
    *,
    org: Organization,
    location: Location,
    category: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    contact_phone: str,
    reporter_name: str = "",
    photos: Sequence = (),
    client_key: str,
    network_key: str = "",
) -> Job:
    """报修 without logging in, at a place the org has opened for it. The phone is required (the office calls
    back); each client (IP + a long-lived cookie) may send the org's hourly limit of reports, and one network
    address ten times that (a campus behind one address has many phones; a script renewing its cookie is still
    stopped). The job has no
    reporter and no charged department until the dispatcher sets one."""
    if not public_reporting_open(org, location):
        raise ValidationError(_("Reporting without login is not available at this place. Please log in to report."))
    try:
        phone = clean_contact_phone(contact_phone)
    except ValidationError as error:
        raise ValidationError({"contact_phone": error.messages}) from None
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose how urgent it is.")})
    # Rolling hours of report times per client and per network address. The database cache writes in this
    # transaction, so a report that fails later is not counted.
    now = time.time()
    limit = orgsettings.value(org, PUBLIC_RATE_LIMIT.key)
    counted = [(_rate_key(org, client_key), limit)]
    if network_key:
        counted.append((_rate_key(org, "net|" + network_key), limit * NETWORK_FACTOR))
    recent = {key: [t for t in cache.get(key, []) if t > now - RATE_WINDOW_SECONDS] for key, _limit in counted}
    if any(len(recent[key]) >= most for key, most in counted):
        raise ValidationError(
            _("Too many reports from this phone in the last hour (at most {limit}). Please try again later.").format(
                limit=limit
            ),
            code="rate_limited",
        )
    job = job_create(
        org=org,
        actor=None,
        location=location,
        category=category,
        description=report_description(org, category, description),
        urgency=urgency,
        source=JobSource.PUBLIC,
        reporter=None,
        reporter_name=(reporter_name or "").strip()[:50],
        contact_phone=phone,
        photos=photos,
    )
    for key, stamps in recent.items():
        cache.set(key, [*stamps, now], timeout=RATE_WINDOW_SECONDS)
    return job
