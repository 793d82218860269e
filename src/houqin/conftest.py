"""The shared base of every test: org A with one member per role, org B, and a bureau above A."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from django.db import connection

from houqin.core import orgcache
from houqin.core.choices import LocationKind, OrgKind, Role
from houqin.core.tests.browser_support import browser  # noqa: F401  (Debian's chromium, for every browser test)
from houqin.core.tests.factories import ORG_A_ROLES, make_department, make_location, make_member, make_org

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="pg_only: runs on PostgreSQL")
        for item in items:
            if "pg_only" in item.keywords:
                item.add_marker(skip)


@dataclass
class World:
    bureau: object
    org_a: object
    org_b: object
    dept_a: object  # 总务处 in org A
    dept_a_child: object  # 维修组 under it
    dept_a_other: object  # 语文组, a sibling
    dept_b: object
    building_a: object
    room_a: object
    building_b: object
    room_b: object
    members: dict = field(default_factory=dict)  # role -> membership in org A
    member_b: object = None  # org_admin of org B
    bureau_member: object = None  # bureau role in the bureau above A

    def member(self, role: str):
        return self.members[role]


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The rows of ``world``; test_isolation.py builds them once per module instead of once per test."""
    bureau = make_org("bureau", "青阳区教育局", OrgKind.BUREAU)
    org_a = make_org("org-a", "甲小学", OrgKind.SCHOOL, parent=bureau)
    org_b = make_org("org-b", "乙医院", OrgKind.HOSPITAL)
    dept_a = make_department(org_a, "总务处", "ZWC")
    dept_a_child = make_department(org_a, "维修组", "WXZ", parent=dept_a)
    dept_a_other = make_department(org_a, "语文组", "YWZ")
    dept_b = make_department(org_b, "后勤保障处", "HQ")
    campus_a = make_location(org_a, "本部", "A", LocationKind.CAMPUS)
    building_a = make_location(org_a, "教学楼", "A1", LocationKind.BUILDING, campus_a)
    floor_a = make_location(org_a, "一层", "A1-1", LocationKind.FLOOR, building_a)
    room_a = make_location(org_a, "101教室", "A1-101", LocationKind.ROOM, floor_a)
    building_b = make_location(org_b, "门诊楼", "B1", LocationKind.BUILDING)
    room_b = make_location(org_b, "手术室", "B1-OR", LocationKind.ROOM, building_b)
    members = {}
    for index, role in enumerate(ORG_A_ROLES):
        department = dept_a if role in (Role.DEPT_HEAD, Role.STAFF) else None
        members[role] = make_member(org_a, role, department=department, employee_no="A{:03d}".format(index))
    # A colleague in the dept head's department, and one outside it, so department scope is visible.
    members["colleague"] = make_member(org_a, Role.STAFF, department=dept_a_child, employee_no="A100")
    members["outsider"] = make_member(org_a, Role.STAFF, department=dept_a_other, employee_no="A101")
    member_b = make_member(org_b, Role.ORG_ADMIN, department=dept_b, employee_no="B001")
    bureau_member = make_member(bureau, Role.BUREAU, employee_no="J001")
    return World(
        bureau=bureau,
        org_a=org_a,
        org_b=org_b,
        dept_a=dept_a,
        dept_a_child=dept_a_child,
        dept_a_other=dept_a_other,
        dept_b=dept_b,
        building_a=building_a,
        room_a=room_a,
        building_b=building_b,
        room_b=room_b,
        members=members,
        member_b=member_b,
        bureau_member=bureau_member,
    )


@pytest.fixture(autouse=True)
def clean_org_cache(request):
    """Each test starts with nothing remembered about organisations (ids come back after a rollback). Only
    tests marked ``orgcache`` or ``browser`` remember anything: elsewhere a query count must not depend on
    what an earlier request left behind."""
    orgcache.clear()
    orgcache.enabled = any(request.node.get_closest_marker(name) for name in ("orgcache", "browser"))
    yield
    orgcache.enabled = True


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of each test go to its own temporary directory, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login(client):
    """``login(membership)`` logs the test client in as that membership's person and returns the client."""

    def _login(membership):
        client.force_login(membership.user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
        return client

    return _login
