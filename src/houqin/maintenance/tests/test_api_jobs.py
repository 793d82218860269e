"""The job API under /api/v1/o/<org>/maintenance/jobs/: 报修, scopes, every workflow step by token, errors in the
reader's language, constant list queries and the OpenAPI schema."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from PIL import Image

from houqin.core.choices import Role
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import PASSWORD

from ..api.jobs import JobDetailSerializer, JobSerializer
from ..choices import JobState
from ..models import Job, JobAssignment, JobPart
from .factories import advance, make_job

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
JOBS = "/api/v1/o/{}/maintenance/jobs/"


def jobs_url(suffix: str = "", org: str = "org-a") -> str:
    return JOBS.format(org) + suffix


def token_client(membership) -> Client:
    response = Client().post("/api/v1/auth/token/", {"username": membership.user.phone, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return Client(HTTP_AUTHORIZATION="Token " + response.json()["token"])


def send(client, url, data=None, *, method="post", lang=EN):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json", **lang)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def photo(name="leak.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


# 报修 ------------------------------------------------------------------------------------------------


def test_staff_reports_a_job_with_number_targets_and_their_department_charged(world):
    staff = world.member(Role.STAFF)
    client = token_client(staff)
    response = send(
        client,
        jobs_url(),
        {"location": world.room_a.pk, "category": "water", "description": "水龙头漏水", "urgency": "urgent"},
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["code"].startswith("BX-") and job["state"] == JobState.NEW
    assert job["response_due"] and job["completion_due"] and job["completion_due"] >= job["reported_at"]
    assert job["department"] == {"id": world.dept_a.pk, "name": world.dept_a.name}
    assert job["reporter"] == {"id": staff.user.pk, "name": staff.user.name}
    assert job["location"] == {"id": world.room_a.pk, "name": "101教室"}
    assert job["building"] == {"id": world.building_a.pk, "name": "教学楼"}
    assert job["category_label"] and job["technicians"] == [] and job["parts"] == []
    assert job["url"] == "/o/org-a/maintenance/jobs/{}/".format(job["id"])
    with org_scope(world.org_a):
        stored = Job.objects.get(pk=job["id"])
    assert stored.code == job["code"] and stored.department == world.dept_a


def test_only_the_office_chooses_the_charged_department(world):
    body = {
        "location": world.room_a.pk,
        "category": "water",
        "description": "漏水",
        "department": world.dept_a_other.pk,
    }
    assert send(token_client(world.member(Role.STAFF)), jobs_url(), body).status_code == 403
    response = send(token_client(world.member(Role.DISPATCHER)), jobs_url(), body)
    assert response.status_code == 201, response.content
    assert response.json()["department"]["id"] == world.dept_a_other.pk


@pytest.mark.parametrize(
    "body,field",
    [
        ({"category": "water", "description": "漏水"}, "location"),
        ({"location": "ROOM", "category": "no-such-category", "description": "漏水"}, "category"),
        ({"location": "ROOM", "category": "water", "description": ""}, "description"),
        ({"location": "ROOM", "category": "water", "description": "漏水", "urgency": "whenever"}, "urgency"),
        ({"location": "ROOM_B", "category": "water", "description": "漏水"}, "location"),  # another org's place
    ],
)
def test_bad_reports_are_field_errors_and_save_nothing(world, body, field):
    rooms = {"ROOM": world.room_a.pk, "ROOM_B": world.room_b.pk}
    body = {key: rooms.get(value, value) if key == "location" else value for key, value in body.items()}
    response = send(token_client(world.member(Role.STAFF)), jobs_url(), body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    with org_scope(world.org_a):
        assert not Job.objects.exists()


def test_a_report_may_carry_photos_as_multipart(world, login):
    client = login(world.member(Role.DISPATCHER))
    response = client.post(
        jobs_url(),
        {"location": world.room_a.pk, "category": "water", "description": "天花板渗水", "photos": [photo(), photo()]},
        **EN,
    )
    assert response.status_code == 201, response.content
    from houqin.core import attachments

    with org_scope(world.org_a):
        files = list(attachments.for_owner(Job.objects.get(pk=response.json()["id"])))
    assert [f.note for f in files] == ["before", "before"] and all(f.mime_type == "image/jpeg" for f in files)


def test_a_file_that_is_not_a_picture_is_refused_on_photos(world, login):
    client = login(world.member(Role.DISPATCHER))
    fake = io.BytesIO(b"not an image at all")
    fake.name = "leak.jpg"
    response = client.post(
        jobs_url(), {"location": world.room_a.pk, "category": "water", "description": "渗水", "photos": [fake]}, **EN
    )
    assert response.status_code == 400, response.content
    assert "photos" in response.json()
    with org_scope(world.org_a):
        assert not Job.objects.exists()


# Scopes ------------------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Jobs of the staff member (总务处), a colleague (维修组, below it), an outsider (语文组); one dispatched."""
    staff_job = make_job(world, description="灯不亮")
    colleague_job = make_job(world, reporter=world.member("colleague"), description="门坏了")
    outsider_job = make_job(world, reporter=world.member("outsider"), description="窗户漏风")
    assigned = advance(world, make_job(world, reporter=world.member("outsider"), description="网络断了"), "assigned")
    return {"staff": staff_job, "colleague": colleague_job, "outsider": outsider_job, "assigned": assigned}


