"""Isolation-walk mapping of the loans pages and endpoints (joined by isolation.py): the list, its export, the
report "下发未归还" and its export, one loan, lending, the return check, compensation on the asset card, the loan
API and its ``return`` step. A bureau reads no loans (the permission table gives it no loan action)."""

from datetime import date, timedelta

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope
from houqin.core.tests.isolation_support import T

BUREAU_READS = set()


def make_rows(world):
    from ..services.loans import loan_lend
    from .factories import make_asset

    staff = world.member(Role.STAFF)
    # A camera of 总务处 on the shelf (闲置), to lend; and a projector already lent to the staff member.
    world.loan_asset = make_asset(world, name="数码相机", value="3200.00", status="idle")
    lent = make_asset(world, name="便携投影仪", value="4800.00")
    with org_scope(world.org_a):
        clerk = build_actor(world.member(Role.ASSET_CLERK).user, world.org_a)
        world.loan = loan_lend(
            actor=clerk, asset=lent, borrower=staff, due_on=date.today() + timedelta(days=7), purpose="公开课"
        )


def _due(days=7) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _lend_form(w):
    return {"asset": w.loan_asset.code, "borrower": w.member(Role.STAFF).pk, "due_on": _due(), "purpose": "运动会拍照"}


PAGES = {
    "assets:loan_list": T(),
    "assets:loan_export": T(),
    "assets:loan_outstanding": T(),
    "assets:loan_outstanding_export": T(),
    "assets:loan_lend": T(post=_lend_form, control_role=Role.ASSET_CLERK),
    "assets:loan_detail": T(lambda w: {"pk": w.loan.pk}),
    "assets:loan_return": T(
        lambda w: {"pk": w.loan.pk}, post=lambda w: {"condition": "good"}, control_role=Role.ASSET_CLERK
    ),
    "assets:asset_compensation": T(
        lambda w: {"pk": w.loan_asset.pk},
        post=lambda w: {"person": w.member(Role.STAFF).pk, "amount": "50.00", "reason": "镜头划伤"},
        control_role=Role.ASSET_CLERK,
    ),
}

API = {
    "api_loan-list": T(
        post=lambda w: {
            "asset": w.loan_asset.pk,
            "borrower": w.member(Role.STAFF).pk,
            "due_on": _due(),
            "purpose": "运动会拍照",
        },
        control_role=Role.ASSET_CLERK,
    ),
    "api_loan-detail": T(lambda w: {"pk": w.loan.pk}),
    "api_loan-return": T(
        lambda w: {"pk": w.loan.pk}, post=lambda w: {"condition": "good"}, control_role=Role.ASSET_CLERK
    ),
}
