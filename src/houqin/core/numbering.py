"""Document numbers per organisation, prefix and year: ``BX-2026-00042``.

``allocate`` must run inside the transaction that saves the numbered record. The sequence row stays
locked until that transaction ends, so two people saving at once get consecutive numbers, and a
rolled-back save gives its number back: the numbers of a year have no gaps.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import NumberSequence

NUMBER_TZ = ZoneInfo("Asia/Shanghai")  # the year of a number is the year in China, whatever the server's clock


def format_number(prefix: str, year: int, n: int) -> str:
    return "{}-{}-{:05d}".format(prefix, year, n)


def _locked_sequence(org, prefix: str, year: int) -> NumberSequence:
    """The (org, prefix, year) row, created on first use, locked until the caller's transaction ends."""
    # The org is named explicitly, so the plain manager is as safe as the scoped one and also serves
    # callers such as tick jobs that number records of several organisations.
    rows = NumberSequence._base_manager.select_for_update().filter(org=org, prefix=prefix, year=year)
    sequence = rows.first()
    if sequence is not None:
        return sequence
    try:
        with transaction.atomic():  # a savepoint: losing the race to create the row leaves the caller's work intact
            NumberSequence._base_manager.create(org=org, prefix=prefix, year=year, last=0)
    except IntegrityError:
        pass  # another transaction created it first; the lock below waits for that one to finish
    return rows.get()


def allocate(org, prefix: str, *, on: date | None = None) -> str:
    """The next number for ``prefix`` in the year of ``on`` (default: today in China), e.g. "BX-2026-00042"."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbering.allocate() must run inside the transaction that saves the numbered record")
    year = (on or timezone.localdate(timezone=NUMBER_TZ)).year
    table = NumberSequence._meta.db_table
    # One statement takes the lock and the number (PostgreSQL and SQLite ≥ 3.35 both have RETURNING).
    sql = "UPDATE {} SET last = last + 1 WHERE org_id = %s AND prefix = %s AND year = %s RETURNING last".format(table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, prefix, year])
        row = cursor.fetchone()
    if row is None:  # the first number of the year: make the row, then take it the same way
        _locked_sequence(org, prefix, year)
        with connection.cursor() as cursor:
            cursor.execute(sql, [org.pk, prefix, year])
            row = cursor.fetchone()
    return format_number(prefix, year, row[0])


def keep(org, prefix: str, code: str) -> None:
    """Keep an imported ``code``: if it has the form "<prefix>-<year>-<n>", later numbers of that year start after n.

    Codes of another form are kept as they are; the owning model's unique constraint guards them."""
    match = re.fullmatch(r"{}-(\d{{4}})-(\d+)".format(re.escape(prefix)), code.strip())
    if match is None:
        return
    year, n = int(match.group(1)), int(match.group(2))
    with transaction.atomic():
        sequence = _locked_sequence(org, prefix, year)
        if n > sequence.last:
            sequence.last = n
            sequence.save(update_fields=["last"])
