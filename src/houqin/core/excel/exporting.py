"""The Excel kit's export half: any filtered list as a streamed .xlsx, formula-safe, written to the security log.

``xlsx_export(request, rows, columns, filename)`` takes a queryset (read in chunks with ``.iterator``)
or any iterable of rows, and ``columns`` as ``(label, value)`` pairs where ``value`` is an attribute
path ("building.name") or a function of the row. openpyxl's write-only mode writes each row out as it
comes and the workbook is assembled in a temporary file, so memory stays flat for any length.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..choices import SecurityEventKind
from ..services import security_event_record

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000  # rows fetched per query (and per prefetch) while streaming a queryset

Column = tuple[str | Promise, str | Callable[[Any], Any]]


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_value(value):
    """A Python value as a cell: numbers and dates stay typed, local time without zone, the rest as text."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if hasattr(value, "isoformat"):  # date, time
        return value
    return safe_cell(str(value))


def _getter(value: str | Callable) -> Callable:
    return attrgetter(value) if isinstance(value, str) else value


def xlsx_export(
    request,
    rows: QuerySet | Iterable,
    columns: Sequence[Column],
    filename: str | Promise,
    *,
    title: str | Promise = "",
) -> FileResponse:
    """Stream ``rows`` as ``<filename>-<today>.xlsx`` (a Chinese name is fine) and log who exported what."""
    title = str(title or filename)
    getters = [_getter(value) for _label, value in columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, (label, _value) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(10, min(40, len(str(label)) * 2 + 4))
    bold = Font(bold=True)
    header = []
    for label, _value in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(label)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
    count = 0
    for row in rows:
        sheet.append([cell_value(get(row)) for get in getters])
        count += 1
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(output)
    output.seek(0)
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        request=request,
        org=request.org,
        user=request.user,
        detail="{} ({} rows) {}".format(title, count, request.GET.urlencode())[:300],
    )
    stamped = "{}-{}.xlsx".format(filename, timezone.localdate().isoformat())
    return FileResponse(output, as_attachment=True, filename=stamped, content_type=XLSX_TYPE)
