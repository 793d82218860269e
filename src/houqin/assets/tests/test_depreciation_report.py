"""The monthly depreciation report: hand-computed lines, totals that reconcile with the assets' net book values,
scopes, the page and its export."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from houqin.core import orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope

from ..choices import DepreciationStart
from ..depreciation import net_book_value
from ..models import Asset
from ..selectors.depreciation import monthly_report
from ..settings import DEPRECIATION_START
from .factories import category, make_asset

GOV = DepreciationStart.GOVERNMENT
ENT = DepreciationStart.ENTERPRISE
D = Decimal
MARCH = date(2026, 3, 1)
FEB_END, MARCH_END = date(2026, 2, 28), date(2026, 3, 31)
FIELDS = ("assets", "quantity", "original", "charge", "accumulated", "net")


def actor_of(membership):
    return build_actor(membership.user, membership.org)


def set_rule(world, rule):
    admin = actor_of(world.member(Role.ORG_ADMIN))
    with org_scope(world.org_a):
        orgsettings.settings_update(actor=admin, values={DEPRECIATION_START.key: rule})


def report_for(world, membership=None, month=MARCH, **filters):
    actor = actor_of(membership or world.member(Role.ASSET_CLERK))
    with org_scope(actor.org):
        return monthly_report(actor.org, month, actor=actor, **filters)


def by_key(report):
    return {(line.department, line.category_code): line for line in report.lines}


@pytest.fixture
def ledger(world):
    """Cards of org A in three departments (and one of org B), booked before, in and after March 2026."""
    a = {}
    a["pc"] = make_asset(world, value="7200.00", booked_on=date(2026, 1, 15))  # 计算机: 100.00 a month
    a["pc_twin"] = make_asset(world, value="7200.00", booked_on=date(2026, 1, 15))  # the same card again
    a["pc_late"] = make_asset(world, value="3600.00", booked_on=date(2026, 3, 31))  # 50.00: GOV in March
    a["old_pc"] = make_asset(world, value="7200.00", booked_on=date(2020, 1, 10))  # fully depreciated
    a["short"] = make_asset(world, value="1000.00", booked_on=date(2023, 4, 1), life_months=36)  # last month
    a["desks"] = make_asset(
        world,
        name="课桌椅",
        value="12000.00",
        quantity=40,
        category_code="A0501",
        booked_on=date(2025, 6, 1),
        department=world.dept_a_child,
    )  # 家具 15 years: 66.67
    a["books"] = make_asset(
        world, name="图书", value="50000.00", quantity=2000, category_code="A0401", department=world.dept_a_other
    )
    a["gone"] = make_asset(world, value="7200.00", booked_on=date(2026, 1, 15), left_on=date(2026, 2, 10))
    a["april"] = make_asset(world, value="7200.00", booked_on=date(2026, 4, 1))
    a["other_org"] = make_asset(world, org=world.org_b, value="7200.00", booked_on=date(2026, 1, 15))
    return a


@pytest.mark.parametrize(
    ("rule", "charges"),
    [
        # pc, twin, pc_late, old_pc, short (36th charge), desks, books
        (GOV, ["100.00", "100.00", "50.00", "0.00", "27.70", "66.67", "0.00"]),
        # Enterprise: pc_late starts in April; short's 36th charge falls in April, old_pc's last in January.
        (ENT, ["100.00", "100.00", "0.00", "0.00", "27.78", "66.67", "0.00"]),
    ],
)
def test_hand_computed_lines(world, ledger, rule, charges):
    set_rule(world, rule)
    report = report_for(world)
    assert report.rule == rule
    assert (report.month, report.end) == (MARCH, MARCH_END)
    assert report.total.charge == sum(D(charge) for charge in charges)
    lines = by_key(report)
    assert set(lines) == {("总务处", "A0201"), ("维修组", "A0501"), ("语文组", "A0401")}
    computers = lines[("总务处", "A0201")]
    assert computers.assets == 5  # pc, twin, pc_late, old_pc, short — not gone, not april, not org B
    assert computers.original == D("26200.00")
    assert computers.charge == sum(D(charge) for charge in charges[:5])
    desks = lines[("维修组", "A0501")]
    assert (desks.assets, desks.quantity, desks.original) == (1, 40, D("12000.00"))
    # June 2025 … March 2026 (GOV: 10 charges) or July … March (ENT: 9).
    assert desks.accumulated == D("66.67") * (10 if rule == GOV else 9)
    books = lines[("语文组", "A0401")]
    assert (books.charge, books.accumulated, books.net) == (D("0.00"), D("0.00"), D("50000.00"))


@pytest.mark.parametrize("rule", [GOV, ENT])
def test_total_is_the_sum_of_lines_and_of_the_fall_in_net_book_value(world, ledger, rule):
    set_rule(world, rule)
    report = report_for(world)
    for name in FIELDS:
        assert getattr(report.total, name) == sum(getattr(line, name) for line in report.lines), name
    with org_scope(world.org_a):
        held = [
            asset
            for asset in Asset.objects.select_related("category")
            if asset.booked_on <= MARCH_END and (asset.left_on is None or asset.left_on > MARCH_END)
        ]
    assert len(held) == 7
    fall = sum(net_book_value(a, FEB_END, rule) - net_book_value(a, MARCH_END, rule) for a in held)
    assert report.total.charge == fall
    assert report.total.net == sum(net_book_value(a, MARCH_END, rule) for a in held)
    assert report.total.original == sum(a.original_value for a in held)
    assert report.total.accumulated == report.total.original - report.total.net
    for line in report.lines:
        assert line.net == line.original - line.accumulated


@pytest.mark.parametrize(("rule", "charge"), [(GOV, None), (ENT, D("100.00"))])
def test_leaving_in_the_month(world, rule, charge):
    """Government: no charge in the month it leaves; enterprise: charged, though no longer on the books at the end."""
    set_rule(world, rule)
    make_asset(world, value="7200.00", booked_on=date(2026, 1, 15), left_on=date(2026, 3, 10))
    lines = by_key(report_for(world))
    if charge is None:
        assert lines == {}
    else:
        line = lines[("总务处", "A0201")]
        assert (line.charge, line.assets, line.original, line.net) == (charge, 0, D("0.00"), D("0.00"))


def test_default_rule_is_government(world, ledger):
    assert report_for(world).rule == GOV


def test_scope_dept_head_sees_only_their_department(world, ledger):
    head = world.member(Role.DEPT_HEAD)  # head of 总务处 (and 维修组 below it)
    lines = by_key(report_for(world, head))
    assert {department for department, _code in lines} == {"总务处", "维修组"}
    staff = world.member(Role.STAFF)  # sees only what they keep or use: nothing here
    assert report_for(world, staff).lines == []
    with org_scope(world.org_a):
        Asset.objects.filter(pk=ledger["pc"].pk).update(custodian=staff)
    lines = by_key(report_for(world, staff))
    assert list(lines) == [("总务处", "A0201")]
    assert lines[("总务处", "A0201")].assets == 1


def test_filters_department_and_category(world, ledger):
    lines = by_key(report_for(world, department=world.dept_a))  # and 维修组 below it
    assert {department for department, _code in lines} == {"总务处", "维修组"}
    lines = by_key(report_for(world, department=world.dept_a_other))
    assert list(lines) == [("语文组", "A0401")]
    lines = by_key(report_for(world, category=category("A02")))  # 设备 and its subclasses
    assert list(lines) == [("总务处", "A0201")]


def test_other_org_sees_none_of_it(world, ledger):
    report = report_for(world, world.member_b)
    assert [line.department for line in report.lines] == ["后勤保障处"]
    assert report.total.original == D("7200.00")


def test_query_count_does_not_grow_with_assets(world, django_assert_num_queries):
    make_asset(world, value="1000.00")
    report_for(world)  # warm-up outside the count (content types, permissions)
    actor = actor_of(world.member(Role.ASSET_CLERK))
    with org_scope(world.org_a), django_assert_num_queries(4):  # setting, assets, categories, departments
        monthly_report(world.org_a, MARCH, actor=actor)
    for index in range(30):
        make_asset(
            world,
            value="{}.00".format(1000 + index),
            booked_on=date(2025, 1 + index % 12, 1 + index % 28),
            department=[world.dept_a, world.dept_a_child, world.dept_a_other][index % 3],
            category_code=["A0201", "A0501", "A0401"][index % 3],
        )
    with org_scope(world.org_a), django_assert_num_queries(4):
        report = monthly_report(world.org_a, MARCH, actor=actor)
    assert report.total.assets == 31


# The page and the export

SHANGHAI = ZoneInfo("Asia/Shanghai")


def url(world, name="assets:depreciation_report"):
    return reverse(name, args=[world.org_a.code])


@time_machine.travel(datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_page_defaults_to_last_month_and_shows_rule(world, ledger, login):
    response = login(world.member(Role.ASSET_CLERK)).get(url(world))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.month == MARCH
    assert report.total.charge == D("344.37")  # 100 + 100 + 50 + 27.70 + 66.67
    html = response.content.decode()
    assert 'type="month"' in html and 'value="2026-03"' in html
    assert "table-responsive" in html
    assert str(DepreciationStart.GOVERNMENT.label) in html
    assert "344.37" in html


def test_page_month_and_filters(world, ledger, login):
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(url(world), {"month": "2026-02", "department": world.dept_a_other.pk})
    report = response.context["report"]
    assert report.month == date(2026, 2, 1)
    assert [line.department for line in report.lines] == ["语文组"]
    response = client.get(url(world), {"month": "not a month"})
    assert response.status_code == 200
    assert response.context["report"] is None


def test_page_scope_dept_head(world, ledger, login):
    response = login(world.member(Role.DEPT_HEAD)).get(url(world), {"month": "2026-03"})
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="depreciation-table"')[1]
    assert "维修组" in table
    assert "语文组" not in table and "A0401" not in table  # another department's books


def test_page_of_another_org_is_not_found(world, login):
    response = login(world.member_b).get(url(world))
    assert response.status_code == 404


def test_export(world, ledger, login):
    response = login(world.member(Role.ASSET_CLERK)).get(
        url(world, "assets:depreciation_report_export"), {"month": "2026-03"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 + 1  # header, three lines, total
    total = rows[-1]
    lines = rows[1:-1]
    assert D(str(total[6])) == D("344.37")
    for column in range(3, 9):
        assert D(str(total[column])) == sum(D(str(line[column])) for line in lines)


def test_export_of_no_month_goes_back_to_the_page(world, login):
    response = login(world.member(Role.ASSET_CLERK)).get(
        url(world, "assets:depreciation_report_export"), {"month": "2026-13"}
    )
    assert response.status_code == 302
    assert response.url == url(world) + "?month=2026-13"


def test_staff_without_assets_sees_an_empty_report(world, ledger, login):
    response = login(world.member(Role.STAFF)).get(url(world), {"month": "2026-03"})
    assert response.status_code == 200
    assert response.context["report"].lines == []
