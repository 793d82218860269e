"""Every transition of a repair job, allowed and refused, by HTTP as the acting person.

The table is a literal: (state the job is in, action, who acts, what must happen). "ok" moves the job and
records an event; "state" is refused with a message naming the action and the state (nothing changes);
403 / 404 are refusals for the wrong role / a job the person cannot see.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import ERROR
from django.urls import reverse
from django.utils import translation

from houqin.core.choices import Role
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member
from houqin.core.workflow import events_for

from .. import services
from ..choices import JobState
from ..models import Job
from .factories import actor_of, advance, make_job

S = JobState
TARGET = {
    "dispatch": S.ASSIGNED,
    "reject": S.REJECTED,
    "accept": S.ACCEPTED,
    "start": S.IN_PROGRESS,
    "hold": S.ON_HOLD,
    "resume": S.IN_PROGRESS,
    "finish": S.FINISHED,
    "confirm": S.DONE,
    "reopen": S.ASSIGNED,
    "cancel": S.CANCELLED,
}

# (from-state, action, who, expected). Who: a role of org A, "other_technician" (not on the job),
# "outsider" (staff of another department: someone else's job), "bureau".
CASES = [
    # 派单 / 改派: the office
    (S.NEW, "dispatch", Role.DISPATCHER, "ok"),
    (S.NEW, "dispatch", Role.LOGISTICS_HEAD, "ok"),
    (S.ASSIGNED, "dispatch", Role.DISPATCHER, "ok"),
    (S.IN_PROGRESS, "dispatch", Role.DISPATCHER, "ok"),
    (S.ON_HOLD, "dispatch", Role.LOGISTICS_HEAD, "ok"),
    (S.FINISHED, "dispatch", Role.DISPATCHER, "state"),
    (S.DONE, "dispatch", Role.DISPATCHER, "state"),
    (S.CANCELLED, "dispatch", Role.DISPATCHER, "state"),
    (S.NEW, "dispatch", Role.STAFF, 403),  # the reporter sees the job, may not dispatch it
    (S.NEW, "dispatch", Role.DEPT_HEAD, 403),
    (S.NEW, "dispatch", Role.TECHNICIAN, 404),  # not on the job: cannot see it
    (S.ASSIGNED, "dispatch", Role.TECHNICIAN, 403),
    (S.NEW, "dispatch", Role.ORG_ADMIN, 403),
    (S.NEW, "dispatch", "bureau", 403),
    # 驳回
    (S.NEW, "reject", Role.DISPATCHER, "ok"),
    (S.ASSIGNED, "reject", Role.DISPATCHER, "state"),
    (S.NEW, "reject", Role.STAFF, 403),
    (S.NEW, "reject", "bureau", 403),
    # 接单
    (S.ASSIGNED, "accept", Role.TECHNICIAN, "ok"),
    (S.ASSIGNED, "accept", Role.DISPATCHER, "ok"),  # the office records it for a technician who phoned
    (S.ACCEPTED, "accept", Role.TECHNICIAN, "state"),
    (S.IN_PROGRESS, "accept", Role.TECHNICIAN, "state"),
    (S.NEW, "accept", Role.TECHNICIAN, 404),
    (S.ASSIGNED, "accept", "other_technician", 404),
    (S.ASSIGNED, "accept", Role.STAFF, 403),
    (S.ASSIGNED, "accept", "bureau", 403),
    # 开始维修
    (S.ASSIGNED, "start", Role.TECHNICIAN, "ok"),
    (S.ACCEPTED, "start", Role.TECHNICIAN, "ok"),
    (S.IN_PROGRESS, "start", Role.TECHNICIAN, "state"),
    (S.ON_HOLD, "start", Role.TECHNICIAN, "state"),
    (S.ACCEPTED, "start", "other_technician", 404),
    (S.ACCEPTED, "start", Role.STAFF, 403),
    # 挂起
    (S.ASSIGNED, "hold", Role.TECHNICIAN, "ok"),
    (S.ACCEPTED, "hold", Role.TECHNICIAN, "ok"),
    (S.IN_PROGRESS, "hold", Role.TECHNICIAN, "ok"),
    (S.IN_PROGRESS, "hold", Role.DISPATCHER, "ok"),
    (S.NEW, "hold", Role.DISPATCHER, "state"),
    (S.FINISHED, "hold", Role.TECHNICIAN, "state"),
    (S.IN_PROGRESS, "hold", Role.STAFF, 403),
    (S.IN_PROGRESS, "hold", "other_technician", 404),
    (S.IN_PROGRESS, "hold", "bureau", 403),
    # 恢复
    (S.ON_HOLD, "resume", Role.TECHNICIAN, "ok"),
    (S.IN_PROGRESS, "resume", Role.TECHNICIAN, "state"),
    (S.ON_HOLD, "resume", Role.STAFF, 403),
    (S.ON_HOLD, "resume", "other_technician", 404),
    # 完工
    (S.IN_PROGRESS, "finish", Role.TECHNICIAN, "ok"),
    (S.ACCEPTED, "finish", Role.TECHNICIAN, "ok"),
    (S.ASSIGNED, "finish", Role.TECHNICIAN, "state"),
    (S.ON_HOLD, "finish", Role.TECHNICIAN, "state"),
    (S.FINISHED, "finish", Role.TECHNICIAN, "state"),
    (S.IN_PROGRESS, "finish", Role.STAFF, 403),
    (S.IN_PROGRESS, "finish", Role.DEPT_HEAD, 403),
    (S.IN_PROGRESS, "finish", "other_technician", 404),
    (S.IN_PROGRESS, "finish", "bureau", 403),
    # 验收
    (S.FINISHED, "confirm", Role.STAFF, "ok"),
    (S.FINISHED, "confirm", Role.DEPT_HEAD, "ok"),  # the reporter's department head
    (S.FINISHED, "confirm", Role.DISPATCHER, "ok"),
    (S.IN_PROGRESS, "confirm", Role.STAFF, "state"),
    (S.DONE, "confirm", Role.STAFF, "state"),
    (S.FINISHED, "confirm", Role.TECHNICIAN, 403),  # nobody accepts their own work
    (S.FINISHED, "confirm", "outsider", 404),
    (S.FINISHED, "confirm", "bureau", 403),
    # 返修
    (S.FINISHED, "reopen", Role.STAFF, "ok"),
    (S.FINISHED, "reopen", Role.LOGISTICS_HEAD, "ok"),
    (S.DONE, "reopen", Role.STAFF, "state"),
    (S.IN_PROGRESS, "reopen", Role.STAFF, "state"),
    (S.FINISHED, "reopen", Role.TECHNICIAN, 403),
    (S.FINISHED, "reopen", "outsider", 404),
    # 取消 / 撤销
    (S.NEW, "cancel", Role.STAFF, "ok"),  # the reporter withdraws it
    (S.ASSIGNED, "cancel", Role.DISPATCHER, "ok"),
    (S.ACCEPTED, "cancel", Role.LOGISTICS_HEAD, "ok"),
    (S.ON_HOLD, "cancel", Role.DISPATCHER, "ok"),
    (S.IN_PROGRESS, "cancel", Role.DISPATCHER, "state"),
    (S.FINISHED, "cancel", Role.STAFF, "state"),
    (S.DONE, "cancel", Role.DISPATCHER, "state"),
    (S.NEW, "cancel", "outsider", 404),  # staff cancelling someone else's job
    (S.NEW, "cancel", "colleague", 404),
    (S.ASSIGNED, "cancel", Role.TECHNICIAN, 403),
    (S.NEW, "cancel", "bureau", 403),
]


def test_the_table_covers_every_transition_a_person_can_take():
    people_actions = {t.action for t in Job.WORKFLOW.transitions if t.source is not None} - {"auto_confirm"}
    assert {action for _state, action, _who, _expected in CASES} == people_actions
    for action in people_actions:
        expected = {expected for _state, a, _who, expected in CASES if a == action}
        assert "ok" in expected and "state" in expected, action
        assert expected & {403, 404}, action


def job_in(world, state: str) -> Job:
    job = make_job(world)
    if state == S.NEW:
        return job
    if state in (S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.FINISHED, S.DONE):
        return advance(world, job, state)
    office = actor_of(world.member(Role.DISPATCHER))
    with org_scope(world.org_a):
        if state == S.ON_HOLD:
            job = advance(world, job, S.IN_PROGRESS)
            services.job_hold(actor=actor_of(world.member(Role.TECHNICIAN)), job=job, reason="等配件")
        elif state == S.CANCELLED:
            services.job_cancel(actor=office, job=job, reason="重复报修")
        job.refresh_from_db()
    assert job.state == state
    return job


def _member(world, who):
    if who == "bureau":
        return world.bureau_member
    if who == "other_technician":
        return make_member(world.org_a, Role.TECHNICIAN, employee_no="A200")
    return world.member(who)


def _request(client, world, job, action):
    org = world.org_a.code
    if action == "dispatch":
        url = reverse("maintenance:job_dispatch", args=[org, job.pk])
        return client.post(url, {"technicians": [world.member(Role.TECHNICIAN).pk]})
    if action == "finish":
        url = reverse("maintenance:job_finish", args=[org, job.pk])
        return client.post(url, {"work_done": "更换开关", "cause": "aging", "labour_hours": "1"})
    if action == "confirm":
        return client.post(reverse("maintenance:job_confirm", args=[org, job.pk]), {"rating": "4"})
    url = reverse("maintenance:job_action", args=[org, job.pk, action])
    return client.post(url, {"note": "原因说明"})


def _events(job):
    with scopes_disabled():
        return list(events_for(job).values_list("action", "to_state"))


@pytest.mark.parametrize(
    "state,action,who,expected",
    CASES,
    ids=["{}-{}-{}-{}".format(s, a, w, e) for s, a, w, e in CASES],
)
def test_transition_by_http(world, login, state, action, who, expected):
    job = job_in(world, state)
    client = login(_member(world, who))
    before = _events(job)
    response = _request(client, world, job, action)
    with scopes_disabled():
        job.refresh_from_db()
    after = _events(job)
    if expected == "ok":
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == reverse("maintenance:job_detail", args=[world.org_a.code, job.pk])
        assert job.state == TARGET[action]
        assert after[len(before) :] == [(action, TARGET[action])]
        return
    assert job.state == state, "refused, yet the job moved"
    assert after == before
    if expected == "state":
        assert response.status_code == 302
        page = client.get(response["Location"])
        errors = [str(m) for m in page.context["messages"] if m.level == ERROR]
        with translation.override(settings.LANGUAGE_CODE):
            label, state_label = Job.WORKFLOW.action_label(action), Job.WORKFLOW.state_label(state)
        assert len(errors) == 1 and label in errors[0] and state_label in errors[0], errors
    else:
        assert response.status_code == expected


def test_no_page_applies_the_automatic_confirmation(world, login):
    """auto_confirm is the tick job's alone: no route takes it, and confirming by hand records "confirm"."""
    job = job_in(world, S.FINISHED)
    client = login(world.member(Role.DISPATCHER))
    url = reverse("maintenance:job_action", args=[world.org_a.code, job.pk, "auto_confirm"])
    assert client.post(url, {"note": "x"}).status_code == 404
    assert client.get(url).status_code == 404
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == S.FINISHED
    client.post(reverse("maintenance:job_confirm", args=[world.org_a.code, job.pk]), {"rating": "5"})
    with scopes_disabled():
        job.refresh_from_db()
        assert job.state == S.DONE and not job.auto_confirmed
        assert not WorkflowEvent.objects.filter(object_id=job.pk, action="auto_confirm").exists()


def test_one_tap_moves_refuse_get(world, login):
    job = job_in(world, S.ASSIGNED)
    client = login(world.member(Role.TECHNICIAN))
    response = client.get(reverse("maintenance:job_action", args=[world.org_a.code, job.pk, "accept"]))
    assert response.status_code == 405
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == S.ASSIGNED


def test_a_move_that_needs_a_reason_shows_its_form_and_refuses_an_empty_one(world, login):
    job = job_in(world, S.IN_PROGRESS)
    client = login(world.member(Role.TECHNICIAN))
    url = reverse("maintenance:job_action", args=[world.org_a.code, job.pk, "hold"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "  "})
    assert response.status_code == 200
    assert 'data-field-error="note"' in response.content.decode()
    with scopes_disabled():
        job.refresh_from_db()
    assert job.state == S.IN_PROGRESS
