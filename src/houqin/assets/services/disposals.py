"""报废 / 处置: assets leaving the books — scrapped, transferred out (调出), sold or donated — once approved.

``disposal_request`` checks the assets, marks them 待报废 (keeping each one's status before and its net book value
on the line) and submits the 处置审批 to the approval engine (kind ``assets.disposal``, amount = the original
values). Unless the organisation has rules of its own for disposals, the logistics head decides first, then the
leader. Approved, each asset is 已报废 and leaves the books that day (depreciation stops by the org's rule);
rejected or withdrawn, each gets its status back.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import approvals, numbering, orgsettings
from houqin.core.choices import Role
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import AssetEventKind, AssetStatus, DisposalMethod, DisposalState
from ..depreciation import net_book_value
from ..models import Asset, AssetEvent, Disposal, DisposalLine
from ..models.ledger import MAX_VALUE
from ..settings import DEPRECIATION_START
from .transfers import MAX_ASSETS, asset_refusals, locked_assets, site_language, withdraw_request

__all__ = ["CODE_PREFIX", "KIND", "disposal_request", "disposal_withdraw", "method_errors"]

CODE_PREFIX = "BF"  # 报废: BF-2026-00007
KIND = "assets.disposal"
# Whom the assets go to: the receiving unit (调出), the buyer (出售), the recipient of a donation (捐赠).
NEEDS_RECIPIENT = (DisposalMethod.TRANSFER_OUT, DisposalMethod.SALE, DisposalMethod.DONATION)


def disposal_url(disposal: Disposal) -> str:
    return reverse("assets:disposal_detail", args=[disposal.org.code, disposal.pk])


def method_errors(method: str, recipient: str, proceeds: Decimal | None) -> dict[str, str]:
    """What the method asks for: whom the assets go to (调出、出售、捐赠), and no proceeds from a donation."""
    errors = {}
    if method in NEEDS_RECIPIENT and not (recipient or "").strip():
        errors["recipient"] = _("Name the receiving unit, buyer or recipient.")
    if method == DisposalMethod.DONATION and proceeds:
        errors["proceeds"] = _("A donation brings no proceeds; enter 0.")
    return errors


def _proceeds(value, add) -> Decimal | None:
    if value is None or value == "":
        return Decimal("0.00")
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        add("proceeds", _("Enter a number."))
        return None
    if not value.is_finite():
        add("proceeds", _("Enter a number."))
    elif value < 0:
        add("proceeds", _("The proceeds cannot be negative."))
    elif value > MAX_VALUE:
        add("proceeds", _("This value is too large; check the number."))
    elif value != value.quantize(Decimal("0.01")):
        add("proceeds", _("Enter the value in yuan with at most two decimal places."))
    else:
        return value.quantize(Decimal("0.01"))
    return None


@transaction.atomic
def disposal_request(
    *,
    actor: Actor,
    assets: Iterable[Asset],
    method: str,
    reason: str,
    proceeds: Decimal | str | None = Decimal("0"),
    recipient: str = "",
) -> Disposal:
    """申请报废/处置: the assets await disposal (待报废) until the approval is decided. Every refusal is reported
    field by field and nothing is saved."""
    if actor.via_bureau or actor.membership is None or not actor.can(p.DISPOSAL_REQUEST):
        raise PermissionDenied
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    assets = locked_assets(assets)
    reason = (reason or "").strip()
    recipient = (recipient or "").strip()
    if not assets:
        add("assets", _("Choose at least one asset."))
    elif len(assets) > MAX_ASSETS:
        add("assets", _("At most {n} assets go on one disposal.").format(n=MAX_ASSETS))
    if method not in DisposalMethod.values:
        add("method", _("Choose how the assets are disposed of."))
    if not reason:
        add("reason", _("Give the reason for the disposal."))
    amount = _proceeds(proceeds, add)
    for field, message in method_errors(method, recipient, amount).items():
        add(field, message)
    if assets and "assets" not in errors:
        allowed = set(
            restrict(Asset.objects.filter(pk__in=[a.pk for a in assets]), actor, p.DISPOSAL_REQUEST).values_list(
                "pk", flat=True
            )
        )
        refused = [asset.code for asset in assets if asset.pk not in allowed]
        if refused:
            add("assets", _("You may not dispose of these assets: {codes}.").format(codes="、".join(refused)))
        for message in asset_refusals(assets):
            add("assets", message)

    disposal = Disposal(
        org=actor.org,
        code="-",
        method=method,
        reason=reason,
        proceeds=amount if amount is not None else Decimal("0"),
        recipient=recipient,
        requested_by=actor.membership,
    )
    try:
        disposal.full_clean(exclude=[*errors, "code"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    disposal.code = numbering.allocate(actor.org, CODE_PREFIX)
    Disposal.WORKFLOW.start(disposal, "request", actor=actor, note=reason)
    rule = orgsettings.value(actor.org, DEPRECIATION_START.key)
    today = timezone.localdate()
    url = disposal_url(disposal)
    lines = []
    for asset in assets:
        lines.append(
            DisposalLine(
                org=actor.org,
                disposal=disposal,
                asset=asset,
                status_before=asset.status,
                net_value=net_book_value(asset, today, rule),
            )
        )
        old = asset.get_status_display()
        asset.status = AssetStatus.PENDING_DISPOSAL
        asset.save(update_fields=["status"])
        _event(
            asset,
            actor,
            AssetEventKind.DISPOSAL_REQUESTED,
            "{}: {} → {} · {}".format(_("Status"), old, asset.get_status_display(), disposal.get_method_display()),
            disposal,
            url,
        )
    DisposalLine.objects.bulk_create(lines)
    DisposalLine.history.bulk_history_create(list(disposal.lines.all()), default_user=actor.user)
    departments = {asset.department_id for asset in assets}
    categories = {asset.category.code[:3] for asset in assets}
    approvals.approval_submit(
        actor=actor,
        target=disposal,
        kind=KIND,
        amount=sum((asset.original_value for asset in assets), Decimal("0")),
        category=categories.pop() if len(categories) == 1 else "",
        department=assets[0].department if len(departments) == 1 else None,
        title=site_language(
            lambda: _("{method} {code}: {count} asset(s)").format(
                method=disposal.get_method_display(), code=disposal.code, count=len(assets)
            )
        ),
    )
    return disposal


@transaction.atomic
def disposal_withdraw(*, actor: Actor, disposal: Disposal) -> Disposal:
    """撤回: the requester takes back a disposal that still awaits approval; the assets get their status back."""
    return withdraw_request(actor=actor, record=disposal, pending_state=DisposalState.PENDING)


# What the approval engine calls ------------------------------------------------------------------


def _event(asset, actor, kind, note, disposal, url) -> None:
    AssetEvent.objects.create(
        org=asset.org,
        asset=asset,
        kind=kind,
        actor=actor.user if actor else None,
        note=note[:300],
        source_label=disposal.code,
        source_url=url,
    )


def _move(disposal: Disposal, action: str, actor: Actor | None, also_save=()) -> None:
    """Move the disposal as the person who decided; an approver the organisation's own rules named who may not
    read disposals still decides (the engine checked them), so the move is then the system's."""
    if actor is not None and actor.can(p.DISPOSAL_VIEW) and not actor.via_bureau:
        Disposal.WORKFLOW.apply(disposal, action, actor=actor, also_save=also_save)
    else:
        Disposal.WORKFLOW.apply(disposal, action, actor=None, system=True, also_save=also_save)


