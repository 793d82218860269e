"""The shipped GB/T 14885 table (``data/gbt14885.csv``) into ``AssetCategory``: rows added or corrected, none
removed (assets point at them). Run by the migration that creates the table and by ``houqin
asset_categories`` after the file is corrected."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gbt14885.csv"


def load(model=None, path: Path = DATA) -> int:
    """Create or update every row of the file (parents first); returns the number of rows read."""
    if model is None:
        from .models import AssetCategory as model
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: len(row["code"]))
    by_code = {category.code: category for category in model.objects.all()}
    for row in rows:
        depreciable = row["depreciable"] == "1"
        values = {
            "name": row["name"],
            "parent": by_code[row["parent"]] if row["parent"] else None,
            "depreciable": depreciable,
            "life_years": int(row["life_years"]) if depreciable else None,
            "batch_counts": row["batch_counts"] == "1",
            "verified": row["verified"] == "1",
            "note": row["note"],
        }
        category, _created = model.objects.update_or_create(code=row["code"], defaults=values)
        by_code[category.code] = category
    return len(rows)
