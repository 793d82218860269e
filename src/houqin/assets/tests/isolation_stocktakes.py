"""Isolation-walk mapping of the stocktakes pages and endpoints (joined by isolation.py)."""

PAGES = {}
API = {}
BUREAU_READS = set()


def make_rows(world):
    pass
