"""Audit history: every domain model records who changed which field when, and object pages show it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from simple_history.manager import HistoryManager
from simple_history.models import registered_models

from houqin.core.choices import Role
from houqin.core.models import Department, RoleGrant
from houqin.core.tenancy import scopes_disabled

# Models of our apps that keep no django-simple-history, each with the reason.
EXEMPT = {
    "core.SecurityEvent": "append-only log of logins and exports; it is itself an audit record and is never edited",
    "core.NumberSequence": "a counter bumped by every numbered record; the numbered records keep their own history",
    "core.Notification": "a person's inbox message, written once by notify(); only its recipient's read mark changes",
    "core.OutboxMessage": "delivery queue written by notify(); attempts, state and last error are its own log",
    "core.WorkflowEvent": "append-only log of workflow transitions (the timeline); rows are written once, never edited",
    "assets.ReconciliationDifference": "written once with its reconciliation (the audited record)",
    "assets.AssetEvent": "append-only chain of an asset's events (its card shows it); written once",
}


def _houqin_app_configs():
    return [config for config in apps.get_app_configs() if config.label == "core" or config.name.startswith("houqin")]


def _is_historical(model) -> bool:
    """simple_history's generated Historical<Model> classes (they point back at the model they record)."""
    return hasattr(model, "instance_type") and model.__name__.startswith("Historical")


def _domain_models():
    return [
        model
        for config in _houqin_app_configs()
        for model in config.get_models()
        if not _is_historical(model) and not model._meta.auto_created
    ]


def test_the_model_walk_finds_the_foundation():
    labels = {model._meta.label for model in _domain_models()}
    assert {"core.User", "core.Organization", "core.Department", "core.Location", "core.Membership"} <= labels
    assert "core.RoleGrant" in labels  # role grants are audited like any other record


def test_exempt_entries_are_not_stale():
    labels = {model._meta.label for model in _domain_models()}
    assert set(EXEMPT) <= labels, "EXEMPT names models that no longer exist: {}".format(set(EXEMPT) - labels)


@pytest.mark.parametrize("model", _domain_models(), ids=lambda m: m._meta.label)
def test_every_domain_model_keeps_history(model):
    label = model._meta.label
    if label in EXEMPT:
        assert model._meta.db_table not in registered_models, (
            "{} is exempt but has history; drop it from EXEMPT".format(label)
        )
        return
    assert model._meta.db_table in registered_models, "{} has no django-simple-history (HistoricalRecords)".format(
        label
    )
    manager_name = model._meta.simple_history_manager_attribute
    manager = getattr(model, manager_name)
    assert isinstance(manager, HistoryManager)
    historical = manager.model
    field_names = {f.name for f in historical._meta.get_fields()}
    assert {"history_user", "history_date", "history_type"} <= field_names  # who, when, what


def _history_panel(html: str) -> str:
    """The change-history card of a page (from its start to the page footer)."""
    assert 'id="history"' in html, "the page has no history panel"
    start = html.index('id="history"')
    return html[start : html.index("<footer", start)]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_department_page_shows_who_changed_which_field(world, login):
    admin = world.member(Role.ORG_ADMIN)
    client = _english(login(admin))
    url = reverse("core:department_edit", args=["org-a", world.dept_a.pk])
    response = client.post(url, {"name": "后勤保障处", "code": "ZWC", "kind": "office", "is_active": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        record = Department.history.filter(id=world.dept_a.pk).latest("history_date")
    assert record.history_user == admin.user
    assert record.name == "后勤保障处"

    html = client.get(reverse("core:department_detail", args=["org-a", world.dept_a.pk])).content.decode()
    panel = _history_panel(html)
    assert "<del>总务处</del>" in panel and "<ins>后勤保障处</ins>" in panel
    assert admin.user.name in panel
    assert "Name" in panel or "name" in panel  # the field that changed is named


def test_person_page_shows_role_grants_in_history(world, login):
    admin = world.member(Role.ORG_ADMIN)
    staff = world.member(Role.STAFF)
    client = _english(login(admin))
    url = reverse("core:person_roles", args=["org-a", staff.pk])
    detail = reverse("core:person_detail", args=["org-a", staff.pk])
    assert "Dispatcher" not in _history_panel(client.get(detail).content.decode())
    data = {
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": Role.STAFF,
        "roles-0-department": "",
        "roles-1-role": Role.DISPATCHER,
        "roles-1-department": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        grant = RoleGrant.objects.get(membership=staff, role=Role.DISPATCHER)
        record = grant.history.get(history_type="+")
    assert record.history_user == admin.user

    panel = _history_panel(client.get(detail).content.decode())
    assert "Dispatcher" in panel
    assert admin.user.name in panel
    assert "created" in panel


def test_revoking_a_role_is_recorded_too(world, login):
    admin = world.member(Role.ORG_ADMIN)
    staff = world.member(Role.STAFF)
    client = _english(login(admin))
    data = {
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": Role.STAFF,
        "roles-0-department": "",
        "roles-0-DELETE": "on",
    }
    assert client.post(reverse("core:person_roles", args=["org-a", staff.pk]), data).status_code == 302
    with scopes_disabled():
        assert not RoleGrant.objects.filter(membership=staff).exists()
        record = RoleGrant.history.get(membership_id=staff.pk, history_type="-")
    assert record.history_user == admin.user
    panel = _history_panel(client.get(reverse("core:person_detail", args=["org-a", staff.pk])).content.decode())
    assert "deleted" in panel and "Staff member" in panel


@pytest.mark.parametrize(
    "url_name,obj",
    [
        ("core:department_detail", lambda w: w.dept_a.pk),
        ("core:location_detail", lambda w: w.room_a.pk),
        ("core:person_detail", lambda w: w.member(Role.STAFF).pk),
        ("core:organization_detail", None),
    ],
)
def test_every_object_page_has_a_history_panel(world, login, url_name, obj):
    client = login(world.member(Role.ORG_ADMIN))
    args = ["org-a"] + ([obj(world)] if obj else [])
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    _history_panel(response.content.decode())