@pytest.mark.parametrize(
    "who,expected",
    [
        (Role.STAFF, {"staff"}),
        (Role.TECHNICIAN, {"assigned"}),
        (Role.DEPT_HEAD, {"staff", "colleague"}),  # 总务处 and the 维修组 below it
        (Role.DISPATCHER, {"staff", "colleague", "outsider", "assigned"}),
        (Role.FINANCE, {"staff", "colleague", "outsider", "assigned"}),
        ("bureau", {"staff", "colleague", "outsider", "assigned"}),
    ],
)
def test_each_role_lists_and_opens_exactly_its_jobs(world, login, spread, who, expected):
    membership = world.bureau_member if who == "bureau" else world.member(who)
    client = login(membership)
    assert codes(client.get(jobs_url())) == {spread[key].code for key in expected}
    for key, job in spread.items():
        response = client.get(jobs_url("{}/".format(job.pk)))
        assert response.status_code == (200 if key in expected else 404), (who, key)
        timeline = client.get(jobs_url("{}/timeline/".format(job.pk)))
        assert timeline.status_code == (200 if key in expected else 404), (who, key)


def test_bureau_reads_and_writes_nothing(world, login, spread):
    client = login(world.bureau_member)
    job = spread["staff"]
    assert client.get(jobs_url("{}/".format(job.pk))).status_code == 200
    body = {"location": world.room_a.pk, "category": "water", "description": "漏水"}
    assert send(client, jobs_url(), body).status_code == 403
    assert send(client, jobs_url("{}/".format(job.pk)), {"urgency": "urgent"}, method="patch").status_code == 403
    assert send(client, jobs_url("{}/cancel/".format(job.pk)), {"note": "x"}).status_code == 403
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).urgency == "normal"


def test_org_b_reaches_no_job_of_org_a(world, login, spread):
    client = login(world.member_b)
    job = spread["staff"]
    assert client.get(jobs_url()).status_code == 404
    assert client.get(jobs_url("{}/".format(job.pk))).status_code == 404
    assert client.get(jobs_url("{}/".format(job.pk), org="org-b")).status_code == 404  # org-A id, own address
    assert send(client, jobs_url("{}/cancel/".format(job.pk), org="org-b"), {"note": "x"}).status_code == 404
    assert codes(client.get(jobs_url(org="org-b"))) == set()


def test_contact_phone_is_masked_for_readers_who_do_not_need_it(world, login):
    staff = world.member(Role.STAFF)
    response = send(
        token_client(staff),
        jobs_url(),
        {"location": world.room_a.pk, "category": "water", "description": "漏水", "contact_phone": "13912345678"},
    )
    job = response.json()
    assert job["contact_phone"] == "13912345678"  # the reporter
    with org_scope(world.org_a):
        advance(world, Job.objects.get(pk=job["id"]), "assigned")
    url = jobs_url("{}/".format(job["id"]))
    seen = {
        role: login(world.member(role)).get(url).json()["contact_phone"] for role in (Role.DISPATCHER, Role.FINANCE)
    }
    seen[Role.TECHNICIAN] = login(world.member(Role.TECHNICIAN)).get(url).json()["contact_phone"]
    assert seen == {Role.DISPATCHER: "13912345678", Role.FINANCE: "139****5678", Role.TECHNICIAN: "13912345678"}


# The lifecycle -----------------------------------------------------------------------------------


