"""What other modules read of the ledger to link their records to an asset (maintenance → assets: a repair job or
a maintenance plan names the asset at fault). Assets never imports those modules; they call these."""

from __future__ import annotations

from houqin.core.permissions import Actor, restrict

from ..choices import GONE
from ..models import Asset
from ..permissions import ASSET_VIEW


def visible_assets(actor: Actor):
    """The assets ``actor`` may see (their own, their department's or the whole ledger, by role)."""
    return restrict(Asset.objects.all(), actor, ASSET_VIEW)


def find_asset(actor: Actor, pk, *, whole_org: bool = False) -> Asset | None:
    """The asset ``pk`` of the actor's organisation with its place and building: among those the actor may see,
    or any of the organisation when ``whole_org`` (the office linking a job to an asset it does not keep).
    None when there is no such asset (another organisation's id included)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    rows = Asset.objects.all() if whole_org else visible_assets(actor)
    return rows.select_related("location__building", "building").filter(pk=pk).first()


def may_see(actor: Actor, asset: Asset) -> bool:
    return visible_assets(actor).filter(pk=asset.pk).exists()


def on_the_books(asset: Asset) -> bool:
    """False once the asset was disposed of or lost: nothing is repaired or planned for it any more."""
    return asset.status not in GONE
