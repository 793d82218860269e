from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel


class CompensationState(models.TextChoices):
    OPEN = "open", _("Not yet paid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class Compensation(OrgScopedModel):
    """赔偿: damage a person caused, with the amount owed, linked to the record it arose from (a job, an asset)."""

    person = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="compensations", verbose_name=_("person")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    # The record it arose from (a repair job, an asset); modules register how to show it.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("content_type", "object_id")
    source_label = models.CharField(_("arose from"), max_length=100, blank=True)  # e.g. the job's code
    state = models.CharField(_("status"), max_length=20, choices=CompensationState.choices, default="open")
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    scope_fields = {"own": "person__user", "department": "person__department"}

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["org", "person"], name="core_compensation_person"),
            models.Index(fields=["org", "content_type", "object_id"], name="core_compensation_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
        ]

    def __str__(self):
        return "{} {}".format(self.person_id, self.amount)
