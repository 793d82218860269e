"""The loans API: the same scopes, filters, rules and services as the pages; the return step; bounded lists."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.choices import Role
from houqin.core.models import Compensation
from houqin.core.tenancy import scopes_disabled

from ..api.loans import LoanSerializer
from ..models import Asset, Loan
from .factories import make_asset
from .test_ledger_api import token_client
from .test_loans_pages import EXPECTED, bulk_loans, member
from .test_loans_pages import loans as loans

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def api(suffix: str = "", org: str = "org-a") -> str:
    return "/api/v1/o/{}/assets/loans/{}".format(org, suffix)


def send(client, address, data):
    return client.post(address, json.dumps(data), content_type="application/json", **EN)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def due(days=7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(who) for who, _e in EXPECTED])
def test_each_person_reads_exactly_their_loans(world, login, loans, who, expected):
    client = login(member(world, who))
    assert codes(client.get(api())) == {loans[name].code for name in expected}
    for name, loan in loans.items():
        assert client.get(api("{}/".format(loan.pk))).status_code == (200 if name in expected else 404), name


def test_the_bureau_and_org_b_read_nothing(world, login, loans):
    client = login(world.bureau_member)
    assert client.get(api()).status_code == 403
    assert client.get(api("{}/".format(loans["staff"].pk))).status_code == 403
    client = login(world.member_b)
    assert client.get(api()).status_code == 404
    assert codes(client.get(api(org="org-b"))) == set()
    for loan in loans.values():
        assert client.get(api("{}/".format(loan.pk), org="org-b")).status_code == 404
        assert send(client, api("{}/return/".format(loan.pk), org="org-b"), {"condition": "good"}).status_code == 404


def test_filters_are_the_pages(world, login, loans):
    client = login(world.member(Role.ASSET_CLERK))
    assert codes(client.get(api(), {"overdue": "true"})) == {loans["staff"].code}
    assert codes(client.get(api(), {"state": "returned"})) == {loans["outsider"].code}
    assert codes(client.get(api(), {"department": world.dept_a_child.pk})) == {loans["colleague"].code}


def test_a_row_names_exactly_the_documented_fields(world, login, loans):
    row = login(world.member(Role.ASSET_CLERK)).get(api("{}/".format(loans["staff"].pk))).json()
    assert set(row) == set(LoanSerializer().fields)
    assert row["overdue"] is True and row["state"] == "out" and row["borrower"]["id"] == world.member(Role.STAFF).pk
    assert row["asset"]["name"] == "投影仪" and row["url"].endswith("/loans/{}/".format(loans["staff"].pk))


def test_lend_and_take_back_through_the_api(world):
    asset = make_asset(world, name="数码相机", status="idle")
    clerk = token_client(world.member(Role.ASSET_CLERK))
    created = send(
        clerk, api(), {"asset": asset.pk, "borrower": world.member(Role.STAFF).pk, "due_on": due(), "purpose": "拍照"}
    )
    assert created.status_code == 201, created.content
    loan = created.json()
    assert loan["code"].startswith("JY-") and loan["status_before"] == "idle" and loan["state"] == "out"
    # Already lent: 400 naming the loan, on the field.
    again = send(
        clerk, api(), {"asset": asset.pk, "borrower": world.member("colleague").pk, "due_on": due(), "purpose": "x"}
    )
    assert again.status_code == 400 and loan["code"] in " ".join(again.json()["asset"])
    # The borrower may not take it back themselves.
    staff = token_client(world.member(Role.STAFF))
    assert send(staff, api("{}/return/".format(loan["id"])), {"condition": "good"}).status_code == 403
    bad = send(clerk, api("{}/return/".format(loan["id"])), {"condition": "lost", "compensation_amount": "0"})
    assert bad.status_code == 400 and {"note", "compensation_amount"} <= set(bad.json())
    back = send(
        clerk,
        api("{}/return/".format(loan["id"])),
        {"condition": "lost", "note": "遗失", "compensation_amount": "900.00"},
    )
    assert back.status_code == 200, back.content
    assert back.json()["condition"] == "lost" and back.json()["state"] == "returned"
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).status == "lost"
        assert Compensation.objects.get().amount == Decimal("900.00")
    assert send(clerk, api("{}/return/".format(loan["id"])), {"condition": "good"}).status_code == 400


def test_staff_borrow_for_themselves_by_default_and_never_for_others(world):
    asset = make_asset(world, name="篮球", value="300.00")
    staff = token_client(world.member(Role.STAFF))
    refused = send(
        staff,
        api(),
        {"asset": asset.pk, "borrower": world.member("colleague").pk, "due_on": due(), "purpose": "体育课"},
    )
    assert refused.status_code == 400 and "borrower" in refused.json()
    created = send(staff, api(), {"asset": asset.pk, "due_on": due(), "purpose": "体育课"})
    assert created.status_code == 201 and created.json()["borrower"]["id"] == world.member(Role.STAFF).pk
    theirs = make_asset(world, org=world.org_b)
    assert send(staff, api(), {"asset": theirs.pk, "due_on": due(), "purpose": "x"}).status_code == 400
    past = send(staff, api(), {"asset": make_asset(world).pk, "due_on": due(-1), "purpose": "x"})
    assert past.status_code == 400 and "due_on" in past.json()
    with scopes_disabled():
        assert Loan.objects.count() == 1


def test_the_bureau_lends_nothing(world, login):
    asset = make_asset(world)
    client = login(world.bureau_member)
    assert send(client, api(), {"asset": asset.pk, "due_on": due(), "purpose": "x"}).status_code == 403


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(api(), {"page_size": 200, "q": "课桌"})
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    return len(captured.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("role", [Role.ASSET_CLERK, Role.STAFF])
def test_the_list_runs_the_same_queries_for_10_and_500_loans(world, role):
    client = token_client(world.member(role))
    client.get(api())  # warm caches
    bulk_loans(world, 10, 0)
    small, listed_small = _list_queries(client)
    bulk_loans(world, 490, 10)
    large, listed_large = _list_queries(client)
    assert (listed_small, listed_large) == {Role.ASSET_CLERK: (10, 200), Role.STAFF: (5, 200)}[role]
    assert small == large
