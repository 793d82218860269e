"""Stocktake pages by real HTTP requests: counting only through the label's URL (who, where, when; the place kept
per stocktake in the session), another org's label, the list and detail with counts, opening, surplus, closing with
its confirmation, cancelling, the printed 盘点报告, the Excel export, who may do what, and query counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location

from ..choices import AssetStatus, CountResult, StocktakeScope, StocktakeState
from ..models import Asset, Stocktake, StocktakeLine
from ..services.stocktakes import stocktake_open, stocktake_register_surplus
from .factories import category, make_asset


def actor_of(membership):
    return build_actor(membership.user, membership.org)


def url(name, *args, org="org-a"):
    return reverse("assets:" + name, args=[org, *args])


def scan(asset, org="org-a"):
    return "/o/{}/a/{}/".format(org, asset.qr_token)


def member(world, who):
    return world.bureau_member if who == "bureau" else world.member(who)


@pytest.fixture
def room_102(world):
    with scopes_disabled():
        floor = world.room_a.parent
    return make_location(world.org_a, "102教室", "A1-102", LocationKind.ROOM, floor)


@pytest.fixture
def assets(world, room_102):
    """A projector kept by the staff member in 101教室, a piano of 语文组 (kept by a teacher there) in 102教室."""
    return {
        "projector": make_asset(world, name="投影仪", custodian=world.member(Role.STAFF)),
        "piano": make_asset(
            world,
            name="钢琴",
            category_code="A0501",
            department=world.dept_a_other,
            location=room_102,
            custodian=world.member("outsider"),
        ),
    }


def open_(world, scope=StocktakeScope.ORG, **fields):
    with org_scope(world.org_a):
        return stocktake_open(
            actor=actor_of(world.member(Role.ASSET_CLERK)), name="2026 年秋季盘点", scope=scope, **fields
        )


def line_of(stocktake, asset) -> StocktakeLine:
    with scopes_disabled():
        return StocktakeLine.objects.select_related("found_location", "counted_by").get(
            stocktake=stocktake, asset=asset
        )


# Counting through the label -----------------------------------------------------------------------


def test_the_scan_page_counts_and_records_who_where_and_the_server_time(world, login, assets):
    stocktake = open_(world)
    client = login(world.member(Role.STAFF))
    page = client.get(scan(assets["projector"]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="stocktake-count"' in body
    # The place offered by default is the ledger's.
    assert re.search(r'<option value="{}" selected>'.format(world.room_a.pk), body)
    at = timezone.now().replace(microsecond=0) + timedelta(seconds=30)
    with time_machine.travel(at, tick=False):
        response = client.post(
            scan(assets["projector"]),
            {"stocktake": stocktake.pk, "found_location": world.room_a.pk, "note": "完好", "counted_at": "2020-01-01"},
        )
    assert response.status_code == 302 and response["Location"] == scan(assets["projector"])
    line = line_of(stocktake, assets["projector"])
    assert (line.result, line.found_location, line.counted_by, line.counted_at, line.note) == (
        CountResult.FOUND,
        world.room_a,
        world.member(Role.STAFF).user,
        at,  # the server's time; nothing the phone sends
        "完好",
    )
    after = client.get(scan(assets["projector"])).content.decode()
    assert 'data-testid="stocktake-line"' in after and world.member(Role.STAFF).user.name in after


def test_a_counter_may_count_what_they_may_not_read_but_only_while_a_stocktake_lists_it(world, login, assets, room_102):
    client = login(world.member(Role.STAFF))  # the piano is 语文组's, kept by someone else
    assert 'data-testid="stocktake-count"' not in client.get(scan(assets["piano"])).content.decode()
    stocktake = open_(world)
    page = client.get(scan(assets["piano"]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="stocktake-count"' in body
    assert 'data-testid="scan-open"' not in body  # no way into the card they may not read
    assert client.get(url("asset_detail", assets["piano"].pk)).status_code == 404
    client.post(scan(assets["piano"]), {"stocktake": stocktake.pk, "found_location": world.room_a.pk})
    line = line_of(stocktake, assets["piano"])
    assert (line.result, line.found_location) == (CountResult.WRONG_LOCATION, world.room_a)


def test_the_place_chosen_is_the_default_of_the_next_scan_of_that_stocktake(world, login, assets, room_102):
    stocktake = open_(world)
    client = login(world.member(Role.TECHNICIAN))
    client.post(scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    assert line_of(stocktake, assets["projector"]).result == CountResult.WRONG_LOCATION
    body = client.get(scan(assets["piano"])).content.decode()
    assert re.search(r'<option value="{}" selected>'.format(room_102.pk), body)
    assert client.session["assets.stocktake_places"] == {str(stocktake.pk): room_102.pk}
    # Another person starts from the ledger's place.
    other = login(world.member(Role.ASSET_CLERK)).get(scan(assets["projector"])).content.decode()
    assert re.search(r'<option value="{}" selected>'.format(world.room_a.pk), other)


def test_no_count_form_without_an_open_stocktake_or_the_count_permission(world, login, assets):
    clerk = login(world.member(Role.ASSET_CLERK))
    assert 'data-testid="stocktake-count"' not in clerk.get(scan(assets["projector"])).content.decode()
    stocktake = open_(world)
    for who in (Role.FINANCE, Role.LEADER, Role.ORG_ADMIN, "bureau"):
        client = login(member(world, who))
        page = client.get(scan(assets["projector"]))
        assert page.status_code == 200 and 'data-testid="stocktake-count"' not in page.content.decode(), who
        response = client.post(
            scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": world.room_a.pk}
        )
        assert response.status_code == 403, who
    assert line_of(stocktake, assets["projector"]).counted_at is None


def test_another_orgs_label_is_not_found_and_counts_nothing(world, login, assets):
    stocktake = open_(world)
    other = make_asset(world, org=world.org_b)
    client = login(world.member(Role.ASSET_CLERK))
    assert client.get(scan(other)).status_code == 404
    assert client.post(scan(other), {"stocktake": stocktake.pk, "found_location": world.room_a.pk}).status_code == 404
    with scopes_disabled():
        assert not StocktakeLine.objects.filter(asset=other).exists()
        assert not StocktakeLine.objects.exclude(counted_at=None).exists()
    # Org B's admin with org A's label, under org B's own address.
    assert login(world.member_b).get(scan(assets["projector"], org="org-b")).status_code == 404


def test_a_place_scoped_stocktake_takes_in_an_unlisted_asset_found_in_its_area(world, login, assets, room_102):
    stocktake = open_(world, StocktakeScope.LOCATION, location=room_102)  # lists the piano only
    client = login(world.member(Role.ASSET_CLERK))
    assert 'data-testid="stocktake-count"' not in client.get(scan(assets["projector"])).content.decode()
    client.post(scan(assets["piano"]), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    # Having counted in 102教室, the projector (of 101教室) found there joins the stocktake.
    assert 'data-testid="stocktake-count"' in client.get(scan(assets["projector"])).content.decode()
    client.post(scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    line = line_of(stocktake, assets["projector"])
    assert (line.result, line.expected_location, line.found_location) == (
        CountResult.WRONG_LOCATION,
        world.room_a,
        room_102,
    )
    # Found outside the area: refused on the form's place field, nothing saved.
    chair = make_asset(world, name="椅子", category_code="A0501", location=world.room_a)
    response = client.post(scan(chair), {"stocktake": stocktake.pk, "found_location": world.room_a.pk})
    assert response.status_code == 200 and 'data-field-error="found_location"' in response.content.decode()
    with scopes_disabled():
        assert not StocktakeLine.objects.filter(asset=chair).exists()


def test_no_other_way_to_count(world, login, assets):
    """Counting has no page or endpoint of its own: the lines API is read-only and no stocktake page counts."""
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    api = "/api/v1/o/org-a/assets/stocktake-lines/"
    line = line_of(stocktake, assets["projector"])
    assert client.post(api, {"asset": assets["projector"].pk}, content_type="application/json").status_code in (
        403,
        405,
    )
    patch = client.patch(api + "{}/".format(line.pk), {"result": "found"}, content_type="application/json")
    assert patch.status_code in (403, 405)
    detail = client.post(
        url("stocktake_detail", stocktake.pk), {"stocktake": stocktake.pk, "found_location": world.room_a.pk}
    )
    assert detail.status_code in (200, 405)
    assert line_of(stocktake, assets["projector"]).counted_at is None
    names = {p.name for p in __import__("houqin.assets.views.stocktakes", fromlist=["urlpatterns"]).urlpatterns}
    assert not any("count" in name or "scan" in name for name in names)


# Lists, detail, forms ----------------------------------------------------------------------------


def codes(response, testid="stocktake-row") -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'data-testid="{}"[^>]*data-code="([^"]*)"'.format(testid), response.content.decode()))


# who → may list/read a stocktake of 总务处 and one of the whole org (literal expectations)
READERS = [
    (Role.ASSET_CLERK, {"dept", "org"}),
    (Role.LOGISTICS_HEAD, {"dept", "org"}),
    (Role.LEADER, {"dept", "org"}),
    (Role.FINANCE, {"dept", "org"}),
    (Role.ORG_ADMIN, {"dept", "org"}),
    (Role.DEPT_HEAD, {"dept"}),  # their department's only
    (Role.STAFF, None),  # counts, does not read stocktakes
    (Role.TECHNICIAN, None),
    ("bureau", {"dept", "org"}),
]


@pytest.mark.parametrize(("who", "expected"), READERS, ids=[str(w) for w, _e in READERS])
def test_who_reads_which_stocktakes(world, login, assets, who, expected):
    made = {"dept": open_(world, StocktakeScope.DEPARTMENT, department=world.dept_a), "org": open_(world)}
    client = login(member(world, who))
    if expected is None:
        assert client.get(url("stocktake_list")).status_code == 403
        for stocktake in made.values():
            assert client.get(url("stocktake_detail", stocktake.pk)).status_code == 403
        return
    assert codes(client.get(url("stocktake_list"))) == {made[name].code for name in expected}
    for name, stocktake in made.items():
        for page in ("stocktake_detail", "stocktake_print", "stocktake_export"):
            assert client.get(url(page, stocktake.pk)).status_code == (200 if name in expected else 404), (name, page)


# who → may open, record surplus, close and cancel (literal expectations)
MANAGERS = [
    (Role.ASSET_CLERK, True),
    (Role.LOGISTICS_HEAD, True),
    (Role.LEADER, False),
    (Role.FINANCE, False),
    (Role.ORG_ADMIN, False),
    (Role.DEPT_HEAD, False),
    (Role.STAFF, False),
    ("bureau", False),
]


@pytest.mark.parametrize(("who", "allowed"), MANAGERS, ids=[str(w) for w, _a in MANAGERS])
def test_who_manages_stocktakes(world, login, assets, who, allowed):
    stocktake = open_(world)
    client = login(member(world, who))
    status = 200 if allowed else 403
    assert client.get(url("stocktake_create")).status_code == status
    for page in ("stocktake_surplus", "stocktake_close", "stocktake_cancel"):
        assert client.get(url(page, stocktake.pk)).status_code == status, page
    detail = client.get(url("stocktake_detail", stocktake.pk))
    if detail.status_code == 200:
        assert ('data-testid="stocktake-close"' in detail.content.decode()) is allowed
    response = client.post(url("stocktake_close", stocktake.pk))
    assert response.status_code == (302 if allowed else 403)
    with scopes_disabled():
        expected = StocktakeState.CLOSED if allowed else StocktakeState.OPEN
        assert Stocktake.objects.get(pk=stocktake.pk).state == expected


def test_the_clerk_opens_a_stocktake_through_the_form(world, login, assets):
    client = login(world.member(Role.ASSET_CLERK))
    assert client.get(url("stocktake_create")).status_code == 200
    missing = client.post(url("stocktake_create"), {"scope": "department", "name": ""})
    assert missing.status_code == 200 and 'data-field-error="department"' in missing.content.decode()
    response = client.post(url("stocktake_create"), {"scope": "department", "department": world.dept_a.pk, "name": ""})
    assert response.status_code == 302
    with scopes_disabled():
        stocktake = Stocktake.objects.get()
        assert set(stocktake.lines.values_list("asset_id", flat=True)) == {assets["projector"].pk}
    again = client.post(url("stocktake_create"), {"scope": "department", "department": world.dept_a.pk})
    body = again.content.decode()
    assert again.status_code == 200 and 'data-field-error="department"' in body and stocktake.code in body
    with scopes_disabled():
        assert Stocktake.objects.count() == 1


def test_detail_shows_progress_by_result_and_filters_the_lines(world, login, assets, room_102):
    stocktake = open_(world)
    counter = login(world.member(Role.STAFF))
    counter.post(scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    client = login(world.member(Role.ASSET_CLERK))
    page = client.get(url("stocktake_detail", stocktake.pk))
    body = page.content.decode()
    assert 'data-testid="result-wrong_location" data-count="1"' in body
    assert 'data-testid="result-pending" data-count="1"' in body
    assert 'data-testid="result-found" data-count="0"' in body
    assert 'data-testid="stocktake-percent">50%' in body
    assert codes(page, "line-row") == {assets["projector"].code, assets["piano"].code}
    filtered = client.get(url("stocktake_detail", stocktake.pk) + "?result=pending")
    assert codes(filtered, "line-row") == {assets["piano"].code}
    listed = client.get(url("stocktake_list")).content.decode()
    assert 'data-testid="stocktake-progress">1 / 2' in listed


def test_surplus_form_records_a_line_and_errors_stay_on_their_fields(world, login, assets, room_102):
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    assert client.get(url("stocktake_surplus", stocktake.pk)).status_code == 200
    data = {
        "name": "旧风扇",
        "category": category("A0202").pk,
        "quantity": "1",
        "value": "-5",
        "location": room_102.pk,
        "department": "",
    }
    bad = client.post(url("stocktake_surplus", stocktake.pk), data)
    body = bad.content.decode()
    assert bad.status_code == 200 and 'data-field-error="value"' in body and 'data-field-error="department"' in body
    with scopes_disabled():
        assert not StocktakeLine.objects.filter(result=CountResult.SURPLUS).exists()
    response = client.post(
        url("stocktake_surplus", stocktake.pk), {**data, "value": "300.00", "department": world.dept_a.pk}
    )
    assert response.status_code == 302 and response["Location"].endswith("?result=surplus")
    with scopes_disabled():
        line = StocktakeLine.objects.get(result=CountResult.SURPLUS)
    assert (line.surplus_name, line.surplus_value, line.found_location, line.surplus_department) == (
        "旧风扇",
        Decimal("300.00"),
        room_102,
        world.dept_a,
    )


def test_close_page_shows_what_will_change_then_closes_once(world, login, assets, room_102):
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    client.post(scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    with org_scope(world.org_a):
        stocktake_register_surplus(
            actor=actor_of(world.member(Role.ASSET_CLERK)),
            stocktake=stocktake,
            name="旧风扇",
            category=category("A0202"),
            quantity=1,
            value=Decimal("300.00"),
            location=room_102,
            department=world.dept_a,
        )
    confirm = client.get(url("stocktake_close", stocktake.pk)).content.decode()
    assert 'data-testid="close-missing" data-count="1"' in confirm and assets["piano"].code in confirm
    assert 'data-testid="close-moved" data-count="1"' in confirm and assets["projector"].code in confirm
    assert 'data-testid="close-surplus" data-count="1"' in confirm and "旧风扇" in confirm
    with scopes_disabled():
        assert Asset.objects.get(pk=assets["piano"].pk).status == AssetStatus.IN_USE  # looking changes nothing
    response = client.post(url("stocktake_close", stocktake.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert Asset.objects.get(pk=assets["piano"].pk).status == AssetStatus.LOST
        assert Asset.objects.get(pk=assets["projector"].pk).location == room_102
        assert Asset.objects.filter(name="旧风扇", acquisition="surplus").count() == 1
        total = Asset.objects.count()
    twice = client.post(url("stocktake_close", stocktake.pk), follow=True)
    assert twice.status_code == 200 and "alert-danger" in twice.content.decode()
    with scopes_disabled():
        assert Asset.objects.count() == total
    assert client.get(url("stocktake_close", stocktake.pk)).status_code == 302  # closed: back to its page


def test_cancel_needs_a_reason(world, login, assets):
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    bad = client.post(url("stocktake_cancel", stocktake.pk), {"reason": ""})
    assert bad.status_code == 200 and 'data-field-error="reason"' in bad.content.decode()
    assert client.post(url("stocktake_cancel", stocktake.pk), {"reason": "范围选错"}).status_code == 302
    with scopes_disabled():
        assert Stocktake.objects.get(pk=stocktake.pk).state == StocktakeState.CANCELLED
    assert "范围选错" in client.get(url("stocktake_detail", stocktake.pk)).content.decode()


def test_the_printed_report_has_the_summary_the_differences_and_the_signatures(world, login, assets, room_102):
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    client.post(scan(assets["projector"]), {"stocktake": stocktake.pk, "found_location": world.room_a.pk})
    client.post(url("stocktake_close", stocktake.pk))
    response = client.get(url("stocktake_print", stocktake.pk), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert stocktake.code in body and "Stocktake report" in body
    for signer in ("Counted by", "Stocktake supervisor", "Asset clerk", "Department head"):
        assert signer in body
    assert "1 items, 6,000.00 yuan" in body  # found: the projector; missing: the piano (both 6,000 yuan)
    assert assets["piano"].code in body  # a difference line
    assert assets["projector"].code not in body  # found in place: counted, not a difference


def test_export_lists_the_filtered_lines(world, login, assets):
    stocktake = open_(world)
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(url("stocktake_export", stocktake.pk) + "?result=pending&q=钢琴")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == assets["piano"].code and rows[1][6] == pytest.approx(6000)


# Query counts ------------------------------------------------------------------------------------


def bulk(world, n, start):
    with org_scope(world.org_a):
        Asset.objects.bulk_create(
            [
                Asset(
                    org=world.org_a,
                    code="B-{:05d}".format(start + i),
                    name="课桌{}".format(i),
                    category=category("A0501"),
                    original_value=Decimal("1200.00"),
                    booked_on=datetime(2026, 1, 1).date(),
                    department=world.dept_a,
                    location=world.room_a,
                    building=world.building_a,
                )
                for i in range(n)
            ]
        )


def queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_detail_page_runs_the_same_queries_for_10_and_500_lines(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    bulk(world, 10, 0)
    small = open_(world, StocktakeScope.DEPARTMENT, department=world.dept_a)
    bulk(world, 490, 10)
    large = open_(world, StocktakeScope.LOCATION, location=world.room_a)
    client.get(url("stocktake_detail", small.pk))  # warm caches
    assert queries(client, url("stocktake_detail", small.pk)) == queries(client, url("stocktake_detail", large.pk))


def test_the_list_page_and_api_run_the_same_queries_for_few_and_many_stocktakes(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    bulk(world, 20, 0)
    open_(world)
    client.get(url("stocktake_list"))
    few_page = queries(client, url("stocktake_list"))
    few_api = queries(client, "/api/v1/o/org-a/assets/stocktakes/")
    few_lines = queries(client, "/api/v1/o/org-a/assets/stocktake-lines/")
    with scopes_disabled():
        departments = [world.dept_a, world.dept_a_child, world.dept_a_other]
    for department in departments:
        open_(world, StocktakeScope.DEPARTMENT, department=department)
    open_(world, StocktakeScope.LOCATION, location=world.room_a)
    open_(world, StocktakeScope.CATEGORY, category=category("A05"))
    bulk(world, 300, 100)
    open_(world, StocktakeScope.CATEGORY, category=category("A0501"))
    assert queries(client, url("stocktake_list")) == few_page
    assert queries(client, "/api/v1/o/org-a/assets/stocktakes/") == few_api
    assert queries(client, "/api/v1/o/org-a/assets/stocktake-lines/") == few_lines


def test_the_home_page_reminds_the_keepers_of_stocktakes_still_counting(world, login, assets):
    from houqin.core.todos import todos_for

    from ..views import stocktakes  # noqa: F401  (registers the provider, as loading the URLs does)

    open_(world)
    with org_scope(world.org_a):
        clerk = [t for t in todos_for(actor_of(world.member(Role.ASSET_CLERK))) if "stocktake" in t.url]
        staff = [t for t in todos_for(actor_of(world.member(Role.STAFF))) if "stocktake" in t.url]
    assert [(t.count, t.url) for t in clerk] == [(1, url("stocktake_list") + "?state=open")]
    assert staff == []


def test_an_asset_registered_inside_the_area_after_opening_is_offered_and_joins(world, login, assets, room_102):
    stocktake = open_(world, StocktakeScope.LOCATION, location=room_102)
    bought = make_asset(world, name="新投影仪", location=room_102)  # after the list was made
    client = login(world.member(Role.TECHNICIAN))
    assert 'data-testid="stocktake-count"' in client.get(scan(bought)).content.decode()
    client.post(scan(bought), {"stocktake": stocktake.pk, "found_location": room_102.pk})
    line = line_of(stocktake, bought)
    assert (line.result, line.expected_location, line.counted_by) == (
        CountResult.FOUND,
        room_102,
        world.member(Role.TECHNICIAN).user,
    )
