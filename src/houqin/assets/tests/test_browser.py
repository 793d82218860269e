"""The label flow end to end in a real browser: the asset clerk prints an asset's QR label, zxing-cpp reads the
printed sticker back, a teacher opens the decoded address on a phone and borrows the asset, and the clerk takes it
back damaged, which lands on the 报修 form prefilled with the asset and its place; the report is sent. Every page at
375 px must fit the phone (no sideways scrolling)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.browser_support import DESKTOP, PHONE, SCREENSHOTS, Phone, logged_in

from ..choices import AssetStatus, LoanState, ReturnCondition
from ..models import Asset, Loan
from ..views.ledger import scan_url
from .factories import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _decode_label(browser, live_server, world, asset) -> str:
    """Print the asset's label as the asset clerk and read the sticker back with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    context = logged_in(browser, live_server, world.member(Role.ASSET_CLERK), device_scale_factor=2, **DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + reverse("assets:asset_labels", args=[world.org_a.code]) + "?ids={}".format(asset.pk))
    sticker = page.locator("[data-label]")
    assert sticker.count() == 1
    found = zxingcpp.read_barcodes(Image.open(BytesIO(sticker.screenshot())))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "assets-clerk-0-label.png"), full_page=True)
    context.close()
    assert len(found) == 1, "the printed label did not decode"
    return found[0].text


def _reload(row):
    with scopes_disabled():
        row.refresh_from_db()
    return row


def test_a_scanned_label_is_borrowed_and_comes_back_damaged_into_a_repair(
    world,
    live_server,
    browser,
    settings,
):
    settings.HOUQIN_BASE_URL = live_server.url  # the address printed in the QR codes
    staff, clerk = world.member(Role.STAFF), world.member(Role.ASSET_CLERK)
    asset = make_asset(world, name="便携式投影仪", custodian=clerk)
    errors: list[str] = []

    # 1. The printed label, read back from the sheet, is the asset's scan address.
    url = _decode_label(browser, live_server, world, asset)
    assert url == scan_url(world.org_a, asset)

    # 2. The teacher scans it on her phone and borrows it for herself: 借用 → due date, purpose → 提交.
    teacher = Phone(logged_in(browser, live_server, staff, **PHONE), "assets-staff", errors)
    teacher.page.goto(url)
    teacher.check("scan")
    teacher.tap_and_wait("[data-testid=loan-borrow]", "lend-form", r"/loans/new/\?asset={}".format(asset.pk))
    assert teacher.page.input_value("input[name=asset]") == asset.code
    assert teacher.page.locator("select[name=borrower]").count() == 0  # borrowing for oneself
    teacher.page.fill("input[name=due_on]", (timezone.localdate() + timedelta(days=3)).isoformat())
    teacher.page.fill("input[name=purpose]", "公开课使用")
    teacher.tap_and_wait("[data-testid=form-submit]", "lent", r"/loans/\d+/$")
    with scopes_disabled():
        loan = Loan.objects.get(asset=asset)
    assert (loan.state, loan.borrower_id, loan.purpose) == (LoanState.OUT, staff.pk, "公开课使用")
    assert _reload(asset).status == AssetStatus.LENT

    # 3. Back at the office the clerk scans the same label: 归还 → 损坏 → the 报修 form, prefilled.
    office = Phone(logged_in(browser, live_server, clerk, **PHONE), "assets-clerk", errors)
    office.page.goto(url)
    office.check("scan-lent")
    assert office.page.locator("[data-testid=scan-open-loan]").count() == 1
    office.tap_and_wait("[data-testid=loan-return]", "return-form", r"/loans/{}/return/$".format(loan.pk))
    office.page.locator("[data-testid=condition-{}]".format(ReturnCondition.DAMAGED)).tap()
    office.page.fill("input[name=note]", "镜头摔裂，无法对焦")
    office.tap_and_wait(
        "[data-testid=form-submit]", "report-form", r"/maintenance/jobs/new/\?asset={}".format(asset.pk)
    )
    assert re.search(re.escape(asset.code), office.page.locator("[data-testid=report-asset]").inner_text())
    assert world.room_a.name in office.page.locator("[data-testid=report-place]").inner_text()
    loan = _reload(loan)
    assert (loan.state, loan.condition, loan.received_by_id) == (
        LoanState.RETURNED,
        ReturnCondition.DAMAGED,
        clerk.user_id,
    )
    assert _reload(asset).status == AssetStatus.IN_USE  # back to what it was; the repair job follows it

    # 4. The report goes out with the asset on it.
    office.page.locator("[data-testid=category-equipment]").tap()
    office.page.fill("textarea[name=description]", "借用归还时发现投影仪镜头摔裂")
    office.tap_and_wait("[data-testid=report-submit]", "reported", r"/maintenance/jobs/\d+/$")
    from houqin.maintenance.models import Job  # the repair module, reached only here to check what it recorded

    with scopes_disabled():
        job = Job.objects.get(org=world.org_a, asset=asset)
    assert (job.location_id, job.reporter_id) == (world.room_a.pk, clerk.user_id)
    assert errors == []
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).custodian_id == clerk.pk
