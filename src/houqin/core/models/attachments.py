import secrets
from pathlib import PurePosixPath

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel

ATTACHMENTS_DIR = "attachments"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """attachments/<org id>/<random>.<ext>: nothing of the original name or owner reaches the disk."""
    extension = PurePosixPath(filename).suffix.lower()
    return "{}/{}/{}{}".format(ATTACHMENTS_DIR, instance.org_id, secrets.token_urlsafe(16), extension)


class Attachment(OrgScopedModel):
    """A file (photo, scan, document) attached to a record; only readers of that record may fetch it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(  # empty: sent without logging in (a public repair report)
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    voided_at = models.DateTimeField(_("removed"), null=True, blank=True)
    voided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("removed by")
    )

    history = HistoricalRecords(excluded_fields=["file", "thumbnail"])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        indexes = [models.Index(fields=["org", "content_type", "object_id"], name="core_attachment_org_owner")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | models.Q(voided_by__isnull=False),
                name="%(app_label)s_%(class)s_voided_by_someone",
            ),
        ]

    def __str__(self):
        return self.download_name

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")

    @property
    def download_name(self) -> str:
        """The name the person gave the file, with the extension of what is stored (a HEIC photo is a .jpg now)."""
        stored = PurePosixPath(self.file.name).suffix
        return PurePosixPath(self.original_name).stem + stored
