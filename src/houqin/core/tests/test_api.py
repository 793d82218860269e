"""The REST API under /api/v1/o/<org_code>/: authentication, scoping, writes through services, errors,
constant query counts, cursor pages and the OpenAPI schema."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema

from houqin.core import services
from houqin.core.choices import LocationKind, Role
from houqin.core.models import Department, Location, Membership, RoleGrant, User
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import PASSWORD, make_department, make_location, make_member

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def api(path: str, org: str = "org-a") -> str:
    return "/api/v1/o/{}/{}".format(org, path)


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> set[int]:
    return {row["id"] for row in rows(response)}


def post(client, url, data, method="post", **extra):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", **{**EN, **extra})


def token_client(user) -> Client:
    response = Client().post("/api/v1/auth/token/", {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return Client(HTTP_AUTHORIZATION="Token " + response.json()["token"])


# Authentication ---------------------------------------------------------------------------------


def test_token_auth_reads_and_writes_without_a_session(world):
    client = token_client(world.member(Role.ORG_ADMIN).user)
    assert world.dept_a.pk in ids(client.get(api("departments/")))
    response = post(client, api("departments/"), {"name": "后勤处", "code": "HQC"})
    assert response.status_code == 201, response.content


def test_wrong_token_and_anonymous_are_refused(world):
    response = Client().get(api("departments/"))
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").get(api("departments/")).status_code == 401
    response = post(Client(), api("departments/"), {"name": "x", "code": "X"})
    assert response.status_code == 401
    with scopes_disabled():
        assert not Department.objects.filter(code="X").exists()


def test_session_auth_works(world, login):
    client = login(world.member(Role.LEADER))
    assert {world.dept_a.pk, world.dept_a_child.pk, world.dept_a_other.pk} == ids(client.get(api("departments/")))


def test_a_token_stops_working_after_a_password_reset(world, login):
    technician = world.member(Role.TECHNICIAN)
    client = token_client(technician.user)
    admin = login(world.member(Role.ORG_ADMIN))
    assert admin.post(api("memberships/{}/reset-password/".format(technician.pk))).status_code == 200
    assert client.get(api("people/"), **EN).status_code == 401  # the reset revoked the token


# Scoping ----------------------------------------------------------------------------------------


def test_org_admin_sees_the_rows_of_their_org_only(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    assert ids(client.get(api("departments/"))) == {world.dept_a.pk, world.dept_a_child.pk, world.dept_a_other.pk}
    locations = ids(client.get(api("locations/")))
    assert {world.building_a.pk, world.room_a.pk} <= locations
    assert world.room_b.pk not in locations
    with org_scope(world.org_a):
        everyone = set(Membership.objects.values_list("pk", flat=True))
    assert ids(client.get(api("people/"))) == everyone
    assert ids(client.get(api("memberships/"))) == everyone
    assert world.member_b.pk not in everyone
    assert [row["code"] for row in rows(client.get(api("organizations/")))] == ["org-a"]


def test_rows_of_another_org_are_not_found_through_this_org(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    assert client.get(api("departments/{}/".format(world.dept_b.pk))).status_code == 404
    assert client.get(api("locations/{}/".format(world.room_b.pk))).status_code == 404
    assert client.get(api("memberships/{}/".format(world.member_b.pk))).status_code == 404
    response = post(client, api("departments/{}/".format(world.dept_b.pk)), {"name": "x"}, method="patch")
    assert response.status_code == 404


def test_technician_sees_only_themselves_among_people(world, login):
    technician = world.member(Role.TECHNICIAN)
    client = login(technician)
    assert ids(client.get(api("people/"))) == {technician.pk}
    assert ids(client.get(api("memberships/"))) == {technician.pk}
    assert client.get(api("memberships/{}/".format(world.member(Role.ORG_ADMIN).pk))).status_code == 404
    # Departments and places are open to everyone of the org.
    assert world.dept_a_other.pk in ids(client.get(api("departments/")))


def test_dept_head_sees_the_people_of_their_department_subtree(world, login):
    client = login(world.member(Role.DEPT_HEAD))
    expected = {
        world.member(Role.DEPT_HEAD).pk,
        world.member(Role.STAFF).pk,  # in 总务处 too
        world.members["colleague"].pk,  # in 维修组 below it
    }
    assert ids(client.get(api("people/"))) == expected
    assert ids(client.get(api("memberships/"))) == expected


def test_member_of_another_org_gets_404(world, login):
    client = login(world.member_b)
    for path in ["organizations/", "departments/", "locations/", "people/", "memberships/"]:
        assert client.get(api(path)).status_code == 404, path
    response = post(client, api("departments/"), {"name": "x", "code": "X"})
    assert response.status_code == 404


def test_bureau_member_reads_org_a_and_writes_nothing(world, login):
    client = login(world.bureau_member)
    assert world.dept_a.pk in ids(client.get(api("departments/")))
    assert world.room_a.pk in ids(client.get(api("locations/")))
    people = rows(client.get(api("people/")))
    assert world.member(Role.TECHNICIAN).pk in {row["id"] for row in people}
    assert all("****" in row["phone"] for row in people)  # the bureau is no phone reader
    assert world.member(Role.TECHNICIAN).pk in ids(client.get(api("memberships/")))
    codes = {row["code"] for row in rows(client.get(api("organizations/")))}
    assert codes == {"bureau", "org-a"}  # the bureau's subtree; org B is not below it
    writes = [
        ("post", "departments/", {"name": "x", "code": "X"}),
        ("patch", "departments/{}/".format(world.dept_a.pk), {"name": "x"}),
        ("post", "locations/", {"name": "x", "code": "X", "kind": "building"}),
        ("patch", "locations/{}/".format(world.room_a.pk), {"name": "x"}),
        ("post", "memberships/", {"name": "x", "phone": "13800000001"}),
        ("patch", "memberships/{}/".format(world.member(Role.STAFF).pk), {"title": "x"}),
        ("put", "memberships/{}/roles/".format(world.member(Role.STAFF).pk), {"roles": [{"role": "leader"}]}),
        ("post", "memberships/{}/reset-password/".format(world.member(Role.STAFF).pk), {}),
    ]
    for method, path, data in writes:
        assert post(client, api(path), data, method=method).status_code == 403, (method, path)
    with org_scope(world.org_a):
        assert Department.objects.get(pk=world.dept_a.pk).name == "总务处"
        assert not Department.objects.filter(code="X").exists()


def test_roles_without_a_manage_permission_cannot_write(world, login):
    client = login(world.member(Role.TECHNICIAN))
    technician = world.member(Role.TECHNICIAN)
    assert post(client, api("departments/"), {"name": "x", "code": "X"}).status_code == 403
    assert post(client, api("memberships/{}/".format(technician.pk)), {"title": "x"}, method="patch").status_code == 403
    # The head of logistics manages places but not departments.
    head = login(world.member(Role.LOGISTICS_HEAD))
    assert post(head, api("departments/"), {"name": "x", "code": "X"}).status_code == 403
    assert post(head, api("locations/"), {"name": "操场", "code": "PG", "kind": "area"}).status_code == 201


def test_phone_numbers_are_masked_unless_the_reader_may_see_them(world, login):
    clerk = world.member(Role.ASSET_CLERK)  # sees everyone, but is no phone reader
    people = {row["id"]: row for row in rows(login(clerk).get(api("people/")))}
    assert people[clerk.pk]["phone"] == clerk.user.phone
    other = world.member(Role.TECHNICIAN)
    assert people[other.pk]["phone"] == other.user.masked_phone != other.user.phone
    admin = {row["id"]: row for row in rows(login(world.member(Role.ORG_ADMIN)).get(api("people/")))}
    assert admin[other.pk]["phone"] == other.user.phone
    # Nor can a search by phone number tell the clerk whose number it is.
    assert rows(login(clerk).get(api("people/"), {"q": other.user.phone})) == []
    assert [
        row["id"] for row in rows(login(world.member(Role.ORG_ADMIN)).get(api("people/"), {"q": other.user.phone}))
    ] == [other.pk]


def test_list_filters(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    assert ids(client.get(api("departments/"), {"parent": world.dept_a.pk})) == {world.dept_a_child.pk}
    assert ids(client.get(api("departments/"), {"q": "语文"})) == {world.dept_a_other.pk}
    within = ids(client.get(api("locations/"), {"within": world.building_a.pk}))
    assert world.building_a.pk in within and world.room_a.pk in within
    assert ids(client.get(api("locations/"), {"kind": "room"})) == {world.room_a.pk}
    assert ids(client.get(api("locations/"), {"building": world.building_a.pk})) >= {world.room_a.pk}
    assert ids(client.get(api("locations/"), {"q": "A1-101"})) == {world.room_a.pk}
    assert ids(client.get(api("locations/"), {"within": world.room_b.pk})) == set()  # another org's place
    technicians = ids(client.get(api("memberships/"), {"role": "technician"}))
    assert technicians == {world.member(Role.TECHNICIAN).pk}
    in_dept = ids(client.get(api("people/"), {"department": world.dept_a.pk}))
    assert in_dept == {world.member(Role.DEPT_HEAD).pk, world.member(Role.STAFF).pk, world.members["colleague"].pk}
    assert ids(client.get(api("people/"), {"q": "A101"})) == {world.members["outsider"].pk}


# Writes -----------------------------------------------------------------------------------------


def test_department_create_update_and_deactivate(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = post(client, api("departments/"), {"name": "水电组", "code": "SDZ", "parent": world.dept_a.pk})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["parent"] == world.dept_a.pk and created["depth"] == 2 and created["is_active"] is True
    with org_scope(world.org_a):
        department = Department.objects.get(pk=created["id"])
        assert department.path.startswith(world.dept_a.path)
        assert department.history.count() >= 1
    response = post(client, api("departments/{}/".format(department.pk)), {"is_active": False}, method="patch")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = post(
        client,
        api("departments/{}/".format(department.pk)),
        {"name": "水电维修组", "code": "SDZ", "kind": "logistics", "parent": None, "is_active": True},
        method="put",
    )
    assert response.status_code == 200, response.content
    assert response.json()["depth"] == 1 and response.json()["kind"] == "logistics"
    assert client.delete(api("departments/{}/".format(department.pk))).status_code == 405


def test_department_errors_are_field_errors(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = post(client, api("departments/"), {"name": "重复", "code": "ZWC"})
    assert response.status_code == 400
    assert "already exists" in response.json()["code"][0]
    response = post(client, api("departments/"), {"name": "外单位下", "code": "WDW", "parent": world.dept_b.pk})
    assert response.status_code == 400 and set(response.json()) == {"parent"}
    response = post(client, api("departments/"), {"name": "坏编码", "code": "坏 code"})
    assert response.status_code == 400 and set(response.json()) == {"code"}
    response = post(
        client, api("departments/{}/".format(world.dept_a.pk)), {"parent": world.dept_a_child.pk}, method="patch"
    )
    assert response.status_code == 400 and "parent" in response.json()  # under its own descendant
    with scopes_disabled():
        assert not Department.objects.filter(code__in=["WDW"]).exists()
        assert Department.objects.filter(code="ZWC").count() == 1


def test_errors_come_in_the_users_language(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    english = post(client, api("departments/"), {}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["name"] == ["This field is required."]
    chinese = post(client, api("departments/"), {}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["name"] == ["该字段是必填项。"]
    # A service's own message (a gettext msgid) reaches the client as a field error too.
    response = post(client, api("locations/"), {"name": "孤零零的房间", "code": "R1", "kind": "room"})
    assert response.status_code == 400
    assert response.json()["parent"][0].startswith("A Room cannot be placed here")


def test_location_create_and_update(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = post(
        client, api("locations/"), {"name": "二层", "code": "A1-2", "kind": "floor", "parent": world.building_a.pk}
    )
    assert response.status_code == 201, response.content
    floor = response.json()
    assert floor["building"] == world.building_a.pk
    response = post(client, api("locations/"), {"name": "201", "code": "A1-201", "kind": "room", "parent": floor["id"]})
    room = response.json()
    assert response.status_code == 201 and room["building"] == world.building_a.pk
    assert room["qr_token"] and room["qr_url"].endswith("/o/org-a/l/{}/".format(room["qr_token"]))
    response = post(
        client, api("locations/{}/".format(room["id"])), {"note": "多媒体教室", "is_active": False}, method="patch"
    )
    assert response.status_code == 200 and response.json()["note"] == "多媒体教室"
    assert response.json()["is_active"] is False
    response = post(
        client, api("locations/"), {"name": "外院", "code": "X1", "kind": "floor", "parent": world.building_b.pk}
    )
    assert response.status_code == 400 and set(response.json()) == {"parent"}
    response = post(client, api("locations/"), {"name": "重复", "code": "A1", "kind": "building"})
    assert response.status_code == 400 and "code" in response.json()


def test_membership_create_returns_the_one_time_password_once(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    body = {
        "name": "王师傅",
        "phone": "13812345678",
        "employee_no": "A200",
        "department": world.dept_a_child.pk,
        "title": "电工",
        "email": "wang@example.com",
        "roles": [{"role": "technician"}, {"role": "dept_head", "department": world.dept_a_child.pk}],
    }
    response = post(client, api("memberships/"), body)
    assert response.status_code == 201, response.content
    created = response.json()
    password = created["one_time_password"]
    assert password and len(password) == 8
    assert created["phone"] == "13812345678" and created["must_change_password"] is True
    assert {(r["role"], r["department"]) for r in created["roles"]} == {
        ("technician", None),
        ("dept_head", world.dept_a_child.pk),
    }
    user = User.objects.get(phone="13812345678")
    assert user.check_password(password) and user.must_change_password
    detail = client.get(api("memberships/{}/".format(created["id"]))).json()
    assert "one_time_password" not in detail and detail["employee_no"] == "A200"
    # An account first must replace its one-time password: no token before that.
    response = Client().post("/api/v1/auth/token/", {"username": "13812345678", "password": password})
    assert response.status_code == 403


def test_membership_for_an_existing_account_makes_no_password(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    phone = world.member_b.user.phone  # has an account through org B
    response = post(client, api("memberships/"), {"name": "兼职", "phone": phone})
    assert response.status_code == 201, response.content
    assert response.json()["one_time_password"] is None
    assert [r["role"] for r in response.json()["roles"]] == ["staff"]
    assert User.objects.get(phone=phone).check_password(PASSWORD)
    response = post(client, api("memberships/"), {"name": "again", "phone": phone})
    assert response.status_code == 400 and set(response.json()) == {"phone"}


def test_membership_errors_are_field_errors(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    users_before = User.objects.count()
    response = post(client, api("memberships/"), {"name": "坏号码", "phone": "12345"})
    assert response.status_code == 400
    assert response.json() == {"phone": ["Enter an 11-digit mainland mobile number."]}
    response = post(client, api("memberships/"), {"name": "重号", "phone": "13812345679", "employee_no": "A100"})
    assert response.status_code == 400 and set(response.json()) == {"employee_no"}
    response = post(
        client, api("memberships/"), {"name": "外单位", "phone": "13812345679", "department": world.dept_b.pk}
    )
    assert response.status_code == 400 and set(response.json()) == {"department"}
    response = post(
        client,
        api("memberships/"),
        {"name": "外单位角色", "phone": "13812345679", "roles": [{"role": "staff", "department": world.dept_b.pk}]},
    )
    assert response.status_code == 400 and set(response.json()) == {"roles"}
    response = post(client, api("memberships/"), {"name": "局", "phone": "13812345679", "roles": [{"role": "bureau"}]})
    assert response.status_code == 400 and set(response.json()) == {"roles"}  # from the service
    assert User.objects.count() == users_before


def test_membership_update_roles_and_password(world, login):
    admin = world.member(Role.ORG_ADMIN)
    client = login(admin)
    staff = world.member(Role.STAFF)
    url = api("memberships/{}/".format(staff.pk))
    response = post(
        client, url, {"title": "班主任", "department": world.dept_a_other.pk, "name": "李老师"}, method="patch"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "班主任" and response.json()["name"] == "李老师"
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert staff.department_id == world.dept_a_other.pk and staff.user.name == "李老师"
    assert staff.employee_no and staff.is_active  # fields not sent stay as they were
    assert post(client, url, {"employee_no": "A100"}, method="patch").json().keys() == {"employee_no"}
    assert post(client, url, {"name": "x"}, method="put").status_code == 405

    response = post(client, url + "roles/", {"roles": [{"role": "storekeeper"}, {"role": "staff"}]}, method="put")
    assert response.status_code == 200, response.content
    assert sorted(r["role"] for r in response.json()["roles"]) == ["staff", "storekeeper"]
    with org_scope(world.org_a):
        assert set(RoleGrant.objects.filter(membership=staff).values_list("role", flat=True)) == {
            "staff",
            "storekeeper",
        }
    response = post(client, url + "roles/", {"roles": [{"role": "chief"}]}, method="put")
    assert response.status_code == 400 and "roles" in response.json()

    response = client.post(url + "reset-password/")
    assert response.status_code == 200
    staff.user.refresh_from_db()
    assert staff.user.check_password(response.json()["one_time_password"]) and staff.user.must_change_password

    own = api("memberships/{}/".format(admin.pk))
    assert set(post(client, own, {"is_active": False}, method="patch").json()) == {"is_active"}
    response = post(client, own + "roles/", {"roles": [{"role": "staff"}]}, method="put")
    assert response.status_code == 400 and set(response.json()) == {"roles"}


def test_a_write_that_fails_in_its_last_step_leaves_nothing(world, login, monkeypatch):
    client = login(world.member(Role.ORG_ADMIN))
    with scopes_disabled():
        before = (User.objects.count(), Membership.objects.count(), RoleGrant.objects.count(), Location.objects.count())

    def fail(*args, **kwargs):
        raise ValidationError({"roles": "The last step failed."})

    monkeypatch.setattr(services, "_grant_roles", fail)  # after the user and the membership were saved
    response = post(client, api("memberships/"), {"name": "半途", "phone": "13812340000"})
    assert response.status_code == 400 and response.json() == {"roles": ["The last step failed."]}

    monkeypatch.setattr(Location, "fill_derived", fail)  # after the place's first save
    response = post(client, api("locations/"), {"name": "半途楼", "code": "HALF", "kind": "building"})
    assert response.status_code == 400
    with scopes_disabled():
        after = (User.objects.count(), Membership.objects.count(), RoleGrant.objects.count(), Location.objects.count())
    assert after == before


# Query counts, pages ----------------------------------------------------------------------------


def _grow(world, endpoint: str, count: int) -> None:
    """Add rows to org B until ``endpoint`` lists ``count`` of them."""
    org = world.org_b
    with scopes_disabled():
        existing = {
            "departments/": Department.objects.filter(org=org).count(),
            "locations/": Location.objects.filter(org=org).count(),
            "people/": Membership.objects.filter(org=org).count(),
            "memberships/": Membership.objects.filter(org=org).count(),
        }[endpoint]
    for n in range(existing, count):
        if endpoint == "departments/":
            make_department(org, "科室{}".format(n), "K{}".format(n), parent=world.dept_b)
        elif endpoint == "locations/":
            make_location(org, "房间{}".format(n), "R{}".format(n), LocationKind.ROOM, world.building_b)
        else:
            department = make_department(org, "病区{}".format(n), "BQ{}".format(n), parent=world.dept_b)
            make_member(org, Role.TECHNICIAN, Role.STAFF, department=department, employee_no="B{:03d}".format(n + 10))


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return len(context.captured_queries), len(rows(response))


@pytest.mark.parametrize("endpoint", ["departments/", "locations/", "people/", "memberships/"])
def test_list_queries_do_not_grow_with_the_rows(world, login, endpoint):
    client = login(world.member_b)
    url = api(endpoint, org="org-b")
    client.get(url)  # warm caches (content types, session) so both counts measure the same work
    _grow(world, endpoint, 3)
    small, listed_small = _queries(client, url)
    _grow(world, endpoint, 30)
    large, listed_large = _queries(client, url)
    assert (listed_small, listed_large) == (3, 30)
    assert small == large


def test_cursor_pages_are_capped_and_linked(world, login):
    for n in range(205):
        make_department(world.org_b, "科{}".format(n), "P{}".format(n))
    client = login(world.member_b)
    first = client.get(api("departments/", org="org-b"), {"page_size": 500}).json()
    assert len(first["results"]) == 200 and first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None  # 205 + 后勤保障处
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(seen)) == 206
    paths = [row["path"] for row in first["results"] + second["results"]]
    assert paths == sorted(paths)  # tree order, the same on every request
    assert len(client.get(api("departments/", org="org-b")).json()["results"]) == 50


# Schema and docs --------------------------------------------------------------------------------


def test_schema_is_valid_openapi_3_with_every_endpoint(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    for path in [
        "/api/v1/o/{org_code}/organizations/",
        "/api/v1/o/{org_code}/departments/",
        "/api/v1/o/{org_code}/departments/{id}/",
        "/api/v1/o/{org_code}/locations/",
        "/api/v1/o/{org_code}/people/",
        "/api/v1/o/{org_code}/memberships/",
        "/api/v1/o/{org_code}/memberships/{id}/roles/",
        "/api/v1/o/{org_code}/memberships/{id}/reset-password/",
        "/api/v1/auth/token/",
    ]:
        assert path in schema["paths"], path
    parameters = schema["paths"]["/api/v1/o/{org_code}/departments/"]["get"]["parameters"]
    assert {"name": "org_code", "in": "path"}.items() <= next(p for p in parameters if p["name"] == "org_code").items()


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/o/{org_code}/memberships/" in (tmp_path / "schema.yml").read_text()


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_only_local_static_files(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""<(?:script|link)[^>]*?(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, html
    assert not [a for a in assets if a.startswith(("http://", "https://", "//"))]
    local = [a for a in assets if a.startswith(settings.STATIC_URL)]
    assert local
    for asset in local:  # shipped by drf-spectacular-sidecar, served by whitenoise
        assert finders.find(asset.removeprefix(settings.STATIC_URL).split("?")[0]), asset
    assert "cdn." not in html and "unpkg" not in html
