"""Writes of the asset ledger: register a card, change it, set its status — each with a line on its chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import dictionaries, numbering, orgsettings
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import BY_RECORD, GONE, AssetEventKind, AssetStatus
from ..models import Asset, AssetEvent
from ..models.ledger import MAX_VALUE
from ..settings import FUNDING, THRESHOLD

__all__ = [
    "CODE_PREFIX",
    "EDITABLE",
    "asset_register",
    "asset_set_status",
    "asset_update",
    "card_errors",
    "derive",
    "is_low_value",
]

CODE_PREFIX = "ZC"  # 资产: ZC-2026-00042

# What a card's form and the API may set (status has its own service; code only when registering or correcting).
EDITABLE = (
    "code",
    "name",
    "category",
    "brand",
    "model_number",
    "spec",
    "serial_number",
    "quantity",
    "unit",
    "original_value",
    "acquisition",
    "funding",
    "supplier",
    "purchase_date",
    "booked_on",
    "voucher_number",
    "life_months",
    "department",
    "location",
    "custodian",
    "user_person",
    "warranty_until",
    "note",
)
TEXT_FIELDS = ("code", "name", "brand", "model_number", "spec", "serial_number", "unit", "voucher_number", "note")


def _check_manage(actor: Actor, asset: Asset | None = None) -> None:
    if actor.via_bureau or not actor.can(p.ASSET_MANAGE):
        raise PermissionDenied
    if asset is not None and not restrict(Asset.objects.filter(pk=asset.pk), actor, p.ASSET_MANAGE).exists():
        raise PermissionDenied


def is_low_value(org, *, original_value: Decimal, quantity: int, category, threshold: Decimal | None = None) -> bool:
    """低值易耗品: a unit value below the org's threshold, unless the card is a batch of like items of a class
    whose batches count as fixed assets (图书、家具、用具、装具). ``threshold``: the org's, read once by a caller
    that asks for many cards (the import)."""
    if category is not None and category.batch_counts and quantity > 1:
        return False
    if threshold is None:
        threshold = Decimal(str(orgsettings.value(org, THRESHOLD.key)))
    return Decimal(original_value) / max(quantity, 1) < threshold


def _validate(asset: Asset, *, current_funding: str | None = None, current_location_id: int | None = None) -> None:
    """Every error at once, field by field, before anything is written."""
    errors: dict[str, list] = {}
    if asset.location_id:
        location = asset.location
        if location.org_id == asset.org_id and not location.is_active and asset.location_id != current_location_id:
            errors.setdefault("location", []).append(_("This place is no longer in use."))
    if asset.code:
        duplicate = Asset.objects.filter(org=asset.org, code=asset.code).exclude(pk=asset.pk).exists()
        if duplicate:
            errors.setdefault("code", []).append(
                _("Another asset already has the code {code}.").format(code=asset.code)
            )
    try:
        dictionaries.validate_code(asset.org, FUNDING.key, asset.funding, field_name="funding", current=current_funding)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        asset.validate_same_org()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    card_errors(asset, errors)
    if errors:
        raise ValidationError(errors)


def card_errors(asset: Asset, errors: dict[str, list] | None = None, *, exclude=()) -> dict[str, list]:
    """The rules of a card's own values, without the database: value (not negative, not absurd, in fen),
    quantity, purchase and booking dates (not in the future, booked after bought), then the model's field checks
    (lengths, choices, ranges, required fields) for the fields not refused yet. ``errors``: those found so far
    (field → messages), added to and returned. ``exclude``: fields the caller has checked itself (the import
    resolves links within the organisation, so the model's per-link queries are not needed)."""
    errors = {} if errors is None else errors

    def add(field, message):
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    value = asset.original_value
    if value is None or value == "":
        add("original_value", _("Enter the value."))
    else:
        try:
            value = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            add("original_value", _("Enter a number."))
        else:
            if not value.is_finite():
                add("original_value", _("Enter a number."))
            elif value < 0:
                add("original_value", _("The value cannot be negative."))
            elif value > MAX_VALUE:
                add("original_value", _("This value is too large; check the number."))
            elif value != value.quantize(Decimal("0.01")):
                add("original_value", _("Enter the value in yuan with at most two decimal places."))
            else:
                asset.original_value = value
    if asset.quantity is not None and asset.quantity < 1:
        add("quantity", _("The quantity must be at least 1."))
    if isinstance(asset.purchase_date, date) and asset.purchase_date > today:
        add("purchase_date", _("The purchase date cannot be in the future."))
    if isinstance(asset.booked_on, date):
        if asset.booked_on > today:
            add("booked_on", _("The booking date cannot be in the future."))
        elif isinstance(asset.purchase_date, date) and asset.booked_on < asset.purchase_date:
            add("booked_on", _("The booking date cannot be before the purchase date."))
    try:
        asset.clean_fields(exclude=["org", "code", "building", "low_value", *exclude, *errors])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def _prepare(asset: Asset, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError("unknown asset fields: {}".format(", ".join(sorted(unknown))))
    for name, value in fields.items():
        if name in TEXT_FIELDS and isinstance(value, str):
            value = value.strip()
        if name in ("funding",) and value is None:
            value = ""
        setattr(asset, name, value)


def derive(asset: Asset, *, threshold: Decimal | None = None) -> None:
    """What the card keeps for filtering: the building of its place, the 低值易耗品 flag (``threshold``: see
    ``is_low_value``)."""
    asset.building_id = asset.location.building_id if asset.location_id else None
    asset.low_value = is_low_value(
        asset.org,
        original_value=asset.original_value,
        quantity=asset.quantity,
        category=asset.category,
        threshold=threshold,
    )


def _event(asset: Asset, actor: Actor | None, kind: str, note: str = "") -> AssetEvent:
    return AssetEvent.objects.create(
        org=asset.org, asset=asset, kind=kind, actor=actor.user if actor else None, note=note[:300]
    )


@transaction.atomic
def asset_register(*, actor: Actor, **fields) -> Asset:
    """登记: a new card. Without ``code`` the next ZC-<year>-<n> is given; a code kept from an imported ledger
    moves the numbering past it so generated codes never collide with it."""
    _check_manage(actor)
    org = actor.org
    asset = Asset(org=org)
    _prepare(asset, fields)
    _validate(asset)
    if asset.code:
        numbering.keep(org, CODE_PREFIX, asset.code)
    else:
        asset.code = numbering.allocate(org, CODE_PREFIX)
    derive(asset)
    asset.save()
    _event(asset, actor, AssetEventKind.REGISTERED, _("Registered as {code}.").format(code=asset.code))
    return asset


def _shown(asset: Asset, name: str) -> str:
    value = getattr(asset, name)
    if value is None or value == "":
        return "—"
    field = Asset._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name == "custodian" or name == "user_person":
        return value.user.name
    return str(getattr(value, "name", value))


@transaction.atomic
def asset_update(*, actor: Actor, asset: Asset, **fields) -> Asset:
    """Correct a card; the chain gets one line naming what changed (old → new)."""
    _check_manage(actor, asset)
    before = {name: _shown(asset, name) for name in fields if name in EDITABLE}
    current_funding = asset.funding
    old_code, old_location_id = asset.code, asset.location_id
    _prepare(asset, fields)
    if not asset.code:
        asset.code = old_code  # the code is kept unless replaced by another
    _validate(asset, current_funding=current_funding, current_location_id=old_location_id)
    if asset.code != old_code:
        numbering.keep(asset.org, CODE_PREFIX, asset.code)
    derive(asset)
    changes = []
    for name, old in before.items():
        new = _shown(asset, name)
        if new != old:
            changes.append("{}: {} → {}".format(Asset._meta.get_field(name).verbose_name, old, new))
    if not changes:
        return asset
    asset.save()
    _event(asset, actor, AssetEventKind.CHANGED, "; ".join(changes))
    return asset


@transaction.atomic
def asset_set_status(*, actor: Actor, asset: Asset, status: str, note: str = "") -> Asset:
    """在用、闲置、维修中… set by the asset clerk. Leaving the books (报废、丢失) records the day, which stops
    depreciation; coming back (found again) clears it."""
    _check_manage(actor, asset)
    if status not in AssetStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if status == asset.status:
        return asset
    if status in BY_RECORD or asset.status in BY_RECORD:
        raise ValidationError(
            {"status": _("Lent out, awaiting disposal and disposed of follow their loan or disposal; change it there.")}
        )
    old = asset.get_status_display()
    asset.status = status
    if status in GONE and asset.left_on is None:
        asset.left_on = max(timezone.localdate(), asset.booked_on)
    elif status not in GONE:
        asset.left_on = None
    asset.save(update_fields=["status", "left_on"])
    text = "{}: {} → {}".format(_("Status"), old, asset.get_status_display())
    if note.strip():
        text += " · " + note.strip()
    _event(asset, actor, AssetEventKind.STATUS, text)
    return asset
