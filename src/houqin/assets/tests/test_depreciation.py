"""Depreciation on hand-computed cases: straight-line, monthly, no salvage, to the fen with the remainder in the
last month, from the month added (government) or the month after (enterprise). Most cases are pure arithmetic on
``Schedule``; a few go through an asset card and ``net_book_value``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ..choices import DepreciationStart
from ..depreciation import Schedule, life_months, month_index, net_book_value
from .factories import make_asset

GOV = DepreciationStart.GOVERNMENT
ENT = DepreciationStart.ENTERPRISE
D = Decimal


def m(year: int, month: int) -> int:
    return month_index(date(year, month, 1))


def schedule(value="7200.00", life=72, booked_on=date(2026, 1, 15), left_on=None, rule=GOV) -> Schedule:
    return Schedule.of(value=D(value), life=life, booked_on=booked_on, left_on=left_on, rule=rule)


def charges(s: Schedule, first: int, count: int) -> list[Decimal]:
    return [s.charge_in(first + offset) for offset in range(count)]


# Start rules and the month boundary


def test_government_charges_from_the_month_added():
    s = schedule()  # 7,200.00 over 72 months: 100.00 a month, booked 15 January 2026
    assert s.charge_in(m(2025, 12)) == D("0.00")
    assert s.charge_in(m(2026, 1)) == D("100.00")
    assert s.accumulated(m(2026, 1)) == D("100.00")
    assert s.accumulated(m(2026, 3)) == D("300.00")


def test_enterprise_charges_from_the_month_after():
    s = schedule(rule=ENT)
    assert s.charge_in(m(2026, 1)) == D("0.00")
    assert s.charge_in(m(2026, 2)) == D("100.00")
    assert s.accumulated(m(2026, 3)) == D("200.00")


@pytest.mark.parametrize(
    ("booked_on", "rule", "first_charged"),
    [
        (date(2026, 1, 31), GOV, (2026, 1)),
        (date(2026, 2, 1), GOV, (2026, 2)),
        (date(2026, 1, 31), ENT, (2026, 2)),
        (date(2026, 2, 1), ENT, (2026, 3)),
        (date(2025, 12, 31), ENT, (2026, 1)),  # across the year's end
    ],
)
def test_month_boundary(booked_on, rule, first_charged):
    s = schedule(booked_on=booked_on, rule=rule)
    first = m(*first_charged)
    assert s.charge_in(first - 1) == D("0.00")
    assert s.accumulated(first - 1) == D("0.00")
    assert s.charge_in(first) == D("100.00")


def test_net_book_value_counts_the_charge_of_the_days_month(world):
    asset = make_asset(world, value="7200.00", booked_on=date(2026, 1, 31))  # A0201: 6 years
    assert net_book_value(asset, date(2026, 1, 31), GOV) == D("7100.00")
    assert net_book_value(asset, date(2026, 1, 31), ENT) == D("7200.00")
    assert net_book_value(asset, date(2026, 2, 1), GOV) == D("7000.00")
    assert net_book_value(asset, date(2026, 2, 1), ENT) == D("7100.00")
    assert net_book_value(asset, date(2026, 12, 31), GOV) == D("6000.00")  # 12 charges
    assert net_book_value(asset, date(2026, 12, 31), ENT) == D("6100.00")  # 11 charges


# Lives: the category's default, a per-asset override, and classes never depreciated


def test_per_asset_life_override(world):
    default = make_asset(world, value="3600.00")  # A0201 计算机设备: 6 years, 72 months
    shorter = make_asset(world, value="3600.00", life_months=36)
    assert life_months(default) == 72
    assert life_months(shorter) == 36
    on = date(2026, 3, 31)  # January, February, March charged
    assert net_book_value(default, on, GOV) == D("3450.00")  # 3 × 50.00
    assert net_book_value(shorter, on, GOV) == D("3300.00")  # 3 × 100.00
    assert net_book_value(shorter, date(2028, 12, 31), GOV) == D("0.00")  # 36th charge: December 2028
    assert net_book_value(shorter, date(2028, 11, 30), GOV) == D("100.00")


@pytest.mark.parametrize("code", ["A0401", "A03"])  # 图书, 文物和陈列品
def test_non_depreciable_class_never_depreciates(world, code):
    asset = make_asset(world, value="50000.00", category_code=code, booked_on=date(2000, 1, 1), life_months=60)
    assert life_months(asset) is None  # even with a life typed on the card
    for rule in (GOV, ENT):
        assert net_book_value(asset, date(2000, 1, 31), rule) == D("50000.00")
        assert net_book_value(asset, date(2026, 6, 30), rule) == D("50000.00")


def test_schedule_without_life_charges_nothing():
    s = schedule(value="50000.00", life=None, booked_on=date(2000, 1, 1))
    assert s.charge == D("0.00")
    assert charges(s, m(2000, 1), 600) == [D("0.00")] * 600
    assert s.accumulated(m(2099, 12)) == D("0.00")


# The end of the life


def test_fully_depreciated_stays_at_zero_with_no_further_charge():
    s = schedule(booked_on=date(2020, 1, 10))  # 72 charges: January 2020 … December 2025
    assert s.accumulated(m(2025, 11)) == D("7100.00")
    assert s.charge_in(m(2025, 12)) == D("100.00")
    assert s.accumulated(m(2025, 12)) == D("7200.00")
    assert charges(s, m(2026, 1), 24) == [D("0.00")] * 24
    assert s.accumulated(m(2040, 1)) == D("7200.00")


def test_fully_depreciated_asset_is_worth_nothing_but_stays_on_the_books(world):
    asset = make_asset(world, value="7200.00", booked_on=date(2020, 1, 10))
    assert net_book_value(asset, date(2025, 11, 30), GOV) == D("100.00")
    assert net_book_value(asset, date(2025, 12, 31), GOV) == D("0.00")
    assert net_book_value(asset, date(2030, 6, 1), GOV) == D("0.00")
    assert net_book_value(asset, date(2025, 12, 31), ENT) == D("100.00")  # one month later
    assert net_book_value(asset, date(2026, 1, 31), ENT) == D("0.00")


# A batch: the value is the whole card's


def test_batch_quantity_depreciates_the_whole_cards_value(world):
    desks = make_asset(
        world,
        name="课桌椅",
        value="12000.00",
        quantity=40,
        unit="套",
        category_code="A0501",
        booked_on=date(2026, 3, 2),
    )  # 家具: 15 years, 180 months; 12,000.00 / 180 = 66.666… → 66.67
    assert desks.unit_value == D("300.00")
    assert life_months(desks) == 180
    assert net_book_value(desks, date(2026, 3, 31), GOV) == D("11933.33")
    assert net_book_value(desks, date(2026, 4, 30), GOV) == D("11866.66")
    assert net_book_value(desks, date(2026, 3, 31), ENT) == D("12000.00")
    assert net_book_value(desks, date(2041, 2, 28), GOV) == D("0.00")  # the 180th month
    # 179 × 66.67 = 11,933.93: the last month takes the remainder, 66.07.
    assert net_book_value(desks, date(2041, 1, 31), GOV) == D("66.07")


# Rounding to the fen


def test_rounding_remainder_in_the_last_month():
    s = schedule(value="1000.00", life=36, booked_on=date(2026, 1, 1))  # 27.777… → 27.78
    assert s.charge == D("27.78")
    months = charges(s, m(2026, 1), 37)
    assert months[:35] == [D("27.78")] * 35  # 972.30
    assert months[35] == D("27.70")
    assert months[36] == D("0.00")
    assert sum(months) == D("1000.00")


def test_rounding_down_leaves_more_for_the_last_month():
    s = schedule(value="200.00", life=3, booked_on=date(2026, 1, 1))  # 66.666… → 66.67
    assert charges(s, m(2026, 1), 3) == [D("66.67"), D("66.67"), D("66.66")]
    s = schedule(value="100.00", life=3, booked_on=date(2026, 1, 1))  # 33.333… → 33.33
    assert charges(s, m(2026, 1), 3) == [D("33.33"), D("33.33"), D("33.34")]


def test_tiny_value_never_goes_negative():
    s = schedule(value="0.10", life=12, booked_on=date(2026, 1, 1))  # 0.0083… → 0.01; 12 × 0.01 would be 0.12
    months = charges(s, m(2026, 1), 14)
    assert all(charge >= 0 for charge in months)
    assert months == [D("0.01")] * 10 + [D("0.00")] * 4
    assert sum(months) == D("0.10")
    for month in range(m(2025, 12), m(2027, 3)):
        assert D("0.00") <= s.accumulated(month) <= D("0.10")


def test_value_below_a_fen_a_month_is_charged_in_the_last_month():
    s = schedule(value="0.05", life=12, booked_on=date(2026, 1, 1))  # 0.0041… → 0.00
    assert charges(s, m(2026, 1), 13) == [D("0.00")] * 11 + [D("0.05"), D("0.00")]


def test_zero_value_charges_nothing():
    s = schedule(value="0.00", life=12)
    assert charges(s, m(2026, 1), 13) == [D("0.00")] * 13


@pytest.mark.parametrize("value", ["0.01", "0.99", "1.00", "999.99", "1000.00", "12345.67", "9999999999.99"])
@pytest.mark.parametrize("life", [1, 7, 12, 36, 72, 180, 1200])
def test_charges_add_up_to_the_value_and_are_never_negative(value, life):
    s = schedule(value=value, life=life, booked_on=date(2026, 1, 1))
    months = charges(s, m(2026, 1), life + 1)
    assert all(charge >= 0 for charge in months)
    assert sum(months) == D(value)
    assert months[-1] == D("0.00")
    assert all(charge.as_tuple().exponent == -2 for charge in months)


# Leaving the books


def test_leaving_government_no_charge_in_the_month_of_leaving():
    s = schedule(left_on=date(2026, 5, 20))  # January … April charged
    assert s.charge_in(m(2026, 4)) == D("100.00")
    assert s.charge_in(m(2026, 5)) == D("0.00")
    assert s.accumulated(m(2026, 12)) == D("400.00")


def test_leaving_enterprise_charged_in_the_month_of_leaving():
    s = schedule(left_on=date(2026, 5, 20), rule=ENT)  # February … May charged
    assert s.charge_in(m(2026, 5)) == D("100.00")
    assert s.charge_in(m(2026, 6)) == D("0.00")
    assert s.accumulated(m(2026, 12)) == D("400.00")


def test_booked_and_left_in_the_same_month_is_never_charged():
    for rule in (GOV, ENT):
        s = schedule(booked_on=date(2026, 3, 1), left_on=date(2026, 3, 31), rule=rule)
        assert charges(s, m(2026, 1), 6) == [D("0.00")] * 6


def test_net_book_value_is_zero_from_the_day_it_leaves(world):
    asset = make_asset(world, value="7200.00", booked_on=date(2026, 1, 15), left_on=date(2026, 5, 20))
    assert net_book_value(asset, date(2026, 4, 30), GOV) == D("6800.00")
    assert net_book_value(asset, date(2026, 5, 19), GOV) == D("6800.00")  # May is not charged
    assert net_book_value(asset, date(2026, 5, 19), ENT) == D("6800.00")  # February … May
    assert net_book_value(asset, date(2026, 5, 20), GOV) == D("0.00")
    assert net_book_value(asset, date(2026, 5, 20), ENT) == D("0.00")
