"""Facts: every registered figure opens a list of exactly the rows it counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import resolve

from houqin.core import facts
from houqin.core.access import build_actor
from houqin.core.choices import Role, SecurityEventKind
from houqin.core.models import SecurityEvent
from houqin.core.tenancy import org_scope, scopes_disabled

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def logins(world):
    """Logins around the edges of March 2026 in Shanghai time, and one of an org-B person inside it."""
    admin = world.member(Role.ORG_ADMIN).user
    with scopes_disabled():
        made = {}
        for name, moment in {
            "before": datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI),
            "first": datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI),
            "last": datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI),
            "after": datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI),
        }.items():
            made[name] = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, user=admin, created_at=moment)
        SecurityEvent.objects.create(
            kind=SecurityEventKind.LOGIN, user=world.member_b.user, created_at=datetime(2026, 3, 5, tzinfo=SHANGHAI)
        )
        SecurityEvent.objects.create(
            kind=SecurityEventKind.LOGOUT, user=admin, created_at=datetime(2026, 3, 5, tzinfo=SHANGHAI)
        )
    return made


def _collect(world, role=Role.ORG_ADMIN):
    actor = build_actor(world.member(role).user, world.org_a)
    with org_scope(world.org_a):
        return facts.collect(world.org_a, START, END, actor=actor)


def _listed_ids(client, url: str) -> list[int]:
    """Every row the page lists, following its ``after=`` pages."""
    ids = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.context["page"]
        ids += [row.pk for row in page["rows"]]
        url = response.request["PATH_INFO"] + "?" + page["next_query"] if page["next_query"] else None
    return ids


def test_every_registered_fact_opens_exactly_the_rows_it_counts(world, login, logins):
    found = [fact for fact in _collect(world) if fact.key.startswith("core.")]  # modules test their own
    keys = {fact.key for fact in found}
    assert {"core.people.by_role.technician", "core.locations.by_kind.room", "core.logins"} <= keys
    client = login(world.member(Role.ORG_ADMIN))
    for fact in found:
        ids = _listed_ids(client, fact.url)
        assert len(ids) == len(set(ids)) == fact.value, (fact.key, fact.url, ids)
        assert resolve(fact.url.split("?")[0]).url_name in {"person_list", "location_list", "security_log"}


@pytest.mark.parametrize("role", [Role.DEPT_HEAD, Role.STAFF, Role.LEADER])
def test_a_restricted_actors_facts_open_exactly_what_that_actor_counts(world, login, logins, role):
    """Facts are computed for an actor: a department head's figures count their department only, and their links
    open exactly those rows for them (with and without a department asked for)."""
    actor = build_actor(world.member(role).user, world.org_a)
    with org_scope(world.org_a):
        found = facts.collect(world.org_a, START, END, actor=actor)
        found += facts.collect(world.org_a, START, END, actor=actor, department=world.dept_a)
    found = [fact for fact in found if fact.key.startswith("core.")]  # modules test their own
    assert found
    everyone = {fact.key: fact.value for fact in _collect(world)}
    client = login(world.member(role))
    for fact in found:
        ids = _listed_ids(client, fact.url)
        assert len(ids) == len(set(ids)) == fact.value, (role, fact.key, fact.url, ids)
    if role == Role.DEPT_HEAD:
        staff = next(fact for fact in found if fact.key == "core.people.by_role.staff")
        assert 0 < staff.value < everyone["core.people.by_role.staff"]  # the outsider's department is not theirs


def test_logins_count_whole_days_in_shanghai_time(world, logins):
    login_fact = next(fact for fact in _collect(world) if fact.key == "core.logins")
    assert login_fact.value == 2  # first and last minute of March; not the org-B person, not the logout
    assert "start=2026-03-01" in login_fact.url and "end=2026-03-31" in login_fact.url
    assert str(login_fact.value) in login_fact.text


def test_people_by_role_follows_the_actor_and_the_department(world, login):
    found = {fact.key: fact for fact in _collect(world)}
    assert found["core.people.by_role.staff"].value == 3  # staff, colleague, outsider
    assert "Staff" in found["core.people.by_role.staff"].text or "教职工" in found["core.people.by_role.staff"].text
    actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
    with org_scope(world.org_a):
        in_department = facts.collect(world.org_a, START, END, actor=actor, department=world.dept_a)
    staff = next(fact for fact in in_department if fact.key == "core.people.by_role.staff")
    assert staff.value == 2 and "department={}".format(world.dept_a.pk) in staff.url  # 总务处 and 维修组 below it
    # The leader may not read the security log: no login figure for them.
    assert "core.logins" not in {fact.key for fact in _collect(world, Role.LEADER)}


def test_a_fact_follows_a_page_across_after_pages(world, login):
    """More rows than one page (50): the figure still equals what the pages list."""
    from houqin.core.tests.factories import make_member

    for index in range(55):
        make_member(world.org_a, Role.TECHNICIAN, employee_no="T{:03d}".format(index))
    technicians = next(fact for fact in _collect(world) if fact.key == "core.people.by_role.technician")
    assert technicians.value == 56
    assert len(_listed_ids(login(world.member(Role.ORG_ADMIN)), technicians.url)) == 56


def test_the_period_bounds_are_local_days():
    assert facts.period_end(END) - facts.period_start(START) == timedelta(days=31)
    assert facts.period_start(START).utcoffset() == timedelta(hours=8)


def test_the_facts_page_lists_figures_with_their_links(world, login, logins):
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.get("/o/org-a/facts/?start=2026-03-01&end=2026-03-31")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-fact="core.people.by_role.technician"' in html
    assert 'data-fact="core.logins"' not in html  # the security log is the administrator's
    bad = client.get("/o/org-a/facts/?start=2026-03-31&end=2026-03-01")
    assert bad.status_code == 200 and not bad.context["facts"]
