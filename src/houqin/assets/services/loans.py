"""借用与归还: lend an asset to a person until a due day, take it back with a condition check (完好 / 损坏 / 丢失),
and record 赔偿 for a damaged or lost asset — each with a line on the asset's chain.

``own`` borrowers (everyone) borrow for themselves; the asset clerk (``org``) lends to anyone. The return check is
the asset clerk's (``LOAN_MANAGE``). Compensation is core's (``compensation_create``), linked to the loan or, when
recorded on the card, to the asset.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import numbering, orgsettings
from houqin.core import permissions as core_p
from houqin.core.compensation import compensation_create
from houqin.core.models import Compensation, Membership
from houqin.core.notifications import notify
from houqin.core.permissions import OWN, Actor, restrict

from .. import permissions as p
from ..choices import GONE, AssetEventKind, AssetStatus, LoanState, ReturnCondition
from ..models import Asset, AssetEvent, Loan
from ..settings import SECTION

__all__ = [
    "LENDABLE",
    "LOAN_DAYS",
    "LOAN_MAX_DAYS",
    "LOAN_PREFIX",
    "asset_compensation_create",
    "default_due_on",
    "loan_lend",
    "loan_return",
    "loan_url",
]

LOAN_PREFIX = "JY"  # 借用: JY-2026-00031
# What may be lent: 在用 and 闲置. Not 借出 (already lent), 维修中, 待报废, 已报废 or 丢失.
LENDABLE = (AssetStatus.IN_USE, AssetStatus.IDLE)

LOAN_DAYS = orgsettings.register(
    orgsettings.Setting(
        key="assets.loan_days",
        label=gettext_lazy("Usual loan period (days)"),
        section=SECTION,
        default=14,
        form_field=orgsettings.integer_field(min_value=1, max_value=365),
        help_text=gettext_lazy("The due date a new loan proposes; the person lending may choose another."),
    )
)
LOAN_MAX_DAYS = orgsettings.register(
    orgsettings.Setting(
        key="assets.loan_max_days",
        label=gettext_lazy("Longest loan (days)"),
        section=SECTION,
        default=365,
        form_field=orgsettings.integer_field(min_value=1, max_value=1830),
        help_text=gettext_lazy(
            "A due date further away is refused as a typing error (a school year is about 300 days)."
        ),
    )
)


def loan_url(loan: Loan) -> str:
    return reverse("assets:loan_detail", args=[loan.org.code, loan.pk])


def default_due_on(org, today=None):
    today = today or timezone.localdate()
    return today + timedelta(days=int(orgsettings.value(org, LOAN_DAYS.key)))


def _event(asset: Asset, actor: Actor | None, kind: str, note: str, loan: Loan | None = None) -> AssetEvent:
    return AssetEvent.objects.create(
        org=asset.org,
        asset=asset,
        kind=kind,
        actor=actor.user if actor else None,
        note=note[:300],
        source_label=loan.code if loan else "",
        source_url=loan_url(loan) if loan else "",
    )


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return Decimal("NaN")
    return amount


# Lending ----------------------------------------------------------------------------------------


@transaction.atomic
def loan_lend(*, actor: Actor, asset: Asset | None, borrower: Membership | None, due_on, purpose: str) -> Loan:
    """借出: the asset goes to ``borrower`` until ``due_on``. Every refusal at once, field by field; nothing is
    written unless all is well."""
    if actor.via_bureau or not actor.can(p.LOAN_BORROW):
        raise PermissionDenied
    org = actor.org
    today = timezone.localdate()
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if asset is None:
        add("asset", _("Choose the asset to lend."))
    elif asset.org_id != org.pk:
        add("asset", _("Choose an asset of this organisation."))
    else:
        asset = Asset.objects.select_for_update().get(pk=asset.pk)  # two people lending it at once: one waits
        open_loan = Loan.objects.filter(asset=asset, state=LoanState.OUT).select_related("borrower__user").first()
        if open_loan is not None or asset.status == AssetStatus.LENT:
            if open_loan is not None:
                add(
                    "asset",
                    _("{code} is already lent out ({loan}, due back {due}).").format(
                        code=asset.code, loan=open_loan.code, due=open_loan.due_on.isoformat()
                    ),
                )
            else:
                add("asset", _("{code} is already lent out.").format(code=asset.code))
        elif asset.status not in LENDABLE:
            add(
                "asset",
                _("{code} is “{status}” and cannot be lent; only assets in use or idle can.").format(
                    code=asset.code, status=asset.get_status_display()
                ),
            )
    if borrower is None:
        add("borrower", _("Choose who borrows it."))
    elif borrower.org_id != org.pk:
        add("borrower", _("Choose a person of this organisation."))
    elif not borrower.is_active or not borrower.user.is_active:
        add("borrower", _("{name} no longer works here.").format(name=borrower.user.name))
    elif borrower.user_id != actor.user.pk and actor.widest_scope(p.LOAN_BORROW) == OWN:
        add("borrower", _("You may only borrow for yourself; the asset clerk lends to others."))
    elif borrower.department_id is None:
        add(
            "borrower",
            _(
                "{name} belongs to no department; loans are counted by department, so ask the administrator "
                "to set one first."
            ).format(name=borrower.user.name),
        )
    if due_on is None:
        add("due_on", _("Enter the day it is due back."))
    elif due_on < today:
        add("due_on", _("The due date cannot be in the past."))
    else:
        longest = int(orgsettings.value(org, LOAN_MAX_DAYS.key))
        if due_on > today + timedelta(days=longest):
            add(
                "due_on",
                _("A loan may last at most {days} days (until {day}); check the date.").format(
                    days=longest, day=(today + timedelta(days=longest)).isoformat()
                ),
            )
    purpose = (purpose or "").strip()
    if not purpose:
        add("purpose", _("Say what it is borrowed for."))
    elif len(purpose) > 200:
        add("purpose", _("At most 200 characters."))
    if errors:
        raise ValidationError(errors)

    loan = Loan(
        org=org,
        asset=asset,
        borrower=borrower,
        department_id=borrower.department_id,
        purpose=purpose,
        lent_at=timezone.now(),
        due_on=due_on,
        lent_by=actor.user,
        status_before=asset.status,
    )
    loan.code = numbering.allocate(org, LOAN_PREFIX)
    Loan.WORKFLOW.start(loan, "lend", actor=actor)
    asset.status = AssetStatus.LENT
    asset.save(update_fields=["status"])
    note = _("Lent to {name} until {due}: {purpose}").format(
        name=borrower.user.name, due=due_on.isoformat(), purpose=purpose
    )
    _event(asset, actor, AssetEventKind.LENT, note, loan)
    if borrower.user_id != actor.user.pk:
        notify(
            org=org,
            recipients=[borrower.user],
            event="assets.loan_lent",
            title=_("{asset} was lent to you until {due}").format(asset=asset.name, due=due_on.isoformat()),
            body="{} · {} · {}".format(loan.code, asset.code, purpose),
            url=loan_url(loan),
        )
    return loan


# Returning --------------------------------------------------------------------------------------


@transaction.atomic
def loan_return(
    *,
    actor: Actor,
    loan: Loan,
    condition: str,
    note: str = "",
    compensation_amount=None,
    compensation_person: Membership | None = None,
) -> Loan:
    """归还 with the condition check: 完好 and 损坏 give the asset back its status from before the loan (a damaged
    one then goes to 报修); 丢失 marks it lost (off the books from today). A compensation amount records 赔偿 by
    the borrower (or ``compensation_person``), linked to the loan."""
    if actor.via_bureau or not actor.can(p.LOAN_MANAGE):
        raise PermissionDenied
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    note = (note or "").strip()
    if condition not in ReturnCondition.values:
        add("condition", _("Choose how it came back."))
    elif condition == ReturnCondition.DAMAGED and not note:
        add("note", _("Say what is damaged."))
    elif condition == ReturnCondition.LOST and not note:
        add("note", _("Say how it was lost."))
    if len(note) > 200:
        add("note", _("At most 200 characters."))
    amount = _money(compensation_amount)
    person = compensation_person or loan.borrower
    if amount is not None:
        if not actor.can(core_p.COMPENSATION_MANAGE):
            add("compensation_amount", _("You may not record compensation."))
        elif condition == ReturnCondition.GOOD:
            add("compensation_amount", _("Compensation is for an asset that came back damaged or was lost."))
        elif not amount.is_finite() or amount <= 0:
            add("compensation_amount", _("Enter an amount in yuan above zero."))
        elif amount != amount.quantize(Decimal("0.01")):
            add("compensation_amount", _("Enter the amount in yuan with at most two decimal places."))
    if compensation_person is not None and compensation_person.org_id != actor.org.pk:
        add("compensation_person", _("Choose a person of this organisation."))
    if errors:
        raise ValidationError(errors)

    loan.condition = condition
    loan.return_note = note
    loan.returned_at = max(timezone.now(), loan.lent_at)
    loan.received_by = actor.user
    # Refuses a second return ("not possible while … returned") and a loan the actor may not take back.
    Loan.WORKFLOW.apply(
        loan, "return", actor=actor, note=note, also_save=["condition", "return_note", "returned_at", "received_by"]
    )
    asset = Asset.objects.select_for_update().get(pk=loan.asset_id)
    old = asset.get_status_display()
    if condition == ReturnCondition.LOST:
        asset.status = AssetStatus.LOST
        if asset.left_on is None:
            asset.left_on = max(timezone.localdate(), asset.booked_on)
    elif asset.status == AssetStatus.LENT:
        # Back to what it was (在用 or 闲置); a status the clerk set meanwhile (维修中 …) stays.
        asset.status = loan.status_before
        if asset.status not in GONE:
            asset.left_on = None
    asset.save(update_fields=["status", "left_on"])
    text = _("Returned by {name}: {condition}").format(
        name=loan.borrower.user.name, condition=loan.get_condition_display()
    )
    if note:
        text += " · " + note
    if asset.get_status_display() != old:
        text += " · {}: {} → {}".format(_("Status"), old, asset.get_status_display())
    _event(asset, actor, AssetEventKind.RETURNED, text, loan)
    if amount is not None:
        compensation = compensation_create(
            actor=actor,
            person=person,
            amount=amount,
            reason="{} {} · {}{}".format(
                asset.code, asset.name, loan.get_condition_display(), (" · " + note) if note else ""
            )[:200],
            source=loan,
            source_label=loan.code,
        )
        _event(
            asset,
            actor,
            AssetEventKind.COMPENSATION,
            _("{name} owes {amount} yuan.").format(name=person.user.name, amount=compensation.amount),
            loan,
        )
    return loan


# Compensation on the card -------------------------------------------------------------------------


@transaction.atomic
def asset_compensation_create(*, actor: Actor, asset: Asset, person: Membership, amount, reason: str) -> Compensation:
    """赔偿 for damage to an asset outside a loan (dropped, broken in use), recorded from its card."""
    if actor.via_bureau or not actor.can(core_p.COMPENSATION_MANAGE):
        raise PermissionDenied
    if not restrict(Asset.objects.filter(pk=asset.pk), actor, p.ASSET_VIEW).exists():
        raise PermissionDenied
    compensation = compensation_create(
        actor=actor, person=person, amount=amount, reason=reason, source=asset, source_label=asset.code
    )
    _event(
        asset,
        actor,
        AssetEventKind.COMPENSATION,
        _("{name} owes {amount} yuan: {reason}").format(
            name=person.user.name, amount=compensation.amount, reason=compensation.reason
        ),
    )
    return compensation
