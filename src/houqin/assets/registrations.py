"""What assets registers with core: navigation and attachments (the card's photos and documents)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core import attachments, compensation, navigation
from houqin.core.navigation import NavEntry

from . import permissions as p
from . import tick, todos  # noqa: F401  (the overdue-loan reminders and to-dos)
from .models import Asset, Loan, Stocktake
from .services import disposals, transfers  # noqa: F401  (register the approval kinds of transfers and disposals)

FIXED_ASSETS = _("Fixed assets")

# The 固定资产 dropdown of the menu bar.
for entry in (
    NavEntry("assets_ledger", _("Asset ledger"), "assets:asset_list", p.ASSET_VIEW, FIXED_ASSETS),
    NavEntry("assets_depreciation", _("Depreciation report"), "assets:depreciation_report", p.ASSET_VIEW, FIXED_ASSETS),
    NavEntry("assets_loans", _("Loans"), "assets:loan_list", p.LOAN_VIEW, FIXED_ASSETS),
    NavEntry("assets_transfers", _("Transfers"), "assets:transfer_list", p.TRANSFER_VIEW, FIXED_ASSETS),
    NavEntry("assets_disposals", _("Disposals"), "assets:disposal_list", p.DISPOSAL_VIEW, FIXED_ASSETS),
    NavEntry("assets_stocktakes", _("Stocktakes"), "assets:stocktake_list", p.STOCKTAKE_VIEW, FIXED_ASSETS),
    NavEntry("assets_stats", _("Asset figures"), "assets:stats", p.ASSET_VIEW, FIXED_ASSETS),
    NavEntry("assets_reconciliation", _("Reconciliation"), "assets:reconciliation_list", p.RECONCILE, FIXED_ASSETS),
):
    navigation.register(entry)

# Photos, invoices, warranty cards: whoever sees the asset sees its files; the asset clerk adds and voids them.
attachments.register_owner(Asset, view_action=p.ASSET_VIEW, change_action=p.ASSET_MANAGE)
# The signed 盘点报告 (scanned) and photos of what was found are kept with the stocktake.
attachments.register_owner(Stocktake, view_action=p.STOCKTAKE_VIEW, change_action=p.STOCKTAKE_MANAGE)

# A compensation recorded on a loan's return or on the card links back to it on the person's page.
compensation.register_source_url(Loan, lambda object_id, org: reverse("assets:loan_detail", args=[org.code, object_id]))
compensation.register_source_url(
    Asset, lambda object_id, org: reverse("assets:asset_detail", args=[org.code, object_id])
)
