from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow

from .. import permissions as p
from ..choices import AssetStatus, LoanState, ReturnCondition


class Loan(OrgScopedModel):
    """借用: an asset lent to a person until a due date, and how it came back (完好 / 损坏 / 丢失)."""

    code = models.CharField(_("number"), max_length=30)  # JY-2026-00031
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="loans", verbose_name=_("asset"))
    borrower = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("borrower")
    )
    # The borrower's department when lent: "issued and not returned, by department" counts by it.
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("borrowing department")
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    lent_at = models.DateTimeField(_("lent"), default=timezone.now)
    due_on = models.DateField(_("due back"))
    lent_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("lent by"))
    state = models.CharField(_("status"), max_length=20, choices=LoanState.choices, default=LoanState.OUT)
    # The asset's status before it was lent, given back on return when it came back in good order.
    status_before = models.CharField(_("status before"), max_length=20, choices=AssetStatus.choices)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    received_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    condition = models.CharField(_("condition"), max_length=20, choices=ReturnCondition.choices, blank=True)
    return_note = models.CharField(_("note on return"), max_length=200, blank=True)
    # 逾期提醒: the last day the tick reminded the borrower, so that a second run the same day sends nothing.
    reminded_on = models.DateField(_("reminded"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    scope_fields = {"own": "borrower__user", "department": "department"}

    WORKFLOW = Workflow(
        transitions=[
            Transition(None, "lend", LoanState.OUT, p.LOAN_BORROW, label=_("Lent")),
            Transition(LoanState.OUT, "return", LoanState.RETURNED, p.LOAN_MANAGE, label=_("Returned")),
        ]
    )

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            # An asset is lent to one person at a time.
            models.UniqueConstraint(
                fields=["asset"], condition=Q(state=LoanState.OUT), name="%(app_label)s_%(class)s_one_open_per_asset"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("lent_at")),
                name="%(app_label)s_%(class)s_returned_after_lent",
            ),
            models.CheckConstraint(
                condition=Q(state=LoanState.OUT, returned_at__isnull=True, condition="")
                | Q(state=LoanState.RETURNED, returned_at__isnull=False) & ~Q(condition=""),
                name="%(app_label)s_%(class)s_return_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "state", "due_on"], name="assets_loan_due"),
            models.Index(fields=["org", "borrower", "id"], name="assets_loan_borrower"),
            models.Index(fields=["org", "department", "state"], name="assets_loan_department"),
        ]

    def __str__(self):
        return self.code

    def is_overdue(self, today) -> bool:
        return self.state == LoanState.OUT and self.due_on < today
