from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..tenancy import OrgScopedModel


class NumberSequence(OrgScopedModel):
    """The last document number handed out per organisation, prefix and year (BX-2026-00042 → last=42)."""

    prefix = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    # No HistoricalRecords: a counter bumped by every numbered record, whose own history shows the number.

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["org", "prefix", "year"], name="%(app_label)s_%(class)s_unique_year"),
            models.CheckConstraint(condition=Q(last__gte=0), name="%(app_label)s_%(class)s_last_not_negative"),
        ]

    def __str__(self):
        return "{}-{} #{}".format(self.prefix, self.year, self.last)
