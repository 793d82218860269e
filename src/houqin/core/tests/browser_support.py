"""What the real-browser tests share: Debian's chromium under Playwright, contexts logged in as a member, and a
phone that checks every page it shows for sideways scrolling and photographs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("{} is missing: `make test` installs Debian's chromium".format(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield browser
        browser.close()


def logged_in(browser, live_server, membership, **options):
    """A browser context logged in as ``membership`` (a session made by the test client, handed over as a cookie)."""
    client = Client()
    client.force_login(membership.user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    context = browser.new_context(**options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.set_default_timeout(10_000)
    return context


class Phone:
    """One person's phone: every page it shows is checked for width and photographed in order."""

    def __init__(self, context, who: str, errors: list):
        self.page = context.new_page()
        self.who, self.shots, self.errors = who, 0, errors
        self.page.on("pageerror", lambda exc: errors.append("{}: {}".format(who, exc)))

    def check(self, step: str):
        page = self.page
        page.wait_for_load_state("load")
        # Not window.innerWidth: a mobile browser zooms out to show a too-wide page, and innerWidth grows with it.
        wide = page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "{}-{}-{}.png".format(self.who, self.shots, step)), full_page=True)
        assert wide <= 1, "{} ({}) is {} px wider than the phone".format(step, page.url, wide)

    def tap_and_wait(self, selector: str, step: str, url_pattern: str | None = None):
        """Tap (a touch, not a click), wait for the page the tap leads to, check it (and where it is)."""
        with self.page.expect_navigation():
            self.page.locator(selector).first.tap()
        if url_pattern is not None:
            assert re.search(url_pattern, self.page.url), "{}: landed on {}".format(step, self.page.url)
        self.check(step)
