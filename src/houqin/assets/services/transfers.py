"""调拨 / 内部转移: assets of one department moved to another department, place, custodian or user once approved.

``transfer_request`` checks everything and saves the 调拨单 with its lines, then submits it to the approval engine
(kind ``assets.transfer``). Unless the organisation has rules of its own for that kind, the head of the receiving
department decides first, then the asset clerk. When the last step approves, every asset moves and its card's
chain gets a "transferred" line naming the 调拨单; a rejection or a withdrawal leaves the assets where they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import approvals, numbering
from houqin.core.choices import Role
from houqin.core.models import ApprovalRequest, ApprovalState, Department, Location, Membership
from houqin.core.notifications import notify
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import GONE, AssetEventKind, AssetStatus, LoanState, TransferState
from ..models import Asset, AssetEvent, DisposalLine, Loan, Transfer, TransferLine

__all__ = [
    "CODE_PREFIX",
    "KIND",
    "MAX_ASSETS",
    "asset_refusals",
    "pending_approval",
    "transfer_request",
    "transfer_withdraw",
]

CODE_PREFIX = "DB"  # 调拨: DB-2026-00012
KIND = "assets.transfer"
MAX_ASSETS = 500  # on one 调拨单 (a batch of 40 desks is one card)


def transfer_url(transfer: Transfer) -> str:
    return reverse("assets:transfer_detail", args=[transfer.org.code, transfer.pk])


def pending_approval(record) -> ApprovalRequest | None:
    """The approval request of ``record`` that still waits for a decision, if any."""
    return (
        ApprovalRequest.objects.filter(
            content_type__app_label=record._meta.app_label,
            content_type__model=record._meta.model_name,
            object_id=record.pk,
            state=ApprovalState.PENDING,
        )
        .order_by("-pk")
        .first()
    )


def asset_refusals(assets: list[Asset], *, exclude_transfer: int | None = None) -> list[str]:
    """Why each of ``assets`` may not go on a transfer or a disposal now: off the books, lent out, awaiting
    disposal, or already on a transfer waiting for approval (three queries for any number of assets)."""
    ids = [asset.pk for asset in assets]
    on_transfer = dict(
        TransferLine.objects.filter(asset_id__in=ids, pending=True)
        .exclude(transfer_id=exclude_transfer)
        .values_list("asset_id", "transfer__code")
    )
    on_disposal = dict(
        DisposalLine.objects.filter(asset_id__in=ids, pending=True).values_list("asset_id", "disposal__code")
    )
    lent = set(Loan.objects.filter(asset_id__in=ids, state=LoanState.OUT).values_list("asset_id", flat=True))
    refusals = []
    for asset in assets:
        if asset.status in GONE:
            refusals.append(
                _("{code} is {status}: it has left the books.").format(
                    code=asset.code, status=asset.get_status_display()
                )
            )
        elif asset.pk in lent or asset.status == AssetStatus.LENT:
            refusals.append(_("{code} is lent out: it has to be returned first.").format(code=asset.code))
        elif asset.pk in on_disposal or asset.status == AssetStatus.PENDING_DISPOSAL:
            refusals.append(
                _("{code} awaits disposal ({number}).").format(code=asset.code, number=on_disposal.get(asset.pk, "—"))
            )
        elif asset.pk in on_transfer:
            refusals.append(
                _("{code} is already on transfer {number}, which awaits approval.").format(
                    code=asset.code, number=on_transfer[asset.pk]
                )
            )
    return refusals


def locked_assets(assets: Iterable[Asset]) -> list[Asset]:
    """The assets read again under a row lock (in the order given, each once), so that two requests for the
    same asset cannot both pass the checks."""
    ids = list(dict.fromkeys(asset.pk for asset in assets))
    rows = (
        Asset.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("department", "location", "custodian__user", "user_person__user", "category")
    )
    found = {asset.pk: asset for asset in rows}
    return [found[pk] for pk in ids if pk in found]


def site_language(text) -> str:
    """Text stored for everyone (an approval's title) is written in the site's language, not the requester's."""
    with translation.override(settings.LANGUAGE_CODE):
        return text()


def _inactive(row) -> bool:
    return row is not None and not row.is_active


def _name(membership: Membership | None) -> str:
    return membership.user.name if membership is not None else "—"


@transaction.atomic
def transfer_request(
    *,
    actor: Actor,
    assets: Iterable[Asset],
    to_department: Department | None,
    to_location: Location | None = None,
    to_custodian: Membership | None = None,
    to_user_person: Membership | None = None,
    reason: str,
) -> Transfer:
    """申请调拨: the assets (all of one department) go to ``to_department`` and, where given, to a new place,
    custodian and user (left empty: kept as they are). A department head may move their own department's assets
    only. Every refusal is reported field by field and nothing is saved."""
    if actor.via_bureau or actor.membership is None or not actor.can(p.TRANSFER_REQUEST):
        raise PermissionDenied
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    assets = locked_assets(assets)
    reason = (reason or "").strip()
    if not assets:
        add("assets", _("Choose at least one asset."))
    elif len(assets) > MAX_ASSETS:
        add("assets", _("At most {n} assets go on one transfer.").format(n=MAX_ASSETS))
    if not reason:
        add("reason", _("Give the reason for the transfer."))
    if to_department is None:
        add("to_department", _("Choose the receiving department."))
    elif _inactive(to_department):
        add("to_department", _("This department is no longer in use."))
    if _inactive(to_location):
        add("to_location", _("This place is no longer in use."))
    for field, member in (("to_custodian", to_custodian), ("to_user_person", to_user_person)):
        if _inactive(member):
            add(field, _("This person has left the organisation."))

    from_department = None
    if assets and "assets" not in errors:
        departments = {asset.department_id for asset in assets}
        if len(departments) > 1:
            names = sorted({asset.department.name for asset in assets})
            add(
                "assets",
                _("The assets of one transfer leave one department; these belong to {names}.").format(
                    names="、".join(names)
                ),
            )
        else:
            from_department = assets[0].department
        allowed = set(
            restrict(Asset.objects.filter(pk__in=[a.pk for a in assets]), actor, p.TRANSFER_REQUEST).values_list(
                "pk", flat=True
            )
        )
        refused = [asset.code for asset in assets if asset.pk not in allowed]
        if refused:
            add(
                "assets",
                _("You may only transfer assets of your own department: {codes}.").format(codes="、".join(refused)),
            )
        for message in asset_refusals(assets):
            add("assets", message)
    if from_department is not None and to_department is not None and not errors:
        moves = to_department.pk != from_department.pk or any(
            (to_location is not None and asset.location_id != to_location.pk)
            or (to_custodian is not None and asset.custodian_id != to_custodian.pk)
            or (to_user_person is not None and asset.user_person_id != to_user_person.pk)
            for asset in assets
        )
        if not moves:
            add(
                "to_department",
                _("Nothing would change: choose another department, or a new place, custodian or user."),
            )

    transfer = Transfer(
        org=actor.org,
        code="-",
        from_department=from_department or to_department,
        to_department=to_department,
        to_location=to_location,
        to_custodian=to_custodian,
        to_user_person=to_user_person,
        reason=reason,
        requested_by=actor.membership,
    )
    if to_department is not None:
        try:
            transfer.full_clean(exclude=[*errors, "code", "from_department"], validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    transfer.code = numbering.allocate(actor.org, CODE_PREFIX)
    Transfer.WORKFLOW.start(transfer, "request", actor=actor, note=reason)
    TransferLine.objects.bulk_create(
        TransferLine(
            org=actor.org,
            transfer=transfer,
            asset=asset,
            from_location_id=asset.location_id,
            from_custodian_id=asset.custodian_id,
        )
        for asset in assets
    )
    TransferLine.history.bulk_history_create(list(transfer.lines.all()), default_user=actor.user)
    categories = {asset.category.code[:3] for asset in assets}
    approvals.approval_submit(
        actor=actor,
        target=transfer,
        kind=KIND,
        amount=sum((asset.original_value for asset in assets), Decimal("0")),
        category=categories.pop() if len(categories) == 1 else "",
        department=to_department,  # the receiving department's head decides the first default step
        title=site_language(
            lambda: _("Transfer {code}: {count} asset(s), {source} → {target}").format(
                code=transfer.code, count=len(assets), source=from_department.name, target=to_department.name
            )
        ),
    )
    return transfer


def withdraw_request(*, actor: Actor, record, pending_state: str):
    """撤回 a transfer or disposal that still awaits approval: only its requester, through the approval engine
    (whose ``on_withdrawn`` gives the assets back)."""
    if actor.via_bureau or actor.membership is None or record.requested_by_id != actor.membership.pk:
        raise PermissionDenied
    request = pending_approval(record)
    if request is None or record.state != pending_state:
        raise ValidationError(
            _('"{action}" is not possible while the record is "{state}".').format(
                action=record.WORKFLOW.action_label("withdraw"), state=record.get_state_display()
            )
        )
    approvals.approval_withdraw(actor=actor, request=request)
    record.refresh_from_db()
    return record


@transaction.atomic
def transfer_withdraw(*, actor: Actor, transfer: Transfer) -> Transfer:
    """撤回: the requester takes back a transfer that still awaits approval."""
    return withdraw_request(actor=actor, record=transfer, pending_state=TransferState.PENDING)


# What the approval engine calls ------------------------------------------------------------------


def _move(transfer: Transfer, action: str, actor: Actor, also_save=()) -> None:
    Transfer.WORKFLOW.apply(transfer, action, actor=actor, also_save=also_save)


def _release_lines(transfer: Transfer, actor: Actor | None) -> None:
    lines = list(transfer.lines.filter(pending=True))
    for line in lines:
        line.pending = False
    TransferLine.objects.bulk_update(lines, ["pending"])
    TransferLine.history.bulk_history_create(lines, update=True, default_user=actor.user if actor else None)


def transfer_approved(transfer: Transfer, *, actor: Actor, request) -> None:
    """Every asset goes to the receiving department (and the new place, custodian and user where given); each
    card's chain names the 调拨单."""
    url = transfer_url(transfer)
    to_location = transfer.to_location
    lines = list(transfer.lines.select_related("asset"))
    assets = locked_assets(line.asset for line in lines)
    for asset in assets:
        changes = ["{}: {} → {}".format(_("Department"), asset.department.name, transfer.to_department.name)]
        fields = ["department"]
        asset.department = transfer.to_department
        if to_location is not None and asset.location_id != to_location.pk:
            changes.append(
                "{}: {} → {}".format(_("Location"), asset.location.name if asset.location else "—", to_location.name)
            )
            asset.location = to_location
            asset.building_id = to_location.building_id
            fields += ["location", "building"]
        if transfer.to_custodian_id and asset.custodian_id != transfer.to_custodian_id:
            changes.append("{}: {} → {}".format(_("Custodian"), _name(asset.custodian), _name(transfer.to_custodian)))
            asset.custodian = transfer.to_custodian
            fields.append("custodian")
        if transfer.to_user_person_id and asset.user_person_id != transfer.to_user_person_id:
            changes.append("{}: {} → {}".format(_("User"), _name(asset.user_person), _name(transfer.to_user_person)))
            asset.user_person = transfer.to_user_person
            fields.append("user_person")
        asset.save(update_fields=fields)
        AssetEvent.objects.create(
            org=transfer.org,
            asset=asset,
            kind=AssetEventKind.TRANSFERRED,
            actor=actor.user if actor else None,
            note="; ".join(changes)[:300],
            source_label=transfer.code,
            source_url=url,
        )
    _release_lines(transfer, actor)
    transfer.done_at = timezone.now()
    _move(transfer, "complete", actor, also_save=["done_at"])
    people = [m.user for m in (transfer.to_custodian, transfer.to_user_person) if m is not None]
    if people:
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                org=transfer.org,
                recipients=people,
                event="assets.transfer.done",
                title=_("Assets transferred to you: {code}").format(code=transfer.code),
                body=_("{count} asset(s) now in your care, from {department}.").format(
                    count=len(assets), department=transfer.from_department.name
                ),
                url=url,
            )


def transfer_rejected(transfer: Transfer, *, actor: Actor, request) -> None:
    _release_lines(transfer, actor)
    _move(transfer, "reject", actor)


def transfer_withdrawn(transfer: Transfer, *, actor: Actor, request) -> None:
    _release_lines(transfer, actor)
    _move(transfer, "withdraw", actor)


approvals.register_kind(
    KIND,
    gettext_lazy("Asset transfer"),
    on_approved=transfer_approved,
    on_rejected=transfer_rejected,
    on_withdrawn=transfer_withdrawn,
    url=transfer_url,
    # 调入部门负责人, then 资产管理员 (unless the organisation sets rules of its own for transfers).
    default_steps=[{"role": Role.DEPT_HEAD, "of_requester_department": True}, {"role": Role.ASSET_CLERK}],
)
