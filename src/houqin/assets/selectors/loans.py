"""Reads of loans (借用): the rows of the lists with their relations, what the asset card and the label scan
show about loans and compensation, and the report "下发未归还" (out and not returned, by department)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from houqin.core import permissions as core_p
from houqin.core.compensation import source_url
from houqin.core.models import Compensation, Department
from houqin.core.permissions import OWN, Actor, restrict

from .. import permissions as p
from ..choices import LoanState
from ..filtersets.loans import LoanFilterSet, overdue_q
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
    """借用 is offered for an asset in use or idle — to someone borrowing for themselves only when it is not
    already theirs to keep or use."""
    if actor.via_bureau or not actor.can(p.LOAN_BORROW) or asset.status not in LENDABLE:
        return False
    if actor.widest_scope(p.LOAN_BORROW) == OWN and actor.membership is not None:
        return actor.membership.pk not in (asset.custodian_id, asset.user_person_id)
    return True


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


# Report parameters the list takes too; the report always counts what is still out.
REPORT_PARAMS = ("category", "start", "end", "due_until")


def outstanding_by_department(actor: Actor, params=None, today=None) -> tuple[list[OutstandingLine], dict]:
    """下发未归还: loans still out, per borrowing department — how many, the original value of the assets, how
    many are overdue — each linking to exactly those loans on the list (the same FilterSet with the same
    parameters, narrowed to the department). Two queries whatever the size."""
    today = today or timezone.localdate()
    given = {name: params.get(name, "") for name in REPORT_PARAMS} if params is not None else {}
    given = {name: value for name, value in given.items() if value}
    filterset = LoanFilterSet(QueryDict(urlencode(given)), queryset=visible_loans(actor))
    rows = list(
        filterset.qs.filter(state=LoanState.OUT)
        .values("department")
        .annotate(
            count=Count("id"),
            value=Sum("asset__original_value"),
            overdue=Count("id", filter=overdue_q(today)),
        )
        .order_by()
    )
    departments = Department.objects.in_bulk([row["department"] for row in rows])
    base = reverse("assets:loan_list", args=[actor.org.code]) + "?"

    def link(**extra) -> str:
        return base + urlencode({**given, **extra})

    lines = [
        OutstandingLine(
            department=departments.get(row["department"]),
            department_id=row["department"],
            count=row["count"],
            value=row["value"] or Decimal("0.00"),
            overdue=row["overdue"],
            list_url=link(state=LoanState.OUT, department=row["department"]),
            overdue_url=link(overdue="true", department=row["department"]),
        )
        for row in rows
    ]
    lines.sort(key=lambda line: (line.department.path if line.department else "", line.department_id))
    totals = {
        "count": sum(line.count for line in lines),
        "value": sum((line.value for line in lines), Decimal("0.00")),
        "overdue": sum(line.overdue for line in lines),
        "list_url": link(state=LoanState.OUT),
        "overdue_url": link(overdue="true"),
    }
    return lines, totals
