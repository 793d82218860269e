"""Loan pages by real HTTP requests: who sees which loans, lending and taking back through the forms (a damaged
return goes on to 报修, a lost one to compensation on the person's page), the label scan's buttons, the card's
panels, the report "下发未归还" whose every figure opens exactly its loans, exports and query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Compensation
from houqin.core.tenancy import org_scope, scopes_disabled

from ..models import Asset, Loan
from ..services.loans import loan_lend, loan_return
from .factories import make_asset
from .test_ledger_pages import bulk_assets

TODAY = timezone.localdate


def url(name, *args, org="org-a"):
    return reverse("assets:" + name, args=[org, *args])


def member(world, who):
    return world.bureau_member if who == "bureau" else world.member(who)


def lend(world, asset, borrower, *, due_on=None, purpose="公开课"):
    with org_scope(world.org_a):
        clerk = build_actor(world.member(Role.ASSET_CLERK).user, world.org_a)
        return loan_lend(
            actor=clerk, asset=asset, borrower=borrower, due_on=due_on or TODAY() + timedelta(days=7), purpose=purpose
        )


@pytest.fixture
def loans(world):
    """Three loans of org A:
    - "staff": a projector lent to the staff member of 总务处, overdue by three days;
    - "colleague": a drill lent to a colleague in 维修组 (under 总务处), due next week;
    - "outsider": a piano lent to a teacher of 语文组, returned in good order.
    """
    found = {
        "staff": lend(world, make_asset(world, name="投影仪", value="4800.00"), world.member(Role.STAFF)),
        "colleague": lend(world, make_asset(world, name="电钻", value="900.00"), world.member("colleague")),
        "outsider": lend(world, make_asset(world, name="钢琴", value="30000.00"), world.member("outsider")),
    }
    with scopes_disabled():
        Loan.objects.filter(pk=found["staff"].pk).update(due_on=TODAY() - timedelta(days=3))
    with org_scope(world.org_a):
        clerk = build_actor(world.member(Role.ASSET_CLERK).user, world.org_a)
        loan_return(actor=clerk, loan=Loan.objects.get(pk=found["outsider"].pk), condition="good")
    return found


ALL = {"staff", "colleague", "outsider"}
EXPECTED = [
    (Role.STAFF, {"staff"}),
    ("colleague", {"colleague"}),
    ("outsider", {"outsider"}),
    (Role.TECHNICIAN, set()),
    (Role.DEPT_HEAD, {"staff", "colleague"}),  # 总务处 and 维修组 below it, not 语文组
    (Role.ASSET_CLERK, ALL),
    (Role.LOGISTICS_HEAD, ALL),
    (Role.LEADER, ALL),
    (Role.FINANCE, ALL),
    (Role.ORG_ADMIN, ALL),
]


def listed(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r'data-testid="loan-row" data-code="([^"]+)"', response.content.decode()))


def exported(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(who) for who, _e in EXPECTED])
def test_each_person_lists_exports_and_opens_exactly_their_loans(world, login, loans, who, expected):
    client = login(member(world, who))
    wanted = {loans[name].code for name in expected}
    assert listed(client.get(url("loan_list"))) == wanted
    assert {row[0] for row in exported(client.get(url("loan_export")))[1:]} == wanted
    for name, loan in loans.items():
        assert client.get(url("loan_detail", loan.pk)).status_code == (200 if name in expected else 404), name


def test_the_bureau_and_org_b_reach_no_loans(world, login, loans):
    client = login(world.bureau_member)
    for name in ("loan_list", "loan_export", "loan_outstanding", "loan_lend"):
        assert client.get(url(name)).status_code == 403, name
    assert client.get(url("loan_detail", loans["staff"].pk)).status_code == 403
    client = login(world.member_b)
    for name in ("loan_list", "loan_export", "loan_outstanding", "loan_lend"):
        assert client.get(url(name)).status_code == 404, name
    for loan in loans.values():
        assert client.get(url("loan_detail", loan.pk)).status_code == 404
        assert client.get(url("loan_detail", loan.pk, org="org-b")).status_code == 404
        assert client.get(url("loan_return", loan.pk, org="org-b")).status_code == 404
    assert listed(client.get(url("loan_list", org="org-b"))) == set()


def test_filters_overdue_state_department_borrower_and_dates(world, login, loans):
    client = login(world.member(Role.ASSET_CLERK))
    codes = {name: loan.code for name, loan in loans.items()}
    assert listed(client.get(url("loan_list"), {"overdue": "true"})) == {codes["staff"]}
    assert listed(client.get(url("loan_list"), {"overdue": "false"})) == {codes["colleague"], codes["outsider"]}
    assert listed(client.get(url("loan_list"), {"state": "out"})) == {codes["staff"], codes["colleague"]}
    assert listed(client.get(url("loan_list"), {"department": world.dept_a_child.pk})) == {codes["colleague"]}
    assert listed(client.get(url("loan_list"), {"borrower": world.member("outsider").pk})) == {codes["outsider"]}
    today = TODAY().isoformat()
    assert listed(client.get(url("loan_list"), {"start": today, "end": today})) == set(codes.values())
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    assert listed(client.get(url("loan_list"), {"start": tomorrow})) == set()
    assert listed(client.get(url("loan_list"), {"q": "电钻"})) == {codes["colleague"]}
    # The export holds exactly the filtered loans.
    rows = exported(client.get(url("loan_export"), {"overdue": "true"}))
    assert [row[0] for row in rows[1:]] == [codes["staff"]]


def test_own_people_see_my_loans_without_the_report(world, login, loans):
    client = login(world.member(Role.STAFF))
    page = client.get(url("loan_list")).content.decode()
    assert 'data-testid="loan-outstanding"' not in page and 'data-testid="loan-lend"' in page
    page = login(world.member(Role.ASSET_CLERK)).get(url("loan_list")).content.decode()
    assert 'data-testid="loan-outstanding"' in page


# Lending through the form -------------------------------------------------------------------------


def test_the_clerk_lends_through_the_form_with_field_errors_first(world, login):
    asset = make_asset(world, name="数码相机", status="idle")
    client = login(world.member(Role.ASSET_CLERK))
    page = client.get(url("loan_lend") + "?asset={}".format(asset.pk))
    assert page.status_code == 200 and 'value="{}"'.format(asset.code) in page.content.decode()
    bad = client.post(
        url("loan_lend"),
        {"asset": "NO-SUCH", "borrower": world.member(Role.STAFF).pk, "due_on": "2020-01-01", "purpose": ""},
    )
    body = bad.content.decode()
    assert bad.status_code == 200
    assert 'data-field-error="asset"' in body and 'data-field-error="purpose"' in body
    bad = client.post(
        url("loan_lend"),
        {"asset": asset.code, "borrower": world.member(Role.STAFF).pk, "due_on": "2020-01-01", "purpose": "拍照"},
    )
    assert 'data-field-error="due_on"' in bad.content.decode()
    with scopes_disabled():
        assert not Loan.objects.exists()
    due = (TODAY() + timedelta(days=3)).isoformat()
    done = client.post(
        url("loan_lend"),
        {"asset": asset.code.lower(), "borrower": world.member(Role.STAFF).pk, "due_on": due, "purpose": "运动会拍照"},
    )
    with scopes_disabled():
        loan = Loan.objects.get()
    assert done.status_code == 302 and done["Location"] == url("loan_detail", loan.pk)
    detail = client.get(done["Location"]).content.decode()
    assert loan.code in detail and 'data-testid="timeline-event"' in detail and 'data-testid="loan-return"' in detail


def test_a_teacher_borrows_for_themselves_only(world, login):
    asset = make_asset(world, name="篮球", value="300.00")
    client = login(world.member(Role.STAFF))
    page = client.get(url("loan_lend")).content.decode()
    assert 'name="borrower"' not in page and 'name="asset"' in page
    due = (TODAY() + timedelta(days=2)).isoformat()
    # A borrower sent anyway is ignored: the loan is theirs.
    response = client.post(
        url("loan_lend"),
        {"asset": asset.code, "borrower": world.member("colleague").pk, "due_on": due, "purpose": "体育课"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Loan.objects.get().borrower_id == world.member(Role.STAFF).pk


# The scan page and the card -----------------------------------------------------------------------


def test_scan_page_offers_borrow_then_take_back(world, login):
    asset = make_asset(world, name="投影仪", custodian=world.member(Role.STAFF))
    scan = "/o/org-a/a/{}/".format(asset.qr_token)
    clerk, staff = login(world.member(Role.ASSET_CLERK)), None
    page = clerk.get(scan).content.decode()
    assert 'data-testid="loan-borrow"' in page and 'data-testid="loan-return"' not in page
    assert url("loan_lend") + "?asset={}".format(asset.pk) in page
    loan = lend(world, asset, world.member(Role.STAFF))
    page = clerk.get(scan).content.decode()
    assert 'data-testid="loan-borrow"' not in page and 'data-testid="loan-return"' in page
    assert url("loan_return", loan.pk) in page and 'data-testid="scan-open-loan"' in page
    staff = login(world.member(Role.STAFF))
    page = staff.get(scan).content.decode()  # the borrower keeps it: no 借用, and the return check is the clerk's
    assert 'data-testid="loan-borrow"' not in page and 'data-testid="loan-return"' not in page


def test_a_teacher_is_not_offered_to_borrow_what_they_keep_or_use(world, login):
    mine = make_asset(world, name="笔记本电脑", custodian=world.member(Role.STAFF))
    shared = make_asset(world, name="录音笔", user_person=world.member(Role.STAFF), custodian=None)
    staff = login(world.member(Role.STAFF))
    for asset in (mine, shared):
        assert 'data-testid="loan-borrow"' not in staff.get(url("asset_detail", asset.pk)).content.decode()
    # The asset clerk lends what a teacher keeps to someone else.
    clerk = login(world.member(Role.ASSET_CLERK))
    assert 'data-testid="loan-borrow"' in clerk.get(url("asset_detail", mine.pk)).content.decode()


def test_the_bureau_sees_no_loan_buttons_on_the_card(world, login, loans):
    asset = make_asset(world, name="数码相机")
    page = login(world.bureau_member).get(url("asset_detail", asset.pk)).content.decode()
    assert 'data-testid="loan-borrow"' not in page and 'data-testid="asset-compensation"' not in page


def test_damaged_return_goes_on_to_a_prefilled_repair_report(world, login):
    asset = make_asset(world, name="投影仪")
    loan = lend(world, asset, world.member(Role.STAFF))
    client = login(world.member(Role.ASSET_CLERK))
    page = client.get(url("loan_return", loan.pk)).content.decode()
    assert 'data-testid="condition-damaged"' in page and 'name="compensation_amount"' in page
    missing = client.post(url("loan_return", loan.pk), {"condition": "damaged", "report_repair": "on"})
    assert 'data-field-error="note"' in missing.content.decode()
    done = client.post(
        url("loan_return", loan.pk),
        {"condition": "damaged", "note": "灯泡不亮", "report_repair": "on", "compensation_amount": ""},
    )
    report = reverse("maintenance:job_report", args=["org-a"])
    assert done.status_code == 302
    assert done["Location"] == "{}?asset={}&location={}".format(report, asset.pk, world.room_a.pk)
    assert client.get(done["Location"]).status_code == 200
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).status == "in_use" and not Compensation.objects.exists()
    # The loan's page keeps offering 报修 for it.
    detail = client.get(url("loan_detail", loan.pk)).content.decode()
    assert 'data-testid="loan-report-repair"' in detail and 'data-condition="damaged"' in detail
    # Taking it back twice is not possible.
    again = client.get(url("loan_return", loan.pk))
    assert again.status_code == 302 and again["Location"] == url("loan_detail", loan.pk)


def test_lost_return_with_compensation_shows_on_the_persons_page_and_the_card(world, login):
    asset = make_asset(world, name="数码相机", value="3200.00")
    loan = lend(world, asset, world.member(Role.STAFF))
    client = login(world.member(Role.ASSET_CLERK))
    done = client.post(
        url("loan_return", loan.pk),
        {
            "condition": "lost",
            "note": "春游时遗失",
            "compensation_person": world.member(Role.STAFF).pk,
            "compensation_amount": "1500.00",
        },
    )
    assert done.status_code == 302 and done["Location"] == url("loan_detail", loan.pk)
    with scopes_disabled():
        assert Asset.objects.get(pk=asset.pk).status == "lost"
        compensation = Compensation.objects.get()
    assert compensation.amount == Decimal("1500.00")
    person = client.get(reverse("core:person_detail", args=["org-a", world.member(Role.STAFF).pk])).content.decode()
    assert 'data-testid="compensation-source"' in person and url("loan_detail", loan.pk) in person
    # The borrower sees it on their own page too, and the card lists it.
    own = login(world.member(Role.STAFF)).get(
        reverse("core:person_detail", args=["org-a", world.member(Role.STAFF).pk])
    )
    assert "1500.00" in own.content.decode()
    card = login(world.member(Role.ASSET_CLERK)).get(url("asset_detail", asset.pk)).content.decode()
    assert 'data-testid="asset-compensations"' in card and "1500.00" in card and loan.code in card


def test_compensation_recorded_on_the_card(world, login):
    asset = make_asset(world, name="打印机", custodian=world.member("colleague"))
    client = login(world.member(Role.ASSET_CLERK))
    card = client.get(url("asset_detail", asset.pk)).content.decode()
    assert 'data-testid="asset-compensation"' in card and 'data-testid="loan-borrow"' in card
    bad = client.post(url("asset_compensation", asset.pk), {"person": world.member("colleague").pk, "reason": ""})
    assert 'data-field-error="amount"' in bad.content.decode()
    done = client.post(
        url("asset_compensation", asset.pk),
        {"person": world.member("colleague").pk, "amount": "88.00", "reason": "进纸器损坏"},
    )
    assert done.status_code == 302
    with scopes_disabled():
        compensation = Compensation.objects.get()
    assert (compensation.source, compensation.person_id) == (asset, world.member("colleague").pk)
    person = client.get(reverse("core:person_detail", args=["org-a", world.member("colleague").pk])).content.decode()
    assert url("asset_detail", asset.pk) in person
    # Staff and department heads record none.
    for who in (Role.STAFF, Role.DEPT_HEAD, Role.LEADER):
        assert login(world.member(who)).get(url("asset_compensation", asset.pk)).status_code in (403, 404)


# The report ---------------------------------------------------------------------------------------


def _links(page: str, testid: str) -> list[str]:
    return [
        link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)" [^>]*data-testid="{}"'.format(testid), page)
    ]


def test_outstanding_by_department_links_to_exactly_its_loans(world, login, loans):
    screen = make_asset(world, name="移动白板", value="1200.00", category_code="A0501")  # furniture, not equipment
    extra = lend(world, screen, world.member(Role.DEPT_HEAD))
    client = login(world.member(Role.ASSET_CLERK))
    page = client.get(url("loan_outstanding")).content.decode()
    rows = re.findall(
        r'data-testid="outstanding-row" data-department="(\d+)">\s*<td>[^<]*</td>\s*<td[^>]*><a[^>]*>(\d+)</a></td>'
        r"\s*<td[^>]*>¥([\d.]+)</td>",
        page,
    )
    assert {int(d): (int(n), Decimal(v)) for d, n, v in rows} == {
        world.dept_a.pk: (2, Decimal("6000.00")),  # the projector (overdue) and the whiteboard
        world.dept_a_child.pk: (1, Decimal("900.00")),
    }
    counted = {loans["staff"].code, loans["colleague"].code, extra.code}
    opened = set()
    for link in _links(page, "outstanding-count"):
        opened |= listed(client.get(link))
    assert opened == counted
    overdue = _links(page, "outstanding-overdue")
    assert len(overdue) == 1 and listed(client.get(overdue[0])) == {loans["staff"].code}
    rows = exported(client.get(url("loan_outstanding_export")))
    assert rows[-1][1:] == (3, 6900, 1) and sum(row[1] for row in rows[1:-1]) == 3
    # Narrowed to a category (教学设备: A02), the figures and their links hold only those loans.
    page = client.get(url("loan_outstanding"), {"category": "A02"}).content.decode()
    links = _links(page, "outstanding-count")
    assert all("category=A02" in link for link in links)
    assert set().union(*(listed(client.get(link)) for link in links)) == counted - {extra.code}
    rows = exported(client.get(url("loan_outstanding_export"), {"category": "A02"}))
    assert rows[-1][1:] == (2, 5700, 1)
    # The department head's report is their department's.
    page = login(world.member(Role.DEPT_HEAD)).get(url("loan_outstanding")).content.decode()
    assert len(re.findall('data-testid="outstanding-row"', page)) == 2


def test_the_overdue_loan_is_on_the_home_page(world, login, loans):
    page = login(world.member(Role.STAFF)).get(reverse("core:home", args=["org-a"])).content.decode()
    assert "投影仪" in page and url("loan_detail", loans["staff"].pk) in page
    page = login(world.member(Role.ASSET_CLERK)).get(reverse("core:home", args=["org-a"])).content.decode()
    assert url("loan_list") + "?overdue=true" in page


# Query counts -----------------------------------------------------------------------------------


def bulk_loans(world, n, start):
    bulk_assets(world, n, start)
    with org_scope(world.org_a):
        assets = list(Asset.objects.filter(code__gte="B-{:05d}".format(start)).order_by("code")[:n])
        Loan.objects.bulk_create(
            [
                Loan(
                    org=world.org_a,
                    code="JY-2026-{:05d}".format(start + i + 1),
                    asset=asset,
                    borrower=world.member(Role.STAFF) if i % 2 else world.member("colleague"),
                    department=world.dept_a if i % 2 else world.dept_a_child,
                    purpose="课堂教学",
                    due_on=date(2026, 1, 1) if i % 3 else TODAY() + timedelta(days=30),
                    lent_by=world.member(Role.ASSET_CLERK).user,
                    status_before="in_use",
                )
                for i, asset in enumerate(assets)
            ]
        )


def page_queries(client, address) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    codes = listed(response)
    assert not [
        q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "assets_loan" in q["sql"]
    ]
    return len(captured.captured_queries), len(codes)


@pytest.mark.parametrize("role", [Role.ASSET_CLERK, Role.STAFF, Role.DEPT_HEAD])
def test_the_list_page_runs_the_same_queries_for_10_and_500_loans(world, login, role):
    client = login(world.member(role))
    client.get(url("loan_list"))  # warm caches
    bulk_loans(world, 10, 0)
    small, listed_small = page_queries(client, url("loan_list") + "?q=课桌")
    bulk_loans(world, 490, 10)
    large, listed_large = page_queries(client, url("loan_list") + "?q=课桌")
    expected = {Role.ASSET_CLERK: (10, 50), Role.STAFF: (5, 50), Role.DEPT_HEAD: (10, 50)}[role]
    assert (listed_small, listed_large) == expected
    assert small == large


def test_the_report_runs_the_same_queries_for_10_and_500_loans(world, login):
    client = login(world.member(Role.ASSET_CLERK))
    client.get(url("loan_outstanding"))
    bulk_loans(world, 10, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(url("loan_outstanding"))
    bulk_loans(world, 490, 10)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url("loan_outstanding")).content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    assert ">500</a>" in page
