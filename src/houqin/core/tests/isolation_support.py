"""What the org-isolation walk (test_isolation.py) needs to call a route; modules map their own routes with it.

A module maps its routes in ``<app>/tests/isolation.py``: ``PAGES`` and ``API`` (URL name → ``T``), the
read actions the bureau has on them (``BUREAU_READS``), and ``make_rows(world)`` making the org-A rows the
routes reach (stored on ``world``). The walk finds these modules itself, so core imports no module.

``make_rows`` runs once per test module (the walk's ``shared_world``), and every module's rows are there for
every route's tests: a row made here must leave the other routes' controls (writes, deletes) succeeding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from houqin.core.choices import Role


@dataclass(frozen=True)
class T:
    """How to call one route against org A: its URL arguments and, per method, a valid request body."""

    kwargs: Callable = lambda w: {}
    post: Callable | None = None
    put: Callable | None = None
    patch: Callable | None = None
    delete: Callable | None = None
    get_status: int = 200  # what org A's control member gets for GET (405 for POST-only pages)
    control_role: str = Role.ORG_ADMIN  # who in org A succeeds with these requests (the control)
    public: bool = False  # open without login (a public repair form): its module tests anonymous use

    def body(self, method: str):
        return getattr(self, method.lower(), None)