def test_a_job_goes_through_every_step_by_token(world):
    staff = token_client(world.member(Role.STAFF))
    office = token_client(world.member(Role.DISPATCHER))
    technician_member = world.member(Role.TECHNICIAN)
    technician = token_client(technician_member)
    job = send(staff, jobs_url(), {"location": world.room_a.pk, "category": "water", "description": "水管漏水"}).json()
    url = jobs_url("{}/".format(job["id"]))

    response = send(office, url + "dispatch/", {"technicians": [technician_member.pk], "note": "尽快"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == JobState.ASSIGNED
    assert response.json()["technicians"] == [
        {
            "membership": technician_member.pk,
            "user": technician_member.user.pk,
            "name": technician_member.user.name,
            "is_lead": True,
        }
    ]
    for step, body, state in [
        ("accept", {}, JobState.ACCEPTED),
        ("start", {}, JobState.IN_PROGRESS),
        ("hold", {"note": "等配件"}, JobState.ON_HOLD),
        ("resume", {}, JobState.IN_PROGRESS),
    ]:
        response = send(technician, url + step + "/", body)
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == state
    finish = {
        "work_done": "更换水管接头",
        "cause": "aging",
        "labour_hours": "1.50",
        "parts": [{"name": "接头", "spec": "DN20", "unit": "个", "quantity": "2", "unit_cost": "12.50"}],
    }
    response = send(technician, url + "finish/", finish)
    assert response.status_code == 200, response.content
    finished = response.json()
    assert finished["state"] == JobState.FINISHED
    assert (finished["parts_cost"], finished["labour_cost"], finished["total_cost"]) == ("25.00", "90.00", "115.00")
    assert finished["parts"] == [
        {"name": "接头", "spec": "DN20", "unit": "个", "quantity": "2.00", "unit_cost": "12.50", "amount": "25.00"}
    ]
    response = send(staff, url + "reopen/", {"note": "还在滴水"})
    assert response.json()["state"] == JobState.ASSIGNED and response.json()["reopen_count"] == 1
    for step in ("start", "finish"):
        assert send(technician, url + step + "/", finish if step == "finish" else {}).status_code == 200
    response = send(staff, url + "confirm/", {"rating": 4, "comment": "修好了"})
    assert response.status_code == 200, response.content
    done = response.json()
    assert (done["state"], done["rating"], done["rating_comment"]) == (JobState.DONE, 4, "修好了")
    assert done["confirmed_at"] and done["closed_at"] and done["overdue"] is False

    timeline = staff.get(url + "timeline/", **EN).json()
    assert [event["action"] for event in timeline] == [
        "report", "dispatch", "accept", "start", "hold", "resume", "finish", "reopen", "start", "finish", "confirm",
    ]  # fmt: skip
    assert timeline[4]["note"] == "等配件" and timeline[4]["to_label"] == "On hold"
    assert timeline[0]["actor"]["id"] == world.member(Role.STAFF).user.pk


def test_the_office_rejects_and_the_reporter_cancels(world):
    office = token_client(world.member(Role.DISPATCHER))
    staff = token_client(world.member(Role.STAFF))
    rejected, cancelled = make_job(world), make_job(world)
    response = send(office, jobs_url("{}/reject/".format(rejected.pk)), {"note": "重复报修"})
    assert response.status_code == 200 and response.json()["state"] == JobState.REJECTED
    response = send(staff, jobs_url("{}/cancel/".format(cancelled.pk)), {"note": "已自行修好"})
    assert response.status_code == 200 and response.json()["state"] == JobState.CANCELLED
    assert response.json()["closed_at"]


def test_the_office_corrects_category_urgency_department_and_due_times(world):
    office = token_client(world.member(Role.DISPATCHER))
    job = make_job(world)
    url = jobs_url("{}/".format(job.pk))
    response = send(office, url, {"urgency": "emergency", "department": world.dept_a_other.pk}, method="patch")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["urgency"] == "emergency" and data["wall_clock"] is True
    assert data["department"]["id"] == world.dept_a_other.pk
    due = (job.reported_at + timedelta(days=2)).isoformat()
    response = send(office, url, {"completion_due": due}, method="patch")
    assert response.status_code == 200
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).completion_due == job.reported_at + timedelta(days=2)


# Errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,message",
    [(EN, '"Accept" is not possible while the record is'), (ZH, "不能执行")],
)
def test_a_step_from_the_wrong_state_is_a_400_in_the_readers_language(world, lang, message):
    job = make_job(world)
    response = send(token_client(world.member(Role.DISPATCHER)), jobs_url("{}/accept/".format(job.pk)), lang=lang)
    assert response.status_code == 400, response.content
    assert message in response.json()["non_field_errors"][0]
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).state == JobState.NEW


