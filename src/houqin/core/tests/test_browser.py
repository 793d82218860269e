"""Real-browser tests: Playwright driving Debian's chromium against the live server, phone width first."""

from pathlib import Path

import pytest
from django.core.management import call_command

from houqin.core.models import Location
from houqin.core.tenancy import scopes_disabled

from .browser_support import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
HEAD_PHONE, DEMO_PASSWORD = "13800000001", "houqin2026"


@pytest.fixture
def demo(db):
    call_command("demo", size="small", verbosity=0)


def _log_in(page, base, username=HEAD_PHONE, next_url=""):
    page.goto(base + "/login/" + ("?next=" + next_url if next_url else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def _fits_phone(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "{}.png".format(name)), full_page=True)


def _switch_language(page, code):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=lang-{}]".format(code))
    page.wait_for_load_state("networkidle")


def test_logistics_head_uses_every_page_on_a_phone_in_chinese_and_english(demo, live_server, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, live_server.url)

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h2.page-title").inner_text() == "我的待办"
    _shoot(page, "home-zh")

    _switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2.page-title").inner_text() == "My to-dos"
    _shoot(page, "home-en")
    _switch_language(page, "zh-hans")
    assert page.locator("h2.page-title").inner_text() == "我的待办"

    links = page.eval_on_selector_all("[data-testid^=nav-]", "els => els.map(e => [e.dataset.testid, e.href])")
    assert {key for key, _href in links} >= {
        "nav-home",
        "nav-people",
        "nav-departments",
        "nav-locations",
        "nav-qr_sheet",
    }
    assert "nav-security_log" not in {key for key, _href in links}  # org_admin only
    for key, href in links:
        response = page.goto(href)
        assert response.status == 200, href
        page.wait_for_load_state("networkidle")
        assert _fits_phone(page) <= PHONE["width"], "{} is wider than a phone".format(href)
        _shoot(page, "phone-" + key.removeprefix("nav-"))

    # A detail page with history, and the place a room's QR code opens.
    page.goto(dict(links)["nav-people"])
    page.locator("#rows a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#history").is_visible()
    assert _fits_phone(page) <= PHONE["width"]
    _shoot(page, "phone-person-detail")
    assert errors == []
    context.close()


def test_a_room_qr_code_leads_through_login_to_the_room(demo, live_server, browser):
    with scopes_disabled():
        room = Location.objects.filter(org__code="qyzx", kind="room").order_by("path").first()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto("{}/o/qyzx/l/{}/".format(live_server.url, room.qr_token))
    assert "/login/" in page.url
    page.fill("input[name=username]", HEAD_PHONE)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/o/qyzx/l/{}/".format(room.qr_token))
    assert page.locator("h2.page-title").inner_text() == room.name
    assert _fits_phone(page) <= PHONE["width"]
    _shoot(page, "phone-room-scan")
    context.close()


def test_two_tabs_on_two_organisations_both_work(demo, live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    school = context.new_page()
    _log_in(school, live_server.url)
    school.goto(live_server.url + "/o/qyzx/departments/")
    kindergarten = context.new_page()
    kindergarten.goto(live_server.url + "/o/qyzx-yey/departments/")
    assert "附属幼儿园" in kindergarten.locator(".brand-org").inner_text()
    school.reload()
    assert "附属幼儿园" not in school.locator(".brand-org").inner_text()
    school_rows = school.locator("#rows").inner_text()
    kindergarten_rows = kindergarten.locator("#rows").inner_text()
    assert "总务处" in school_rows and "总务处" not in kindergarten_rows
    _shoot(school, "desktop-school-departments")
    _shoot(kindergarten, "desktop-kindergarten-departments")
    context.close()


def test_export_takes_the_filters_typed_on_the_page(demo, live_server, browser):
    """The list filters in place (HTMX); the export button must send what is in the form now."""
    from io import BytesIO

    from openpyxl import load_workbook

    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    _log_in(page, live_server.url)
    page.goto(live_server.url + "/o/qyzx/people/")
    with page.expect_response(lambda response: "q=" in response.url):
        page.fill("input[name=q]", "王建国")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    context.close()
    assert names == ["王建国"]
