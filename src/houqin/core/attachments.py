"""附件: photos and scans attached to any record, checked by content and served only to its readers.

A module makes a model able to carry attachments with one line::

    attachments.register_owner(Job, view_action=p.JOB_VIEW, change_action=p.JOB_MANAGE)

and shows them with ``{% attachments_panel job %}`` on the record's page. Whoever may ``view_action`` the
record (``restrict()`` decides) may see and download its files; whoever may ``change_action`` it may
upload and remove them. Files never get a public URL: they are served by a view that asks the owner.

What an upload goes through (``prepare_upload``):

- size: refused above the org setting ``attachments.max_upload_mb`` with a message naming the limit;
- type by content, never by name or the browser's claim: a photo is whatever Pillow can open as JPEG, PNG
  or HEIC/HEIF; a PDF starts with ``%PDF-``; a Word/Excel file is a zip with the Office layout (macro files
  refused). Anything else is refused.
- photos are re-encoded: turned upright by their EXIF orientation, shrunk to the org setting
  ``attachments.max_long_edge`` (never refused for being big), and saved without any metadata (EXIF, GPS,
  XMP; only the colour profile is kept). A PNG that really uses transparency stays PNG (a plan or a logo);
  everything else becomes JPEG, which is what phone photos and scans need. A small JPEG thumbnail is made.
- PDF and Office files are stored as they came (they are not images; their metadata is the author's).

Files are written to storage while the upload's transaction is still open (pages and tests read them back
inside it). When that transaction, or one around it, rolls back, the row goes and the file stays: the tick
job ``attachments.sweep_orphans`` deletes files that no attachment names once they are a day old.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import PurePosixPath

import pillow_heif
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from . import orgsettings, tick
from . import permissions as p
from .models import Attachment, Location
from .models.attachments import ATTACHMENTS_DIR
from .permissions import Actor, restrict
from .tenancy import scopes_disabled

pillow_heif.register_heif_opener()  # iPhones send HEIC

IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "HEIF"}  # MPO: a JPEG with a depth map, as some phones write
THUMBNAIL_EDGE = 320
JPEG_QUALITY = 85
PDF = ("application/pdf", ".pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
# What the upload field offers on a phone: the camera, the gallery and files.
ACCEPT = "image/*,application/pdf,.docx,.xlsx"

SECTION = gettext_lazy("Attachments")
MAX_LONG_EDGE = orgsettings.register(
    orgsettings.Setting(
        key="attachments.max_long_edge",
        label=gettext_lazy("Longest side of stored photos (pixels)"),
        default=2560,
        section=SECTION,
        form_field=orgsettings.integer_field(min_value=640, max_value=8000),
        help_text=gettext_lazy("Larger photos are shrunk to this size when uploaded."),
    )
)
MAX_UPLOAD_MB = orgsettings.register(
    orgsettings.Setting(
        key="attachments.max_upload_mb",
        label=gettext_lazy("Largest file that may be uploaded (MB)"),
        default=20,
        section=SECTION,
        form_field=orgsettings.integer_field(min_value=1, max_value=200),
    )
)


# Owners ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    model: type[models.Model]
    view_action: str
    change_action: str
    note_labels: Mapping[str, str] = field(default_factory=dict)  # codes a service stores as notes → words

    @property
    def key(self) -> str:
        return self.model._meta.label_lower  # "core.location"


OWNERS: dict[str, Owner] = {}


def register_owner(
    model: type[models.Model], *, view_action: str, change_action: str, note_labels: Mapping[str, str] | None = None
) -> Owner:
    """``note_labels`` shows notes that services store as codes (a job's "before"/"after" photos) in words."""
    owner = Owner(model, view_action, change_action, dict(note_labels or {}))
    if owner.key in OWNERS:
        raise ValueError("attachment owner {} registered twice".format(owner.key))
    OWNERS[owner.key] = owner
    return owner


def owner_of(obj_or_model) -> Owner:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    owner = OWNERS.get(model._meta.label_lower)
    if owner is None:
        raise LookupError("{} is not registered with attachments.register_owner".format(model.__name__))
    return owner


def owner_object(key: str, object_id: int, actor: Actor, *, change: bool = False):
    """The owning record if the actor may see it (and, with ``change``, change it); None otherwise."""
    owner = OWNERS.get(key)
    if owner is None:
        return None
    action = owner.change_action if change else owner.view_action
    return restrict(owner.model.objects.filter(pk=object_id), actor, action).first()


def can_change(actor: Actor, obj) -> bool:
    owner = owner_of(obj)
    if actor.via_bureau or not actor.can(owner.change_action):
        return False
    return restrict(type(obj).objects.filter(pk=obj.pk), actor, owner.change_action).exists()


def for_owner(obj) -> QuerySet:
    """The attachments of one record, not removed, oldest first."""
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, voided_at__isnull=True
    ).select_related("uploaded_by")


