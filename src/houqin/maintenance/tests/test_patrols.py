"""Patrols (巡查): schedules made into rounds by the tick, check-in only through a checkpoint's QR address,
problems raised as repairs on the spot, missed rounds, and the pages and API around them."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from houqin.core import printing, tick, todos
from houqin.core.choices import LocationKind, Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location, make_member, png_bytes

from .. import services
from ..choices import CheckResult, JobSource, RoundState
from ..models import Checkpoint, CheckpointVisit, Job, PatrolRound, PatrolRoute
from .factories import actor_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
JOB = "maintenance.patrol_rounds"


def at(day: str, hhmm: str = "07:00") -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(hhmm), tzinfo=SHANGHAI)


def run_tick(now: datetime) -> int:
    [result] = tick.run_all(now, names=[JOB])
    assert not result.error, result.error
    return result.changed


@pytest.fixture
def room2(world):
    return make_location(world.org_a, "102教室", "A1-102", LocationKind.ROOM, world.room_a.parent)


def make_route(world, *locations, name="教学楼巡查", schedule="daily", weekday=None, start=time(8, 0), **extra):
    with org_scope(world.org_a):
        return services.route_create(
            actor=actor_of(world.member(Role.LOGISTICS_HEAD)),
            name=name,
            schedule=schedule,
            weekday=weekday,
            start_time=start,
            checkpoints=[{"location": loc, "instructions": "门窗、水电"} for loc in (locations or [world.room_a])],
            **extra,
        )


def rounds_of(route) -> list[PatrolRound]:
    with scopes_disabled():
        return list(PatrolRound.objects.filter(route=route).order_by("scheduled_for"))


def state() -> dict:
    """Every patrol row and the size of its history."""
    with scopes_disabled():
        found = {}
        for model in (PatrolRoute, Checkpoint, PatrolRound, CheckpointVisit, Job):
            found[model.__name__] = list(model._base_manager.order_by("pk").values_list())
            found[model.__name__ + ".history"] = model.history.count()
        return found


def checkpoints_of(route) -> list[Checkpoint]:
    with scopes_disabled():
        return list(Checkpoint.objects.filter(route=route, is_active=True).order_by("position"))


def scan_path(world, checkpoint) -> str:
    return reverse("maintenance:checkpoint_scan", args=[world.org_a.code, checkpoint.qr_token])


# The tick -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day,schedule,weekday,expected",
    [
        ("2026-09-13", "daily", None, 1),  # a Sunday
        ("2026-09-13", "working_days", None, 0),  # a Sunday that is not a make-up day
        ("2026-09-20", "working_days", None, 1),  # the make-up Sunday before National Day (调休上班)
        ("2026-09-14", "working_days", None, 1),  # an ordinary Monday
        ("2026-10-01", "working_days", None, 0),  # National Day, a Thursday
        ("2026-09-18", "weekly", 5, 1),  # Friday, the route's weekday
        ("2026-09-17", "weekly", 5, 0),  # Thursday
    ],
)
def test_the_tick_makes_todays_round_by_schedule(world, day, schedule, weekday, expected):
    with time_machine.travel(at(day, "06:00"), tick=False):
        route = make_route(world, schedule=schedule, weekday=weekday)
        assert run_tick(at(day, "06:00")) == expected
    made = rounds_of(route)
    assert len(made) == expected
    if expected:
        assert made[0].scheduled_for == at(day, "08:00")
        assert made[0].due_by == at(day, "10:00")
        assert made[0].state == RoundState.PLANNED
        assert made[0].checkpoint_count == 1


def test_the_tick_run_twice_at_the_same_clock_changes_nothing_the_second_time(world, room2):
    now = at("2026-09-14", "07:00")
    with time_machine.travel(now, tick=False):
        make_route(world, world.room_a, room2)
        make_route(world, name="宿舍楼巡查", schedule="working_days")
        assert run_tick(now) == 2
        before = state()
        assert run_tick(now) == 0
        assert state() == before
        later = now + timedelta(hours=5)  # both windows are over
        assert run_tick(later) == 2  # both missed
        before = state()
        assert run_tick(later) == 0
        assert state() == before


def test_a_round_not_finished_in_its_window_is_missed_and_a_completed_one_stays(world, room2, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        walked = make_route(world, world.room_a, room2)
        skipped = make_route(world, world.room_a, room2, name="宿舍楼巡查")
        run_tick(at("2026-09-14", "06:00"))
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(at("2026-09-14", "09:00"), tick=False):
        for checkpoint in checkpoints_of(walked):
            client.post(scan_path(world, checkpoint), {"result": "ok"})
        client.post(scan_path(world, checkpoints_of(skipped)[0]), {"result": "ok"})
    assert run_tick(at("2026-09-14", "10:00")) == 0  # the window ends at 10:00: not yet missed
    assert run_tick(at("2026-09-14", "10:01")) == 1
    [done], [missed] = rounds_of(walked), rounds_of(skipped)
    assert done.state == RoundState.COMPLETED
    assert missed.state == RoundState.MISSED and missed.visited_count == 1


def test_a_new_route_is_not_given_missed_rounds_for_times_before_it_existed(world):
    with time_machine.travel(at("2026-09-14", "15:00"), tick=False):
        route = make_route(world)  # made after today's 08:00–10:00 window
        assert run_tick(at("2026-09-14", "15:00")) == 0
    assert rounds_of(route) == []
    with time_machine.travel(at("2026-09-15", "07:00"), tick=False):
        assert run_tick(at("2026-09-15", "07:00")) == 1
    assert [r.scheduled_for for r in rounds_of(route)] == [at("2026-09-15", "08:00")]  # no earlier days


def test_an_inactive_route_or_one_whose_start_time_changed_gets_no_second_round(world):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        idle = make_route(world, name="停用路线")
        with org_scope(world.org_a):
            services.route_update(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), route=idle, is_active=False)
        assert run_tick(at("2026-09-14", "06:00")) == 1
        with org_scope(world.org_a):
            services.route_update(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), route=route, start_time=time(9, 0))
        assert run_tick(at("2026-09-14", "06:30")) == 0
    assert len(rounds_of(route)) == 1 and rounds_of(idle) == []


# The scan -----------------------------------------------------------------------------------------


def test_a_scan_records_the_user_and_server_time_and_the_last_checkpoint_completes_the_round(world, room2, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world, world.room_a, room2)
        run_tick(at("2026-09-14", "06:00"))
    first, last = checkpoints_of(route)
    technician = world.member(Role.TECHNICIAN)
    client = login(technician)
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        page = client.get(scan_path(world, first))
        assert page.status_code == 200 and "101教室" in page.content.decode() and "门窗、水电" in page.content.decode()
        # A time sent by the phone is ignored: the server's clock is what counts.
        response = client.post(scan_path(world, first), {"result": "ok", "visited_at": "2026-09-14 07:00"})
        assert response.status_code == 302
    [patrol_round] = rounds_of(route)
    assert patrol_round.state == RoundState.IN_PROGRESS
    assert patrol_round.started_at == at("2026-09-14", "08:10") and patrol_round.visited_count == 1
    with scopes_disabled():
        visit = CheckpointVisit.objects.get(checkpoint=first)
    assert visit.user == technician.user and visit.visited_at == at("2026-09-14", "08:10")
    assert visit.result == CheckResult.OK and visit.round == patrol_round
    with time_machine.travel(at("2026-09-14", "08:25"), tick=False):
        client.post(scan_path(world, last), {"result": "ok"})
    [patrol_round] = rounds_of(route)
    assert patrol_round.state == RoundState.COMPLETED
    assert patrol_round.completed_at == at("2026-09-14", "08:25") and patrol_round.visited_count == 2


def test_a_scan_outside_any_open_round_is_refused(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        run_tick(at("2026-09-14", "06:00"))
    checkpoint = checkpoints_of(route)[0]
    client = login(world.member(Role.TECHNICIAN))
    for moment in ("07:59", "10:01"):
        with time_machine.travel(at("2026-09-14", moment), tick=False):
            before = state()
            response = client.post(scan_path(world, checkpoint), {"result": "ok"}, follow=True)
            assert gettext("No patrol round is open now.") in response.content.decode()
            assert state() == before
    with scopes_disabled():
        assert not CheckpointVisit.objects.exists()


def test_a_round_the_tick_has_not_made_yet_is_opened_by_the_first_scan_in_its_window(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(at("2026-09-14", "08:30"), tick=False):
        before = state()
        page = client.get(scan_path(world, checkpoints_of(route)[0])).content.decode()
        assert 'data-testid="scan-form"' in page and state() == before  # showing the page writes nothing
        client.post(scan_path(world, checkpoints_of(route)[0]), {"result": "ok"})
        assert run_tick(at("2026-09-14", "08:30")) == 0  # the scan made today's round; the tick adds none
    [patrol_round] = rounds_of(route)
    assert patrol_round.state == RoundState.COMPLETED


def test_a_second_scan_in_the_same_round_changes_nothing(world, room2, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world, world.room_a, room2)
        run_tick(at("2026-09-14", "06:00"))
    checkpoint = checkpoints_of(route)[0]
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        client.post(scan_path(world, checkpoint), {"result": "ok"})
    before = state()
    other = login(world.member(Role.SECURITY))
    with time_machine.travel(at("2026-09-14", "08:40"), tick=False):
        response = other.post(scan_path(world, checkpoint), {"result": "problem", "category": "water"}, follow=True)
        assert gettext("Already checked in") in response.content.decode()
        assert state() == before
        page = other.get(scan_path(world, checkpoint)).content.decode()
        assert 'data-testid="already-visited"' in page and 'data-testid="scan-form"' not in page


def test_a_problem_with_report_opens_a_patrol_job_at_that_place(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        run_tick(at("2026-09-14", "06:00"))
    checkpoint = checkpoints_of(route)[0]
    technician = world.member(Role.TECHNICIAN)
    client = login(technician)
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        response = client.post(
            scan_path(world, checkpoint),
            {
                "result": "problem",
                "category": "water",
                "description": "暖气片漏水",
                "raise_job": "on",
                "photos": SimpleUploadedFile("leak.png", png_bytes(), content_type="image/png"),
            },
        )
        assert response.status_code == 302
    with scopes_disabled():
        visit = CheckpointVisit.objects.select_related("job").get(checkpoint=checkpoint)
        job = visit.job
        assert job is not None and job.source == JobSource.PATROL
        assert job.location_id == world.room_a.pk and job.category == "water" and job.description == "暖气片漏水"
        assert job.reporter == technician.user
        assert visit.result == CheckResult.PROBLEM and visit.note == "暖气片漏水"
        from houqin.core.models import Attachment

        assert Attachment.objects.filter(object_id=job.pk).count() == 1


def test_a_problem_to_report_needs_a_category_and_saves_nothing_without_one(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        run_tick(at("2026-09-14", "06:00"))
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        before = state()
        response = client.post(
            scan_path(world, checkpoints_of(route)[0]),
            {"result": "problem", "description": "漏水", "raise_job": "on"},
        )
        assert response.status_code == 200 and 'data-field-error="category"' in response.content.decode()
        assert state() == before


def test_a_problem_without_report_is_recorded_without_a_job(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        run_tick(at("2026-09-14", "06:00"))
    client = login(world.member(Role.TECHNICIAN))
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        client.post(scan_path(world, checkpoints_of(route)[0]), {"result": "problem", "description": "门锁松动"})
    with scopes_disabled():
        visit = CheckpointVisit.objects.get()
        assert visit.result == CheckResult.PROBLEM and visit.job_id is None and not Job.objects.exists()


def test_a_checkpoint_token_of_another_organisation_is_not_found(world, login):
    with org_scope(world.org_b):
        head_b = make_member(world.org_b, Role.LOGISTICS_HEAD, employee_no="B002")
        route_b = services.route_create(
            actor=actor_of(head_b),
            name="门诊楼巡查",
            start_time=time(8, 0),
            checkpoints=[{"location": world.room_b, "instructions": ""}],
        )
    token = checkpoints_of(route_b)[0].qr_token
    client = login(world.member(Role.TECHNICIAN))
    before = state()
    for method in ("get", "post"):
        url = reverse("maintenance:checkpoint_scan", args=[world.org_a.code, token])
        assert getattr(client, method)(url, {"result": "ok"}).status_code == 404
    assert state() == before


def test_staff_cannot_scan_and_anonymous_is_sent_to_log_in_and_back(world, client, login):
    route = make_route(world)
    url = scan_path(world, checkpoints_of(route)[0])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert response["Location"].endswith("next=" + url)
    staff = login(world.member(Role.STAFF))
    before = state()
    assert staff.get(url).status_code == 403
    assert staff.post(url, {"result": "ok"}).status_code == 403
    assert state() == before


def test_the_round_page_shows_what_was_not_reached_and_has_no_way_to_check_in(world, room2, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world, world.room_a, room2)
        run_tick(at("2026-09-14", "06:00"))
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        login(world.member(Role.TECHNICIAN)).post(scan_path(world, checkpoints_of(route)[0]), {"result": "ok"})
    [patrol_round] = rounds_of(route)
    page = login(world.member(Role.LOGISTICS_HEAD)).get(
        reverse("maintenance:round_detail", args=[world.org_a.code, patrol_round.pk])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="not-reached"') == 1 and world.member(Role.TECHNICIAN).user.name in body
    assert "<form" not in body.split('data-testid="round-checkpoints"')[1]
    for checkpoint in checkpoints_of(route):
        assert checkpoint.qr_token not in body  # the scan address is never on screen


# Routes -----------------------------------------------------------------------------------------------


def test_route_rules_weekly_needs_a_weekday_and_an_active_route_a_checkpoint(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_route(world, schedule="weekly")
    assert "weekday" in error.value.message_dict
    with org_scope(world.org_a), pytest.raises(ValidationError) as error:
        services.route_create(
            actor=actor_of(world.member(Role.LOGISTICS_HEAD)), name="空路线", start_time=time(8), checkpoints=[]
        )
    assert "checkpoints" in error.value.message_dict
    with scopes_disabled():
        assert not PatrolRoute.objects.exists()


def test_removing_a_checkpoint_deactivates_it_and_keeps_its_visits_and_reordering_works(world, room2, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world, world.room_a, room2)
        run_tick(at("2026-09-14", "06:00"))
    first, second = checkpoints_of(route)
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        login(world.member(Role.TECHNICIAN)).post(scan_path(world, first), {"result": "ok"})
    room3 = make_location(world.org_a, "103教室", "A1-103", LocationKind.ROOM, world.room_a.parent)
    with org_scope(world.org_a):
        services.route_update(
            actor=actor_of(world.member(Role.LOGISTICS_HEAD)),
            route=route,
            checkpoints=[
                {"location": room3, "instructions": "新"},
                {"id": second.pk, "location": room2, "instructions": "先查"},
            ],
        )
    active = checkpoints_of(route)
    assert [(c.location_id, c.position) for c in active] == [(room3.pk, 1), (room2.pk, 2)]
    assert active[1].pk == second.pk and active[1].qr_token == second.qr_token  # its printed label still works
    with scopes_disabled():
        first.refresh_from_db()
        assert not first.is_active and CheckpointVisit.objects.filter(checkpoint=first).count() == 1


def test_the_route_form_saves_ordered_checkpoints_and_shows_field_errors(world, room2, login):
    client = login(world.member(Role.LOGISTICS_HEAD))
    url = reverse("maintenance:route_create", args=[world.org_a.code])
    form = {
        "name": "夜间巡查",
        "schedule": "weekly",
        "start_time": "21:00",
        "window_hours": "2",
        "is_active": "on",
        "checkpoints-TOTAL_FORMS": "3",
        "checkpoints-INITIAL_FORMS": "0",
        "checkpoints-MIN_NUM_FORMS": "0",
        "checkpoints-MAX_NUM_FORMS": "1000",
        "checkpoints-0-location": world.room_a.pk,
        "checkpoints-0-ORDER": "2",
        "checkpoints-1-location": room2.pk,
        "checkpoints-1-ORDER": "1",
        "checkpoints-1-instructions": "消防通道",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and 'data-field-error="weekday"' in response.content.decode()
    with scopes_disabled():
        assert not PatrolRoute.objects.exists()
    response = client.post(url, {**form, "weekday": "5"})
    assert response.status_code == 302
    with scopes_disabled():
        route = PatrolRoute.objects.get()
    assert route.weekday == 5 and route.start_time == time(21, 0)
    assert [(c.location_id, c.instructions) for c in checkpoints_of(route)] == [
        (room2.pk, "消防通道"),
        (world.room_a.pk, ""),
    ]
    edit = client.get(reverse("maintenance:route_edit", args=[world.org_a.code, route.pk]))
    assert edit.status_code == 200 and "消防通道" in edit.content.decode()


def test_the_label_sheet_carries_each_checkpoints_scan_address(world, room2, login, settings):
    route = make_route(world, world.room_a, room2)
    response = login(world.member(Role.LOGISTICS_HEAD)).get(
        reverse("maintenance:route_labels", args=[world.org_a.code, route.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    urls = [settings.HOUQIN_BASE_URL + scan_path(world, c) for c in checkpoints_of(route)]
    for url in urls:
        assert 'data-url="{}"'.format(url) in body
        assert printing.qr_svgs([url])[0] in body  # the kit's code for exactly that address (decoded in core's test)
    assert (
        login(world.member(Role.TECHNICIAN))
        .get(reverse("maintenance:route_labels", args=[world.org_a.code, route.pk]))
        .status_code
        == 403
    )


def test_the_routes_page_lists_missed_rounds_for_the_office_only(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        make_route(world)
        run_tick(at("2026-09-14", "06:00"))
        run_tick(at("2026-09-14", "11:00"))
    url = reverse("maintenance:route_list", args=[world.org_a.code])
    with time_machine.travel(at("2026-09-15", "06:00"), tick=False):
        head = login(world.member(Role.LOGISTICS_HEAD)).get(url).content.decode()
        assert 'data-testid="missed-rounds"' in head and "2026-09-14 08:00" in head
        technician = login(world.member(Role.TECHNICIAN)).get(url).content.decode()
        assert 'data-testid="missed-rounds"' not in technician and "教学楼巡查" in technician


def test_todos_tell_walkers_of_todays_rounds_and_the_office_of_missed_ones(world):
    from .factories import actor_of as actor

    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        make_route(world)
        make_route(world, name="宿舍楼巡查", start=time(15, 0))
        run_tick(at("2026-09-14", "06:00"))
        run_tick(at("2026-09-14", "11:00"))  # the 08:00 round is missed; the 15:00 one is still to walk
    with time_machine.travel(at("2026-09-14", "11:00"), tick=False), org_scope(world.org_a):
        walker = {t.title: t for t in todos.todos_for(actor(world.member(Role.TECHNICIAN)))}
        office = {t.title: t for t in todos.todos_for(actor(world.member(Role.LOGISTICS_HEAD)))}
    assert walker[gettext("Patrol rounds to walk today")].count == 1
    assert gettext("Patrol rounds missed in the last 7 days") not in walker
    missed = office[gettext("Patrol rounds missed in the last 7 days")]
    assert missed.count == 1 and missed.level == "danger"


# API ----------------------------------------------------------------------------------------------------


def test_the_api_creates_and_changes_routes_through_the_services(world, room2, login):
    client = login(world.member(Role.LOGISTICS_HEAD))
    url = "/api/v1/o/{}/maintenance/patrol-routes/".format(world.org_a.code)
    bad = client.post(
        url,
        json.dumps(
            {
                "name": "周巡",
                "schedule": "weekly",
                "start_time": "08:00",
                "checkpoints": [{"location": world.room_a.pk}],
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "weekday" in bad.json()
    made = client.post(
        url,
        json.dumps(
            {
                "name": "周巡",
                "schedule": "weekly",
                "weekday": 1,
                "start_time": "08:00",
                "window_hours": "1.5",
                "checkpoints": [{"location": world.room_a.pk, "instructions": "灭火器"}, {"location": room2.pk}],
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert [c["location"] for c in body["active_checkpoints"]] == [world.room_a.pk, room2.pk]
    assert body["active_checkpoints"][0]["scan_url"].endswith(
        "/maintenance/patrols/c/{}/".format(checkpoints_of(PatrolRoute(pk=body["id"]))[0].qr_token)
    )
    keep = body["active_checkpoints"][1]["id"]
    changed = client.patch(
        url + "{}/".format(body["id"]),
        json.dumps({"checkpoints": [{"id": keep, "location": room2.pk}]}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and [c["id"] for c in changed.json()["active_checkpoints"]] == [keep]
    # A technician reads routes but never sees the scan addresses.
    read = login(world.member(Role.TECHNICIAN)).get(url + "{}/".format(body["id"])).json()
    assert read["active_checkpoints"][0]["scan_url"] == ""


def test_the_rounds_api_lists_rounds_with_their_visits_and_filters_missed_ones(world, login):
    with time_machine.travel(at("2026-09-14", "06:00"), tick=False):
        route = make_route(world)
        make_route(world, name="宿舍楼巡查")
        run_tick(at("2026-09-14", "06:00"))
    with time_machine.travel(at("2026-09-14", "08:10"), tick=False):
        login(world.member(Role.TECHNICIAN)).post(scan_path(world, checkpoints_of(route)[0]), {"result": "ok"})
    run_tick(at("2026-09-14", "11:00"))
    client = login(world.member(Role.LOGISTICS_HEAD))
    url = "/api/v1/o/{}/maintenance/patrol-rounds/".format(world.org_a.code)
    rows = client.get(url).json()["results"]
    assert {r["state"] for r in rows} == {"completed", "missed"}
    done = next(r for r in rows if r["state"] == "completed")
    assert done["visits"][0]["user"] == world.member(Role.TECHNICIAN).user.pk
    missed = client.get(url + "?state=missed&start=2026-09-14&end=2026-09-14").json()["results"]
    assert [r["route_name"] for r in missed] == ["宿舍楼巡查"]


# Query counts ---------------------------------------------------------------------------------------------


def _add_rounds(world, route, count: int, offset: int) -> None:
    technician = world.member(Role.TECHNICIAN).user
    checkpoint = checkpoints_of(route)[0]
    with scopes_disabled():
        made = PatrolRound.objects.bulk_create(
            [
                PatrolRound(
                    org=world.org_a,
                    route=route,
                    scheduled_for=at("2026-09-13", "08:00") - timedelta(days=offset + i),
                    due_by=at("2026-09-13", "10:00") - timedelta(days=offset + i),
                    state=RoundState.MISSED if i % 2 else RoundState.COMPLETED,
                    checkpoint_count=1,
                    visited_count=0 if i % 2 else 1,
                )
                for i in range(count)
            ]
        )
        CheckpointVisit.objects.bulk_create(
            [
                CheckpointVisit(
                    org=world.org_a, round=r, checkpoint=checkpoint, user=technician, visited_at=r.scheduled_for
                )
                for r in made
                if r.state == RoundState.COMPLETED
            ]
        )


@pytest.mark.parametrize(
    "url_name,api",
    [
        ("maintenance:route_list", False),
        ("maintenance:round_list", False),
        ("api_patrol_round-list", True),
        ("api_patrol_route-list", True),
    ],
)
def test_patrol_lists_run_the_same_number_of_queries_at_10_and_200_rounds(world, login, url_name, api):
    route = make_route(world)
    client = login(world.member(Role.LOGISTICS_HEAD))
    url = reverse(url_name, kwargs={"org_code": world.org_a.code})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    with time_machine.travel(at("2026-09-14", "09:00"), tick=True):
        _add_rounds(world, route, 10, 0)
        for index in range(10):
            make_route(world, world.room_a, name="路线{}".format(index))
        small = queries()
        _add_rounds(world, route, 190, 10)
        for index in range(10, 200):
            make_route(world, world.room_a, name="路线{}".format(index))
        assert queries() == small


# In a real browser ------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_printed_label_decodes_to_its_scan_page_which_checks_in_on_a_phone(world, live_server, client, settings):
    """The label sheet photographed sticker by sticker and read back with zxing-cpp; the decoded address opened
    by a technician at 375 px: no sideways scrolling, 正常 checks in, 有问题 + 报修 opens a repair."""
    from io import BytesIO
    from urllib.parse import urlparse

    import zxingcpp
    from django.test import Client
    from django.utils import timezone
    from PIL import Image
    from playwright.sync_api import sync_playwright

    room2 = make_location(world.org_a, "102教室", "A1-102", LocationKind.ROOM, world.room_a.parent)
    route = make_route(world, world.room_a, room2)
    now = timezone.now()
    with scopes_disabled():
        PatrolRound.objects.create(
            org=world.org_a,
            route=route,
            scheduled_for=now - timedelta(hours=1),
            due_by=now + timedelta(hours=1),
            checkpoint_count=2,
        )
    backend = "houqin.core.auth.PhoneOrEmployeeNoBackend"
    client.force_login(world.member(Role.LOGISTICS_HEAD).user, backend=backend)
    walker = Client()
    walker.force_login(world.member(Role.TECHNICIAN).user, backend=backend)
    expected = [settings.HOUQIN_BASE_URL + scan_path(world, c) for c in checkpoints_of(route)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        office = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
        office.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = office.new_page()
        page.goto(live_server.url + reverse("maintenance:route_labels", args=["org-a", route.pk]))
        stickers = page.locator("[data-label]")
        decoded = []
        for index in range(stickers.count()):
            found = zxingcpp.read_barcodes(Image.open(BytesIO(stickers.nth(index).screenshot())))
            assert len(found) == 1, "sticker {} did not decode".format(index)
            decoded.append(found[0].text)
        phone = browser.new_context(viewport={"width": 375, "height": 812})
        phone.add_cookies([{"name": "sessionid", "value": walker.cookies["sessionid"].value, "url": live_server.url}])
        page = phone.new_page()
        page.goto(live_server.url + urlparse(decoded[0]).path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click("[data-testid=scan-ok]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=already-visited]").count() == 1
        page.goto(live_server.url + urlparse(decoded[1]).path)
        page.click("[data-testid=scan-problem] summary")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click("[data-testid=scan-problem] .form-selectgroup-item >> nth=0")
        page.fill("textarea[name=description]", "窗户玻璃裂了")
        page.click("[data-testid=scan-problem-submit]")
        page.wait_for_load_state("networkidle")
        heads = browser.new_context(viewport={"width": 375, "height": 812})
        heads.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = heads.new_page()
        for name, args in (
            ("maintenance:route_list", []),
            ("maintenance:route_detail", [route.pk]),
            ("maintenance:round_list", []),
        ):
            page.goto(live_server.url + reverse(name, args=["org-a", *args]))
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        browser.close()
    assert decoded == expected
    [patrol_round] = rounds_of(route)
    assert patrol_round.state == RoundState.COMPLETED
    with scopes_disabled():
        job = Job.objects.get()
    assert job.source == JobSource.PATROL and job.location_id == room2.pk and job.description == "窗户玻璃裂了"


def test_patrol_facts_count_completed_and_missed_rounds_and_link_exactly_those(world, login):
    from houqin.core import facts
    from houqin.core.access import build_actor
    from houqin.core.tests.test_facts import _listed_ids

    route = make_route(world)
    _add_rounds(world, route, 130, 0)  # 13 Sep back to early May, completed and missed in turn
    start, end = at("2026-06-01").date(), at("2026-09-10").date()
    with scopes_disabled():
        expected = {
            state: sorted(
                r.pk
                for r in PatrolRound.objects.filter(state=state)
                if start <= r.scheduled_for.astimezone(SHANGHAI).date() <= end
            )
            for state in (RoundState.COMPLETED, RoundState.MISSED)
        }
    assert all(len(ids) > 50 for ids in expected.values())  # more than one page of the list
    actor = build_actor(world.member(Role.LOGISTICS_HEAD).user, world.org_a)
    with org_scope(world.org_a):
        found = {f.key: f for f in facts.collect(world.org_a, start, end, actor=actor)}
    client = login(world.member(Role.LOGISTICS_HEAD))
    for state, ids in expected.items():
        fact = found["maintenance.patrols." + state]
        assert fact.value == len(ids)
        assert reverse("maintenance:round_list", args=["org-a"]) in fact.url
        assert sorted(_listed_ids(client, fact.url)) == ids, fact.url
    staff = build_actor(world.member(Role.STAFF).user, world.org_a)
    with org_scope(world.org_a):
        assert not [f for f in facts.collect(world.org_a, start, end, actor=staff) if "patrols" in f.key]
