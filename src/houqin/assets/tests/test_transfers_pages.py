"""Transfer pages and API by real HTTP requests: the whole flow with the default steps (the receiving department's
head, then the asset clerk), who sees which transfers, the form, the card's button, printing, withdrawing, and
equal query counts for the list page and the list API at two sizes."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.models import ApprovalRequest
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location, make_member

from ..choices import TransferState
from ..models import Asset, Transfer, TransferLine
from ..services.transfers import transfer_request
from .factories import category, make_asset

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, *args, org="org-a"):
    return reverse("assets:" + name, args=[org, *args])


def api(suffix="", org="org-a"):
    return "/api/v1/o/{}/assets/transfers/{}".format(org, suffix)


def send(client, address, data=None):
    return client.post(address, json.dumps(data or {}), content_type="application/json", **EN)


@pytest.fixture
def head_other(world):
    """The head of 语文组: the first approver of transfers into it."""
    return make_member(world.org_a, Role.DEPT_HEAD, department=world.dept_a_other, employee_no="H01")


@pytest.fixture
def room(world):
    return make_location(world.org_a, "202教室", "A1-202", LocationKind.ROOM, world.building_a)


def reread(asset) -> Asset:
    with scopes_disabled():
        return Asset.objects.get(pk=asset.pk)


def only_transfer() -> Transfer:
    with scopes_disabled():
        return Transfer.objects.get()


def approval_of(transfer) -> ApprovalRequest:
    with scopes_disabled():
        return ApprovalRequest.objects.get(object_id=transfer.pk, kind="assets.transfer")


def decide(client, approval, decision="approve", comment=""):
    return client.post(
        reverse("core:approval_decide", args=["org-a", approval.pk]), {"decision": decision, "comment": comment}
    )


# The whole flow by HTTP --------------------------------------------------------------------------


def test_a_department_head_transfers_by_http_and_the_receiving_head_then_the_asset_clerk_approve(
    world, login, head_other, room
):
    staff = world.member(Role.STAFF)
    pc = make_asset(world, name="台式计算机", custodian=staff)
    requester = world.member(Role.DEPT_HEAD)  # head of 总务处, the sending department
    client = login(requester)

    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk]))
    assert 'data-testid="asset-transfer"' in card.content.decode()
    form = client.get(url("transfer_create") + "?ids={}".format(pc.pk))
    assert re.findall(r'data-testid="picked-asset" data-code="([^"]+)"', form.content.decode()) == [pc.code]
    response = client.post(
        url("transfer_create"),
        {
            "assets": [pc.pk],
            "to_department": world.dept_a_other.pk,
            "to_location": room.pk,
            "to_custodian": world.member("outsider").pk,
            "reason": "语文组新办公室",
        },
    )
    transfer = only_transfer()
    assert response.status_code == 302 and response["Location"] == url("transfer_detail", transfer.pk)
    assert transfer.state == TransferState.PENDING
    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk])).content.decode()
    assert 'data-testid="asset-transfer-pending"' in card and 'data-testid="asset-transfer"' not in card

    approval = approval_of(transfer)
    detail = client.get(url("transfer_detail", transfer.pk)).content.decode()
    assert re.findall(r'data-testid="approval-step" data-state="(\w+)"', detail) == ["pending", "waiting"]
    # The receiving head (who decides) gets the link to the approval; the steps are on the page for everyone.
    approval_link = reverse("core:approval_detail", args=["org-a", approval.pk])
    assert approval_link in login(head_other).get(url("transfer_detail", transfer.pk)).content.decode()
    client = login(requester)
    # Neither the requester nor the asset clerk (whose step comes second) can decide now: for them the approval
    # is not even there to open.
    assert decide(client, approval).status_code == 404
    assert decide(login(world.member(Role.ASSET_CLERK)), approval).status_code == 404
    assert decide(login(head_other), approval).status_code == 302
    assert reread(pc).department == world.dept_a  # not yet
    assert decide(login(world.member(Role.ASSET_CLERK)), approval, comment="已核对").status_code == 302

    transfer = only_transfer()
    assert transfer.state == TransferState.DONE
    moved = reread(pc)
    assert (moved.department, moved.location, moved.custodian) == (
        world.dept_a_other,
        room,
        world.member("outsider"),
    )
    # The card's chain shows the transfer, linked to it; the transfer page shows both approvals.
    card = login(world.member(Role.ASSET_CLERK)).get(reverse("assets:asset_detail", args=["org-a", pc.pk]))
    body = card.content.decode()
    assert 'data-kind="transferred"' in body and url("transfer_detail", transfer.pk) in body
    detail = client.get(url("transfer_detail", transfer.pk)).content.decode()
    assert re.findall(r'data-testid="approval-step" data-state="(\w+)"', detail) == ["approved", "approved"]
    assert 'data-state="done"' in detail


def test_the_form_reports_each_field_and_saves_nothing(world, login, head_other):
    client = login(world.member(Role.ASSET_CLERK))
    pc = make_asset(world, name="台式计算机")
    response = client.post(url("transfer_create"), {"codes": "NOPE-1 {}".format(pc.code.lower()), "reason": ""})
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("codes", "to_department", "reason"):
        assert 'data-field-error="{}"'.format(field) in body, field
    assert "NOPE-1" in body
    # The typed code that exists (in another case) is kept on the form as a ticked asset.
    assert re.findall(r'data-testid="picked-asset" data-code="([^"]+)"', body) == [pc.code]
    with scopes_disabled():
        assert not Transfer.objects.exists() and not TransferLine.objects.exists()


def test_assets_typed_by_code_and_a_service_refusal_shown_on_the_assets(world, login, head_other):
    pc = make_asset(world, name="台式计算机")
    piano = make_asset(world, name="钢琴", department=world.dept_a_other)
    client = login(world.member(Role.LOGISTICS_HEAD))
    data = {"codes": "{}\n{}".format(pc.code, piano.code), "to_department": world.dept_a_child.pk, "reason": "x"}
    body = client.post(url("transfer_create"), data).content.decode()
    assert 'data-field-error="assets"' in body  # two departments
    with scopes_disabled():
        assert not Transfer.objects.exists()


@pytest.mark.parametrize("who", [Role.STAFF, Role.FINANCE, Role.ORG_ADMIN, "bureau"])
def test_who_may_not_request_gets_403_and_no_button(world, login, who):
    membership = world.bureau_member if who == "bureau" else world.member(who)
    client = login(membership)
    pc = make_asset(world, name="台式计算机", custodian=world.member(Role.STAFF))
    assert client.get(url("transfer_create")).status_code == 403
    assert client.post(url("transfer_create"), {"assets": [pc.pk]}).status_code == 403
    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk]))
    if card.status_code == 200:
        assert 'data-testid="asset-transfer"' not in card.content.decode()


def test_the_requester_withdraws_by_http_and_others_are_refused(world, login, head_other):
    pc = make_asset(world, name="台式计算机")
    with org_scope(world.org_a):
        transfer = transfer_request(
            actor=build_actor(world.member(Role.LOGISTICS_HEAD).user, world.org_a),
            assets=[pc],
            to_department=world.dept_a_other,
            reason="调往语文组",
        )
    clerk = login(world.member(Role.ASSET_CLERK))
    assert 'data-testid="transfer-withdraw"' not in clerk.get(url("transfer_detail", transfer.pk)).content.decode()
    assert clerk.post(url("transfer_withdraw", transfer.pk)).status_code == 403
    client = login(world.member(Role.LOGISTICS_HEAD))
    assert 'data-testid="transfer-withdraw"' in client.get(url("transfer_detail", transfer.pk)).content.decode()
    assert client.post(url("transfer_withdraw", transfer.pk)).status_code == 302
    assert only_transfer().state == TransferState.WITHDRAWN
    assert client.get(url("transfer_withdraw", transfer.pk)).status_code == 405


def test_the_printed_form_has_the_lines_and_four_signatures(world, login, head_other):
    pc = make_asset(world, name="台式计算机", custodian=world.member(Role.STAFF))
    with org_scope(world.org_a):
        transfer = transfer_request(
            actor=build_actor(world.member(Role.LOGISTICS_HEAD).user, world.org_a),
            assets=[pc],
            to_department=world.dept_a_other,
            reason="调往语文组",
        )
    response = login(world.member(Role.ASSET_CLERK)).get(url("transfer_print", transfer.pk), **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert transfer.code in body and pc.code in body and world.member(Role.STAFF).user.name in body
    assert body.count("data-signature") == 4
    for label in ("Head of the sending department", "Head of the receiving department", "Asset clerk", "Handled by"):
        assert label in body


# Who sees which transfers ------------------------------------------------------------------------


@pytest.fixture
def transfers(world, head_other):
    """ "out": 总务处 → 语文组, asked by the head of 总务处; "inside": within 语文组 to a new custodian, asked by
    the logistics head."""
    pc = make_asset(world, name="台式计算机")
    piano = make_asset(world, name="钢琴", department=world.dept_a_other, location=None)
    with org_scope(world.org_a):

        def ask(who, assets, **fields):
            actor = build_actor(world.member(who).user, world.org_a)
            return transfer_request(actor=actor, assets=assets, reason="调整", **fields)

        return {
            "out": ask(Role.DEPT_HEAD, [pc], to_department=world.dept_a_other),
            "inside": ask(
                Role.LOGISTICS_HEAD, [piano], to_department=world.dept_a_other, to_custodian=world.member("outsider")
            ),
        }


ALL = {"out", "inside"}
EXPECTED = [
    (Role.STAFF, set()),
    ("outsider", set()),  # the new custodian follows it on their home page's notification, not here
    (Role.TECHNICIAN, set()),
    (Role.DEPT_HEAD, {"out"}),  # asked by them, out of their department
    ("head_other", ALL),  # into and within 语文组
    (Role.ASSET_CLERK, ALL),
    (Role.LOGISTICS_HEAD, ALL),
    (Role.LEADER, ALL),
    (Role.FINANCE, ALL),
    (Role.ORG_ADMIN, ALL),
    ("bureau", ALL),
]


def exported(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_the_export_has_a_line_per_asset_and_escapes_formulas(world, login, head_other):
    pc = make_asset(world, name='=HYPERLINK("http://evil")', custodian=world.member(Role.STAFF))
    desk = make_asset(world, name="办公桌", value="1500.00")
    with org_scope(world.org_a):
        transfer = transfer_request(
            actor=build_actor(world.member(Role.LOGISTICS_HEAD).user, world.org_a),
            assets=[pc, desk],
            to_department=world.dept_a_other,
            reason="调往语文组",
        )
    rows = exported(login(world.member(Role.ASSET_CLERK)).get(url("transfer_export") + "?state=pending"))
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        (transfer.code, "总务处", "语文组", pc.code),
        (transfer.code, "总务处", "语文组", desk.code),
    ]
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[2][6] == pytest.approx(1500)
    assert rows[1][8] == world.member(Role.STAFF).user.name


def listed(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'data-testid="transfer-row" data-code="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(w) for w, _e in EXPECTED])
def test_each_role_lists_opens_and_reads_by_api_exactly_their_transfers(
    world, login, head_other, transfers, who, expected
):
    membership = {"bureau": world.bureau_member, "head_other": head_other}.get(who) or world.member(who)
    client = login(membership)
    codes = {name: t.code for name, t in transfers.items()}
    assert listed(client.get(url("transfer_list"))) == {codes[n] for n in expected}
    response = client.get(api(), **EN)
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == {codes[n] for n in expected}
    assert {row[0] for row in exported(client.get(url("transfer_export")))[1:]} == {codes[n] for n in expected}
    for name, transfer in transfers.items():
        status = 200 if name in expected else 404
        assert client.get(url("transfer_detail", transfer.pk)).status_code == status, name
        assert client.get(url("transfer_print", transfer.pk)).status_code == status, name
        assert client.get(api("{}/".format(transfer.pk)), **EN).status_code == status, name


def test_the_list_filters_by_state_department_and_date(world, login, transfers):
    client = login(world.member(Role.ASSET_CLERK))
    out, inside = transfers["out"].code, transfers["inside"].code
    assert listed(client.get(url("transfer_list") + "?state=pending")) == {out, inside}
    assert listed(client.get(url("transfer_list") + "?state=done")) == set()
    assert listed(client.get(url("transfer_list") + "?department={}".format(world.dept_a.pk))) == {out}
    assert listed(client.get(url("transfer_list") + "?q={}".format(inside))) == {inside}
    assert listed(client.get(url("transfer_list") + "?end=2020-01-01")) == set()
    assert listed(client.get(url("transfer_list") + "?start={}".format(date.today().isoformat()))) == {out, inside}


def test_org_b_reaches_nothing(world, login, transfers):
    client = login(world.member_b)
    for transfer in transfers.values():
        assert client.get(url("transfer_detail", transfer.pk)).status_code == 404
        assert client.get(url("transfer_detail", transfer.pk, org="org-b")).status_code == 404
        assert client.get(api("{}/".format(transfer.pk), org="org-b"), **EN).status_code == 404
    assert listed(client.get(url("transfer_list", org="org-b"))) == set()


# API --------------------------------------------------------------------------------------------


def test_api_requests_withdraws_and_refuses_field_by_field(world, login, head_other):
    pc = make_asset(world, name="台式计算机", custodian=world.member(Role.STAFF))
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = send(client, api(), {"assets": [pc.pk], "to_department": world.dept_b.pk, "reason": ""})
    assert response.status_code == 400
    assert {"to_department", "reason"} <= set(response.json())
    response = send(client, api(), {"assets": [pc.pk, 999999], "to_department": world.dept_a_other.pk, "reason": "x"})
    assert response.status_code == 400 and "999999" in json.dumps(response.json())
    response = send(client, api(), {"assets": [pc.pk], "to_department": world.dept_a.pk, "reason": "x"})
    assert response.status_code == 400 and "Nothing would change" in json.dumps(response.json())
    with scopes_disabled():
        assert not Transfer.objects.exists()

    response = send(client, api(), {"assets": [pc.pk], "to_department": world.dept_a_other.pk, "reason": "调往语文组"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"].startswith("DB-") and data["state"] == "pending"
    assert data["from_department"]["id"] == world.dept_a.pk and data["to_department"]["id"] == world.dept_a_other.pk
    assert data["lines"][0]["asset"]["code"] == pc.code
    assert data["lines"][0]["from_custodian"]["name"] == world.member(Role.STAFF).user.name
    assert data["approval"]["state"] == "pending" and data["approval"]["current_step"] == 1

    clerk = login(world.member(Role.ASSET_CLERK))
    assert send(clerk, api("{}/withdraw/".format(data["id"]))).status_code == 403
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = send(client, api("{}/withdraw/".format(data["id"])))
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert response.json()["approval"]["state"] == "withdrawn"
    response = send(client, api("{}/withdraw/".format(data["id"])))
    assert response.status_code == 400


@pytest.mark.parametrize("who", [Role.STAFF, Role.FINANCE, Role.ORG_ADMIN])
def test_api_refuses_roles_without_the_right(world, login, who):
    pc = make_asset(world, name="台式计算机")
    response = send(
        login(world.member(who)), api(), {"assets": [pc.pk], "to_department": world.dept_a_other.pk, "reason": "x"}
    )
    assert response.status_code == 403


# Query counts -----------------------------------------------------------------------------------


def bulk_transfers(world, n, start):
    """``n`` transfers of one asset each, 总务处 → 语文组, asked by the logistics head, already done."""
    with org_scope(world.org_a):
        cat = category("A0201")
        assets = Asset.objects.bulk_create(
            Asset(
                org=world.org_a,
                code="Q-{:05d}".format(start + i),
                name="课桌{}".format(i),
                category=cat,
                original_value=Decimal("1200.00"),
                booked_on=date(2026, 1, 1),
                department=world.dept_a_other,
                location=world.room_a,
                building=world.building_a,
                custodian=world.member(Role.STAFF),
            )
            for i in range(n)
        )
        transfers = Transfer.objects.bulk_create(
            Transfer(
                org=world.org_a,
                code="DB-2026-{:05d}".format(start + i),
                state=TransferState.DONE,
                from_department=world.dept_a,
                to_department=world.dept_a_other,
                to_custodian=world.member("outsider"),
                reason="调整",
                requested_by=world.member(Role.LOGISTICS_HEAD),
            )
            for i in range(n)
        )
        TransferLine.objects.bulk_create(
            TransferLine(
                org=world.org_a,
                transfer=t,
                asset=a,
                from_location=world.room_a,
                from_custodian=world.member(Role.STAFF),
                pending=False,
            )
            for t, a in zip(transfers, assets, strict=True)
        )


def _count(client, address, pattern) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, **EN)
    assert response.status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    assert not [sql for sql in counts if "assets_" in sql], counts  # lists never count the table
    body = response.content.decode()
    found = len(response.json()["results"]) if pattern is None else len(re.findall(pattern, body))
    return len(captured.captured_queries), found


@pytest.mark.parametrize("role", [Role.ASSET_CLERK, Role.DEPT_HEAD])
def test_the_list_page_and_api_run_the_same_queries_for_10_and_120_transfers(world, login, role):
    client = login(world.member(role))
    client.get(url("transfer_list"))  # warm caches
    client.get(api())
    bulk_transfers(world, 10, 0)
    page_small = _count(client, url("transfer_list"), r'data-testid="transfer-row"')
    api_small = _count(client, api() + "?page_size=100", None)
    bulk_transfers(world, 110, 10)
    page_large = _count(client, url("transfer_list"), r'data-testid="transfer-row"')
    api_large = _count(client, api() + "?page_size=100", None)
    assert (page_small[1], page_large[1]) == (10, 50)
    assert (api_small[1], api_large[1]) == (10, 100)
    assert page_small[0] == page_large[0]
    assert api_small[0] == api_large[0]
