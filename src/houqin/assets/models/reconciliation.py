from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel

from ..choices import DifferenceKind


class Reconciliation(OrgScopedModel):
    """账账相符: one comparison of the finance department's asset list (an uploaded .xlsx) with the ledger,
    kept with its differences so that an audit can see what was checked when, and by whom."""

    file_name = models.CharField(_("file"), max_length=200)
    compared_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("compared by")
    )
    compared_at = models.DateTimeField(_("compared"), default=timezone.now)
    finance_rows = models.PositiveIntegerField(_("rows in the finance list"), default=0)
    ledger_rows = models.PositiveIntegerField(_("cards in the ledger"), default=0)
    matched = models.PositiveIntegerField(_("matching"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-id"]

    def __str__(self):
        return "{} {}".format(self.file_name, self.compared_at)


class ReconciliationDifference(OrgScopedModel):
    """One code on which the finance list and the ledger disagree, with both sides' values."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="differences", verbose_name=_("reconciliation")
    )
    kind = models.CharField(_("difference"), max_length=20, choices=DifferenceKind.choices)
    code = models.CharField(_("asset code"), max_length=40)
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("asset")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    finance_row = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    ledger_value = models.DecimalField(_("ledger value"), max_digits=12, decimal_places=2, null=True, blank=True)
    finance_value = models.DecimalField(_("finance value"), max_digits=12, decimal_places=2, null=True, blank=True)
    ledger_date = models.DateField(_("ledger booking date"), null=True, blank=True)
    finance_date = models.DateField(_("finance booking date"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["reconciliation", "kind", "code", "id"]
        # A run's differences of one kind, page by page (a wrong file can give 100,000 of them).
        indexes = [models.Index(fields=["reconciliation", "kind", "id"], name="assets_recdiff_run_kind")]

    def __str__(self):
        return "{} {}".format(self.code, self.kind)
