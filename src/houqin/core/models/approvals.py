from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import permissions as p
from ..choices import Role
from ..tenancy import OrgScopedModel
from ..workflow import Transition, Workflow
from .org import Department, Membership

MONEY = {"max_digits": 14, "decimal_places": 2}


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Not yet reached")
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Not needed")


class ApprovalRule(OrgScopedModel):
    """Which steps a request of one kind goes through, for a range of amounts, a category and a department."""

    kind = models.CharField(_("kind of request"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=60, blank=True, help_text=_("Leave empty for any."))
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Applies to this department and those below it; leave empty for the whole organisation."),
    )
    min_amount = models.DecimalField(
        _("amount from"), **MONEY, null=True, blank=True, help_text=_("Inclusive; leave empty for no lower limit.")
    )
    max_amount = models.DecimalField(
        _("amount below"), **MONEY, null=True, blank=True, help_text=_("Exclusive; leave empty for no upper limit.")
    )
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first; equal ones, the most specific first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["kind", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(min_amount__lt=models.F("max_amount")),
                name="%(app_label)s_%(class)s_amount_range",
                violation_error_message=_("The upper amount must be above the lower one."),
            ),
        ]
        indexes = [models.Index(fields=["org", "kind", "is_active"], name="core_apprule_org_kind")]

    def __str__(self):
        return self.name


class ApprovalRuleStep(OrgScopedModel):
    """One step of a rule: a role (optionally that of the requester's department) or a named person."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="steps", verbose_name=_("rule"))
    order = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    approver = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    of_requester_department = models.BooleanField(
        _("of the requester's department"),
        default=False,
        help_text=_("Only holders of the role in the requester's department (or above it) decide."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval rule step")
        verbose_name_plural = _("approval rule steps")
        ordering = ["rule", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "order"], name="%(app_label)s_%(class)s_unique_order"),
            models.CheckConstraint(
                condition=(Q(role="") & Q(approver__isnull=False)) | (~Q(role="") & Q(approver__isnull=True)),
                name="%(app_label)s_%(class)s_role_or_person",
                violation_error_message=_("Choose either a role or a person for each step."),
            ),
        ]

    def __str__(self):
        return approver_label(self)


def approver_label(step) -> str:
    """The person's name, or the role (of the requester's department where the step says so)."""
    if step.approver_id:
        return step.approver.user.name
    label = str(Role(step.role).label)
    if getattr(step, "of_requester_department", False) or getattr(step, "department_id", None):
        return gettext("{role} of the requester's department").format(role=label)
    return label


class ApprovalRequest(OrgScopedModel):
    """A record of another module (the target) waiting for, or decided by, its approval steps."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind of request"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    requester = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    rule = models.ForeignKey(
        ApprovalRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    state = models.CharField(_("status"), max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)  # the order; 0 when none
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    history = HistoricalRecords()

    scope_fields = {"own": "requester__user", "department": "department"}

    # Whose step waits for whom (by name, role, department or delegation) is the engine's rule, not a scope of
    # the permission table: decisions check the row in ``approvals.acting_for``, so ``checks_row=False``.
    WORKFLOW = Workflow(
        state_field="state",
        transitions=[
            Transition(None, "submit", ApprovalState.PENDING, p.APPROVAL_SUBMIT, label=_("Submitted")),
            Transition(
                ApprovalState.PENDING,
                "auto_approve",
                ApprovalState.APPROVED,
                p.APPROVAL_SUBMIT,
                label=_("Approved without steps"),
            ),
            Transition(
                ApprovalState.PENDING,
                "approve_step",
                ApprovalState.PENDING,
                p.APPROVAL_DECIDE,
                label=_("Approve"),
                checks_row=False,
            ),
            Transition(
                ApprovalState.PENDING,
                "approve",
                ApprovalState.APPROVED,
                p.APPROVAL_DECIDE,
                label=_("Approve"),
                checks_row=False,
            ),
            Transition(
                ApprovalState.PENDING,
                "reject",
                ApprovalState.REJECTED,
                p.APPROVAL_DECIDE,
                label=_("Reject"),
                needs_note=True,
                checks_row=False,
            ),
            Transition(
                ApprovalState.PENDING, "withdraw", ApprovalState.WITHDRAWN, p.APPROVAL_SUBMIT, label=_("Withdraw")
            ),
        ],
    )

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-id"]
        constraints = [
            # A record waits in at most one approval at a time; after a rejection it may be submitted again.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_target",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "requester", "-id"], name="core_appreq_org_requester"),
            models.Index(fields=["content_type", "object_id"], name="core_appreq_target"),
        ]

    def __str__(self):
        return self.title


class ApprovalStep(OrgScopedModel):
    """One step of a request, copied from its rule when submitted, decided in order."""

    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("approval request")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    approver = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # For a role step "of the requester's department": that department (its holders there or above decide).
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    state = models.CharField(_("status"), max_length=20, choices=StepState.choices, default=StepState.WAITING)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    on_behalf_of = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("on behalf of")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="%(app_label)s_%(class)s_unique_order"),
            models.CheckConstraint(
                condition=(Q(role="") & Q(approver__isnull=False)) | (~Q(role="") & Q(approver__isnull=True)),
                name="%(app_label)s_%(class)s_role_or_person",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "state", "role"], name="core_appstep_waiting_role"),
            models.Index(fields=["org", "state", "approver"], name="core_appstep_waiting_person"),
        ]

    def __str__(self):
        return approver_label(self)

    @property
    def approver_label(self) -> str:
        return approver_label(self)


class Delegation(OrgScopedModel):
    """While away, an approver lets a colleague decide their steps for a date range (委托审批)."""

    delegator = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("approver away")
    )
    delegate = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("delegate"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), help_text=_("Inclusive."))
    reason = models.CharField(_("reason"), max_length=200)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)  # ended early by the delegator
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    scope_fields = {"own": "delegator__user"}

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")),
                name="%(app_label)s_%(class)s_not_to_oneself",
                violation_error_message=_("Choose a colleague, not yourself."),
            ),
        ]
        indexes = [models.Index(fields=["org", "delegate", "end_date"], name="core_delegation_delegate")]

    def __str__(self):
        return "{} → {}".format(self.delegator.user.name, self.delegate.user.name)
