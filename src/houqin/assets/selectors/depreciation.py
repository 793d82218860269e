"""The monthly depreciation report (月度折旧表): per owning department and category, the month's charge and, at
the month's end, the original value, the accumulated depreciation and the net book value of the assets then on
the books.

It reads a handful of columns grouped in the database (one query; identical cards — a batch booked together,
an imported ledger — come back as one row with a count), names in one query each, and then runs
``depreciation.Schedule`` over the rows: no model is loaded, so 200,000 assets cost one pass of arithmetic.

The charge of a line is what ``Schedule.charge_in`` books in the month, so for the assets held through the
month it is exactly their fall in net book value from the end of the previous month to the end of this one.
Assets that leave the books during the month are charged as the rule says (enterprise: still in that month)
but no longer count in the month-end values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from houqin.core import orgsettings
from houqin.core.models import Department
from houqin.core.permissions import Actor, restrict

from ..depreciation import ZERO, Schedule, month_index, month_of
from ..models import Asset, AssetCategory
from ..permissions import ASSET_VIEW
from ..settings import DEPRECIATION_START


def month_bounds(month: date) -> tuple[date, date]:
    """The first and the last day of ``month``'s month."""
    index = month_index(month)
    return month_of(index), month_of(index + 1) - timedelta(days=1)


def previous_month(today: date) -> date:
    """The first day of the month before ``today``'s (the report's default: the last closed month)."""
    return month_of(month_index(today) - 1)


@dataclass
class Line:
    department_id: int | None
    department: str
    category_id: int | None
    category_code: str
    category: str
    assets: int = 0  # cards on the books at the month's end
    quantity: int = 0  # items on those cards (a batch counts its items)
    original: Decimal = ZERO  # 原值 at the month's end
    charge: Decimal = ZERO  # 本月计提折旧
    accumulated: Decimal = ZERO  # 累计折旧 at the month's end
    net: Decimal = ZERO  # 净值 at the month's end

    def add(self, other: Line) -> None:
        self.assets += other.assets
        self.quantity += other.quantity
        self.original += other.original
        self.charge += other.charge
        self.accumulated += other.accumulated
        self.net += other.net


@dataclass
class Report:
    month: date  # its first day
    end: date  # its last day
    rule: str  # DepreciationStart value in force
    lines: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=lambda: Line(None, "", None, "", ""))


def depreciation_rule(org) -> str:
    return orgsettings.value(org, DEPRECIATION_START.key)


def monthly_report(org, month: date, *, actor: Actor, department=None, category=None) -> Report:
    """The report of ``month``'s month for the assets ``actor`` may see; ``department`` (with the departments
    below it) and ``category`` (with its subclasses) narrow it."""
    first, end = month_bounds(month)
    index = month_index(first)
    rule = depreciation_rule(org)
    report = Report(month=first, end=end, rule=rule)

    assets = Asset.objects.filter(org=org, booked_on__lte=end).filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
    if department is not None:
        assets = assets.filter(department__path__startswith=department.path)
    if category is not None:
        assets = assets.filter(category__code__startswith=category.code)
    rows = (
        restrict(assets, actor, ASSET_VIEW)
        .order_by()
        .values_list("department_id", "category_id", "original_value", "life_months", "booked_on", "left_on")
        .annotate(cards=Count("id"), items=Sum("quantity"))
    )
    grouped: dict[tuple[int, int], Line] = {}
    schedules: dict[tuple, tuple[Decimal, Decimal]] = {}  # the same card's arithmetic, done once
    categories: dict[int, tuple[str, str, int | None]] | None = None
    for department_id, category_id, value, own_life, booked_on, left_on, cards, items in rows.iterator():
        if categories is None:
            categories = _categories()
        code, name, default_life = categories[category_id]
        life = None if default_life is None else (own_life or default_life)
        value = Decimal(value)
        held = left_on is None or left_on > end
        key = (value, life, booked_on, left_on)
        figures = schedules.get(key)
        if figures is None:
            schedule = Schedule.of(value=value, life=life, booked_on=booked_on, left_on=left_on, rule=rule)
            accumulated = schedule.accumulated(index)
            figures = schedules[key] = (accumulated - schedule.accumulated(index - 1), accumulated)
        charge, accumulated = figures
        line = grouped.get((department_id, category_id))
        if line is None:
            line = grouped[(department_id, category_id)] = Line(department_id, "", category_id, code, name)
        line.charge += charge * cards
        if held:
            line.assets += cards
            line.quantity += items or 0
            line.original += value * cards
            line.accumulated += accumulated * cards
            line.net += (value - accumulated) * cards
    names = dict(Department.objects.filter(pk__in={key[0] for key in grouped}).values_list("pk", "name"))
    for line in grouped.values():
        line.department = names.get(line.department_id, "")
    kept = [line for line in grouped.values() if line.assets or line.charge]  # not those that only left unpaid
    report.lines = sorted(kept, key=lambda line: (line.department, line.category_code))
    for line in report.lines:
        report.total.add(line)
    return report


def _categories() -> dict[int, tuple[str, str, int | None]]:
    """Every category's code, name and default life in months (None: not depreciated), in one query: the table
    is the same for every organisation and has a few hundred rows."""
    return {
        pk: (code, name, life_years * 12 if depreciable and life_years else None)
        for pk, code, name, depreciable, life_years in AssetCategory.objects.values_list(
            "pk", "code", "name", "depreciable", "life_years"
        )
    }
