"""Transfer services (调拨): the request and each refusal (nothing half saved), the default approval steps (the
receiving department's head, then the asset clerk), what approval, rejection and withdrawal do to the assets."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from houqin.core import approvals, numbering
from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.models import ApprovalRequest, ApprovalState, Notification, StepState
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import make_department, make_location, make_member

from ..choices import AssetEventKind, AssetStatus, TransferState
from ..models import Asset, AssetEvent, Disposal, DisposalLine, Transfer, TransferLine
from ..services.transfers import transfer_request, transfer_withdraw
from .factories import make_asset


@pytest.fixture
def scope(world):
    with org_scope(world.org_a), translation.override("en"):
        yield


@pytest.fixture
def setup(world, scope):
    """Two computers of 总务处 in 101教室 kept by the staff member; 语文组 gets a head (its transfers' first
    approver) and a room 202."""
    head = make_member(world.org_a, Role.DEPT_HEAD, department=world.dept_a_other, employee_no="H01")
    room = make_location(world.org_a, "202教室", "A1-202", LocationKind.ROOM, world.building_a)
    staff = world.member(Role.STAFF)
    return {
        "head": head,
        "room": room,
        "pc": make_asset(world, name="台式计算机", custodian=staff),
        "projector": make_asset(world, name="投影仪", custodian=staff, value="3000.00"),
    }


def actor_of(who):
    return build_actor(who.user, who.org)


def request(world, who=Role.LOGISTICS_HEAD, assets=(), **fields):
    membership = world.member(who) if isinstance(who, str) else who
    values = {"to_department": world.dept_a_other, "reason": "语文组新办公室", **fields}
    return transfer_request(actor=actor_of(membership), assets=list(assets), **values)


def decide(who, approval, approve=True, comment=""):
    return approvals.approval_decide(actor=actor_of(who), request=approval, approve=approve, comment=comment)


def approval_of(transfer) -> ApprovalRequest:
    return ApprovalRequest.objects.filter(object_id=transfer.pk, kind="assets.transfer").latest("pk")


def reread(asset) -> Asset:
    return Asset.objects.get(pk=asset.pk)


def assert_nothing_saved():
    assert not Transfer.objects.exists()
    assert not TransferLine.objects.exists()
    assert not ApprovalRequest.objects.filter(kind="assets.transfer").exists()


# The whole flow ----------------------------------------------------------------------------------


def test_request_waits_for_the_receiving_head_then_the_asset_clerk_and_then_moves_the_assets(world, setup):
    staff, outsider = world.member(Role.STAFF), world.member("outsider")
    pc, projector, room = setup["pc"], setup["projector"], setup["room"]
    transfer = request(world, assets=[pc, projector], to_location=room, to_custodian=outsider)

    assert transfer.code == "DB-{}-00001".format(timezone.localdate().year)
    assert (transfer.state, transfer.from_department, transfer.to_department) == (
        TransferState.PENDING,
        world.dept_a,
        world.dept_a_other,
    )
    lines = list(transfer.lines.order_by("pk"))
    assert [(line.asset, line.from_location, line.from_custodian, line.pending) for line in lines] == [
        (pc, world.room_a, staff, True),
        (projector, world.room_a, staff, True),
    ]
    approval = approval_of(transfer)
    assert approval.amount == pc.original_value + projector.original_value
    assert approval.department == world.dept_a_other
    assert [(s.role, s.department_id, s.state) for s in approval.steps.order_by("order")] == [
        (Role.DEPT_HEAD, world.dept_a_other.pk, StepState.PENDING),
        (Role.ASSET_CLERK, None, StepState.WAITING),
    ]
    # The sending department's head is not the approver: the receiving one is.
    with pytest.raises(ValidationError, match="waits for"):
        decide(world.member(Role.DEPT_HEAD), approval)
    assert reread(pc).department == world.dept_a  # nothing moves before the approval

    decide(setup["head"], approval)
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.PENDING
    decide(world.member(Role.ASSET_CLERK), approval, comment="已核对")

    transfer.refresh_from_db()
    assert transfer.state == TransferState.DONE and transfer.done_at is not None
    for asset in (pc, projector):
        moved = reread(asset)
        assert (moved.department, moved.location, moved.building, moved.custodian) == (
            world.dept_a_other,
            room,
            world.building_a,
            outsider,
        )
        event = AssetEvent.objects.get(asset=asset, kind=AssetEventKind.TRANSFERRED)
        assert event.source_label == transfer.code
        assert event.source_url == "/o/org-a/assets/transfers/{}/".format(transfer.pk)
        assert event.actor == world.member(Role.ASSET_CLERK).user
        assert "总务处 → 语文组" in event.note and "202教室" in event.note
    assert not TransferLine.objects.filter(pending=True).exists()
    history = TransferLine.history.filter(asset_id=pc.pk).order_by("history_id")
    assert [(h.history_type, h.pending, h.history_user) for h in history] == [
        ("+", True, world.member(Role.LOGISTICS_HEAD).user),
        ("~", False, world.member(Role.ASSET_CLERK).user),
    ]
    assert Notification.objects.filter(recipient=outsider.user, event="assets.transfer.done").exists()
    # The card's chain keeps both ends: the line has where it was, the event where it went.
    assert TransferLine.objects.get(asset=pc).from_location == world.room_a


def test_a_rejection_leaves_the_assets_and_frees_them_for_another_transfer(world, setup):
    pc = setup["pc"]
    transfer = request(world, assets=[pc])
    approval = approval_of(transfer)
    with pytest.raises(ValidationError):
        decide(setup["head"], approval, approve=False)  # a reason is required
    decide(setup["head"], approval, approve=False, comment="语文组无空位")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.REJECTED and transfer.done_at is None
    assert reread(pc).department == world.dept_a
    assert not TransferLine.objects.filter(pending=True).exists()
    assert not AssetEvent.objects.filter(kind=AssetEventKind.TRANSFERRED).exists()
    again = request(world, assets=[pc], reason="再次申请")
    assert again.state == TransferState.PENDING


def test_the_requester_withdraws_through_the_approval_and_nobody_else_can(world, setup):
    pc = setup["pc"]
    transfer = request(world, assets=[pc])
    with pytest.raises(PermissionDenied):
        transfer_withdraw(actor=actor_of(world.member(Role.ASSET_CLERK)), transfer=transfer)
    transfer_withdraw(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.WITHDRAWN
    assert approval_of(transfer).state == ApprovalState.WITHDRAWN
    assert not TransferLine.objects.filter(pending=True).exists()
    with pytest.raises(ValidationError, match="not possible"):
        transfer_withdraw(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), transfer=transfer)


def test_an_org_with_its_own_transfer_rules_follows_them(world, setup):
    admin = actor_of(world.member(Role.ORG_ADMIN))
    approvals.approval_rule_save(
        actor=admin, steps=[{"role": Role.LEADER}], kind="assets.transfer", name="大额调拨", min_amount=100000
    )
    transfer = request(world, assets=[setup["pc"]])  # 6,000 yuan: no rule matches, approved at once
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DONE
    assert reread(setup["pc"]).department == world.dept_a_other


# Nobody approves their own request ---------------------------------------------------------------


def test_the_asset_clerks_own_default_step_is_theirs_by_requesting(world, setup):
    # The clerk asks: only the receiving department's head decides (the clerk's default step is dropped).
    transfer = request(world, Role.ASSET_CLERK, assets=[setup["pc"]], to_department=world.dept_a_child)
    approval = approval_of(transfer)
    assert [(s.order, s.role) for s in approval.steps.order_by("order")] == [(1, Role.DEPT_HEAD)]
    decide(world.member(Role.DEPT_HEAD), approval)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.DONE


def test_a_department_head_moving_assets_inside_their_own_department_leaves_it_to_the_clerk(world, setup):
    # 总务处 → 维修组 (below it): the receiving head would be the requester, so the asset clerk alone decides.
    transfer = request(world, Role.DEPT_HEAD, assets=[setup["pc"]], to_department=world.dept_a_child)
    approval = approval_of(transfer)
    assert [(s.order, s.role) for s in approval.steps.order_by("order")] == [(1, Role.ASSET_CLERK)]


def test_a_department_head_requests_for_their_own_department(world, setup):
    transfer = request(world, Role.DEPT_HEAD, assets=[setup["pc"]])
    assert transfer.requested_by == world.member(Role.DEPT_HEAD)


# Refusals: field by field, nothing saved ---------------------------------------------------------


def _lent(world, setup):
    Asset.objects.filter(pk=setup["pc"].pk).update(status=AssetStatus.LENT)
    return [reread(setup["pc"])]


def _gone(world, setup):
    Asset.objects.filter(pk=setup["pc"].pk).update(status=AssetStatus.DISPOSED, left_on=date(2026, 2, 1))
    return [reread(setup["pc"])]


def _pending_disposal(world, setup):
    disposal = Disposal.objects.create(
        org=world.org_a, code="BF-1", method="scrap", reason="坏", requested_by=world.member(Role.ASSET_CLERK)
    )
    DisposalLine.objects.create(org=world.org_a, disposal=disposal, asset=setup["pc"], status_before="in_use")
    Asset.objects.filter(pk=setup["pc"].pk).update(status=AssetStatus.PENDING_DISPOSAL)
    return [reread(setup["pc"])]


def _two_departments(world, setup):
    return [setup["pc"], make_asset(world, name="钢琴", department=world.dept_a_other)]


def _other_department_for_head(world, setup):
    return [make_asset(world, name="钢琴", department=world.dept_a_other)]


REFUSALS = [
    # (case, who, assets, fields, the field refused, words of the message)
    ("no assets", Role.LOGISTICS_HEAD, lambda w, s: [], {}, "assets", "at least one"),
    ("two departments", Role.LOGISTICS_HEAD, _two_departments, {}, "assets", "one department"),
    ("lent", Role.LOGISTICS_HEAD, _lent, {}, "assets", "lent out"),
    ("gone", Role.LOGISTICS_HEAD, _gone, {}, "assets", "left the books"),
    ("pending disposal", Role.LOGISTICS_HEAD, _pending_disposal, {}, "assets", "awaits disposal"),
    ("not their department", Role.DEPT_HEAD, _other_department_for_head, {}, "assets", "your own department"),
    ("no reason", Role.LOGISTICS_HEAD, lambda w, s: [s["pc"]], {"reason": "  "}, "reason", "reason"),
    ("no department", Role.LOGISTICS_HEAD, lambda w, s: [s["pc"]], {"to_department": None}, "to_department", ""),
    (
        "nothing changes",
        Role.LOGISTICS_HEAD,
        lambda w, s: [s["pc"]],
        {"to_department": "dept_a", "to_location": "room_a"},
        "to_department",
        "Nothing would change",
    ),
    (
        "other org's place",
        Role.LOGISTICS_HEAD,
        lambda w, s: [s["pc"]],
        {"to_location": "room_b"},
        "to_location",
        "this organisation",
    ),
    (
        "retired department",
        Role.LOGISTICS_HEAD,
        lambda w, s: [s["pc"]],
        {"to_department": "retired"},
        "to_department",
        "no longer in use",
    ),
]


@pytest.mark.parametrize(("case", "who", "assets", "fields", "field", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_names_its_field_and_saves_nothing(world, setup, case, who, assets, fields, field, words):
    chosen = assets(world, setup)
    if "retired" in fields.values():
        retired = make_department(world.org_a, "旧教研室", "JYS")
        type(retired).objects.filter(pk=retired.pk).update(is_active=False)
        retired.refresh_from_db()
    values = {}
    for name, value in fields.items():
        if value == "retired":
            value = retired
        elif isinstance(value, str) and hasattr(world, value):
            value = getattr(world, value)
        values[name] = value
    before = {a.pk: (a.department_id, a.location_id, a.status) for a in Asset.objects.all()}
    with pytest.raises(ValidationError) as refused:
        request(world, who, assets=chosen, **values)
    messages = refused.value.message_dict
    assert field in messages, messages
    assert words in " ".join(messages[field])
    assert_nothing_saved()
    assert {a.pk: (a.department_id, a.location_id, a.status) for a in Asset.objects.all()} == before
    assert numbering.allocate(world.org_a, "DB").endswith("-00001")  # the number was given back


def test_an_asset_on_a_pending_transfer_cannot_go_on_another(world, setup):
    first = request(world, assets=[setup["pc"]])
    with pytest.raises(ValidationError) as refused:
        request(world, assets=[setup["pc"], setup["projector"]], to_department=world.dept_a_child)
    assert "already on transfer {}".format(first.code) in " ".join(refused.value.message_dict["assets"])
    assert Transfer.objects.count() == 1 and TransferLine.objects.count() == 1


def test_several_refusals_are_reported_at_once(world, setup):
    _lent(world, setup)
    with pytest.raises(ValidationError) as refused:
        request(world, assets=[reread(setup["pc"])], reason="", to_location=world.room_b)
    assert set(refused.value.message_dict) >= {"assets", "reason", "to_location"}


@pytest.mark.parametrize("who", [Role.STAFF, Role.FINANCE, Role.LEADER, Role.ORG_ADMIN, Role.TECHNICIAN])
def test_roles_without_the_right_cannot_request(world, setup, who):
    with pytest.raises(PermissionDenied):
        request(world, who, assets=[setup["pc"]])
    assert_nothing_saved()


def test_a_bureau_reader_cannot_request(world, setup):
    actor = build_actor(world.bureau_member.user, world.org_a)
    with pytest.raises(PermissionDenied):
        transfer_request(actor=actor, assets=[setup["pc"]], to_department=world.dept_a_other, reason="x")
