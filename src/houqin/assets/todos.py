"""Home-page to-dos (我的待办) of the assets module: overdue loans, for the borrower and for the asset clerk.

A fixed number of queries whatever the number of loans: at most four of the borrower's own overdue loans are
read (each named on its own line; more become one line with their count), and one count for the clerk.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import todos
from houqin.core.permissions import Actor, restrict
from houqin.core.todos import Todo

from . import permissions as p
from .filtersets.loans import overdue_q
from .models import Loan

NAMED = 3  # up to this many overdue loans of one's own are listed one by one


@todos.register
def loan_todos(actor: Actor) -> list[Todo]:
    if actor.via_bureau:
        return []
    today = timezone.localdate()
    org_code = actor.org.code
    found = []
    membership = actor.membership
    if actor.can(p.LOAN_VIEW) and membership is not None and membership.org_id == actor.org.pk:
        mine = list(
            Loan.objects.filter(overdue_q(today), borrower=membership)
            .select_related("asset")
            .order_by("due_on", "id")[: NAMED + 1]
        )
        if len(mine) <= NAMED:
            found += [
                Todo(
                    _("{asset} you borrowed ({code}) is {days} days overdue").format(
                        asset=loan.asset.name, code=loan.code, days=(today - loan.due_on).days
                    ),
                    1,
                    reverse("assets:loan_detail", args=[org_code, loan.pk]),
                    "danger",
                )
                for loan in mine
            ]
        else:
            found.append(
                Todo(
                    _("Assets I borrowed that are overdue"),
                    Loan.objects.filter(overdue_q(today), borrower=membership).count(),
                    reverse("assets:loan_list", args=[org_code]) + "?overdue=true&borrower={}".format(membership.pk),
                    "danger",
                )
            )
    if actor.can(p.LOAN_MANAGE):
        overdue = restrict(Loan.objects.filter(overdue_q(today)), actor, p.LOAN_MANAGE).count()
        found.append(
            Todo(
                _("Overdue loans to chase"),
                overdue,
                reverse("assets:loan_list", args=[org_code]) + "?overdue=true",
                "danger",
            )
        )
    return found
