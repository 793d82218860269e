"""Time-driven work of the assets module, run by `houqin tick`.

``assets.loan_reminders``: every overdue loan's borrower is reminded once per local day while the asset is
still out, and the asset clerks get one summary per organisation and day. "Due" comes from the data
(``Loan.reminded_on`` before today), so a second run on the same day changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core import tick
from houqin.core.choices import Role
from houqin.core.models import RoleGrant, User
from houqin.core.notifications import notify
from houqin.core.tenancy import org_scope, scopes_disabled

from .filtersets.loans import overdue_q
from .models import Loan
from .services.loans import loan_url


def asset_clerks(org) -> list[User]:
    """Who hears of overdue loans: the asset clerks, or the logistics head where there is no clerk."""
    for roles in ((Role.ASSET_CLERK,), (Role.LOGISTICS_HEAD,)):
        grants = RoleGrant.objects.filter(org=org, role__in=roles, membership__is_active=True)
        users = list(User.objects.filter(pk__in=grants.values("membership__user"), is_active=True).order_by("pk"))
        if users:
            return users
    return []


@tick.job("assets.loan_reminders")
def loan_reminders(now: datetime) -> int:
    today = timezone.localdate(now)
    with scopes_disabled():
        due = list(
            Loan.objects.filter(overdue_q(today))
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
            .select_related("org", "asset", "borrower__user")
            .order_by("org_id", "due_on", "id")
        )
    by_org: dict[int, list[Loan]] = {}
    for loan in due:
        by_org.setdefault(loan.org_id, []).append(loan)
    for loans in by_org.values():
        org = loans[0].org
        with org_scope(org):
            for loan in loans:
                days = (today - loan.due_on).days
                notify(
                    org=org,
                    recipients=[loan.borrower.user],
                    event="assets.loan_overdue",
                    title=_("{asset} you borrowed is {days} days overdue; please return it").format(
                        asset=loan.asset.name, days=days
                    ),
                    body=_("{loan} · {code} · due back {due}").format(
                        loan=loan.code, code=loan.asset.code, due=loan.due_on.isoformat()
                    ),
                    url=loan_url(loan),
                )
            Loan.objects.filter(pk__in=[loan.pk for loan in loans]).update(
                reminded_on=today, reminders=F("reminders") + 1
            )
            all_overdue = Loan.objects.filter(overdue_q(today)).count()
            codes = "、".join(
                "{} {} ({})".format(loan.code, loan.asset.name, loan.borrower.user.name) for loan in loans[:10]
            )
            notify(
                org=org,
                recipients=asset_clerks(org),
                event="assets.loans_overdue",
                title=_("{count} loans are overdue").format(count=all_overdue),
                body=codes + ("…" if len(loans) > 10 else ""),
                url=reverse("assets:loan_list", args=[org.code]) + "?overdue=true",
            )
    return len(due)
