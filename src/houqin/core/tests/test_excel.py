"""The Excel kit: tolerant parsing of real files, every problem listed, all or nothing; streamed, safe exports.

Files are real .xlsx workbooks written and read back with openpyxl. Messages are asserted in English
(the msgids), so the zh_Hans catalogue does not change what these tests read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook, load_workbook

from houqin.core import excel, services
from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role, SecurityEventKind
from houqin.core.models import Location, SecurityEvent
from houqin.core.tenancy import org_scope, scopes_disabled

# An asset ledger as a school keeps it: one room a row, with one column per kind of parser.


class LedgerImporter(excel.Importer):
    """Test importer: every parser of the kit; each row becomes a room under the world's first floor."""

    sheet_title = gettext_lazy("Locations")
    columns = (
        excel.Column(
            "code",
            pgettext_lazy("locations import column", "Code"),
            required=True,
            parse=excel.parse_code(),
            unique=True,
        ),
        excel.Column("name", pgettext_lazy("locations import column", "Name"), required=True, parse=excel.text(100)),
        excel.Column("kind", pgettext_lazy("locations import column", "Kind"), parse=excel.choice(LocationKind)),
        excel.Column("bought_on", "Bought on", required=True, parse=excel.parse_date, aliases=("购置日期",)),
        excel.Column("price", "Price", parse=excel.money(), aliases=("金额",), example=("¥1,234.50",)),
        excel.Column("count", "Count", parse=excel.integer(min_value=1), aliases=("数量",)),
        excel.Column("area", "Area", parse=excel.decimal(places=1), aliases=("面积",)),
        excel.Column("in_use", "In use", parse=excel.parse_bool, aliases=("在用",)),
        excel.Column("phone", "Keeper phone", parse=excel.parse_phone, aliases=("保管人电话",)),
    )

    def __init__(self, actor, floor):
        super().__init__(actor)
        self.floor = floor

    def existing(self, key, values):
        return {loc.code: loc.name for loc in Location.objects.filter(code__in=values)}

    def save_row(self, row):
        location = services.location_create(
            actor=self.actor,
            name=row.values["name"],
            code=row.values["code"],
            kind=LocationKind.ROOM,
            parent=self.floor,
        )
        return location, dict(row.values)


HEADER = ["编码*", " 名 称 ", "Kind", "购置日期（必填）", "金额", "数量", "面积", "在用", "保管人电话"]


def workbook_bytes(rows, *, title=None, columns="I") -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:{}1".format(columns))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def ledger(world):
    """Runs a ledger file as org A's admin, in English; returns (result, importer)."""

    def run(file, importer_class=LedgerImporter):
        with org_scope(world.org_a), translation.override("en"):
            actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
            importer = importer_class(actor, world.room_a.parent)
            return importer.run(file)

    return run


def location_count():
    with scopes_disabled():
        return Location.objects.count()


# Cells -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["45356", "45356.0", "2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "２０２４年３月５日", "20240305",
     "2024 年 3 月 5 日", "2024-03-05 08:30:00"],
)  # fmt: skip
def test_dates_in_every_form_people_type(text):
    assert excel.parse_date(text) == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-02-30", "This date does not exist."),
        ("20241305", "This date does not exist."),
        ("三月五日", "Enter a date such as 2024-03-05 or 2024年3月5日."),
        ("2024-3", "Enter a date such as 2024-03-05 or 2024年3月5日."),
    ],
)
def test_impossible_or_unreadable_dates_are_refused(text, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        excel.parse_date(text)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("¥1,234.50", Decimal("1234.50")),
        ("1,234.5元", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        ("￥ 80", Decimal("80.00")),
        ("１，２３４．５", Decimal("1234.50")),
        ("RMB 3000", Decimal("3000.00")),
        ("0.1", Decimal("0.10")),
    ],
)
def test_money_is_a_decimal_with_two_places(text, amount):
    value = excel.money()(text)
    assert value == amount and isinstance(value, Decimal) and str(value) == str(amount)


@pytest.mark.parametrize("text", ["12.345", "abc", "1.2.3", "-5", "¥"])
def test_money_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValidationError):
        excel.money()(text)


