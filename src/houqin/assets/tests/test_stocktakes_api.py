"""Stocktake API: reading with counts per result, opening, the one-open-per-scope refusal, closing (twice), cancelling,
the read-only lines, who may do what."""

from __future__ import annotations

import pytest

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled

from ..choices import AssetStatus, CountResult, StocktakeScope
from ..models import Asset, Stocktake
from ..services.stocktakes import stocktake_count, stocktake_open
from .factories import make_asset

API = "/api/v1/o/org-a/assets/"


def actor_of(membership):
    return build_actor(membership.user, membership.org)


@pytest.fixture
def assets(world):
    return [make_asset(world, name="计算机{}".format(i)) for i in range(3)]


@pytest.fixture
def stocktake(world, assets):
    clerk = actor_of(world.member(Role.ASSET_CLERK))
    with org_scope(world.org_a):
        stocktake = stocktake_open(
            actor=clerk, name="总务处盘点", scope=StocktakeScope.DEPARTMENT, department=world.dept_a
        )
        stocktake_count(actor=clerk, line_or_stocktake=stocktake, asset=assets[0], found_location=world.room_a)
    return stocktake


def test_list_and_retrieve_carry_the_counts(world, login, stocktake):
    client = login(world.member(Role.ASSET_CLERK))
    listed = client.get(API + "stocktakes/").json()["results"]
    assert [row["code"] for row in listed] == [stocktake.code]
    row = client.get(API + "stocktakes/{}/".format(stocktake.pk)).json()
    assert row["counts"] == {
        "listed": 3,
        "counted": 1,
        "percent": 33,
        "by_result": {"pending": 2, "found": 1, "wrong_location": 0, "missing": 0, "surplus": 0},
    }
    assert (row["scope"], row["department"]["id"], row["state"]) == ("department", world.dept_a.pk, "open")


def test_open_refuse_the_same_scope_close_close_again(world, login, assets):
    client = login(world.member(Role.ASSET_CLERK))
    created = client.post(
        API + "stocktakes/", {"scope": "category", "category": "A02"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["category"] == "A02" and body["counts"]["listed"] == 3
    again = client.post(API + "stocktakes/", {"scope": "category", "category": "A02"}, content_type="application/json")
    assert again.status_code == 400 and "category" in again.json()
    closed = client.post(API + "stocktakes/{}/close/".format(body["id"]), {}, content_type="application/json")
    assert closed.status_code == 200
    result = closed.json()
    assert sorted(result["missing"]) == sorted(a.pk for a in assets) and result["stocktake"]["state"] == "closed"
    with scopes_disabled():
        assert set(Asset.objects.values_list("status", flat=True)) == {AssetStatus.LOST}
    twice = client.post(API + "stocktakes/{}/close/".format(body["id"]), {}, content_type="application/json")
    assert twice.status_code == 400


def test_cancel_needs_a_reason(world, login, stocktake):
    client = login(world.member(Role.ASSET_CLERK))
    address = API + "stocktakes/{}/cancel/".format(stocktake.pk)
    assert client.post(address, {}, content_type="application/json").status_code == 400
    response = client.post(address, {"reason": "范围选错"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_lines_are_read_only_and_filter_by_result(world, login, stocktake, assets):
    client = login(world.member(Role.ASSET_CLERK))
    rows = client.get(API + "stocktake-lines/?stocktake={}&result=found".format(stocktake.pk)).json()["results"]
    assert [(row["asset"]["id"], row["result"]) for row in rows] == [(assets[0].pk, CountResult.FOUND)]
    assert rows[0]["counted_by"] == world.member(Role.ASSET_CLERK).user.name and rows[0]["counted_at"]
    assert client.post(API + "stocktake-lines/", {}, content_type="application/json").status_code in (403, 405)


# who → (reads, opens) through the API (literal expectations)
WHO = [
    (Role.ASSET_CLERK, True, True),
    (Role.LOGISTICS_HEAD, True, True),
    (Role.FINANCE, True, False),
    (Role.LEADER, True, False),
    (Role.DEPT_HEAD, True, False),  # the 总务处 stocktake is their department's
    (Role.STAFF, False, False),
]


@pytest.mark.parametrize(("who", "reads", "opens"), WHO, ids=[w for w, _r, _o in WHO])
def test_who_reads_and_opens(world, login, stocktake, who, reads, opens):
    client = login(world.member(who))
    listed = client.get(API + "stocktakes/")
    assert listed.status_code == (200 if reads else 403)
    if reads:
        assert [row["id"] for row in listed.json()["results"]] == [stocktake.pk]
        lines = client.get(API + "stocktake-lines/").json()["results"]
        assert len(lines) == 3
    response = client.post(API + "stocktakes/", {"scope": "org"}, content_type="application/json")
    assert response.status_code == (201 if opens else 403)
    with scopes_disabled():
        assert Stocktake.objects.count() == (2 if opens else 1)


def test_another_orgs_stocktake_is_not_found(world, login, stocktake):
    client = login(world.member_b)
    assert client.get("/api/v1/o/org-b/assets/stocktakes/{}/".format(stocktake.pk)).status_code == 404
    close = client.post("/api/v1/o/org-b/assets/stocktakes/{}/close/".format(stocktake.pk))
    assert close.status_code == 404
    assert client.get(API + "stocktakes/").status_code == 404
