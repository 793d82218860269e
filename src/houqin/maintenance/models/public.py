from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel


class PublicReportPlace(OrgScopedModel):
    """A place (and, if chosen, everything below it) where a repair may be reported without logging in."""

    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    include_children = models.BooleanField(_("and every place below it"), default=True)
    enabled_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("turned on by")
    )
    enabled_at = models.DateTimeField(_("turned on"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place open to reports without login")
        verbose_name_plural = _("places open to reports without login")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "location"], name="%(app_label)s_%(class)s_unique_location")
        ]

    def __str__(self):
        return str(self.location_id)
