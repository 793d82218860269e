"""赔偿: what a person owes for damage, recorded from a job or an asset; it shows on the person's page.

Modules record it with ``compensation_create(..., source=record, source_label=record.code)``; core never
imports them — the source is a generic link and its label is copied.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions as p
from .models import Compensation, CompensationState, Membership
from .permissions import Actor, restrict

MAX_AMOUNT = Decimal("10000000")

# model label ("maintenance.job") → f(object_id, org) -> URL of the source record's page. A module registers
# its builder (``register_source_url(Job, fn)``), so a compensation links back without core importing it.
SOURCE_URLS: dict[str, Callable[[int, object], str]] = {}


def register_source_url(model, fn: Callable[[int, object], str]) -> None:
    SOURCE_URLS[model._meta.label_lower] = fn


def source_url(compensation: Compensation) -> str:
    """The page of the record a compensation arose from, when its module registered one; "" otherwise."""
    if not compensation.content_type_id or not compensation.object_id:
        return ""
    content_type = ContentType.objects.get_for_id(compensation.content_type_id)  # cached per process
    builder = SOURCE_URLS.get("{}.{}".format(content_type.app_label, content_type.model))
    return builder(compensation.object_id, compensation.org) if builder else ""


@transaction.atomic
def compensation_create(
    *, actor: Actor, person: Membership, amount, reason: str, source=None, source_label: str = "", note: str = ""
) -> Compensation:
    if actor.via_bureau or not actor.can(p.COMPENSATION_MANAGE):
        raise PermissionDenied
    errors = {}
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        amount = None
    if amount is None or not Decimal("0") < amount <= MAX_AMOUNT:
        errors["amount"] = _("Enter an amount in yuan above zero.")
    if person is None or not Membership.objects.filter(pk=person.pk, is_active=True).exists():
        errors["person"] = _("Choose a person of this organisation.")
    if not reason.strip():
        errors["reason"] = _("Say what was damaged.")
    if errors:
        raise ValidationError(errors)
    compensation = Compensation(
        org=actor.org,
        person=person,
        amount=amount,
        reason=reason.strip()[:200],
        content_type=ContentType.objects.get_for_model(source) if source is not None else None,
        object_id=source.pk if source is not None else None,
        source_label=source_label[:100],
        recorded_by=actor.user,
        note=note.strip()[:200],
    )
    compensation.full_clean()
    compensation.save()
    return compensation


@transaction.atomic
def compensation_settle(*, actor: Actor, compensation: Compensation, state: str, note: str = "") -> Compensation:
    """Mark it paid or waived (免除 needs a note saying why)."""
    if (
        actor.via_bureau
        or not restrict(Compensation.objects.filter(pk=compensation.pk), actor, p.COMPENSATION_MANAGE).exists()
    ):
        raise PermissionDenied
    if state not in (CompensationState.PAID, CompensationState.WAIVED):
        raise ValidationError({"state": _("Choose paid or waived.")})
    if compensation.state != CompensationState.OPEN:
        raise ValidationError(_("This compensation is already settled."))
    if state == CompensationState.WAIVED and not note.strip():
        raise ValidationError({"note": _("Give a reason.")})
    compensation.state = state
    compensation.settled_at = timezone.now()
    compensation.note = note.strip()[:200] or compensation.note
    compensation.save(update_fields=["state", "settled_at", "note"])
    return compensation
