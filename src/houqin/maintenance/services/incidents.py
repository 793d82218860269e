"""Writes of incidents (突发事件): record one at night from a phone, mark arrival and resolution, link jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import dictionaries, numbering
from houqin.core.models import Location
from houqin.core.notifications import notify
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import IncidentState, JobSource, Urgency
from ..models import Incident, Job
from ..settings import CATEGORY, INCIDENT_KIND
from .jobs import job_create, office_users

__all__ = [
    "incident_create",
    "incident_link_job",
    "incident_mark",
    "incident_update",
]

# Phones and servers disagree by a little; an entry "now" may arrive slightly ahead of the server clock.
FUTURE_SLACK = timedelta(minutes=5)
# The repair category an emergency job gets unless the person picks one (an org's retired code → "other").
KIND_CATEGORY = {
    "burst_pipe": "water",
    "leak": "water",
    "flooding": "water",
    "power_cut": "electric",
    "lift_entrapment": "equipment",
    "gas": "other",
    "break_in": "door_window",
}
UPDATE_FIELDS = (
    "kind",
    "title",
    "location",
    "occurred_at",
    "on_site_at",
    "resolved_at",
    "impact",
    "measures",
    "follow_up",
)
TIME_FIELDS = ("occurred_at", "on_site_at", "resolved_at")
TEXT_FIELDS = ("title", "impact", "measures", "follow_up")


def incident_url(incident: Incident) -> str:
    return reverse("maintenance:incident_detail", args=[incident.org.code, incident.pk])


def _require_manage(actor: Actor, incident: Incident | None = None) -> None:
    if actor.via_bureau or not actor.can(p.INCIDENT_MANAGE):
        raise PermissionDenied
    rows = Incident.objects.filter(pk=incident.pk) if incident is not None else None
    if rows is not None and not restrict(rows, actor, p.INCIDENT_MANAGE).exists():
        raise PermissionDenied


def _check_kind(org, kind: str, current: str | None = None) -> None:
    if not kind:
        raise ValidationError({"kind": _("Choose what happened.")})
    dictionaries.validate_code(org, INCIDENT_KIND.key, kind, field_name="kind", current=current)


def _check_location(org, location: Location | None) -> None:
    if location is None:
        return
    if location.org_id != org.pk:
        raise ValidationError({"location": _("Choose a place of this organisation.")})
    if not location.is_active:
        raise ValidationError({"location": _("This place is no longer in use.")})


def _check_times(incident: Incident) -> None:
    """Times not in the future (beyond a few minutes) and arrival and resolution not before the report."""
    errors: dict[str, str] = {}
    latest = timezone.now() + FUTURE_SLACK
    for name in TIME_FIELDS:
        value = getattr(incident, name)
        if value is not None and value > latest:
            errors[name] = _("This time is in the future.")
    if incident.occurred_at is None:
        errors["occurred_at"] = _("Enter when it happened.")
    else:
        if incident.on_site_at and incident.on_site_at < incident.occurred_at and "on_site_at" not in errors:
            errors["on_site_at"] = _("Help cannot arrive before the emergency happened.")
        if incident.resolved_at and incident.resolved_at < incident.occurred_at and "resolved_at" not in errors:
            errors["resolved_at"] = _("It cannot be resolved before it happened.")
    if errors:
        raise ValidationError(errors)


def _job_category(org, kind: str, job_category: str | None) -> str:
    if job_category:
        dictionaries.validate_code(org, CATEGORY.key, job_category, field_name="job_category")
        return job_category
    code = KIND_CATEGORY.get(kind, "other")
    return code if code in dict(dictionaries.choices(org, CATEGORY.key)) else "other"


@transaction.atomic
def incident_create(
    *,
    actor: Actor,
    kind: str,
    title: str = "",
    location: Location | None = None,
    occurred_at: datetime | None = None,
    on_site_at: datetime | None = None,
    resolved_at: datetime | None = None,
    impact: str = "",
    measures: str = "",
    follow_up: str = "",
    create_job: bool = False,
    job_category: str | None = None,
) -> Incident:
    """Record an emergency; the logistics head and the dispatchers hear of it at once, day or night. With
    ``create_job`` an emergency repair job (counted around the clock) is opened at the place too."""
    _require_manage(actor)
    org = actor.org
    _check_kind(org, kind)
    _check_location(org, location)
    if create_job and location is None:
        raise ValidationError({"location": _("Choose the place, so that the repair job knows where to go.")})
    occurred_at = occurred_at or timezone.now()
    incident = Incident(
        org=org,
        kind=kind,
        title=(title or "").strip() or dictionaries.label(org, INCIDENT_KIND.key, kind),
        location=location,
        building_id=location.building_id if location else None,
        occurred_at=occurred_at,
        on_site_at=on_site_at,
        resolved_at=resolved_at,
        impact=(impact or "").strip(),
        measures=(measures or "").strip(),
        follow_up=(follow_up or "").strip(),
        reported_by=actor.user,
    )
    _check_times(incident)
    category = _job_category(org, kind, job_category) if create_job else None
    incident.code = numbering.allocate(org, "TF", on=timezone.localdate(occurred_at))
    incident.full_clean()
    incident.save()
    place = location.name if location else ""
    notify(
        org=org,
        recipients=office_users(org),
        event="maintenance.incident",
        title=_("Emergency {code}: {title}").format(code=incident.code, title=incident.title)
        + (" · {}".format(place) if place else ""),
        body=_("Recorded by {name}.").format(name=actor.user.name) + (" " + incident.impact if incident.impact else ""),
        url=incident_url(incident),
    )
    if create_job:
        job_create(
            org=org,
            actor=actor,
            location=location,
            category=category,
            description=_("Emergency {code}: {title}").format(code=incident.code, title=incident.title),
            urgency=Urgency.EMERGENCY,
            source=JobSource.INCIDENT,
            reporter=actor.user,
            incident=incident,
        )
    return incident


@transaction.atomic
def incident_update(*, actor: Actor, incident: Incident, **fields) -> Incident:
    """Fill in or correct an incident later: impact, measures, follow-up, times, place."""
    _require_manage(actor, incident)
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError("incident_update() got unexpected fields: {}".format(", ".join(sorted(unknown))))
    fields = {name: (value or "").strip() if name in TEXT_FIELDS else value for name, value in fields.items()}
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    if "kind" in changed:
        _check_kind(incident.org, fields["kind"], current=incident.kind)
    if "location" in changed:
        _check_location(incident.org, fields["location"])
    if not changed:
        return incident
    for name in changed:
        setattr(incident, name, fields[name])
    if "title" in changed and not incident.title:
        incident.title = dictionaries.label(incident.org, INCIDENT_KIND.key, incident.kind)
    if "location" in changed:
        incident.building_id = incident.location.building_id if incident.location else None
        changed.append("building")
    _check_times(incident)
    incident.full_clean()
    incident.save(update_fields=changed)
    return incident


@transaction.atomic
def incident_mark(*, actor: Actor, incident: Incident, what: str) -> Incident:
    """One tap: 到场 (``on_site``) or 已处置 (``resolved``) now. Tapping again keeps the first time."""
    _require_manage(actor, incident)
    fields = {IncidentState.ON_SITE: "on_site_at", IncidentState.RESOLVED: "resolved_at"}
    if what not in fields:
        raise ValidationError({"what": _("Mark it on site or resolved.")})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    name = fields[what]
    if getattr(incident, name) is not None:
        return incident
    setattr(incident, name, max(timezone.now(), incident.occurred_at))  # a report dated a little ahead
    incident.full_clean()
    incident.save(update_fields=[name])
    if what == IncidentState.RESOLVED:
        notify(
            org=incident.org,
            recipients=office_users(incident.org),
            event="maintenance.incident.resolved",
            title=_("Emergency {code} is resolved: {title}").format(code=incident.code, title=incident.title),
            body=_("Marked by {name}.").format(name=actor.user.name),
            url=incident_url(incident),
        )
    return incident


@transaction.atomic
def incident_link_job(*, actor: Actor, incident: Incident, job: Job) -> Job:
    """Link a repair job (of this organisation, one the actor can see) to the incident it came from."""
    _require_manage(actor, incident)
    if job.org_id != incident.org_id or not restrict(Job.objects.filter(pk=job.pk), actor, p.JOB_VIEW).exists():
        raise ValidationError({"job": _("No repair job with this number that you can see.")})
    if job.incident_id == incident.pk:
        return job
    if job.incident_id is not None:
        raise ValidationError(
            {
                "job": _("Repair {code} already belongs to emergency {other}.").format(
                    code=job.code, other=job.incident.code
                )
            }
        )
    job.incident = incident
    job.full_clean()
    job.save(update_fields=["incident"])
    return job
