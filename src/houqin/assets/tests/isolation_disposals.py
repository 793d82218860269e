"""Isolation-walk mapping of the disposals pages and endpoints (joined by isolation.py): the list, a new disposal,
one disposal, its printed 处置审批表 and withdrawing it, and the disposals API."""

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

from .. import permissions as p

BUREAU_READS = {p.DISPOSAL_VIEW}


def make_rows(world):
    from houqin.core.access import build_actor
    from houqin.core.tenancy import org_scope

    from ..services.disposals import disposal_request
    from .factories import make_asset

    # Two old printers of 语文组: one free to be disposed of (the controls' requests), one awaiting the approval of
    # the disposal the asset clerk asked for.
    world.disposal_asset = make_asset(world, name="总务处旧打印机", department=world.dept_a_other, location=None)
    pending = make_asset(world, name="总务处旧复印机", department=world.dept_a_other, location=None)
    with org_scope(world.org_a):
        clerk = world.member(Role.ASSET_CLERK)
        world.disposal = disposal_request(
            actor=build_actor(clerk.user, world.org_a),
            assets=[pending],
            method="scrap",
            reason="总务处复印机无法修复",
            proceeds="50.00",
            recipient="再生资源回收站",
        )


def _request(w):
    return {"assets": [w.disposal_asset.pk], "method": "scrap", "reason": "总务处报废", "proceeds": "0"}


PAGES = {
    "assets:disposal_list": T(),
    "assets:disposal_create": T(post=_request, control_role=Role.ASSET_CLERK),
    "assets:disposal_export": T(),
    "assets:disposal_detail": T(lambda w: {"pk": w.disposal.pk}),
    "assets:disposal_print": T(lambda w: {"pk": w.disposal.pk}),
    "assets:disposal_withdraw": T(
        lambda w: {"pk": w.disposal.pk}, post=lambda w: {}, get_status=405, control_role=Role.ASSET_CLERK
    ),
}

API = {
    "api_disposal-list": T(post=_request, control_role=Role.ASSET_CLERK),
    "api_disposal-detail": T(lambda w: {"pk": w.disposal.pk}),
    "api_disposal-withdraw": T(lambda w: {"pk": w.disposal.pk}, post=lambda w: {}, control_role=Role.ASSET_CLERK),
}
