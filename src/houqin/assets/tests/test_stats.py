"""资产统计: hand-computed figures, net book values to the fen (the SQL arithmetic against depreciation.py), every
figure's link listing exactly its assets, scopes, and a query count that does not grow with the ledger."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from houqin.core import orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope
from houqin.core.tests.test_facts import _listed_ids

from ..choices import AssetStatus, CountResult, DepreciationStart, StocktakeScope, StocktakeState
from ..depreciation import net_book_value
from ..filtersets.assets import years_before
from ..models import Asset, Loan, Stocktake, StocktakeLine
from ..selectors.stats import asset_stats, filtered_assets
from ..settings import DEPRECIATION_START
from .factories import make_asset

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
START, END = date(2025, 7, 1), TODAY  # the default period: the last 12 months
D = Decimal


def actor_of(membership):
    return build_actor(membership.user, membership.org)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ledger(world, frozen):
    """Org A's ledger on 2026-06-15 (government rule: charged from the month booked)."""
    a = {}
    # 计算机 A0201, 72 months: 100.00 a month, Jan–Jun charged → 6,600.00 left. Booked in the period.
    a["pc"] = make_asset(world, value="7200.00", booked_on=date(2026, 1, 15))
    # Booked 2020-03: 75 months ≥ 72 → fully depreciated; 语文组; 6 years old.
    a["old_pc"] = make_asset(world, value="1000.00", booked_on=date(2020, 3, 10), department=world.dept_a_other)
    # 0.10 yuan over 12 months: the charge rounds up to 0.01, 11 months would be 0.11 → capped at the value.
    a["tiny"] = make_asset(
        world, value="0.10", booked_on=date(2025, 8, 1), category_code="A0202", life_months=12, low_value=True
    )
    # 文物 A0301 is never depreciated; booked 2010 (16 years old).
    a["relic"] = make_asset(world, value="5000.00", booked_on=date(2010, 1, 1), category_code="A0301")
    # 家具 A0501, 180 months: 1234.56 / 180 = 6.8587 → 6.86 a month, Jun 2024 – Jun 2026 = 25 months → 1,063.06.
    a["desks"] = make_asset(
        world, value="1234.56", booked_on=date(2024, 6, 15), category_code="A0501", quantity=40, unit="套"
    )
    # Lent out (still on the books), 计算机, 2 years old: 3,600 over 72 months, Jun 2024–Jun 2026 = 25 → 2,350.00.
    a["lent"] = make_asset(world, value="3600.00", booked_on=date(2024, 6, 1), status=AssetStatus.LENT)
    # Off the books: disposed of in the period, disposed of before it, lost.
    a["scrapped"] = make_asset(
        world, value="3000.00", booked_on=date(2018, 1, 1), status=AssetStatus.DISPOSED, left_on=date(2026, 3, 1)
    )
    a["scrapped_before"] = make_asset(
        world, value="800.00", booked_on=date(2015, 1, 1), status=AssetStatus.DISPOSED, left_on=date(2025, 6, 30)
    )
    a["lost"] = make_asset(
        world, value="450.00", booked_on=date(2025, 9, 1), status=AssetStatus.LOST, left_on=date(2026, 2, 1)
    )
    a["other_org"] = make_asset(world, org=world.org_b, value="99999.00", booked_on=date(2026, 1, 1))
    clerk = world.member(Role.ASSET_CLERK)
    staff = world.member(Role.STAFF)
    with org_scope(world.org_a):
        for code, asset, due in (("JY-1", a["lent"], date(2026, 6, 1)), ("JY-2", a["desks"], date(2026, 7, 1))):
            Loan.objects.create(
                org=world.org_a,
                code=code,
                asset=asset,
                borrower=staff,
                department=world.dept_a,
                purpose="公开课",
                due_on=due,
                lent_by=clerk.user,
                status_before=AssetStatus.IN_USE,
            )
        # An older stocktake, and the latest closed one (an open one is not counted).
        old = Stocktake.objects.create(
            org=world.org_a,
            code="PD-1",
            name="2025 清查",
            scope=StocktakeScope.ORG,
            scope_key="org",
            opened_by=clerk.user,
            state=StocktakeState.CLOSED,
            closed_at=datetime(2025, 12, 1, tzinfo=SHANGHAI),
        )
        StocktakeLine.objects.create(org=world.org_a, stocktake=old, asset=a["pc"], result=CountResult.MISSING)
        latest = Stocktake.objects.create(
            org=world.org_a,
            code="PD-2",
            name="2026 清查",
            scope=StocktakeScope.ORG,
            scope_key="org-2",
            opened_by=clerk.user,
            state=StocktakeState.CLOSED,
            closed_at=datetime(2026, 5, 20, tzinfo=SHANGHAI),
        )
        for asset, result in (
            (a["old_pc"], CountResult.MISSING),
            (a["relic"], CountResult.MISSING),
            (a["pc"], CountResult.WRONG_LOCATION),
            (a["desks"], CountResult.FOUND),
            (a["tiny"], CountResult.SURPLUS),
        ):
            StocktakeLine.objects.create(
                org=world.org_a,
                stocktake=latest,
                asset=asset,
                result=result,
                surplus_name=asset.name if result == CountResult.SURPLUS else "",  # registered on closing
            )
    a["stocktake"] = latest
    return a


