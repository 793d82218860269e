from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow

from .. import permissions as p
from ..choices import TransferState as S


class Transfer(OrgScopedModel):
    """调拨单 / 内部转移: one or more assets moved to another department, place or custodian once approved
    (by the receiving department's head and the asset clerk unless the organisation's rules say otherwise)."""

    code = models.CharField(_("number"), max_length=30)  # DB-2026-00012
    state = models.CharField(_("status"), max_length=20, choices=S.choices, default=S.PENDING)
    # 调出部门 → 调入部门: the assets of one transfer leave one department.
    from_department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("sending department")
    )
    to_department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving department")
    )
    to_location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("new place")
    )
    to_custodian = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new custodian"),
    )
    to_user_person = models.ForeignKey(
        "core.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("new user")
    )
    reason = models.CharField(_("reason"), max_length=200)
    requested_by = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    done_at = models.DateTimeField(_("transferred"), null=True, blank=True)

    history = HistoricalRecords()

    # Staff see what they asked for; a department head the transfers out of and into their department.
    scope_fields = {"own": "requested_by__user", "department": ("from_department", "to_department")}

    WORKFLOW = Workflow(
        transitions=[
            Transition(None, "request", S.PENDING, p.TRANSFER_REQUEST, label=_("Requested")),
            # Decided by the approval engine (its steps say who), so the kit checks no row.
            Transition(S.PENDING, "complete", S.DONE, p.TRANSFER_VIEW, label=_("Transferred"), checks_row=False),
            Transition(S.PENDING, "reject", S.REJECTED, p.TRANSFER_VIEW, label=_("Rejected"), checks_row=False),
            Transition(S.PENDING, "withdraw", S.WITHDRAWN, p.TRANSFER_VIEW, label=_("Withdrawn"), checks_row=False),
        ]
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]
        indexes = [
            models.Index(fields=["org", "state", "id"], name="assets_transfer_state"),
            models.Index(fields=["org", "to_department", "id"], name="assets_transfer_dept"),
        ]

    def __str__(self):
        return self.code


class TransferLine(OrgScopedModel):
    """One asset on a transfer, with where it was before (the card's chain shows both ends)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="lines", verbose_name=_("transfer"))
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="+", verbose_name=_("asset"))
    from_location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from place")
    )
    from_custodian = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from custodian"),
    )
    # True while the transfer awaits approval: an asset is on at most one pending transfer.
    pending = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transferred asset")
        verbose_name_plural = _("transferred assets")
        ordering = ["transfer", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"], condition=Q(pending=True), name="%(app_label)s_%(class)s_one_pending_per_asset"
            ),
            models.UniqueConstraint(fields=["transfer", "asset"], name="%(app_label)s_%(class)s_asset_once"),
        ]

    def __str__(self):
        return "{} {}".format(self.transfer_id, self.asset_id)