@pytest.mark.parametrize(
    "role,step,body",
    [
        (Role.TECHNICIAN, "dispatch", {"technicians": []}),  # sees the job, may not dispatch
        (Role.TECHNICIAN, "reject", {"note": "不修"}),
        (Role.STAFF, "finish", {"work_done": "修好", "cause": "aging"}),  # the reporter may not record the work
        (Role.FINANCE, "cancel", {"note": "不要了"}),  # reads every job, moves none
    ],
)
def test_a_step_by_the_wrong_role_is_a_403(world, role, step, body):
    job = advance(world, make_job(world), "in_progress")
    response = send(token_client(world.member(role)), jobs_url("{}/{}/".format(job.pk, step)), body)
    assert response.status_code == 403, response.content
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).state == JobState.IN_PROGRESS


def test_a_job_the_actor_cannot_see_is_a_404_for_every_step(world):
    job = make_job(world, reporter=world.member("outsider"))
    client = token_client(world.member(Role.STAFF))
    for step in ("cancel", "confirm", "accept"):
        assert send(client, jobs_url("{}/{}/".format(job.pk, step)), {"note": "x"}).status_code == 404


def test_dispatch_to_someone_who_is_not_a_technician_is_refused_on_technicians(world):
    job = make_job(world)
    office = token_client(world.member(Role.DISPATCHER))
    url = jobs_url("{}/dispatch/".format(job.pk))
    response = send(office, url, {"technicians": [world.member(Role.STAFF).pk]})
    assert response.status_code == 400 and "technicians" in response.json(), response.content
    response = send(office, url, {"technicians": [world.member_b.pk]})  # another org's person: not found
    assert response.status_code == 400 and "technicians" in response.json()
    technician = world.member(Role.TECHNICIAN)
    response = send(office, url, {"technicians": [technician.pk], "lead": world.member(Role.DISPATCHER).pk})
    assert response.status_code == 400 and "lead" in response.json()
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).state == JobState.NEW
        assert not JobAssignment.objects.filter(job=job).exists()


def test_a_rating_outside_1_to_5_is_refused_on_rating(world):
    job = advance(world, make_job(world), "finished")
    client = token_client(world.member(Role.STAFF))
    for rating in (7, 0):
        response = send(client, jobs_url("{}/confirm/".format(job.pk)), {"rating": rating})
        assert response.status_code == 400 and "rating" in response.json(), response.content
    response = send(client, jobs_url("{}/confirm/".format(job.pk)), {})  # the reporter must rate
    assert response.status_code == 400 and "rating" in response.json()
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).state == JobState.FINISHED


def test_a_due_time_before_the_report_is_refused(world):
    job = make_job(world)
    before = (job.reported_at - timedelta(hours=1)).isoformat()
    response = send(
        token_client(world.member(Role.DISPATCHER)),
        jobs_url("{}/".format(job.pk)),
        {"completion_due": before},
        method="patch",
    )
    assert response.status_code == 400 and "completion_due" in response.json(), response.content
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).completion_due == job.completion_due


def test_a_hold_without_a_reason_and_a_finish_without_the_work_are_refused(world):
    job = advance(world, make_job(world), "in_progress")
    client = token_client(world.member(Role.TECHNICIAN))
    response = send(client, jobs_url("{}/hold/".format(job.pk)), {})
    assert response.status_code == 400 and "note" in response.json(), response.content
    response = send(client, jobs_url("{}/finish/".format(job.pk)), {"work_done": "", "cause": ""})
    assert response.status_code == 400, response.content
    bad_parts = {
        "work_done": "换灯管",
        "cause": "aging",
        "parts": [{"name": "灯管", "quantity": "-1", "unit_cost": "5"}],
    }
    response = send(client, jobs_url("{}/finish/".format(job.pk)), bad_parts)
    assert response.status_code == 400 and "parts" in response.json(), response.content
    with org_scope(world.org_a):
        assert Job.objects.get(pk=job.pk).state == JobState.IN_PROGRESS
        assert not JobPart.objects.exists()


# Lists -------------------------------------------------------------------------------------------


