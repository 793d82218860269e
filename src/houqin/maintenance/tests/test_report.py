"""报修 by a logged-in person: from a room's QR code in three taps, photos, field errors, the duplicate hint,
the 报修 button on a place's page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from houqin.core.choices import Role
from houqin.core.models import Attachment, Notification
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled

from .. import services
from ..choices import JobSource, JobState
from ..models import Job
from .factories import actor_of, advance, make_job

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg_with_exif(size=(60, 40), orientation=None, gps=False) -> bytes:
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _report_url(world, location=None):
    url = reverse("maintenance:job_report", args=[world.org_a.code])
    return url + "?location={}".format(location.pk) if location else url


def _jobs(world):
    with scopes_disabled():
        return list(Job.objects.filter(org=world.org_a).order_by("id"))


def _counts():
    with scopes_disabled():
        return (Job.objects.count(), Attachment.objects.count(), WorkflowEvent.objects.count())


# The three taps -----------------------------------------------------------------------------------------


def test_a_staff_member_reports_from_the_rooms_qr_code_in_three_taps(world, login):
    staff = world.member(Role.STAFF)
    client = login(staff)
    # Scan: the room's printed address shows a primary 报修 button.
    scan = client.get(reverse("core:location_by_token", args=[world.org_a.code, world.room_a.qr_token]))
    assert scan.status_code == 200
    report_url = _report_url(world, world.room_a)
    assert 'href="{}"'.format(report_url) in scan.content.decode()
    assert "btn-primary" in scan.content.decode().split(report_url)[1][:80]
    # 报修: the form names the place and building big at the top; the phone is the person's.
    page = client.get(report_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "101教室" in body and "教学楼" in body
    assert 'value="{}"'.format(staff.user.phone) in body
    assert 'name="photos"' in body and 'accept="image/*"' in body and "multiple" in body
    # Category, 提交: no description needed (the browser sends the prefilled fields as they are).
    prefilled = {"location": world.room_a.pk, "urgency": "normal", "contact_phone": staff.user.phone}
    response = client.post(report_url, {**prefilled, "category": "water"})
    [job] = _jobs(world)
    assert response.status_code == 302
    assert response["Location"] == reverse("maintenance:job_detail", args=[world.org_a.code, job.pk])
    assert (job.location, job.building, job.reporter) == (world.room_a, world.building_a, staff.user)
    assert job.department == world.dept_a  # the reporter's department is charged
    assert (job.source, job.state, job.urgency) == (JobSource.REPORT, JobState.NEW, "normal")
    assert job.contact_phone == staff.user.phone
    with org_scope(world.org_a), translation.override("zh-hans"):
        assert job.description == services.report_description(world.org_a, "water", "")
    # The dispatcher has it in the inbox.
    with scopes_disabled():
        assert Notification.objects.filter(
            recipient=world.member(Role.DISPATCHER).user,
            event="maintenance.reported",
            url=reverse("maintenance:job_detail", args=[world.org_a.code, job.pk]),
        ).exists()


def test_an_empty_description_names_the_category_and_a_typed_one_is_kept(world):
    with org_scope(world.org_a), translation.override("en"):
        assert services.report_description(world.org_a, "electric", "  ") == "Electricity (no description given)"
        assert services.report_description(world.org_a, "electric", " 灯不亮 ") == "灯不亮"


def test_a_typed_description_and_urgency_are_stored(world, login):
    client = login(world.member(Role.STAFF))
    client.post(
        _report_url(world),
        {"location": world.room_a.pk, "category": "electric", "urgency": "urgent", "description": "灯管闪烁"},
    )
    [job] = _jobs(world)
    assert (job.category, job.urgency, job.description) == ("electric", "urgent", "灯管闪烁")


@pytest.mark.parametrize(
    "data,field",
    [
        ({"urgency": "normal"}, "category"),
        ({"category": "no-such", "urgency": "normal"}, "category"),
        ({"category": "water", "urgency": "whenever"}, "urgency"),
        ({"category": "water", "urgency": "normal", "contact_phone": "12345"}, "contact_phone"),
        ({"category": "water", "urgency": "normal", "description": "长" * 1001}, "description"),
    ],
)
def test_bad_input_is_shown_field_by_field_in_chinese_and_saves_nothing(world, login, data, field):
    client = login(world.member(Role.STAFF))
    response = client.post(_report_url(world), {"location": world.room_a.pk, **data})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field-error="{}"'.format(field) in body
    assert "请" in body  # the page speaks the user's language (zh-Hans by default)
    assert _jobs(world) == []


def test_a_place_of_another_organisation_cannot_be_reported(world, login):
    client = login(world.member(Role.STAFF))
    response = client.post(_report_url(world), {"location": world.room_b.pk, "category": "water", "urgency": "normal"})
    assert response.status_code == 200
    assert 'data-field-error="location"' in response.content.decode()
    assert _jobs(world) == []


def test_without_a_place_the_form_offers_a_search(world, login):
    client = login(world.member(Role.STAFF))
    response = client.get(_report_url(world), {"q": "101"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="?location={}"'.format(world.room_a.pk) in body
    assert "门诊楼" not in body  # org B's places are not offered


def test_the_office_may_charge_another_department_and_staff_may_not_choose(world, login):
    client = login(world.member(Role.STAFF))
    assert 'name="department"' not in client.get(_report_url(world, world.room_a)).content.decode()
    client = login(world.member(Role.DISPATCHER))
    assert 'name="department"' in client.get(_report_url(world, world.room_a)).content.decode()
    client.post(
        _report_url(world),
        {"location": world.room_a.pk, "category": "water", "urgency": "normal", "department": world.dept_a_other.pk},
    )
    [job] = _jobs(world)
    assert job.department == world.dept_a_other


# Photos -----------------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_saved(world, login):
    client = login(world.member(Role.STAFF))
    before = _counts()
    response = client.post(
        _report_url(world),
        {
            "location": world.room_a.pk,
            "category": "water",
            "urgency": "normal",
            "photos": [
                SimpleUploadedFile("ok.jpg", _jpeg_with_exif()),
                SimpleUploadedFile("现场.jpg", b"this is not a picture"),
            ],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field-error="photos"' in body
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "This kind of file cannot be attached: only photos (JPEG, PNG, HEIC), PDF, Word or Excel."
        )
    assert expected in body
    assert _counts() == before  # no job, no attachment, no event


def test_a_pdf_sent_as_a_photo_is_refused_and_nothing_is_saved(world, login):
    client = login(world.member(Role.STAFF))
    before = _counts()
    response = client.post(
        _report_url(world),
        {
            "location": world.room_a.pk,
            "category": "water",
            "urgency": "normal",
            "photos": [SimpleUploadedFile("scan.pdf", b"%PDF-1.4 fake")],
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="photos"' in response.content.decode()
    assert _counts() == before


def test_a_photo_is_stored_upright_and_without_gps(world, login):
    client = login(world.member(Role.STAFF))
    original = _jpeg_with_exif((60, 40), orientation=6, gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the control: the upload has GPS
    response = client.post(
        _report_url(world),
        {
            "location": world.room_a.pk,
            "category": "water",
            "urgency": "normal",
            "photos": [SimpleUploadedFile("IMG_0001.jpg", original)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [job] = _jobs(world)
    with scopes_disabled():
        [attachment] = Attachment.objects.filter(object_id=job.pk, content_type__model="job")
    with attachment.file.open("rb") as stored:
        raw = stored.read()
    image = Image.open(io.BytesIO(raw))
    assert image.size == (40, 60)  # turned upright by its EXIF orientation
    assert not image.getexif().get_ifd(GPS_IFD) and ORIENTATION not in image.getexif()
    assert b"PhoneMaker" not in raw
    assert attachment.note == "before" and attachment.uploaded_by == world.member(Role.STAFF).user


# The duplicate hint -----------------------------------------------------------------------------------


def _similar(client, world, category, location=None):
    return client.get(
        reverse("maintenance:job_similar", args=[world.org_a.code]),
        {"location": (location or world.room_a).pk, "category": category},
        HTTP_HX_REQUEST="true",
    ).content.decode()


def test_open_jobs_at_the_same_place_and_category_are_shown_before_submitting(world, login):
    job = make_job(world, category="water")
    finished = advance(world, make_job(world, category="water"), "finished")
    done = advance(world, make_job(world, category="water"), "done")
    other_place = make_job(world, category="water", location=world.building_a)
    client = login(world.member(Role.STAFF))
    body = _similar(client, world, "water")
    assert 'data-testid="similar-jobs"' in body
    assert job.code in body and finished.code in body  # open, and awaiting confirmation
    assert done.code not in body and other_place.code not in body
    assert reverse("maintenance:job_detail", args=[world.org_a.code, job.pk]) in body
    # Another category at the same place: no hint.
    assert "similar-jobs" not in _similar(client, world, "electric")


def test_the_hint_is_also_on_the_form_when_it_opens_with_a_category(world, login):
    job = make_job(world, category="water")
    client = login(world.member(Role.STAFF))
    body = client.get(_report_url(world, world.room_a) + "&category=water").content.decode()
    assert job.code in body and 'id="similar-jobs"' in body and "hx-get=" in body


def test_people_who_may_not_view_the_jobs_see_only_how_many_and_their_states(world, login):
    job = make_job(world, category="water")  # reported by the staff member
    client = login(world.member("outsider"))
    body = _similar(client, world, "water")
    assert "similar-jobs" in body
    assert job.code not in body
    assert reverse("maintenance:job_detail", args=[world.org_a.code, job.pk]) not in body


def test_the_hint_shows_at_most_five_jobs(world, login):
    jobs = [make_job(world, category="water") for _ in range(7)]
    client = login(world.member(Role.STAFF))
    body = _similar(client, world, "water")
    assert sum(job.code in body for job in jobs) == 5
    assert jobs[-1].code in body and jobs[0].code not in body  # the newest


def _similar_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        _similar(client, world, "water")
    return len(queries)


def test_the_hint_runs_the_same_queries_at_10_and_at_200_jobs(world, login):
    from .factories import make_job as make

    for _ in range(10):
        make(world, category="water")
    client = login(world.member(Role.DISPATCHER))
    at_10 = _similar_queries(client, world)
    with org_scope(world.org_a):
        first = Job.objects.first()
        Job.objects.bulk_create(
            [
                Job(
                    org=world.org_a,
                    code="BX-TEST-{:05d}".format(n),
                    category="water",
                    location=world.room_a,
                    building=world.building_a,
                    description="批量",
                    reporter=first.reporter,
                    department=first.department,
                )
                for n in range(190)
            ]
        )
    assert _similar_queries(client, world) == at_10


# The 报修 button on a place -------------------------------------------------------------------------------


def test_the_place_page_offers_reporting_to_staff_and_not_to_the_bureau(world, login):
    report_url = _report_url(world, world.room_a)
    detail = reverse("core:location_detail", args=[world.org_a.code, world.room_a.pk])
    scan = reverse("core:location_by_token", args=[world.org_a.code, world.room_a.qr_token])
    client = login(world.member(Role.STAFF))
    assert report_url in client.get(detail).content.decode()
    assert report_url in client.get(scan).content.decode()
    client = login(world.bureau_member)
    for url in (detail, scan):
        response = client.get(url)
        assert response.status_code == 200
        assert report_url not in response.content.decode()


def test_the_bureau_cannot_report(world, login):
    client = login(world.bureau_member)
    assert client.get(_report_url(world, world.room_a)).status_code == 403
    response = client.post(_report_url(world), {"location": world.room_a.pk, "category": "water", "urgency": "normal"})
    assert response.status_code == 403
    assert _jobs(world) == []


def test_a_reporter_who_may_not_view_the_job_gets_a_thank_you_page_with_its_number(world, login, monkeypatch):
    from houqin.core import permissions as core_permissions

    from .. import permissions as p

    staff = world.member(Role.STAFF)
    real = core_permissions.restrict

    def without_job_view(queryset, actor, action):
        return queryset.none() if action == p.JOB_VIEW else real(queryset, actor, action)

    monkeypatch.setattr("houqin.maintenance.views.report.restrict", without_job_view)
    client = login(staff)
    response = client.post(_report_url(world), {"location": world.room_a.pk, "category": "water", "urgency": "normal"})
    [job] = _jobs(world)
    assert response.status_code == 200
    assert job.code in response.content.decode()
    assert actor_of(staff).can(p.JOB_VIEW)  # the control: normally they follow their report


# On a phone --------------------------------------------------------------------------------------------------


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


def _shoot(page, name):
    from houqin.core.tests.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "{}.png".format(name)), full_page=True)


def test_on_a_phone_scan_report_category_submit_with_the_duplicate_hint(world, client, live_server, browser):
    earlier = make_job(world, category="water", reporter=world.member("colleague"))
    client.force_login(world.member(Role.STAFF).user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("core:location_by_token", args=[world.org_a.code, world.room_a.qr_token]))
    page.click("a.btn-primary")  # 报修
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("[data-testid=category-water]")  # the category
    page.wait_for_selector("[data-testid=similar-jobs]")  # swapped in by htmx: an open job there already
    assert page.locator("[data-testid=similar-jobs]").count() == 1
    assert earlier.code not in page.content()  # a colleague's: the count and state only
    _shoot(page, "maintenance-report-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("[data-testid=report-submit]")  # 提交
    page.wait_for_load_state("networkidle")
    [_earlier, job] = _jobs(world)
    assert page.url.endswith(reverse("maintenance:job_detail", args=[world.org_a.code, job.pk]))
    assert job.category == "water" and job.reporter == world.member(Role.STAFF).user
    context.close()


def test_on_a_phone_the_form_without_login_fits_the_screen(world, live_server, browser):
    from .test_public import _open

    _open(world, world.room_a)
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + reverse("core:location_by_token", args=[world.org_a.code, world.room_a.qr_token]))
    assert page.locator("[data-testid=public-report-form]").count() == 1
    _shoot(page, "maintenance-public-report-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("[data-testid=category-electric]")
    page.fill("input[name=contact_phone]", "13812345678")
    page.click("[data-testid=report-submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=public-report-done]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
