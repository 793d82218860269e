"""Finance reconciliation (账账相符): the differences found, parse errors by row and column with nothing saved,
who may reconcile, the pages (list, upload, differences by kind, export) and their query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.excel import RowError
from houqin.core.tenancy import org_scope, scopes_disabled

from ..choices import AssetStatus, DifferenceKind
from ..models import Asset, Reconciliation, ReconciliationDifference
from ..services.reconciliation import FinanceListInvalid, reconciliation_run
from .factories import make_asset

D = DifferenceKind
HEADER = ["序号", "资产编号", "资产名称", "使用部门", "账面原值（元）", "入账日期"]


def finance_file(rows, *, header=HEADER, title="2026年固定资产明细账（财务）") -> SimpleUploadedFile:
    """What a finance system exports: a title row, its own header (extra columns), the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append(header)
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("固定资产明细账.xlsx", buffer.getvalue())


def actor(world, role=Role.FINANCE):
    return build_actor(world.member(role).user, world.org_a)


def run(world, upload, role=Role.FINANCE) -> Reconciliation:
    with org_scope(world.org_a), override("en"):
        return reconciliation_run(actor=actor(world, role), upload=upload)


def card(world, code, value="5000.00", booked=date(2020, 1, 10), **fields):
    return make_asset(world, code=code, value=value, booked_on=booked, **fields)


@pytest.fixture
def ledger(world):
    return {
        "same": card(world, "ZC-2020-00001"),
        "value": card(world, "ZC-2020-00002", value="3000.00"),
        "date": card(world, "ZC-2020-00003", booked=date(2020, 2, 1)),
        "both": card(world, "ZC-2020-00004", value="800.00", booked=date(2020, 2, 1), low_value=True),
        "unbooked": card(world, "ZC-2020-00005", name="投影仪"),
        "scrapped": card(world, "ZC-2020-00006", status=AssetStatus.DISPOSED, left_on=date(2024, 1, 1)),
        "scrapped_still_booked": card(world, "ZC-2020-00007", status=AssetStatus.LOST, left_on=date(2024, 1, 1)),
        "consumable": card(world, "ZC-2020-00008", value="300.00", low_value=True),
        "other_org": card(world, "ZC-2020-00009", org=world.org_b),
    }


FINANCE_ROWS = [
    # code, name, department, value, booked on
    ["ZC-2020-00001", "台式计算机", "总务处", "5,000.00", "2020-01-10"],  # row 3: agrees
    ["ZC-2020-00002", "台式计算机", "总务处", "3200", "2020/1/10"],  # 4: value differs
    ["ZC-2020-00003", "台式计算机", "总务处", "¥5000", "2020年3月1日"],  # 5: date differs
    ["ZC-2020-00004", "台式计算机", "总务处", "900元", "2020-03-01"],  # 6: both differ (a 低值易耗品 finance books)
    ["ZC-2020-00007", "台式计算机", "总务处", "5000", "2020-01-10"],  # 7: lost in the ledger, still booked
    ["CW-2019-088", "空调", "后勤", "4600", "2019-06-30"],  # 8: no such card
    ["ZC-2020-00009", "台式计算机", "", "5000", ""],  # 9: another org's card: not in this ledger
]


def differences(reconciliation) -> set[tuple]:
    with scopes_disabled():
        return set(
            ReconciliationDifference.objects.filter(reconciliation=reconciliation).values_list(
                "kind",
                "code",
                "asset_id",
                "finance_row",
                "ledger_value",
                "finance_value",
                "ledger_date",
                "finance_date",
            )
        )


