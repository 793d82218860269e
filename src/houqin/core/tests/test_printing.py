"""The print kit: A4 forms with signature lines, QR label sheets whose codes a scanner reads back."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from houqin.core import printing
from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.locations import qr_url
from houqin.core.models import Location
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location


def _request(world, path="/", **params):
    request = RequestFactory().get(path, params)
    request.org, request.user = world.org_a, world.member(Role.DISPATCHER).user
    request.actor = build_actor(request.user, world.org_a)
    return request


def test_a_form_prints_header_fields_lines_signatures_and_footer_on_a4(world):
    form = printing.PrintForm(
        title="派工单",
        number="PG-2026-00042",
        fields=[
            printing.Field("报修地点", "教学楼 101教室"),
            printing.Field("报修时间", "2026-03-05 08:30"),
            printing.Field("维修班组", ""),  # a blank to fill in by hand
            printing.Field("故障描述", "灯管不亮，开关有焦味", wide=True),
        ],
        table=printing.Table(
            columns=["材料", "规格", "数量", "金额"],
            rows=[["灯管 {}".format(i), "T8 18W", 2, "36.00"] for i in range(60)],
            title="用料",
            numeric=(2, 3),
        ),
        notes="先断电再维修。",
        signatures=["报修人", "维修人", "验收人"],
        qr_url="http://127.0.0.1:8000/o/org-a/l/x/",
        back_url="/o/org-a/",
    )
    with org_scope(world.org_a), translation.override("en"):
        html = printing.render_form(_request(world), form).content.decode()
    assert world.org_a.name in html and "派工单" in html and "PG-2026-00042" in html
    assert html.count('<th scope="row">') == 4 and "灯管不亮，开关有焦味" in html and 'colspan="3"' in html
    lines = re.search(r'<table class="print-table".*?</table>', html, re.S).group(0)
    assert "<thead>" in lines and lines.count("<tr>") == 61 and lines.count('class="text-end"') == 2 * 61
    assert html.count("data-signature") == 3
    for label in ("报修人", "维修人", "验收人"):
        block = html[html.index(label) : html.index(label) + 400]
        assert "Signature" in block and "Date" in block and "print-blank" in block
    assert "Printed by {}".format(world.member(Role.DISPATCHER).user.name) in html
    assert 'class="print-qr"><svg' in html and 'href="/o/org-a/"' in html
    assert 'class="print-toolbar d-print-none"' in html and "window.print()" in html
    assert "nav-" not in html and "navbar" not in html  # no navigation on paper


def test_the_print_stylesheet_sets_a4_and_repeats_table_headers():
    css = Path(finders.find("houqin/print.css")).read_text()
    assert "@page { size: A4;" in css
    assert "thead { display: table-header-group; }" in css
    assert re.search(r"@media print \{.*\.label-page \{[^}]*break-after: page", css, re.S)


def test_the_location_card_prints_the_place_and_its_qr_code(world, login):
    floor = world.room_a.parent
    with scopes_disabled():
        Location.objects.filter(pk=world.room_a.pk).update(is_critical=True, use="laboratory")
    client = login(world.member(Role.ORG_ADMIN))
    detail = client.get(reverse("core:location_detail", args=["org-a", world.room_a.pk])).content.decode()
    card_url = reverse("core:location_print", args=["org-a", world.room_a.pk])
    assert 'href="{}"'.format(card_url) in detail
    response = client.get(card_url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    for text in (world.room_a.name, world.room_a.code, world.building_a.name, floor.name, "Room", "Location card"):
        assert text in html, text
    assert "Responsible department" in html
    assert re.search(r"<th[^>]*>Use</th>\s*<td>Laboratory</td>", html)
    assert re.search(r"<th[^>]*>Critical place</th>\s*<td>Yes</td>", html)
    assert html.count("data-signature") == 2
    assert "Person in charge of the place" in html and "Logistics administrator" in html
    assert 'class="print-qr"><svg' in html
    assert login(world.member(Role.STAFF)).get(card_url).status_code == 403


@pytest.mark.parametrize(
    ("layout", "pages"), [("3x8", [24, 1]), ("2x5", [10, 10, 5]), ("4x10", [25]), ("nope", [24, 1])]
)
def test_label_sheet_pages_hold_exactly_the_count_of_the_chosen_stock(world, layout, pages):
    labels = [
        printing.Label("房间{}".format(i), "教学楼 · A1-{}".format(i), "http://x/{}".format(i)) for i in range(25)
    ]
    with org_scope(world.org_a):
        html = printing.label_sheet(_request(world, layout=layout), labels, title="QR").content.decode()
    counted = [part.count("data-label ") for part in html.split("data-label-page")[1:]]
    assert counted == pages
    assert html.count("<svg") == 25


def test_the_location_qr_sheet_offers_every_size_and_keeps_the_filters(world, login):
    for code in ("A1-102", "A1-103"):
        make_location(world.org_a, "教室" + code, code, LocationKind.ROOM, world.room_a.parent)
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:location_qr_sheet", args=["org-a"])
    html = client.get(url, {"within": world.building_a.pk, "layout": "2x5"}).content.decode()
    assert 'data-layout="2x5"' in html and html.count("data-label ") == 3
    assert '<input type="hidden" name="layout" value="2x5">' in html
    for key in printing.LAYOUTS:
        assert "?within={}&amp;layout={}".format(world.building_a.pk, key) in html
    assert 'data-url="{}"'.format(qr_url(world.org_a, world.room_a)) in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_printed_qr_codes_decode_to_the_place_and_open_it(world, live_server, client):
    """The label sheet in the real browser: each sticker is photographed, zxing-cpp reads its code, and the
    address it carries opens the place for a logged-in person."""
    import zxingcpp
    from PIL import Image
    from playwright.sync_api import sync_playwright

    rooms = [world.room_a] + [
        make_location(world.org_a, "实验室{}".format(i), "A1-L{}".format(i), LocationKind.ROOM, world.room_a.parent)
        for i in range(3)
    ]
    client.force_login(world.member(Role.ORG_ADMIN).user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + reverse("core:location_qr_sheet", args=["org-a"]))
        stickers = page.locator("[data-label]")
        assert stickers.count() == len(rooms)
        decoded = {}
        for index in range(stickers.count()):
            sticker = stickers.nth(index)
            image = Image.open(BytesIO(sticker.screenshot()))
            found = zxingcpp.read_barcodes(image)
            assert len(found) == 1, "sticker {} did not decode".format(index)
            decoded[sticker.get_attribute("data-url")] = found[0].text
        browser.close()
    expected = {qr_url(world.org_a, room): room for room in rooms}
    assert decoded == {url: url for url in expected}
    for url, room in expected.items():
        response = client.get(urlparse(url).path)
        assert response.status_code == 200
        assert response.context["location"] == room
        assert response.templates[0].name == "core/location_scan.html"