def test_numbers_yes_no_and_choices():
    assert excel.integer()("1,200") == 1200 and excel.integer()("１２") == 12 and excel.integer()("12.0") == 12
    assert excel.decimal(places=1)("1,234.5") == Decimal("1234.5")
    for text, value in [("是", True), ("Y", True), ("√", True), ("否", False), ("no", False), ("0", False)]:
        assert excel.parse_bool(text) is value, text
    kind = excel.choice(LocationKind, {LocationKind.ROOM: ("室",)})
    assert [kind(t) for t in ("房间", "Room", "room", "室", "楼栋")] == ["room"] * 4 + ["building"]
    with translation.override("en"):
        for parse, text in [
            (excel.integer(), "1.5"),
            (excel.integer(min_value=1), "0"),
            (excel.decimal(places=1), "1.25"),
            (excel.parse_bool, "也许"),
            (kind, "宿舍"),
        ]:
            with pytest.raises(ValidationError):
                parse(text)
        with pytest.raises(ValidationError) as error:
            kind("宿舍")
        assert error.value.messages == ["Unknown value; use one of: Campus, Building, Floor, Room, Outdoor area."]


# Reading real files ----------------------------------------------------------------------------


def test_a_real_ledger_with_a_title_row_full_width_text_and_trailing_blanks_imports(world, ledger):
    before = location_count()
    rows = [
        HEADER,
        [
            "Ｒ－１０１",
            "  化学实验室\u3000",
            "房间",
            datetime(2024, 3, 5),
            "¥1,234.50",
            "１２",
            "45.5",
            "是",
            "138 0013 8000",
        ],
        ["R-102", "物理实验室", "Room", 45356, "1,234.5元", 3.0, 60, "否", "+8613900139000"],
        ["R-103", "生物实验室", "", "2024年3月5日", 1234.56, "", "", "", ""],
        ["R-104", "音乐教室", "", "2024.3.5", "", "", "", "", ""],
        ["R-105", "美术教室", "", "2024/3/5", "", "", "", "", ""],
        ["R-106", "机房", "", "20240305", "", "", "", "", ""],
        [None] * 9,
        ["", " ", "\u3000", None, "", "", "", "", ""],
        [],
        [None] * 9,
    ]
    result = ledger(workbook_bytes(rows, title="2024年固定资产台账"))
    assert result.errors == []
    values = [saved[1] for saved in result.saved]
    assert [v["code"] for v in values] == ["R-101", "R-102", "R-103", "R-104", "R-105", "R-106"]
    assert values[0]["name"] == "化学实验室"  # full-width space stripped
    assert {v["bought_on"] for v in values} == {date(2024, 3, 5)}
    assert [v["price"] for v in values[:3]] == [Decimal("1234.50"), Decimal("1234.50"), Decimal("1234.56")]
    assert all(isinstance(v["price"], Decimal) for v in values[:3])
    assert [v["count"] for v in values[:3]] == [12, 3, None]
    assert [v["area"] for v in values[:2]] == [Decimal("45.5"), Decimal("60")]
    assert [v["in_use"] for v in values[:3]] == [True, False, None]
    assert [v["phone"] for v in values[:2]] == ["13800138000", "13900139000"]
    assert location_count() == before + 6


def test_every_problem_of_every_row_is_listed_with_row_and_column_and_nothing_is_saved(world, ledger):
    before = location_count()
    rows = [
        HEADER,
        ["R-201", "好房间", "", "2024-03-05", "", "", "", "", ""],  # 3: fine
        ["R-202", "", "宿舍", "2024-02-30", "12.345", "0", "", "", ""],  # 4: four problems
        ["", "无编码", "", "", "¥-5", "", "1.25", "也许", "1380000"],  # 5: six problems
        ["R-201", "重复", "", "2024-03-05", "", "", "", "", ""],  # 6: code repeated from row 3
    ]
    result = ledger(workbook_bytes(rows, title="2024年固定资产台账"))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "编码*", "Appears more than once in this file (rows 3, 6)."),
        (4, "名 称", "This field is required."),
        (4, "Kind", "Unknown value; use one of: Campus, Building, Floor, Room, Outdoor area."),
        (4, "购置日期（必填）", "This date does not exist."),
        (4, "金额", "Ensure that there are no more than 2 decimal places."),
        (4, "数量", "Ensure this value is greater than or equal to 1."),
        (5, "编码*", "This field is required."),
        (5, "购置日期（必填）", "This field is required."),
        (5, "金额", "Ensure this value is greater than or equal to 0."),
        (5, "面积", "Ensure that there are no more than 1 decimal place."),
        (5, "在用", "Enter 是 or 否 (yes or no)."),
        (5, "保管人电话", "Enter an 11-digit mainland mobile number."),
        (6, "编码*", "Appears more than once in this file (rows 3, 6)."),
    ]
    assert location_count() == before


