"""Ledger pages by real HTTP requests: who sees which assets, query counts, export, labels, forms, the scan."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled

from ..depreciation import net_book_value
from ..models import Asset, AssetEvent
from .factories import category, make_asset


@pytest.fixture
def assets(world):
    """Three assets of org A:
    - "kept": of 总务处, kept (保管) by the staff member;
    - "used": of 维修组 (under 总务处), used (使用) by a colleague there;
    - "outsider": of 语文组, kept by a teacher there.
    """
    return {
        "kept": make_asset(world, name="投影仪", custodian=world.member(Role.STAFF)),
        "used": make_asset(world, name="电钻", department=world.dept_a_child, user_person=world.member("colleague")),
        "outsider": make_asset(
            world, name="钢琴", department=world.dept_a_other, location=None, custodian=world.member("outsider")
        ),
    }


ALL = {"kept", "used", "outsider"}
# who → the assets they see (literal expectations)
EXPECTED = [
    (Role.STAFF, {"kept"}),
    ("colleague", {"used"}),
    ("outsider", {"outsider"}),
    (Role.TECHNICIAN, set()),  # keeps and uses nothing
    (Role.DEPT_HEAD, {"kept", "used"}),  # 总务处 and 维修组 below it, not 语文组
    (Role.ASSET_CLERK, ALL),
    (Role.LOGISTICS_HEAD, ALL),
    (Role.LEADER, ALL),
    (Role.FINANCE, ALL),
    ("bureau", ALL),  # reads the organisations below it
]


def member(world, who):
    return world.bureau_member if who == "bureau" else world.member(who)


def listed_codes(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'data-testid="asset-row" data-code="([^"]+)"', response.content.decode()))


def exported_rows(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def url(name, *args, org="org-a"):
    return reverse("assets:" + name, args=[org, *args])


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(who) for who, _e in EXPECTED])
def test_each_person_lists_exports_and_opens_exactly_their_assets(world, login, assets, who, expected):
    client = login(member(world, who))
    codes = {name: asset.code for name, asset in assets.items()}
    wanted = {codes[name] for name in expected}
    assert listed_codes(client.get(url("asset_list"))) == wanted
    assert {row[0] for row in exported_rows(client.get(url("asset_export")))[1:]} == wanted
    for name, asset in assets.items():
        assert client.get(url("asset_detail", asset.pk)).status_code == (200 if name in expected else 404), name
        # Any label opens its scan page (what it is, 报修/借用 as the roles allow); the card only for its readers.
        scan = client.get("/o/org-a/a/{}/".format(asset.qr_token))
        assert scan.status_code == 200, name
        assert ('data-testid="scan-open"' in scan.content.decode()) == (name in expected), name


@pytest.mark.parametrize("who", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE, "bureau"])
def test_readers_cannot_register_edit_or_print(world, login, assets, who):
    client = login(member(world, who))
    assert client.get(url("asset_create")).status_code == 403
    assert client.get(url("asset_labels")).status_code == 403
    asset = assets["kept"]
    assert client.get(url("asset_edit", asset.pk)).status_code == 403
    assert client.post(url("asset_status", asset.pk), {"status": "lost"}).status_code == 403
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).status == "in_use"


def test_org_b_reaches_nothing_of_org_a(world, login, assets):
    client = login(world.member_b)
    for name in ("asset_list", "asset_export", "asset_create"):
        assert client.get(url(name)).status_code == 404
    for asset in assets.values():
        assert client.get(url("asset_detail", asset.pk)).status_code == 404
        assert client.get(url("asset_detail", asset.pk, org="org-b")).status_code == 404
        assert client.get("/o/org-a/a/{}/".format(asset.qr_token)).status_code == 404
        assert client.get("/o/org-b/a/{}/".format(asset.qr_token)).status_code == 404  # its own org, A's label
    assert listed_codes(client.get(url("asset_list", org="org-b"))) == set()


# Query counts ------------------------------------------------------------------------------------


def bulk_assets(world, n, start):
    with org_scope(world.org_a):
        cat = category("A0201")
        Asset.objects.bulk_create(
            [
                Asset(
                    org=world.org_a,
                    code="B-{:05d}".format(start + i),
                    name="课桌{}".format(i),
                    category=cat,
                    original_value=Decimal("1200.00"),
                    booked_on=date(2026, 1, 1),
                    department=world.dept_a,
                    location=world.room_a,
                    building=world.building_a,
                    custodian=world.member(Role.STAFF) if i % 2 else None,
                    user_person=world.member("colleague"),
                )
                for i in range(n)
            ]
        )


def page_queries(client, address) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    codes = listed_codes(response)
    counts = [
        q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "assets_asset" in q["sql"]
    ]
    assert not counts, counts
    return len(captured.captured_queries), len(codes)


@pytest.mark.parametrize("role", [Role.ASSET_CLERK, Role.STAFF, Role.DEPT_HEAD])
def test_the_list_page_runs_the_same_queries_for_10_and_500_assets(world, login, role):
    client = login(world.member(role))
    client.get(url("asset_list"))  # warm caches
    bulk_assets(world, 10, 0)
    small, listed_small = page_queries(client, url("asset_list") + "?q=课桌")
    bulk_assets(world, 490, 10)
    large, listed_large = page_queries(client, url("asset_list") + "?q=课桌")
    expected = {Role.ASSET_CLERK: (10, 50), Role.STAFF: (5, 50), Role.DEPT_HEAD: (10, 50)}[role]
    assert (listed_small, listed_large) == expected
    assert small == large


# Export, labels, forms, scan ---------------------------------------------------------------------


def test_export_escapes_formula_looking_text_and_keeps_numbers(world, login, assets):
    make_asset(world, name='=HYPERLINK("http://evil")', code="X-1", value="1234.50")
    client = login(world.member(Role.ASSET_CLERK))
    rows = exported_rows(client.get(url("asset_export") + "?q=X-1"))
    assert len(rows) == 2
    line = rows[1]  # columns: code, name, …, original value (11th), …, owning department (20th)
    assert line[0] == "X-1"
    assert line[1] == '\'=HYPERLINK("http://evil")'
    assert line[10] == pytest.approx(1234.5)
    assert line[19] == "总务处"


def test_label_sheet_of_the_filtered_or_ticked_assets(world, login, assets):
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(url("asset_labels"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") >= 3
    for asset in assets.values():
        assert asset.code in body
    ticked = client.get(url("asset_labels") + "?ids={}".format(assets["kept"].pk)).content.decode()
    assert assets["kept"].code in ticked and assets["used"].code not in ticked


def test_the_keepers_tick_rows_for_labels_a_transfer_or_a_disposal(world, login, assets):
    body = login(world.member(Role.ASSET_CLERK)).get(url("asset_list")).content.decode()
    ticks = re.findall(r'<input type="checkbox"[^>]*name="ids" value="(\d+)" form="asset-selection"', body)
    assert sorted(int(pk) for pk in ticks) == sorted(asset.pk for asset in assets.values())
    for name, target in (("labels", "asset_labels"), ("transfer", "transfer_create"), ("disposal", "disposal_create")):
        button = re.search(r'formaction="([^"]+)"[^>]*data-testid="selection-{}"'.format(name), body)
        assert button and button.group(1) == url(target), name
    chosen = login(world.member(Role.ASSET_CLERK)).get(url("transfer_create") + "?ids={}".format(assets["kept"].pk))
    assert assets["kept"].code in chosen.content.decode()
    reader = login(world.member(Role.FINANCE)).get(url("asset_list")).content.decode()
    assert 'form="asset-selection"' not in reader and "selection-actions" not in reader


def test_scan_page_opens_the_asset_with_a_repair_link(world, login, assets):
    asset = assets["kept"]
    response = login(world.member(Role.STAFF)).get("/o/org-a/a/{}/".format(asset.qr_token))
    body = response.content.decode()
    assert response.status_code == 200 and asset.code in body
    report = reverse("maintenance:job_report", args=["org-a"])
    assert 'href="{}?asset={}&amp;location={}"'.format(report, asset.pk, world.room_a.pk) in body


def test_scan_of_another_orgs_label_is_not_found(world, login, assets):
    other = make_asset(world, org=world.org_b)
    client = login(world.member(Role.ASSET_CLERK))
    assert client.get("/o/org-a/a/{}/".format(other.qr_token)).status_code == 404
    assert client.get("/o/org-a/a/NOSUCHTOKEN/").status_code == 404


def test_an_anonymous_scan_goes_to_the_login_page(client, world, assets):
    response = client.get("/o/org-a/a/{}/".format(assets["kept"].qr_token))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_clerk_registers_and_edits_through_the_forms(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    assert client.get(url("asset_create")).status_code == 200
    data = {
        "name": "空调",
        "category": category("A0201").pk,
        "quantity": 1,
        "unit": "台",
        "original_value": "5200.00",
        "acquisition": "purchase",
        "booked_on": "2026-02-01",
        "department": world.dept_a.pk,
        "location": world.room_a.pk,
    }
    bad = client.post(url("asset_create"), {**data, "original_value": "-3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "The value cannot be negative." in bad.content.decode()
    with scopes_disabled():
        assert not Asset.objects.exists()
    response = client.post(url("asset_create"), data)
    assert response.status_code == 302
    with scopes_disabled():
        asset = Asset.objects.get()
    assert asset.building_id == world.building_a.pk
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and asset.code in detail.content.decode()
    edit = client.get(url("asset_edit", asset.pk))
    assert edit.status_code == 200
    response = client.post(
        url("asset_edit", asset.pk),
        {**data, "code": asset.code, "name": "柜式空调", "custodian": world.member("colleague").pk},
    )
    assert response.status_code == 302
    with scopes_disabled():
        asset.refresh_from_db()
        kinds = list(AssetEvent.objects.filter(asset=asset).values_list("kind", flat=True))
    assert asset.name == "柜式空调" and asset.custodian == world.member("colleague")
    assert kinds == ["registered", "changed"]
    page = client.get(url("asset_detail", asset.pk)).content.decode()
    assert "空调 → 柜式空调" in page
    assert 'data-testid="attachments"' in page
    assert client.post(url("asset_status", asset.pk), {"status": "idle"}).status_code == 302
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).status == "idle"


def test_detail_shows_the_net_book_value(world, login):
    # 6,000 yuan over 72 months (计算机设备 6 years), booked in January 2026: 83.33 a month by government rule.
    asset = make_asset(world, value="6000.00", booked_on=date(2026, 1, 15))
    body = login(world.member(Role.ASSET_CLERK)).get(url("asset_detail", asset.pk)).content.decode()
    expected = net_book_value(asset, timezone.localdate(), "government")
    assert Decimal("0") < expected < Decimal("6000.00")
    assert 'data-testid="net-value">¥{}<'.format(expected) in body
