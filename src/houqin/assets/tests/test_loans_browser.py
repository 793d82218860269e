"""Loan pages on a phone (375 px, Chromium): the label scan with 借用, the lend form, the loan, the return check,
the list and the report fit the screen without sideways scrolling, and the buttons the browser test of the label
flow relies on are there (``loan-borrow``, ``loan-return``; fields ``asset``, ``due_on``, ``purpose``,
``condition``, ``note``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.browser_support import PHONE, Phone
from houqin.core.tests.browser_support import logged_in as _context

from ..models import Loan
from .factories import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lend_and_take_back_on_a_phone(browser, live_server, world):
    asset = make_asset(world, name="便携式投影仪（含幕布和遥控器）", status="idle", custodian=world.member(Role.STAFF))
    errors: list[str] = []
    context = _context(browser, live_server, world.member(Role.ASSET_CLERK), **PHONE)
    phone = Phone(context, "loans-clerk", errors)
    phone.page.goto("{}/o/org-a/a/{}/".format(live_server.url, asset.qr_token))
    phone.check("scan")
    phone.tap_and_wait('[data-testid="loan-borrow"]', "lend-form", r"/loans/new/\?asset=")
    page = phone.page
    assert page.input_value('input[name="asset"]') == asset.code
    page.select_option('select[name="borrower"]', str(world.member(Role.STAFF).pk))
    page.fill('input[name="due_on"]', (timezone.localdate() + timedelta(days=7)).isoformat())
    page.fill('input[name="purpose"]', "校运会开幕式投影")
    phone.tap_and_wait('[data-testid="form-submit"]', "loan", r"/loans/\d+/$")
    with scopes_disabled():
        loan = Loan.objects.get()
    phone.page.goto("{}/o/org-a/a/{}/".format(live_server.url, asset.qr_token))
    phone.check("scan-lent")
    phone.tap_and_wait('[data-testid="loan-return"]', "return-form", r"/loans/{}/return/$".format(loan.pk))
    compensation = page.locator('[data-testid="loan-compensation-fields"]')
    assert not compensation.is_visible()  # nothing chosen yet: neither 报修 nor 赔偿
    page.locator('[data-testid="condition-lost"]').tap()
    assert compensation.is_visible() and not page.locator('input[name="report_repair"]').is_visible()
    page.locator('[data-testid="condition-damaged"]').tap()
    assert compensation.is_visible() and page.locator('input[name="report_repair"]').is_visible()
    page.locator('[data-testid="condition-good"]').tap()
    assert not compensation.is_visible()
    phone.tap_and_wait('[data-testid="form-submit"]', "returned", r"/loans/{}/$".format(loan.pk))
    for path, step in (("/o/org-a/assets/loans/", "list"), ("/o/org-a/assets/loans/outstanding/", "report")):
        page.goto(live_server.url + path)
        phone.check(step)
    page.goto("{}/o/org-a/assets/{}/".format(live_server.url, asset.pk))
    phone.check("card")
    assert not errors, errors
    with scopes_disabled():
        loan.refresh_from_db()
    assert (loan.state, loan.condition) == ("returned", "good")
