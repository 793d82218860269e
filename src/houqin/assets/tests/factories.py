"""Assets for tests: rows of org A in the shared ``world`` (see houqin/conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from houqin.core.tenancy import org_scope

from .. import categories
from ..models import Asset, AssetCategory

_numbers = count(1)


def category(code: str = "A0201") -> AssetCategory:
    if not AssetCategory.objects.exists():  # loaded by a migration: gone after a browser test's flush
        categories.load()
    return AssetCategory.objects.get(code=code)


def make_asset(world, *, org=None, value="6000.00", booked_on=date(2026, 1, 15), category_code="A0201", **fields):
    """An asset card written directly (no event, no number allocation), by default a 6,000-yuan computer of
    org A's 总务处 in 101教室."""
    org = org or world.org_a
    values = {
        "code": "T-{:05d}".format(next(_numbers)),
        "name": "台式计算机",
        "category": category(category_code),
        "original_value": Decimal(value),
        "booked_on": booked_on,
        "department": world.dept_a if org == world.org_a else world.dept_b,
        "location": world.room_a if org == world.org_a else None,
        **fields,
    }
    with org_scope(org):
        asset = Asset(org=org, **values)
        if asset.location_id:
            asset.building_id = asset.location.building_id
        asset.save()
    return asset
