"""Isolation-walk mapping of the transfers pages and endpoints (joined by isolation.py): the list, a new transfer,
one transfer, its printed 调拨单 and withdrawing it, and the transfers API."""

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

from .. import permissions as p

BUREAU_READS = {p.TRANSFER_VIEW}


def make_rows(world):
    from houqin.core.access import build_actor
    from houqin.core.tenancy import org_scope

    from ..services.transfers import transfer_request
    from .factories import make_asset

    # 语文组's filing cabinets: one free to be transferred (the controls' requests), one already on a transfer to
    # 总务处 that the logistics head asked for and its head is to approve.
    world.transfer_asset = make_asset(world, name="总务处文件柜", department=world.dept_a_other, location=None)
    pending = make_asset(world, name="总务处档案柜", department=world.dept_a_other, location=None)
    with org_scope(world.org_a):
        head = world.member(Role.LOGISTICS_HEAD)
        world.transfer = transfer_request(
            actor=build_actor(head.user, world.org_a),
            assets=[pending],
            to_department=world.dept_a,
            reason="总务处档案室",
        )


def _request(w):
    return {"assets": [w.transfer_asset.pk], "to_department": w.dept_a.pk, "reason": "总务处调拨"}


PAGES = {
    "assets:transfer_list": T(),
    "assets:transfer_create": T(post=_request, control_role=Role.LOGISTICS_HEAD),
    "assets:transfer_export": T(),
    "assets:transfer_detail": T(lambda w: {"pk": w.transfer.pk}),
    "assets:transfer_print": T(lambda w: {"pk": w.transfer.pk}),
    "assets:transfer_withdraw": T(
        lambda w: {"pk": w.transfer.pk}, post=lambda w: {}, get_status=405, control_role=Role.LOGISTICS_HEAD
    ),
}

API = {
    "api_transfer-list": T(post=_request, control_role=Role.LOGISTICS_HEAD),
    "api_transfer-detail": T(lambda w: {"pk": w.transfer.pk}),
    "api_transfer-withdraw": T(lambda w: {"pk": w.transfer.pk}, post=lambda w: {}, control_role=Role.LOGISTICS_HEAD),
}