def test_every_kind_of_difference_with_both_sides(world, ledger):
    result = run(world, finance_file(FINANCE_ROWS))
    a = {name: asset.pk for name, asset in ledger.items()}
    d2000, d0110, d0201, d0301 = Decimal("5000.00"), date(2020, 1, 10), date(2020, 2, 1), date(2020, 3, 1)
    assert differences(result) == {
        (D.VALUE, "ZC-2020-00002", a["value"], 4, Decimal("3000.00"), Decimal("3200.00"), None, None),
        (D.DATE, "ZC-2020-00003", a["date"], 5, None, None, d0201, d0301),
        (D.VALUE, "ZC-2020-00004", a["both"], 6, Decimal("800.00"), Decimal("900.00"), None, None),
        (D.DATE, "ZC-2020-00004", a["both"], 6, None, None, d0201, d0301),
        (D.NOT_IN_LEDGER, "ZC-2020-00007", a["scrapped_still_booked"], 7, None, d2000, None, d0110),
        (D.NOT_IN_LEDGER, "CW-2019-088", None, 8, None, Decimal("4600.00"), None, date(2019, 6, 30)),
        (D.NOT_IN_LEDGER, "ZC-2020-00009", None, 9, None, d2000, None, None),
        (D.NOT_IN_FINANCE, "ZC-2020-00005", a["unbooked"], None, d2000, None, d0110, None),
    }
    # Not differences: the scrapped card finance no longer lists, the 低值易耗品 finance expensed.
    assert (result.finance_rows, result.matched) == (7, 1)
    # On the books: same, value, date, unbooked (both and consumable are 低值易耗品; two have left the books).
    assert result.ledger_rows == 4
    with scopes_disabled():
        names = dict(ReconciliationDifference.objects.filter(reconciliation=result).values_list("code", "name"))
    assert names["CW-2019-088"] == "空调" and names["ZC-2020-00005"] == "投影仪"
    assert result.compared_by == world.member(Role.FINANCE).user and result.file_name == "固定资产明细账.xlsx"


def test_a_list_that_agrees_has_no_differences(world):
    card(world, "ZC-2020-00001")
    result = run(world, finance_file([FINANCE_ROWS[0]]))
    assert differences(result) == set() and (result.finance_rows, result.ledger_rows, result.matched) == (1, 1, 1)


def test_problems_in_the_list_are_listed_by_row_and_column_and_nothing_is_saved(world, ledger):
    rows = [
        ["ZC-2020-00001", "", "", "五千", "2020-01-10"],  # 3: value not a number
        ["ZC-2020-00002", "", "", "-10", "2020-01-10"],  # 4: negative value
        ["", "台式计算机", "", "3000", "2020-01-10"],  # 5: no code
        ["ZC-2020-00003", "", "", "3000", "上个月"],  # 6: not a date
        ["ZC-2020-00003", "", "", "", "2020-01-10"],  # 7: the same code again, no value
    ]
    with pytest.raises(FinanceListInvalid) as raised:
        run(world, finance_file(rows))
    with override("en"):
        assert raised.value.errors == [
            RowError(3, "账面原值（元）", "Enter a number."),
            RowError(4, "账面原值（元）", "Ensure this value is greater than or equal to 0."),
            RowError(5, "资产编号", "This field is required."),
            RowError(6, "资产编号", "Appears more than once in this file (rows 6, 7)."),
            RowError(6, "入账日期", "Enter a date such as 2024-03-05 or 2024年3月5日."),
            RowError(7, "资产编号", "Appears more than once in this file (rows 6, 7)."),
            RowError(7, "账面原值（元）", "This field is required."),
        ]
    with scopes_disabled():
        assert not Reconciliation.objects.exists() and not ReconciliationDifference.objects.exists()


def test_a_list_without_a_value_column_is_refused(world):
    with pytest.raises(FinanceListInvalid) as raised:
        run(world, finance_file([["ZC-1", "台式计算机", "总务处", "5000", "2020-01-10"]], header=HEADER[:4]))
    with override("en"):
        assert [(e.row, e.column, e.message) for e in raised.value.errors] == [
            (2, "Original value", "This column is missing.")
        ]


# Who may reconcile (literal expectations) ---------------------------------------------------------------

ROLES = [
    (Role.FINANCE, True),
    (Role.ASSET_CLERK, True),
    (Role.LOGISTICS_HEAD, True),
    (Role.LEADER, False),
    (Role.ORG_ADMIN, False),
    (Role.DEPT_HEAD, False),
    (Role.STAFF, False),
    (Role.TECHNICIAN, False),
]


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_who_may_reconcile(world, login, role, allowed):
    card(world, "ZC-2020-00001")
    if allowed:
        assert run(world, finance_file([FINANCE_ROWS[0]]), role=role).matched == 1
    else:
        with pytest.raises(PermissionDenied):
            run(world, finance_file([FINANCE_ROWS[0]]), role=role)
    with org_scope(world.org_a):
        existing = Reconciliation.objects.create(
            org=world.org_a, file_name="f.xlsx", compared_by=world.member(Role.FINANCE).user
        )
    client = login(world.member(role))
    status = 200 if allowed else 403
    for name, args in (
        ("reconciliation_list", []),
        ("reconciliation_create", []),
        ("reconciliation_template", []),
        ("reconciliation_detail", [existing.pk]),
        ("reconciliation_export", [existing.pk]),
    ):
        assert client.get(reverse("assets:" + name, args=["org-a", *args])).status_code == status, name
    menu = client.get(reverse("assets:asset_list", args=["org-a"])).content.decode()  # everyone sees their own
    assert (reverse("assets:reconciliation_list", args=["org-a"]) in menu) is allowed  # the menu entry


