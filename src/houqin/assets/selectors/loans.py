"""Reads of loans (借用): the rows of the lists with their relations, what the asset card and the label scan
show about loans and compensation, and the report "下发未归还" (out and not returned, by department)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from houqin.core import permissions as core_p
from houqin.core.compensation import source_url
from houqin.core.models import Compensation, Department
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import LoanState
from ..filtersets.loans import overdue_q
from ..models import Asset, Loan
from ..services.loans import LENDABLE

RELATIONS = ("asset", "borrower__user", "department", "lent_by", "received_by")


def with_relations(queryset):
    return queryset.select_related(*RELATIONS)


def visible_loans(actor: Actor):
    """The loans the actor may read: their own (everyone), their department's (heads), all (the office)."""
    return restrict(Loan.objects.all(), actor, p.LOAN_VIEW)


def decorate(loans, today=None) -> list[Loan]:
    """``overdue`` and ``days_overdue`` on each row, for lists and cards."""
    today = today or timezone.localdate()
    for loan in loans:
        loan.overdue = loan.is_overdue(today)
        loan.days_overdue = (today - loan.due_on).days if loan.overdue else 0
    return loans


def may_return(actor: Actor, loan: Loan) -> bool:
    return (
        loan.state == LoanState.OUT
        and not actor.via_bureau
        and actor.can(p.LOAN_MANAGE)
        and restrict(Loan.objects.filter(pk=loan.pk), actor, p.LOAN_MANAGE).exists()
    )


def may_borrow(actor: Actor, asset: Asset) -> bool:
    return not actor.via_bureau and actor.can(p.LOAN_BORROW) and asset.status in LENDABLE


def asset_compensations(actor: Actor, asset: Asset) -> list[Compensation]:
    """The compensations recorded on the asset itself or on any of its loans, as far as the actor may read
    compensations (two queries whatever their number)."""
    if not actor.can(core_p.COMPENSATION_VIEW):
        return []
    asset_type = ContentType.objects.get_for_model(Asset)
    loan_type = ContentType.objects.get_for_model(Loan)
    rows = list(
        restrict(Compensation.objects.all(), actor, core_p.COMPENSATION_VIEW)
        .filter(
            Q(content_type=asset_type, object_id=asset.pk)
            | Q(content_type=loan_type, object_id__in=Loan.objects.filter(asset=asset).values("pk"))
        )
        .select_related("person__user", "org")
        .order_by("-recorded_at", "-id")[:50]
    )
    for row in rows:
        row.source_url = source_url(row)
    return rows


def asset_loan_context(actor: Actor, asset: Asset) -> dict:
    """What the asset card and the label scan show about loans: 借用 for whoever may borrow it now, the open
    loan (to those who may read it) with 归还 for the asset clerk, the last loans and the compensations."""
    org_code = actor.org.code
    loans = decorate(list(with_relations(visible_loans(actor).filter(asset=asset)).order_by("-id")[:5]))
    open_loan = next((loan for loan in loans if loan.state == LoanState.OUT), None)
    borrow_url = ""
    if may_borrow(actor, asset):
        borrow_url = reverse("assets:loan_lend", args=[org_code]) + "?asset={}".format(asset.pk)
    # The open loan is the asset's newest (a new one needs the last one returned), so it is in the short list
    # whenever the actor may read it.
    return_url = ""
    if open_loan is not None and may_return(actor, open_loan):
        return_url = reverse("assets:loan_return", args=[org_code, open_loan.pk])
    can_compensate = not actor.via_bureau and actor.can(core_p.COMPENSATION_MANAGE)
    return {
        "loan_borrow_url": borrow_url,
        "loan_return_url": return_url,
        "open_loan": open_loan,
        "recent_loans": loans,
        "loans_url": reverse("assets:loan_list", args=[org_code]) + "?asset={}".format(asset.pk),
        "asset_compensations": asset_compensations(actor, asset),
        "compensation_url": (reverse("assets:asset_compensation", args=[org_code, asset.pk]) if can_compensate else ""),
    }


# The report: out and not returned, by borrowing department ------------------------------------------


@dataclass
class OutstandingLine:
    department: Department | None
    department_id: int
    count: int
    value: Decimal
    overdue: int
    list_url: str
    overdue_url: str


def outstanding_by_department(actor: Actor, today=None) -> tuple[list[OutstandingLine], dict]:
    """下发未归还: loans still out, per borrowing department — how many, the original value of the assets, how
    many are overdue — each linking to exactly those loans on the list. Two queries whatever the size."""
    today = today or timezone.localdate()
    rows = list(
        visible_loans(actor)
        .filter(state=LoanState.OUT)
        .values("department")
        .annotate(
            count=Count("id"),
            value=Sum("asset__original_value"),
            overdue=Count("id", filter=overdue_q(today)),
        )
        .order_by()
    )
    departments = Department.objects.in_bulk([row["department"] for row in rows])
    base = reverse("assets:loan_list", args=[actor.org.code])
    lines = [
        OutstandingLine(
            department=departments.get(row["department"]),
            department_id=row["department"],
            count=row["count"],
            value=row["value"] or Decimal("0.00"),
            overdue=row["overdue"],
            list_url=base + "?state=out&department={}".format(row["department"]),
            overdue_url=base + "?overdue=true&department={}".format(row["department"]),
        )
        for row in rows
    ]
    lines.sort(key=lambda line: (line.department.path if line.department else "", line.department_id))
    totals = {
        "count": sum(line.count for line in lines),
        "value": sum((line.value for line in lines), Decimal("0.00")),
        "overdue": sum(line.overdue for line in lines),
        "list_url": base + "?state=out",
        "overdue_url": base + "?overdue=true",
    }
    return lines, totals
