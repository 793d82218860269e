"""Assets routes for the org-isolation walk (core/tests/test_isolation.py; see isolation_support.py).

Each part of the module maps its own routes in ``isolation_<part>.py`` (``PAGES``, ``API``, ``BUREAU_READS``,
``make_rows``); this module joins them, as the walk reads one mapping per app.
"""

from . import (
    isolation_disposals,
    isolation_ledger,
    isolation_loans,
    isolation_reconciliation,
    isolation_stocktakes,
    isolation_transfers,
)

PARTS = (
    isolation_ledger,
    isolation_transfers,
    isolation_loans,
    isolation_stocktakes,
    isolation_disposals,
    isolation_reconciliation,
)

PAGES = {name: target for part in PARTS for name, target in part.PAGES.items()}
API = {name: target for part in PARTS for name, target in part.API.items()}
BUREAU_READS = set().union(*(part.BUREAU_READS for part in PARTS))


def make_rows(world):
    for part in PARTS:
        part.make_rows(world)
