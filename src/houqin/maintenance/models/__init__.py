"""The models of maintenance, one module per kind of record."""

from .incidents import Incident  # noqa: F401
from .jobs import Job, JobAssignment, JobPart  # noqa: F401
from .patrols import Checkpoint, CheckpointVisit, PatrolRound, PatrolRoute  # noqa: F401
from .plans import MaintenancePlan  # noqa: F401
from .public import PublicReportPlace  # noqa: F401
