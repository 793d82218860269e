"""定期检修: the calendar of a plan, the tick job that makes its jobs, the plan's validation, pages and API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houqin.core.choices import Role
from houqin.core.models import NumberSequence, Term, TermKind
from houqin.core.models.notifications import Notification
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.workflow import events_for

from .. import services
from ..choices import IntervalUnit, JobSource, JobState, PlanSchedule
from ..models import Job, MaintenancePlan
from ..services.plans import generate_plan_jobs, plan_occurrences
from .factories import actor_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 5, 9, 30, tzinfo=SHANGHAI)  # a Thursday
TODAY = NOW.date()


def d(text: str) -> date:
    return date.fromisoformat(text)


def plan_of(**fields) -> MaintenancePlan:
    """An unsaved plan: plan_occurrences needs no database for intervals and fixed dates."""
    return MaintenancePlan(**{"starts_on": d("2026-01-01"), "schedule": PlanSchedule.INTERVAL, **fields})


def make_plan(world, *, by=Role.DISPATCHER, **fields):
    data = {
        "name": "空调滤网清洗",
        "category": "hvac",
        "location": world.room_a,
        "description": "清洗空调滤网",
        "schedule": PlanSchedule.INTERVAL,
        "interval_count": 1,
        "interval_unit": IntervalUnit.WEEK,
        "starts_on": d("2026-01-01"),
        **fields,
    }
    with org_scope(world.org_a):
        return services.plan_create(actor=actor_of(world.member(by)), **data)


def tick(now=NOW) -> int:
    with time_machine.travel(now, tick=False):
        return generate_plan_jobs(now)


def plan_jobs(world, plan=None):
    with org_scope(world.org_a):
        jobs = Job.objects.filter(plan__isnull=False) if plan is None else Job.objects.filter(plan=plan)
        return list(jobs.order_by("plan_due_on", "id"))


# The calendar of a plan --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "start", "end", "expected"),
    [
        pytest.param(  # same day of the month, clamped to short months, never drifting from the 31st
            {"starts_on": d("2026-01-31"), "interval_count": 1, "interval_unit": IntervalUnit.MONTH},
            "2026-01-01",
            "2026-05-31",
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"],
            id="monthly-from-31-january",
        ),
        pytest.param(
            {"starts_on": d("2026-01-31"), "interval_count": 3, "interval_unit": IntervalUnit.MONTH},
            "2026-01-01",
            "2027-02-28",
            ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31", "2027-01-31"],
            id="every-3-months-from-31-january",
        ),
        pytest.param(
            {"starts_on": d("2024-02-29"), "interval_count": 12, "interval_unit": IntervalUnit.MONTH},
            "2024-01-01",
            "2028-12-31",
            ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"],
            id="yearly-from-a-leap-day",
        ),
        pytest.param(  # a window starting mid-way begins at the next date of the series
            {"starts_on": d("2026-03-02"), "interval_count": 2, "interval_unit": IntervalUnit.WEEK},
            "2026-03-10",
            "2026-04-13",
            ["2026-03-16", "2026-03-30", "2026-04-13"],
            id="every-2-weeks",
        ),
        pytest.param(
            {"starts_on": d("2026-03-02"), "interval_count": 1, "interval_unit": IntervalUnit.WEEK},
            "2026-02-01",
            "2026-03-23",
            ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"],
            id="weekly-nothing-before-the-first-date",
        ),
        pytest.param(
            {"starts_on": d("2026-12-25"), "interval_count": 10, "interval_unit": IntervalUnit.DAY},
            "2026-12-26",
            "2027-01-25",
            ["2027-01-04", "2027-01-14", "2027-01-24"],
            id="every-10-days-across-new-year",
        ),
        pytest.param(
            {"schedule": PlanSchedule.DATES, "fixed_dates": "11-10", "starts_on": d("2026-01-01")},
            "2026-06-01",
            "2028-06-01",
            ["2026-11-10", "2027-11-10"],
            id="each-10-november",
        ),
        pytest.param(
            {"schedule": PlanSchedule.DATES, "fixed_dates": "03-01, 11-10", "starts_on": d("2026-01-01")},
            "2026-10-01",
            "2027-03-31",
            ["2026-11-10", "2027-03-01"],
            id="two-dates-across-the-year-boundary",
        ),
        pytest.param(
            {"schedule": PlanSchedule.DATES, "fixed_dates": "03-01, 11-10", "starts_on": d("2026-11-11")},
            "2026-01-01",
            "2027-12-31",
            ["2027-03-01", "2027-11-10"],
            id="dates-only-from-the-first-date",
        ),
    ],
)
def test_plan_occurrences_match_hand_computed_dates(fields, start, end, expected):
    assert plan_occurrences(plan_of(**fields), d(start), d(end)) == [d(day) for day in expected]


def test_each_summer_break_plus_its_offset_comes_from_the_org_terms(world):
    with scopes_disabled():
        for name, kind, start, end in [
            ("2026 暑假", TermKind.SUMMER_BREAK, "2026-07-04", "2026-08-31"),
            ("2027 寒假", TermKind.WINTER_BREAK, "2027-01-23", "2027-02-21"),
            ("2027 暑假", TermKind.SUMMER_BREAK, "2027-07-03", "2027-08-31"),
            ("短暑假", TermKind.SUMMER_BREAK, "2028-07-10", "2028-07-11"),
        ]:
            Term.objects.create(org=world.org_a, name=name, kind=kind, start=start, end=end)
        Term.objects.create(
            org=world.org_b, name="乙 暑假", kind=TermKind.SUMMER_BREAK, start="2026-07-01", end="2026-08-31"
        )
    summer = make_plan(world, schedule=PlanSchedule.BREAK, break_kind=TermKind.SUMMER_BREAK, break_offset_days=2)
    winter = make_plan(world, schedule=PlanSchedule.BREAK, break_kind=TermKind.WINTER_BREAK, break_offset_days=0)
    with org_scope(world.org_a):
        # The third day of each summer break; the two-day break of 2028 gets it on its last day.
        assert plan_occurrences(summer, d("2026-01-01"), d("2028-12-31")) == [
            d("2026-07-06"),
            d("2027-07-05"),
            d("2028-07-11"),
        ]
        assert plan_occurrences(winter, d("2026-01-01"), d("2028-12-31")) == [d("2027-01-23")]
        assert plan_occurrences(summer, d("2026-07-07"), d("2027-07-04")) == []
        assert services.schedule_text(summer) == "每个暑假第 3 天"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"interval_count": 3, "interval_unit": IntervalUnit.MONTH}, "每 3 个月"),
        ({"interval_count": 1, "interval_unit": IntervalUnit.WEEK}, "每 1 周"),
        ({"schedule": PlanSchedule.DATES, "fixed_dates": "03-01, 11-10"}, "每年 03-01、11-10"),
        ({"schedule": PlanSchedule.BREAK, "break_kind": TermKind.WINTER_BREAK}, "每个寒假第 1 天"),
    ],
)
def test_the_schedule_is_put_in_words(fields, words):
    assert services.schedule_text(plan_of(**fields)) == words


def test_the_schedule_reads_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        text = services.schedule_text(plan_of(interval_count=3, interval_unit=IntervalUnit.MONTH))
    assert text in ("每 3 个月", "每 3 个月")  # the catalogue is compiled by the integrator


# The tick job --------------------------------------------------------------------------------------------


def test_the_tick_makes_due_jobs_once(world):
    plan = make_plan(world, starts_on=TODAY - timedelta(days=20))  # weekly: today-20, -13, -6, +1
    assert tick() == 1
    jobs = plan_jobs(world)
    assert [job.plan_due_on for job in jobs] == [TODAY - timedelta(days=6)]
    job = jobs[0]
    assert (job.source, job.state, job.reporter_id, job.plan_id) == (JobSource.PLAN, JobState.NEW, None, plan.pk)
    assert (job.location, job.category, job.description) == (world.room_a, "hvac", "清洗空调滤网")
    assert job.reported_at == NOW
    assert job.code == "BX-2026-00001"
    with scopes_disabled():
        sequences = list(NumberSequence.objects.values_list("pk", "last"))
        job_count, history_count = Job.objects.count(), Job.history.count()
    # Again at the same clock: nothing made, no number allocated, nothing written.
    assert tick() == 0
    with scopes_disabled():
        assert list(NumberSequence.objects.values_list("pk", "last")) == sequences
        assert (Job.objects.count(), Job.history.count()) == (job_count, history_count)


def test_the_tick_makes_the_job_lead_days_ahead_and_no_earlier(world):
    on_the_day = make_plan(
        world, name="供暖前检修", schedule=PlanSchedule.DATES, fixed_dates="11-08", lead_days=3
    )  # 3 days away
    too_early = make_plan(world, name="消防检查", schedule=PlanSchedule.DATES, fixed_dates="11-09", lead_days=3)
    assert tick() == 1
    assert [(job.plan_id, job.plan_due_on) for job in plan_jobs(world)] == [(on_the_day.pk, d("2026-11-08"))]
    assert tick(NOW + timedelta(days=1)) == 1  # a day later the other one is 3 days away
    assert [job.plan_due_on for job in plan_jobs(world, too_early)] == [d("2026-11-09")]


def test_a_job_made_ahead_is_due_from_its_own_date(world):
    make_plan(world, schedule=PlanSchedule.DATES, fixed_dates="11-09", lead_days=4)  # a Monday
    assert tick() == 1
    (job,) = plan_jobs(world)
    assert job.reported_at == NOW
    # hvac, normal: 4 working hours to respond and 3 working days to finish, counted from Monday 08:00.
    assert job.response_due == datetime(2026, 11, 9, 12, 0, tzinfo=SHANGHAI)  # 08:00–12:00
    assert job.completion_due.date() == d("2026-11-12")


def test_the_tick_catches_up_seven_days_and_no_further(world):
    make_plan(world, interval_count=1, interval_unit=IntervalUnit.DAY, starts_on=TODAY - timedelta(days=30))
    assert tick() == 8
    assert [job.plan_due_on for job in plan_jobs(world)] == [TODAY - timedelta(days=n) for n in range(7, -1, -1)]
    assert tick() == 0


def test_the_tick_makes_nothing_before_the_first_date(world):
    make_plan(world, interval_count=1, interval_unit=IntervalUnit.DAY, starts_on=TODAY + timedelta(days=1))
    assert tick() == 0
    assert plan_jobs(world) == []


def test_the_tick_dispatches_to_the_plan_technician_who_is_told(world):
    technician = world.member(Role.TECHNICIAN)
    make_plan(world, starts_on=TODAY, assignee=technician)
    assert tick() == 1
    (job,) = plan_jobs(world)
    assert job.state == JobState.ASSIGNED
    with org_scope(world.org_a):
        assert [a.membership_id for a in job.assignments.all()] == [technician.pk]
        assert job.assignments.get().assigned_by is None
        events = list(events_for(job))
        told = Notification.objects.filter(recipient=technician.user, event="maintenance.assigned")
        assert [n.url for n in told] == [reverse("maintenance:job_detail", args=[world.org_a.code, job.pk])]
    assert [(e.action, e.actor_id) for e in events] == [("plan", None), ("dispatch", None)]  # 系统
    assert tick() == 0


def test_a_plan_whose_technician_left_makes_its_job_for_the_board(world):
    technician = world.member(Role.TECHNICIAN)
    make_plan(world, starts_on=TODAY, assignee=technician)
    with scopes_disabled():
        technician.is_active = False
        technician.save(update_fields=["is_active"])
    assert tick() == 1
    assert [job.state for job in plan_jobs(world)] == [JobState.NEW]


def test_paused_plans_make_nothing(world):
    plan = make_plan(world, starts_on=TODAY)
    with org_scope(world.org_a):
        services.plan_update(actor=actor_of(world.member(Role.DISPATCHER)), plan=plan, is_active=False)
    assert tick() == 0
    assert plan_jobs(world) == []


def test_the_tick_leaves_a_job_made_by_a_concurrent_run_alone(world):
    from ..services.plans import _make_job

    plan = make_plan(world, starts_on=TODAY)
    tick()
    # A run that read "no job yet" before the other committed: the unique (plan, date) pair refuses its job,
    # only that savepoint rolls back, and it counts nothing.
    with org_scope(world.org_a), time_machine.travel(NOW, tick=False):
        with scopes_disabled():
            numbers = list(NumberSequence.objects.values_list("last", flat=True))
        assert _make_job(plan, TODAY, NOW, dispatch=False) is None
        with scopes_disabled():
            assert list(NumberSequence.objects.values_list("last", flat=True)) == numbers  # number given back
    assert len(plan_jobs(world)) == 1


# Validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"schedule": PlanSchedule.DATES, "fixed_dates": "11-10, 02-30"}, "fixed_dates", "02-30"),
        ({"schedule": PlanSchedule.DATES, "fixed_dates": "11-10、13-01"}, "fixed_dates", "13-01"),
        ({"schedule": PlanSchedule.DATES, "fixed_dates": "十一月"}, "fixed_dates", "十一月"),
        ({"schedule": PlanSchedule.DATES, "fixed_dates": "  "}, "fixed_dates", "至少"),
        ({"interval_count": 3, "interval_unit": ""}, "interval_unit", "天、周或月"),
        ({"interval_count": None, "interval_unit": IntervalUnit.DAY}, "interval_count", "多少"),
        ({"schedule": PlanSchedule.BREAK, "break_kind": TermKind.TERM}, "break_kind", "暑假或寒假"),
        ({"category": "nonsense"}, "category", ""),
        ({"lead_days": 61}, "lead_days", ""),
    ],
)
def test_bad_plans_are_refused_field_by_field_and_nothing_is_saved(world, fields, field, words):
    with pytest.raises(ValidationError) as refused:
        make_plan(world, **fields)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    with scopes_disabled():
        assert not MaintenancePlan.objects.exists()


def test_the_assignee_must_be_a_technician(world):
    staff = world.member(Role.STAFF)
    with pytest.raises(ValidationError) as refused:
        make_plan(world, assignee=staff)
    assert staff.user.name in refused.value.message_dict["assignee"][0]
    with scopes_disabled():
        assert not MaintenancePlan.objects.exists()


def test_fixed_dates_are_stored_in_one_form(world):
    plan = make_plan(world, schedule=PlanSchedule.DATES, fixed_dates="11-10，3-1 3月1日", interval_count=4)
    assert (plan.fixed_dates, plan.interval_count, plan.interval_unit) == ("03-01, 11-10", None, "")


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.STAFF, Role.LEADER])
def test_only_the_office_manages_plans(world, role):
    with pytest.raises(PermissionDenied):
        make_plan(world, by=role)
    plan = make_plan(world)
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        services.plan_update(actor=actor_of(world.member(role)), plan=plan, name="改")


# Pages ----------------------------------------------------------------------------------------------------


def _page(name, world, **kwargs):
    return reverse("maintenance:" + name, kwargs={"org_code": world.org_a.code, **kwargs})


@pytest.mark.parametrize(
    ("who", "reads", "manages"),
    [
        (Role.DISPATCHER, 200, 200),
        (Role.LOGISTICS_HEAD, 200, 200),
        (Role.TECHNICIAN, 200, 403),
        (Role.LEADER, 200, 403),
        (Role.STAFF, 403, 403),
        (Role.ORG_ADMIN, 200, 403),  # reads plans (permissions.py), as it reads jobs
        ("bureau", 200, 403),
    ],
)
def test_who_reads_and_manages_plan_pages(world, login, who, reads, manages):
    plan = make_plan(world, assignee=world.member(Role.TECHNICIAN))
    tick(datetime(2026, 1, 1, 9, tzinfo=SHANGHAI))
    client = login(world.bureau_member if who == "bureau" else world.member(who))
    for name, kwargs in [("plan_list", {}), ("plan_detail", {"pk": plan.pk})]:
        assert client.get(_page(name, world, **kwargs)).status_code == reads, name
    for name, kwargs in [("plan_create", {}), ("plan_edit", {"pk": plan.pk})]:
        assert client.get(_page(name, world, **kwargs)).status_code == manages, name
    if reads == 200:
        detail = client.get(_page("plan_detail", world, pk=plan.pk)).content.decode()
        assert "每 1 周" in detail and 'data-testid="next-date"' in detail


def test_the_dispatcher_adds_a_plan_from_the_page(world, login):
    client = login(world.member(Role.DISPATCHER))
    response = client.post(
        _page("plan_create", world),
        {
            "name": "锅炉房供暖前检修",
            "location": world.room_a.pk,
            "category": "hvac",
            "description": "检查锅炉与管道",
            "urgency": "normal",
            "schedule": "dates",
            "fixed_dates": "11-10",
            "starts_on": "2026-01-01",
            "lead_days": "3",
            "assignee": world.member(Role.TECHNICIAN).pk,
        },
    )
    with scopes_disabled():
        plan = MaintenancePlan.objects.get()
    assert response.status_code == 302 and response.url == _page("plan_detail", world, pk=plan.pk)
    assert (plan.fixed_dates, plan.lead_days, plan.assignee) == ("11-10", 3, world.member(Role.TECHNICIAN))
    listing = client.get(_page("plan_list", world)).content.decode()
    assert "每年 11-10" in listing


def test_a_bad_date_on_the_page_shows_on_its_field_and_saves_nothing(world, login):
    client = login(world.member(Role.DISPATCHER))
    response = client.post(
        _page("plan_create", world),
        {
            "name": "检修",
            "location": world.room_a.pk,
            "category": "hvac",
            "description": "检查",
            "urgency": "normal",
            "schedule": "dates",
            "fixed_dates": "11-10, 02-30",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="fixed_dates"' in response.content.decode()
    assert "02-30" in response.content.decode()
    with scopes_disabled():
        assert not MaintenancePlan.objects.exists()


def test_the_dispatcher_pauses_a_plan_from_the_page(world, login):
    plan = make_plan(world)
    client = login(world.member(Role.DISPATCHER))
    response = client.post(
        _page("plan_edit", world, pk=plan.pk),
        {
            "name": plan.name,
            "location": world.room_a.pk,
            "category": "hvac",
            "description": plan.description,
            "urgency": "normal",
            "schedule": "interval",
            "interval_count": "2",
            "interval_unit": "month",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.is_active, plan.interval_count, plan.interval_unit) == (False, 2, "month")


def _many_plans(world, count):
    """``count`` plans of every kind (a tenth for breaks), each of the first ones with a job."""
    kinds = [
        {"schedule": PlanSchedule.INTERVAL, "interval_count": 3, "interval_unit": IntervalUnit.MONTH},
        {"schedule": PlanSchedule.DATES, "fixed_dates": "11-10"},
        {"schedule": PlanSchedule.BREAK, "break_kind": TermKind.SUMMER_BREAK, "break_offset_days": 2},
    ]
    with scopes_disabled():
        Term.objects.get_or_create(
            org=world.org_a, name="2027 暑假", kind=TermKind.SUMMER_BREAK, start=d("2027-07-03"), end=d("2027-08-31")
        )
        MaintenancePlan.objects.bulk_create(
            MaintenancePlan(
                org=world.org_a,
                name="检修计划{:03d}".format(n),
                category="hvac",
                location=world.room_a,
                description="检查",
                starts_on=d("2026-01-01"),
                assignee=world.member(Role.TECHNICIAN) if n % 2 else None,
                **kinds[n % 3],
            )
            for n in range(count)
        )
    tick(datetime(2026, 1, 1, 9, tzinfo=SHANGHAI))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["page", "api"])
def test_the_plan_list_runs_the_same_queries_for_10_and_200_plans(world, login, url):
    client = login(world.member(Role.DISPATCHER))
    address = (
        _page("plan_list", world) if url == "page" else reverse("api_plan-list", kwargs={"org_code": world.org_a.code})
    )
    _many_plans(world, 10)
    client.get(address)  # warm the caches (settings, dictionaries) both sizes share
    small = _queries(client, address)
    _many_plans(world, 190)
    assert _queries(client, address) == small


# API -----------------------------------------------------------------------------------------------------


def _api(world, pk=None):
    if pk is None:
        return reverse("api_plan-list", kwargs={"org_code": world.org_a.code})
    return reverse("api_plan-detail", kwargs={"org_code": world.org_a.code, "pk": pk})


def test_the_api_adds_lists_and_changes_plans(world, login):
    client = login(world.member(Role.DISPATCHER))
    body = {
        "name": "消防栓月检",
        "location": world.room_a.pk,
        "category": "equipment",
        "description": "检查消防栓",
        "schedule": "interval",
        "interval_count": 1,
        "interval_unit": "month",
        "starts_on": "2026-01-31",
    }
    with time_machine.travel(NOW, tick=False):
        created = client.post(_api(world), body, content_type="application/json")
        assert created.status_code == 201, created.content
        assert (created.json()["schedule_text"], created.json()["next_on"]) == ("每 1 个月", "2026-11-30")
        changed = client.patch(_api(world, created.json()["id"]), {"is_active": False}, content_type="application/json")
        assert changed.status_code == 200 and changed.json()["next_on"] is None
        assert [row["name"] for row in client.get(_api(world)).json()["results"]] == ["消防栓月检"]


def test_the_api_refuses_bad_dates_by_field_and_readers_writing(world, login):
    client = login(world.member(Role.DISPATCHER))
    body = {
        "name": "供暖前检修",
        "location": world.room_a.pk,
        "category": "hvac",
        "description": "检查",
        "schedule": "dates",
        "fixed_dates": "02-30",
        "starts_on": "2026-01-01",
    }
    refused = client.post(_api(world), body, content_type="application/json")
    assert refused.status_code == 400 and "02-30" in str(refused.json()["fixed_dates"])
    reader = login(world.member(Role.TECHNICIAN))
    assert (
        reader.post(_api(world), {**body, "fixed_dates": "11-10"}, content_type="application/json").status_code == 403
    )
    with scopes_disabled():
        assert not MaintenancePlan.objects.exists()


# On a phone ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("/usr/bin/chromium is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_on_a_phone_the_form_shows_the_fields_of_the_chosen_schedule_without_sideways_scrolling(
    world, client, live_server, browser
):
    client.force_login(world.member(Role.DISPATCHER).user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + _page("plan_create", world))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.is_visible("[name=interval_count]") and not page.is_visible("[name=fixed_dates]")
    page.select_option("[name=schedule]", "dates")
    assert page.is_visible("[name=fixed_dates]") and not page.is_visible("[name=interval_count]")
    assert not page.is_visible("[name=break_kind]")
    page.fill("[name=name]", "锅炉房供暖前检修")
    page.select_option("[name=location]", str(world.room_a.pk))
    page.select_option("[name=category]", "hvac")
    page.fill("[name=description]", "检查锅炉、管道与阀门")
    page.fill("[name=fixed_dates]", "11-10、03-01")
    page.fill("[name=starts_on]", "2026-01-01")
    page.click("[data-testid=form-submit]")
    page.wait_for_load_state("networkidle")
    with scopes_disabled():
        plan = MaintenancePlan.objects.get(org=world.org_a)
    assert plan.fixed_dates == "03-01, 11-10"
    assert page.url.endswith(_page("plan_detail", world, pk=plan.pk))
    assert page.locator("[data-testid=next-date]").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(live_server.url + _page("plan_list", world))
    assert page.locator("[data-testid=plan-row]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
