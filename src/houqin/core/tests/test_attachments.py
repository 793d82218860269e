"""Attachments: content checks, photo re-encoding (rotation, metadata, size), limits, and who may fetch files."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pillow_heif
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from houqin.core import attachments
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Attachment, OrgSetting
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_attachment, make_party, png_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg_with_exif(size=(60, 40), orientation: int | None = None, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _create(world, content: bytes, name: str, owner=None, role=Role.ORG_ADMIN) -> Attachment:
    actor = build_actor(world.member(role).user, world.org_a)
    with org_scope(world.org_a):
        return attachments.attachment_create(actor=actor, owner=owner or world.room_a, upload=_upload(content, name))


def _stored_image(attachment: Attachment) -> Image.Image:
    with attachment.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def _set(world, key, value):
    with scopes_disabled():
        OrgSetting.objects.create(org=world.org_a, key=key, value=value)


# Content, not names ---------------------------------------------------------------------------


def test_it_refuses_a_text_file_named_jpg(world):
    with pytest.raises(ValidationError) as error:
        _create(world, b"hello, this is not a photo", "photo.jpg")
    assert "file" in error.value.message_dict
    with scopes_disabled():
        assert not Attachment.objects.exists()


def test_a_png_named_pdf_is_handled_as_the_photo_it_is(world):
    attachment = _create(world, png_bytes((50, 20)), "scan.pdf")
    assert attachment.mime_type == "image/jpeg"  # opaque PNG: re-encoded as JPEG
    assert attachment.download_name == "scan.jpg"
    assert _stored_image(attachment).format == "JPEG"


def test_pdf_is_accepted_by_its_magic_and_kept_as_is(world):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = _create(world, content, "营业执照.PDF")
    assert attachment.mime_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf")
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_office_files_are_recognised_and_other_zips_refused(world):
    docx = _create(world, _zip(["[Content_Types].xml", "word/document.xml"]), "合同.docx")
    assert docx.mime_type.endswith("wordprocessingml.document") and docx.file.name.endswith(".docx")
    xlsx = _create(world, _zip(["[Content_Types].xml", "xl/workbook.xml"]), "报价.xlsx")
    assert xlsx.file.name.endswith(".xlsx")
    for content in (
        _zip(["[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"]),  # macros
        _zip(["readme.txt"]),
    ):
        with pytest.raises(ValidationError):
            _create(world, content, "book.xlsx")


def test_other_file_types_are_refused(world):
    gif = io.BytesIO()
    Image.new("RGB", (5, 5)).save(gif, "GIF")
    for content, name in ((gif.getvalue(), "a.gif"), (b"MZ\x90\x00binary", "setup.exe"), (b"<svg/>", "a.svg")):
        with pytest.raises(ValidationError):
            _create(world, content, name)


# Photos ---------------------------------------------------------------------------------------


def test_heic_from_an_iphone_is_accepted_and_stored_as_jpeg(world):
    heif = pillow_heif.from_pillow(Image.new("RGB", (64, 48), "green"))
    buffer = io.BytesIO()
    heif.save(buffer, quality=80)
    attachment = _create(world, buffer.getvalue(), "IMG_0001.HEIC")
    assert attachment.mime_type == "image/jpeg"
    assert attachment.download_name == "IMG_0001.jpg"
    assert (attachment.width, attachment.height) == (64, 48)
    assert _stored_image(attachment).format == "JPEG"


def test_exif_orientation_is_applied(world):
    # Orientation 6: the camera held upright wrote a landscape sensor image that must be turned 90°.
    attachment = _create(world, _jpeg_with_exif((60, 40), orientation=6), "upright.jpg")
    stored = _stored_image(attachment)
    assert stored.size == (40, 60)
    assert (attachment.width, attachment.height) == (40, 60)
    assert ORIENTATION not in stored.getexif()


def test_gps_and_all_exif_are_stripped(world):
    original = _jpeg_with_exif(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the control: the upload has GPS
    attachment = _create(world, original, "gps.jpg")
    stored = _stored_image(attachment)
    exif = stored.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert len(exif) == 0
    assert "exif" not in stored.info and "xmp" not in stored.info
    with attachment.file.open("rb") as raw:
        assert b"PhoneMaker" not in raw.read()


def test_transparent_png_stays_png_without_metadata(world):
    image = Image.new("RGBA", (30, 30), (255, 0, 0, 0))
    buffer = io.BytesIO()
    info = PngInfo()
    info.add_text("Author", "secret")
    image.save(buffer, "PNG", pnginfo=info)
    attachment = _create(world, buffer.getvalue(), "plan.png")
    assert attachment.mime_type == "image/png"
    stored = _stored_image(attachment)
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert "Author" not in stored.info


def test_large_photos_are_shrunk_to_the_org_setting(world):
    attachment = _create(world, png_bytes((3000, 1000)), "wide.png")
    assert (attachment.width, attachment.height) == (2560, 853)  # the default long edge
    _set(world, "attachments.max_long_edge", 1000)
    attachment = _create(world, png_bytes((3000, 1500)), "wide.png")
    assert _stored_image(attachment).size == (1000, 500)
    assert max(Image.open(attachment.thumbnail.open("rb")).size) == attachments.THUMBNAIL_EDGE


def test_the_size_limit_names_the_limit(world):
    _set(world, "attachments.max_upload_mb", 1)
    with pytest.raises(ValidationError) as error:
        _create(world, b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "big.pdf")
    assert "1 MB" in error.value.message_dict["file"][0]


def test_a_large_upload_reaches_the_check_over_http(world, login):
    """Django's own upload limits must not cut a big phone photo off before our message can be given."""
    _set(world, "attachments.max_upload_mb", 2)
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:attachment_upload", args=["org-a", "core.location", world.room_a.pk])
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = client.post(url, {"file": big}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "2 MB" in response.content.decode()
    with scopes_disabled():
        assert not Attachment.objects.exists()


def test_uploading_needs_the_owners_change_action(world):
    with pytest.raises(PermissionDenied):
        _create(world, png_bytes(), "a.png", role=Role.STAFF)  # staff may see rooms, not change them


def test_files_of_an_upload_rolled_back_by_the_surrounding_transaction_are_swept_after_a_day(world):
    """A module's service attaches a photo, then fails: the row is rolled back, the files on disk are not.
    The tick job deletes them once no transaction can still be committing them; named files stay."""
    kept = _create(world, png_bytes(), "kept.png")
    actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
    with org_scope(world.org_a), pytest.raises(RuntimeError), transaction.atomic():
        lost = attachments.attachment_create(actor=actor, owner=world.room_a, upload=_upload(png_bytes(), "lost.png"))
        raise RuntimeError("the surrounding service failed after attaching")
    with scopes_disabled():
        assert list(Attachment.objects.all()) == [kept]
    orphans = [lost.file.name, lost.thumbnail.name]
    assert all(default_storage.exists(name) for name in orphans)

    now = timezone.now()
    assert attachments.sweep_orphans(now) == 0  # too young: its transaction might still be committing
    later = now + attachments.ORPHAN_GRACE + timedelta(minutes=1)
    assert attachments.sweep_orphans(later) == 2
    assert not any(default_storage.exists(name) for name in orphans)
    assert default_storage.exists(kept.file.name) and default_storage.exists(kept.thumbnail.name)
    assert attachments.sweep_orphans(later) == 0


# Serving --------------------------------------------------------------------------------------

# Who may fetch a photo of a room (location.view) and a licence scan of a party (party.view).
SERVING = [
    (Role.ORG_ADMIN, 200, 200),
    (Role.LOGISTICS_HEAD, 200, 200),
    (Role.PURCHASER, 200, 200),
    (Role.STAFF, 200, 404),
    (Role.TECHNICIAN, 200, 404),
    ("bureau", 200, 200),
    ("org_b", 404, 404),
]


@pytest.mark.parametrize("who,room_status,party_status", SERVING)
def test_files_are_served_to_readers_of_their_record_only(world, login, who, room_status, party_status):
    admin = world.member(Role.ORG_ADMIN).user
    room_photo = make_attachment(world.room_a, admin, name="101教室.png")
    licence_scan = make_attachment(make_party(world.org_a), admin, name="营业执照.png")
    membership = {"bureau": world.bureau_member, "org_b": world.member_b}.get(who) or world.member(who)
    client = login(membership)
    for attachment, expected in ((room_photo, room_status), (licence_scan, party_status)):
        response = client.get(reverse("core:attachment_download", args=["org-a", attachment.pk]))
        assert response.status_code == expected, (who, attachment.original_name)
        thumbnail = client.get(reverse("core:attachment_thumbnail", args=["org-a", attachment.pk]))
        assert thumbnail.status_code == expected
        api = client.get(reverse("api_attachment_file-detail", args=["org-a", attachment.pk]))
        assert api.status_code == expected
        if expected == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith("inline")
            assert "filename*=utf-8''" in response["Content-Disposition"]  # the Chinese name, RFC 5987
            # The API serves it the same way: never sniffed, never run as a page of ours.
            assert (
                api["Content-Security-Policy"] == response["Content-Security-Policy"] == "default-src 'none'; sandbox"
            )


def test_documents_are_downloaded_not_shown(world, login):
    actor_member = world.member(Role.ORG_ADMIN)
    attachment = _create(world, b"%PDF-1.4\n%%EOF\n", "维保合同.pdf")
    response = login(actor_member).get(reverse("core:attachment_download", args=["org-a", attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_media_files_have_no_public_address(world, client):
    attachment = make_attachment(world.room_a, world.member(Role.ORG_ADMIN).user)
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_a_removed_file_is_hidden_and_the_removal_recorded(world, login):
    admin = world.member(Role.ORG_ADMIN)
    attachment = make_attachment(world.room_a, admin.user)
    client = login(admin)
    response = client.post(reverse("core:attachment_void", args=["org-a", attachment.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        attachment.refresh_from_db()
        assert attachment.voided_by == admin.user and attachment.voided_at
        assert attachment.history.filter(voided_by=admin.user).exists()
    assert client.get(reverse("core:attachment_download", args=["org-a", attachment.pk])).status_code == 404
    staff_client = login(world.member(Role.STAFF))
    other = make_attachment(world.room_a, admin.user)
    assert staff_client.post(reverse("core:attachment_void", args=["org-a", other.pk])).status_code == 403


# The panel and the API ------------------------------------------------------------------------


def test_the_room_page_shows_the_panel_and_uploads_from_a_phone(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    detail = reverse("core:location_detail", args=["org-a", world.room_a.pk])
    page = client.get(detail).content.decode()
    assert 'accept="image/*,application/pdf' in page and 'data-testid="attachments"' in page
    upload = reverse("core:attachment_upload", args=["org-a", "core.location", world.room_a.pk])
    response = client.post(upload, {"file": _upload(_jpeg_with_exif(gps=True), "现场.jpg"), "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    with scopes_disabled():
        photo = Attachment.objects.get()
    assert "现场.jpg" in page and reverse("core:attachment_thumbnail", args=["org-a", photo.pk]) in page
    staff_page = login(world.member(Role.STAFF)).get(detail).content.decode()
    assert "现场.jpg" in staff_page and 'name="file"' not in staff_page  # sees files, may not add


def test_api_lists_uploads_and_removes(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("api_attachment-list", args=["org-a"])
    response = client.post(
        url, {"owner": "core.location", "owner_id": world.room_a.pk, "file": _upload(png_bytes(), "房间.png")}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "房间.jpg" and created["owner"] == "core.location"
    listed = client.get(url, {"owner": "core.location", "owner_id": world.room_a.pk}).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    assert client.get(created["download_url"]).status_code == 200
    refused = client.post(url, {"owner": "core.location", "owner_id": world.room_a.pk, "file": _upload(b"x", "a.jpg")})
    assert refused.status_code == 400 and "file" in refused.json()
    assert client.delete(reverse("api_attachment-detail", args=["org-a", created["id"]])).status_code == 204
    assert client.get(url).json()["results"] == []
    staff = login(world.member(Role.STAFF))
    denied = staff.post(
        url, {"owner": "core.location", "owner_id": world.room_a.pk, "file": _upload(png_bytes(), "a.png")}
    )
    assert denied.status_code == 403