def stats_for(world, role=Role.ASSET_CLERK, membership=None):
    actor = actor_of(membership or world.member(role))
    with org_scope(actor.org):
        return asset_stats(actor, start=START, end=END)


def _ids(world, params, role=Role.ASSET_CLERK):
    actor = actor_of(world.member(role))
    with org_scope(actor.org):
        return set(filtered_assets(actor, params).values_list("pk", flat=True))


def test_the_figures_on_a_hand_made_ledger(world, ledger):
    s = stats_for(world)
    held = ("pc", "old_pc", "tiny", "relic", "desks", "lent")
    assert s.total.cards == 6 and s.total.quantity == 45
    assert s.total.original == D("7200.00") + D("1000.00") + D("0.10") + D("5000.00") + D("1234.56") + D("3600.00")
    # 6,600.00 + 0 + 0 (capped) + 5,000.00 (not depreciated) + 1,063.06 + 2,350.00
    assert s.total.net == D("15013.06")
    assert _ids(world, s.total.params) == {ledger[k].pk for k in held}

    tops = {f.code: f for f in s.by_category}
    assert list(tops) == ["A02", "A03", "A05"]
    assert (tops["A02"].cards, tops["A02"].original, tops["A02"].net) == (4, D("11800.10"), D("8950.00"))
    assert (tops["A03"].cards, tops["A03"].net) == (1, D("5000.00"))
    children = {c.code: c for c in tops["A02"].children}
    assert set(children) == {"A0201", "A0202"}
    assert (children["A0201"].cards, children["A0201"].net) == (3, D("8950.00"))
    assert (children["A0202"].cards, children["A0202"].original, children["A0202"].net) == (1, D("0.10"), D("0.00"))
    assert tops["A05"].net == D("1063.06") and tops["A05"].quantity == 40
    assert _ids(world, tops["A02"].params) == {ledger[k].pk for k in ("pc", "old_pc", "tiny", "lent")}
    assert _ids(world, children["A0202"].params) == {ledger["tiny"].pk}

    departments = {f.code: f for f in s.by_department}
    assert departments[str(world.dept_a_other.pk)].cards == 1
    assert departments[str(world.dept_a.pk)].cards == 5
    assert departments[str(world.dept_a.pk)].net == D("15013.06")
    assert _ids(world, departments[str(world.dept_a.pk)].params) == {ledger[k].pk for k in held if k != "old_pc"}

    statuses = {f.code: f.cards for f in s.by_status}
    assert statuses == {
        "in_use": 5,
        "idle": 0,
        "lent": 1,
        "repairing": 0,
        "pending_disposal": 0,
        "disposed": 2,
        "lost": 1,
    }
    assert _ids(world, {"status": "disposed"}) == {ledger["scrapped"].pk, ledger["scrapped_before"].pk}

    # Ages of the cards on the books: <1 pc, tiny; 1–3 desks, lent; 5–10 old_pc; ≥10 relic.
    assert [f.cards for f in s.ages] == [2, 2, 0, 1, 1]
    for figure in s.ages:
        assert len(_ids(world, figure.params)) == figure.cards, figure.params

    # The period 2025-07-01 … 2026-06-15: booked pc, tiny, lost; disposed of: scrapped (not the June 2025 one).
    assert (s.additions.cards, s.additions.original) == (3, D("7650.10"))
    assert _ids(world, s.additions.params) == {ledger[k].pk for k in ("pc", "tiny", "lost")}
    assert (s.disposals.cards, s.disposals.original) == (1, D("3000.00"))
    assert _ids(world, s.disposals.params) == {ledger["scrapped"].pk}

    assert s.loans_overdue.cards == 1
    assert _ids(world, s.loans_overdue.params) == {ledger["lent"].pk}

    assert s.stocktake.pk == ledger["stocktake"].pk
    differences = {f.code: f.cards for f in s.differences}
    assert differences == {"missing": 2, "surplus": 1, "wrong_location": 1}
    missing = next(f for f in s.differences if f.code == "missing")
    assert _ids(world, missing.params) == {ledger["old_pc"].pk, ledger["relic"].pk}


def test_the_enterprise_rule_charges_from_the_month_after(world, ledger):
    admin = actor_of(world.member(Role.ORG_ADMIN))
    with org_scope(world.org_a):
        orgsettings.settings_update(actor=admin, values={DEPRECIATION_START.key: DepreciationStart.ENTERPRISE})
    s = stats_for(world)
    pc = next(c for top in s.by_category for c in top.children if c.code == "A0201")
    # pc: Feb–Jun = 5 months → 6,700.00; lent: Jul 2024–Jun 2026 = 24 → 2,400.00; old_pc still 0.
    assert pc.net == D("9100.00")


