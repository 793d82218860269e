"""突发事件: recorded from a phone at night, on site and resolved in one tap, linked jobs, list, export and API."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models.notifications import Notification
from houqin.core.tenancy import org_scope, scopes_disabled

from .. import services
from ..choices import JobSource, Urgency
from ..models import Incident, Job
from ..views.incidents import duration_text
from .factories import actor_of, make_job

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORM_TIME = "%Y-%m-%dT%H:%M"


def _url(name, *args):
    return reverse("maintenance:" + name, args=["org-a", *args])


def _api(pk=None, action=None):
    base = "/api/v1/o/org-a/maintenance/incidents/"
    if pk is None:
        return base
    return base + "{}/".format(pk) + ("{}/".format(action) if action else "")


def _now_field():
    return timezone.localtime().strftime(FORM_TIME)


def record(world, role=Role.SECURITY, **fields):
    fields.setdefault("kind", "burst_pipe")
    with org_scope(world.org_a):
        return services.incident_create(actor=actor_of(world.member(role)), **fields)


def _counts(world):
    with scopes_disabled():
        return (
            Incident.objects.filter(org=world.org_a).count(),
            Job.objects.filter(org=world.org_a).count(),
            Notification.objects.filter(org=world.org_a).count(),
        )


# Recording from the phone --------------------------------------------------------------------------


def test_the_night_guard_records_an_emergency_from_the_phone_form_in_a_few_taps(world, login):
    guard = world.member(Role.SECURITY)
    client = login(guard)
    page = client.get(_url("incident_create") + "?location={}".format(world.room_a.pk))
    assert page.status_code == 200
    assert page.context["form"]["location"].value() == world.room_a.pk  # the scanned place is filled in
    assert 'class="btn-check"' in page.content.decode()  # kinds are big buttons

    form = {"kind": "burst_pipe", "title": "", "location": world.room_a.pk, "occurred_at": _now_field()}
    response = client.post(_url("incident_create"), form)
    with scopes_disabled():
        incident = Incident.objects.get(org=world.org_a)
    assert response.status_code == 302 and response["Location"] == _url("incident_detail", incident.pk)
    assert incident.code.startswith("TF-{}-".format(timezone.localdate().year))
    with translation.override("zh-hans"):
        assert incident.title == str(translation.gettext("Burst pipe"))  # the kind's label when left empty
    assert incident.building == world.building_a  # copied from the place
    assert incident.reported_by == guard.user
    assert incident.on_site_at is None and incident.resolved_at is None
    with scopes_disabled():
        assert not Job.objects.filter(org=world.org_a).exists()  # no job unless asked for


def test_with_the_box_ticked_an_emergency_job_opens_at_the_place_due_by_the_sla_table_around_the_clock(world, login):
    # 23:40 on a Saturday: outside working hours, so only a wall-clock target gives 03:40.
    with time_machine.travel(datetime(2026, 3, 7, 23, 40, tzinfo=SHANGHAI), tick=False):
        client = login(world.member(Role.SECURITY))
        response = client.post(
            _url("incident_create"),
            {"kind": "power_cut", "location": world.room_a.pk, "create_job": "on", "occurred_at": _now_field()},
        )
    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get(org=world.org_a)
        job = Job.objects.get(org=world.org_a)
    assert job.incident == incident
    assert (job.urgency, job.source, job.category) == (Urgency.EMERGENCY, JobSource.INCIDENT, "electric")
    assert job.location == world.room_a and job.reporter == world.member(Role.SECURITY).user
    assert job.wall_clock
    # Default SLA tables: electric emergency — response 0.5 h, completion 4 h, around the clock.
    assert job.response_due == job.reported_at + timedelta(minutes=30)
    assert job.completion_due == job.reported_at + timedelta(hours=4)
    assert timezone.localtime(job.completion_due) == datetime(2026, 3, 8, 3, 40, tzinfo=SHANGHAI)


def test_an_emergency_job_needs_a_place_and_nothing_is_saved_without_one(world, login):
    before = _counts(world)
    response = login(world.member(Role.SECURITY)).post(
        _url("incident_create"), {"kind": "leak", "create_job": "on", "occurred_at": _now_field()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["location"]
    assert _counts(world) == before


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    "field, times",
    [
        ("on_site_at", lambda now: {"occurred_at": now - HOUR, "on_site_at": now - 2 * HOUR}),
        ("resolved_at", lambda now: {"occurred_at": now - HOUR, "resolved_at": now - HOUR - timedelta(minutes=1)}),
        ("occurred_at", lambda now: {"occurred_at": now + HOUR}),  # an hour ahead of the clock
        ("on_site_at", lambda now: {"occurred_at": now - HOUR, "on_site_at": now + timedelta(days=1)}),
    ],
    ids=["arrived-before", "resolved-before", "occurred-in-future", "arrived-tomorrow"],
)
def test_times_before_the_occurrence_or_in_the_future_are_refused_and_nothing_is_saved(world, field, times):
    before = _counts(world)
    with pytest.raises(ValidationError) as refused:
        record(world, location=world.room_a, create_job=True, **times(timezone.now()))
    assert set(refused.value.message_dict) == {field}
    assert _counts(world) == before
    # The number went back with the rolled-back transaction: the next emergency is the year's first.
    assert record(world).code.endswith("-00001")


def test_a_time_a_few_minutes_ahead_of_the_server_is_accepted(world):
    incident = record(world, occurred_at=timezone.now() + timedelta(minutes=2))
    assert incident.pk


def test_the_edit_page_refuses_an_arrival_before_the_occurrence_field_by_field(world, login):
    incident = record(world, location=world.room_a, impact="")
    occurred = timezone.localtime(incident.occurred_at)
    response = login(world.member(Role.DISPATCHER)).post(
        _url("incident_edit", incident.pk),
        {
            "kind": "burst_pipe",
            "title": "锅炉房爆管",
            "location": world.room_a.pk,
            "occurred_at": occurred.strftime(FORM_TIME),
            "on_site_at": (occurred - timedelta(hours=1)).strftime(FORM_TIME),
            "impact": "手术推迟 2 小时",
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="on_site_at"' in response.content.decode()
    with scopes_disabled():
        incident.refresh_from_db()
    assert (incident.title, incident.impact, incident.on_site_at) != ("锅炉房爆管", "手术推迟 2 小时", None)
    assert incident.impact == "" and incident.on_site_at is None


def test_the_edit_page_fills_in_impact_measures_and_follow_up_later(world, login):
    incident = record(world, location=world.room_a)
    occurred = timezone.localtime(incident.occurred_at)
    response = login(world.member(Role.LOGISTICS_HEAD)).post(
        _url("incident_edit", incident.pk),
        {
            "kind": "burst_pipe",
            "title": "手术室暖气管爆裂",
            "location": world.room_a.pk,
            "occurred_at": occurred.strftime(FORM_TIME),
            "impact": "手术推迟 2 小时",
            "measures": "关闭阀门，转移病人",
            "follow_up": "更换老化管段",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        incident.refresh_from_db()
    assert incident.title == "手术室暖气管爆裂"
    assert (incident.impact, incident.follow_up) == ("手术推迟 2 小时", "更换老化管段")


@pytest.mark.parametrize("kind", ["earthquake", ""])
def test_an_unknown_or_missing_kind_is_refused(world, kind):
    before = _counts(world)
    with pytest.raises(ValidationError) as refused:
        record(world, kind=kind)
    assert set(refused.value.message_dict) == {"kind"}
    assert _counts(world) == before


def test_the_form_refuses_an_unknown_kind_on_its_field(world, login):
    response = login(world.member(Role.SECURITY)).post(
        _url("incident_create"), {"kind": "earthquake", "occurred_at": _now_field()}
    )
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert _counts(world)[0] == 0


def test_the_logistics_head_and_the_dispatchers_are_told_at_once_day_or_night(world):
    with time_machine.travel(datetime(2026, 3, 3, 0, 10, tzinfo=SHANGHAI), tick=False):
        incident = record(world, kind="break_in", title="大门玻璃被砸", location=world.room_a)
    with scopes_disabled():
        told = Notification.objects.filter(org=world.org_a, event="maintenance.incident")
        told = set(told.values_list("recipient", flat=True))
        notification = Notification.objects.filter(event="maintenance.incident").first()
    assert told == {world.member(Role.LOGISTICS_HEAD).user.pk, world.member(Role.DISPATCHER).user.pk}
    assert incident.code in notification.title and "大门玻璃被砸" in notification.title
    assert notification.url.endswith(_url("incident_detail", incident.pk).split("/maintenance/")[1])


# One tap: on site, resolved ------------------------------------------------------------------------


def test_one_tap_marks_on_site_and_resolved_and_the_page_shows_how_long_each_took(world, login):
    with time_machine.travel(datetime(2026, 3, 3, 0, 10, tzinfo=SHANGHAI), tick=False):
        incident = record(world, location=world.room_a)
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(datetime(2026, 3, 3, 0, 22, tzinfo=SHANGHAI), tick=False):
        assert client.post(_url("incident_mark", incident.pk, "on_site")).status_code == 302
    with time_machine.travel(datetime(2026, 3, 3, 1, 15, tzinfo=SHANGHAI), tick=False):
        assert client.post(_url("incident_mark", incident.pk, "resolved")).status_code == 302
        client.post(_url("incident_mark", incident.pk, "on_site"))  # a second tap keeps the first time
        page = client.get(_url("incident_detail", incident.pk))  # (the session lives on the travelled clock)
    with scopes_disabled():
        incident.refresh_from_db()
    assert timezone.localtime(incident.on_site_at) == datetime(2026, 3, 3, 0, 22, tzinfo=SHANGHAI)
    assert timezone.localtime(incident.resolved_at) == datetime(2026, 3, 3, 1, 15, tzinfo=SHANGHAI)
    assert page.status_code == 200
    took = [t["took"] for t in page.context["times"]]
    assert took == [None, "Arrived after 12 min", "Resolved after 1 h 5 min"] or took == [
        None,
        "到场用时 12 分钟",
        "处置用时 1 小时 5 分钟",
    ]
    with scopes_disabled():
        assert Notification.objects.filter(event="maintenance.incident.resolved").exists()


def test_marking_something_else_is_not_a_page(world, login):
    incident = record(world)
    assert login(world.member(Role.SECURITY)).post(_url("incident_mark", incident.pk, "closed")).status_code == 404


def test_durations_read_naturally():
    start = datetime(2026, 3, 3, 0, 10, tzinfo=SHANGHAI)
    with translation.override("en"):
        assert duration_text(start, start + timedelta(minutes=12)) == "12 min"
        assert duration_text(start, start + timedelta(hours=2)) == "2 h"
        assert duration_text(start, start + timedelta(hours=1, minutes=5)) == "1 h 5 min"
        assert duration_text(start, start + timedelta(days=3, hours=2)) == "3 d 2 h"


# Linked jobs ---------------------------------------------------------------------------------------


def test_a_job_of_this_org_is_linked_by_its_number_and_shown_with_its_state(world, login):
    incident = record(world, location=world.room_a)
    job = make_job(world, description="三楼水管漏水")
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.post(_url("incident_link_job", incident.pk), {"code": " " + job.code.lower()})
    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
    assert job.incident_id == incident.pk
    page = client.get(_url("incident_detail", incident.pk))
    assert [j.pk for j in page.context["jobs"]] == [job.pk]
    assert job.get_state_display() in page.content.decode()


def test_linking_a_job_of_another_org_is_refused(world, login):
    incident = record(world, location=world.room_a)
    with org_scope(world.org_b):
        other = services.job_report(
            actor=build_actor(world.member_b.user, world.org_b),
            location=world.room_b,
            category="water",
            description="手术室漏水",
        )
    with org_scope(world.org_a), pytest.raises(ValidationError) as refused:
        services.incident_link_job(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), incident=incident, job=other)
    assert set(refused.value.message_dict) == {"job"}
    # By number on the page: not found in this organisation.
    response = login(world.member(Role.LOGISTICS_HEAD)).post(
        _url("incident_link_job", incident.pk), {"code": other.code}
    )
    assert response.status_code == 400 and 'data-field-error="code"' in response.content.decode()
    with scopes_disabled():
        other.refresh_from_db()
    assert other.incident_id is None


def test_a_job_the_actor_cannot_see_is_not_linked(world):
    incident = record(world, location=world.room_a)
    job = make_job(world)  # reported by the staff member; the guard sees own reports only
    with org_scope(world.org_a), pytest.raises(ValidationError):
        services.incident_link_job(actor=actor_of(world.member(Role.SECURITY)), incident=incident, job=job)


# Permissions ---------------------------------------------------------------------------------------

# Expected, per role: (opens the list, records an emergency). A literal, not read from the table.
ACCESS = [
    (Role.SECURITY, 200, 200),
    (Role.TECHNICIAN, 200, 200),
    (Role.DISPATCHER, 200, 200),
    (Role.LOGISTICS_HEAD, 200, 200),
    (Role.LEADER, 200, 403),
    (Role.ORG_ADMIN, 200, 403),
    (Role.STAFF, 403, 403),
    (Role.DEPT_HEAD, 403, 403),
    (Role.FINANCE, 403, 403),
    (Role.CANTEEN, 403, 403),
    ("bureau", 200, 403),
]


@pytest.mark.parametrize("role, reads, records", ACCESS)
def test_who_reads_and_who_records_emergencies(world, login, role, reads, records):
    incident = record(world, location=world.room_a)
    membership = world.bureau_member if role == "bureau" else world.member(role)
    client = login(membership)
    assert client.get(_url("incident_list")).status_code == reads
    assert client.get(_url("incident_detail", incident.pk)).status_code == (200 if reads == 200 else 403)
    assert client.get(_api()).status_code == reads
    assert client.get(_url("incident_create")).status_code == records
    before = _counts(world)
    response = client.post(_url("incident_create"), {"kind": "leak", "occurred_at": _now_field()})
    assert response.status_code == (302 if records == 200 else 403)
    api = client.post(_api(), {"kind": "leak"}, content_type="application/json")
    assert api.status_code == (201 if records == 200 else 403)
    marked = client.post(_url("incident_mark", incident.pk, "on_site"))
    # Who cannot even read emergencies does not learn that this one exists.
    assert marked.status_code == (302 if records == 200 else 403 if reads == 200 else 404)
    patched = client.patch(_api(incident.pk), {"impact": "停水"}, content_type="application/json")
    assert patched.status_code == (200 if records == 200 else 403)
    if records != 200:
        assert _counts(world) == before
        with scopes_disabled():
            assert Incident.objects.get(pk=incident.pk).on_site_at is None


def test_the_service_refuses_a_reader_who_may_not_record(world):
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        services.incident_create(actor=actor_of(world.member(Role.LEADER)), kind="leak")
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        services.incident_create(actor=build_actor(world.bureau_member.user, world.org_a), kind="leak")


# List, export, query counts ------------------------------------------------------------------------


def test_the_list_filters_by_kind_building_resolution_and_text(world, login):
    pipe = record(world, kind="burst_pipe", title="锅炉房爆管", location=world.room_a)
    power = record(world, kind="power_cut", title="全楼停电")
    with org_scope(world.org_a):
        services.incident_mark(actor=actor_of(world.member(Role.SECURITY)), incident=power, what="resolved")
    client = login(world.member(Role.LOGISTICS_HEAD))

    def listed(query):
        return [i.pk for i in client.get(_url("incident_list") + query).context["page"]["rows"]]

    assert listed("") == [power.pk, pipe.pk]
    assert listed("?kind=burst_pipe") == [pipe.pk]
    assert listed("?building={}".format(world.building_a.pk)) == [pipe.pk]
    assert listed("?resolved=true") == [power.pk]
    assert listed("?resolved=false") == [pipe.pk]
    assert listed("?q=停电") == [power.pk]
    today = timezone.localdate().isoformat()
    assert listed("?start={}&end={}".format(today, today)) == [power.pk, pipe.pk]


def test_the_export_reads_back_with_the_filtered_rows(world, login):
    pipe = record(world, kind="burst_pipe", title="锅炉房爆管", location=world.room_a, impact="手术推迟 2 小时")
    record(world, kind="power_cut", title="全楼停电")
    job = make_job(world)
    with org_scope(world.org_a):
        services.incident_link_job(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), incident=pipe, job=job)
    response = login(world.member(Role.LOGISTICS_HEAD)).get(_url("incident_export") + "?kind=burst_pipe")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one burst pipe
    header, row = rows
    values = dict(zip(header, row, strict=True))
    assert row[0] == pipe.code
    assert "锅炉房爆管" in row and "101教室" in row and "教学楼" in row and "手术推迟 2 小时" in row
    assert job.code in row
    assert isinstance(values[header[1]], datetime)  # the time stays a date cell


def _grow(world, count):
    with scopes_disabled():
        start = Incident.objects.filter(org=world.org_a).count()
        guard = world.member(Role.SECURITY).user
        Incident.objects.bulk_create(
            Incident(
                org=world.org_a,
                code="TF-2026-{:05d}".format(start + i + 1),
                kind=("burst_pipe", "power_cut", "leak")[i % 3],
                title="事件{}".format(i),
                location=world.room_a if i % 2 else None,
                building=world.building_a if i % 2 else None,
                occurred_at=timezone.now() - timedelta(hours=i),
                on_site_at=timezone.now() if i % 3 == 0 else None,
                reported_by=guard,
            )
            for i in range(count)
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [_url("incident_list"), _api(), _url("incident_export")])
def test_the_list_page_list_api_and_export_run_the_same_queries_for_10_and_200_incidents(world, login, url):
    client = login(world.member(Role.LOGISTICS_HEAD))
    _grow(world, 10)
    job = make_job(world)
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(incident=Incident.objects.filter(org=world.org_a).first())
    client.get(url)  # warm up
    small = _queries(client, url)
    _grow(world, 190)
    large = _queries(client, url)
    assert small == large
    if "export" not in url:
        response = client.get(url)
        rows = response.context["page"]["rows"] if "/api/" not in url else response.json()["results"]
        assert len(rows) == 50  # a bounded page, not the whole table


# API -----------------------------------------------------------------------------------------------


def test_the_api_records_with_a_job_fills_in_marks_and_links_through_the_same_services(world, login):
    client = login(world.member(Role.SECURITY))
    created = client.post(
        _api(),
        {"kind": "lift_entrapment", "location": world.room_a.pk, "create_job": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["code"].startswith("TF-") and data["building"] == world.building_a.pk and len(data["jobs"]) == 1
    with scopes_disabled():
        job = Job.objects.get(pk=data["jobs"][0])
    assert (job.urgency, job.category) == (Urgency.EMERGENCY, "equipment")

    patched = client.patch(_api(data["id"]), {"impact": "一人被困 20 分钟"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["impact"] == "一人被困 20 分钟"
    marked = client.post(_api(data["id"], "mark"), {"what": "on_site"}, content_type="application/json")
    assert marked.status_code == 200 and marked.json()["on_site_at"]

    early = (timezone.localtime() - timedelta(days=1)).isoformat()
    refused = client.patch(_api(data["id"]), {"resolved_at": early}, content_type="application/json")
    assert refused.status_code == 400 and set(refused.json()) == {"resolved_at"}

    assert client.get(_api() + "?kind=lift_entrapment").json()["results"][0]["id"] == data["id"]
    assert client.get(_api() + "?kind=leak").json()["results"] == []


def test_the_api_refuses_linking_another_orgs_job(world, login):
    incident = record(world, location=world.room_a)
    with org_scope(world.org_b):
        actor = build_actor(world.member_b.user, world.org_b)
        other = services.job_report(actor=actor, location=world.room_b, category="water", description="漏水")
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.post(_api(incident.pk, "link-job"), {"code": other.code}, content_type="application/json")
    assert response.status_code == 400 and "code" in response.json()
    own = make_job(world)
    response = client.post(_api(incident.pk, "link-job"), {"code": own.code}, content_type="application/json")
    assert response.status_code == 200 and response.json()["jobs"] == [own.pk]


def test_the_api_refuses_an_emergency_job_without_a_place(world, login):
    response = login(world.member(Role.SECURITY)).post(
        _api(), {"kind": "leak", "create_job": True}, content_type="application/json"
    )
    assert response.status_code == 400 and set(response.json()) == {"location"}
    assert _counts(world)[0] == 0


# On a phone at night --------------------------------------------------------------------------------


SCREENSHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "{}.png".format(name)), full_page=True)


@pytest.fixture(scope="module")
def browser():
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


def test_on_a_phone_the_guard_records_with_a_job_and_marks_arrival_without_sideways_scrolling(
    world, client, live_server, browser
):
    client.force_login(world.member(Role.SECURITY).user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + _url("incident_create") + "?location={}".format(world.room_a.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(page, "incident-create")
    page.click("label[for=id_kind_0]")  # 爆管: one tap
    page.check("input[name=create_job]")  # 同时派抢修单
    page.click("[data-testid=form-submit]")
    page.wait_for_load_state("networkidle")
    with scopes_disabled():
        incident = Incident.objects.get(org=world.org_a)
        assert incident.kind == "burst_pipe" and incident.jobs.count() == 1
    assert page.url.endswith(_url("incident_detail", incident.pk))
    assert page.locator("[data-testid=linked-job]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("[data-testid=mark-on-site]")  # 已到场
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=time-on_site]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(page, "incident-detail")
    page.goto(live_server.url + _url("incident_list"))
    assert page.locator("[data-testid=incident-row]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
