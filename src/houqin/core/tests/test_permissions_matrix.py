"""The role × action matrix, checked cell by cell over HTTP (pages and API), never by asking the
permission table: the expected matrix below is written out by hand, from what each role is for."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from houqin.core.choices import LocationKind, Role, SecurityEventKind
from houqin.core.models import Department, Location, Membership, Organization, SecurityEvent
from houqin.core.tenancy import scopes_disabled

ACTIONS = (
    "org.view",
    "department.view",
    "department.manage",
    "location.view",
    "location.manage",
    "person.view",
    "person.manage",
    "security_log.view",
)
ORG, OWN, DEPT, DESC, NO = "org", "own", "department", "descendants", None

# fmt: off
EXPECTED = {
    #                  org    dept   dept   loc    loc    person person sec.
    #                  view   view   manage view   manage view   manage log
    "leader":         (ORG,   ORG,   NO,    ORG,   NO,    ORG,   NO,    NO),
    "logistics_head": (ORG,   ORG,   NO,    ORG,   ORG,   ORG,   NO,    NO),
    "org_admin":      (ORG,   ORG,   ORG,   ORG,   ORG,   ORG,   ORG,   ORG),
    "dispatcher":     (ORG,   ORG,   NO,    ORG,   NO,    ORG,   NO,    NO),
    "asset_clerk":    (ORG,   ORG,   NO,    ORG,   NO,    ORG,   NO,    NO),
    "storekeeper":    (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "purchaser":      (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "technician":     (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "security":       (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "canteen":        (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "dept_head":      (ORG,   ORG,   NO,    ORG,   NO,    DEPT,  NO,    NO),
    "staff":          (ORG,   ORG,   NO,    ORG,   NO,    OWN,   NO,    NO),
    "finance":        (ORG,   ORG,   NO,    ORG,   NO,    ORG,   NO,    NO),
    "bureau":         (DESC,  DESC,  NO,    DESC,  NO,    DESC,  NO,    NO),
}
# fmt: on

CELLS = [
    pytest.param(role, action, scopes[index], id="{}-{}".format(role, action))
    for role, scopes in EXPECTED.items()
    for index, action in enumerate(ACTIONS)
]


def test_the_matrix_has_every_role():
    assert set(EXPECTED) == set(Role.values)
    assert all(len(scopes) == len(ACTIONS) for scopes in EXPECTED.values())


def _core_required_actions() -> set:
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                if hasattr(pattern.callback, "required_action"):
                    found.add(pattern.callback.required_action)
                cls = getattr(pattern.callback, "cls", None)
                for name in ("view_permission", "manage_permission"):
                    if getattr(cls, name, None):
                        found.add(getattr(cls, name))

    walk(get_resolver().url_patterns)
    return found


def test_every_action_the_foundation_checks_is_in_the_matrix():
    """Pages and endpoints declare the action they need; each must have a column here. (Modules that add
    their own actions bring their own matrix; the foundation's are these.)"""
    foundation = {
        action
        for action in _core_required_actions()
        if action and action.split(".")[0] in {"org", "department", "location", "person", "security_log"}
    }
    assert foundation <= set(ACTIONS), foundation - set(ACTIONS)


# What each scope means in org A of the shared world --------------------------------------------


def _actor_membership(world, role):
    return world.bureau_member if role == Role.BUREAU else world.member(role)


def _expected_ids(world, kind: str, scope: str | None, membership) -> set[int] | None:
    """The ids a reader with ``scope`` should get, worked out from the world (None: refused)."""
    if scope is None:
        return None
    with scopes_disabled():
        if kind == "organization":
            if scope == ORG:
                return {world.org_a.pk}
            if scope == DESC:  # the bureau's subtree, of which org A is part; never org B
                return set(Organization.objects.filter(path__startswith=world.bureau.path).values_list("pk", flat=True))
        rows = {
            "department": Department.objects.filter(org=world.org_a),
            "location": Location.objects.filter(org=world.org_a),
            "person": Membership.objects.filter(org=world.org_a),
        }[kind]
        if scope in (ORG, DESC):
            return set(rows.values_list("pk", flat=True))
        if scope == OWN and kind == "person":
            return {membership.pk}
        if scope == DEPT and kind == "person":
            # dept_head sits in 总务处 (dept_a); 维修组 is below it, 语文组 beside it.
            return set(rows.filter(department__path__startswith=world.dept_a.path).values_list("pk", flat=True))
    raise AssertionError("no expectation for {} with scope {}".format(kind, scope))


def _page_ids(client, url_name: str) -> set[int] | None:
    response = client.get(reverse(url_name, args=["org-a"]))
    if response.status_code == 403:
        return None
    assert response.status_code == 200, (url_name, response.status_code)
    return {row.pk for row in response.context["page"]["rows"]}


def _api_ids(client, url_name: str) -> set[int] | None:
    url = reverse(url_name, kwargs={"org_code": "org-a"}) + "?page_size=200"
    ids: set[int] = set()
    while url:
        response = client.get(url)
        if response.status_code == 403:
            return None
        assert response.status_code == 200, (url_name, response.status_code)
        data = response.json()
        ids |= {row["id"] for row in data["results"]}
        url = data.get("next")
    return ids


VIEW_CHECKS = {
    # action: (kind, list pages, list endpoints)
    "department.view": ("department", ["core:department_list"], ["api_department-list"]),
    "location.view": ("location", ["core:location_list"], ["api_location-list"]),
    "person.view": ("person", ["core:person_list"], ["api_person-list", "api_membership-list"]),
}
MANAGE_CHECKS = {
    # action: (create page, edit page of an org-A row, create endpoint, a valid body for it)
    "department.manage": (
        "core:department_create",
        ("core:department_edit", lambda w: w.dept_a.pk),
        "api_department-list",
        {"name": "新部门", "code": "NEW1", "kind": "office"},
    ),
    "location.manage": (
        "core:location_create",
        ("core:location_edit", lambda w: w.room_a.pk),
        "api_location-list",
        {"name": "实验楼", "code": "A9", "kind": LocationKind.BUILDING},
    ),
    "person.manage": (
        "core:person_create",
        ("core:person_edit", lambda w: w.member(Role.STAFF).pk),
        "api_membership-list",
        {"name": "新同事", "phone": "13811119999", "roles": [{"role": Role.STAFF}]},
    ),
}


@pytest.mark.parametrize("role,action,scope", CELLS)
def test_cell(world, login, role, action, scope):
    membership = _actor_membership(world, role)
    client = login(membership)

    if action in VIEW_CHECKS:
        kind, pages, endpoints = VIEW_CHECKS[action]
        expected = _expected_ids(world, kind, scope, membership)
        for url_name in pages:
            assert _page_ids(client, url_name) == expected, "page " + url_name
        for url_name in endpoints:
            assert _api_ids(client, url_name) == expected, "API " + url_name
        if kind == "person":
            # The detail page agrees with the list: someone outside the scope is "not found".
            outsider = world.members["outsider"]
            status = client.get(reverse("core:person_detail", args=["org-a", outsider.pk])).status_code
            if expected is None:
                assert status == 403
            else:
                assert status == (200 if outsider.pk in expected else 404)

    elif action == "org.view":
        page = client.get(reverse("core:organization_detail", args=["org-a"]))
        assert page.status_code == (403 if scope is None else 200)
        if scope is not None:
            assert page.context["organization"] == world.org_a
        assert _api_ids(client, "api_organization-list") == _expected_ids(world, "organization", scope, membership)

    elif action in MANAGE_CHECKS:
        create_page, (edit_page, edit_pk), endpoint, body = MANAGE_CHECKS[action]
        allowed = scope is not None
        assert client.get(reverse(create_page, args=["org-a"])).status_code == (200 if allowed else 403)
        assert client.get(reverse(edit_page, args=["org-a", edit_pk(world)])).status_code == (200 if allowed else 403)
        response = client.post(reverse(endpoint, kwargs={"org_code": "org-a"}), body, content_type="application/json")
        assert response.status_code == (201 if allowed else 403), response.content.decode()[:500]

    elif action == "security_log.view":
        # There is no API for the security log (it is read on its page by the org's administrator).
        with scopes_disabled():
            mine = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, org=world.org_a, user=membership.user)
            theirs = SecurityEvent.objects.create(
                kind=SecurityEventKind.LOGIN, org=world.org_b, user=world.member_b.user
            )
        ids = _page_ids(client, "core:security_log")
        if scope is None:
            assert ids is None
        else:
            assert mine.pk in ids and theirs.pk not in ids

    else:
        raise AssertionError("no HTTP check for " + action)
