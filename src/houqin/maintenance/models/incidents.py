from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel


class Incident(OrgScopedModel):
    """突发事件: an emergency (a burst pipe, a power cut), when help arrived and it was over, and what it hit."""

    code = models.CharField(_("number"), max_length=30)  # TF-2026-0003
    kind = models.CharField(_("kind"), max_length=40)  # dictionary maintenance.incident_kind
    title = models.CharField(_("what happened"), max_length=100)
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    building = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    occurred_at = models.DateTimeField(_("reported"), default=timezone.now)
    on_site_at = models.DateTimeField(_("on site"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    impact = models.TextField(_("impact on work"), max_length=1000, blank=True)  # e.g. 手术推迟 2 小时
    measures = models.TextField(_("measures taken"), max_length=1000, blank=True)
    follow_up = models.TextField(_("follow-up"), max_length=1000, blank=True)
    reported_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(
                condition=Q(on_site_at__isnull=True) | Q(on_site_at__gte=F("occurred_at")),
                name="%(app_label)s_%(class)s_on_site_after_report",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("occurred_at")),
                name="%(app_label)s_%(class)s_resolved_after_report",
            ),
        ]
        indexes = [models.Index(fields=["org", "occurred_at"], name="mnt_incident_occurred")]

    def __str__(self):
        return "{} {}".format(self.code, self.title)
