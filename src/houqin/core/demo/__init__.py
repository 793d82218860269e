"""Demo data: two bureaus, a primary school with its kindergarten, and a county hospital.

``load_demo()`` only adds what is missing, found by natural keys (org code; department and place by
(org, code); person by phone; membership by (org, person); role grant by (membership, role,
department)), so running it again changes nothing, and rows edited on the pages are left alone.
Everything is derived from the tables in data.py without randomness: the same phone always belongs to
the same name, 工号 and roles, whether the small or the full set is loaded.

Other modules add their own demo records with ``register(loader)``; each loader gets a
``DemoContext`` and runs in the same transaction, after the foundation, and must be idempotent too.
"""

from . import (
    calendar,  # noqa: F401  (registers the demo holidays, terms and critical places)
    notifications,  # noqa: F401  (registers the demo inbox messages)
    parties,  # noqa: F401  (registers the demo outside parties and their licences)
)
from .data import DEMO_PASSWORD, FULL, ORGS, SIZES, SMALL, PlannedPerson
from .loader import DemoContext, DemoResult, key_logins, load_demo, plan, register

__all__ = [
    "DEMO_PASSWORD",
    "FULL",
    "ORGS",
    "SIZES",
    "SMALL",
    "DemoContext",
    "DemoResult",
    "PlannedPerson",
    "key_logins",
    "load_demo",
    "plan",
    "register",
]
