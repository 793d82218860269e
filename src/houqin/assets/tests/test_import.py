"""Importing an old asset ledger from .xlsx: every problem by (row, column, message) and nothing saved, the
lookups of a real file, kept and generated codes, the chain and history of imported cards, the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from houqin.core import numbering
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.excel import RowError
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location, make_member, make_party

from ..choices import AssetEventKind, AssetStatus
from ..importers import AssetImporter
from ..models import Asset, AssetEvent
from .factories import make_asset

HEADER = [
    "资产编号",
    "资产名称*",
    "资产分类",
    "数量",
    "原值(元)",
    "取得方式",
    "购置日期",
    "入账日期",
    "使用部门",
    "存放地点",
    "保管人",
    "使用状态",
    "备注",
]


def xlsx(rows, *, title="甲小学固定资产台账（2026年）", header=HEADER) -> SimpleUploadedFile:
    """A workbook as an old ledger looks: a merged title row, the header, data (blank rows among them)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def clerk(world):
    return build_actor(world.member(Role.ASSET_CLERK).user, world.org_a)


def run(world, upload, actor=None):
    with org_scope(world.org_a), override("en"):
        return AssetImporter(actor or clerk(world)).run(upload)


def count_assets(world) -> int:
    with scopes_disabled():
        return Asset.objects.filter(org=world.org_a).count()


