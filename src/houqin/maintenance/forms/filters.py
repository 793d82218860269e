"""Choices for the filter forms of the board and the job list (the filtering itself is ``JobFilterSet``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries
from houqin.core.choices import LocationKind
from houqin.core.models import Department, Location, Party
from houqin.core.models.parties import PartyKind
from houqin.core.permissions import OWN, Actor

from .. import permissions as p
from ..choices import JobState, Urgency
from ..services.jobs import technicians
from ..settings import CATEGORY

CHOICE_LIMIT = 300  # a select never lists a whole table
WORK_PARTIES = (PartyKind.CONTRACTOR, PartyKind.PROPERTY_MANAGER, PartyKind.MAINTENANCE, PartyKind.OTHER)
STAGES = [("open", _("Open jobs")), ("finished", _("Awaiting confirmation")), ("closed", _("Closed jobs"))]


def job_filter_choices(actor: Actor) -> dict:
    """What the filter selects offer: one query per select, whatever the number of jobs. People who only see
    their own reports get the simple filters (no technicians, contractors or departments)."""
    org = actor.org
    wide = actor.widest_scope(p.JOB_VIEW) not in (None, OWN)
    choices = {
        "wide": wide,
        "categories": dictionaries.choices(org, CATEGORY.key),
        "urgencies": Urgency.choices,
        "states": JobState.choices,
        "stages": STAGES,
        "buildings": [
            (str(pk), name)
            for pk, name in Location.objects.filter(kind=LocationKind.BUILDING, is_active=True)
            .order_by("path")
            .values_list("pk", "name")[:CHOICE_LIMIT]
        ],
    }
    if wide:
        choices["technicians"] = [
            (str(user_id), name)
            for user_id, name in technicians(org)
            .order_by("user__name", "pk")
            .values_list("user_id", "user__name")[:CHOICE_LIMIT]
        ]
        choices["parties"] = [
            (str(pk), name)
            for pk, name in Party.objects.filter(kind__in=WORK_PARTIES, is_active=True)
            .order_by("name", "pk")
            .values_list("pk", "name")[:CHOICE_LIMIT]
        ]
        choices["departments"] = [
            (str(pk), "\u3000" * max(depth - 1, 0) + name)
            for pk, name, depth in Department.objects.filter(is_active=True)
            .order_by("path")
            .values_list("pk", "name", "depth")[:CHOICE_LIMIT]
        ]
    return choices
