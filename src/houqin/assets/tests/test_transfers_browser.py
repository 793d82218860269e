"""Transfers and disposals in a real browser on phones: the asset clerk asks from the asset card, the receiving
department's head approves on a phone, then a second asset clerk; the disposal pages likewise. Every page at 375 px
must fit the phone (no sideways scrolling)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houqin.core.choices import Role
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.browser_support import PHONE, Phone, logged_in
from houqin.core.tests.factories import make_member

from ..choices import AssetStatus, DisposalState, TransferState
from ..models import Asset, Disposal, Transfer
from .factories import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_transfer_and_a_disposal_are_asked_for_and_approved_on_phones(world, live_server, browser):
    errors: list[str] = []
    head_other = make_member(world.org_a, Role.DEPT_HEAD, department=world.dept_a_other, employee_no="H01")
    pc = make_asset(world, name="台式计算机（教师办公室长期使用，型号较长的名称）", custodian=world.member(Role.STAFF))
    old = make_asset(world, name="旧打印机", status=AssetStatus.IDLE)

    # The logistics head opens the card and asks for the transfer to 语文组.
    head = Phone(logged_in(browser, live_server, world.member(Role.LOGISTICS_HEAD), **PHONE), "transfer-head", errors)
    head.page.goto(live_server.url + reverse("assets:asset_detail", args=["org-a", pc.pk]))
    head.check("card")
    head.tap_and_wait("[data-testid=asset-transfer]", "form", r"/transfers/new/\?ids={}".format(pc.pk))
    head.page.select_option("select[name=to_department]", str(world.dept_a_other.pk))
    head.page.fill("input[name=reason]", "语文组新办公室")
    head.tap_and_wait("[data-testid=form-submit]", "requested", r"/transfers/\d+/$")
    with scopes_disabled():
        transfer = Transfer.objects.get()
    assert transfer.state == TransferState.PENDING

    # The head of 语文组 approves on a phone, from the transfer page through its approval.
    receiver = Phone(logged_in(browser, live_server, head_other, **PHONE), "transfer-receiver", errors)
    receiver.page.goto(live_server.url + reverse("assets:transfer_detail", args=["org-a", transfer.pk]))
    receiver.check("transfer")
    receiver.tap_and_wait("[data-testid=approval-link]", "approval", r"/approvals/\d+/$")
    receiver.tap_and_wait("button[name=decision][value=approve]", "approved", r"/approvals/\d+/$")

    clerk = Phone(logged_in(browser, live_server, world.member(Role.ASSET_CLERK), **PHONE), "transfer-clerk", errors)
    clerk.page.goto(live_server.url + reverse("assets:transfer_detail", args=["org-a", transfer.pk]))
    clerk.check("transfer-second-step")
    clerk.tap_and_wait("[data-testid=approval-link]", "approval", r"/approvals/\d+/$")
    clerk.tap_and_wait("button[name=decision][value=approve]", "approved", r"/approvals/\d+/$")
    with scopes_disabled():
        assert Transfer.objects.get().state == TransferState.DONE
        assert Asset.objects.get(pk=pc.pk).department_id == world.dept_a_other.pk
    clerk.page.goto(live_server.url + reverse("assets:transfer_list", args=["org-a"]))
    clerk.check("transfer-list")
    clerk.page.goto(live_server.url + reverse("assets:transfer_print", args=["org-a", transfer.pk]))
    clerk.check("transfer-print")

    # The asset clerk asks to scrap the old printer; the pages fit the phone too.
    clerk.page.goto(live_server.url + reverse("assets:asset_detail", args=["org-a", old.pk]))
    clerk.tap_and_wait("[data-testid=asset-dispose]", "disposal-form", r"/disposals/new/\?ids={}".format(old.pk))
    clerk.page.fill("textarea[name=reason]", "打印头损坏，无维修价值")
    clerk.tap_and_wait("[data-testid=form-submit]", "disposal", r"/disposals/\d+/$")
    with scopes_disabled():
        assert Disposal.objects.get().state == DisposalState.PENDING
    clerk.page.goto(live_server.url + reverse("assets:disposal_list", args=["org-a"]))
    clerk.check("disposal-list")
    assert errors == []
