"""Reads of stocktakes (盘点) shared by the pages, the API, the printed report and the label scan."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import CountResult, StocktakeScope, StocktakeState
from ..models import Asset, Stocktake, StocktakeLine

# The order results are shown in: progress first, then the differences.
RESULT_ORDER = (
    CountResult.FOUND,
    CountResult.WRONG_LOCATION,
    CountResult.PENDING,
    CountResult.MISSING,
    CountResult.SURPLUS,
)
RESULT_COLOURS = {
    CountResult.FOUND: "success",
    CountResult.WRONG_LOCATION: "orange",
    CountResult.PENDING: "secondary",
    CountResult.MISSING: "danger",
    CountResult.SURPLUS: "azure",
}
STATE_COLOURS = {StocktakeState.OPEN: "blue", StocktakeState.CLOSED: "success", StocktakeState.CANCELLED: "secondary"}
# What a line is worth: the card's value, or the estimate of a surplus item not yet registered.
LINE_VALUE = Case(
    When(asset__isnull=False, then=F("asset__original_value")),
    default=F("surplus_value"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def visible_stocktakes(actor: Actor):
    return restrict(Stocktake.objects.all(), actor, p.STOCKTAKE_VIEW)


def visible_lines(actor: Actor):
    """Lines of the stocktakes the actor may read (a line has no scope of its own: its stocktake's)."""
    return StocktakeLine.objects.filter(stocktake__in=visible_stocktakes(actor).values("pk"))


def with_relations(lines):
    return lines.select_related(
        "asset__category",
        "asset__department",
        "expected_location",
        "found_location",
        "counted_by",
        "surplus_category",
        "surplus_department",
    )


@dataclass
class ResultTotal:
    result: str
    label: str
    colour: str
    count: int = 0
    value: Decimal = Decimal("0.00")
    percent: float = 0.0


def result_totals(stocktake: Stocktake) -> list[ResultTotal]:
    """Count and value of the lines per result, in ``RESULT_ORDER`` (one query)."""
    rows = {
        row["result"]: row
        for row in StocktakeLine.objects.filter(stocktake=stocktake)
        .values("result")
        .annotate(n=Count("pk"), value=Coalesce(Sum(LINE_VALUE), Value(Decimal("0"))))
        .order_by()
    }
    labels = dict(CountResult.choices)
    listed = sum(row["n"] for result, row in rows.items() if result != CountResult.SURPLUS)
    totals = []
    for result in RESULT_ORDER:
        row = rows.get(result, {"n": 0, "value": Decimal("0")})
        totals.append(
            ResultTotal(
                result=result,
                label=str(labels[result]),
                colour=RESULT_COLOURS[result],
                count=row["n"],
                value=Decimal(row["value"] or 0).quantize(Decimal("0.01")),
                percent=round(100 * row["n"] / listed, 1) if listed and result != CountResult.SURPLUS else 0.0,
            )
        )
    return totals


def counts_by_stocktake(stocktake_ids: list[int]) -> dict[int, dict[str, int]]:
    """Lines per result of each stocktake of a page (one query, whatever the number of lines)."""
    found: dict[int, dict[str, int]] = {pk: {} for pk in stocktake_ids}
    if not stocktake_ids:
        return found
    rows = (
        StocktakeLine.objects.filter(stocktake_id__in=stocktake_ids)
        .values_list("stocktake_id", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for stocktake_id, result, n in rows:
        found[stocktake_id][result] = n
    return found


def progress(counts: dict[str, int]) -> dict:
    """Listed, counted (found + elsewhere) and the counted share, for a list row or an API answer."""
    listed = sum(n for result, n in counts.items() if result != CountResult.SURPLUS)
    counted = counts.get(CountResult.FOUND, 0) + counts.get(CountResult.WRONG_LOCATION, 0)
    return {
        "listed": listed,
        "counted": counted,
        "percent": round(100 * counted / listed) if listed else 0,
        "by_result": {result: counts.get(result, 0) for result in CountResult.values},
    }


def open_for_asset(asset: Asset) -> list[Stocktake]:
    """Open stocktakes a scan of ``asset`` may count in: those that listed it, and place-scoped ones (an asset of
    the organisation found inside their area joins them), oldest first."""
    listed = StocktakeLine.objects.filter(stocktake=OuterRef("pk"), asset=asset)
    return list(
        Stocktake.objects.filter(state=StocktakeState.OPEN)
        .filter(Q(Exists(listed)) | Q(scope=StocktakeScope.LOCATION))
        .select_related("location")
        .order_by("pk")
    )


def lines_for_asset(asset: Asset, stocktake_ids: list[int]) -> dict[int, StocktakeLine]:
    """The asset's line in each of these stocktakes, with who counted it and where."""
    lines = StocktakeLine.objects.filter(stocktake_id__in=stocktake_ids, asset=asset).select_related(
        "found_location", "counted_by"
    )
    return {line.stocktake_id: line for line in lines}
