"""Finance reconciliation (账账相符): compare the finance department's asset list with the ledger.

Finance keeps its own list of fixed assets (固定资产明细账: code, value, booking date). ``reconciliation_run``
reads that list from .xlsx with the Excel kit (tolerant headers, every problem by row and column, nothing saved
on any), compares it with the ledger card by card, and keeps the run with its differences:

- in the finance list, not in the ledger — no card has the code, or the card has left the books
  (已报废、丢失) while finance still carries it;
- in the ledger, not in the finance list — a card on the books (not 已报废/丢失) that finance does not list;
  低值易耗品 are expensed, not booked as fixed assets, so they count only when finance lists them;
- value differs — the card's original value is not finance's;
- booking date differs — the card's finance booking date is not finance's (when the list gives one).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from houqin.core.excel import Column, Importer, ImportRow, RowError, money, parse_code, parse_date, text
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import GONE, DifferenceKind
from ..models import Asset, Reconciliation, ReconciliationDifference

__all__ = ["FinanceList", "FinanceListInvalid", "FinanceRow", "reconciliation_run"]

BATCH = 1000


class FinanceListInvalid(Exception):
    """The finance list has problems (every one, by row and column); nothing was compared or saved."""

    def __init__(self, errors: list[RowError]):
        super().__init__("{} problems in the finance list".format(len(errors)))
        self.errors = errors


@dataclass(frozen=True)
class FinanceRow:
    number: int  # the row as Excel numbers it
    code: str
    value: Decimal
    booked_on: object  # date | None
    name: str


class FinanceList(Importer):
    """Reads the finance department's list (the kit's parsing and checks); writes nothing."""

    sheet_title = gettext_lazy("Finance asset list")
    instructions_intro = gettext_lazy(
        "The finance department's list of fixed assets, one row per card: the asset code as the ledger has it, "
        "its original value and the day it was booked. Other columns of the finance system's export are ignored."
    )
    max_rows = 60_000
    columns = (
        Column(
            "code",
            gettext_lazy("Asset code"),
            required=True,
            parse=parse_code(40),
            unique=True,
            aliases=("资产编号", "资产编码", "资产代码", "卡片编号", "资产卡片编号", "编号", "code"),
            help_text=gettext_lazy("The code of the card in the asset ledger."),
            example=("ZC-2019-00012",),
            as_text=True,
        ),
        Column(
            "value",
            gettext_lazy("Original value"),
            required=True,
            parse=money(max_digits=20),
            aliases=("原值", "资产原值", "账面原值", "原值(元)", "价值", "金额", "金额(元)", "入账金额"),
            help_text=gettext_lazy("Yuan, as booked: 4999, ¥4,999.00 or 4999元."),
            example=("4999.00",),
        ),
        Column(
            "booked_on",
            gettext_lazy("Finance booking date"),
            parse=parse_date,
            aliases=("入账日期", "财务入账日期", "记账日期", "入账时间", "入账期间"),
            help_text=gettext_lazy("Optional; compared with the card's booking date when given."),
            example=("2019-09-05",),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            parse=text(100),
            aliases=("资产名称", "名称"),
            help_text=gettext_lazy("Optional; shown beside codes the ledger does not have."),
            example=("台式计算机",),
        ),
    )

    def save_row(self, row: ImportRow) -> FinanceRow:
        values = row.values
        return FinanceRow(row.number, values["code"], values["value"], values["booked_on"], values["name"] or "")


def _check(actor: Actor) -> None:
    if actor.via_bureau or not actor.can(p.RECONCILE):
        raise PermissionDenied


@transaction.atomic
def reconciliation_run(*, actor: Actor, upload) -> Reconciliation:
    """Compare the uploaded finance list with the ledger and keep the run and its differences.

    Raises ``ImportFileError`` (not a readable workbook, no header, too long) or ``FinanceListInvalid`` (problems
    by row and column); in both cases nothing is saved."""
    _check(actor)
    result = FinanceList(actor).run(upload)
    if not result.ok:
        raise FinanceListInvalid(result.errors)
    finance: dict[str, FinanceRow] = {row.code: row for row in result.saved}
    org = actor.org
    run = Reconciliation(
        org=org,
        file_name=(getattr(upload, "name", "") or "")[:200],
        compared_by=actor.user,
        compared_at=timezone.now(),
        finance_rows=len(finance),
    )
    differences: list[ReconciliationDifference] = []

    def differ(kind, code, **fields):
        differences.append(ReconciliationDifference(org=org, reconciliation=run, kind=kind, code=code, **fields))

    cards = restrict(Asset.objects.all(), actor, p.RECONCILE).values_list(
        "id", "code", "name", "original_value", "booked_on", "status", "low_value"
    )
    on_books = matched = 0
    seen: set[str] = set()
    for pk, code, name, value, booked_on, status, low_value in cards.order_by("code").iterator(chunk_size=5000):
        row = finance.get(code)
        gone = status in GONE
        if not gone and not low_value:
            on_books += 1
        if row is None:
            if not gone and not low_value:
                differ(DifferenceKind.NOT_IN_FINANCE, code, asset_id=pk, name=name, ledger_value=value,
                       ledger_date=booked_on)  # fmt: skip
            continue
        seen.add(code)
        common = {"asset_id": pk, "name": name, "finance_row": row.number}
        if gone:  # finance still carries a card that has left the books
            differ(DifferenceKind.NOT_IN_LEDGER, code, finance_value=row.value, finance_date=row.booked_on, **common)
            continue
        same = True
        if value != row.value:
            differ(DifferenceKind.VALUE, code, ledger_value=value, finance_value=row.value, **common)
            same = False
        if row.booked_on is not None and booked_on != row.booked_on:
            differ(DifferenceKind.DATE, code, ledger_date=booked_on, finance_date=row.booked_on, **common)
            same = False
        matched += same
    for code, row in finance.items():
        if code not in seen:
            differ(
                DifferenceKind.NOT_IN_LEDGER,
                code,
                name=row.name,
                finance_row=row.number,
                finance_value=row.value,
                finance_date=row.booked_on,
            )
    run.ledger_rows = on_books
    run.matched = matched
    run.full_clean()
    run.save()
    ReconciliationDifference.objects.bulk_create(differences, batch_size=BATCH)
    return run
