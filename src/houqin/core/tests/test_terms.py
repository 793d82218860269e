"""Terms and breaks (学期, 寒假, 暑假) and the org's holiday table: selectors, services and their pages."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from houqin.core import terms, workcalendar
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import CalendarDay, CalendarDayKind, Term, TermKind
from houqin.core.tenancy import org_scope, scopes_disabled


@pytest.fixture
def admin(world):
    with org_scope(world.org_a):
        yield build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)


def _school_year(actor):
    for name, kind, start, end in [
        ("2026–2027 第一学期", TermKind.TERM, date(2026, 9, 1), date(2027, 1, 22)),
        ("2027 寒假", TermKind.WINTER_BREAK, date(2027, 1, 23), date(2027, 2, 21)),
        ("2026–2027 第二学期", TermKind.TERM, date(2027, 2, 22), date(2027, 7, 2)),
        ("2027 暑假", TermKind.SUMMER_BREAK, date(2027, 7, 3), date(2027, 8, 31)),
        ("2026 国庆假期", TermKind.OTHER_BREAK, date(2026, 10, 1), date(2026, 10, 7)),
    ]:
        terms.term_create(actor=actor, name=name, kind=kind, start=start, end=end)


# Selectors -----------------------------------------------------------------------------------------


def test_term_at_finds_the_term_or_break_of_a_day(admin):
    _school_year(admin)
    org = admin.org
    assert terms.term_at(org, date(2026, 9, 1)).name == "2026–2027 第一学期"
    assert terms.term_at(org, date(2027, 1, 22)).name == "2026–2027 第一学期"
    assert terms.term_at(org, date(2027, 1, 23)).name == "2027 寒假"
    assert terms.term_at(org, date(2027, 8, 31)).name == "2027 暑假"
    assert terms.term_at(org, date(2026, 8, 31)) is None
    # A break inside a term is the more specific answer; kind= asks for the term itself.
    assert terms.term_at(org, date(2026, 10, 3)).name == "2026 国庆假期"
    assert terms.term_at(org, date(2026, 10, 3), kind=TermKind.TERM).name == "2026–2027 第一学期"


def test_terms_between_lists_what_overlaps_in_date_order(admin):
    _school_year(admin)
    org = admin.org
    names = [t.name for t in terms.terms_between(org, date(2027, 1, 1), date(2027, 3, 1))]
    assert names == ["2026–2027 第一学期", "2027 寒假", "2026–2027 第二学期"]
    summers = terms.terms_between(org, date(2026, 1, 1), date(2027, 12, 31), kind=TermKind.SUMMER_BREAK)
    assert [(t.start, t.end) for t in summers] == [(date(2027, 7, 3), date(2027, 8, 31))]


def test_terms_of_another_org_are_not_seen(world, admin):
    _school_year(admin)
    with org_scope(world.org_b):
        assert terms.term_at(world.org_b, date(2026, 9, 1)) is None
        assert list(terms.terms_between(world.org_b, date(2026, 1, 1), date(2027, 12, 31))) == []


# Services ------------------------------------------------------------------------------------------


def test_terms_of_one_kind_do_not_overlap(admin):
    _school_year(admin)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        terms.term_create(
            actor=admin, name="重叠学期", kind=TermKind.TERM, start=date(2027, 1, 15), end=date(2027, 3, 1)
        )
    assert error.value.message_dict["start"] == [
        "“2026–2027 第一学期” (2026-09-01 – 2027-01-22) already covers some of these days."
    ]
    # A break may lie inside a term; editing a term onto itself is not an overlap.
    terms.term_create(
        actor=admin, name="春季运动会假", kind=TermKind.OTHER_BREAK, start=date(2027, 4, 1), end=date(2027, 4, 2)
    )
    term = Term.objects.get(name="2026–2027 第一学期")
    terms.term_update(actor=admin, term=term, name=term.name, kind=term.kind, start=term.start, end=date(2027, 1, 20))
    assert Term.objects.get(pk=term.pk).end == date(2027, 1, 20)


def test_a_term_ends_after_it_starts(admin):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        terms.term_create(actor=admin, name="倒序", kind=TermKind.TERM, start=date(2027, 3, 1), end=date(2027, 2, 1))
    assert "The last day cannot be before the first day." in error.value.messages
    assert not Term.objects.exists()


def test_only_those_allowed_edit_terms(world):
    for role in (Role.LOGISTICS_HEAD, Role.LEADER, Role.STAFF):
        with org_scope(world.org_a):
            actor = build_actor(world.member(role).user, world.org_a)
            with pytest.raises(PermissionDenied):
                terms.term_create(
                    actor=actor, name="x", kind=TermKind.TERM, start=date(2027, 3, 1), end=date(2027, 6, 1)
                )


def test_a_deleted_term_stays_in_history(admin):
    terms.term_create(
        actor=admin, name="2027 暑假", kind=TermKind.SUMMER_BREAK, start=date(2027, 7, 3), end=date(2027, 8, 31)
    )
    term = Term.objects.get()
    term_id = term.pk
    terms.term_delete(actor=admin, term=term)
    assert not Term.objects.exists()
    assert [record.history_type for record in Term.history.filter(id=term_id).order_by("history_date")] == ["+", "-"]


def test_holiday_blocks_are_entered_day_by_day(admin):
    entries = workcalendar.calendar_day_add(
        actor=admin, start=date(2027, 2, 6), end=date(2027, 2, 12), kind=CalendarDayKind.HOLIDAY, name="春节"
    )
    assert [e.date.day for e in entries] == [6, 7, 8, 9, 10, 11, 12]
    assert not workcalendar.is_working_day(admin.org, date(2027, 2, 8))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        workcalendar.calendar_day_add(actor=admin, start=date(2027, 2, 12), end=date(2027, 2, 13), kind="holiday")
    assert error.value.message_dict["start"] == ["Already entered: 2027-02-12. Edit those days instead."]
    assert CalendarDay.objects.count() == 7  # nothing half saved


def test_a_removed_day_follows_the_national_calendar_again(admin):
    (entry,) = workcalendar.calendar_day_add(actor=admin, start=date(2026, 6, 3), kind=CalendarDayKind.HOLIDAY)
    assert not workcalendar.is_working_day(admin.org, date(2026, 6, 3))
    workcalendar.calendar_day_delete(actor=admin, entry=entry)
    assert workcalendar.is_working_day(admin.org, date(2026, 6, 3))


# Pages ---------------------------------------------------------------------------------------------


def test_the_holiday_page_shows_the_national_calendar_and_the_org_table(world, login, admin):
    workcalendar.calendar_day_add(actor=admin, start=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:calendar_day_list", args=["org-a"])
    page_2026 = client.get(url + "?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page_2026.status_code == 200
    national = {row["name"]: row for row in page_2026.context["national"]}
    assert national["国庆节"]["off"] == "10-01 – 10-07"
    assert national["国庆节"]["working"] == "09-20, 10-10"  # a Sunday and a Saturday
    assert page_2026.context["working_hours"] == "08:00-12:00, 14:00-17:30"
    page_2027 = client.get(url + "?year=2027")
    assert [e.name for e in page_2027.context["page"]["rows"]] == ["元旦"]
    assert 'data-testid="calendar-uncovered"' in page_2027.content.decode()


def test_the_logistics_head_reads_the_calendar_pages_but_cannot_edit(world, login):
    client = login(world.member(Role.LOGISTICS_HEAD))
    assert client.get(reverse("core:calendar_day_list", args=["org-a"])).status_code == 200
    assert client.get(reverse("core:term_list", args=["org-a"])).status_code == 200
    assert client.get(reverse("core:term_create", args=["org-a"])).status_code == 403
    response = client.post(
        reverse("core:calendar_day_create", args=["org-a"]), {"start": "2027-01-01", "kind": "holiday"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not CalendarDay.objects.exists()


def test_the_admin_enters_edits_and_removes_terms_on_pages(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.post(
        reverse("core:term_create", args=["org-a"]),
        {"name": "2027 寒假", "kind": "winter_break", "start": "2027-01-23", "end": "2027-02-21"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    with scopes_disabled():
        term = Term.objects.get()
    term_list = reverse("core:term_list", args=["org-a"])
    assert client.get(term_list + "?year=2027").context["rows"] == [term]
    assert client.get(term_list + "?year=2025").context["rows"] == []
    response = client.post(
        reverse("core:term_edit", args=["org-a", term.pk]),
        {"name": "2027 寒假", "kind": "winter_break", "start": "2027-02-21", "end": "2027-01-23"},
    )
    assert response.status_code == 200 and 'data-field-error="__all__"' in response.content.decode()
    assert client.get(reverse("core:term_delete", args=["org-a", term.pk])).status_code == 405
    assert client.post(reverse("core:term_delete", args=["org-a", term.pk])).status_code == 302
    page = client.get(reverse("core:term_list", args=["org-a"]) + "?year=2027")
    assert page.context["rows"] == []
    assert len(page.context["history"]) == 2


def test_the_settings_hub_shows_the_calendar_pages_next_to_the_working_hours(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    page = client.get(reverse("core:settings_hub", args=["org-a"]))
    calendar = next(section for section in page.context["sections"] if section["slug"] == "calendar")
    assert "calendar.working_hours" in calendar["form"].fields
    assert [row["url"] for row in calendar["pages"]] == [
        reverse("core:calendar_day_list", args=["org-a"]),
        reverse("core:term_list", args=["org-a"]),
    ]
    html = page.content.decode()
    assert 'href="#calendar"' in html and 'data-testid="page-calendar.terms"' in html
