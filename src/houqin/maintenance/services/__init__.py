"""Every write of the maintenance module (one module per kind of record); tick jobs live beside their writes."""

from .incidents import *  # noqa: F403
from .jobs import *  # noqa: F403
from .patrols import *  # noqa: F403
from .plans import *  # noqa: F403
from .public import *  # noqa: F403
