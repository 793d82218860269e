"""The Excel imports of Foundation I, people and places, built on the Excel kit (``core.excel``)."""

from .locations import LocationImporter
from .people import ImportedPerson, PersonImporter

__all__ = [
    "ImportedPerson",
    "LocationImporter",
    "PersonImporter",
]
