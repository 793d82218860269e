from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(OrgScopedModel):
    """The org's own entry for one date: a day off (holiday) or a make-up working day (调休上班).

    It overrides ``chinesecalendar`` where that covers the year and stands alone where it does not."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(
        _("name"), max_length=50, blank=True, help_text=_("e.g. Spring Festival, school anniversary")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["org", "date"], name="%(app_label)s_%(class)s_unique_date")]

    def __str__(self):
        return "{} {}".format(self.date.isoformat(), self.name or self.get_kind_display())


class TermKind(models.TextChoices):
    TERM = "term", _("Term")
    WINTER_BREAK = "winter_break", _("Winter break")
    SUMMER_BREAK = "summer_break", _("Summer break")
    OTHER_BREAK = "other_break", _("Other break")


class Term(OrgScopedModel):
    """A school term (学期) or a break (寒假, 暑假, other) with its first and last day."""

    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 2026–2027 first term"))
    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices, default=TermKind.TERM)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["start", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=F("end")),
                name="%(app_label)s_%(class)s_start_before_end",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]
        indexes = [models.Index(fields=["org", "start"], name="core_term_org_start")]

    def __str__(self):
        return self.name
