"""``houqin demo`` (small set only: tests never load the full demo) and ``houqin demo_logins``."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from houqin.core import demo
from houqin.core.access import build_actor
from houqin.core.auth import PhoneOrEmployeeNoBackend
from houqin.core.choices import LocationKind, Role
from houqin.core.models import Department, Location, Membership, Organization, RoleGrant, User
from houqin.core.permissions import PERSON_VIEW, restrict
from houqin.core.tenancy import scopes_disabled

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    """Rows in every table: each model's (history, auth, axes, sessions, m2m tables included) and any other."""
    counts = {}
    with scopes_disabled():
        for model in apps.get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._base_manager.count()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table not in counts:
                cursor.execute("SELECT COUNT(*) FROM {}".format(connection.ops.quote_name(table)))
                counts[table] = cursor.fetchone()[0]
    return counts


def test_running_the_demo_twice_leaves_every_table_unchanged():
    call_command("demo", size="small", stdout=StringIO())
    first = _row_counts()
    assert first["core_user"] > 0 and first["core_historicallocation"] > 0
    out = StringIO()
    with translation.override("en"):  # asserting on the English msgid; the zh_Hans text comes later
        call_command("demo", size="small", stdout=out)
    assert _row_counts() == first
    assert "nothing changed" in out.getvalue()


def test_it_refuses_to_run_without_debug():
    with (
        override_settings(DEBUG=False, TESTING=False),
        translation.override("en"),
        pytest.raises(CommandError, match="for development only"),
    ):
        call_command("demo", size="small", stdout=StringIO())
    assert not Organization.objects.filter(code="qyzx").exists()


def test_small_demo_has_every_role_and_the_org_tree():
    call_command("demo", size="small", stdout=StringIO())
    orgs = {org.code: org for org in Organization.objects.all()}
    assert orgs["qyzx"].parent == orgs["qyjyj"]
    assert orgs["qyzx-yey"].parent == orgs["qyzx"]
    assert orgs["qyxrmyy"].parent == orgs["qywjw"]
    assert orgs["qyzx-yey"].path.startswith(orgs["qyjyj"].path)
    with scopes_disabled():
        for code in ("qyzx", "qyzx-yey", "qyxrmyy"):
            roles = set(RoleGrant.objects.filter(org=orgs[code]).values_list("role", flat=True))
            assert roles == set(Role.values) - {Role.BUREAU}, code
        assert RoleGrant.objects.filter(org=orgs["qyjyj"], role=Role.BUREAU).exists()
        # Few people: the small set keeps one person per role.
        assert Membership.objects.filter(org=orgs["qyzx"]).count() == len(Role.values) - 1


def test_demo_rows_are_valid_and_trees_are_consistent():
    call_command("demo", size="small", stdout=StringIO())
    with scopes_disabled():
        for org in Organization.objects.all():
            org.full_clean()
        for model in (Department, Location, Membership, RoleGrant):
            for row in model.objects.all():
                row.full_clean()
        for model in (Organization, Department, Location):
            for node in model._base_manager.select_related("parent"):
                expected = (node.parent.path if node.parent_id else "") + node.path[-7:]
                assert node.path == expected and node.depth == node.path.count("/")
                assert node.history.count() == 1
        for location in Location.objects.select_related("parent"):
            if location.kind == LocationKind.BUILDING:
                assert location.building_id == location.pk
            elif location.parent_id:
                assert location.building_id == location.parent.building_id
        room = Location.objects.get(org__code="qyzx", code="JX-A-101")
        assert room.building.code == "JX-A" and room.kind == LocationKind.ROOM


def test_the_key_demo_login_works_with_phone_and_employee_number():
    call_command("demo", size="small", stdout=StringIO())
    backend = PhoneOrEmployeeNoBackend()
    user = backend.authenticate(None, username="13800000001", password=demo.DEMO_PASSWORD)
    assert user is not None and user.name == "王建国" and not user.must_change_password
    assert backend.authenticate(None, username="T0001", password=demo.DEMO_PASSWORD) == user
    assert backend.authenticate(None, username="13800000001", password="wrong-pass-1") is None
    # The same person runs the kindergarten's logistics too: two organisations in the switcher.
    with scopes_disabled():
        assert set(Membership.objects.filter(user=user).values_list("org__code", flat=True)) == {"qyzx", "qyzx-yey"}
    assert not User.objects.filter(must_change_password=True).exists()


def test_the_key_demo_login_works_on_the_login_page(client):
    call_command("demo", size="small", stdout=StringIO())
    response = client.post(reverse("login"), {"username": "13800000001", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:home", args=["qyzx"])).status_code == 200


def test_department_heads_see_their_department_only():
    call_command("demo", size="small", stdout=StringIO())
    school = Organization.objects.get(code="qyzx")
    head = User.objects.get(phone="13800000011")
    actor = build_actor(head, school)
    with scopes_disabled():
        visible = set(restrict(Membership.objects.all(), actor, PERSON_VIEW).values_list("user__phone", flat=True))
    assert visible == {"13800000011", "13800000012"}  # 一年级组: the head and the Chinese teacher


def test_bureau_user_reads_the_school_and_kindergarten_but_not_the_hospital():
    call_command("demo", size="small", stdout=StringIO())
    bureau_user = User.objects.get(phone="13800009001")
    orgs = {org.code: org for org in Organization.objects.all()}
    assert build_actor(bureau_user, orgs["qyzx"]).via_bureau
    assert build_actor(bureau_user, orgs["qyzx-yey"]).via_bureau
    assert build_actor(bureau_user, orgs["qyxrmyy"]) is None


def test_small_then_full_plans_agree_on_who_is_who():
    small = {p.phone: p for _spec, people in demo.plan(demo.SMALL) for p in people}
    full = {(p.org_code, p.phone): p for _spec, people in demo.plan(demo.FULL) for p in people}
    for phone, person in small.items():
        assert full[(person.org_code, phone)] == person
    assert demo.plan(demo.FULL) == demo.plan(demo.FULL)
    phones = [p.phone for _spec, people in demo.plan(demo.FULL) for p in people]
    assert len(set(phones)) == len(phones) - 1  # 王建国 is in two organisations
    for spec, people in demo.plan(demo.FULL):
        assert len({p.employee_no for p in people}) == len(people)
        if spec.kind != "bureau":
            assert 35 <= len(people) <= 50, spec.code


def test_registered_loaders_run_with_the_context(monkeypatch):
    seen = []
    monkeypatch.setattr(demo.loader, "LOADERS", [])
    demo.register(seen.append)
    call_command("demo", size="small", stdout=StringIO())
    ctx = seen[0]
    assert ctx.size == demo.SMALL and ctx.orgs["qyzx"].code == "qyzx"
    assert [m.user.phone for m in ctx.members_with_role("qyzx", Role.LOGISTICS_HEAD)] == ["13800000001"]
    assert ctx.locations[("qyzx", "JX-A")].kind == LocationKind.BUILDING


def test_demo_logins_prints_the_key_logins():
    out = StringIO()
    with translation.override("en"):
        call_command("demo_logins", stdout=out)
    assert "No demo logins found" in out.getvalue()
    call_command("demo", size="small", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for expected in (
        "王建国",
        "13800000001",
        "T0001",
        demo.DEMO_PASSWORD,
        "青阳中心小学",
        "附属幼儿园",
        "13800002001",
        "13800009001",
    ):
        assert expected in text
    assert text.count("13800000001") == 2  # the school and the kindergarten
    lines = [line for line in text.splitlines() if "138000" in line]
    assert len(lines) == len(demo.key_logins())