def test_net_book_values_in_sql_equal_depreciation_py_to_the_fen(world, frozen):
    """Random cards (values with odd fen, overridden lives, both rules): the grouped SQL sum is exactly the sum of
    each card's net_book_value."""
    rng = random.Random(5)
    codes = ["A0201", "A0202", "A0501", "A0502", "A0301", "A0101"]
    for index in range(120):
        make_asset(
            world,
            value="{}.{:02d}".format(rng.randint(0, 30000), rng.randint(0, 99)),
            booked_on=date(2026, 6, 15) - timedelta(days=rng.randint(0, 365 * 12)),
            category_code=codes[index % len(codes)],
            life_months=rng.choice([None, None, 1, 7, 13, 37, 119]),
            department=world.dept_a if index % 3 else world.dept_a_child,
        )
    admin = actor_of(world.member(Role.ORG_ADMIN))
    for rule in (DepreciationStart.GOVERNMENT, DepreciationStart.ENTERPRISE):
        with org_scope(world.org_a):
            orgsettings.settings_update(actor=admin, values={DEPRECIATION_START.key: rule})
            expected = {}
            for asset in Asset.objects.select_related("category"):
                value = net_book_value(asset, TODAY, rule)
                expected[asset.category.code[:3]] = expected.get(asset.category.code[:3], D("0")) + value
        s = stats_for(world)
        found = {top.code: top.net for top in s.by_category}
        assert found == {code: value.quantize(D("0.01")) for code, value in expected.items()}, rule
        assert s.total.net == sum(expected.values())


def test_a_department_head_counts_their_department_only(world, ledger):
    s = stats_for(world, Role.DEPT_HEAD)
    assert s.total.cards == 5  # 总务处's: not 语文组's old computer
    assert not any(f.code == str(world.dept_a_other.pk) for f in s.by_department)
    staff = stats_for(world, Role.STAFF)
    assert staff.total.cards == 0 and staff.stocktake is None  # keeps nothing; may not read stocktakes


def test_the_page_shows_the_figures_and_each_opens_exactly_its_assets(world, ledger, login):
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(reverse("assets:stats", args=["org-a"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["figures"].total.net == D("15013.06")
    assert "15,013.06" in html or "15013.06" in html
    figures = response.context["figures"]
    every = [figures.total, figures.additions, figures.disposals, figures.loans_overdue, *figures.by_status]
    every += [*figures.ages, *figures.differences, *figures.by_department]
    every += [f for top in figures.by_category for f in (top, *top.children)]
    for figure in every:
        assert figure.url in html.replace("&amp;", "&")
        assert len(_listed_ids(client, figure.url)) == figure.cards, (figure.label, figure.url)
    # Another period: nothing added or disposed of in 2024's first half.
    response = client.get(reverse("assets:stats", args=["org-a"]) + "?start=2024-01-01&end=2024-05-31")
    assert response.context["figures"].additions.cards == 0
    bad = client.get(reverse("assets:stats", args=["org-a"]) + "?start=2026-06-01&end=2026-01-01")
    assert bad.status_code == 200 and bad.context["figures"] is None


def test_the_page_is_for_asset_readers_of_the_org(world, ledger, login):
    url = reverse("assets:stats", args=["org-a"])
    assert login(world.member_b).get(url).status_code == 404  # another organisation's administrator
    staff = login(world.member(Role.STAFF)).get(url)
    assert staff.status_code == 200 and staff.context["figures"].total.cards == 0


def test_age_filters_count_whole_years_from_today(world, frozen):
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    on_the_day = make_asset(world, booked_on=date(2025, 6, 15))  # exactly one year old today
    day_after = make_asset(world, booked_on=date(2025, 6, 16))
    assert _ids(world, {"age_from": 1}) == {on_the_day.pk}
    assert _ids(world, {"age_until": 1}) == {day_after.pk}
    assert _ids(world, {"age_from": "1.5"}) == set()  # whole years only
    assert timezone.localdate() == TODAY


def test_the_page_runs_the_same_queries_at_10_and_500_cards(world, login, frozen):
    """The figures are grouped in the database: the statement count does not depend on the number of cards."""

    def add(start, stop):
        for index in range(start, stop):
            make_asset(
                world,
                value="{}.00".format(1000 + index),
                booked_on=date(2016 + index % 10, 1 + index % 12, 1),
                category_code=("A0201", "A0202", "A0501", "A0301")[index % 4],
                department=(world.dept_a, world.dept_a_other)[index % 2],
                status=(AssetStatus.IN_USE, AssetStatus.IDLE, AssetStatus.REPAIRING)[index % 3],
            )

    client = login(world.member(Role.ASSET_CLERK))
    url = reverse("assets:stats", args=["org-a"])
    counts = []
    for start, stop in ((0, 10), (10, 500)):
        add(start, stop)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.context["figures"].total.cards == stop
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
