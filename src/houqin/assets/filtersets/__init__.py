"""The filters of the module, one FilterSet per list (page, API, Excel export and facts share it); one file
per part of the module."""

from .assets import AssetFilterSet
from .loans import LoanFilterSet
from .stocktakes import StocktakeFilterSet, StocktakeLineFilterSet

__all__ = ["AssetFilterSet", "LoanFilterSet", "StocktakeFilterSet", "StocktakeLineFilterSet"]
