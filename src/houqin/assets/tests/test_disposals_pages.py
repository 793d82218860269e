"""Disposal pages and API by real HTTP requests: the whole flow with the default steps (the logistics head, then the
leader), who sees which disposals, the form, the card's button, printing, withdrawing, and equal query counts for
the list page and the list API at two sizes."""

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
from houqin.core.choices import Role
from houqin.core.models import ApprovalRequest
from houqin.core.tenancy import org_scope, scopes_disabled

from ..choices import AssetStatus, DisposalState
from ..models import Asset, Disposal, DisposalLine
from ..services.disposals import disposal_request
from .factories import category, make_asset

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, *args, org="org-a"):
    return reverse("assets:" + name, args=[org, *args])


def api(suffix="", org="org-a"):
    return "/api/v1/o/{}/assets/disposals/{}".format(org, suffix)


def send(client, address, data=None):
    return client.post(address, json.dumps(data or {}), content_type="application/json", **EN)


def reread(asset) -> Asset:
    with scopes_disabled():
        return Asset.objects.get(pk=asset.pk)


def only_disposal() -> Disposal:
    with scopes_disabled():
        return Disposal.objects.get()


def decide(client, approval, decision="approve", comment=""):
    return client.post(
        reverse("core:approval_decide", args=["org-a", approval.pk]), {"decision": decision, "comment": comment}
    )


def ask(world, assets, who=Role.ASSET_CLERK, **fields):
    values = {"method": "scrap", "reason": "无法修复", "proceeds": Decimal("0"), **fields}
    with org_scope(world.org_a):
        return disposal_request(actor=build_actor(world.member(who).user, world.org_a), assets=assets, **values)


def test_the_asset_clerk_disposes_by_http_and_the_logistics_head_then_the_leader_approve(world, login):
    pc = make_asset(world, name="台式计算机", status=AssetStatus.IDLE)
    client = login(world.member(Role.ASSET_CLERK))
    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk])).content.decode()
    assert 'data-testid="asset-dispose"' in card
    form = client.get(url("disposal_create") + "?ids={}".format(pc.pk)).content.decode()
    assert re.findall(r'data-testid="picked-asset" data-code="([^"]+)"', form) == [pc.code]
    response = client.post(
        url("disposal_create"),
        {"assets": [pc.pk], "method": "sale", "reason": "闲置多年", "proceeds": "150.00", "recipient": "城南旧货市场"},
    )
    disposal = only_disposal()
    assert response.status_code == 302 and response["Location"] == url("disposal_detail", disposal.pk)
    assert (disposal.state, disposal.method, disposal.proceeds) == (DisposalState.PENDING, "sale", Decimal("150.00"))
    assert reread(pc).status == AssetStatus.PENDING_DISPOSAL
    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk])).content.decode()
    assert 'data-testid="asset-disposal-pending"' in card and 'data-testid="asset-dispose"' not in card

    with scopes_disabled():
        approval = ApprovalRequest.objects.get(kind="assets.disposal")
    leader = login(world.member(Role.LEADER))
    assert decide(leader, approval).status_code == 400  # the logistics head decides first
    head = login(world.member(Role.LOGISTICS_HEAD))
    assert decide(head, approval).status_code == 302
    assert reread(pc).status == AssetStatus.PENDING_DISPOSAL
    leader = login(world.member(Role.LEADER))
    assert decide(leader, approval, comment="同意出售").status_code == 302

    disposal = only_disposal()
    assert disposal.state == DisposalState.DONE and disposal.done_on is not None
    gone = reread(pc)
    assert (gone.status, gone.left_on) == (AssetStatus.DISPOSED, disposal.done_on)
    detail = leader.get(url("disposal_detail", disposal.pk)).content.decode()
    assert re.findall(r'data-testid="approval-step" data-state="(\w+)"', detail) == ["approved", "approved"]
    card = leader.get(reverse("assets:asset_detail", args=["org-a", pc.pk])).content.decode()
    assert 'data-kind="disposed"' in card and url("disposal_detail", disposal.pk) in card
    assert 'data-testid="asset-dispose"' not in card