def test_list_filters_through_the_job_filterset(world, login, spread):
    client = login(world.member(Role.DISPATCHER))
    assert codes(client.get(jobs_url(), {"state": "assigned"})) == {spread["assigned"].code}
    technician = world.member(Role.TECHNICIAN).user.pk
    assert codes(client.get(jobs_url(), {"technician": technician})) == {spread["assigned"].code}
    assert codes(client.get(jobs_url(), {"q": "窗户"})) == {spread["outsider"].code}
    newest_first = [row["id"] for row in client.get(jobs_url()).json()["results"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_cursor_pages_walk_every_job_once_newest_first(world, login):
    _bulk_jobs(world, 7)
    client = login(world.member(Role.DISPATCHER))
    seen, url, params = [], jobs_url(), {"page_size": 3}
    while url:
        page = client.get(url, params).json()
        seen += [(row["reported_at"], row["id"]) for row in page["results"]]
        url, params = page["next"], None
    assert len(seen) == 7 and len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def _bulk_jobs(world, count: int) -> None:
    """``count`` more jobs of org A, a third of them with two technicians on them."""
    staff = world.member(Role.STAFF)
    technician = world.member(Role.TECHNICIAN)
    now = timezone.now()
    with org_scope(world.org_a):
        start = Job.objects.count()
        jobs = Job.objects.bulk_create(
            [
                Job(
                    org=world.org_a,
                    code="BX-T-{:05d}".format(start + n),
                    category="water",
                    location=world.room_a,
                    building=world.building_a,
                    description="批量{}".format(n),
                    reporter=staff.user,
                    contact_phone="13900000000",
                    department=world.dept_a,
                    reported_at=now - timedelta(minutes=start + n),
                    completion_due=now + timedelta(days=1),
                    state=JobState.ASSIGNED if n % 3 == 0 else JobState.NEW,
                )
                for n in range(count)
            ]
        )
        JobAssignment.objects.bulk_create(
            [
                JobAssignment(org=world.org_a, job=job, membership=member, user=member.user, is_lead=lead)
                for job in jobs[::3]
                for member, lead in ((technician, True), (world.member(Role.DISPATCHER), False))
            ]
        )


def _list_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    assert not any("COUNT(" in query["sql"].upper() for query in context.captured_queries)
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.STAFF, Role.TECHNICIAN])
def test_the_list_runs_the_same_queries_for_10_and_200_jobs(world, role):
    client = token_client(world.member(role))
    client.get(jobs_url())  # warm caches (content types, dictionaries) so both counts measure the same work
    _bulk_jobs(world, 10)
    small, listed_small = _list_queries(client, jobs_url())
    _bulk_jobs(world, 190)
    large, listed_large = _list_queries(client, jobs_url())
    expected = {Role.DISPATCHER: (10, 200), Role.STAFF: (10, 200), Role.TECHNICIAN: (4, 68)}[role]
    assert (listed_small, listed_large) == expected
    assert small == large


@pytest.mark.orgcache
def test_one_job_is_read_in_four_queries(world):
    job = advance(world, make_job(world), "finished")
    client = token_client(world.member(Role.DISPATCHER))
    url = jobs_url("{}/".format(job.pk))
    client.get(url)  # in the test's transaction, after the set-up changed the org: nothing is kept yet
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200 and len(response.json()["parts"]) == 1
    # The org, the job, its technicians, its parts; token, actor, names and labels are remembered (orgcache).
    assert len(context.captured_queries) == 4, [q["sql"] for q in context.captured_queries]


def test_the_written_out_rows_name_exactly_the_documented_fields(world, login):
    job = advance(world, make_job(world), "finished")
    client = login(world.member(Role.DISPATCHER))
    row = client.get(jobs_url()).json()["results"][0]
    assert set(row) == set(JobSerializer().fields)
    detail = client.get(jobs_url("{}/".format(job.pk))).json()
    assert set(detail) == set(JobDetailSerializer().fields)
    assert Decimal(detail["labour_hours"]) == Decimal("1.5")


# Schema ------------------------------------------------------------------------------------------


def test_the_schema_documents_every_job_endpoint_and_step(tmp_path):
    # Warnings anywhere fail core's test_schema_generates_without_warnings; here: what the job API documents.
    call_command("spectacular", "--format", "openapi-json", "--file", str(tmp_path / "s"))
    schema = json.loads((tmp_path / "s").read_text())
    validate_schema(schema)
    paths = schema["paths"]
    base = "/api/v1/o/{org_code}/maintenance/jobs/"
    assert {"get", "post"} <= set(paths[base])
    assert {"get", "patch"} <= set(paths[base + "{id}/"])
    for step in ("dispatch", "accept", "start", "hold", "resume", "finish", "confirm", "reopen", "reject", "cancel"):
        assert "post" in paths[base + "{id}/" + step + "/"], step
    assert "get" in paths[base + "{id}/timeline/"]
    job = schema["components"]["schemas"]["JobDetail"]["properties"]
    assert {"code", "state_label", "category_label", "technicians", "overdue", "parts", "total_cost"} <= set(job)
    create = paths[base]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in create and "application/json" in create
    dispatch = schema["components"]["schemas"]["DispatchRequest"]["properties"]
    assert dispatch["technicians"]["type"] == "array"
