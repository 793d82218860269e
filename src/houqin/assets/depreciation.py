"""折旧: straight-line, monthly, no salvage value; charges rounded to the fen, the remainder in the last month.

When the charges run is the organisation's rule (setting ``assets.depreciation_start``):

- government accounting (政府会计, the default for schools and hospitals): from the month the asset is booked,
  and not in the month it leaves the books ("当月增加当月计提，当月减少当月不再计提");
- enterprise accounting: from the month after it is booked, and still in the month it leaves.

A month's charge is booked at the month's end, and the net book value "on" a day counts the charge of that
day's month. Categories that are not depreciated (文物和陈列品、图书和档案、特种动植物、土地…) never are.
Everything here is arithmetic on a few columns, so reports run it over many rows without reading models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .choices import DepreciationStart

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Schedule:
    """What the charges of one asset follow: its value, its life and the months it is on the books."""

    value: Decimal
    life: int | None  # months; None: not depreciated
    first: int  # month index of the first charge
    last_held: int | None  # the last month charged by the leaving rule (None: still held)

    @classmethod
    def of(cls, *, value: Decimal, life: int | None, booked_on: date, left_on: date | None, rule: str) -> Schedule:
        enterprise = rule == DepreciationStart.ENTERPRISE
        first = month_index(booked_on) + (1 if enterprise else 0)
        last_held = None
        if left_on is not None:
            last_held = month_index(left_on) - (0 if enterprise else 1)
        return cls(Decimal(value), life, first, last_held)

    @property
    def charge(self) -> Decimal:
        """The charge of every month but the last."""
        return (self.value / self.life).quantize(FEN, ROUND_HALF_UP) if self.life else ZERO

    def charged_months(self, through: int) -> int:
        """How many monthly charges are booked up to and including month ``through``."""
        if not self.life:
            return 0
        end = through if self.last_held is None else min(through, self.last_held)
        return max(0, min(end - self.first + 1, self.life))

    def accumulated(self, through: int) -> Decimal:
        """累计折旧 at the end of month ``through``."""
        months = self.charged_months(through)
        if months >= (self.life or 0) and months:
            return self.value
        return min(self.charge * months, self.value)

    def charge_in(self, month: int) -> Decimal:
        """The charge booked in ``month`` (zero outside the charged months)."""
        return self.accumulated(month) - self.accumulated(month - 1)


def life_months(asset) -> int | None:
    """The asset's own life, else its category's default; None when its category is not depreciated."""
    category = asset.category
    if not category.depreciable:
        return None
    return asset.life_months or category.life_years * 12


def schedule(asset, rule: str) -> Schedule:
    return Schedule.of(
        value=asset.original_value, life=life_months(asset), booked_on=asset.booked_on, left_on=asset.left_on, rule=rule
    )


def net_book_value(asset, on: date, rule: str) -> Decimal:
    """净值 on a day: the original value less the charges booked through that day's month; zero once the asset
    has left the books, and the whole value before its first charge."""
    if asset.left_on is not None and asset.left_on <= on:
        return ZERO
    return Decimal(asset.original_value) - schedule(asset, rule).accumulated(month_index(on))
