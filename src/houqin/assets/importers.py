"""Importing an existing asset ledger (资产台账) from .xlsx, on the Excel kit.

Every row is checked by the card's own rules (``services.assets.card_errors``, the same as a card registered on
its page) and its links are looked up in a few queries for the whole file: category by GB/T 14885 code or name,
department by name or code, place by code or name, custodian and user by 工号, 手机号 or an unambiguous name,
supplier by name, funding source, acquisition and status by their Chinese (or English) labels. Any problem in
any row: nothing is saved and every problem is listed by row and column. Otherwise the cards, their chain lines
(导入) and their history rows are written in bulk inside the import's one transaction — 10,000 rows in a few
seconds instead of a service call per row. Codes are kept from the old ledger (the numbering moves past
``ZC-<year>-<n>`` codes) or given as the next ZC-<year>-<n> where the cell is blank.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import dictionaries, numbering, orgsettings
from houqin.core.excel import (
    Column,
    Importer,
    ImportRow,
    choice,
    integer,
    lookup_key,
    money,
    parse_code,
    parse_date,
    text,
)
from houqin.core.models import Department, Location, Membership, Party

from . import permissions as p
from .choices import Acquisition, AssetEventKind, AssetStatus
from .models import Asset, AssetCategory, AssetEvent
from .services.assets import CODE_PREFIX, card_errors, derive
from .settings import FUNDING, THRESHOLD

CHUNK = 500  # rows per bulk insert and per IN (...) lookup (well inside SQLite's variable limit)

# What old ledgers write, beside the labels in either language (input vocabulary, not text we show).
ACQUISITION_ALIASES = {
    Acquisition.PURCHASE: ("购置", "购买", "采购", "新购", "购入"),
    Acquisition.TRANSFER_IN: ("调入", "划拨", "无偿调入", "调拨"),
    Acquisition.DONATION: ("捐赠", "受赠", "接受捐赠", "捐献"),
    Acquisition.SELF_BUILT: ("自建", "自制", "自行建造"),
    Acquisition.SURPLUS: ("盘盈",),
}
STATUS_ALIASES = {
    AssetStatus.IN_USE: ("在用", "使用中", "正常", "正常使用"),
    AssetStatus.IDLE: ("闲置", "未使用", "备用"),
    AssetStatus.LENT: ("借出", "出借"),
    AssetStatus.REPAIRING: ("维修中", "维修", "待修", "在修"),
    AssetStatus.PENDING_DISPOSAL: ("待报废", "待处置", "拟报废"),
    AssetStatus.DISPOSED: ("已报废", "报废", "已处置"),
    AssetStatus.LOST: ("丢失", "遗失", "盘亏"),
}
# A card comes in on the books and in the office's hands: 借出 needs its loan record, 已报废/丢失 have left the
# books (their leaving day and approval belong to a disposal), so those are recorded after the import.
# The shipped funding sources as ledgers write them (used while the org keeps those codes active).
FUNDING_ALIASES = {
    "fiscal": ("财政拨款", "财政资金", "财政性资金", "财政"),
    "own": ("自有资金", "自筹", "自筹资金", "单位自筹"),
    "research": ("科研经费", "科研"),
    "donation": ("捐赠", "社会捐赠"),
    "other": ("其他", "其它"),
}
IMPORTABLE_STATUSES = (AssetStatus.IN_USE, AssetStatus.IDLE, AssetStatus.REPAIRING, AssetStatus.PENDING_DISPOSAL)
LINKS = ("category", "department", "location", "supplier", "custodian", "user_person")


def _key(value: str) -> str:
    return lookup_key(value or "")


def _index(rows, *names) -> dict[str, list]:
    """lookup key of each named attribute → the rows carrying it (a name may be shared)."""
    index: dict[str, list] = defaultdict(list)
    for row in rows:
        for name in names:
            value = getattr(row, name)
            if value and row not in index[_key(value)]:
                index[_key(value)].append(row)
    return index


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


_CODE_FIRST = re.compile(r"^([A-Za-z][0-9]{2,})\s+\S")  # "A0201 计算机设备", as the card form shows it
_PERSON_PARTS = re.compile(r"[\s()（）\[\]【】/,，、]+")


class AssetImporter(Importer):
    """Asset cards, one row each: every field of the card."""

    sheet_title = gettext_lazy("Assets")
    instructions_intro = gettext_lazy(
        "One row per card: a single item, or a batch of like items booked together (e.g. 40 sets of desks). "
        "Leave the asset code empty to number the card ZC-year-number, or keep the code of the old ledger."
    )
    max_rows = 20_000

    columns = (
        Column(
            "code",
            gettext_lazy("Asset code"),
            parse=parse_code(40),
            unique=True,
            aliases=("资产编号", "资产编码", "资产代码", "资产条码", "卡片编号", "编号", "code"),
            help_text=gettext_lazy(
                "Optional: the old ledger's code (letters, digits, '-', '_' or '.'), kept as it is; "
                "empty for the next ZC-year-number."
            ),
            example=("ZC-2019-00012", ""),
            as_text=True,
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            required=True,
            parse=text(100),
            aliases=("资产名称", "名称", "品名"),
            help_text=gettext_lazy("As people call it, e.g. 台式计算机, 学生课桌椅."),
            example=("台式计算机", "学生课桌椅"),
        ),
        Column(
            "category",
            gettext_lazy("Category"),
            required=True,
            parse=text(120),
            aliases=("资产分类", "资产类别", "分类", "类别", "分类代码", "分类编码", "分类名称", "国标分类"),
            help_text=gettext_lazy("GB/T 14885-2022 code (A0201) or name (计算机设备); listed on this sheet."),
            example=("A0201", "家具"),
        ),
        Column("brand", gettext_lazy("Brand"), parse=text(60), aliases=("品牌", "厂家", "生产厂家"), example=("联想",)),
        Column(
            "model_number",
            gettext_lazy("Model"),
            parse=text(60),
            aliases=("型号", "规格型号"),
            example=("启天M430",),
        ),
        Column(
            "spec", gettext_lazy("Specification"), parse=text(200), aliases=("规格", "配置"), example=("i5/8G/512G",)
        ),
        Column(
            "serial_number",
            gettext_lazy("Serial number"),
            parse=text(60),
            aliases=("序列号", "出厂编号", "出厂号", "SN"),
            as_text=True,
        ),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            parse=integer(),
            aliases=("数量",),
            help_text=gettext_lazy("1 for one item (the default); more for a batch of like items."),
            example=("1", "40"),
        ),
        Column(
            "unit",
            gettext_lazy("Unit"),
            parse=text(10),
            aliases=("计量单位", "单位"),
            help_text=gettext_lazy("台、套、张、册、件; 台 if empty."),
            example=("台", "套"),
        ),
        Column(
            "original_value",
            gettext_lazy("Original value"),
            required=True,
            parse=money(max_digits=20, min_value=None),
            aliases=("原值", "资产原值", "原值(元)", "价值", "价值(元)", "金额", "金额(元)", "账面原值"),
            help_text=gettext_lazy("Yuan, the whole card (all items of a batch): 4999, ¥4,999.00 or 4999元."),
            example=("4999.00", "12000"),
        ),
        Column(
            "acquisition",
            gettext_lazy("Acquired by"),
            parse=choice(Acquisition, ACQUISITION_ALIASES),
            aliases=("取得方式", "增加方式", "来源方式", "购置方式"),
            help_text=gettext_lazy("购置 (the default), 调入, 捐赠, 自建 or 盘盈."),
            example=("购置", "捐赠"),
        ),
        Column(
            "funding",
            gettext_lazy("Funding source"),
            parse=text(60),
            aliases=("经费来源", "资金来源", "经费"),
            help_text=gettext_lazy("One of the organisation's funding sources (listed on this sheet), or empty."),
            example=("财政拨款", ""),
        ),
        Column(
            "supplier",
            gettext_lazy("Supplier"),
            parse=text(100),
            aliases=("供应商", "供货商", "销售商", "供货单位"),
            help_text=gettext_lazy("Name of a supplier already in the organisation's parties, or empty."),
        ),
        Column(
            "purchase_date",
            gettext_lazy("Purchase date"),
            parse=parse_date,
            aliases=("购置日期", "购买日期", "取得日期", "购入日期"),
            help_text=gettext_lazy("2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or a date cell; not in the future."),
            example=("2019-08-20", "2021-03-01"),
        ),
        Column(
            "booked_on",
            gettext_lazy("Finance booking date"),
            required=True,
            parse=parse_date,
            aliases=("入账日期", "财务入账日期", "记账日期", "入账时间"),
            help_text=gettext_lazy("The day finance booked it; depreciation counts from its month."),
            example=("2019-09-05", "2021-03-15"),
        ),
        Column(
            "voucher_number",
            gettext_lazy("Voucher number"),
            parse=text(40),
            aliases=("凭证号", "记账凭证号", "凭证编号"),
            as_text=True,
        ),
        Column(
            "life_months",
            gettext_lazy("Useful life (months)"),
            parse=integer(),
            aliases=("使用月数", "折旧月数", "折旧年限(月)"),
            help_text=gettext_lazy("In months; empty for the category's default."),
        ),
        Column(
            "department",
            gettext_lazy("Owning department"),
            required=True,
            parse=text(100),
            aliases=("使用部门", "所属部门", "管理部门", "使用科室", "部门", "科室"),
            help_text=gettext_lazy("A department of the organisation, by name or code."),
            example=("总务处", "初一年级组"),
        ),
        Column(
            "location",
            gettext_lazy("Location"),
            parse=text(100),
            aliases=("存放地点", "存放位置", "放置地点", "位置", "地点"),
            help_text=gettext_lazy("A place of the organisation, by code or name (a code where names repeat)."),
            example=("A1-101", ""),
        ),
        Column(
            "custodian",
            gettext_lazy("Custodian"),
            parse=text(60),
            aliases=("保管人", "保管人工号", "保管人手机号", "责任人"),
            help_text=gettext_lazy("工号 or mobile number of a member (a name is enough when nobody shares it)."),
            example=("A001", ""),
            as_text=True,
        ),
        Column(
            "user_person",
            gettext_lazy("User"),
            parse=text(60),
            aliases=("使用人", "使用人工号", "使用人手机号", "领用人"),
            help_text=gettext_lazy("工号 or mobile number of a member, or empty."),
            as_text=True,
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            parse=choice(AssetStatus, STATUS_ALIASES),
            aliases=("使用状态", "资产状态", "状态"),
            help_text=gettext_lazy("在用 (the default), 闲置, 维修中 or 待报废."),
            example=("在用", "闲置"),
        ),
        Column(
            "warranty_until",
            gettext_lazy("Warranty until"),
            parse=parse_date,
            aliases=("保修截止日期", "保修期至", "保修到期日", "保修截止"),
        ),
        Column("note", gettext_lazy("Note"), parse=text(200), aliases=("备注", "说明")),
    )

    def __init__(self, actor):
        if actor.via_bureau or not actor.can(p.ASSET_MANAGE):
            raise PermissionDenied
        super().__init__(actor)
        self._cards: dict[int, Asset] = {}
        self._pending: list[Asset] = []
        self._generated: list[Asset] = []
        self._numbered: list[int] | None = None  # [year, n] of the last number given
        self._last_row = 0
        self._codes_kept = False

    # Looking up, once for the whole file ----------------------------------------------------------

    def prepare(self, rows):
        org = self.actor.org
        self._threshold = Decimal(str(orgsettings.value(org, THRESHOLD.key)))
        self._last_row = rows[-1].number if rows else 0
        written = {key: {row.values[key] for row in rows if row.values.get(key)} for key in (*LINKS, "funding")}
        categories = list(AssetCategory.objects.all())
        self._categories = _index(categories, "code", "name")
        departments = list(Department.objects.all())
        self._departments = _index(departments, "code", "name")
        self._locations = self._load_locations(written["location"])
        self._suppliers = (
            _index(Party.objects.filter(name__in=written["supplier"]), "name") if written["supplier"] else {}
        )
        self._people = self._load_people(written["custodian"] | written["user_person"])
        self._funding: dict[str, str] = {}
        self._funding_labels = [label for _code, label in dictionaries.choices(org, FUNDING.key)]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for code, label in dictionaries.choices(org, FUNDING.key):
                    self._funding.setdefault(_key(label), code)
                    self._funding[_key(code)] = code
                    for alias in FUNDING_ALIASES.get(code, ()):
                        self._funding.setdefault(_key(alias), code)

    def _load_locations(self, written: set[str]) -> dict[str, list]:
        found = []
        for chunk in _chunks(written):
            found += Location.objects.filter(Q(code__in=chunk) | Q(name__in=chunk))
        return _index(found, "code", "name")

    def _load_people(self, written: set[str]) -> dict[str, list]:
        """工号, 手机号 and name → active memberships (with their person)."""
        parts = set()
        for value in written:
            parts.add(value)
            parts.update(part for part in _PERSON_PARTS.split(value) if part)
        index: dict[str, list] = defaultdict(list)
        for chunk in _chunks(parts):
            rows = Membership.objects.filter(is_active=True).filter(
                Q(employee_no__in=chunk) | Q(user__phone__in=chunk) | Q(user__name__in=chunk)
            )
            for membership in rows.select_related("user"):
                for value in (membership.employee_no, membership.user.phone, membership.user.name):
                    if value and membership not in index[_key(value)]:
                        index[_key(value)].append(membership)
        return index

    def existing(self, key, values):
        if key != "code":
            return {}
        used = {}
        for chunk in _chunks(values):
            used.update(Asset.objects.filter(code__in=chunk).values_list("code", "name"))
        return used

    # Checking a row ---------------------------------------------------------------------------------

    def _one(self, row, key, found: list, *, unknown, ambiguous):
        if not found:
            self.error(row, key, unknown)
            return None
        if len(found) > 1:
            self.error(row, key, ambiguous)
            return None
        return found[0]

    def _category(self, row):
        written = row.values["category"]
        match = _CODE_FIRST.match(written)
        found = self._categories.get(_key(match.group(1)) if match else _key(written), [])
        return self._one(
            row,
            "category",
            found,
            unknown=_(
                "Unknown category “{value}”; use a GB/T 14885 code or name listed on the instructions sheet."
            ).format(value=written),
            ambiguous=_("Several categories are called “{value}”; use the code.").format(value=written),
        )

    def _department(self, row):
        written = row.values["department"]
        department = self._one(
            row,
            "department",
            self._departments.get(_key(written), []),
            unknown=_(
                "Unknown department “{value}”; use the name or code of one of the organisation's departments."
            ).format(value=written),
            ambiguous=_("Several departments are called “{value}”; use the code.").format(value=written),
        )
        if department is not None and not department.is_active:
            self.error(row, "department", _("This department is no longer in use."))
            return None
        return department

    def _location(self, row):
        written = row.values["location"]
        location = self._one(
            row,
            "location",
            self._locations.get(_key(written), []),
            unknown=_("Unknown place “{value}”; use the code or name of one of the organisation's places.").format(
                value=written
            ),
            ambiguous=_("Several places are called “{value}”; use the code.").format(value=written),
        )
        if location is not None and not location.is_active:
            self.error(row, "location", _("This place is no longer in use."))
            return None
        return location

    def _person(self, row, key):
        written = row.values[key]
        found = self._people.get(_key(written))
        if not found:  # "张三（A001）", "张三 13900001111": the 工号 or number beside the name decides
            for part in _PERSON_PARTS.split(written):
                candidates = self._people.get(_key(part), [])
                if len(candidates) == 1:
                    found = candidates
                    break
        return self._one(
            row,
            key,
            found or [],
            unknown=_("No member of the organisation with the 工号, mobile number or name “{value}”.").format(
                value=written
            ),
            ambiguous=_("Several members are called “{value}”; write the 工号 or mobile number.").format(value=written),
        )

    def _supplier(self, row):
        written = row.values["supplier"]
        supplier = self._one(
            row,
            "supplier",
            self._suppliers.get(_key(written), []),
            unknown=_("No party called “{value}”; add the supplier under parties first, or leave it empty.").format(
                value=written
            ),
            ambiguous=_("Several parties are called “{value}”.").format(value=written),
        )
        if supplier is not None and not supplier.is_active:
            self.error(row, "supplier", _("This party is no longer active."))
            return None
        return supplier

    def check_row(self, row):
        values = row.values
        links = {}
        for key, find in (
            ("category", self._category),
            ("department", self._department),
            ("location", self._location),
            ("supplier", self._supplier),
            ("custodian", lambda r: self._person(r, "custodian")),
            ("user_person", lambda r: self._person(r, "user_person")),
        ):
            links[key] = find(row) if values.get(key) else None
        funding = ""
        if values.get("funding"):
            funding = self._funding.get(_key(values["funding"]), "")
            if not funding:
                self.error(
                    row,
                    "funding",
                    _("Unknown funding source; use one of: {choices}.").format(choices=", ".join(self._funding_labels)),
                )
        status = values.get("status") or AssetStatus.IN_USE
        if status not in IMPORTABLE_STATUSES:
            self.error(
                row,
                "status",
                _("A card is imported as 在用, 闲置, 维修中 or 待报废; record “{status}” after the import.").format(
                    status=AssetStatus(status).label
                ),
            )
        asset = Asset(
            org=self.actor.org,
            code=values.get("code") or "",
            name=values.get("name") or "",
            brand=values.get("brand") or "",
            model_number=values.get("model_number") or "",
            spec=values.get("spec") or "",
            serial_number=values.get("serial_number") or "",
            quantity=values["quantity"] if values.get("quantity") is not None else 1,
            unit=values.get("unit") or "台",
            original_value=values.get("original_value"),
            acquisition=values.get("acquisition") or Acquisition.PURCHASE,
            funding=funding,
            purchase_date=values.get("purchase_date"),
            booked_on=values.get("booked_on"),
            voucher_number=values.get("voucher_number") or "",
            life_months=values.get("life_months"),
            status=status,
            warranty_until=values.get("warranty_until"),
            note=values.get("note") or "",
            **links,
        )
        # Cells already refused (unparsable, missing, unknown) are not judged again by the card's rules.
        reported = set(row.invalid) | {c.key for c in self.columns if c.required and values.get(c.key) is None}
        errors = card_errors(asset, exclude=(*LINKS, *reported))
        for field, messages in errors.items():
            if field in reported:
                continue
            for message in messages:
                self.error(row, field if any(c.key == field for c in self.columns) else None, message)
        self._cards[row.number] = asset

    # Writing ----------------------------------------------------------------------------------------

    def _keep_codes(self) -> None:
        """The numbering moves past the highest kept ZC-<year>-<n> of each year (one call per year)."""
        highest: dict[str, tuple[int, str]] = {}
        pattern = re.compile(r"{}-(\d{{4}})-(\d+)".format(CODE_PREFIX))
        for asset in self._cards.values():
            match = pattern.fullmatch(asset.code)
            if match and int(match.group(2)) > highest.get(match.group(1), (-1, ""))[0]:
                highest[match.group(1)] = (int(match.group(2)), asset.code)
        for _n, code in highest.values():
            numbering.keep(self.actor.org, CODE_PREFIX, code)

    def save_row(self, row: ImportRow):
        if not self._codes_kept:
            self._keep_codes()
            self._codes_kept = True
        asset = self._cards[row.number]
        if not asset.code:
            asset.code = self._next_code()
            self._generated.append(asset)
        derive(asset, threshold=self._threshold)
        self._pending.append(asset)
        if len(self._pending) >= CHUNK or row.number == self._last_row:
            self._flush()
        return asset

    def _next_code(self) -> str:
        """The next ZC-<year>-<n>. The first is allocated (which locks the year's sequence row until the import's
        transaction ends), the others follow it, and the sequence is moved past the last one as the rows are
        written: two queries for 10,000 numbers instead of one each."""
        if self._numbered is None:
            year, n = numbering.allocate(self.actor.org, CODE_PREFIX).rsplit("-", 2)[1:]
            self._numbered = [int(year), int(n)]
        else:
            self._numbered[1] += 1
        return numbering.format_number(CODE_PREFIX, *self._numbered)

    def _skip_taken_numbers(self) -> None:
        """A generated number that a card already carries (rows written without the numbering, e.g. by an older
        import or a database load) is passed over: one query per chunk."""
        generated, self._generated = self._generated, []
        while generated:
            taken = set(Asset.objects.filter(code__in=[card.code for card in generated]).values_list("code", flat=True))
            generated = [card for card in generated if card.code in taken]
            for card in generated:
                card.code = self._next_code()
        if self._numbered is not None:
            numbering.keep(self.actor.org, CODE_PREFIX, numbering.format_number(CODE_PREFIX, *self._numbered))

    def _flush(self) -> None:
        """The pending cards, their chain lines and their history rows, in bulk (in the import's transaction)."""
        cards, self._pending = self._pending, []
        self._skip_taken_numbers()
        Asset.objects.bulk_create(cards)
        user = self.actor.user
        now = timezone.now()
        AssetEvent.objects.bulk_create(
            [
                AssetEvent(
                    org=card.org,
                    asset=card,
                    kind=AssetEventKind.IMPORTED,
                    at=now,
                    actor=user,
                    note=_("Imported from an Excel ledger as {code}.").format(code=card.code),
                )
                for card in cards
            ]
        )
        Asset.history.bulk_history_create(
            cards, default_user=user, default_change_reason=_("Excel import"), default_date=now
        )

    # The template's instructions sheet -----------------------------------------------------------------

    def instructions(self):
        org = self.actor.org
        rows: list[list] = [[], [str(_("Categories (GB/T 14885-2022)"))]]
        for category in AssetCategory.objects.order_by("code"):
            life = (
                _("{years} years").format(years=category.life_years) if category.depreciable else _("not depreciated")
            )
            rows.append([category.code, category.name, str(life)])
        rows += [[], [str(_("Departments"))]]
        for department in Department.objects.filter(is_active=True).order_by("path"):
            rows.append([department.name, department.code])
        rows += [[], [str(_("Funding sources"))]]
        for code, label in dictionaries.choices(org, FUNDING.key):
            rows.append([label, code])
        rows += [[], [str(_("Ways of acquisition"))]]
        for value, label in Acquisition.choices:
            rows.append([str(label), "、".join(ACQUISITION_ALIASES.get(value, ()))])
        rows += [[], [str(_("Statuses"))]]
        for value in IMPORTABLE_STATUSES:
            rows.append([str(AssetStatus(value).label), "、".join(STATUS_ALIASES.get(value, ()))])
        return rows
