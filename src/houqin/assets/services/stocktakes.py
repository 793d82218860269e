"""Writes of stocktakes (盘点/清查): open one for a scope, count assets by scanning their labels, register surplus
items found on the spot (盘盈), close it — applying every adjustment in one transaction — or cancel it.

A count is recorded only by ``stocktake_count``, which only the page behind an asset's QR label calls (the label
scan, ``asset_scan``); it takes the server's time. There is deliberately no API endpoint and no other button for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import numbering
from houqin.core.models import Department, Location
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import GONE, Acquisition, AssetEventKind, AssetStatus, CountResult, StocktakeScope, StocktakeState
from ..models import Asset, AssetCategory, AssetEvent, Stocktake, StocktakeLine
from ..models.ledger import MAX_VALUE
from .assets import asset_register

__all__ = [
    "CODE_PREFIX",
    "CloseResult",
    "scope_assets",
    "scope_key",
    "stocktake_cancel",
    "stocktake_close",
    "stocktake_count",
    "stocktake_open",
    "stocktake_register_surplus",
]

CODE_PREFIX = "PD"  # 盘点: PD-2026-00003
BATCH = 2000


# Scopes -----------------------------------------------------------------------------------------


def scope_key(scope: str, *, department=None, location=None, category=None) -> str:
    """The non-null key of the "one open stocktake per scope" constraint: "org", "department:5", "location:12",
    "category:A02"."""
    if scope == StocktakeScope.DEPARTMENT:
        return "department:{}".format(department.pk)
    if scope == StocktakeScope.LOCATION:
        return "location:{}".format(location.pk)
    if scope == StocktakeScope.CATEGORY:
        return "category:{}".format(category.code)
    return "org"


def scope_assets(stocktake: Stocktake):
    """The assets of the stocktake's scope that are on the books (not 已报废/丢失): a department or place with
    everything below it, a category with its subclasses, or the whole organisation."""
    assets = Asset.objects.exclude(status__in=GONE)
    if stocktake.scope == StocktakeScope.DEPARTMENT:
        assets = assets.filter(department__path__startswith=stocktake.department.path)
    elif stocktake.scope == StocktakeScope.LOCATION:
        assets = assets.filter(location__path__startswith=stocktake.location.path)
    elif stocktake.scope == StocktakeScope.CATEGORY:
        assets = assets.filter(category__code__startswith=stocktake.category.code)
    return assets


def in_area(stocktake: Stocktake, location: Location | None) -> bool:
    """Whether ``location`` lies inside a place-scoped stocktake's area (the place or anything below it)."""
    return (
        stocktake.scope == StocktakeScope.LOCATION
        and location is not None
        and location.path.startswith(stocktake.location.path)
    )


def stocktake_url(stocktake: Stocktake) -> str:
    return reverse("assets:stocktake_detail", args=[stocktake.org.code, stocktake.pk])


# Checks -----------------------------------------------------------------------------------------


def _require(actor: Actor, action: str, stocktake: Stocktake | None = None) -> None:
    if actor.via_bureau or not actor.can(action):
        raise PermissionDenied
    if stocktake is not None and not restrict(Stocktake.objects.filter(pk=stocktake.pk), actor, action).exists():
        raise PermissionDenied


def _locked_open(stocktake: Stocktake) -> Stocktake:
    """The stocktake's row, locked until the transaction ends; refused unless it is still counting."""
    locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if locked.state != StocktakeState.OPEN:
        raise ValidationError(
            _("Stocktake {code} is {state}: nothing can be counted or added any more.").format(
                code=locked.code, state=locked.get_state_display()
            ),
            code="not_open",
        )
    return locked


def _check_place(org, location: Location | None, name: str, errors: dict, *, required: bool = True) -> None:
    if location is None:
        if required:
            errors[name] = _("Choose the place.")
        return
    if location.org_id != org.pk:
        errors[name] = _("Choose an entry of this organisation.")
    elif not location.is_active:
        errors[name] = _("This place is no longer in use.")


