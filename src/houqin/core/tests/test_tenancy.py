"""Fail-closed tenancy: scoped managers, same-org links, several orgs in one session, the switcher."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from houqin.core.choices import Role
from houqin.core.models import Department, Location, Membership, RoleGrant
from houqin.core.tenancy import OrgScopedModel, ScopeError, org_scope, scopes_disabled
from houqin.core.tests.factories import UserFactory, make_department, make_location, make_member


def _scoped_models():
    return [model for model in apps.get_models() if issubclass(model, OrgScopedModel)]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_domain_model_is_org_scoped_or_knowingly_not():
    scoped = {model._meta.label for model in _scoped_models()}
    # The foundation's org-owned models; a new org-owned model must subclass OrgScopedModel too.
    assert {"core.Department", "core.Location", "core.Membership", "core.RoleGrant"} <= scoped


@pytest.mark.parametrize("model", _scoped_models(), ids=lambda m: m._meta.label)
def test_scoped_manager_refuses_outside_a_scope(world, model):
    with pytest.raises(ScopeError):
        model.objects.count()
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


def test_scoped_manager_filters_to_the_active_org(world):
    with scopes_disabled():
        total = Department.objects.count()
        in_a = Department.objects.filter(org=world.org_a).count()
    assert total > in_a > 0
    with org_scope(world.org_a):
        assert Department.objects.count() == in_a
        assert set(Department.objects.values_list("org_id", flat=True)) == {world.org_a.pk}
        assert not Department.objects.filter(pk=world.dept_b.pk).exists()
        assert not Location.objects.filter(pk=world.room_b.pk).exists()
        assert not Membership.objects.filter(pk=world.member_b.pk).exists()
        assert not RoleGrant.objects.filter(membership=world.member_b).exists()
    with org_scope(world.org_b):
        assert set(Department.objects.values_list("pk", flat=True)) == {world.dept_b.pk}
    with org_scope([world.org_a, world.org_b]):
        assert Department.objects.count() == in_a + 1


def test_a_request_does_not_leave_its_scope_behind(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    assert client.get(reverse("core:department_list", args=["org-a"])).status_code == 200
    with pytest.raises(ScopeError):
        Department.objects.count()


def test_none_is_allowed_outside_a_scope():
    # Forms declare ``queryset=Model.objects.none()`` at import time; an empty queryset reveals nothing.
    assert list(Department.objects.none()) == []


def test_membership_refuses_a_department_of_another_org(world):
    with scopes_disabled():
        membership = Membership(org=world.org_a, user=UserFactory(), department=world.dept_b)
        with pytest.raises(ValidationError) as caught:
            membership.full_clean()
    assert "department" in caught.value.message_dict


def test_role_grant_refuses_a_membership_or_department_of_another_org(world):
    with scopes_disabled():
        grant = RoleGrant(org=world.org_a, membership=world.member_b, role=Role.STAFF)
        with pytest.raises(ValidationError) as caught:
            grant.full_clean()
        assert "membership" in caught.value.message_dict
        grant = RoleGrant(
            org=world.org_a, membership=world.member(Role.STAFF), role=Role.STAFF, department=world.dept_b
        )
        with pytest.raises(ValidationError) as caught:
            grant.full_clean()
        assert "department" in caught.value.message_dict


def test_location_refuses_a_parent_of_another_org(world):
    with scopes_disabled():
        location = Location(org=world.org_a, name="X", code="X-1", kind="room", parent=world.building_b)
        with pytest.raises(ValidationError) as caught:
            location.full_clean()
    assert "parent" in caught.value.message_dict


# One person, two organisations, one browser session -------------------------------------------


@pytest.fixture
def two_org_person(world):
    """A person who is org_admin in org A and org_admin in org B (one account, two memberships)."""
    membership_a = make_member(world.org_a, Role.ORG_ADMIN, employee_no="A900")
    make_member(world.org_b, Role.ORG_ADMIN, user=membership_a.user, employee_no="B900")
    make_department(world.org_b, "药剂科", "YJK")
    make_location(world.org_b, "住院楼", "B2", "building")
    return membership_a


def _department_ids(response) -> set[int]:
    return {row.pk for row in response.context["page"]["rows"]}


def _location_ids(response) -> set[int]:
    return {row.pk for row in response.context["page"]["rows"]}


def test_one_session_works_on_two_orgs_in_parallel(world, login, two_org_person):
    client = login(two_org_person)
    with scopes_disabled():
        departments = {
            code: set(Department.objects.filter(org__code=code).values_list("pk", flat=True))
            for code in ("org-a", "org-b")
        }
        locations = {
            code: set(Location.objects.filter(org__code=code).values_list("pk", flat=True))
            for code in ("org-a", "org-b")
        }
    assert departments["org-a"] and departments["org-b"] and not departments["org-a"] & departments["org-b"]

    # Two tabs: requests alternate between the orgs in the same session, each shows its own rows.
    for _round in range(2):
        for code in ("org-a", "org-b", "org-a", "org-b"):
            response = client.get(reverse("core:department_list", args=[code]))
            assert response.status_code == 200
            assert _department_ids(response) == departments[code]
            response = client.get(reverse("core:location_list", args=[code]))
            assert response.status_code == 200
            assert _location_ids(response) == locations[code]
            home = client.get(reverse("core:home", args=[code]))
            assert home.status_code == 200 and home.context["org"].code == code

    # A detail link always means the same record: org A's row is not found under org B's address.
    assert client.get(reverse("core:department_detail", args=["org-a", world.dept_a.pk])).status_code == 200
    assert client.get(reverse("core:department_detail", args=["org-b", world.dept_a.pk])).status_code == 404
    assert client.get(reverse("core:department_detail", args=["org-b", world.dept_b.pk])).status_code == 200
    assert client.get(reverse("core:department_detail", args=["org-a", world.dept_b.pk])).status_code == 404

    # Writes in alternating tabs land in the org of their own address.
    for code, dept_code in (("org-a", "TAB-A"), ("org-b", "TAB-B")):
        response = client.post(
            reverse("core:department_create", args=[code]), {"name": "Tab " + code, "code": dept_code, "kind": "office"}
        )
        assert response.status_code == 302
    with scopes_disabled():
        assert Department.objects.get(code="TAB-A").org == world.org_a
        assert Department.objects.get(code="TAB-B").org == world.org_b


def test_the_second_org_has_its_own_roles(world, login):
    """Roles belong to a membership: admin in A does not make the same person admin in B."""
    membership_a = make_member(world.org_a, Role.ORG_ADMIN, employee_no="A901")
    make_member(world.org_b, Role.STAFF, user=membership_a.user, employee_no="B901", department=world.dept_b)
    client = login(membership_a)
    assert client.get(reverse("core:department_create", args=["org-a"])).status_code == 200
    assert client.get(reverse("core:department_create", args=["org-b"])).status_code == 403
    assert client.get(reverse("core:security_log", args=["org-b"])).status_code == 403
    people_b = client.get(reverse("core:person_list", args=["org-b"]))
    assert {m.user_id for m in people_b.context["page"]["rows"]} == {membership_a.user_id}  # staff: own only


def _banner(html: str) -> str | None:
    """The text of the page's status banner (the bureau's read-only notice), if any."""
    match = re.search(r'<div class="alert[^"]*" role="status">(.*?)</div>', html, re.S)
    return match.group(1) if match else None


def _switcher_entries(html: str) -> dict[str, bool]:
    """org code -> shown read-only, read from the switcher page's links."""
    entries = {}
    for match in re.finditer(r'href="/o/([\w-]+)/"[^>]*>(.*?)</a>', html, re.S):
        entries[match.group(1)] = "badge" in match.group(2)
    return entries


