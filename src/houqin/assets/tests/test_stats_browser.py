"""资产统计 and the asset card's repairs on a phone: nothing wider than 375 px, even with ten-billion-yuan sums."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from houqin.core.choices import Role
from houqin.core.tests.browser_support import PHONE, Phone
from houqin.core.tests.browser_support import logged_in as _context

from ..choices import AssetStatus
from .factories import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_figures_and_the_card_fit_a_phone(browser, live_server, world):
    for index, code in enumerate(("A0201", "A0202", "A0501", "A0301", "A0101")):
        make_asset(
            world,
            name="全自动生化分析仪及配套设备",
            value="9999999999.99",
            category_code=code,
            booked_on=date(2016 + index, 3, 1),
            status=AssetStatus.LENT if index == 2 else AssetStatus.IN_USE,
        )
    errors: list = []
    context = _context(browser, live_server, world.member(Role.LOGISTICS_HEAD), **PHONE)
    phone = Phone(context, "assets-stats", errors)
    phone.page.goto(live_server.url + reverse("assets:stats", args=[world.org_a.code]))
    phone.check("figures")
    assert phone.page.locator('[data-stat="original"]').first.inner_text().startswith("¥")
    phone.page.locator('[data-bs-target="#cat-A02"]').tap()  # the class opens onto its subclasses
    phone.page.locator("#cat-A02.show").wait_for()
    phone.check("figures-expanded")
    with phone.page.expect_navigation():
        phone.page.locator('[data-category="A0202"] a').first.tap()
    assert "category=A0202" in phone.page.url and phone.page.locator('[data-testid="asset-row"]').count() == 1
    phone.check("list-of-a-figure")
    asset = make_asset(world, name="投影仪", custodian=world.member(Role.STAFF))
    phone.page.goto(live_server.url + reverse("assets:asset_detail", args=[world.org_a.code, asset.pk]))
    phone.check("card-with-repairs")
    assert phone.page.locator('[data-panel="maintenance.repairs"]').count() == 1
    context.close()
    assert not errors, errors
