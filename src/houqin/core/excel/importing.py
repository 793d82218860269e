"""The Excel kit's import half: declared columns, every row checked, every problem reported, then all rows or none.

An ``Importer`` declares its ``columns`` (key, label, required, a parser from ``cells``) and writes one
row with ``save_row`` through the services. ``run(file)`` reads the first sheet, finds the header row
(a merged title row above it is allowed; the header may be in Chinese or English, with ``*`` marks),
normalises the cells, parses and checks every row, and collects every problem as (row as Excel numbers
it, column header, reason in the user's language). Only when there is none does it write, all rows in
one transaction; an error raised by a service on any row undoes the whole file. ``template()`` builds
the .xlsx people fill in: the header row (each header carries a comment with its help and an example)
and a second sheet, 说明, listing the columns, the rules and example rows; that sheet is never read.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from ..permissions import Actor
from .cells import cell_text, header_key
from .exporting import safe_cell

logger = logging.getLogger(__name__)

MAX_ROWS = 5000  # rows of data in one file; a whole hospital's staff fits, a runaway sheet does not
MAX_SHEET_ROWS = 100_000  # sheet rows read at all, blank ones included
HEADER_SEARCH_ROWS = 10  # the header may sit below a title or a note of up to this many rows


class ImportFileError(Exception):
    """The upload is not a workbook we can read, or has no header row or no data at all."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """One column of an import: what users see as its header, whether it must be filled, how to read it."""

    key: str  # the service argument it feeds (errors a service raises on that field land in this column)
    label: Promise  # header text, a msgid; the template shows it in the user's language, either is read
    required: bool = False
    parse: Callable[[str], Any] | None = None  # a parser of ``cells``: normalised non-empty text → value
    aliases: tuple[str, ...] = ()  # further header texts accepted when reading (what people actually write)
    unique: bool = False  # unique in the file and among the org's existing rows (see ``Importer.existing``)
    help_text: Promise | str = ""
    example: tuple[str, ...] = ()  # one value per example row (header comment and instructions sheet)
    as_text: bool = False  # template formats the column as text, so Excel keeps 0-leading and long numbers


@dataclass(frozen=True)
class RowError:
    """A problem found in the file: the row as Excel numbers it, the column header, and the reason."""

    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    """One non-blank row of the sheet while it is checked."""

    number: int  # as Excel shows it
    cells: dict[str, str]  # column key → normalised text
    values: dict[str, Any] = field(default_factory=dict)  # column key → parsed value (None when empty or invalid)
    invalid: set[str] = field(default_factory=set)  # keys whose cell could not be parsed


@dataclass
class ImportResult:
    """Either every problem of the file, or what was saved (and then there is no problem)."""

    errors: list[RowError]
    saved: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# The framework ---------------------------------------------------------------------------------


class Importer(ABC):
    """Subclasses declare ``columns`` and ``sheet_title`` and fill in the hooks below. One instance reads one file."""

    columns: ClassVar[tuple[Column, ...]] = ()
    sheet_title: ClassVar[Promise]
    instructions_intro: ClassVar[Promise | str] = ""
    max_rows: ClassVar[int] = MAX_ROWS

    def __init__(self, actor: Actor):
        self.actor = actor
        self._errors: list[tuple[tuple, RowError]] = []
        self._headers: dict[str, str] = {}  # column key → header text as written in the file
        self._positions: dict[str, int] = {}  # column key → index in the file

    # Hooks ---------------------------------------------------------------------------------

    def prepare(self, rows: list[ImportRow]) -> None:  # noqa: B027 (optional hook)
        """Load, in a few queries for the whole file, what ``check_row`` looks up."""

    def check_row(self, row: ImportRow) -> None:  # noqa: B027 (optional hook)
        """Checks that need the database or earlier rows; rows come in file order."""

    def existing(self, key: str, values: set[str]) -> dict[str, str]:
        """For a ``unique`` column: which of ``values`` the org already uses, each with who/what uses it."""
        return {}

    @abstractmethod
    def save_row(self, row: ImportRow):
        """Write one row through the services (inside the import's transaction); returns what the page shows."""

    def instructions(self) -> list[list]:
        """Extra rows for the instructions sheet (valid values and the like)."""
        return []

    # Running -------------------------------------------------------------------------------

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header_text(self, key: str | None) -> str:
        if key is None:
            return ""
        return self._headers.get(key) or str(self.column(key).label)

    def error(self, row: ImportRow | int, key: str | None, message) -> None:
        number = row if isinstance(row, int) else row.number
        position = self._positions.get(key, len(self.columns) + 1) if key else -1
        self._errors.append(
            ((number, position, len(self._errors)), RowError(number, self.header_text(key), str(message)))
        )
        if key and not isinstance(row, int):
            row.invalid.add(key)

    def run(self, file) -> ImportResult:
        table = self._read(file)
        rows = []
        for number, cells in table:
            row = ImportRow(number=number, cells=cells)
            self._parse_row(row)
            rows.append(row)
        self.prepare(rows)
        for row in rows:
            self.check_row(row)
        self._check_unique(rows)
        if self._errors:
            return ImportResult(errors=self._sorted_errors())
        return self._write(rows)

    def _sorted_errors(self) -> list[RowError]:
        """By row, then in the file's column order, then in the order found."""
        return [error for _order, error in sorted(self._errors, key=lambda item: item[0])]

    def _read(self, file) -> list[tuple[int, dict[str, str]]]:
        try:
            workbook = load_workbook(BytesIO(file.read()), read_only=True, data_only=True)
        except Exception as error:  # a corrupt or disguised upload can fail anywhere inside the zip and XML parsers
            logger.info("Unreadable import upload: %r", error)
            raise ImportFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from error
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some programs write a wrong size; read what is really there
            return self._read_sheet(sheet.iter_rows(values_only=True, max_col=len(self.columns) + 20))
        except ImportFileError:
            raise
        except Exception as error:
            logger.info("Unreadable import upload: %r", error)
            raise ImportFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from error
        finally:
            workbook.close()

    def _read_sheet(self, sheet_rows: Iterable) -> list[tuple[int, dict[str, str]]]:
        """The data rows (number as Excel shows it, column key → text) below the header row."""
        filled: list[tuple[int, list[str]]] = []  # non-blank rows only: blank ones are skipped wherever they are
        for number, values in enumerate(sheet_rows, start=1):
            if number > MAX_SHEET_ROWS:
                raise ImportFileError(
                    _("The sheet is longer than {limit} rows; delete the empty rows below the data.").format(
                        limit=MAX_SHEET_ROWS
                    )
                )
            texts = [cell_text(value) for value in values]
            if any(texts):
                filled.append((number, texts))
                if len(filled) > self.max_rows + HEADER_SEARCH_ROWS:
                    break
        header_number = self._find_header(filled)
        table = [
            (number, {key: texts[i] if i < len(texts) else "" for key, i in self._positions.items()})
            for number, texts in filled
            if number > header_number
        ]
        if not table:
            raise ImportFileError(_("The file has no rows to import below the header row."))
        if len(table) > self.max_rows:
            raise ImportFileError(
                _("At most {limit} rows can be imported at once; split the file.").format(limit=self.max_rows)
            )
        return table

    def _find_header(self, filled: list[tuple[int, list[str]]]) -> int:
        """The first row naming every required column; failing that, the one naming most columns (then the
        missing ones are reported on it). Rows above it (a title, a note) are ignored."""
        accepted = self._accepted_headers()
        required = {c.key for c in self.columns if c.required}
        best: tuple[int, int, list[str]] | None = None
        for number, texts in filled:
            if number > HEADER_SEARCH_ROWS:
                break
            found = {accepted.get(header_key(t)) for t in texts if t} - {None}
            if found and required <= found:
                best = (len(found), number, texts)
                break
            if found and (best is None or len(found) > best[0]):
                best = (len(found), number, texts)
        if best is None:
            raise ImportFileError(
                _("No header row found. The first sheet must have a row naming the columns: {columns}.").format(
                    columns=", ".join(str(c.label) for c in self.columns)
                )
            )
        _count, number, texts = best
        self._read_header(number, texts, accepted)
        return number

    def _accepted_headers(self) -> dict[str, str]:
        accepted: dict[str, str] = {}
        for language in (translation.get_language() or "en", "zh-hans", "en"):
            with translation.override(language):
                for column in self.columns:
                    accepted.setdefault(header_key(str(column.label)), column.key)
        for column in self.columns:
            accepted.setdefault(header_key(column.key), column.key)
            for alias in column.aliases:
                accepted.setdefault(header_key(alias), column.key)
        return accepted

    def _read_header(self, number: int, cells: list[str], accepted: dict[str, str]) -> None:
        for index, header in enumerate(cells):
            key = accepted.get(header_key(header)) if header else None
            if key is None:
                continue
            if key in self._positions:
                self._errors.append(
                    (
                        (number, index, len(self._errors)),
                        RowError(number, header, _("This column appears more than once.")),
                    )
                )
                continue
            self._positions[key] = index
            self._headers[key] = header
        for column in self.columns:
            if column.required and column.key not in self._positions:
                self.error(number, column.key, _("This column is missing."))

    def _parse_row(self, row: ImportRow) -> None:
        for column in self.columns:
            if column.key not in self._positions:
                row.values[column.key] = None
                continue
            raw = row.cells.get(column.key, "")
            if not raw:
                row.values[column.key] = None
                if column.required:
                    self.error(row, column.key, _("This field is required."))
                continue
            try:
                row.values[column.key] = column.parse(raw) if column.parse else raw
            except ValidationError as error:
                row.values[column.key] = None
                for message in error.messages:
                    self.error(row, column.key, message)

    def _check_unique(self, rows: list[ImportRow]) -> None:
        for column in self.columns:
            if not column.unique:
                continue
            seen: dict[str, list[ImportRow]] = defaultdict(list)
            for row in rows:
                value = row.values.get(column.key)
                if value:
                    seen[value].append(row)
            for group in seen.values():
                if len(group) > 1:
                    numbers = ", ".join(str(row.number) for row in group)
                    for row in group:
                        self.error(
                            row,
                            column.key,
                            _("Appears more than once in this file (rows {rows}).").format(rows=numbers),
                        )
            used = self.existing(column.key, set(seen)) if seen else {}
            for value, owner in used.items():
                for row in seen.get(value, []):
                    self.error(row, column.key, _("Already used by {name}.").format(name=owner))

    def _write(self, rows: list[ImportRow]) -> ImportResult:
        saved, current = [], None
        try:
            with transaction.atomic():
                for row in rows:
                    current = row
                    saved.append(self.save_row(row))
        except ValidationError as error:
            keys = {c.key for c in self.columns}
            if hasattr(error, "error_dict"):
                for name, messages in error.message_dict.items():
                    for message in messages:
                        self.error(current, name if name in keys else None, message)
            else:
                for message in error.messages:
                    self.error(current, None, message)
        except DatabaseError:
            logger.exception("Import failed while writing row %s", current.number if current else "?")
            self.error(current, None, _("This row could not be saved because of a database error."))
        if self._errors:
            return ImportResult(errors=self._sorted_errors())
        return ImportResult(errors=[], saved=saved)

    # The template --------------------------------------------------------------------------

    def template(self) -> bytes:
        """The .xlsx to fill in, in the page's language (Chinese unless the person chose English); either
        language's headers are read back. Each header's comment says how to fill it in, with an example."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(self.sheet_title)[:31]
        sheet.append([str(c.label) for c in self.columns])
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
            cell.comment = Comment(self._header_note(column), "houqin", width=240, height=120)
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(12, len(str(column.label)) * 2 + 4)
            if column.as_text:
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"
        self._instructions_sheet(workbook.create_sheet(str(_("Instructions"))[:31]))
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def _header_note(column: Column) -> str:
        lines = [str(_("Required")) if column.required else str(_("Optional")), str(column.help_text)]
        example = next((value for value in column.example if value), "")
        if example:
            lines.append(_("Example: {value}").format(value=example))
        return "\n".join(line for line in lines if line)

    def _instructions_sheet(self, sheet) -> None:
        bold = Font(bold=True)
        sheet.append(
            [str(_("This sheet is not imported. Fill in the first sheet, one row each, below its header row."))]
        )
        if self.instructions_intro:
            sheet.append([str(self.instructions_intro)])
        sheet.append([str(_("Columns in red must be filled in. Rows left completely blank are skipped."))])
        sheet.append(
            [
                str(
                    _(
                        "A title row above the header row is fine, and headers may be in Chinese or English. "
                        "If any row has a problem, nothing is imported and every problem is listed by row and column."
                    )
                )
            ]
        )
        sheet.append([])
        sheet.append([str(_("Column")), str(_("Required")), str(_("How to fill in"))])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for column in self.columns:
            sheet.append([str(column.label), str(_("Yes")) if column.required else str(_("No")), str(column.help_text)])
        sheet.append([])
        sheet.append([str(_("Example (for illustration only; it is not imported)"))])
        sheet[sheet.max_row][0].font = bold
        sheet.append([str(c.label) for c in self.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        examples = max((len(c.example) for c in self.columns), default=0)
        for index in range(examples):
            sheet.append([c.example[index] if index < len(c.example) else "" for c in self.columns])
        for row in self.instructions():
            sheet.append([safe_cell(value) for value in row])
            if len(row) == 1:
                sheet[sheet.max_row][0].font = bold
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 16
        sheet.column_dimensions["C"].width = 60
