"""Reading cells of real spreadsheets: normalising what people type, and the parsers columns declare.

A parser takes the normalised, non-empty text of one cell and returns a value, or raises
``ValidationError`` with a message in the user's language. Parsers that need settings are factories
(``text(50)``, ``money()``, ``choice(LocationKind)``); the others are used as they are (``parse_date``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import (
    DecimalValidator,
    EmailValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from ..models import code_validator, phone_validator

# Full-width digits, letters and spaces, as Chinese input methods type them, become their ASCII form
# (NFKC for these only: free text keeps its Chinese punctuation).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_FULL_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULL_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULL_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x200B: None, 0xFEFF: None})


def normalise_text(value: str) -> str:
    return value.translate(_FULL_WIDTH).strip()


def cell_text(value) -> str:
    """A cell as text the way a person reads it: numbers Excel stored as floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return normalise_text(str(value))


def lookup_key(text: str) -> str:
    """Lookup form of a header or a label: compatibility-normalised, no spaces, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def header_key(text: str) -> str:
    # People mark required columns ("姓名*", "手机号（必填）"); the mark is not part of the name.
    key = lookup_key(text).replace("*", "")
    return re.sub(r"\([^()]*\)$", "", key)


def _compact(value: str) -> str:
    """Number-like text: NFKC (full-width digits, ￥, －), no spaces, no thousands separators."""
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", value))


# Text ------------------------------------------------------------------------------------------


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        MaxLengthValidator(max_length)(value)
        return value

    return parse


def parse_code(max_length: int = 40) -> Callable[[str], str]:
    def parse(value: str) -> str:
        code = unicodedata.normalize("NFKC", value).strip()
        MaxLengthValidator(max_length)(code)
        code_validator(code)
        return code

    return parse


def parse_phone(value: str) -> str:
    phone = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value))
    if phone.startswith("+86"):
        phone = phone[3:]
    phone_validator(phone)
    return phone


def parse_email(value: str) -> str:
    email = unicodedata.normalize("NFKC", value).strip()
    MaxLengthValidator(254)(email)
    EmailValidator()(email)
    return email


# Numbers ---------------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?\d+(\.0+)?")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _bounded(value, min_value, max_value):
    if min_value is not None:
        MinValueValidator(min_value)(value)
    if max_value is not None:
        MaxValueValidator(max_value)(value)
    return value


def integer(min_value: int | None = None, max_value: int | None = None) -> Callable[[str], int]:
    """Whole numbers: "12", "1,200", "１２", "12.0" (as a number cell reads back)."""

    def parse(value: str) -> int:
        compact = _compact(value)
        if not _INTEGER.fullmatch(compact):
            raise ValidationError(_("Enter a whole number."))
        return _bounded(int(Decimal(compact)), min_value, max_value)

    return parse


def decimal(
    max_digits: int = 12, places: int = 2, min_value: Decimal | None = None, max_value: Decimal | None = None
) -> Callable[[str], Decimal]:
    """Numbers with at most ``places`` decimals, as ``Decimal`` (never float): "1,234.5", "０.５"."""

    def parse(value: str) -> Decimal:
        return _to_decimal(_compact(value), max_digits, places, min_value, max_value)

    return parse


def money(max_digits: int = 12, min_value: Decimal | None = Decimal(0)) -> Callable[[str], Decimal]:
    """Amounts in yuan as ``Decimal`` with two places: "¥1,234.50", "1,234.5元", "￥ 80", "1234.5"."""

    def parse(value: str) -> Decimal:
        compact = _compact(value).removeprefix("¥").removeprefix("RMB").removesuffix("元")
        return _to_decimal(compact, max_digits, 2, min_value, None).quantize(Decimal("0.01"))

    return parse


def _to_decimal(compact: str, max_digits, places, min_value, max_value) -> Decimal:
    if not _DECIMAL.fullmatch(compact):
        raise ValidationError(_("Enter a number."))
    try:
        number = Decimal(compact)
    except InvalidOperation as error:
        raise ValidationError(_("Enter a number.")) from error
    DecimalValidator(max_digits, places)(number)
    return _bounded(number, min_value, max_value)


# Dates -----------------------------------------------------------------------------------------

# 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日; a time after it (a date-and-time cell) is ignored.
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")  # 20240305
_SERIAL = re.compile(r"\d{1,6}(\.\d+)?")  # days since 1899-12-30, as Excel stores dates
_LAST_SERIAL = 2958465  # 9999-12-31


def parse_date(value: str) -> date:
    """A date from a date cell, an Excel serial (45356), 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or
    20240305."""
    compact = unicodedata.normalize("NFKC", value).strip()
    found = _DATE.fullmatch(compact) or _COMPACT_DATE.fullmatch(compact)
    if found:
        try:
            return date(int(found["y"]), int(found["m"]), int(found["d"]))
        except ValueError as error:
            raise ValidationError(_("This date does not exist.")) from error
    if _SERIAL.fullmatch(compact) and 0 < float(compact) <= _LAST_SERIAL:
        return from_excel(float(compact)).date()
    raise ValidationError(_("Enter a date such as 2024-03-05 or 2024年3月5日."))


# Yes / no and choices --------------------------------------------------------------------------

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "错", "无"}


def parse_bool(value: str) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    key = lookup_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(_("Enter 是 or 否 (yes or no)."))


def choice_lookup(choices, aliases: dict | None = None) -> dict[str, str]:
    """Code, English label, Chinese label, current-language label and aliases → code."""
    lookup: dict[str, str] = {}
    for language in ("en", "zh-hans", translation.get_language() or "en"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(lookup_key(str(label)), value)
    for value in choices.values:
        lookup[lookup_key(value)] = value
        for alias in (aliases or {}).get(value, ()):
            lookup.setdefault(lookup_key(alias), value)
    return lookup


def choice(choices, aliases: dict | None = None, unknown: str | Promise = "") -> Callable[[str], str]:
    """One value of ``choices`` (a TextChoices), written as its code, its label in Chinese or English, or
    one of ``aliases`` ({value: ("what people write", ...)}). ``unknown``: the message, with {choices}."""
    lookups: dict[str, dict[str, str]] = {}

    def parse(value: str) -> str:
        language = translation.get_language() or ""
        if language not in lookups:
            lookups[language] = choice_lookup(choices, aliases)
        found = lookups[language].get(lookup_key(value))
        if found is None:
            message = unknown or _("Unknown value; use one of: {choices}.")
            raise ValidationError(str(message).format(choices=", ".join(str(label) for label in choices.labels)))
        return found

    return parse
