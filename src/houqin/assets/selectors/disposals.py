"""Reads of disposals that more than one page needs: the asset card's 报废 button."""

from __future__ import annotations

from django.urls import reverse

from houqin.core.permissions import Actor, restrict

from .. import permissions as p
from ..choices import GONE, AssetStatus
from ..models import Asset, Disposal, DisposalLine, TransferLine


def disposal_card(actor: Actor, asset: Asset) -> dict:
    """What the asset card shows about disposals: the disposal it waits on, or the address of a new one when the
    person may dispose of assets and this one is free to go."""
    line = DisposalLine.objects.filter(asset=asset, pending=True).select_related("disposal").first()
    pending = None
    if line is not None and restrict(Disposal.objects.filter(pk=line.disposal_id), actor, p.DISPOSAL_VIEW).exists():
        pending = line.disposal
    url = ""
    free = asset.status not in (*GONE, AssetStatus.LENT, AssetStatus.PENDING_DISPOSAL) and line is None
    if free and not actor.via_bureau and actor.can(p.DISPOSAL_REQUEST):
        on_transfer = TransferLine.objects.filter(asset=asset, pending=True).exists()
        if not on_transfer and restrict(Asset.objects.filter(pk=asset.pk), actor, p.DISPOSAL_REQUEST).exists():
            url = reverse("assets:disposal_create", args=[actor.org.code]) + "?ids={}".format(asset.pk)
    return {"pending": pending, "url": url}
