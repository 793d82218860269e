"""Outside parties: credit codes, services, pages, their people, licence expiry reminders, and the API."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core import orgsettings, tick
from houqin.core import party_services as services
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Membership, Notification, Party, PartyContact, PartyLicence
from houqin.core.models.parties import credit_code_check_char, validate_credit_code
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_attachment, make_member, make_party

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _actor(world, role=Role.ORG_ADMIN):
    return build_actor(world.member(role).user, world.org_a)


# Unified social credit code (GB 32100-2015) --------------------------------------------------


@pytest.mark.parametrize("code", ["914403001922038216", "91110000600037341L", "91350100M000100Y43"])
def test_real_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038217",  # wrong check character
        "91440300192203821",  # 17 characters
        "91440300192203821O",  # O is not in the alphabet
        "9144030019220382I6",
        "914403001922038216 ",
    ],
)
def test_wrong_credit_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_the_check_character_is_computed_from_the_weights():
    # 17 zeros weigh nothing: the check is 31 - 0 mod 31 → 0; a single 1 in front weighs 1 → 31 - 1 = 30 → "Y".
    assert credit_code_check_char("0" * 17) == "0"
    assert credit_code_check_char("1" + "0" * 16) == "Y"


# Services -------------------------------------------------------------------------------------


def test_party_create_update_and_its_rules(world):
    actor = _actor(world)
    with org_scope(world.org_a):
        party = services.party_create(
            actor=actor, name="城南物业管理有限公司", kind="property_manager", credit_code="914403001922038216"
        )
        with pytest.raises(ValidationError) as error:
            services.party_create(actor=actor, name="城南物业管理有限公司", kind="supplier")
        assert "name" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.party_create(actor=actor, name="另一家", kind="supplier", credit_code="914403001922038217")
        assert "credit_code" in error.value.message_dict
        services.party_update(actor=actor, party=party, contact_name="王经理", is_active=False)
        party.refresh_from_db()
        assert party.contact_name == "王经理" and not party.is_active
        assert party.history.count() == 2
        with pytest.raises(PermissionDenied):
            services.party_create(actor=_actor(world, Role.STAFF), name="不许", kind="supplier")
        assert Party.objects.count() == 1


def test_licences_and_contacts(world):
    actor = _actor(world, Role.PURCHASER)
    party = make_party(world.org_a)
    with org_scope(world.org_a):
        licence = services.party_licence_create(
            actor=actor, party=party, kind="business_licence", number="N1", expires_on=date(2030, 1, 1)
        )
        with pytest.raises(ValidationError) as error:
            services.party_licence_create(actor=actor, party=party, kind="no_such_kind")
        assert "kind" in error.value.message_dict
        with pytest.raises(ValidationError):
            services.party_licence_update(
                actor=actor, licence=licence, issued_on=date(2031, 1, 1), expires_on=date(2030, 1, 1)
            )
        contact = services.party_contact_create(actor=actor, party=party, name="李工", phone="021-5555")
        services.party_contact_update(actor=actor, contact=contact, position="项目经理")
        services.party_contact_delete(actor=actor, contact=contact)
        assert not party.contacts.exists()
        assert PartyContact.history.filter(name="李工", history_type="-").exists()


def test_another_orgs_party_cannot_be_linked(world):
    other = make_party(world.org_b, "乙医院的供应商")
    with org_scope(world.org_a), pytest.raises(ValidationError) as error:
        PartyLicence(org=world.org_a, party=other, kind="other").full_clean()
    assert "party" in error.value.message_dict


# Pages ----------------------------------------------------------------------------------------


def test_pages_create_and_show_a_party_with_expiry_badges(world, login):
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.post(
        reverse("core:party_create", args=["org-a"]),
        {"name": "东方电梯维保有限公司", "kind": "maintenance", "credit_code": "91110000 600037341l"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        party = Party.objects.get(name="东方电梯维保有限公司")
    assert party.credit_code == "91110000600037341L"  # spaces and lower case from copying are fixed
    today = timezone.localdate()
    for number, expires_on in (("OLD", today - timedelta(days=1)), ("SOON", today + timedelta(days=10))):
        client.post(
            reverse("core:party_licence_create", args=["org-a", party.pk]),
            {"kind": "special_equipment", "number": number, "expires_on": expires_on.isoformat()},
        )
    html = client.get(reverse("core:party_detail", args=["org-a", party.pk])).content.decode()
    assert html.count('data-testid="licence"') == 2
    assert "bg-danger-lt" in html and "bg-orange-lt" in html
    assert 'id="history"' in html and 'data-testid="attachments"' in html

    listed = client.get(reverse("core:party_list", args=["org-a"]), {"licence": "expiring"})
    assert [p.pk for p in listed.context["page"]["rows"]] == [party.pk]
    assert (
        list(client.get(reverse("core:party_list", args=["org-a"]), {"kind": "supplier"}).context["page"]["rows"]) == []
    )


def test_the_party_list_exports_its_filtered_rows_with_licences_formula_safe(world, login):
    lift = make_party(world.org_a, "=东方电梯维保有限公司", kind="maintenance", contact_phone="+86 571 8600")
    make_party(world.org_a, "城南食材配送有限公司", kind="supplier")
    make_party(world.org_a, "已停用物业公司", kind="maintenance", is_active=False)
    make_party(world.org_b, "乙单位维保公司", kind="maintenance")
    with scopes_disabled():
        PartyLicence.objects.create(org=world.org_a, party=lift, kind="business_licence")
        PartyLicence.objects.create(
            org=world.org_a, party=lift, kind="special_equipment", expires_on=date(2026, 12, 15)
        )
    client = login(world.member(Role.LOGISTICS_HEAD))
    list_page = client.get(reverse("core:party_list", args=["org-a"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'formaction="{}"'.format(reverse("core:party_export", args=["org-a"])) in list_page
    response = client.get(
        reverse("core:party_export", args=["org-a"]), {"kind": "maintenance"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("Name", "Kind") and "Licences" in header
    assert len(rows) == 2  # the active maintenance contractor of org A only
    row = dict(zip(header, rows[1], strict=True))
    assert row["Name"] == "'=东方电梯维保有限公司"  # a spreadsheet does not run it
    assert row["Contact phone"] == "'+86 571 8600"
    special = "Special equipment installation, alteration and repair licence"
    assert row["Licences"] == special + " (until 2026-12-15); Business licence (no expiry)"
    assert login(world.member(Role.STAFF)).get(reverse("core:party_export", args=["org-a"])).status_code == 403


def test_a_licence_scan_is_in_the_partys_history(world, login):
    admin = world.member(Role.ORG_ADMIN)
    party = make_party(world.org_a)
    with scopes_disabled():
        licence = PartyLicence.objects.create(org=world.org_a, party=party, kind="business_licence")
    make_attachment(licence, admin.user, name="营业执照扫描件.png")
    page = login(admin).get(reverse("core:party_detail", args=["org-a", party.pk]), HTTP_ACCEPT_LANGUAGE="en")
    history = page.content.decode().split('id="history"', 1)[1]
    assert "created attachment" in " ".join(re.sub(r"<[^>]+>", " ", history).split())


def test_staff_cannot_open_parties(world, login):
    assert login(world.member(Role.STAFF)).get(reverse("core:party_list", args=["org-a"])).status_code == 403


def test_people_of_a_party_hold_roles_and_are_listed(world, login):
    party = make_party(world.org_a)
    client = login(world.member(Role.ORG_ADMIN))
    detail = client.get(reverse("core:party_detail", args=["org-a", party.pk])).content.decode()
    add_url = reverse("core:person_create", args=["org-a"]) + "?party={}".format(party.pk)
    assert add_url in detail
    form = client.get(add_url)
    assert form.context["form"]["party"].value() == str(party.pk)
    response = client.post(
        add_url, {"name": "物业维修工", "phone": "13811117777", "party": party.pk, "roles": [Role.TECHNICIAN]}
    )
    assert response.status_code == 200  # the one-time password page
    with scopes_disabled():
        membership = Membership.objects.get(user__phone="13811117777")
        assert membership.party == party and membership.role_grants.get().role == Role.TECHNICIAN
    people = client.get(reverse("core:person_list", args=["org-a"]), {"from_party": "true"})
    assert [m.pk for m in people.context["page"]["rows"]] == [membership.pk]
    own = client.get(reverse("core:person_list", args=["org-a"]), {"from_party": "false"})
    assert membership.pk not in [m.pk for m in own.context["page"]["rows"]]
    assert "物业维修工" in client.get(reverse("core:party_detail", args=["org-a", party.pk])).content.decode()


# Licence expiry: to-dos and the tick job ------------------------------------------------------


def _licence(world, expires_on: date, party=None) -> PartyLicence:
    party = party or make_party(world.org_a, "食材供应商")
    with scopes_disabled():
        return PartyLicence.objects.create(
            org=world.org_a, party=party, kind="food_business", number="JY1", expires_on=expires_on
        )


def _run(now: datetime) -> int:
    with time_machine.travel(now, tick=False):
        return tick.JOBS["parties.licence_expiry"].run(now)


def _notifications(event: str) -> list:
    with scopes_disabled():
        return list(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def test_the_tick_job_reminds_once_per_threshold(world):
    now = datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)
    licence = _licence(world, date(2026, 5, 20))
    _licence(world, date(2026, 9, 1), party=make_party(world.org_a, "远期"))  # not due yet
    make_member(world.org_b, Role.LOGISTICS_HEAD)
    _licence_b = make_party(world.org_b, "乙的供应商")
    with scopes_disabled():
        PartyLicence.objects.create(org=world.org_b, party=_licence_b, kind="other", expires_on=date(2026, 5, 2))

    assert _run(now) == 2  # org A's licence and org B's
    heads = {world.member(Role.LOGISTICS_HEAD).user.pk, world.member(Role.ORG_ADMIN).user.pk}
    with scopes_disabled():
        org_a_recipients = set(
            Notification.objects.filter(org=world.org_a, event="parties.licence_expiring").values_list(
                "recipient_id", flat=True
            )
        )
    assert org_a_recipients == heads
    count = len(_notifications("parties.licence_expiring"))

    assert _run(now) == 0  # the same clock again: nothing new
    assert len(_notifications("parties.licence_expiring")) == count

    after_expiry = datetime(2026, 5, 21, 9, 0, tzinfo=SHANGHAI)
    assert _run(after_expiry) == 2  # both have now expired
    assert _run(after_expiry) == 0
    assert set(_notifications("parties.licence_expired")) >= heads

    # Renewed: a new expiry date starts the reminders over.
    with scopes_disabled():
        PartyLicence.objects.filter(pk=licence.pk).update(expires_on=date(2026, 6, 10))
    assert _run(after_expiry) == 1
    with scopes_disabled():
        licence.refresh_from_db()
    assert (licence.reminded, licence.reminded_for) == ("expiring", date(2026, 6, 10))


def test_the_tick_job_reminds_by_each_orgs_warning_days_reading_each_org_once(world):
    _warn_days_before(world, 10)  # org B keeps the default 30 days
    near = _licence(world, date(2026, 5, 8))
    later = _licence(world, date(2026, 5, 21), party=make_party(world.org_a, "二十天后到期"))
    _licence(world, date(2026, 7, 1), party=make_party(world.org_a, "两个月后到期"))
    make_member(world.org_b, Role.LOGISTICS_HEAD)
    party_b = make_party(world.org_b, "乙的供应商")
    with scopes_disabled():
        for number in ("B1", "B2", "B3"):
            PartyLicence.objects.create(
                org=world.org_b, party=party_b, kind="other", number=number, expires_on=date(2026, 5, 21)
            )

    with CaptureQueriesContext(connection) as queries:
        assert _run(datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)) == 4  # A's 7 days out and B's three 20 days out
    reads = [query for query in queries.captured_queries if services.LICENCE_WARNING_DAYS.key in query["sql"]]
    assert len(reads) == 2  # once per org, not once per licence
    with scopes_disabled():
        assert PartyLicence.objects.get(pk=later.pk).reminded == ""  # 20 days is beyond org A's 10

    eleven_days_later = datetime(2026, 5, 11, 9, 0, tzinfo=SHANGHAI)
    assert _run(eleven_days_later) == 2  # A's near one expired, A's later one now within 10 days
    assert _run(eleven_days_later) == 0
    with scopes_disabled():
        assert PartyLicence.objects.get(pk=near.pk).reminded == "expired"
        assert PartyLicence.objects.get(pk=later.pk).reminded == "expiring"


def test_a_licence_entered_already_expired_gets_only_the_expired_notice(world):
    _licence(world, date(2026, 1, 1))
    assert _run(datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)) == 1
    assert _notifications("parties.licence_expiring") == []
    assert _notifications("parties.licence_expired")


def test_inactive_parties_are_not_reminded_of(world):
    party = make_party(world.org_a, "已停用", is_active=False)
    _licence(world, date(2026, 5, 2), party=party)
    assert _run(datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)) == 0


def test_the_todo_links_to_exactly_its_parties(world, login):
    _licence(world, date.today() + timedelta(days=5))
    client = login(world.member(Role.ORG_ADMIN))
    todos = [t for t in client.get(reverse("core:home", args=["org-a"])).context["todos"] if "licence" in t.url]
    assert [(t.count, t.level) for t in todos] == [(1, "warning")]
    listed = client.get(todos[0].url)
    assert len(listed.context["page"]["rows"]) == todos[0].count
    staff_home = login(world.member(Role.STAFF)).get(reverse("core:home", args=["org-a"]))
    assert not [t for t in staff_home.context["todos"] if "licence" in t.url]


def _warn_days_before(world, days: int) -> None:
    with org_scope(world.org_a):
        orgsettings.settings_update(actor=_actor(world), values={services.LICENCE_WARNING_DAYS.key: days})


def test_the_orgs_warning_days_decide_which_licences_are_expiring(world, login):
    today = timezone.localdate()
    soon = _licence(world, today + timedelta(days=5), party=make_party(world.org_a, "五天后到期"))
    later = _licence(world, today + timedelta(days=20), party=make_party(world.org_a, "二十天后到期"))
    client = login(world.member(Role.ORG_ADMIN))

    def expiring_parties() -> set[int]:
        page = client.get(reverse("core:party_list", args=["org-a"]), {"licence": "expiring"})
        api = client.get(reverse("api_party-list", args=["org-a"]), {"licence": "expiring"}).json()["results"]
        assert {row["id"] for row in api} == {party.pk for party in page.context["page"]["rows"]}
        return {party.pk for party in page.context["page"]["rows"]}

    def todo() -> tuple[str, int]:
        home = client.get(reverse("core:home", args=["org-a"])).context["todos"]
        (found,) = [t for t in home if t.url.endswith("licence=expiring")]
        return found.title, found.count

    def api_expiry() -> dict[int, str]:
        rows = client.get(reverse("api_party_licence-list", args=["org-a"])).json()["results"]
        return {row["id"]: row["expiry"] for row in rows}

    def badge_on_page(licence) -> bool:
        html = client.get(reverse("core:party_detail", args=["org-a", licence.party_id])).content.decode()
        return "bg-orange-lt" in html

    assert expiring_parties() == {soon.party_id, later.party_id}  # the default: 30 days
    title, count = todo()
    assert count == 2 and "30" in title
    assert api_expiry() == {soon.pk: "expiring", later.pk: "expiring"}

    _warn_days_before(world, 10)
    assert expiring_parties() == {soon.party_id}
    title, count = todo()
    assert count == 1 and "10" in title
    assert api_expiry() == {soon.pk: "expiring", later.pk: ""}
    assert badge_on_page(soon) and not badge_on_page(later)


# API ------------------------------------------------------------------------------------------


def test_api_parties_with_licences_and_contacts(world, login):
    client = login(world.member(Role.PURCHASER))
    response = client.post(
        reverse("api_party-list", args=["org-a"]),
        {"name": "绿源食品配送", "kind": "supplier", "credit_code": "91350100M000100Y43"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    party_id = response.json()["id"]
    licence = client.post(
        reverse("api_party_licence-list", args=["org-a"]),
        {"party": party_id, "kind": "food_business", "number": "JY13501", "expires_on": "2020-01-01"},
        content_type="application/json",
    )
    assert licence.status_code == 201 and licence.json()["expiry"] == "expired"
    client.post(
        reverse("api_party_contact-list", args=["org-a"]),
        {"party": party_id, "name": "陈经理", "phone": "13900001111"},
        content_type="application/json",
    )
    detail = client.get(reverse("api_party-detail", args=["org-a", party_id])).json()
    assert [c["name"] for c in detail["contacts"]] == ["陈经理"]
    assert [lic["number"] for lic in detail["licences"]] == ["JY13501"]
    bad = client.post(
        reverse("api_party-list", args=["org-a"]),
        {"name": "错码", "kind": "supplier", "credit_code": "91350100M000100Y44"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "credit_code" in bad.json()
    filtered = client.get(reverse("api_party-list", args=["org-a"]), {"licence": "expired"}).json()["results"]
    assert [row["id"] for row in filtered] == [party_id]