def test_org_switcher_lists_both_orgs(world, login, two_org_person):
    client = _english(login(two_org_person))
    response = client.get(reverse("org_switcher"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _switcher_entries(html) == {"org-a": False, "org-b": False}
    assert world.org_a.name in html and world.org_b.name in html
    # The menu of every org page offers the other org too.
    page = client.get(reverse("core:home", args=["org-a"])).content.decode()
    assert 'data-testid="switch-org-org-b"' in page


def test_single_org_person_sees_only_their_org(world, login):
    client = login(world.member(Role.STAFF))
    assert _switcher_entries(client.get(reverse("org_switcher")).content.decode()) == {"org-a": False}


def test_bureau_sees_descendant_orgs_read_only(world, login):
    client = _english(login(world.bureau_member))
    html = client.get(reverse("org_switcher")).content.decode()
    entries = _switcher_entries(html)
    assert entries == {"bureau": False, "org-a": True}  # org B is not below the bureau
    assert "read-only" in html


@pytest.mark.parametrize(
    "url_name,args",
    [
        ("core:home", []),
        ("core:department_list", []),
        ("core:location_list", []),
        ("core:person_list", []),
        ("core:organization_detail", []),
    ],
)
def test_bureau_pages_carry_a_read_only_banner(world, login, url_name, args):
    client = _english(login(world.bureau_member))
    response = client.get(reverse(url_name, args=["org-a", *args]))
    assert response.status_code == 200
    html = response.content.decode()
    banner = _banner(html)
    assert banner is not None, "no read-only banner on " + url_name
    assert "read-only" in banner
    assert world.bureau.display_name in banner  # it names the bureau the view comes from
    # No write buttons for a read-only reader.
    assert reverse("core:department_create", args=["org-a"]) not in html
    assert reverse("core:person_create", args=["org-a"]) not in html
    assert reverse("core:location_create", args=["org-a"]) not in html


def test_members_pages_have_no_read_only_banner(world, login):
    client = _english(login(world.member(Role.ORG_ADMIN)))
    html = client.get(reverse("core:department_list", args=["org-a"])).content.decode()
    assert _banner(html) is None
