"""The board, the technician's list, the job list and its export: constant queries, filters, order, escaping."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from io import BytesIO
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core.choices import LocationKind, Role
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import make_location, make_member, make_party

from ..choices import JobState, Urgency
from ..models import Job, JobAssignment

_numbers = count(1)
HOUR = timedelta(hours=1)


def bulk_jobs(world, n: int, *, technician=None, **fields) -> list[Job]:
    """``n`` jobs of org A written straight to the table (codes and states set here), with ``technician``
    (a membership) on each — fast enough for hundreds of rows."""
    now = timezone.now()
    reporter = fields.pop("reporter", world.member(Role.STAFF))
    defaults = {
        "org": world.org_a,
        "category": "water",
        "urgency": Urgency.NORMAL,
        "state": JobState.NEW,
        "location": world.room_a,
        "building": world.building_a,
        "description": "水龙头漏水",
        "reporter": reporter.user,
        "reporter_name": reporter.user.name,
        "department": reporter.department,
        "reported_at": now - 2 * HOUR,
        "completion_due": now + 24 * HOUR,
    }
    defaults.update(fields)
    with org_scope(world.org_a):
        jobs = Job.objects.bulk_create([Job(code="T-{:05d}".format(next(_numbers)), **defaults) for _index in range(n)])
        if technician is not None:
            JobAssignment.objects.bulk_create(
                [
                    JobAssignment(org=world.org_a, job=job, membership=technician, user=technician.user, is_lead=True)
                    for job in jobs
                ]
            )
    return jobs


def one(world, **fields) -> str:
    return bulk_jobs(world, 1, **fields)[0].code


def _codes(response, testid: str) -> list[str]:
    return re.findall(r'data-testid="{}" data-code="([^"]+)"'.format(testid), response.content.decode())


def _section(response, testid: str) -> str:
    """The HTML from the element marked ``testid`` on (enough for the board's columns, which come in order)."""
    html = response.content.decode()
    return html[html.index('data-testid="{}"'.format(testid)) :]


def _xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


# Query counts --------------------------------------------------------------------------------------

PAGES = [
    ("board", Role.DISPATCHER),
    ("my_jobs", Role.TECHNICIAN),
    ("job_list", Role.DISPATCHER),
    ("job_list", Role.TECHNICIAN),
    ("job_list", Role.STAFF),
    ("job_export", Role.DISPATCHER),
]


def _mix(world, n: int):
    """``n`` jobs in every state the pages show, each on the technician, with a contractor on some."""
    technician = world.member(Role.TECHNICIAN)
    party = world.party
    now = timezone.now()
    per = max(n // 5, 1)
    bulk_jobs(world, per, technician=technician, state=JobState.ASSIGNED)
    bulk_jobs(world, per, technician=technician, state=JobState.IN_PROGRESS, party=party, urgency=Urgency.URGENT)
    bulk_jobs(world, per, technician=technician, state=JobState.ON_HOLD, hold_reason="等配件")
    bulk_jobs(world, per, technician=technician, state=JobState.ACCEPTED, completion_due=now - HOUR)
    bulk_jobs(world, per, technician=technician, state=JobState.FINISHED, finished_at=now - HOUR)


@pytest.mark.parametrize(("name", "role"), PAGES, ids=["{}-{}".format(n, r) for n, r in PAGES])
def test_pages_run_the_same_number_of_queries_at_10_and_200_jobs(world, login, name, role):
    world.party = make_party(world.org_a)
    client = login(world.member(role))
    url = reverse("maintenance:" + name, args=["org-a"])
    _mix(world, 10)
    client.get(url)  # warm caches (content types, dictionaries) so both counts compare the same work

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if name == "job_export":
                _xlsx_rows(response)
        assert response.status_code == 200
        return len(queries), response

    small, response = measure()
    if name != "job_export":
        assert "T-" in response.content.decode()
    _mix(world, 190)
    large, _response = measure()
    assert small == large, "{} as {}: {} queries with 10 jobs, {} with 200".format(name, role, small, large)


# Filters -------------------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """One job per distinguishing value; names → codes."""
    now = timezone.now()
    world.building_2 = make_location(world.org_a, "实验楼", "A2", LocationKind.BUILDING, world.building_a.parent)
    world.room_2 = make_location(world.org_a, "化学实验室", "A2-201", LocationKind.ROOM, world.building_2)
    world.tech2 = make_member(world.org_a, Role.TECHNICIAN, employee_no="A200")
    world.party = make_party(world.org_a)
    tech = world.member(Role.TECHNICIAN)
    return {
        "plain": one(world),
        "electric": one(world, category="electric"),
        "emergency": one(world, urgency=Urgency.EMERGENCY),
        "lab": one(world, location=world.room_2, building=world.building_2),
        "tech": one(world, technician=tech, state=JobState.ASSIGNED),
        "tech2": one(world, technician=world.tech2, state=JobState.ASSIGNED, party=world.party),
        "colleague": one(world, reporter=world.member("colleague")),  # 维修组, under 总务处
        "outsider": one(world, reporter=world.member("outsider")),  # 语文组
        "late": one(world, completion_due=now - HOUR),
        "finished": one(world, state=JobState.FINISHED, finished_at=now - HOUR),
        "done": one(world, state=JobState.DONE, finished_at=now - 2 * HOUR, closed_at=now - HOUR),
    }


def _filter_cases():
    everything = {"plain", "electric", "emergency", "lab", "tech", "tech2", "colleague", "outsider", "late"}
    everything |= {"finished", "done"}
    return [
        ("category", lambda w: {"category": "electric"}, {"electric"}),
        ("urgency", lambda w: {"urgency": "emergency"}, {"emergency"}),
        ("building", lambda w: {"building": w.building_2.pk}, {"lab"}),
        ("technician", lambda w: {"technician": w.member(Role.TECHNICIAN).user_id}, {"tech"}),
        ("party", lambda w: {"party": w.party.pk}, {"tech2"}),
        ("department subtree", lambda w: {"department": w.dept_a.pk}, everything - {"outsider"}),
        ("department leaf", lambda w: {"department": w.dept_a_child.pk}, {"colleague"}),
        ("overdue", lambda w: {"overdue": "true"}, {"late"}),
        ("not overdue", lambda w: {"overdue": "false"}, everything - {"late"}),
        ("stage open", lambda w: {"stage": "open"}, everything - {"finished", "done"}),
        ("stage finished", lambda w: {"stage": "finished"}, {"finished"}),
        ("stage closed", lambda w: {"stage": "closed"}, {"done"}),
        ("two states", lambda w: {"state": ["finished", "done"]}, {"finished", "done"}),
        ("reporter", lambda w: {"reporter": w.member("colleague").user_id}, {"colleague"}),
        ("nothing", lambda w: {}, everything),
    ]


@pytest.mark.parametrize(("label", "params", "expected"), _filter_cases(), ids=[c[0] for c in _filter_cases()])
def test_each_filter_narrows_the_list_and_the_export(world, login, spread, label, params, expected):
    client = login(world.member(Role.DISPATCHER))
    query = params(world)
    wanted = {spread[name] for name in expected}
    response = client.get(reverse("maintenance:job_list", args=["org-a"]), query)
    assert set(_codes(response, "job-row")) == wanted
    exported = {row[0] for row in _xlsx_rows(client.get(reverse("maintenance:job_export", args=["org-a"]), query))[1:]}
    assert exported == wanted


def test_the_board_filters_open_and_finished_jobs(world, login, spread):
    client = login(world.member(Role.DISPATCHER))
    response = client.get(reverse("maintenance:board", args=["org-a"]), {"building": world.building_a.pk})
    codes = set(_codes(response, "job-card"))
    assert spread["lab"] not in codes and spread["plain"] in codes and spread["finished"] in codes
    assert spread["done"] not in codes  # closed jobs are not on the board


def test_the_date_range_counts_whole_local_days(world, login):
    tz = timezone.get_current_timezone()
    before = timezone.make_aware(datetime(2026, 3, 2, 23, 59), tz)  # 15:59 UTC on 2 March
    after = timezone.make_aware(datetime(2026, 3, 3, 0, 1), tz)  # 16:01 UTC, still 2 March in UTC
    late_evening = one(world, reported_at=before, completion_due=before + 24 * HOUR)
    past_midnight = one(world, reported_at=after, completion_due=after + 24 * HOUR)
    client = login(world.member(Role.DISPATCHER))
    url = reverse("maintenance:job_list", args=["org-a"])
    assert _codes(client.get(url, {"start": "2026-03-03"}), "job-row") == [past_midnight]
    assert _codes(client.get(url, {"end": "2026-03-02"}), "job-row") == [late_evening]
    assert set(_codes(client.get(url, {"start": "2026-03-02", "end": "2026-03-03"}), "job-row")) == {
        late_evening,
        past_midnight,
    }


# Order ---------------------------------------------------------------------------------------------


def test_the_board_shows_overdue_jobs_first_then_by_completion_target(world, login):
    now = timezone.now()
    soon = one(world, completion_due=now + HOUR)
    late_2h = one(world, completion_due=now - 2 * HOUR, reported_at=now - 10 * HOUR, state=JobState.ACCEPTED)
    later = one(world, completion_due=now + 10 * HOUR)
    late_5h = one(world, completion_due=now - 5 * HOUR, reported_at=now - 10 * HOUR, state=JobState.IN_PROGRESS)
    # Nobody accepted it within its response target: overdue although completion is hours away.
    no_response = one(world, response_due=now - HOUR, completion_due=now + 20 * HOUR)
    response = login(world.member(Role.DISPATCHER)).get(reverse("maintenance:board", args=["org-a"]))
    board = _codes(response, "job-card")
    assert board == [late_5h, late_2h, no_response, soon, later]
    html = response.content.decode()
    assert "job-late" in html
    late_cards = re.findall(r'job-late" data-testid="job-card" data-code="([^"]+)"', html)
    assert late_cards == [late_5h, late_2h, no_response]


def test_the_board_is_bounded_and_says_so(world, login, settings):
    from ..selectors import jobs as selectors

    bulk_jobs(world, selectors.BOARD_LIMIT + 1)
    response = login(world.member(Role.DISPATCHER)).get(reverse("maintenance:board", args=["org-a"]))
    assert len(_codes(response, "job-card")) == selectors.BOARD_LIMIT
    assert 'data-testid="board-truncated"' in response.content.decode()


def test_my_jobs_orders_emergency_then_urgent_then_normal_then_by_due(world, login):
    now = timezone.now()
    tech = world.member(Role.TECHNICIAN)
    normal_soon = one(world, technician=tech, state=JobState.ASSIGNED, completion_due=now + HOUR)
    urgent_late = one(
        world, technician=tech, state=JobState.ACCEPTED, urgency=Urgency.URGENT, completion_due=now + 8 * HOUR
    )
    emergency = one(
        world, technician=tech, state=JobState.IN_PROGRESS, urgency=Urgency.EMERGENCY, completion_due=now + 9 * HOUR
    )
    urgent_soon = one(
        world, technician=tech, state=JobState.ON_HOLD, urgency=Urgency.URGENT, completion_due=now + 2 * HOUR
    )
    normal_later = one(world, technician=tech, state=JobState.ASSIGNED, completion_due=now + 30 * HOUR)
    one(world, technician=world.member(Role.TECHNICIAN), state=JobState.DONE, finished_at=now - HOUR)  # closed
    one(world, state=JobState.ASSIGNED)  # nobody's: not on the list
    response = login(tech).get(reverse("maintenance:my_jobs", args=["org-a"]))
    assert _codes(response, "my-job") == [emergency, urgent_soon, urgent_late, normal_soon, normal_later]


def test_my_jobs_offers_one_next_step_per_job_and_calls_the_reporter(world, login):
    tech = world.member(Role.TECHNICIAN)
    for state in (JobState.ASSIGNED, JobState.ACCEPTED, JobState.IN_PROGRESS, JobState.ON_HOLD):
        one(world, technician=tech, state=state, contact_phone="13912345678")
    html = login(tech).get(reverse("maintenance:my_jobs", args=["org-a"])).content.decode()
    assert html.count('data-testid="next-step"') == 4
    assert re.findall(r'data-action="(\w+)"', html) == ["accept", "start", "resume"]  # "finish" is a link
    assert 'href="tel:13912345678"' in html


def test_my_jobs_leaves_out_jobs_the_technician_was_taken_off(world, login):
    tech = world.member(Role.TECHNICIAN)
    kept = one(world, technician=tech, state=JobState.ASSIGNED)
    gone = bulk_jobs(world, 1, technician=tech, state=JobState.ASSIGNED)[0]
    with org_scope(world.org_a):
        JobAssignment.objects.filter(job=gone).update(removed_at=timezone.now())
    assert _codes(login(tech).get(reverse("maintenance:my_jobs", args=["org-a"])), "my-job") == [kept]


# Export --------------------------------------------------------------------------------------------


def test_the_export_keeps_a_formula_like_description_as_text(world, login):
    code = one(world, description='=HYPERLINK("http://x")', technician=world.member(Role.TECHNICIAN))
    response = login(world.member(Role.DISPATCHER)).get(reverse("maintenance:job_export", args=["org-a"]))
    header, *rows = _xlsx_rows(response)
    row = dict(zip(header, next(r for r in rows if r[0] == code), strict=True))
    descriptions = [value for value in row.values() if isinstance(value, str) and "HYPERLINK" in value]
    assert descriptions == ['\'=HYPERLINK("http://x")']
    assert world.member(Role.TECHNICIAN).user.name in row.values()  # technicians joined into one cell


# To-dos --------------------------------------------------------------------------------------------


def _maintenance_todos(world, membership) -> set[tuple[str, int, str]]:
    from houqin.core.access import build_actor
    from houqin.core.todos import todos_for

    with org_scope(world.org_a):
        todos = todos_for(build_actor(membership.user, world.org_a))
    return {(todo.url, todo.count, todo.level) for todo in todos if "/maintenance/" in todo.url}


def test_home_page_to_dos_link_to_the_filtered_lists(world, login):
    now = timezone.now()
    tech = world.member(Role.TECHNICIAN)
    one(world)  # awaiting dispatch
    one(world, technician=tech, state=JobState.ASSIGNED, completion_due=now - HOUR)  # overdue, to accept
    one(world, state=JobState.FINISHED, finished_at=now - HOUR)  # awaiting the staff member's confirmation
    board = "/o/org-a/maintenance/board/"
    assert _maintenance_todos(world, world.member(Role.DISPATCHER)) == {
        (board + "?state=new", 1, "warning"),
        (board + "?overdue=true", 1, "danger"),
    }
    assert _maintenance_todos(world, tech) == {
        ("/o/org-a/maintenance/my/", 1, "warning"),
        ("/o/org-a/maintenance/my/", 1, "danger"),
    }
    staff = world.member(Role.STAFF)
    url = "/o/org-a/maintenance/jobs/?stage=finished&reporter={}".format(staff.user_id)
    assert _maintenance_todos(world, staff) == {(url, 1, "warning")}
    assert len(_codes(login(staff).get(url), "job-row")) == 1
    assert _maintenance_todos(world, world.bureau_member) == set()
    home = login(world.member(Role.DISPATCHER)).get(reverse("core:home", args=["org-a"])).content.decode()
    assert board + "?overdue=true" in home


def test_the_to_do_link_to_the_board_shows_only_jobs_awaiting_dispatch(world, login):
    new = one(world)
    one(world, technician=world.member(Role.TECHNICIAN), state=JobState.ASSIGNED)
    response = login(world.member(Role.DISPATCHER)).get(reverse("maintenance:board", args=["org-a"]), {"state": "new"})
    assert _codes(response, "job-card") == [new]
    assert 'data-testid="state-filter"' in response.content.decode()


@pytest.mark.parametrize(("name", "testid"), [("board", "job-card"), ("job_list", "job-row")])
def test_htmx_filtering_returns_only_the_rows(world, login, name, testid):
    code = one(world)
    response = login(world.member(Role.DISPATCHER)).get(
        reverse("maintenance:" + name, args=["org-a"]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and _codes(response, testid) == [code]


def test_the_big_button_on_my_jobs_accepts_the_job(world, login):
    from .factories import advance, make_job

    job = advance(world, make_job(world), "assigned")
    client = login(world.member(Role.TECHNICIAN))
    html = client.get(reverse("maintenance:my_jobs", args=["org-a"])).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)">(?:(?!</form>).)*data-testid="next-step"', html, re.S)[1]
    assert action == reverse("maintenance:job_action", args=["org-a", job.pk, "accept"])
    my_jobs = reverse("maintenance:my_jobs", args=["org-a"])
    response = client.post(action, {"next": my_jobs})
    assert response.status_code == 302 and response.url == my_jobs  # back to the list, ready for the next job
    with org_scope(world.org_a):
        job.refresh_from_db()
    assert job.state == JobState.ACCEPTED


@pytest.mark.parametrize(("query", "folded"), [("", True), ("?q=漏水&stage=open", True), ("?urgency=urgent", False)])
def test_on_a_phone_the_list_folds_the_other_filters_unless_one_is_set(world, login, query, folded):
    html = login(world.member(Role.DISPATCHER)).get(reverse("maintenance:job_list", args=["org-a"]) + query)
    more = re.search(r'class="([^"]*)" id="job-more-filters"', html.content.decode())[1]
    assert ("show" not in more.split()) is folded
