from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core import permissions as p
from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow


class SampleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


def has_amount(request, actor, **context):
    if not request.amount or request.amount <= 0:
        return _("Enter an amount above zero before submitting.")
    return None


S = SampleState


class SampleRequest(OrgScopedModel):
    """A request for money, numbered SQ-<year>-<n>, that goes through approval."""

    number = models.CharField(_("number"), max_length=30)
    title = models.CharField(_("title"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    department = models.ForeignKey("core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey("core.Membership", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("status"), max_length=20, choices=SampleState.choices, default=S.DRAFT)

    history = HistoricalRecords()

    scope_fields = {"own": "requester__user", "department": "department"}

    WORKFLOW = Workflow(
        state_field="state",
        transitions=[
            Transition(None, "create", S.DRAFT, p.APPROVAL_SUBMIT, label=_("Created")),
            Transition(S.DRAFT, "submit", S.PENDING, p.APPROVAL_SUBMIT, guards=(has_amount,), label=_("Submit")),
            # Moved by the approval engine's callbacks, as whoever decided the last step (the engine checked them).
            Transition(S.PENDING, "approve", S.APPROVED, p.APPROVAL_DECIDE, label=_("Approve"), checks_row=False),
            Transition(
                S.PENDING, "reject", S.REJECTED, p.APPROVAL_DECIDE, label=_("Reject"), needs_note=True, checks_row=False
            ),
            Transition(S.PENDING, "withdraw", S.DRAFT, p.APPROVAL_SUBMIT, label=_("Withdraw")),
            Transition(S.REJECTED, "revise", S.DRAFT, p.APPROVAL_SUBMIT, label=_("Revise")),
            Transition((S.APPROVED, S.REJECTED), "archive", S.ARCHIVED, p.APPROVAL_RULE_MANAGE, label=_("Archive")),
        ],
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="%(app_label)s_%(class)s_unique_number")]

    def __str__(self):
        return "{} {}".format(self.number, self.title)
