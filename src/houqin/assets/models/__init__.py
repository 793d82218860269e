from .categories import AssetCategory
from .disposals import Disposal, DisposalLine
from .ledger import Asset, AssetEvent
from .loans import Loan
from .reconciliation import Reconciliation, ReconciliationDifference
from .stocktakes import Stocktake, StocktakeLine
from .transfers import Transfer, TransferLine

__all__ = [
    "Asset",
    "AssetCategory",
    "AssetEvent",
    "Disposal",
    "DisposalLine",
    "Loan",
    "Reconciliation",
    "ReconciliationDifference",
    "Stocktake",
    "StocktakeLine",
    "Transfer",
    "TransferLine",
]
