"""The role × action matrix, checked cell by cell over HTTP (pages and API), never by asking the
permission table: the expected matrix below is written out by hand, from what each role is for."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from houqin.core import approvals
from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role, SecurityEventKind
from houqin.core.models import CalendarDay, Department, Location, Membership, Organization, SecurityEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_party
from houqin.sample import services as sample_services

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
        if action
        and action.split(".")[0]
        in {"org", "department", "location", "person", "security_log", "settings", "facts", "calendar"}
    }
    known = set(ACTIONS) | set(SETTINGS_ACTIONS) | set(CALENDAR_ACTIONS)
    assert foundation <= known, foundation - known


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


# Settings and the figures of a period ------------------------------------------------------------

SETTINGS_ACTIONS = ("settings.view", "settings.manage", "facts.view")
# fmt: off
EXPECTED_SETTINGS = {
    #                  settings settings facts
    #                  view     manage   view
    "leader":         (ORG,     NO,      ORG),
    "logistics_head": (ORG,     NO,      ORG),
    "org_admin":      (ORG,     ORG,     ORG),
    "dispatcher":     (NO,      NO,      NO),
    "asset_clerk":    (NO,      NO,      NO),
    "storekeeper":    (NO,      NO,      NO),
    "purchaser":      (NO,      NO,      NO),
    "technician":     (NO,      NO,      NO),
    "security":       (NO,      NO,      NO),
    "canteen":        (NO,      NO,      NO),
    "dept_head":      (NO,      NO,      NO),
    "staff":          (NO,      NO,      NO),
    "finance":        (NO,      NO,      NO),
    "bureau":         (NO,      NO,      NO),
}
# fmt: on


def test_the_settings_matrix_has_every_role():
    assert set(EXPECTED_SETTINGS) == set(Role.values)


@pytest.mark.parametrize(
    "role,action,scope",
    [
        pytest.param(role, action, scopes[index], id="{}-{}".format(role, action))
        for role, scopes in EXPECTED_SETTINGS.items()
        for index, action in enumerate(SETTINGS_ACTIONS)
    ],
)
def test_settings_cell(world, login, role, action, scope):
    client = login(_actor_membership(world, role))
    allowed = scope is not None
    if action == "settings.view":
        assert client.get(reverse("core:settings_hub", args=["org-a"])).status_code == (200 if allowed else 403)
        api = client.get(reverse("api_setting-list", kwargs={"org_code": "org-a"}))
        assert api.status_code == (200 if allowed else 403)
    elif action == "settings.manage":
        url = reverse("core:settings_hub", args=["org-a"])
        response = client.post(url, {"section": "core", "core-core.security_log_retention_days": "200"})
        assert response.status_code == (302 if allowed else 403)
        dictionary = reverse("core:settings_dictionary", args=["org-a", "location.use"])
        assert client.post(dictionary, {}).status_code == (200 if allowed else 403)  # 200: the form again, empty
    elif action == "facts.view":
        assert client.get(reverse("core:fact_list", args=["org-a"])).status_code == (200 if allowed else 403)
    else:
        raise AssertionError("no HTTP check for " + action)


# The org's calendar: holidays, make-up working days, terms ---------------------------------------

CALENDAR_ACTIONS = ("calendar.view", "calendar.manage")
# fmt: off
EXPECTED_CALENDAR = {
    #                  calendar calendar
    #                  view     manage
    "leader":         (ORG,     NO),
    "logistics_head": (ORG,     NO),
    "org_admin":      (ORG,     ORG),
    "dispatcher":     (NO,      NO),
    "asset_clerk":    (NO,      NO),
    "storekeeper":    (NO,      NO),
    "purchaser":      (NO,      NO),
    "technician":     (NO,      NO),
    "security":       (NO,      NO),
    "canteen":        (NO,      NO),
    "dept_head":      (NO,      NO),
    "staff":          (NO,      NO),
    "finance":        (NO,      NO),
    "bureau":         (NO,      NO),
}
# fmt: on


def test_the_calendar_matrix_has_every_role():
    assert set(EXPECTED_CALENDAR) == set(Role.values)


@pytest.mark.parametrize(
    "role,action,scope",
    [
        pytest.param(role, action, scopes[index], id="{}-{}".format(role, action))
        for role, scopes in EXPECTED_CALENDAR.items()
        for index, action in enumerate(CALENDAR_ACTIONS)
    ],
)
def test_calendar_cell(world, login, role, action, scope):
    client = login(_actor_membership(world, role))
    ok = 200 if scope is not None else 403
    if action == "calendar.view":
        for page in ("core:calendar_day_list", "core:term_list"):
            assert client.get(reverse(page, args=["org-a"])).status_code == ok, page
        for endpoint in ("api_calendar_day-list", "api_term-list"):
            assert client.get(reverse(endpoint, kwargs={"org_code": "org-a"})).status_code == ok, endpoint
    elif action == "calendar.manage":
        assert client.get(reverse("core:term_create", args=["org-a"])).status_code == ok
        response = client.post(
            reverse("core:calendar_day_create", args=["org-a"]), {"start": "2027-01-01", "kind": "holiday"}
        )
        assert response.status_code == (302 if scope is not None else 403)
        with scopes_disabled():
            assert CalendarDay.objects.filter(org=world.org_a).exists() == (scope is not None)
    else:
        raise AssertionError("no HTTP check for " + action)


# Approvals --------------------------------------------------------------------------------------

APPROVAL_ACTIONS = ("approval.view", "approval.submit", "approval.decide", "approval_rule.manage")

# fmt: off
EXPECTED_APPROVALS = {
    #                  view   submit decide rules
    "leader":         (ORG,   OWN,   ORG,   NO),
    "logistics_head": (ORG,   OWN,   ORG,   NO),
    "org_admin":      (OWN,   OWN,   ORG,   ORG),
    "dispatcher":     (OWN,   OWN,   ORG,   NO),
    "asset_clerk":    (OWN,   OWN,   ORG,   NO),
    "storekeeper":    (OWN,   OWN,   ORG,   NO),
    "purchaser":      (OWN,   OWN,   ORG,   NO),
    "technician":     (OWN,   OWN,   ORG,   NO),
    "security":       (OWN,   OWN,   ORG,   NO),
    "canteen":        (OWN,   OWN,   ORG,   NO),
    "dept_head":      (DEPT,  OWN,   ORG,   NO),
    "staff":          (OWN,   OWN,   ORG,   NO),
    "finance":        (ORG,   OWN,   ORG,   NO),
    "bureau":         (NO,    NO,    NO,    NO),
}
# fmt: on


def test_the_approvals_matrix_has_every_role():
    assert set(EXPECTED_APPROVALS) == set(Role.values)
    approval_checks = {a for a in _core_required_actions() if a and a.split(".")[0] in {"approval", "approval_rule"}}
    assert approval_checks == set(APPROVAL_ACTIONS)


def _sample_request(world, membership, rule_approver=None):
    """A sample request of ``membership`` in their department: pending for ``rule_approver``, else approved."""
    with org_scope(world.org_a):
        if rule_approver is not None:
            admin = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
            approvals.approval_rule_save(
                actor=admin, steps=[{"approver": rule_approver}], kind="sample.request", name=str(membership.pk)
            )
        actor = build_actor(membership.user, world.org_a)
        sample = sample_services.sample_create(
            actor=actor, title="打印机", amount=Decimal("100"), department=membership.department
        )
        return sample_services.sample_submit(actor=actor, sample=sample)


def _approval_ids(client, page: str, endpoint: str) -> tuple[set[int] | None, set[int] | None]:
    response = client.get(reverse(page, args=["org-a"]))
    page_ids = None if response.status_code == 403 else {row.pk for row in response.context["page"]["rows"]}
    return page_ids, _api_ids(client, endpoint)


@pytest.mark.parametrize(
    "role,action,scope",
    [
        pytest.param(role, action, scopes[index], id="{}-{}".format(role, action))
        for role, scopes in EXPECTED_APPROVALS.items()
        for index, action in enumerate(APPROVAL_ACTIONS)
    ],
)
def test_approvals_cell(world, login, role, action, scope):
    membership = _actor_membership(world, role)
    client = login(membership)
    allowed = scope is not None
    if action == "approval.view":
        # Requests approved at once (no rules): nobody is involved as an approver, so only the table counts.
        others = [
            _sample_request(world, world.members[who])
            for who in (Role.STAFF, "colleague", "outsider")
            if world.members[who] != membership
        ]
        own = [_sample_request(world, membership)] if role != Role.BUREAU else []
        everything = {r.pk for r in others + own}
        expected = {
            ORG: everything,
            DEPT: {r.pk for r in others + own if r.department_id in (world.dept_a.pk, world.dept_a_child.pk)},
            OWN: {r.pk for r in own},
            NO: None,
        }[scope]
        assert _approval_ids(client, "core:approval_all", "api_approval-list") == (expected, expected)
    elif action == "approval.submit":
        assert client.get(reverse("core:approval_mine", args=["org-a"])).status_code == (200 if allowed else 403)
        if role == Role.BUREAU:
            return
        request = _sample_request(world, membership, rule_approver=world.members["outsider"])
        response = client.post(reverse("core:approval_withdraw", args=["org-a", request.pk]))
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.state == "withdrawn"
    elif action == "approval.decide":
        assert client.get(reverse("core:approval_inbox", args=["org-a"])).status_code == (200 if allowed else 403)
        if role == Role.BUREAU:
            return
        request = _sample_request(world, world.members["colleague"], rule_approver=membership)
        response = client.post(reverse("core:approval_decide", args=["org-a", request.pk]), {"decision": "approve"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.state == "approved"
    elif action == "approval_rule.manage":
        assert client.get(reverse("core:approval_rule_create", args=["org-a"])).status_code == (200 if allowed else 403)
        assert client.get(reverse("core:approval_rule_list", args=["org-a"])).status_code == (200 if allowed else 403)
    else:
        raise AssertionError("no HTTP check for " + action)


# Outside parties ------------------------------------------------------------------------------

PARTY_ACTIONS = ("party.view", "party.manage")
# fmt: off
PARTY_EXPECTED = {
    #                  party  party
    #                  view   manage
    "leader":         (ORG,   NO),
    "logistics_head": (ORG,   ORG),
    "org_admin":      (ORG,   ORG),
    "dispatcher":     (ORG,   NO),
    "asset_clerk":    (ORG,   NO),
    "storekeeper":    (ORG,   NO),
    "purchaser":      (ORG,   ORG),
    "technician":     (NO,    NO),
    "security":       (NO,    NO),
    "canteen":        (ORG,   NO),
    "dept_head":      (NO,    NO),
    "staff":          (NO,    NO),
    "finance":        (ORG,   NO),
    "bureau":         (DESC,  NO),
}
# fmt: on


def test_the_parties_matrix_has_every_role():
    assert set(PARTY_EXPECTED) == set(Role.values)
    assert {a for a in _core_required_actions() if a and a.startswith("party.")} == set(PARTY_ACTIONS)


@pytest.mark.parametrize(
    "role,action,scope",
    [
        pytest.param(role, action, scopes[index], id="{}-{}".format(role, action))
        for role, scopes in PARTY_EXPECTED.items()
        for index, action in enumerate(PARTY_ACTIONS)
    ],
)
def test_parties_cell(world, login, role, action, scope):
    party_a = make_party(world.org_a, "甲的物业")
    make_party(world.org_b, "乙的物业")
    client = login(_actor_membership(world, role))
    allowed = scope is not None
    if action == "party.view":
        expected = {party_a.pk} if allowed else None
        assert _page_ids(client, "core:party_list") == expected
        assert _api_ids(client, "api_party-list") == expected
        detail = client.get(reverse("core:party_detail", args=["org-a", party_a.pk]))
        assert detail.status_code == (200 if allowed else 403)
    else:
        assert client.get(reverse("core:party_create", args=["org-a"])).status_code == (200 if allowed else 403)
        edit = client.get(reverse("core:party_edit", args=["org-a", party_a.pk]))
        assert edit.status_code == (200 if allowed else 403)
        response = client.post(
            reverse("api_party-list", kwargs={"org_code": "org-a"}),
            {"name": "新供应商", "kind": "supplier"},
            content_type="application/json",
        )
        assert response.status_code == (201 if allowed else 403), response.content.decode()[:300]
