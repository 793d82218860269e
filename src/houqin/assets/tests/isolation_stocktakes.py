"""Isolation-walk mapping of the stocktakes pages and endpoints (joined by isolation.py): the list, opening one, its
page, surplus, closing, cancelling, the printed report, the export, and the stocktake API (lines read-only).
Counting has no route of its own: it is a POST to the label scan page (mapped by the ledger)."""

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

from .. import permissions as p

BUREAU_READS = {p.STOCKTAKE_VIEW}


def make_rows(world):
    from houqin.core.access import build_actor
    from houqin.core.tenancy import org_scope

    from ..choices import StocktakeScope
    from ..models import StocktakeLine
    from ..services.stocktakes import stocktake_open

    # An open stocktake of 101教室 listing the ledger's asset there (world.asset). Its scope (a place) leaves the
    # whole organisation and every department free for the controls that open one.
    with org_scope(world.org_a):
        clerk = build_actor(world.member(Role.ASSET_CLERK).user, world.org_a)
        world.stocktake = stocktake_open(
            actor=clerk, name="101教室 盘点", scope=StocktakeScope.LOCATION, location=world.room_a
        )
        world.stocktake_line = StocktakeLine.objects.filter(stocktake=world.stocktake).first()


def _surplus(w):
    return {
        "name": "旧风扇",
        "category": _category_pk(),
        "quantity": "1",
        "value": "300.00",
        "location": w.room_a.pk,
        "department": w.dept_a.pk,
    }


def _category_pk():
    from ..models import AssetCategory

    return AssetCategory.objects.get(code="A0202").pk


def _pk(w):
    return {"pk": w.stocktake.pk}


PAGES = {
    "assets:stocktake_list": T(),
    "assets:stocktake_create": T(
        post=lambda w: {"scope": "department", "department": w.dept_a.pk}, control_role=Role.ASSET_CLERK
    ),
    "assets:stocktake_detail": T(_pk),
    "assets:stocktake_surplus": T(_pk, post=_surplus, control_role=Role.ASSET_CLERK),
    "assets:stocktake_close": T(_pk, post=lambda w: {}, control_role=Role.ASSET_CLERK),
    "assets:stocktake_cancel": T(_pk, post=lambda w: {"reason": "范围选错"}, control_role=Role.ASSET_CLERK),
    "assets:stocktake_print": T(_pk),
    "assets:stocktake_export": T(_pk),
}

API = {
    "api_stocktake-list": T(
        post=lambda w: {"scope": "department", "department": w.dept_a.pk}, control_role=Role.ASSET_CLERK
    ),
    "api_stocktake-detail": T(_pk),
    "api_stocktake-close": T(_pk, post=lambda w: {}, control_role=Role.ASSET_CLERK),
    "api_stocktake-cancel": T(_pk, post=lambda w: {"reason": "范围选错"}, control_role=Role.ASSET_CLERK),
    "api_stocktake_line-list": T(),
    "api_stocktake_line-detail": T(lambda w: {"pk": w.stocktake_line.pk}),
}
