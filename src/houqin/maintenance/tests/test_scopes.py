"""Who sees which repair jobs, by real HTTP requests on the job list, its export and the job page.

The expected sets are literals here, not read from the permission table they check.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from houqin.core.choices import Role
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import make_member

from .. import services
from .factories import actor_of, advance, make_job


@pytest.fixture
def jobs(world):
    """Three jobs of org A:
    - "staff": reported by the staff member (总务处), on the technician;
    - "colleague": reported by a colleague in 维修组 (under 总务处), on a second technician;
    - "outsider": reported by a teacher of 语文组, dispatched to the technician and then reassigned away from them.
    """
    world.tech2 = make_member(world.org_a, Role.TECHNICIAN, employee_no="A200")
    staff = advance(world, make_job(world, description="水龙头漏水"), "assigned")
    colleague = make_job(world, reporter=world.member("colleague"), description="维修间灯不亮")
    outsider = make_job(world, reporter=world.member("outsider"), description="黑板松动")
    office = actor_of(world.member(Role.DISPATCHER))
    with org_scope(world.org_a):
        services.job_dispatch(actor=office, job=colleague, technicians=[world.tech2])
        services.job_dispatch(actor=office, job=outsider, technicians=[world.member(Role.TECHNICIAN)])
        outsider.refresh_from_db()
        services.job_dispatch(actor=office, job=outsider, technicians=[world.tech2])  # 改派: taken off
    return {"staff": staff, "colleague": colleague, "outsider": outsider}


ALL = {"staff", "colleague", "outsider"}
# who → the jobs they see (literal expectations)
EXPECTED = [
    (Role.STAFF, {"staff"}),
    ("colleague", {"colleague"}),
    ("outsider", {"outsider"}),
    (Role.TECHNICIAN, {"staff"}),  # not the colleague's job (another technician), not the one taken off
    ("tech2", {"colleague", "outsider"}),
    (Role.DEPT_HEAD, {"staff", "colleague"}),  # 总务处 and 维修组 below it, not 语文组
    (Role.LEADER, ALL),
    (Role.LOGISTICS_HEAD, ALL),
    (Role.DISPATCHER, ALL),
    (Role.FINANCE, ALL),
    (Role.ORG_ADMIN, ALL),
    (Role.SECURITY, set()),  # reported nothing
    ("bureau", ALL),  # reads the organisations below it
]


def _member(world, who):
    if who == "bureau":
        return world.bureau_member
    if who == "tech2":
        return world.tech2
    return world.member(who)


def _listed_codes(response) -> set[str]:
    return set(re.findall(r'data-testid="job-row" data-code="([^"]+)"', response.content.decode()))


def _exported_codes(response) -> set[str]:
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(("who", "expected"), EXPECTED, ids=[str(who) for who, _e in EXPECTED])
def test_each_person_lists_exports_and_opens_exactly_their_jobs(world, login, jobs, who, expected):
    client = login(_member(world, who))
    codes = {name: job.code for name, job in jobs.items()}
    wanted = {codes[name] for name in expected}

    response = client.get(reverse("maintenance:job_list", args=["org-a"]))
    assert response.status_code == 200
    assert _listed_codes(response) == wanted

    response = client.get(reverse("maintenance:job_export", args=["org-a"]))
    assert response.status_code == 200
    assert _exported_codes(response) == wanted

    for name, job in jobs.items():
        response = client.get(reverse("maintenance:job_detail", args=["org-a", job.pk]))
        assert response.status_code == (200 if name in expected else 404), (who, name)


def test_staff_see_their_reports_as_my_repair_reports(world, login, jobs):
    response = login(world.member(Role.STAFF)).get(reverse("maintenance:job_list", args=["org-a"]))
    assert "我的报修" in response.content.decode() or "My repair reports" in response.content.decode()


@pytest.mark.parametrize("name", ["board", "my_jobs", "job_list", "job_export"])
def test_the_bureau_cannot_post_to_any_list(world, login, jobs, name):
    client = login(world.bureau_member)
    response = client.post(reverse("maintenance:" + name, args=["org-a"]), {})
    assert response.status_code == 403


def test_the_bureau_cannot_post_to_a_job(world, login, jobs):
    response = login(world.bureau_member).post(reverse("maintenance:job_detail", args=["org-a", jobs["staff"].pk]))
    assert response.status_code in (403, 405)


@pytest.mark.parametrize("name", ["board", "my_jobs"])
def test_the_bureau_has_no_board_and_no_technician_list(world, login, jobs, name):
    assert login(world.bureau_member).get(reverse("maintenance:" + name, args=["org-a"])).status_code == 403


def test_org_b_admin_reaches_nothing_of_org_a(world, login, jobs):
    client = login(world.member_b)
    for name in ("board", "my_jobs", "job_list", "job_export"):
        assert client.get(reverse("maintenance:" + name, args=["org-a"])).status_code == 404
    for job in jobs.values():
        assert client.get(reverse("maintenance:job_detail", args=["org-a", job.pk])).status_code == 404
        # Its own organisation's address with an org-A id: nothing either.
        assert client.get(reverse("maintenance:job_detail", args=["org-b", job.pk])).status_code == 404
    own = client.get(reverse("maintenance:job_list", args=["org-b"]))
    assert own.status_code == 200 and _listed_codes(own) == set()
    assert _exported_codes(client.get(reverse("maintenance:job_export", args=["org-b"]))) == set()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DISPATCHER, 200),
        (Role.LOGISTICS_HEAD, 200),
        (Role.TECHNICIAN, 403),
        (Role.STAFF, 403),
        (Role.LEADER, 403),
    ],
)
def test_only_the_office_opens_the_board(world, login, role, status):
    assert login(world.member(role)).get(reverse("maintenance:board", args=["org-a"])).status_code == status


@pytest.mark.parametrize(("role", "status"), [(Role.TECHNICIAN, 200), (Role.DISPATCHER, 200), (Role.STAFF, 403)])
def test_the_technician_list_needs_the_work_action(world, login, role, status):
    assert login(world.member(role)).get(reverse("maintenance:my_jobs", args=["org-a"])).status_code == status