def good(code="", name="台式计算机", value="4999", booked="2019-09-05", **changes):
    row = {
        "资产编号": code,
        "资产名称*": name,
        "资产分类": "A0201",
        "数量": 1,
        "原值(元)": value,
        "取得方式": "购置",
        "购置日期": "2019-08-20",
        "入账日期": booked,
        "使用部门": "总务处",
        "存放地点": "A1-101",
        "保管人": "",
        "使用状态": "在用",
        "备注": "",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def test_broken_ledger_lists_every_problem_by_row_and_column_and_saves_nothing(world):
    make_asset(world, code="ZC-2019-00001", name="旧投影仪")
    before = count_assets(world)
    upload = xlsx(
        [
            good("ZC-2019-00007"),  # row 3: fine
            good("ZC-2019-00008", value="-500"),  # 4: negative value
            good("ZC-2019-00009", value="99999999999.00"),  # 5: absurd value
            good("ZC-2019-00010", **{"购置日期": "2099-05-01", "入账日期": "2020-01-01"}),  # 6: bought in the future
            good("ZC-2019-00011", **{"资产分类": "Z99"}),  # 7: unknown category
            good("ZC-2019-00012", **{"使用部门": "火星部"}),  # 8: unknown department
            good("ZC-2020-00003"),  # 9: the same code as row 10
            good("ZC-2020-00003", name="打印机"),  # 10
            [None] * len(HEADER),  # 11: blank, skipped
            good("ZC-2019-00001"),  # 12: a code the ledger already has
            good("ZC-2019-00013", booked="去年三月"),  # 13: a date that is no date
            good("ZC-2019-00014", name=""),  # 14: required name missing
            good("ZC-2019-00015", **{"使用状态": "已报废", "保管人": "Z999"}),  # 15: off the books; nobody
            good("", value="", **{"数量": "两台"}),  # 16: value missing, quantity not a number
        ]
    )
    result = run(world, upload)
    with override("en"):
        expected = [
            RowError(4, "原值(元)", "The value cannot be negative."),
            RowError(5, "原值(元)", "This value is too large; check the number."),
            RowError(6, "购置日期", "The purchase date cannot be in the future."),
            RowError(6, "入账日期", "The booking date cannot be before the purchase date."),
            RowError(
                7,
                "资产分类",
                "Unknown category “Z99”; use a GB/T 14885 code or name listed on the instructions sheet.",
            ),
            RowError(
                8,
                "使用部门",
                "Unknown department “火星部”; use the name or code of one of the organisation's departments.",
            ),
            RowError(9, "资产编号", "Appears more than once in this file (rows 9, 10)."),
            RowError(10, "资产编号", "Appears more than once in this file (rows 9, 10)."),
            RowError(12, "资产编号", "Already used by 旧投影仪."),
            RowError(13, "入账日期", "Enter a date such as 2024-03-05 or 2024年3月5日."),
            RowError(14, "资产名称*", "This field is required."),
            RowError(15, "保管人", "No member of the organisation with the 工号, mobile number or name “Z999”."),
            RowError(
                15,
                "使用状态",
                "A card is imported as 在用, 闲置, 维修中 or 待报废; record “Disposed of” after the import.",
            ),
            RowError(16, "数量", "Enter a whole number."),
            RowError(16, "原值(元)", "This field is required."),
        ]
    assert result.errors == expected
    assert count_assets(world) == before
    with scopes_disabled():
        assert not AssetEvent.objects.filter(kind=AssetEventKind.IMPORTED).exists()


def test_missing_columns_and_an_unreadable_file(world):
    result = run(world, xlsx([["台式计算机", "4999"]], header=["资产名称", "原值"]))
    with override("en"):
        assert {(e.row, e.column, e.message) for e in result.errors} == {
            (2, "Category", "This column is missing."),
            (2, "Finance booking date", "This column is missing."),
            (2, "Owning department", "This column is missing."),
        }
    from houqin.core.excel import ImportFileError

    with pytest.raises(ImportFileError):
        run(world, SimpleUploadedFile("a.xlsx", b"not a workbook"))


def test_a_real_file_imports_with_every_lookup_and_keeps_or_gives_codes(world):
    staff = world.member(Role.STAFF)  # employee number A0..; the custodian by 工号
    colleague = world.member("colleague")  # the user by mobile number
    with scopes_disabled():
        staff.refresh_from_db()
        supplier = make_party(world.org_a, name="联想（北京）有限公司", kind="supplier")
    make_location(world.org_a, "图书阅览室", "A1-102", "room", world.room_a.parent)
    header = [
        "资产编号",
        "资产名称",
        "分类名称",
        "品牌",
        "规格型号",
        "规格",
        "出厂编号",
        "数量",
        "计量单位",
        "资产原值",
        "增加方式",
        "资金来源",
        "供应商",
        "购置日期",
        "财务入账日期",
        "凭证号",
        "使用月数",
        "所属部门",
        "存放地点",
        "保管人",
        "使用人",
        "资产状态",
        "保修截止日期",
        "备注",
    ]
    rows = [
        [
            "ZC-2019-00042",
            "台式计算机",
            "A0201 计算机设备",
            "联想",
            "启天M430",
            "i5/8G",
            "SN-001",
            "１",
            "台",
            "¥4,999.00",
            "购置",
            "财政拨款",
            "联想（北京）有限公司",
            date(2019, 8, 20),
            "2019年9月5日",
            "记-2019-09-018",
            "72",
            "ZWC",
            "101教室",
            staff.employee_no,
            colleague.user.phone,
            "闲置",
            "2022/8/20",
            "多媒体教室",
        ],
        [
            "",
            "学生课桌椅",
            "家具",
            "",
            "",
            "",
            "",
            "40",
            "套",
            "12000元",
            "捐赠",
            "",
            "",
            "",
            "20210315",
            "",
            "",
            "总务处",
            "A1-102",
            "{}（{}）".format(staff.user.name, staff.employee_no),
            "",
            "",
            "",
            "",
        ],
        ["", "碎纸机", "A0202", "", "", "", "", "", "", "600", "", "", "", "", "2025-06-01", "", "", "维修组"]
        + [""] * 6,
    ]
    with scopes_disabled():
        make_asset(world, code="ZC-{}-00001".format(timezone.localdate().year))
    result = run(world, xlsx(rows, header=header, title=None))
    assert result.errors == []
    with scopes_disabled():
        computer = Asset.objects.get(org=world.org_a, code="ZC-2019-00042")
        desks = Asset.objects.get(org=world.org_a, name="学生课桌椅")
        shredder = Asset.objects.get(org=world.org_a, name="碎纸机")
        assert computer.category.code == "A0201"
        assert (computer.brand, computer.model_number, computer.spec, computer.serial_number) == (
            "联想",
            "启天M430",
            "i5/8G",
            "SN-001",
        )
        assert computer.original_value == Decimal("4999.00") and computer.quantity == 1
        assert computer.acquisition == "purchase" and computer.funding == "fiscal"
        assert computer.supplier == supplier
        assert computer.purchase_date == date(2019, 8, 20) and computer.booked_on == date(2019, 9, 5)
        assert computer.voucher_number == "记-2019-09-018" and computer.life_months == 72
        assert computer.department == world.dept_a and computer.location == world.room_a
        assert computer.building_id == world.building_a.pk  # copied from the place for filtering
        assert computer.custodian == staff and computer.user_person == colleague
        assert computer.status == AssetStatus.IDLE and computer.warranty_until == date(2022, 8, 20)
        assert computer.low_value is False
        # A batch of furniture counts as a fixed asset though each set is 300 yuan.
        assert desks.category.code == "A0501" and desks.quantity == 40 and desks.unit == "套"
        assert desks.low_value is False and desks.acquisition == "donation" and desks.custodian == staff
        assert desks.status == AssetStatus.IN_USE
        # Below the threshold: a 低值易耗品 of the same ledger; numbered after the year's last number.
        assert shredder.low_value is True and shredder.department == world.dept_a_child
        year = timezone.localdate().year
        assert {desks.code, shredder.code} == {"ZC-{}-00002".format(year), "ZC-{}-00003".format(year)}
        # Every imported card has its chain line (导入, by whom) and its history row.
        for asset in (computer, desks, shredder):
            event = AssetEvent.objects.get(asset=asset)
            assert event.kind == AssetEventKind.IMPORTED and event.actor == world.member(Role.ASSET_CLERK).user
            assert asset.history.count() == 1 and asset.history.get().history_type == "+"
    # The kept code moved the 2019 sequence: the next 2019 number comes after it.
    with org_scope(world.org_a), transaction.atomic():
        assert numbering.allocate(world.org_a, "ZC", on=date(2019, 5, 1)) == "ZC-2019-00043"
        # Numbers given by the import are taken: the next card registered this year comes after them.
        assert numbering.allocate(world.org_a, "ZC") == "ZC-{}-00004".format(timezone.localdate().year)


def test_ambiguous_names_ask_for_the_code_or_number(world):
    make_member(world.org_a, Role.STAFF, employee_no="A900", name="王芳")
    make_member(world.org_a, Role.STAFF, employee_no="A901", name="王芳")
    make_location(world.org_a, "101教室", "A2-101", "room", world.building_a)
    result = run(world, xlsx([good(**{"保管人": "王芳", "存放地点": "101教室"})]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "存放地点", "Several places are called “101教室”; use the code."),
        (3, "保管人", "Several members are called “王芳”; write the 工号 or mobile number."),
    ]
    result = run(world, xlsx([good(**{"保管人": "王芳 A901", "存放地点": "A2-101"})]))
    assert result.errors == []


@pytest.mark.parametrize("role", [Role.STAFF, Role.FINANCE, Role.DEPT_HEAD, Role.ORG_ADMIN])
def test_only_keepers_of_the_ledger_import(world, role):
    with pytest.raises(PermissionDenied):
        AssetImporter(build_actor(world.member(role).user, world.org_a))


def test_template_has_every_column_and_reads_back(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(reverse("assets:asset_import_template", args=["org-a"]))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert len(header) == len(AssetImporter.columns) == 24
    instructions = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert "A0201" in instructions and "总务处" in instructions
    # The template filled in with one row imports as it is (its headers are in the page's language, zh-Hans).
    with override("zh-hans"):
        assert header == [str(column.label) for column in AssetImporter.columns]
    sheet = workbook.worksheets[0]
    filled = {"name": "投影仪", "category": "A0201", "original_value": "4500", "booked_on": "2026-01-10"}
    filled["department"] = "ZWC"
    row = [filled.get(column.key, "") for column in AssetImporter.columns]
    sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    result = run(world, SimpleUploadedFile("t.xlsx", buffer.getvalue()))
    assert result.errors == []
    with scopes_disabled():
        assert Asset.objects.filter(org=world.org_a, name="投影仪").count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ASSET_CLERK, 200),
        (Role.LOGISTICS_HEAD, 200),
        (Role.FINANCE, 403),
        (Role.LEADER, 403),
        (Role.ORG_ADMIN, 403),
        (Role.DEPT_HEAD, 403),
        (Role.STAFF, 403),
    ],
)
def test_import_pages_for_each_role(world, login, role, status):
    client = login(world.member(role))
    assert client.get(reverse("assets:asset_import", args=["org-a"])).status_code == status
    assert client.get(reverse("assets:asset_import_template", args=["org-a"])).status_code == status


def test_import_page_lists_problems_then_imports(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    url = reverse("assets:asset_import", args=["org-a"])
    listing = client.get(reverse("assets:asset_list", args=["org-a"])).content.decode()
    assert 'data-testid="asset-import"' in listing and url in listing
    response = client.post(url, {"file": xlsx([good(value="-1"), good(**{"资产分类": "?"})])})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in page
    assert page.count("data-import-error") == 2
    assert count_assets(world) == 0
    response = client.post(url, {"file": xlsx([good(), good(name="打印机")])})
    assert response.status_code == 302 and response.url == reverse("assets:asset_list", args=["org-a"])
    assert count_assets(world) == 2
    response = client.post(url, {"file": SimpleUploadedFile("old.xls", b"x")})
    assert response.status_code == 200 and count_assets(world) == 2
    assert 'data-testid="import-errors"' not in response.content.decode()
