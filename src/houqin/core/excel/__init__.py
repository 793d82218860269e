"""The Excel kit: imports that check every row and save all or nothing, and streamed, formula-safe exports.

Import: subclass ``Importer``, declare ``columns`` with parsers from here, write one row in ``save_row``.
Export: ``xlsx_export(request, queryset, columns, filename)``. CONTRIBUTING.md shows both.
"""

from .cells import (
    choice,
    choice_lookup,
    decimal,
    integer,
    lookup_key,
    money,
    parse_bool,
    parse_code,
    parse_date,
    parse_email,
    parse_phone,
    text,
)
from .exporting import XLSX_TYPE, safe_cell, xlsx_export
from .importing import Column, Importer, ImportFileError, ImportResult, ImportRow, RowError

__all__ = [
    "XLSX_TYPE",
    "Column",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "Importer",
    "RowError",
    "choice",
    "choice_lookup",
    "decimal",
    "integer",
    "lookup_key",
    "money",
    "parse_bool",
    "parse_code",
    "parse_date",
    "parse_email",
    "parse_phone",
    "safe_cell",
    "text",
    "xlsx_export",
]
