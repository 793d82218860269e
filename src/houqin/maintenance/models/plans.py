from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel

from ..choices import IntervalUnit, PlanSchedule, Urgency


class MaintenancePlan(OrgScopedModel):
    """定期检修: a job generated for a place and category on a schedule — every N days/weeks/months, on fixed
    dates (11-10 before the heating season), or in each school break."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=40)  # dictionary maintenance.category
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    # A plan for one asset (a boiler, a lift): its jobs carry the asset, and its card shows them.
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("asset")
    )
    description = models.TextField(_("what to do"), max_length=1000)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    schedule = models.CharField(_("schedule"), max_length=20, choices=PlanSchedule.choices, default="interval")
    interval_count = models.PositiveSmallIntegerField(
        _("every"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    interval_unit = models.CharField(_("unit"), max_length=10, choices=IntervalUnit.choices, blank=True)
    fixed_dates = models.CharField(  # "11-10, 03-01": month-day pairs every year
        _("dates"), max_length=200, blank=True, help_text=_("Month-day pairs, e.g. 11-10, 03-01.")
    )
    break_kind = models.CharField(  # TermKind.SUMMER_BREAK / WINTER_BREAK
        _("break"), max_length=20, blank=True
    )
    break_offset_days = models.PositiveSmallIntegerField(_("days into the break"), default=0)
    starts_on = models.DateField(_("first date"))
    lead_days = models.PositiveSmallIntegerField(  # the job appears this many days before its date
        _("days ahead"), default=0, validators=[MaxValueValidator(60)]
    )
    assignee = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dispatch to"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(schedule="interval") | (Q(interval_count__isnull=False) & ~Q(interval_unit="")),
                name="%(app_label)s_%(class)s_interval_complete",
            ),
        ]

    def __str__(self):
        return self.name
