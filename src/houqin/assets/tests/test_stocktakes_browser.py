"""盘点 on a phone in a real browser: a teacher sent round scans a label (the asset's page), counts it where it stands
and a second one elsewhere; the asset clerk follows the progress, records a surplus item, reads what closing will
change and closes. Every page at 375 px must fit the phone (no sideways scrolling)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.browser_support import PHONE, Phone, logged_in
from houqin.core.tests.factories import make_location

from ..choices import AssetStatus, CountResult, StocktakeScope, StocktakeState
from ..models import Asset, Stocktake, StocktakeLine
from ..services.stocktakes import stocktake_open
from .factories import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counting_on_a_phone_and_closing(browser, live_server, world):
    errors: list[str] = []
    with scopes_disabled():
        floor = world.room_a.parent
    room_102 = make_location(world.org_a, "102教室（多媒体）", "A1-102", LocationKind.ROOM, floor)
    projector = make_asset(world, name="投影仪（爱普生 CB-X06 教室专用）", custodian=world.member("outsider"))
    piano = make_asset(world, name="立式钢琴", category_code="A0501", location=room_102)
    missing = make_asset(world, name="实物展台", category_code="A0202")
    with org_scope(world.org_a):
        stocktake = stocktake_open(
            actor=build_actor(world.member(Role.ASSET_CLERK).user, world.org_a),
            name="2026 年秋季学期总务处固定资产清查盘点",
            scope=StocktakeScope.DEPARTMENT,
            department=world.dept_a,
        )
    base = live_server.url

    # A teacher (staff, who may not read these cards) counts the projector where it stands, the piano elsewhere.
    teacher_phone = Phone(
        logged_in(browser, live_server, world.member(Role.STAFF), **PHONE), "stocktake-teacher", errors
    )
    teacher = teacher_phone.page
    teacher.goto(base + "/o/org-a/a/{}/".format(projector.qr_token))
    teacher_phone.check("1-scan")
    assert teacher.locator('[data-testid="scan-open"]').count() == 0
    with teacher.expect_navigation():
        teacher.locator('[data-testid="stocktake-count-submit"]').tap()
    teacher_phone.check("2-counted")
    teacher.goto(base + "/o/org-a/a/{}/".format(piano.qr_token))
    teacher.select_option('[name="found_location"]', str(world.room_a.pk))
    with teacher.expect_navigation():
        teacher.locator('[data-testid="stocktake-count-submit"]').tap()
    teacher_phone.check("3-counted-elsewhere")
    with scopes_disabled():
        results = dict(StocktakeLine.objects.filter(stocktake=stocktake).values_list("asset_id", "result"))
    assert results == {
        projector.pk: CountResult.FOUND,
        piano.pk: CountResult.WRONG_LOCATION,
        missing.pk: CountResult.PENDING,
    }

    # The asset clerk follows it, records a surplus item, reads what closing changes and closes.
    clerk_phone = Phone(
        logged_in(browser, live_server, world.member(Role.ASSET_CLERK), **PHONE), "stocktake-clerk", errors
    )
    clerk = clerk_phone.page
    detail = base + reverse("assets:stocktake_detail", args=["org-a", stocktake.pk])
    clerk.goto(base + reverse("assets:stocktake_list", args=["org-a"]))
    clerk_phone.check("4-list")
    clerk.goto(detail)
    clerk_phone.check("5-detail")
    assert clerk.locator('[data-testid="stocktake-percent"]').inner_text().strip() == "67%"
    clerk.goto(base + reverse("assets:stocktake_surplus", args=["org-a", stocktake.pk]))
    clerk_phone.check("6-surplus")
    clerk.fill('[name="name"]', "落地扇")
    clerk.select_option('[name="category"]', label="\u3000A0202 办公设备 *")
    clerk.fill('[name="value"]', "260")
    clerk.select_option('[name="location"]', str(room_102.pk))
    with clerk.expect_navigation():
        clerk.locator('[data-testid="form-submit"]').tap()
    clerk_phone.check("7-surplus-recorded")
    clerk.goto(base + reverse("assets:stocktake_close", args=["org-a", stocktake.pk]))
    clerk_phone.check("8-close")
    with clerk.expect_navigation():
        clerk.locator('[data-testid="form-submit"]').tap()
    clerk_phone.check("9-closed")
    clerk.goto(base + reverse("assets:stocktake_print", args=["org-a", stocktake.pk]))
    clerk_phone.check("10-report")
    with scopes_disabled():
        assert Stocktake.objects.get(pk=stocktake.pk).state == StocktakeState.CLOSED
        assert Asset.objects.get(pk=missing.pk).status == AssetStatus.LOST
        assert Asset.objects.get(pk=piano.pk).location_id == world.room_a.pk
        fan = Asset.objects.get(name="落地扇")
        assert (fan.acquisition, fan.original_value, fan.department) == ("surplus", Decimal("260.00"), world.dept_a)
    assert not errors, errors
