"""Isolation-walk mapping of the disposals pages and endpoints (joined by isolation.py)."""

PAGES = {}
API = {}
BUREAU_READS = set()


def make_rows(world):
    pass
