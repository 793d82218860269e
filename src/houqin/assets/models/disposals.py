from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow

from .. import permissions as p
from ..choices import AssetStatus, DisposalMethod, DisposalState
from .ledger import MAX_VALUE


class Disposal(OrgScopedModel):
    """报废 / 处置: assets leaving the books (scrapped, transferred out, sold, donated) once approved, with the
    reason and what was received for them."""

    code = models.CharField(_("number"), max_length=30)  # BF-2026-00007
    state = models.CharField(_("status"), max_length=20, choices=DisposalState.choices, default=DisposalState.PENDING)
    method = models.CharField(_("method"), max_length=20, choices=DisposalMethod.choices)
    reason = models.CharField(_("reason"), max_length=300)
    proceeds = models.DecimalField(
        _("proceeds"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_VALUE)],
        help_text=_("Yuan received (sale, scrap value); 0 if none."),
    )
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)  # 调入单位 / 买方 / 受赠方
    requested_by = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    done_on = models.DateField(_("disposed of on"), null=True, blank=True)

    history = HistoricalRecords()

    scope_fields = {"own": "requested_by__user"}

    WORKFLOW = Workflow(
        transitions=[
            Transition(None, "request", DisposalState.PENDING, p.DISPOSAL_REQUEST, label=_("Requested")),
            # Decided by the approval engine (its steps say who), so the kit checks no row.
            Transition(
                DisposalState.PENDING,
                "complete",
                DisposalState.DONE,
                p.DISPOSAL_VIEW,
                label=_("Disposed of"),
                checks_row=False,
            ),
            Transition(
                DisposalState.PENDING,
                "reject",
                DisposalState.REJECTED,
                p.DISPOSAL_VIEW,
                label=_("Rejected"),
                checks_row=False,
            ),
            Transition(
                DisposalState.PENDING,
                "withdraw",
                DisposalState.WITHDRAWN,
                p.DISPOSAL_VIEW,
                label=_("Withdrawn"),
                checks_row=False,
            ),
        ]
    )

    class Meta:
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(
                condition=Q(proceeds__gte=0) & Q(proceeds__lte=MAX_VALUE), name="%(app_label)s_%(class)s_proceeds_range"
            ),
        ]
        indexes = [models.Index(fields=["org", "state", "id"], name="assets_disposal_state")]

    def __str__(self):
        return self.code


class DisposalLine(OrgScopedModel):
    """One asset on a disposal, with its status before (given back if the disposal is rejected or withdrawn)
    and its net book value when requested."""

    disposal = models.ForeignKey(Disposal, on_delete=models.PROTECT, related_name="lines", verbose_name=_("disposal"))
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="+", verbose_name=_("asset"))
    status_before = models.CharField(_("status before"), max_length=20, choices=AssetStatus.choices)
    net_value = models.DecimalField(_("net book value"), max_digits=12, decimal_places=2, default=Decimal("0"))
    pending = models.BooleanField(default=True)  # an asset is on at most one pending disposal

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disposed asset")
        verbose_name_plural = _("disposed assets")
        ordering = ["disposal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"], condition=Q(pending=True), name="%(app_label)s_%(class)s_one_pending_per_asset"
            ),
            models.UniqueConstraint(fields=["disposal", "asset"], name="%(app_label)s_%(class)s_asset_once"),
        ]

    def __str__(self):
        return "{} {}".format(self.disposal_id, self.asset_id)
