"""Isolation-walk mapping of the reconciliation pages and endpoints (joined by isolation.py)."""

PAGES = {}
API = {}
BUREAU_READS = set()


def make_rows(world):
    pass
