"""报修 end to end in a real browser: a printed room QR code, read back with zxing-cpp, opened on a phone by a
member of staff who reports a repair; the dispatcher dispatches it, the technician accepts, starts and finishes it
with a photo, and the reporter rates it. Every page at 375 px must fit the phone (no sideways scrolling)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation

from houqin.core.choices import Role
from houqin.core.locations import qr_url
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.browser_support import DESKTOP, PHONE, SCREENSHOTS, Phone
from houqin.core.tests.browser_support import logged_in as _context

from ..choices import Cause, JobState
from ..models import Job
from ..services.jobs import PHOTO_AFTER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _zh(text) -> str:
    """What the zh-Hans page shows for an English msgid (the msgid itself while it is not translated yet)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(str(text)))


def _jpeg(path):
    from PIL import Image

    Image.new("RGB", (640, 480), (40, 120, 200)).save(path, "JPEG", quality=80)
    return path


def _state(job) -> str:
    with scopes_disabled():
        job.refresh_from_db()
    return job.state


def _decode_room_code(browser, live_server, world) -> str:
    """Print org A's room QR sheet as the org admin and read the sticker of world.room_a with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    context = _context(browser, live_server, world.member(Role.ORG_ADMIN), device_scale_factor=2, **DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + reverse("core:location_qr_sheet", args=[world.org_a.code]))
    sticker = page.locator("[data-label]").filter(has_text=world.room_a.name)
    assert sticker.count() == 1
    found = zxingcpp.read_barcodes(Image.open(BytesIO(sticker.screenshot())))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "maintenance-admin-0-qr-sheet.png"), full_page=True)
    context.close()
    assert len(found) == 1, "the sticker of {} did not decode".format(world.room_a.name)
    return found[0].text


def test_a_repair_goes_from_a_scanned_room_code_to_a_rated_job_on_phones(
    world,
    live_server,
    browser,
    settings,
    tmp_path,
):
    settings.HOUQIN_BASE_URL = live_server.url  # the address printed in the QR codes
    org = world.org_a.code
    staff, dispatcher, technician = (world.member(r) for r in (Role.STAFF, Role.DISPATCHER, Role.TECHNICIAN))
    errors: list[str] = []

    # 1. The printed code of the room, read back from the sheet.
    url = _decode_room_code(browser, live_server, world)
    assert url == qr_url(world.org_a, world.room_a)
    assert url.startswith(live_server.url + "/")

    # 2. The member of staff scans it: the room's page → 报修 → a category → 提交.
    reporter_context = _context(browser, live_server, staff, **PHONE)
    reporter = Phone(reporter_context, "staff", errors)
    reporter.page.goto(url)
    reporter.check("room")
    report_button = reporter.page.locator('[data-testid=location-scan] a[href*="/maintenance/jobs/new/"]')
    assert report_button.inner_text().strip() == _zh("Report a repair")
    reporter.tap_and_wait('[data-testid=location-scan] a[href*="/maintenance/jobs/new/"]', "report", r"/jobs/new/")
    assert world.room_a.name in reporter.page.locator("[data-testid=report-place]").inner_text()
    reporter.page.locator("[data-testid=category-water]").tap()
    reporter.page.fill("textarea[name=description]", "水龙头漏水，地面有积水")
    reporter.tap_and_wait("[data-testid=report-submit]", "reported", r"/maintenance/jobs/\d+/$")
    with scopes_disabled():
        job = Job.objects.get(org=world.org_a, location=world.room_a)
    assert (job.state, job.category, job.reporter_id) == (JobState.NEW, "water", staff.user_id)
    assert reporter.page.locator("[data-testid=job-code]").inner_text().strip() == job.code
    assert reporter.page.locator("[data-testid=job-state]").inner_text().strip() == _zh(JobState.NEW.label)

    # 3. The dispatcher finds it on the board and dispatches it to the technician.
    office_context = _context(browser, live_server, dispatcher, **PHONE)
    office = Phone(office_context, "dispatcher", errors)
    office.page.goto(live_server.url + reverse("maintenance:board", args=[org]))
    office.check("board")
    card = '[data-testid=job-card][data-code="{}"]'.format(job.code)
    office.tap_and_wait(card + " [data-testid=dispatch]", "dispatch", r"/jobs/\d+/dispatch/$")
    office.page.locator("input[name=technicians][value='{}']".format(technician.pk)).check()
    office.tap_and_wait("[data-testid=form-submit]", "dispatched", r"/maintenance/jobs/\d+/$")
    assert _state(job) == JobState.ASSIGNED
    assert technician.user.name in office.page.locator("[data-testid=job-technicians]").inner_text()
    office_context.close()

    # 4. The technician: 我的维修 → 接单 → 开始维修 → 完工 with work, cause, hours, a part and a photo.
    tech_context = _context(browser, live_server, technician, **PHONE)
    tech = Phone(tech_context, "technician", errors)
    my_jobs = live_server.url + reverse("maintenance:my_jobs", args=[org])
    next_step = '[data-testid=my-job][data-code="{}"] [data-testid=next-step]'.format(job.code)
    for action, state in (("accept", JobState.ACCEPTED), ("start", JobState.IN_PROGRESS)):
        tech.page.goto(my_jobs)
        tech.check("my-jobs-before-" + action)
        assert tech.page.locator(next_step).get_attribute("data-action") == action
        tech.tap_and_wait(next_step, action)  # one tap; the page it lands on is the board helper's choice
        assert _state(job) == state
    tech.page.goto(my_jobs)
    tech.check("my-jobs-before-finish")
    tech.tap_and_wait(next_step, "finish-form", r"/jobs/\d+/finish/$")
    form = tech.page.locator("[data-testid=finish-form]")
    form.locator("textarea[name=work_done]").fill("更换水龙头阀芯")
    tech.page.locator("[data-testid=cause-{}]".format(Cause.AGING)).tap()
    form.locator("input[name=labour_hours]").fill("1.5")
    line = tech.page.locator("[data-testid=part-line]").first
    for name, value in (("name", "阀芯"), ("spec", "DN15"), ("unit", "个"), ("quantity", "2"), ("unit_cost", "12.50")):
        line.locator("input[name=part_{}]".format(name)).fill(value)
    tech.page.locator("[data-testid=finish-photos]").set_input_files(str(_jpeg(tmp_path / "after.jpg")))
    tech.check("finish-filled")
    tech.tap_and_wait("[data-testid=form-submit]", "finished", r"/maintenance/jobs/\d+/$")
    assert tech.page.locator("[data-testid=photos-after] img").count() == 1
    assert tech.page.locator("[data-testid=job-state]").inner_text().strip() == _zh(JobState.FINISHED.label)
    with scopes_disabled():
        job.refresh_from_db()
        parts = list(job.parts.values_list("name", "quantity", "unit_cost"))
        photos = _after_photos(job)
    assert job.state == JobState.FINISHED
    assert (job.work_done, job.cause, job.labour_hours) == ("更换水龙头阀芯", Cause.AGING, Decimal("1.5"))
    assert parts == [("阀芯", Decimal("2"), Decimal("12.50"))]
    assert photos == ["after.jpg"]
    tech_context.close()

    # 5. The reporter opens the job again, rates it five stars with a comment and confirms it.
    reporter.page.goto(live_server.url + reverse("maintenance:job_detail", args=[org, job.pk]))
    reporter.check("to-confirm")
    reporter.tap_and_wait("[data-testid=action-confirm]", "confirm-form", r"/jobs/\d+/confirm/$")
    reporter.page.locator("[data-testid=star-5]").tap()
    assert reporter.page.evaluate("document.getElementById('rating-5').checked")
    reporter.page.fill("textarea[name=comment]", "修得很快，谢谢师傅")
    reporter.tap_and_wait("[data-testid=form-submit]", "done", r"/maintenance/jobs/\d+/$")
    with scopes_disabled():
        job.refresh_from_db()
    assert (job.state, job.rating, job.rating_comment) == (JobState.DONE, 5, "修得很快，谢谢师傅")
    assert reporter.page.locator("[data-testid=job-state]").inner_text().strip() == _zh(JobState.DONE.label)
    assert reporter.page.locator("[data-testid=rating]").is_visible()
    reporter_context.close()
    assert errors == []


def _after_photos(job) -> list[str]:
    from houqin.core import attachments

    return [a.original_name for a in attachments.for_owner(job) if a.note == PHOTO_AFTER and a.is_image]
