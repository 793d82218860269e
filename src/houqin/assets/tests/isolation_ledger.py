"""Isolation-walk mapping of the ledger pages and endpoints (joined by isolation.py): list, export, labels,
the card and its forms, the label scan, the depreciation report, the asset API."""

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

from .. import permissions as p

BUREAU_READS = {p.ASSET_VIEW, p.ASSET_SCAN}


def make_rows(world):
    from .factories import make_asset

    # A computer of 总务处 in 101教室, kept by the staff member.
    world.asset = make_asset(world, name="投影仪", custodian=world.member(Role.STAFF))


def _card(w, **extra):
    return {
        "name": "办公桌",
        "category": w.asset.category.pk,
        "quantity": "1",
        "unit": "张",
        "original_value": "1200.00",
        "acquisition": "purchase",
        "booked_on": "2026-01-10",
        "department": w.dept_a.pk,
        **extra,
    }


PAGES = {
    "assets:asset_list": T(),
    "assets:asset_export": T(),
    "assets:asset_labels": T(control_role=Role.ASSET_CLERK),
    "assets:asset_create": T(post=_card, control_role=Role.ASSET_CLERK),
    "assets:asset_detail": T(lambda w: {"pk": w.asset.pk}),
    "assets:asset_edit": T(
        lambda w: {"pk": w.asset.pk},
        post=lambda w: _card(w, code=w.asset.code, name="投影仪（教室）"),
        control_role=Role.ASSET_CLERK,
    ),
    "assets:asset_status": T(
        lambda w: {"pk": w.asset.pk}, post=lambda w: {"status": "idle"}, get_status=405, control_role=Role.ASSET_CLERK
    ),
    "assets:depreciation_report": T(),
    "assets:depreciation_report_export": T(),
    "assets:stats": T(),  # 资产统计: the ledger's figures
    "asset_scan": T(lambda w: {"token": w.asset.qr_token}),
}

API = {
    "api_asset-list": T(
        post=lambda w: {
            "name": "办公桌",
            "category": "A0501",
            "original_value": "1200.00",
            "booked_on": "2026-01-10",
            "department": w.dept_a.pk,
        },
        control_role=Role.ASSET_CLERK,
    ),
    "api_asset-detail": T(
        lambda w: {"pk": w.asset.pk}, patch=lambda w: {"name": "投影仪（教室）"}, control_role=Role.ASSET_CLERK
    ),
}
