"""Disposal services (报废/处置): the request (待报废, status before and net book value kept on the line) and each
refusal (nothing half saved), the default approval steps (logistics head, then leader), and what approval,
rejection and withdrawal do to the assets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from houqin.core import approvals, numbering, orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import ApprovalRequest, ApprovalState, StepState
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import make_member

from ..choices import AssetEventKind, AssetStatus, DisposalState, LoanState
from ..depreciation import net_book_value
from ..models import Asset, AssetEvent, Disposal, DisposalLine, Loan
from ..services.disposals import disposal_request, disposal_withdraw
from ..services.transfers import transfer_request
from ..settings import DEPRECIATION_START
from .factories import make_asset

NOW = "2026-06-15 10:00 +08:00"


@pytest.fixture
def scope(world):
    with org_scope(world.org_a), translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setup(world, scope):
    """A 6,000-yuan computer booked in January 2026 (in use) and an idle 1,200-yuan desk of 总务处."""
    return {
        "pc": make_asset(world, name="台式计算机", booked_on=date(2026, 1, 15)),
        "desk": make_asset(world, name="办公桌", value="1200.00", category_code="A0501", status=AssetStatus.IDLE),
    }


def actor_of(who):
    return build_actor(who.user, who.org)


def request(world, who=Role.ASSET_CLERK, assets=(), **fields):
    membership = world.member(who) if isinstance(who, str) else who
    values = {"method": "scrap", "reason": "超过使用年限，无法修复", "proceeds": Decimal("80.00"), **fields}
    return disposal_request(actor=actor_of(membership), assets=list(assets), **values)


def decide(membership, approval, approve=True, comment=""):
    return approvals.approval_decide(actor=actor_of(membership), request=approval, approve=approve, comment=comment)


def approval_of(disposal) -> ApprovalRequest:
    return ApprovalRequest.objects.filter(object_id=disposal.pk, kind="assets.disposal").latest("pk")


def reread(asset) -> Asset:
    return Asset.objects.get(pk=asset.pk)


def assert_nothing_saved(before):
    assert not Disposal.objects.exists()
    assert not DisposalLine.objects.exists()
    assert not ApprovalRequest.objects.filter(kind="assets.disposal").exists()
    assert {a.pk: a.status for a in Asset.objects.all()} == before


def test_request_marks_the_assets_and_approval_takes_them_off_the_books(world, setup):
    pc, desk = setup["pc"], setup["desk"]
    rule = orgsettings.value(world.org_a, DEPRECIATION_START.key)
    expected_net = net_book_value(pc, date(2026, 6, 15), rule)
    # 计算机设备: 6 years = 72 months, 83.33 a month, charged January to June (government rule).
    assert expected_net == Decimal("6000.00") - Decimal("83.33") * 6 == Decimal("5500.02")
    disposal = request(world, assets=[pc, desk], recipient="城南再生资源回收站")

    assert disposal.code == "BF-2026-00001" and disposal.state == DisposalState.PENDING
    lines = {line.asset_id: line for line in disposal.lines.all()}
    assert (lines[pc.pk].status_before, lines[pc.pk].net_value) == (AssetStatus.IN_USE, expected_net)
    assert lines[desk.pk].status_before == AssetStatus.IDLE
    assert {reread(a).status for a in (pc, desk)} == {AssetStatus.PENDING_DISPOSAL}
    assert AssetEvent.objects.filter(kind=AssetEventKind.DISPOSAL_REQUESTED, source_label=disposal.code).count() == 2
    approval = approval_of(disposal)
    assert approval.amount == Decimal("7200.00")
    assert [(s.role, s.state) for s in approval.steps.order_by("order")] == [
        (Role.LOGISTICS_HEAD, StepState.PENDING),
        (Role.LEADER, StepState.WAITING),
    ]
    with pytest.raises(ValidationError, match="waits for"):
        decide(world.member(Role.LEADER), approval)  # not yet the leader's turn
    decide(world.member(Role.LOGISTICS_HEAD), approval)
    assert reread(pc).status == AssetStatus.PENDING_DISPOSAL
    decide(world.member(Role.LEADER), approval, comment="同意报废")

    disposal.refresh_from_db()
    assert disposal.state == DisposalState.DONE and disposal.done_on == date(2026, 6, 15)
    for asset in (pc, desk):
        gone = reread(asset)
        assert (gone.status, gone.left_on) == (AssetStatus.DISPOSED, date(2026, 6, 15))
        event = AssetEvent.objects.get(asset=asset, kind=AssetEventKind.DISPOSED)
        assert event.source_label == disposal.code
        assert event.source_url == "/o/org-a/assets/disposals/{}/".format(disposal.pk)
        assert "城南再生资源回收站" in event.note and "80.00" in event.note
    assert not DisposalLine.objects.filter(pending=True).exists()
    # Off the books: no more net value (and no more depreciation).
    assert net_book_value(reread(pc), date(2026, 7, 1), rule) == Decimal("0")


def test_left_on_is_never_before_the_booking_date(world, setup):
    future_booked = make_asset(world, name="新电脑", booked_on=date(2026, 6, 20))  # imported with a later date
    disposal = request(world, assets=[future_booked])
    approval = approval_of(disposal)
    decide(world.member(Role.LOGISTICS_HEAD), approval)
    decide(world.member(Role.LEADER), approval)
    assert reread(future_booked).left_on == date(2026, 6, 20)


@pytest.mark.parametrize("how", ["reject", "withdraw"])
def test_rejected_or_withdrawn_the_assets_get_their_status_back(world, setup, how):
    pc, desk = setup["pc"], setup["desk"]
    disposal = request(world, assets=[pc, desk])
    approval = approval_of(disposal)
    if how == "reject":
        decide(world.member(Role.LOGISTICS_HEAD), approval, approve=False, comment="还能修")
        state = DisposalState.REJECTED
    else:
        with pytest.raises(PermissionDenied):
            disposal_withdraw(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), disposal=disposal)
        disposal_withdraw(actor=actor_of(world.member(Role.ASSET_CLERK)), disposal=disposal)
        state = DisposalState.WITHDRAWN
        assert approval_of(disposal).state == ApprovalState.WITHDRAWN
    disposal.refresh_from_db()
    assert disposal.state == state and disposal.done_on is None
    assert (reread(pc).status, reread(desk).status) == (AssetStatus.IN_USE, AssetStatus.IDLE)
    assert reread(pc).left_on is None
    assert not DisposalLine.objects.filter(pending=True).exists()
    assert AssetEvent.objects.filter(kind=AssetEventKind.STATUS, source_label=disposal.code).count() == 2
    again = request(world, assets=[pc])  # free again
    assert again.state == DisposalState.PENDING


def test_nobody_approves_their_own_disposal(world, setup):
    # The logistics head asks: their own default step is theirs by asking, the leader decides; they cannot.
    disposal = request(world, Role.LOGISTICS_HEAD, assets=[setup["pc"]])
    approval = approval_of(disposal)
    assert [(s.order, s.role) for s in approval.steps.order_by("order")] == [(1, Role.LEADER)]
    with pytest.raises(ValidationError, match="Nobody decides their own request"):
        decide(world.member(Role.LOGISTICS_HEAD), approval)
    decide(world.member(Role.LEADER), approval)
    disposal.refresh_from_db()
    assert disposal.state == "done"


def _lent(world, setup):
    pc = setup["pc"]
    Loan.objects.create(
        org=world.org_a,
        code="JY-1",
        asset=pc,
        borrower=world.member(Role.STAFF),
        department=world.dept_a,
        purpose="公开课",
        due_on=date(2026, 6, 30),
        lent_by=world.member(Role.ASSET_CLERK).user,
        state=LoanState.OUT,
        status_before=AssetStatus.IN_USE,
    )
    Asset.objects.filter(pk=pc.pk).update(status=AssetStatus.LENT)
    return [reread(pc)]


def _gone(world, setup):
    Asset.objects.filter(pk=setup["pc"].pk).update(status=AssetStatus.LOST, left_on=date(2026, 3, 1))
    return [reread(setup["pc"])]


def _on_transfer(world, setup):
    make_member(world.org_a, Role.DEPT_HEAD, department=world.dept_a_other, employee_no="H01")
    transfer_request(
        actor=actor_of(world.member(Role.LOGISTICS_HEAD)),
        assets=[setup["pc"]],
        to_department=world.dept_a_other,
        reason="调往语文组",
    )
    return [setup["pc"]]


def _on_disposal(world, setup):
    request(world, assets=[setup["pc"]])
    return [reread(setup["pc"])]


FREE = lambda w, s: [s["pc"]]  # noqa: E731

REFUSALS = [
    ("no assets", lambda w, s: [], {}, "assets", "at least one"),
    ("lent", _lent, {}, "assets", "lent out"),
    ("lost", _gone, {}, "assets", "left the books"),
    ("on a transfer", _on_transfer, {}, "assets", "already on transfer"),
    ("no method", FREE, {"method": "burn"}, "method", "how the assets"),
    ("no reason", FREE, {"reason": " "}, "reason", "reason"),
    ("negative proceeds", FREE, {"proceeds": Decimal("-1")}, "proceeds", "negative"),
    ("absurd proceeds", FREE, {"proceeds": Decimal("99999999999")}, "proceeds", "too large"),
    ("fractions of a fen", FREE, {"proceeds": "1.005"}, "proceeds", "two decimal"),
    ("not a number", FREE, {"proceeds": "abc"}, "proceeds", "number"),
    ("sale without a buyer", FREE, {"method": "sale", "recipient": ""}, "recipient", "buyer"),
    ("donation with proceeds", FREE, {"method": "donation", "recipient": "希望小学"}, "proceeds", "donation"),
]


@pytest.mark.parametrize(("case", "assets", "fields", "field", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_names_its_field_and_saves_nothing(world, setup, case, assets, fields, field, words):
    chosen = assets(world, setup)
    before = {a.pk: a.status for a in Asset.objects.all()}
    disposals_before = Disposal.objects.count()
    with pytest.raises(ValidationError) as refused:
        request(world, assets=chosen, **fields)
    messages = refused.value.message_dict
    assert field in messages, messages
    assert words in " ".join(messages[field])
    assert Disposal.objects.count() == disposals_before
    assert DisposalLine.objects.filter(pending=True).count() == disposals_before
    assert {a.pk: a.status for a in Asset.objects.all()} == before
    assert (
        not AssetEvent.objects.filter(kind=AssetEventKind.DISPOSAL_REQUESTED)
        .exclude(source_label__in=Disposal.objects.values("code"))
        .exists()
    )


def test_an_asset_awaiting_disposal_cannot_go_on_another(world, setup):
    first = _on_disposal(world, setup)
    with pytest.raises(ValidationError) as refused:
        request(world, assets=first)
    assert "awaits disposal" in " ".join(refused.value.message_dict["assets"])
    assert Disposal.objects.count() == 1
    number = numbering.allocate(world.org_a, "BF")
    assert number == "BF-2026-00002"  # the refused request's number was given back


@pytest.mark.parametrize("who", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE, Role.LEADER, Role.ORG_ADMIN])
def test_roles_without_the_right_cannot_request(world, setup, who):
    before = {a.pk: a.status for a in Asset.objects.all()}
    with pytest.raises(PermissionDenied):
        request(world, who, assets=[setup["pc"]])
    assert_nothing_saved(before)


def test_an_approver_the_org_names_who_cannot_read_disposals_still_decides(world, setup):
    admin = actor_of(world.member(Role.ORG_ADMIN))
    approvals.approval_rule_save(
        actor=admin, steps=[{"role": Role.DEPT_HEAD}], kind="assets.disposal", name="部门负责人审批"
    )
    disposal = request(world, assets=[setup["pc"]])
    decide(world.member(Role.DEPT_HEAD), approval_of(disposal))
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.DONE
    assert reread(setup["pc"]).status == AssetStatus.DISPOSED
    assert timezone.localdate() == disposal.done_on
