"""The happy path of a job through the services, with its numbers, targets, costs and events."""

from decimal import Decimal

from houqin.core.tenancy import org_scope
from houqin.core.workflow import events_for

from ..choices import JobState
from .factories import advance, make_job


def test_a_job_goes_from_report_to_rated_completion(world):
    job = advance(world, make_job(world), "done")
    assert job.state == JobState.DONE
    assert job.code.startswith("BX-")
    assert job.department == world.dept_a  # the staff member's department is charged
    assert job.completion_due > job.reported_at
    # 1 part at 25.00 + 1.5 h at the default 60.00 per hour
    assert (job.parts_cost, job.labour_cost, job.total_cost) == (Decimal("25.00"), Decimal("90.00"), Decimal("115.00"))
    assert job.rating == 5
    with org_scope(world.org_a):
        actions = [event.action for event in events_for(job)]
    assert actions == ["report", "dispatch", "accept", "start", "finish", "confirm"]
