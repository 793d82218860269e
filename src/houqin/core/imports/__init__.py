"""Excel imports of people and places: every row checked, every problem reported, then all rows or none.

``base`` is the framework (columns, reading, normalising, checking, the all-or-nothing write, the
template); ``people`` and ``locations`` declare what they import. A later Excel kit grows from here.
"""

from .base import Column, Importer, ImportFileError, ImportResult, ImportRow, RowError
from .locations import LocationImporter
from .people import ImportedPerson, PersonImporter

__all__ = [
    "Column",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "ImportedPerson",
    "Importer",
    "LocationImporter",
    "PersonImporter",
    "RowError",
]
