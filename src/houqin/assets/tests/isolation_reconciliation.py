"""Isolation-walk mapping of the finance reconciliation pages and of the ledger import (joined by isolation.py)."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

BUREAU_READS = set()  # a bureau neither reconciles nor imports


def make_rows(world):
    from houqin.core.tenancy import org_scope

    from ..choices import DifferenceKind
    from ..models import Reconciliation, ReconciliationDifference

    with org_scope(world.org_a):
        run = Reconciliation.objects.create(
            org=world.org_a, file_name="财务固定资产明细.xlsx", compared_by=world.member(Role.FINANCE).user
        )
        ReconciliationDifference.objects.create(
            org=world.org_a, reconciliation=run, kind=DifferenceKind.NOT_IN_LEDGER, code="CW-0001", finance_row=2
        )
    world.reconciliation = run


def _xlsx(header, *rows):
    def build(world):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = BytesIO()
        workbook.save(buffer)
        return {"file": SimpleUploadedFile("台账.xlsx", buffer.getvalue())}

    return build


_run = T(lambda w: {"pk": w.reconciliation.pk}, control_role=Role.FINANCE)

PAGES = {
    "assets:asset_import": T(
        post=_xlsx(
            ["资产名称", "资产分类", "原值", "入账日期", "使用部门"], ["文件柜", "A0501", "1200", "2026-01-10", "ZWC"]
        ),
        control_role=Role.ASSET_CLERK,
    ),
    "assets:asset_import_template": T(control_role=Role.ASSET_CLERK),
    "assets:reconciliation_list": T(control_role=Role.FINANCE),
    "assets:reconciliation_create": T(
        post=_xlsx(["资产编号", "原值", "入账日期"], ["CW-0002", "5000", "2026-01-10"]), control_role=Role.FINANCE
    ),
    "assets:reconciliation_template": T(control_role=Role.FINANCE),
    "assets:reconciliation_detail": _run,
    "assets:reconciliation_export": _run,
}
API = {}
