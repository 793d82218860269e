"""Isolation-walk mapping of the loans pages and endpoints (joined by isolation.py)."""

PAGES = {}
API = {}
BUREAU_READS = set()


def make_rows(world):
    pass
