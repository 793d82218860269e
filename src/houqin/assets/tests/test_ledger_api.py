"""The ledger's API: the same scopes, filters and services as the pages; bounded lists."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.factories import PASSWORD

from ..api.assets import AssetSerializer
from ..models import Asset, AssetEvent
from .test_ledger_pages import EXPECTED, bulk_assets, member
from .test_ledger_pages import assets as assets

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ASSETS = "/api/v1/o/{}/assets/assets/"


def api(suffix: str = "", org: str = "org-a") -> str:
    return ASSETS.format(org) + suffix


def token_client(membership) -> Client:
    response = Client().post("/api/v1/auth/token/", {"username": membership.user.phone, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return Client(HTTP_AUTHORIZATION="Token " + response.json()["token"])


def send(client, address, data, *, method="post"):
    return getattr(client, method)(address, json.dumps(data), content_type="application/json", **EN)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(who) for who, _e in EXPECTED])
def test_each_person_reads_exactly_their_assets(world, login, assets, who, expected):
    client = login(member(world, who))
    wanted = {assets[name].code for name in expected}
    assert codes(client.get(api())) == wanted
    for name, asset in assets.items():
        assert client.get(api("{}/".format(asset.pk))).status_code == (200 if name in expected else 404), name


def test_org_b_reads_nothing_of_org_a(world, login, assets):
    client = login(world.member_b)
    assert client.get(api()).status_code == 404
    assert codes(client.get(api(org="org-b"))) == set()
    for asset in assets.values():
        assert client.get(api("{}/".format(asset.pk), org="org-b")).status_code == 404


def test_filters_are_the_pages(world, login, assets):
    client = login(world.member(Role.ASSET_CLERK))
    assert codes(client.get(api(), {"department": world.dept_a.pk})) == {assets["kept"].code, assets["used"].code}
    assert codes(client.get(api(), {"q": "钢琴"})) == {assets["outsider"].code}
    assert codes(client.get(api(), {"custodian": world.member(Role.STAFF).pk})) == {assets["kept"].code}


def test_a_row_names_exactly_the_documented_fields(world, login, assets):
    client = login(world.member(Role.ASSET_CLERK))
    row = client.get(api()).json()["results"][0]
    assert set(row) == set(AssetSerializer().fields)
    detail = client.get(api("{}/".format(assets["kept"].pk))).json()
    assert detail["custodian"]["name"] == world.member(Role.STAFF).user.name
    assert detail["original_value"] == "6000.00"
    assert detail["building"]["id"] == world.building_a.pk


def _payload(world, **changes):
    return {
        "name": "显微镜",
        "category": "A0201",
        "original_value": "3200.00",
        "booked_on": "2026-02-01",
        "department": world.dept_a.pk,
        "location": world.room_a.pk,
        **changes,
    }


def test_the_clerk_registers_and_corrects(world):
    client = token_client(world.member(Role.ASSET_CLERK))
    response = send(client, api(), _payload(world, custodian=world.member(Role.STAFF).pk))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"].startswith("ZC-") and data["low_value"] is False
    assert data["building"]["id"] == world.building_a.pk
    response = send(client, api("{}/".format(data["id"])), {"name": "生物显微镜"}, method="patch")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "生物显微镜"
    with scopes_disabled():
        kinds = list(AssetEvent.objects.filter(asset_id=data["id"]).values_list("kind", flat=True))
    assert kinds == ["registered", "changed"]


def test_bad_input_is_400_field_by_field_and_saves_nothing(world):
    client = token_client(world.member(Role.ASSET_CLERK))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = send(
        client,
        api(),
        _payload(world, original_value="-10.00", purchase_date=tomorrow, department=world.dept_b.pk),
    )
    assert response.status_code == 400
    errors = response.json()
    assert "department" in str(errors)  # org B's department is "not found" here
    response = send(client, api(), _payload(world, original_value="-10.00", purchase_date=tomorrow))
    assert response.status_code == 400, response.content
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "The value cannot be negative." in body
    assert "The purchase date cannot be in the future." in body
    with scopes_disabled():
        assert not Asset.objects.exists()


@pytest.mark.parametrize("who", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE])
def test_readers_write_nothing(world, assets, who):
    client = token_client(world.member(who))
    assert send(client, api(), _payload(world)).status_code == 403
    asset = assets["kept"]
    response = send(client, api("{}/".format(asset.pk)), {"name": "x"}, method="patch")
    assert response.status_code in (403, 404)
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).name == "投影仪"


def test_the_bureau_writes_nothing(world, login, assets):
    client = login(world.bureau_member)
    assert send(client, api(), _payload(world)).status_code == 403


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(api(), {"page_size": 200, "q": "课桌"})
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    return len(captured.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("role", [Role.ASSET_CLERK, Role.STAFF])
def test_the_list_runs_the_same_queries_for_10_and_500_assets(world, role):
    client = token_client(world.member(role))
    client.get(api())  # warm caches
    bulk_assets(world, 10, 0)
    small, listed_small = _list_queries(client)
    bulk_assets(world, 490, 10)
    large, listed_large = _list_queries(client)
    assert (listed_small, listed_large) == {Role.ASSET_CLERK: (10, 200), Role.STAFF: (5, 200)}[role]
    assert small == large
