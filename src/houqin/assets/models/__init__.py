from .categories import AssetCategory
from .ledger import Asset, AssetEvent

__all__ = ["Asset", "AssetCategory", "AssetEvent"]