def visible_to(actor: Actor) -> QuerySet:
    """Every attachment (not removed) whose record the actor may see: one subquery per owner kind."""
    allowed = Q(pk__in=[])
    for owner in OWNERS.values():
        readable = restrict(owner.model.objects.all(), actor, owner.view_action).values("pk")
        allowed |= Q(content_type=ContentType.objects.get_for_model(owner.model), object_id__in=readable)
    return Attachment.objects.filter(allowed, voided_at__isnull=True)


def readable(actor: Actor, attachment: Attachment) -> bool:
    """May the actor fetch this file? Only if they may see the record it is attached to."""
    owner = OWNERS.get("{}.{}".format(attachment.content_type.app_label, attachment.content_type.model))
    if owner is None:
        return False
    return restrict(owner.model.objects.filter(pk=attachment.object_id), actor, owner.view_action).exists()


# Processing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    content: bytes
    mime_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def _refuse_type():
    return ValidationError(
        {"file": _("This kind of file cannot be attached: only photos (JPEG, PNG, HEIC), PDF, Word or Excel.")}
    )


def _office_type(upload) -> tuple[str, str] | None:
    """DOCX or XLSX when the zip has the Office layout; macro-enabled files (vbaProject.bin) are refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _has_transparency(image: Image.Image) -> bool:
    if not image.has_transparency_data:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[0] < 255


def _jpeg(image: Image.Image, icc_profile: bytes | None) -> bytes:
    if image.mode != "RGB":
        # Transparent parts become white, as on paper.
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    buffer = BytesIO()
    # No exif=, xmp= or comment: the new file carries none of the camera's metadata (GPS included).
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=icc_profile)
    return buffer.getvalue()


def _prepare_image(upload, max_long_edge: int) -> Prepared:
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        source_format = image.format
        image.load()
    except Image.DecompressionBombError:
        raise ValidationError({"file": _("This picture has too many pixels to be a photo.")}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse_type() from None
    if source_format not in IMAGE_FORMATS:
        raise _refuse_type()
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_long_edge, max_long_edge), Image.Resampling.LANCZOS)  # only ever shrinks
    if source_format == "PNG" and _has_transparency(image):
        buffer = BytesIO()
        image.save(buffer, "PNG", optimize=True)  # no pnginfo, no exif: text chunks and EXIF are dropped
        content, mime_type, extension = buffer.getvalue(), "image/png", ".png"
    else:
        content, mime_type, extension = _jpeg(image, icc_profile), "image/jpeg", ".jpg"
    small = image.copy()
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    return Prepared(content, mime_type, extension, image.width, image.height, _jpeg(small, None))


def prepare_upload(upload, *, max_upload_mb: int, max_long_edge: int) -> Prepared:
    """Check an uploaded file and turn it into what is stored (see the module's docstring)."""
    if upload.size > max_upload_mb * 1024 * 1024:
        raise ValidationError(
            {
                "file": _("The file is {size:.1f} MB; files may be at most {limit} MB.").format(
                    size=upload.size / 1024 / 1024, limit=max_upload_mb
                )
            }
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return Prepared(upload.read(), *PDF)
    if head.startswith(b"PK\x03\x04"):
        office = _office_type(upload)
        if office is None:
            raise _refuse_type()
        upload.seek(0)
        return Prepared(upload.read(), *office)
    return _prepare_image(upload, max_long_edge)


# Services -------------------------------------------------------------------------------------


@transaction.atomic
def attachment_create(*, actor: Actor | None, owner, upload, note: str = "", system: bool = False) -> Attachment:
    """Attach an uploaded file to ``owner`` (a registered record the actor may change). ``actor=None`` with
    ``system=True`` is a file sent without logging in (a photo with a public repair report): the caller's
    service decided that it may be sent, and the file names no uploader."""
    if actor is None and not system:
        raise ValueError("attachment_create needs an actor, or system=True")
    if actor is not None and not can_change(actor, owner):
        raise PermissionDenied
    org = owner.org
    prepared = prepare_upload(
        upload,
        max_upload_mb=orgsettings.value(org, MAX_UPLOAD_MB.key),
        max_long_edge=orgsettings.value(org, MAX_LONG_EDGE.key),
    )
    attachment = Attachment(
        org=org,
        content_type=ContentType.objects.get_for_model(type(owner)),
        object_id=owner.pk,
        original_name=PurePosixPath(upload.name or "").name[-200:] or "file",
        mime_type=prepared.mime_type,
        size=len(prepared.content),
        width=prepared.width,
        height=prepared.height,
        sha256=hashlib.sha256(prepared.content).hexdigest(),
        note=note,
        uploaded_by=actor.user if actor is not None else None,
    )
    attachment.file.save("file" + prepared.extension, ContentFile(prepared.content), save=False)
    try:
        if prepared.thumbnail is not None:
            attachment.thumbnail.save("thumb.jpg", ContentFile(prepared.thumbnail), save=False)
        attachment.full_clean()
        attachment.save()
    except Exception:
        # The database row is rolled back; the files written for it go too.
        attachment.file.delete(save=False)
        if attachment.thumbnail:
            attachment.thumbnail.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_void(*, actor: Actor, attachment: Attachment) -> Attachment:
    """Remove an attachment from its record: it is hidden and kept (who removed it when is recorded)."""
    owner = attachment.owner
    if owner is None or not can_change(actor, owner):
        raise PermissionDenied
    if attachment.voided_at is None:
        attachment.voided_at = timezone.now()
        attachment.voided_by = actor.user
        attachment.save(update_fields=["voided_at", "voided_by"])
    return attachment


# Files left behind ------------------------------------------------------------------------------

# Far longer than any transaction lasts: a file younger than this may belong to an upload not yet committed.
ORPHAN_GRACE = timedelta(days=1)


@tick.job("attachments.sweep_orphans", every=timedelta(hours=6))
def sweep_orphans(now: datetime) -> int:
    """Delete stored files that no attachment names (their upload's transaction rolled back, or the process
    died before it committed), once they are older than ``ORPHAN_GRACE``. It reads every stored name, so
    tick runs it every six hours, not every few minutes."""
    if not default_storage.exists(ATTACHMENTS_DIR):
        return 0
    with scopes_disabled():
        named = set()
        for file, thumbnail in Attachment.objects.values_list("file", "thumbnail").iterator(chunk_size=5000):
            named.update((file, thumbnail))
    deleted = 0
    org_dirs, _files = default_storage.listdir(ATTACHMENTS_DIR)
    for org_dir in org_dirs:
        _dirs, names = default_storage.listdir("{}/{}".format(ATTACHMENTS_DIR, org_dir))
        for name in names:
            path = "{}/{}/{}".format(ATTACHMENTS_DIR, org_dir, name)
            if path not in named and default_storage.get_modified_time(path) < now - ORPHAN_GRACE:
                default_storage.delete(path)
                deleted += 1
    return deleted


register_owner(Location, view_action=p.LOCATION_VIEW, change_action=p.LOCATION_MANAGE)  # room photos