def test_a_bureau_does_not_reconcile(world, login):
    client = login(world.bureau_member)
    assert client.get(reverse("assets:reconciliation_list", args=["org-a"])).status_code == 403


# Pages ---------------------------------------------------------------------------------------------


def test_upload_compare_and_read_the_differences_by_kind(world, login, ledger):
    client = login(world.member(Role.ASSET_CLERK))
    new = reverse("assets:reconciliation_create", args=["org-a"])
    listing = client.get(reverse("assets:reconciliation_list", args=["org-a"])).content.decode()
    assert new in listing and 'data-testid="reconciliation-row"' not in listing
    response = client.post(new, {"file": finance_file([["ZC-1", "", "", "abc", ""]])})
    page = response.content.decode()
    assert response.status_code == 200 and page.count("data-import-error") == 1
    response = client.post(new, {"file": finance_file(FINANCE_ROWS)})
    with scopes_disabled():
        result = Reconciliation.objects.get()
    detail = reverse("assets:reconciliation_detail", args=["org-a", result.pk])
    assert response.status_code == 302 and response.url == detail
    page = client.get(detail).content.decode()  # the first kind with differences: not in the ledger
    assert 'data-testid="total">8<' in page.replace(" ", "")
    assert page.count('data-testid="difference"') == 3
    card_url = reverse("assets:asset_detail", args=["org-a", ledger["scrapped_still_booked"].pk])
    assert card_url in page  # links to the card
    page = client.get(detail + "?kind=value").content.decode()
    codes = sorted(line.split('data-code="')[1].split('"')[0] for line in page.split("\n") if 'data-code="' in line)
    assert codes == ["ZC-2020-00002", "ZC-2020-00004"]
    assert reverse("assets:asset_detail", args=["org-a", ledger["value"].pk]) in page
    listing = client.get(reverse("assets:reconciliation_list", args=["org-a"])).content.decode()
    assert listing.count('data-testid="reconciliation-row"') == 1
    export = client.get(reverse("assets:reconciliation_export", args=["org-a", result.pk]))
    assert export.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 8
    assert sorted(row[1] for row in rows[1:]) == sorted(code for _k, code, *_rest in differences(result))


def _make_runs(world, count, differences_each, prefix, last=None):
    """``count`` runs, each with differences of every kind (the last one ``last`` of them), three in four linked
    to a card."""
    with org_scope(world.org_a):
        user = world.member(Role.FINANCE).user
        template = card(world, prefix + "-TEMPLATE")
        for n in range(count):
            run_ = Reconciliation.objects.create(org=world.org_a, file_name="{}.xlsx".format(n), compared_by=user)
            assets = Asset.objects.bulk_create(
                Asset(
                    org=world.org_a,
                    code="{}-{}-{}".format(prefix, n, i),
                    name=template.name,
                    category=template.category,
                    original_value=template.original_value,
                    booked_on=template.booked_on,
                    department=template.department,
                )
                for i in range(last if last and n == count - 1 else differences_each)
            )
            ReconciliationDifference.objects.bulk_create(
                ReconciliationDifference(
                    org=world.org_a,
                    reconciliation=run_,
                    kind=[D.NOT_IN_LEDGER, D.VALUE, D.DATE, D.NOT_IN_FINANCE][i % 4],
                    code=asset.code,
                    asset=asset if i % 4 else None,
                )
                for i, asset in enumerate(assets)
            )
    return run_


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _pages(client, run_) -> tuple[int, int, int]:
    detail = reverse("assets:reconciliation_detail", args=["org-a", run_.pk])
    return (
        _queries(client, reverse("assets:reconciliation_list", args=["org-a"])),
        _queries(client, detail + "?kind=value"),
        _queries(client, reverse("assets:reconciliation_export", args=["org-a", run_.pk])),
    )


def test_list_detail_and_export_run_the_same_queries_at_any_size(world, login):
    client = login(world.member(Role.FINANCE))
    few = _pages(client, _make_runs(world, 2, 4, "S"))
    many = _pages(client, _make_runs(world, 60, 4, "B", last=240))  # more runs and differences than a page
    assert few == many