def test_a_service_refusing_row_n_undoes_the_rows_before_it(world, ledger):
    class Refusing(LedgerImporter):
        def save_row(self, row):
            if row.values["code"] == "R-303":
                raise ValidationError({"name": ["Refused by the service."]})
            return super().save_row(row)

    before = location_count()
    rows = [HEADER] + [["R-30{}".format(i), "房间{}".format(i), "", "2024-03-05"] for i in range(1, 5)]
    result = ledger(workbook_bytes(rows), importer_class=Refusing)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(4, "名 称", "Refused by the service.")]
    assert result.saved == []
    assert location_count() == before


def test_a_file_over_the_row_limit_is_refused_with_the_limit(world, ledger):
    class Small(LedgerImporter):
        max_rows = 3

    rows = [HEADER] + [["R-40{}".format(i), "房间", "", "2024-03-05"] for i in range(1, 5)]
    with pytest.raises(excel.ImportFileError) as error:
        ledger(workbook_bytes(rows), importer_class=Small)
    assert error.value.message == "At most 3 rows can be imported at once; split the file."
    assert ledger(workbook_bytes(rows[:4]), importer_class=Small).ok


def test_the_template_has_headers_in_the_page_language_comments_and_an_instructions_sheet(world):
    with org_scope(world.org_a):
        actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
        with translation.override("zh-hans"):
            workbook = load_workbook(BytesIO(LedgerImporter(actor, None).template()))
            labels = [str(c.label) for c in LedgerImporter.columns]
    assert workbook.sheetnames[1] == "说明"
    header = workbook.worksheets[0][1]
    assert [cell.value for cell in header] == labels and labels[0] == "编码"
    assert header[4].comment.text.endswith("¥1,234.50")  # the example, in the comment
    listed = {row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)}
    assert set(labels) <= listed


# Exports ---------------------------------------------------------------------------------------


def read_xlsx(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def test_export_escapes_formulas_names_the_file_in_chinese_and_is_logged(world, login):
    dangerous = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR"]
    with scopes_disabled():
        for index, name in enumerate(dangerous):
            room = Location(
                org=world.org_a, name=name, code="X{}".format(index), kind="room", parent=world.room_a.parent
            )
            room.tree_save()
        logged = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).count()
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(
        reverse("core:location_export", args=["org-a"]), {"kind": "room"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200 and response.streaming
    with translation.override("zh-hans"):
        stem = translation.gettext("Locations")
    expected = "{}-{}.xlsx".format(stem, timezone.localdate().isoformat())
    assert "filename*=utf-8''{}".format(quote(expected)) in response["Content-Disposition"]
    rows = read_xlsx(response)
    names = {row[1].replace("\n", "\r") for row in rows[1:]}  # XML reads a stored CR back as LF
    assert {"'" + name for name in dangerous} <= names
    assert "101教室" in names  # ordinary text is left alone
    with scopes_disabled():
        events = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT)
        assert events.count() == logged + 1
        assert "({} rows)".format(len(rows) - 1) in events.order_by("-pk").first().detail


def test_export_cells_keep_their_types(world):
    request = RequestFactory().get("/")
    request.org, request.user = world.org_a, world.member(Role.ORG_ADMIN).user
    moment = timezone.make_aware(datetime(2024, 3, 5, 8, 30))
    rows = [{"amount": Decimal("1234.50"), "at": moment, "on": date(2024, 3, 5), "ok": True, "note": None, "n": 7}]
    with org_scope(world.org_a), translation.override("en"):
        response = excel.xlsx_export(
            request,
            rows,
            [(key, (lambda k: lambda row: row[k])(key)) for key in rows[0]],
            "test",
        )
    header, row = read_xlsx(response)
    assert header == ("amount", "at", "on", "ok", "note", "n")
    assert row == (1234.5, datetime(2024, 3, 5, 8, 30), datetime(2024, 3, 5), "Yes", None, 7)


def test_a_5000_row_export_streams_with_the_same_queries_as_a_small_one(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:location_export", args=["org-a"])

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            rows = read_xlsx(response)
        return len(queries), rows

    small_queries, small_rows = export()
    floor = world.room_a.parent
    with scopes_disabled():
        Location.objects.bulk_create(
            Location(
                org=world.org_a,
                name="房间{}".format(i),
                code="BULK-{}".format(i),
                kind="room",
                parent=floor,
                building_id=floor.building_id,
                path="{}{}/".format(floor.path, "z{:05d}".format(i)),
                depth=floor.depth + 1,
            )
            for i in range(5000)
        )
    large_queries, large_rows = export()
    assert len(large_rows) == len(small_rows) + 5000
    assert large_queries == small_queries
    assert large_rows[-1][0] == "BULK-4999" and large_rows[-1][3] == world.building_a.name