def _money(value, name: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        errors[name] = _("Enter the value.")
        return None
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[name] = _("Enter a number.")
        return None
    if not value.is_finite():
        errors[name] = _("Enter a number.")
    elif value < 0:
        errors[name] = _("The value cannot be negative.")
    elif value > MAX_VALUE:
        errors[name] = _("This value is too large; check the number.")
    elif value != value.quantize(Decimal("0.01")):
        errors[name] = _("Enter the value in yuan with at most two decimal places.")
    else:
        return value
    return None


# Opening ----------------------------------------------------------------------------------------


def _default_name(scope: str, department, location, category) -> str:
    year = timezone.localdate().year
    what = {
        StocktakeScope.DEPARTMENT: department.name if department else "",
        StocktakeScope.LOCATION: location.name if location else "",
        StocktakeScope.CATEGORY: category.name if category else "",
    }.get(scope, "")
    if what:
        return _("{year} stocktake of {what}").format(year=year, what=what)
    return _("{year} stocktake of all assets").format(year=year)


@transaction.atomic
def stocktake_open(
    *,
    actor: Actor,
    name: str,
    scope: str,
    department: Department | None = None,
    location: Location | None = None,
    category: AssetCategory | None = None,
    note: str = "",
) -> Stocktake:
    """发起盘点: number PD-<year>-<n>, and every asset of the scope that is on the books listed as a line with the
    place the ledger gives it. A second open stocktake of the same scope is refused (the database's partial
    unique constraint on the scope key decides, also between two people opening at the same moment)."""
    _require(actor, p.STOCKTAKE_MANAGE)
    org = actor.org
    errors: dict[str, str] = {}
    if scope not in StocktakeScope.values:
        raise ValidationError({"scope": _("Choose what to count.")})
    # Only the row the scope names is kept (the form may send the others).
    department = department if scope == StocktakeScope.DEPARTMENT else None
    location = location if scope == StocktakeScope.LOCATION else None
    category = category if scope == StocktakeScope.CATEGORY else None
    if scope == StocktakeScope.DEPARTMENT:
        if department is None:
            errors["department"] = _("Choose the department.")
        elif department.org_id != org.pk:
            errors["department"] = _("Choose an entry of this organisation.")
        elif not department.is_active:
            errors["department"] = _("This department is no longer in use.")
    elif scope == StocktakeScope.LOCATION:
        _check_place(org, location, "location", errors)
    elif scope == StocktakeScope.CATEGORY and category is None:
        errors["category"] = _("Choose the category.")
    if errors:
        raise ValidationError(errors)
    name = (name or "").strip() or _default_name(scope, department, location, category)
    stocktake = Stocktake(
        org=org,
        name=name[:100],
        scope=scope,
        department=department,
        location=location,
        category=category,
        scope_key=scope_key(scope, department=department, location=location, category=category),
        opened_by=actor.user,
        opened_at=timezone.now(),
        note=(note or "").strip(),
    )
    stocktake.code = numbering.allocate(org, CODE_PREFIX)
    try:
        Stocktake.WORKFLOW.start(stocktake, "open", actor=actor)
    except ValidationError as error:
        if "scope_key" not in getattr(error, "error_dict", {}):
            raise
        # The insert broke "one open stocktake per scope" (rolled back to the kit's savepoint): name the open one.
        open_one = Stocktake.objects.filter(state=StocktakeState.OPEN, scope_key=stocktake.scope_key).first()
        field_name = {"department": "department", "location": "location", "category": "category"}.get(scope, "scope")
        message = (
            _("Stocktake {code} of this scope is still open: close or cancel it first.").format(code=open_one.code)
            if open_one
            else _("A stocktake of this scope is already open: close it first.")
        )
        raise ValidationError({field_name: message}, code="scope_open") from error
    _list_assets(stocktake)
    return stocktake


def _list_assets(stocktake: Stocktake) -> None:
    """The lines of a new stocktake, written in batches (a hospital counts thousands of assets at once)."""
    rows = scope_assets(stocktake).order_by("pk").values_list("pk", "location_id")
    batch: list[StocktakeLine] = []
    for asset_id, location_id in rows.iterator(chunk_size=BATCH):
        batch.append(
            StocktakeLine(
                org_id=stocktake.org_id, stocktake=stocktake, asset_id=asset_id, expected_location_id=location_id
            )
        )
        if len(batch) >= BATCH:
            _write_lines(batch)
            batch = []
    if batch:
        _write_lines(batch)


def _write_lines(lines: list[StocktakeLine]) -> None:
    StocktakeLine.objects.bulk_create(lines)
    if all(line.pk for line in lines):  # the database gave the ids back (PostgreSQL, SQLite ≥ 3.35)
        StocktakeLine.history.bulk_history_create(lines)


# Counting ---------------------------------------------------------------------------------------


@transaction.atomic
def stocktake_count(
    *,
    actor: Actor,
    line_or_stocktake: StocktakeLine | Stocktake,
    asset: Asset,
    found_location: Location | None,
    note: str = "",
) -> StocktakeLine:
    """盘点一件: the asset was seen at ``found_location`` by ``actor`` now (the server's time). FOUND where the
    ledger has it, WRONG_LOCATION elsewhere. An asset of the organisation that a place-scoped stocktake did not list
    but that is found inside its area gets a line of its own (found in the wrong place). Scanning again updates the
    line. Only the label's scan page calls this."""
    stocktake = line_or_stocktake.stocktake if isinstance(line_or_stocktake, StocktakeLine) else line_or_stocktake
    _require(actor, p.STOCKTAKE_COUNT, stocktake)
    stocktake = _locked_open(stocktake)
    if asset.org_id != stocktake.org_id:
        raise ValidationError({"asset": _("This label belongs to another organisation.")})
    errors: dict[str, str] = {}
    _check_place(stocktake.org, found_location, "found_location", errors)
    if errors:
        raise ValidationError(errors)
    line = StocktakeLine.objects.select_for_update().filter(stocktake=stocktake, asset=asset).first()
    if line is None:
        if asset.status in GONE:
            raise ValidationError(
                {
                    "asset": _("This asset is off the books ({status}); tell the asset clerk.").format(
                        status=asset.get_status_display()
                    )
                }
            )
        if not in_area(stocktake, found_location):
            raise ValidationError(
                {"found_location": _("This asset is not on the list of stocktake {code}.").format(code=stocktake.code)}
            )
        line = StocktakeLine(org=stocktake.org, stocktake=stocktake, asset=asset, expected_location=asset.location)
    line.found_location = found_location
    line.result = CountResult.FOUND if asset.location_id == found_location.pk else CountResult.WRONG_LOCATION
    line.counted_by = actor.user
    line.counted_at = timezone.now()
    line.note = (note or "").strip()[:200]
    line.full_clean(validate_constraints=False)
    line.save()
    return line


# Surplus (盘盈) -----------------------------------------------------------------------------------


@transaction.atomic
def stocktake_register_surplus(
    *,
    actor: Actor,
    stocktake: Stocktake,
    name: str,
    category: AssetCategory | None,
    quantity: int,
    value,
    location: Location | None,
    department: Department | None = None,
    note: str = "",
) -> StocktakeLine:
    """盘盈登记: an item found on the spot that the ledger does not have, described as a line; closing the
    stocktake registers it as an asset card (acquired by stocktake surplus). Its department defaults to the
    stocktake's own (a department-scoped one)."""
    _require(actor, p.STOCKTAKE_MANAGE, stocktake)
    stocktake = _locked_open(stocktake)
    org = stocktake.org
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter what was found.")
    if category is None:
        errors["category"] = _("Choose the category.")
    if quantity is None or quantity < 1:
        errors["quantity"] = _("The quantity must be at least 1.")
    elif quantity > 1_000_000:
        errors["quantity"] = _("Check the quantity.")
    amount = _money(value, "value", errors)
    _check_place(org, location, "location", errors)
    if "location" not in errors and stocktake.scope == StocktakeScope.LOCATION and not in_area(stocktake, location):
        errors["location"] = _("Choose a place inside {place}.").format(place=stocktake.location.name)
    department = department or stocktake.department
    if department is None:
        errors["department"] = _("Choose the department the item will belong to.")
    elif department.org_id != org.pk:
        errors["department"] = _("Choose an entry of this organisation.")
    elif not department.is_active:
        errors["department"] = _("This department is no longer in use.")
    if errors:
        raise ValidationError(errors)
    line = StocktakeLine(
        org=org,
        stocktake=stocktake,
        result=CountResult.SURPLUS,
        surplus_name=name[:100],
        surplus_category=category,
        surplus_department=department,
        surplus_quantity=quantity,
        surplus_value=amount,
        found_location=location,
        counted_by=actor.user,
        counted_at=timezone.now(),
        note=(note or "").strip()[:200],
    )
    line.full_clean(validate_constraints=False)
    line.save()
    return line


# Closing and cancelling -------------------------------------------------------------------------


@dataclass
class CloseResult:
    """What closing changed: the ids of the assets per adjustment."""

    missing: list[int] = field(default_factory=list)  # set to 丢失 (盘亏)
    moved: list[int] = field(default_factory=list)  # place corrected
    registered: list[int] = field(default_factory=list)  # new cards (盘盈)
    found: list[int] = field(default_factory=list)  # counted where the ledger has them


def _left_on(today: date):
    # As asset_set_status: the day it left the books, never before it was booked.
    return Case(When(booked_on__gt=today, then=F("booked_on")), default=today)


@transaction.atomic
def stocktake_close(*, actor: Actor, stocktake: Stocktake) -> CloseResult:
    """结束盘点, in one transaction: lines not counted become 盘亏 and their assets 丢失 (leaving the books today);
    assets found elsewhere move to where they were found; surplus items are registered as cards (acquired by
    盘盈, numbered by the ledger); assets found in place get a "counted" line on their chain. Each changed asset
    gets one line on its chain naming the stocktake. Closing a closed stocktake is refused and changes nothing."""
    _require(actor, p.STOCKTAKE_MANAGE, stocktake)
    _require(actor, p.ASSET_MANAGE)  # closing writes the ledger
    now = timezone.now()
    today = timezone.localdate(now)
    before = (stocktake.closed_by, stocktake.closed_at)
    stocktake.closed_by = actor.user
    stocktake.closed_at = now
    # The kit locks the row and refuses a stocktake that is no longer counting, before anything is written.
    try:
        Stocktake.WORKFLOW.apply(stocktake, "close", actor=actor, also_save=["closed_by", "closed_at"])
    except ValidationError as error:
        stocktake.closed_by, stocktake.closed_at = before  # the caller's instance keeps what the row holds
        if error.code != "illegal_transition":
            raise
        raise ValidationError(
            _("Stocktake {code} is {state}: it cannot be closed again, and nothing was changed.").format(
                code=stocktake.code, state=stocktake.get_state_display()
            ),
            code="illegal_transition",
        ) from error
    result = CloseResult()
    label = stocktake.code
    url = stocktake_url(stocktake)
    user = actor.user
    lines = StocktakeLine.objects.filter(stocktake=stocktake)
    events: list[AssetEvent] = []

    def event(asset_id: int, kind: str, note: str) -> None:
        events.append(
            AssetEvent(
                org_id=stocktake.org_id,
                asset_id=asset_id,
                kind=kind,
                at=now,
                actor=user,
                note=note[:300],
                source_label=label,
                source_url=url,
            )
        )

    # 盘亏: not found by anyone (no other count can come in: the stocktake's row is locked). Subqueries, not lists
    # of ids, so that any number of lines fits in one statement.
    pending = lines.filter(result=CountResult.PENDING)
    pending_ids = list(pending.values_list("pk", flat=True))
    missing = Asset.objects.filter(pk__in=pending.values("asset_id")).exclude(status__in=GONE)
    statuses = dict(missing.values_list("pk", "status"))
    if len(statuses) < len(pending_ids):
        # Disposed of (or lost) through another record while the stocktake ran: not found, already off the books.
        pending.filter(asset__status__in=GONE).update(note=_("Already off the books when the stocktake closed."))
    if statuses:
        missing.update(
            status=AssetStatus.LOST,
            left_on=Case(When(left_on__isnull=False, then=F("left_on")), default=_left_on(today)),
        )
        labels = dict(AssetStatus.choices)
        for asset_id, old in sorted(statuses.items()):
            event(
                asset_id,
                AssetEventKind.STOCKTAKE,
                _("Missing in stocktake {code} (盘亏). Status: {old} → {new}").format(
                    code=label, old=labels.get(old, old), new=labels[AssetStatus.LOST]
                ),
            )
        result.missing = sorted(statuses)
    if pending_ids:
        pending.update(result=CountResult.MISSING)
        _line_history(pending_ids)
    # Found elsewhere: the ledger follows what was seen.
    moves = list(
        lines.filter(result=CountResult.WRONG_LOCATION, asset__isnull=False)
        .select_related("asset__location", "found_location")
        .order_by("pk")
    )
    moved_assets = []
    for line in moves:
        asset = line.asset
        if asset.status in GONE or asset.location_id == line.found_location_id:
            continue  # left the books meanwhile, or already moved there by a transfer
        old = asset.location.name if asset.location_id else "—"
        asset.location = line.found_location
        asset.building_id = line.found_location.building_id
        moved_assets.append(asset)
        event(
            asset.pk,
            AssetEventKind.STOCKTAKE,
            _("Found elsewhere in stocktake {code}. Location: {old} → {new}").format(
                code=label, old=old, new=line.found_location.name
            ),
        )
    if moved_assets:
        Asset.objects.bulk_update(moved_assets, ["location", "building"], batch_size=500)
        result.moved = [asset.pk for asset in moved_assets]
    # 盘盈: registered through the ledger's own service (numbering, 低值易耗品 flag, its "registered" line).
    for line in lines.filter(result=CountResult.SURPLUS, asset__isnull=True).select_related(
        "surplus_category", "surplus_department", "found_location"
    ):
        try:
            asset = asset_register(
                actor=actor,
                name=line.surplus_name,
                category=line.surplus_category,
                quantity=line.surplus_quantity,
                original_value=line.surplus_value,
                acquisition=Acquisition.SURPLUS,
                department=line.surplus_department,
                location=line.found_location,
                booked_on=today,
                note=_("Surplus in stocktake {code}").format(code=label),
            )
        except ValidationError as error:
            raise ValidationError(
                _("Surplus item “{name}” cannot be registered: {errors}").format(
                    name=line.surplus_name, errors=" ".join(error.messages)
                )
            ) from error
        line.asset = asset
        line.save(update_fields=["asset"])
        event(asset.pk, AssetEventKind.STOCKTAKE, _("Surplus in stocktake {code} (盘盈).").format(code=label))
        result.registered.append(asset.pk)
    # Found in place: a "counted" line on the chain.
    found = lines.filter(result=CountResult.FOUND, asset__isnull=False).values_list("asset_id", "counted_at")
    for asset_id, counted_at in found.order_by("asset_id").iterator(chunk_size=BATCH):
        event(
            asset_id,
            AssetEventKind.COUNTED,
            _("Counted in stocktake {code} on {day}.").format(
                code=label, day=timezone.localdate(counted_at).isoformat() if counted_at else today.isoformat()
            ),
        )
        result.found.append(asset_id)
    AssetEvent.objects.bulk_create(events, batch_size=BATCH)
    changed = set(result.missing) | set(result.moved)
    if changed:
        _asset_history(sorted(changed))
    return result


def _line_history(line_ids: list[int]) -> None:
    for start in range(0, len(line_ids), BATCH):
        rows = list(StocktakeLine.objects.filter(pk__in=line_ids[start : start + BATCH]))
        StocktakeLine.history.bulk_history_create(rows, update=True)


def _asset_history(asset_ids: list[int]) -> None:
    """Field history of the assets changed in bulk (update() sends no signals)."""
    for start in range(0, len(asset_ids), BATCH):
        rows = list(Asset.objects.filter(pk__in=asset_ids[start : start + BATCH]))
        Asset.history.bulk_history_create(rows, update=True)


@transaction.atomic
def stocktake_cancel(*, actor: Actor, stocktake: Stocktake, reason: str) -> Stocktake:
    """作废: the stocktake ends without changing the ledger (counted wrong scope, started by mistake); the reason
    is kept on its timeline. Its scope is free for a new stocktake."""
    _require(actor, p.STOCKTAKE_MANAGE, stocktake)
    Stocktake.WORKFLOW.apply(stocktake, "cancel", actor=actor, note=reason or "")
    return stocktake
