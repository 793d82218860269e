"""Reads of transfers that more than one page needs: the asset card's 调拨 button and the approval beside a
transfer."""

from __future__ import annotations

from django.urls import reverse

from houqin.core.models import ApprovalRequest
from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import GONE, AssetStatus
from ..models import Asset, Transfer, TransferLine


def latest_approvals(model, ids: list[int]) -> dict[int, ApprovalRequest]:
    """The newest approval request of each record of ``model`` (one query for a page of records)."""
    found: dict[int, ApprovalRequest] = {}
    requests = ApprovalRequest.objects.filter(
        content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name, object_id__in=ids
    ).order_by("object_id", "-pk")
    for request in requests:
        found.setdefault(request.object_id, request)
    return found


def transfer_card(actor: Actor, asset: Asset) -> dict:
    """What the asset card shows about transfers: the transfer it waits on, or the address of a new one for the
    ticked asset when the person may move it (a department head: their own department's assets)."""
    line = TransferLine.objects.filter(asset=asset, pending=True).select_related("transfer").first()
    pending = None
    if line is not None and restrict(Transfer.objects.filter(pk=line.transfer_id), actor, p.TRANSFER_VIEW).exists():
        pending = line.transfer
    url = ""
    movable = asset.status not in (*GONE, AssetStatus.LENT, AssetStatus.PENDING_DISPOSAL) and line is None
    may = movable and not actor.via_bureau and actor.can(p.TRANSFER_REQUEST)
    if may and restrict(Asset.objects.filter(pk=asset.pk), actor, p.TRANSFER_REQUEST).exists():
        url = reverse("assets:transfer_create", args=[actor.org.code]) + "?ids={}".format(asset.pk)
    return {"pending": pending, "url": url}
