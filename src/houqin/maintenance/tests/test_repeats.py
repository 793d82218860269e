"""The stored repeat flag (Job.is_repeat) stays equal to its rule — an earlier job, not rejected or cancelled, at
the same place and category within 30 days — as jobs are reported, rejected, cancelled and recategorised."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Exists, OuterRef

from houqin.core.choices import Role
from houqin.core.tenancy import org_scope

from .. import services
from ..models import Job
from ..services.repeats import is_repeat, refresh_all
from .factories import actor_of, make_job

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)


def _rule() -> dict[int, bool]:
    """Each job's flag by the rule itself, as the job list's filter once computed it."""
    earlier = Job.objects.filter(
        location=OuterRef("location"),
        category=OuterRef("category"),
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=OuterRef("reported_at") - timedelta(days=30),
    ).exclude(state__in=("rejected", "cancelled"))
    return dict(Job.objects.annotate(rule=Exists(earlier)).values_list("pk", "rule"))


def _stored() -> dict[int, bool]:
    return dict(Job.objects.values_list("pk", "is_repeat"))


def _report(world, days: int, category: str = "water", location=None) -> Job:
    with time_machine.travel(DAY0 + timedelta(days=days), tick=False):
        return make_job(world, category=category, location=location)


@pytest.fixture
def office(world):
    return actor_of(world.member(Role.DISPATCHER))


def _check(world, expected: dict[Job, bool]) -> None:
    with org_scope(world.org_a):
        stored = _stored()
        assert stored == _rule()
    assert {job.pk: stored[job.pk] for job in expected} == {job.pk: flag for job, flag in expected.items()}


def test_the_stored_flag_follows_the_rule_through_a_jobs_life(world, office):
    first = _report(world, 0)
    inside = _report(world, 10)  # 10 days after the first
    outside = _report(world, 45)  # 35 days after the last one: not a repeat
    electric = _report(world, 50, category="electric")  # another category at the same place
    after_outside = _report(world, 52)  # 7 days after `outside`
    elsewhere = _report(world, 53, location=world.building_a)  # another place
    electric_after = _report(world, 55, category="electric")  # 5 days after `electric`
    _check(
        world,
        {
            first: False,
            inside: True,
            outside: False,
            electric: False,
            after_outside: True,
            elsewhere: False,
            electric_after: True,
        },
    )

    with org_scope(world.org_a):
        services.job_reject(actor=office, job=outside, reason="重复报修")
    # `after_outside` had only the rejected job within 30 days (`inside` was 42 days before).
    _check(world, {outside: False, after_outside: False})

    later = _report(world, 60)  # 8 days after `after_outside`, which is still open
    _check(world, {later: True})
    with org_scope(world.org_a):
        services.job_cancel(actor=office, job=after_outside, reason="报错了")
    # Within 30 days before `later`: one rejected, one cancelled.
    _check(world, {later: False})

    with org_scope(world.org_a):
        services.job_update(actor=office, job=electric, category="water")
    # Now a water job 5 days after the rejected one: no repeat itself, but the cause of the water jobs after it;
    # and the electric job after it lost its cause.
    _check(world, {electric: False, after_outside: True, later: True, electric_after: False})


def test_is_repeat_answers_for_a_job_not_made_yet(world, office):
    first = _report(world, 0)
    with org_scope(world.org_a):
        place = world.room_a.pk
        assert is_repeat(world.org_a, place, "water", DAY0 + timedelta(days=30))  # exactly 30 days: a repeat
        assert not is_repeat(world.org_a, place, "water", DAY0 + timedelta(days=30, seconds=1))
        assert not is_repeat(world.org_a, place, "water", DAY0)  # the same moment is not earlier
        assert not is_repeat(world.org_a, place, "electric", DAY0 + timedelta(days=1))
        assert not is_repeat(world.org_a, world.building_a.pk, "water", DAY0 + timedelta(days=1))
        services.job_cancel(actor=office, job=first, reason="报错了")
        assert not is_repeat(world.org_a, place, "water", DAY0 + timedelta(days=1))


def test_refresh_all_sets_every_flag_of_the_org(world):
    for days in (0, 3, 40, 41, 90):
        _report(world, days)
    with org_scope(world.org_a):
        right = _rule()
        Job.objects.update(is_repeat=False)
        assert refresh_all(world.org_a) == sum(right.values())  # only the flags that change are written
        assert _stored() == right == dict(zip(sorted(right), [False, True, False, True, False], strict=True))
