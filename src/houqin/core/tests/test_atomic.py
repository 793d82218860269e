"""Bad input and atomic writes: a failure in the last step of a write leaves no row changed, and form
errors are shown next to their field in the person's language."""

from __future__ import annotations

import re

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from houqin.core import services
from houqin.core.choices import LocationKind, Role
from houqin.core.models import Department, Location, Membership, Organization, RoleGrant, SecurityEvent, User
from houqin.core.tenancy import scopes_disabled
from houqin.core.tests.factories import make_location

MODELS = [Organization, Department, Location, Membership, RoleGrant, User]


class LastStepFailed(Exception):
    """Raised by a test in place of a crash (database error, lost connection) at the end of a write."""


def _state() -> dict:
    """Every row of the foundation's tables plus the size of their history, to compare before and after."""
    with scopes_disabled():
        state = {}
        for model in MODELS:
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login",)]
            state[model.__name__] = list(model._base_manager.order_by("pk").values_list(*fields))
            state[model.__name__ + ".history"] = model.history.count()
        state["SecurityEvent"] = SecurityEvent.objects.count()
    return state


def _fail_after(monkeypatch, owner, name: str, *, when=lambda *a, **kw: True):
    """Replace ``owner.name`` so that it does its real work and then raises (when ``when`` says so):
    the write has reached the database when the failure comes, so only a rollback can undo it."""
    original = getattr(owner, name)
    calls = []

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append((args, kwargs))
        if when(*args, **kwargs):
            raise LastStepFailed(name)
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.fixture
def admin_client(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    client.raise_request_exception = False  # see the 500 the person would see
    return client


def _assert_failed(response, calls):
    assert calls, "the patched last step was never reached, so this test proves nothing"
    assert response.status_code == 500


def test_department_create_rolls_back(world, admin_client, monkeypatch):
    before = _state()
    calls = _fail_after(monkeypatch, Department, "tree_save")
    response = admin_client.post(
        reverse("core:department_create", args=["org-a"]),
        {"name": "安保处", "code": "BWC", "kind": "office", "parent": world.dept_a.pk},
    )
    _assert_failed(response, calls)
    assert _state() == before


def test_location_create_rolls_back(world, admin_client, monkeypatch):
    before = _state()
    # The last step of location_create stores the path and the building, after the row exists.
    calls = _fail_after(
        monkeypatch, Location, "save", when=lambda self, *a, **kw: hasattr(self, "skip_history_when_saving")
    )
    floor = world.room_a.parent
    response = admin_client.post(
        reverse("core:location_create", args=["org-a"]),
        {"name": "102教室", "code": "A1-102", "kind": LocationKind.ROOM, "parent": floor.pk},
    )
    _assert_failed(response, calls)
    assert _state() == before


def _floor_form(floor, *, parent) -> dict:
    return {"name": floor.name, "code": floor.code, "kind": LocationKind.FLOOR, "parent": parent.pk, "is_active": "on"}


def test_location_move_rolls_back(world, admin_client, monkeypatch):
    """Moving a floor to another building rewrites the floor, its rooms' paths and their building;
    a failure in the last of those steps leaves the whole tree where it was."""
    floor = world.room_a.parent
    make_location(world.org_a, "102教室", "A1-102", LocationKind.ROOM, floor)
    other_building = make_location(world.org_a, "实验楼", "A2", LocationKind.BUILDING, world.building_a.parent)
    before = _state()
    with scopes_disabled():
        rooms = Location.objects.filter(parent=floor).count()
    assert rooms == 2
    # The last step rewrites the rooms' building in one UPDATE, after the floor and the paths moved.
    calls = _fail_after(
        monkeypatch, QuerySet, "update", when=lambda qs, **kw: qs.model is Location and "building" in kw
    )
    response = admin_client.post(
        reverse("core:location_edit", args=["org-a", floor.pk]),
        {
            "name": floor.name,
            "code": floor.code,
            "kind": LocationKind.FLOOR,
            "parent": other_building.pk,
            "is_active": "on",
        },
    )
    _assert_failed(response, calls)
    assert _state() == before
    with scopes_disabled():
        floor.refresh_from_db()
        assert floor.parent_id == world.building_a.pk
        assert set(Location.objects.filter(parent=floor).values_list("building_id", flat=True)) == {world.building_a.pk}


def test_location_move_really_moves_without_the_failure(world, admin_client):
    """The control for the test above: the same request without the failure moves the subtree."""
    floor = world.room_a.parent
    other_building = make_location(world.org_a, "实验楼", "A2", LocationKind.BUILDING, world.building_a.parent)
    response = admin_client.post(
        reverse("core:location_edit", args=["org-a", floor.pk]),
        {
            "name": floor.name,
            "code": floor.code,
            "kind": LocationKind.FLOOR,
            "parent": other_building.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        world.room_a.refresh_from_db()
    assert world.room_a.building_id == other_building.pk
    assert world.room_a.path.startswith(other_building.path)


def test_person_create_rolls_back(world, admin_client, monkeypatch):
    before = _state()
    # The last step of creating an account is the security log entry for its one-time password.
    calls = _fail_after(monkeypatch, services, "security_event_record")
    response = admin_client.post(
        reverse("core:person_create", args=["org-a"]),
        {"name": "新同事", "phone": "13811112222", "employee_no": "A500", "roles": [Role.STAFF, Role.TECHNICIAN]},
    )
    _assert_failed(response, calls)
    assert _state() == before
    assert not User.objects.filter(phone="13811112222").exists()


def test_person_set_roles_rolls_back(world, admin_client, monkeypatch):
    staff = world.member(Role.STAFF)
    before = _state()
    # Revoking staff happens first, granting the new roles last; the last grant fails.
    wanted = [Role.DISPATCHER, Role.TECHNICIAN]
    granted = []

    def last_grant(self, *args, **kwargs):
        granted.append(self.role)
        return len(granted) == len(wanted)

    calls = _fail_after(monkeypatch, RoleGrant, "save", when=last_grant)
    data = {
        "roles-TOTAL_FORMS": "3",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": Role.STAFF,
        "roles-0-DELETE": "on",
        "roles-1-role": wanted[0],
        "roles-2-role": wanted[1],
    }
    response = admin_client.post(reverse("core:person_roles", args=["org-a", staff.pk]), data)
    _assert_failed(response, calls)
    assert _state() == before
    with scopes_disabled():
        assert list(RoleGrant.objects.filter(membership=staff).values_list("role", flat=True)) == [Role.STAFF]


# Field-level errors ----------------------------------------------------------------------------


def _field_errors(html: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, text in re.findall(r'data-field-error="([^"]+)">([^<]*)<', html):
        errors.setdefault(name, []).append(text.strip())
    return errors


def _in_english(client):
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code in (200, 302)
    return client


def test_duplicate_department_code_is_shown_next_to_the_code(world, login):
    client = _in_english(login(world.member(Role.ORG_ADMIN)))
    before = _state()
    response = client.post(
        reverse("core:department_create", args=["org-a"]), {"name": "另一个总务处", "code": "ZWC", "kind": "office"}
    )
    assert response.status_code == 200
    errors = _field_errors(response.content.decode())
    assert list(errors) == ["code"], errors
    assert "already exists" in errors["code"][0]
    assert _state() == before


def test_the_same_code_is_free_in_another_org(world, login):
    """Codes are unique per organisation, not across organisations."""
    client = login(world.member(Role.ORG_ADMIN))
    response = client.post(
        reverse("core:department_create", args=["org-a"]), {"name": "后勤保障处", "code": "HQ", "kind": "office"}
    )
    assert response.status_code == 302


def test_duplicate_location_code_is_shown_next_to_the_code(world, login):
    client = _in_english(login(world.member(Role.ORG_ADMIN)))
    before = _state()
    response = client.post(
        reverse("core:location_create", args=["org-a"]),
        {"name": "另一个101", "code": world.room_a.code, "kind": LocationKind.ROOM, "parent": world.room_a.parent_id},
    )
    assert response.status_code == 200
    errors = _field_errors(response.content.decode())
    assert list(errors) == ["code"], errors
    assert _state() == before


def test_bad_phone_is_shown_next_to_the_phone_in_english(world, login):
    client = _in_english(login(world.member(Role.ORG_ADMIN)))
    before = _state()
    response = client.post(
        reverse("core:person_create", args=["org-a"]), {"name": "新同事", "phone": "12345", "roles": [Role.STAFF]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = _field_errors(html)
    assert list(errors) == ["phone"], errors
    assert errors["phone"] == ["Enter an 11-digit mainland mobile number."]
    assert 'aria-invalid="true"' in html
    assert _state() == before


def test_duplicate_employee_number_is_shown_next_to_it(world, login):
    client = _in_english(login(world.member(Role.ORG_ADMIN)))
    before = _state()
    taken = world.member(Role.STAFF).employee_no
    response = client.post(
        reverse("core:person_create", args=["org-a"]),
        {"name": "新同事", "phone": "13811113333", "employee_no": taken, "roles": [Role.STAFF]},
    )
    assert response.status_code == 200
    errors = _field_errors(response.content.decode())
    assert list(errors) == ["employee_no"], errors
    assert "Constraint" not in errors["employee_no"][0]  # a sentence for people, not a database constraint name
    assert _state() == before


def test_errors_follow_the_default_language_without_a_choice(world, login):
    """Without a language choice the page uses the default (zh-hans): the error is not the English msgid
    once the catalogue translates it, and it is always next to the field."""
    client = login(world.member(Role.ORG_ADMIN))
    response = client.post(
        reverse("core:person_create", args=["org-a"]), {"name": "新同事", "phone": "12345", "roles": [Role.STAFF]}
    )
    assert response.headers["Content-Language"] == "zh-hans"
    assert list(_field_errors(response.content.decode())) == ["phone"]


# The API answers bad input the same way ----------------------------------------------------------


def test_api_returns_field_errors_in_the_users_language(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    before = _state()
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.post(
        reverse("api_department-list", kwargs={"org_code": "org-a"}),
        {"name": "另一个总务处", "code": "ZWC", "kind": "office"},
        content_type="application/json",
        **english,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["code"] and "already exists" in response.json()["code"][0]
    response = client.post(
        reverse("api_membership-list", kwargs={"org_code": "org-a"}),
        {"name": "新同事", "phone": "12345"},
        content_type="application/json",
        **english,
    )
    assert response.status_code == 400
    assert response.json() == {"phone": ["Enter an 11-digit mainland mobile number."]}
    assert _state() == before


def test_api_write_failing_in_its_last_step_rolls_back(world, login, monkeypatch):
    client = login(world.member(Role.ORG_ADMIN))
    client.raise_request_exception = False
    before = _state()
    calls = _fail_after(monkeypatch, services, "security_event_record")
    response = client.post(
        reverse("api_membership-list", kwargs={"org_code": "org-a"}),
        {"name": "新同事", "phone": "13811112222", "roles": [{"role": Role.STAFF}, {"role": Role.TECHNICIAN}]},
        content_type="application/json",
    )
    _assert_failed(response, calls)
    assert _state() == before
