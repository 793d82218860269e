"""The filters of the module, one FilterSet per list (page, API, Excel export and facts share it); one file
per part of the module."""

from .assets import AssetFilterSet
from .disposals import DisposalFilterSet
from .loans import LoanFilterSet
from .stocktakes import StocktakeFilterSet, StocktakeLineFilterSet
from .transfers import TransferFilterSet

__all__ = [
    "AssetFilterSet",
    "DisposalFilterSet",
    "LoanFilterSet",
    "StocktakeFilterSet",
    "StocktakeLineFilterSet",
    "TransferFilterSet",
]