def test_the_form_reports_each_field_and_saves_nothing(world, login):
    pc = make_asset(world, name="台式计算机")
    client = login(world.member(Role.ASSET_CLERK))
    response = client.post(
        url("disposal_create"), {"codes": pc.code, "method": "donation", "reason": "", "proceeds": "-5"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    for field in ("reason", "proceeds", "recipient"):
        assert 'data-field-error="{}"'.format(field) in body, field
    assert re.findall(r'data-testid="picked-asset" data-code="([^"]+)"', body) == [pc.code]
    with scopes_disabled():
        assert not Disposal.objects.exists() and not DisposalLine.objects.exists()
    assert reread(pc).status == AssetStatus.IN_USE


@pytest.mark.parametrize("who", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE, Role.LEADER, Role.ORG_ADMIN, "bureau"])
def test_who_may_not_request_gets_403_and_no_button(world, login, who):
    membership = world.bureau_member if who == "bureau" else world.member(who)
    client = login(membership)
    pc = make_asset(world, name="台式计算机", custodian=world.member(Role.STAFF))
    assert client.get(url("disposal_create")).status_code == 403
    assert client.post(url("disposal_create"), {"assets": [pc.pk], "method": "scrap"}).status_code == 403
    assert send(client, api(), {"assets": [pc.pk], "method": "scrap", "reason": "x"}).status_code == 403
    card = client.get(reverse("assets:asset_detail", args=["org-a", pc.pk]))
    if card.status_code == 200:
        assert 'data-testid="asset-dispose"' not in card.content.decode()
    assert reread(pc).status == AssetStatus.IN_USE


@pytest.fixture
def disposals(world):
    return {
        "scrap": ask(world, [make_asset(world, name="旧打印机")]),
        "donation": ask(world, [make_asset(world, name="旧复印机")], method="donation", recipient="希望小学"),
    }


ALL = {"scrap", "donation"}
EXPECTED = [
    (Role.STAFF, set()),
    (Role.DEPT_HEAD, set()),
    (Role.TECHNICIAN, set()),
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


def listed(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'data-testid="disposal-row" data-code="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(w) for w, _e in EXPECTED])
def test_each_role_lists_opens_and_reads_by_api_exactly_their_disposals(world, login, disposals, who, expected):
    membership = world.bureau_member if who == "bureau" else world.member(who)
    client = login(membership)
    codes = {name: d.code for name, d in disposals.items()}
    wanted = {codes[n] for n in expected}
    if expected:
        assert listed(client.get(url("disposal_list"))) == wanted
        assert {row["code"] for row in client.get(api(), **EN).json()["results"]} == wanted
        assert {row[0] for row in exported(client.get(url("disposal_export")))[1:]} == wanted
    else:
        assert client.get(url("disposal_list")).status_code == 403
        assert client.get(url("disposal_export")).status_code == 403
        assert client.get(api(), **EN).status_code == 403
    for disposal in disposals.values():
        status = 200 if expected else 403
        assert client.get(url("disposal_detail", disposal.pk)).status_code == status
        assert client.get(url("disposal_print", disposal.pk)).status_code == status
        assert client.get(api("{}/".format(disposal.pk)), **EN).status_code == status


def test_the_list_filters_by_state_method_and_date(world, login, disposals):
    client = login(world.member(Role.LOGISTICS_HEAD))
    scrap, donation = disposals["scrap"].code, disposals["donation"].code
    assert listed(client.get(url("disposal_list") + "?state=pending")) == {scrap, donation}
    assert listed(client.get(url("disposal_list") + "?method=donation")) == {donation}
    assert listed(client.get(url("disposal_list") + "?state=done")) == set()
    assert listed(client.get(url("disposal_list") + "?end=2020-01-01")) == set()
    assert listed(client.get(url("disposal_list") + "?q={}".format(scrap))) == {scrap}


def test_withdraw_print_and_org_b(world, login, disposals):
    disposal = disposals["scrap"]
    head = login(world.member(Role.LOGISTICS_HEAD))
    assert head.post(url("disposal_withdraw", disposal.pk)).status_code == 403
    client = login(world.member(Role.ASSET_CLERK))
    printed = client.get(url("disposal_print", disposal.pk), **EN).content.decode()
    assert disposal.code in printed and printed.count("data-signature") == 4
    assert "Head of the organisation" in printed
    assert client.post(url("disposal_withdraw", disposal.pk)).status_code == 302
    with scopes_disabled():
        assert Disposal.objects.get(pk=disposal.pk).state == DisposalState.WITHDRAWN
        line = disposal.lines.get()
    assert reread(line.asset).status == AssetStatus.IN_USE
    other = login(world.member_b)
    assert other.get(url("disposal_detail", disposal.pk)).status_code == 404
    assert other.get(url("disposal_detail", disposal.pk, org="org-b")).status_code == 404
    assert other.get(api("{}/".format(disposal.pk), org="org-b"), **EN).status_code == 404


def test_api_requests_withdraws_and_refuses_field_by_field(world, login):
    pc = make_asset(world, name="台式计算机")
    client = login(world.member(Role.ASSET_CLERK))
    response = send(client, api(), {"assets": [pc.pk], "method": "sale", "reason": "x", "proceeds": "-1"})
    assert response.status_code == 400
    assert {"proceeds", "recipient"} <= set(response.json())
    assert send(client, api(), {"assets": [], "method": "scrap", "reason": "x"}).status_code == 400
    with scopes_disabled():
        assert not Disposal.objects.exists()
    response = send(client, api(), {"assets": [pc.pk], "method": "scrap", "reason": "主板烧毁", "proceeds": "20.00"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"].startswith("BF-") and data["state"] == "pending" and data["proceeds"] == "20.00"
    assert data["original_value"] == "6000.00"
    assert data["lines"][0]["status_before"] == "in_use"
    assert data["approval"]["state"] == "pending"
    response = send(client, api("{}/withdraw/".format(data["id"])))
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert reread(pc).status == AssetStatus.IN_USE


def bulk_disposals(world, n, start):
    with org_scope(world.org_a):
        cat = category("A0201")
        assets = Asset.objects.bulk_create(
            Asset(
                org=world.org_a,
                code="P-{:05d}".format(start + i),
                name="旧电脑{}".format(i),
                category=cat,
                original_value=Decimal("3000.00"),
                booked_on=date(2020, 1, 1),
                department=world.dept_a,
                status=AssetStatus.DISPOSED,
                left_on=date(2026, 1, 1),
            )
            for i in range(n)
        )
        disposals = Disposal.objects.bulk_create(
            Disposal(
                org=world.org_a,
                code="BF-2026-{:05d}".format(start + i),
                state=DisposalState.DONE,
                method="scrap",
                reason="报废",
                requested_by=world.member(Role.ASSET_CLERK),
                done_on=date(2026, 1, 1),
            )
            for i in range(n)
        )
        DisposalLine.objects.bulk_create(
            DisposalLine(org=world.org_a, disposal=d, asset=a, status_before="in_use", pending=False)
            for d, a in zip(disposals, assets, strict=True)
        )


def _count(client, address, pattern) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, **EN)
    assert response.status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    assert not [sql for sql in counts if "assets_" in sql], counts
    found = len(response.json()["results"]) if pattern is None else len(re.findall(pattern, response.content.decode()))
    return len(captured.captured_queries), found


def test_the_list_page_and_api_run_the_same_queries_for_10_and_120_disposals(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    client.get(url("disposal_list"))  # warm caches
    client.get(api())
    bulk_disposals(world, 10, 0)
    page_small = _count(client, url("disposal_list"), r'data-testid="disposal-row"')
    api_small = _count(client, api() + "?page_size=100", None)
    bulk_disposals(world, 110, 10)
    page_large = _count(client, url("disposal_list"), r'data-testid="disposal-row"')
    api_large = _count(client, api() + "?page_size=100", None)
    assert (page_small[1], page_large[1], api_small[1], api_large[1]) == (10, 50, 10, 100)
    assert page_small[0] == page_large[0]
    assert api_small[0] == api_large[0]
