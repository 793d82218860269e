"""A job's own pages: who may open which (a literal matrix), what they show, and their field errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from houqin.core.attachments import attachment_create, for_owner
from houqin.core.choices import Role
from houqin.core.models import Compensation
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member, make_party, png_bytes

from .. import services
from ..choices import Cause, JobState
from ..models import JobPart
from .factories import advance, make_job

# page → (which job, {who: expected GET status}). Jobs: "new" reported by the staff member (charged to 总务处),
# "working" being repaired by the technician, "finished" waiting for the staff member's confirmation.
MATRIX = {
    "job_detail": (
        "new",
        {
            Role.STAFF: 200,
            Role.DISPATCHER: 200,
            Role.LOGISTICS_HEAD: 200,
            Role.LEADER: 200,
            Role.FINANCE: 200,
            Role.ORG_ADMIN: 200,
            Role.DEPT_HEAD: 200,
            Role.TECHNICIAN: 404,
            "outsider": 404,
            "colleague": 404,
            "bureau": 200,
            "org_b": 404,
        },
    ),
    "job_print": (
        "new",
        {
            Role.STAFF: 200,
            Role.DISPATCHER: 200,
            Role.FINANCE: 200,
            Role.TECHNICIAN: 404,
            "outsider": 404,
            "bureau": 200,
        },
    ),
    "job_dispatch": (
        "new",
        {
            Role.DISPATCHER: 200,
            Role.LOGISTICS_HEAD: 200,
            Role.STAFF: 403,
            Role.DEPT_HEAD: 403,
            Role.ORG_ADMIN: 403,
            Role.FINANCE: 403,
            Role.TECHNICIAN: 404,
            "outsider": 404,
            "bureau": 403,
            "org_b": 404,
        },
    ),
    "job_edit": (
        "new",
        {Role.DISPATCHER: 200, Role.LOGISTICS_HEAD: 200, Role.STAFF: 403, Role.LEADER: 403, "bureau": 403},
    ),
    "job_finish": (
        "working",
        {
            Role.TECHNICIAN: 200,
            Role.DISPATCHER: 200,
            Role.STAFF: 403,
            Role.DEPT_HEAD: 403,
            Role.LEADER: 403,
            "other_technician": 404,
            "outsider": 404,
            "bureau": 403,
        },
    ),
    "job_confirm": (
        "finished",
        {
            Role.STAFF: 200,
            Role.DEPT_HEAD: 200,
            Role.DISPATCHER: 200,
            Role.TECHNICIAN: 403,
            Role.FINANCE: 403,
            "outsider": 404,
            "bureau": 403,
        },
    ),
    "job_compensation": (
        "finished",
        {
            Role.DISPATCHER: 200,
            Role.LOGISTICS_HEAD: 200,
            Role.STAFF: 403,
            Role.TECHNICIAN: 403,
            Role.FINANCE: 403,
            "bureau": 403,
        },
    ),
    "job_action": (
        "working",
        {Role.TECHNICIAN: 200, Role.DISPATCHER: 200, Role.STAFF: 403, "outsider": 404, "bureau": 403},
    ),
}
CASES = [(page, who, status) for page, (_job, expected) in MATRIX.items() for who, status in expected.items()]


def _member(world, who):
    if who == "bureau":
        return world.bureau_member
    if who == "org_b":
        return world.member_b
    if who == "other_technician":
        return make_member(world.org_a, Role.TECHNICIAN, employee_no="A200")
    return world.member(who)


def _job(world, which):
    job = make_job(world)
    if which == "new":
        return job
    return advance(world, job, "in_progress" if which == "working" else "finished")


def _url(world, page, job):
    args = [world.org_a.code, job.pk] + (["hold"] if page == "job_action" else [])
    return reverse("maintenance:" + page, args=args)


@pytest.mark.parametrize("page,who,status", CASES, ids=["{}-{}-{}".format(*case) for case in CASES])
def test_who_may_open_which_page(world, login, page, who, status):
    job = _job(world, MATRIX[page][0])
    response = login(_member(world, who)).get(_url(world, page, job))
    assert response.status_code == status


# The detail page -------------------------------------------------------------------------------------


def test_the_detail_shows_the_job_with_its_record_costs_rating_and_photos(world, login):
    job = make_job(world, description="三楼卫生间水管漏水")
    with org_scope(world.org_a):
        attachment_create(  # as job_report attaches the reporter's photos
            actor=None,
            system=True,
            owner=job,
            upload=SimpleUploadedFile("a.png", png_bytes()),
            note=services.jobs.PHOTO_BEFORE,
        )
    job = advance(world, job, "done")
    page = login(world.member(Role.DISPATCHER)).get(_url(world, "job_detail", job)).content.decode()
    for text in ("三楼卫生间水管漏水", "教学楼", "101教室", "更换水龙头阀芯", "阀芯", "115.00", "90.00", "很及时"):
        assert text in page, text
    assert 'data-testid="photos-before"' in page and page.count("★") == 5
    # The attachments panel names the photo as people say it, not by its stored code.
    assert gettext("Photos of the fault") in page.split('data-testid="attachments"')[1]
    assert '<div class="small">{}</div>'.format(services.jobs.PHOTO_BEFORE) not in page
    assert 'data-testid="job-overdue"' not in page
    assert reverse("maintenance:job_print", args=[world.org_a.code, job.pk]) in page


@pytest.mark.parametrize("move,label", [("reject", "Reason for rejection"), ("cancel", "Reason for cancellation")])
def test_a_closed_job_shows_why_on_its_card(world, login, move, label):
    job = make_job(world)
    client = login(world.member(Role.DISPATCHER))
    url = reverse("maintenance:job_action", args=[world.org_a.code, job.pk, move])
    client.post(url, {"note": "重复报修，已有工单在处理"})
    page = client.get(_url(world, "job_detail", job)).content.decode()
    card = page.split('data-testid="job-card"')[1].split("</dl>")[0]
    assert gettext(label) in card and "重复报修，已有工单在处理" in card


@pytest.mark.parametrize(
    "next_url,lands_on",
    [("my_jobs", "my_jobs"), ("https://evil.example/", "job_detail"), ("", "job_detail")],
)
def test_a_one_tap_move_returns_to_the_page_it_was_tapped_on(world, login, next_url, lands_on):
    job = advance(world, make_job(world), "assigned")
    org = world.org_a.code
    if next_url == "my_jobs":
        next_url = reverse("maintenance:my_jobs", args=[org])
    url = reverse("maintenance:job_action", args=[org, job.pk, "accept"])
    response = login(world.member(Role.TECHNICIAN)).post(url, {"next": next_url})
    job.refresh_from_db()
    assert job.state == JobState.ACCEPTED
    expected = reverse("maintenance:" + lands_on, args=[org] + ([job.pk] if lands_on == "job_detail" else []))
    assert response.status_code == 302 and response.url == expected


def test_an_overdue_job_is_marked(world, login):
    job = make_job(world)
    with scopes_disabled():
        job.completion_due = job.reported_at  # due at once
        job.save(update_fields=["completion_due"])
    page = login(world.member(Role.DISPATCHER)).get(_url(world, "job_detail", job)).content.decode()
    assert 'data-testid="job-overdue"' in page


@pytest.mark.parametrize(
    "who,full",
    [(Role.DISPATCHER, True), (Role.TECHNICIAN, True), (Role.STAFF, True), (Role.FINANCE, False), ("bureau", False)],
)
def test_the_reporters_phone_is_masked_for_those_who_need_not_call(world, login, who, full):
    job = advance(world, make_job(world), "assigned")
    phone = world.member(Role.STAFF).user.phone
    page = login(_member(world, who)).get(_url(world, "job_detail", job)).content.decode()
    assert (phone in page) is full
    assert (phone[:3] + "****" + phone[-4:] in page) is not full


def test_the_buttons_are_the_moves_the_person_may_take(world, login):
    job = advance(world, make_job(world), "assigned")
    technician_page = login(world.member(Role.TECHNICIAN)).get(_url(world, "job_detail", job)).content.decode()
    assert 'data-testid="action-accept"' in technician_page and 'data-testid="action-start"' in technician_page
    assert 'data-testid="action-dispatch"' not in technician_page
    staff_page = login(world.member(Role.STAFF)).get(_url(world, "job_detail", job)).content.decode()
    assert 'data-testid="action-accept"' not in staff_page and 'data-testid="action-cancel"' in staff_page
    bureau_page = login(world.bureau_member).get(_url(world, "job_detail", job)).content.decode()
    assert 'data-testid="job-actions"' not in bureau_page


# The print page ------------------------------------------------------------------------------------


def test_the_work_order_prints_with_signature_lines_and_a_qr_code(world, login):
    job = advance(world, make_job(world, description="教室灯管闪烁"), "assigned")
    response = login(world.member(Role.TECHNICIAN)).get(_url(world, "job_print", job))
    page = response.content.decode()
    assert response.status_code == 200
    for label in ("Reported by", "Repaired by", "Accepted by", "Arrived at", "Finished at"):
        assert gettext(label) in page, label
    assert job.code in page and "教室灯管闪烁" in page and world.member(Role.TECHNICIAN).user.name in page
    assert "<svg" in page  # the QR code of the job's page


# Forms: errors per field, nothing saved ----------------------------------------------------------------


def test_dispatching_a_non_technician_shows_the_error_on_the_field(world, login):
    job = make_job(world)
    client = login(world.member(Role.DISPATCHER))
    response = client.post(_url(world, "job_dispatch", job), {"technicians": [world.member(Role.STAFF).pk]})
    assert response.status_code == 200
    assert 'data-field-error="technicians"' in response.content.decode()
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == JobState.NEW


def test_dispatch_page_groups_own_staff_and_party_people_and_prechecks_the_current_team(world, login):
    party = make_party(world.org_a, "城南物业管理有限公司")
    contractor = make_member(world.org_a, Role.TECHNICIAN, employee_no="W01", name="物业王师傅")
    with scopes_disabled():
        contractor.party = party
        contractor.save(update_fields=["party"])
    job = advance(world, make_job(world), "assigned")
    page = login(world.member(Role.DISPATCHER)).get(_url(world, "job_dispatch", job)).content.decode()
    assert page.count('data-testid="technician-group"') == 2 and "城南物业管理有限公司" in page
    assert 'value="{}" checked'.format(world.member(Role.TECHNICIAN).pk) in page
    assert 'value="{}" checked'.format(contractor.pk) not in page


def test_a_lead_who_is_not_chosen_is_refused(world, login):
    job = make_job(world)
    other = make_member(world.org_a, Role.TECHNICIAN, employee_no="A201")
    response = login(world.member(Role.DISPATCHER)).post(
        _url(world, "job_dispatch", job), {"technicians": [world.member(Role.TECHNICIAN).pk], "lead": other.pk}
    )
    assert 'data-field-error="lead"' in response.content.decode()


def test_edit_refuses_a_due_time_before_the_report(world, login):
    job = make_job(world)
    before = timezone.localtime(job.reported_at) - timezone.timedelta(days=1)
    response = login(world.member(Role.DISPATCHER)).post(
        _url(world, "job_edit", job),
        {"category": "electric", "urgency": "normal", "completion_due": before.strftime("%Y-%m-%dT%H:%M")},
    )
    assert 'data-field-error="completion_due"' in response.content.decode()
    with scopes_disabled():
        job.refresh_from_db()
    assert job.category == "water" and job.completion_due > job.reported_at


def test_edit_changes_the_category_and_computes_new_due_times(world, login):
    job = make_job(world)
    old_due = job.completion_due
    response = login(world.member(Role.DISPATCHER)).post(
        _url(world, "job_edit", job),
        {
            "category": "electric",
            "urgency": "emergency",
            "department": world.dept_a_other.pk,
            "response_due": timezone.localtime(job.response_due).strftime("%Y-%m-%dT%H:%M"),
            "completion_due": timezone.localtime(job.completion_due).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
    assert (job.category, job.urgency, job.department) == ("electric", "emergency", world.dept_a_other)
    assert job.wall_clock and job.completion_due < old_due


def _finish_data(**extra):
    data = {
        "work_done": "更换阀芯",
        "cause": Cause.DAMAGE,
        "labour_hours": "1",
        "part_name": ["阀芯", "", "软管"],
        "part_spec": ["DN15", "", ""],
        "part_unit": ["个", "", "根"],
        "part_quantity": ["2", "", "1"],
        "part_unit_cost": ["10", "", "8.5"],
    }
    data.update(extra)
    return data


def test_finish_by_http_records_parts_photos_and_leaves_blank_lines_out(world, login):
    job = advance(world, make_job(world), "in_progress")
    photo = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    response = login(world.member(Role.TECHNICIAN)).post(_url(world, "job_finish", job), _finish_data(photos=[photo]))
    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
        parts = list(job.parts.values_list("name", "amount"))
        notes = [a.note for a in for_owner(job)]
    assert job.state == JobState.FINISHED
    assert parts == [("阀芯", Decimal("20.00")), ("软管", Decimal("8.50"))]
    assert job.total_cost == Decimal("88.50")  # 28.50 + 1 h × 60.00
    assert notes == [services.jobs.PHOTO_AFTER]
    page = login(world.member(Role.STAFF)).get(_url(world, "job_detail", job)).content.decode()
    assert 'data-testid="photos-after"' in page


def test_finish_shows_part_errors_by_line_and_saves_nothing(world, login):
    job = advance(world, make_job(world), "in_progress")
    data = _finish_data(part_quantity=["2", "", "0"])  # the blank middle line is dropped: 软管 is line 2
    response = login(world.member(Role.TECHNICIAN)).post(_url(world, "job_finish", job), data)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-field-error="parts"' in page
    assert gettext("Line {n}: the quantity must be above zero.").format(n=2) in page
    with scopes_disabled():
        job.refresh_from_db()
        assert not JobPart.objects.filter(job=job).exists()
    assert job.state == JobState.IN_PROGRESS and job.work_done == ""


@pytest.mark.parametrize(
    "name,content",
    [("notes.txt", b"not an image at all"), ("scan.pdf", b"%PDF-1.4 fake"), ("x.png", b"\x89PNG broken")],
)
def test_finish_refuses_what_is_not_a_photo_and_saves_nothing(world, login, name, content):
    job = advance(world, make_job(world), "in_progress")
    upload = SimpleUploadedFile(name, content)
    response = login(world.member(Role.TECHNICIAN)).post(_url(world, "job_finish", job), _finish_data(photos=[upload]))
    assert response.status_code == 200
    assert 'data-field-error="photos"' in response.content.decode()
    with scopes_disabled():
        job.refresh_from_db()
        assert not JobPart.objects.filter(job=job).exists()
        assert not list(for_owner(job))
    assert job.state == JobState.IN_PROGRESS


def test_finish_without_cause_or_work_done_shows_field_errors(world, login):
    job = advance(world, make_job(world), "in_progress")
    response = login(world.member(Role.TECHNICIAN)).post(
        _url(world, "job_finish", job), {"work_done": "", "labour_hours": "1"}
    )
    page = response.content.decode()
    assert 'data-field-error="work_done"' in page and 'data-field-error="cause"' in page


def test_the_finish_page_offers_three_blank_lines_and_a_button_to_add_more(world, login):
    job = advance(world, make_job(world), "in_progress")
    page = login(world.member(Role.TECHNICIAN)).get(_url(world, "job_finish", job)).content.decode()
    assert page.count('data-testid="part-line"') == 3 + 1  # three lines and the template for new ones
    assert 'data-testid="add-part-line"' in page
    assert 'name="contractor_invoice"' not in page  # own staff: no invoice


@pytest.mark.parametrize("rating", ["0", "6", "x"])
def test_confirm_refuses_a_rating_outside_one_to_five(world, login, rating):
    job = advance(world, make_job(world), "finished")
    response = login(world.member(Role.STAFF)).post(_url(world, "job_confirm", job), {"rating": rating})
    assert response.status_code == 200 and 'data-field-error="rating"' in response.content.decode()
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == JobState.FINISHED and job.rating is None


def test_confirm_page_offers_stars_and_sending_back(world, login):
    job = advance(world, make_job(world), "finished")
    client = login(world.member(Role.STAFF))
    page = client.get(_url(world, "job_confirm", job)).content.decode()
    assert all('data-testid="star-{}"'.format(n) in page for n in range(1, 6))
    assert 'data-testid="reopen-form"' in page
    response = client.post(
        reverse("maintenance:job_action", args=[world.org_a.code, job.pk, "reopen"]), {"note": "还在漏"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == JobState.ASSIGNED and job.reopen_count == 1


def test_compensation_by_http_shows_on_the_job_and_the_persons_page(world, login):
    job = advance(world, make_job(world), "finished")
    staff = world.member(Role.STAFF)
    client = login(world.member(Role.DISPATCHER))
    bad = client.post(_url(world, "job_compensation", job), {"person": staff.pk, "amount": "-1", "reason": "门"})
    assert 'data-field-error="amount"' in bad.content.decode()
    response = client.post(
        _url(world, "job_compensation", job), {"person": staff.pk, "amount": "120.5", "reason": "踢坏门锁"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        compensation = Compensation.objects.get()
    assert (compensation.amount, compensation.source_label) == (Decimal("120.50"), job.code)
    assert "踢坏门锁" in client.get(_url(world, "job_detail", job)).content.decode()
    person_page = client.get(reverse("core:person_detail", args=[world.org_a.code, staff.pk])).content.decode()
    assert "120.50" in person_page and _url(world, "job_detail", job) in person_page
