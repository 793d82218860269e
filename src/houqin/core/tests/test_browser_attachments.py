"""Real-browser test of attaching a photo from a phone: a room's page at 375 px, a JPEG with GPS in its EXIF,
the thumbnail shown after the upload, and the file downloaded back without its metadata."""

from io import BytesIO

import pytest
from PIL import Image

from houqin.core.models import Attachment, Location
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.test_browser import PHONE, _fits_phone, _log_in, _shoot, demo  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GPS_IFD = 0x8825


def _phone_photo() -> bytes:
    """What a phone camera writes: a JPEG whose EXIF names the camera and where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), "teal").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photo_taken_on_a_phone_is_attached_to_a_room_and_comes_back_without_its_location(
    demo,  # noqa: F811
    live_server,
    browser,
):
    with scopes_disabled():
        room = Location.objects.filter(org__code="qyzx", kind="room").order_by("path").first()
    photo = _phone_photo()
    assert Image.open(BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # the control: the upload carries GPS

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, live_server.url)
    page.goto("{}/o/qyzx/locations/{}/".format(live_server.url, room.pk))
    panel = page.locator("[data-testid=attachments]")
    assert panel.locator("[data-testid=attachment-name]").count() == 0

    panel.locator("input[type=file]").set_input_files(
        files=[{"name": "门锁损坏.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    panel.locator("input[name=note]").fill("门锁损坏，需更换")
    panel.locator("[data-testid=attachment-upload]").click()

    # HTMX swaps the panel in place: the file is listed with its thumbnail, on the same page.
    name = page.locator("[data-testid=attachment-name]")
    name.wait_for()
    assert name.inner_text() == "门锁损坏.jpg"
    assert page.url.endswith("/o/qyzx/locations/{}/".format(room.pk))
    thumbnail = page.locator("[data-testid=attachments] img")
    thumbnail.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert page.locator("[data-testid=attachments]").get_by_text("门锁损坏，需更换").is_visible()
    assert _fits_phone(page) <= PHONE["width"]
    _shoot(page, "phone-room-attachment")

    # The file as a reader downloads it: a JPEG without the camera's metadata, GPS above all.
    response = page.request.get(live_server.url + name.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    downloaded = response.body()
    stored = Image.open(BytesIO(downloaded))
    assert stored.format == "JPEG" and stored.size == (1200, 900)
    assert not stored.getexif().get_ifd(GPS_IFD) and len(stored.getexif()) == 0
    assert b"PhoneMaker" not in downloaded
    with scopes_disabled():
        attachment = Attachment.objects.get()
    assert (attachment.object_id, attachment.note, attachment.mime_type) == (room.pk, "门锁损坏，需更换", "image/jpeg")
    assert errors == []
    context.close()