def _lines(disposal: Disposal, actor: Actor | None) -> list[DisposalLine]:
    lines = list(disposal.lines.filter(pending=True).select_related("asset"))
    assets = {asset.pk: asset for asset in locked_assets(line.asset for line in lines)}
    for line in lines:
        line.asset = assets[line.asset_id]
        line.pending = False
    DisposalLine.objects.bulk_update(lines, ["pending"])
    DisposalLine.history.bulk_history_create(lines, update=True, default_user=actor.user if actor else None)
    return lines


def disposal_approved(disposal: Disposal, *, actor: Actor, request) -> None:
    """Each asset is 已报废 and leaves the books today (never before it was booked)."""
    today = timezone.localdate()
    url = disposal_url(disposal)
    note = disposal.get_method_display()
    if disposal.recipient:
        note += " · " + disposal.recipient
    if disposal.proceeds:
        note += " · " + _("proceeds ¥{amount}").format(amount=disposal.proceeds)
    for line in _lines(disposal, actor):
        asset = line.asset
        asset.status = AssetStatus.DISPOSED
        asset.left_on = max(today, asset.booked_on)
        asset.save(update_fields=["status", "left_on"])
        _event(asset, actor, AssetEventKind.DISPOSED, note, disposal, url)
    disposal.done_on = today
    _move(disposal, "complete", actor, also_save=["done_on"])


def _give_back(disposal: Disposal, actor: Actor, why: str) -> None:
    url = disposal_url(disposal)
    for line in _lines(disposal, actor):
        asset = line.asset
        if asset.status != AssetStatus.PENDING_DISPOSAL:
            continue  # changed by hand meanwhile (e.g. found lost): left as it is
        asset.status = line.status_before
        asset.save(update_fields=["status"])
        text = "{}: {} → {} · {}".format(
            _("Status"), AssetStatus(AssetStatus.PENDING_DISPOSAL).label, asset.get_status_display(), why
        )
        _event(asset, actor, AssetEventKind.STATUS, text, disposal, url)


def disposal_rejected(disposal: Disposal, *, actor: Actor, request) -> None:
    _give_back(disposal, actor, _("disposal rejected"))
    _move(disposal, "reject", actor)


def disposal_withdrawn(disposal: Disposal, *, actor: Actor, request) -> None:
    _give_back(disposal, actor, _("disposal withdrawn"))
    _move(disposal, "withdraw", actor)


approvals.register_kind(
    KIND,
    gettext_lazy("Asset disposal"),
    on_approved=disposal_approved,
    on_rejected=disposal_rejected,
    on_withdrawn=disposal_withdrawn,
    url=disposal_url,
    # 后勤主管, then 校长/院长 (unless the organisation sets rules of its own for disposals).
    default_steps=[{"role": Role.LOGISTICS_HEAD}, {"role": Role.LEADER}],
)
