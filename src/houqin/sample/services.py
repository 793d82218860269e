"""The sample request's writes: numbered on creation, submitted into approval, moved by the engine's callbacks."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import approvals, numbering
from houqin.core.models import Department, StepState
from houqin.core.permissions import Actor

from .models import SampleRequest

KIND = "sample.request"


@transaction.atomic
def sample_create(
    *, actor: Actor, title: str, amount: Decimal | None, category: str = "", department: Department | None = None
) -> SampleRequest:
    sample = SampleRequest(
        org=actor.org,
        number=numbering.allocate(actor.org, "SQ"),
        title=title,
        amount=amount,
        category=category,
        department=department,
        requester=actor.membership,
    )
    SampleRequest.WORKFLOW.start(sample, "create", actor=actor)
    return sample


@transaction.atomic
def sample_submit(*, actor: Actor, sample: SampleRequest) -> approvals.ApprovalRequest:
    SampleRequest.WORKFLOW.apply(sample, "submit", actor=actor)
    return approvals.approval_submit(
        actor=actor,
        target=sample,
        kind=KIND,
        amount=sample.amount,
        category=sample.category,
        department=sample.department,
        title=str(sample),
    )


@transaction.atomic
def sample_archive(*, actor: Actor, sample: SampleRequest) -> None:
    SampleRequest.WORKFLOW.apply(sample, "archive", actor=actor)


def _approved(sample: SampleRequest, *, actor: Actor, request) -> None:
    SampleRequest.WORKFLOW.apply(sample, "approve", actor=actor, note=_("Approved in {title}.").format(title=request))


def _rejected(sample: SampleRequest, *, actor: Actor, request) -> None:
    reason = request.steps.filter(state=StepState.REJECTED).values_list("comment", flat=True).first()
    SampleRequest.WORKFLOW.apply(sample, "reject", actor=actor, note=reason)


def _withdrawn(sample: SampleRequest, *, actor: Actor, request) -> None:
    SampleRequest.WORKFLOW.apply(sample, "withdraw", actor=actor)


approvals.register_kind(
    KIND,
    gettext_lazy("Sample request"),
    on_approved=_approved,
    on_rejected=_rejected,
    on_withdrawn=_withdrawn,
)
