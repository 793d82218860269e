"""Org isolation: every route from the URL resolver, as an org-B admin and as the bureau, against org A.

The routes are read from ``get_resolver()`` at collection time. Each route under an organisation must
appear in ``PAGES`` (by URL name) or ``API`` (by URL name of the DRF router) with how to reach an org-A
row and a valid write, and each route outside an organisation in ``EXEMPT`` with the reason. A route in
neither, or an entry that no longer names a route, fails the suite: a new page or endpoint is checked
from the day it is added.

Expected:
- org-B admin on org A's addresses: 404 for every method (405 where the method does not exist), and no
  row anywhere changed; also on its own org's addresses with org-A ids (the classic IDOR).
- bureau on org A (read-only): GET 200 where the route is a read the bureau has, every other request
  refused (403/404/405), no row changed.
- anonymous: sent to the login page (pages) or refused (API), no row changed.
- the control: org A's org_admin gets 200 on every GET and a successful, data-changing response on
  every write below, so the writes above were real attempts that would have changed data if allowed.

The world and all its org-A rows are made once per module (``shared_world``); each test runs in a savepoint
inside that transaction, so it starts from exactly those rows, and what it writes is rolled back.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from houqin.conftest import build_world
from houqin.core import approvals, orgcache
from houqin.core.access import build_actor
from houqin.core.api.base import OrgViewSetMixin
from houqin.core.choices import LocationKind, Role
from houqin.core.imports import LocationImporter, PersonImporter
from houqin.core.models import (
    Attachment,
    CalendarDay,
    Compensation,
    Department,
    DictionaryItem,
    Location,
    Membership,
    Organization,
    OrgSetting,
    Party,
    PartyContact,
    PartyLicence,
    RoleGrant,
    Term,
    User,
)
from houqin.core.models.approvals import ApprovalRequest, ApprovalRule, ApprovalRuleStep, ApprovalStep, Delegation
from houqin.core.models.notifications import Notification, NotificationPreference, OutboxMessage, WebhookChannel
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import OrgScopedModel, ScopeError, org_scope, scopes_disabled
from houqin.core.tests.factories import make_attachment, make_party, png_bytes
from houqin.core.tests.isolation_support import T
from houqin.sample import services as sample_services

# Routes outside any organisation, each with why it needs no org-isolation check.
EXEMPT = {
    "home": "redirects to one of the person's own organisations; shows no rows",
    "health": "liveness check for monitors; answers ok without touching data",
    "login": "the login form; no organisation data",
    "logout": "ends the session; no organisation data",
    "password_change": "changes the logged-in person's own password only",
    "org_switcher": "lists only the person's own organisations (checked in test_tenancy)",
    "set_language": "stores the language choice in the session",
    "api_token": "issues a token for the credentials given; no organisation data",
    "api_schema": "the OpenAPI description; no rows",
    "api_docs": "Swagger UI page for the schema; no rows",
    "api_redoc": "ReDoc page for the schema; no rows",
    "admin:*": "platform admin for superusers (is_staff); organisation members cannot log in there",
}
# Only mounted with DEBUG=true (urls.py); not stale when absent.
DEBUG_ONLY_EXEMPT = {
    "errors/403/": "DEBUG-only preview of the 403 page",
    "errors/404/": "DEBUG-only preview of the 404 page",
    "errors/500/": "DEBUG-only preview of the 500 page",
}

# The reads a bureau has on the organisations below it (a literal, not read from permissions.TABLE).
BUREAU_READS = {None, "org.view", "department.view", "location.view", "person.view", "party.view"}
READ_DRF_ACTIONS = {"list", "retrieve"}


def _xlsx(importer_class, rows: list[dict]) -> Callable:
    def build(world):
        with org_scope(world.org_a):
            actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
            workbook = load_workbook(BytesIO(importer_class(actor).template()))
        sheet = workbook.worksheets[0]
        for row in rows:
            sheet.append([row.get(column.key, "") for column in importer_class.columns])
        buffer = BytesIO()
        workbook.save(buffer)
        return {"file": SimpleUploadedFile("import.xlsx", buffer.getvalue())}

    return build


def _staff(w):
    return w.member(Role.STAFF)


def _notification_rows(w):
    """An unread notification of org A's admin, a group robot and a failed delivery of org A, so the
    notification routes have org-A rows to reach."""
    with scopes_disabled():
        admin = w.member(Role.ORG_ADMIN).user
        Notification.objects.create(org=w.org_a, recipient=admin, event="isolation.check", title="总务处报修待派单")
        channel = WebhookChannel.objects.create(
            org=w.org_a,
            name="总务处群",
            kind="wecom",
            url="http://127.0.0.1:9/robot",  # port 9: refused at once
        )
        OutboxMessage.objects.create(
            org=w.org_a, kind="wecom", event="isolation.check", channel=channel, subject="总务处", state="failed"
        )


def _approval_rows(w):
    """Org A's approvals: a rule, a request of the staff member waiting for the admin, one of the admin
    waiting for the leader, and a later delegation of the admin's."""
    with org_scope(w.org_a):
        admin, staff = (build_actor(w.member(role).user, w.org_a) for role in (Role.ORG_ADMIN, Role.STAFF))
        w.approval_rule = approvals.approval_rule_save(
            actor=admin, steps=[{"approver": w.member(Role.ORG_ADMIN)}], kind="sample.request", name="总务处审批"
        )
        approvals.approval_rule_save(
            actor=admin, steps=[{"role": Role.LEADER}], kind="sample.request", name="管理员", department=w.dept_a_other
        )
        sample = sample_services.sample_create(actor=staff, title="总务处打印机", amount=Decimal("100"))
        w.approval = sample_services.sample_submit(actor=staff, sample=sample)
        # The admin's own request, in 语文组, goes to the leader.
        sample = sample_services.sample_create(
            actor=admin, title="总务处电脑", amount=Decimal("100"), department=w.dept_a_other
        )
        w.own_approval = sample_services.sample_submit(actor=admin, sample=sample)
        start = date.today() + timedelta(days=10)
        w.delegation = approvals.delegation_create(
            actor=admin, delegate=w.member(Role.STAFF), start_date=start, end_date=start, reason="出差"
        )


def _calendar_rows(w):
    """A day off and a winter break of org A, for the calendar pages' edit and delete routes."""
    with scopes_disabled():
        CalendarDay.objects.create(org=w.org_a, date="2027-01-01", kind="holiday", name="总务处元旦")
        Term.objects.create(org=w.org_a, name="2027 寒假", kind="winter_break", start="2027-01-23", end="2027-02-21")


def _party_rows(w):
    """An outside party of org A with a licence and a contact, and a photo of org A's room, so the party and
    attachment routes have org-A rows to reach."""
    party = make_party(w.org_a, "总务处物业公司")
    with scopes_disabled():
        PartyLicence.objects.create(org=w.org_a, party=party, kind="business_licence", number="91110000600037341L")
        PartyContact.objects.create(org=w.org_a, party=party, name="总务处联系人")
    make_attachment(w.room_a, w.member(Role.ORG_ADMIN).user)


def _compensation_rows(w):
    """An open compensation the staff member of org A owes, for the settle page."""
    with scopes_disabled():
        w.compensation = Compensation.objects.create(
            org=w.org_a, person=_staff(w), amount=Decimal("30.00"), reason="总务处门锁", recorded_by=_staff(w).user
        )


def _isolation_row(model):
    """The row made by ``notification_rows`` (other fixtures' services notify too, so there are more)."""

    def pk(w):
        with scopes_disabled():
            return {"pk": model.objects.get(org=w.org_a, event="isolation.check").pk}

    return pk


def _org_a_row(model):
    def pk(w):
        with scopes_disabled():
            return {"pk": model.objects.get(org=w.org_a).pk}

    return pk


def _rule_form(w, **extra):
    return {
        "kind": "sample.request",
        "priority": "100",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-role": Role.LEADER,
        **extra,
    }


def _floor(w):
    return w.room_a.parent_id


def _department_form(w, **extra):
    return {"name": "新部门", "code": "NEW1", "kind": "office", **extra}


def _room_form(w, **extra):
    return {"name": "102教室", "code": "A1-102", "kind": LocationKind.ROOM, "parent": _floor(w), **extra}


def _person_form(w, **extra):
    return {"name": "新同事", "phone": "13811119999", **extra}


_roles_formset = {
    "roles-TOTAL_FORMS": "2",
    "roles-INITIAL_FORMS": "1",
    "roles-MIN_NUM_FORMS": "0",
    "roles-MAX_NUM_FORMS": "1000",
    "roles-0-role": Role.STAFF,
    "roles-1-role": Role.DISPATCHER,
}

# Every page under /o/<org_code>/ (URL name → how to reach org A's row, and a valid write).
PAGES = {
    "core:home": T(),
    "core:organization_detail": T(),
    "core:department_list": T(),
    "core:department_create": T(
        post=lambda w: {"name": "新部门", "code": "NEW1", "kind": "office", "parent": w.dept_a.pk}
    ),
    "core:department_detail": T(lambda w: {"pk": w.dept_a.pk}),
    "core:department_edit": T(
        lambda w: {"pk": w.dept_a.pk},
        post=lambda w: {"name": "改名处", "code": "ZWC", "kind": "office", "is_active": "on"},
    ),
    "core:location_list": T(),
    "core:location_create": T(post=_room_form),
    "core:location_qr_sheet": T(),
    "core:location_export": T(),
    "core:location_import": T(
        post=_xlsx(LocationImporter, [{"code": "A1-103", "name": "103教室", "kind": "房间", "parent": "A1-1"}])
    ),
    "core:location_import_template": T(),
    "core:location_detail": T(lambda w: {"pk": w.room_a.pk}),
    "core:location_edit": T(
        lambda w: {"pk": w.room_a.pk},
        post=lambda w: {
            "name": "改名教室",
            "code": "A1-101",
            "kind": LocationKind.ROOM,
            "parent": _floor(w),
            "is_active": "on",
        },
    ),
    "core:location_by_token": T(lambda w: {"token": w.room_a.qr_token}),
    "core:location_print": T(lambda w: {"pk": w.room_a.pk}),
    "core:person_list": T(),
    "core:person_create": T(post=lambda w: _person_form(w, roles=[Role.STAFF])),
    "core:person_export": T(),
    "core:person_import": T(post=_xlsx(PersonImporter, [{"name": "导入者", "phone": "13811118888"}])),
    "core:person_import_template": T(),
    "core:person_detail": T(lambda w: {"pk": _staff(w).pk}),
    "core:person_edit": T(
        lambda w: {"pk": _staff(w).pk},
        post=lambda w: {"name": "改名", "employee_no": "A999", "department": w.dept_a.pk, "is_active": "on"},
    ),
    "core:person_roles": T(lambda w: {"pk": _staff(w).pk}, post=lambda w: dict(_roles_formset)),
    "core:person_reset_password": T(lambda w: {"pk": _staff(w).pk}, post=lambda w: {}, get_status=405),
    "core:compensation_settle": T(
        lambda w: {"pk": w.compensation.pk}, post=lambda w: {"state": "paid"}, control_role=Role.FINANCE
    ),
    "core:security_log": T(),
    "core:party_list": T(),
    "core:party_export": T(),
    "core:party_create": T(post=lambda w: {"name": "新食材供应商", "kind": "supplier"}),
    "core:party_detail": T(_org_a_row(Party)),
    "core:party_edit": T(
        _org_a_row(Party), post=lambda w: {"name": "改名物业", "kind": "property_manager", "is_active": "on"}
    ),
    "core:party_licence_create": T(
        _org_a_row(Party), post=lambda w: {"kind": "food_business", "number": "JY1", "expires_on": "2030-01-01"}
    ),
    "core:party_licence_edit": T(_org_a_row(PartyLicence), post=lambda w: {"kind": "business_licence", "number": "X2"}),
    "core:party_contact_create": T(_org_a_row(Party), post=lambda w: {"name": "张三"}),
    "core:party_contact_edit": T(_org_a_row(PartyContact), post=lambda w: {"name": "李四"}),
    "core:party_contact_delete": T(_org_a_row(PartyContact), post=lambda w: {}, get_status=405),
    "core:attachment_download": T(_org_a_row(Attachment)),
    "core:attachment_thumbnail": T(_org_a_row(Attachment)),
    "core:attachment_void": T(_org_a_row(Attachment), post=lambda w: {}, get_status=405),
    "core:attachment_upload": T(
        lambda w: {"owner": "core.location", "owner_id": w.room_a.pk},
        post=lambda w: {"file": SimpleUploadedFile("room.png", png_bytes())},
        get_status=405,
    ),
    "core:notification_list": T(),
    "core:notification_bell": T(),
    "core:notification_mark_all_read": T(post=lambda w: {}, get_status=405),
    "core:notification_preferences": T(post=lambda w: {"robot_mention": "on"}),
    "core:notification_open": T(_isolation_row(Notification), post=lambda w: {}, get_status=405),
    "core:notification_channel_list": T(),
    "core:notification_channel_create": T(
        post=lambda w: {
            "name": "维修群",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=x",
        }
    ),
    "core:notification_channel_edit": T(
        _org_a_row(WebhookChannel),
        post=lambda w: {"name": "总务处群", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/x", "active": "on"},
    ),
    "core:notification_channel_test": T(_org_a_row(WebhookChannel), post=lambda w: {}, get_status=405),
    "core:notification_outbox": T(),
    "core:notification_outbox_retry": T(_isolation_row(OutboxMessage), post=lambda w: {}, get_status=405),
    "core:settings_hub": T(post=lambda w: {"section": "core", "core-core.security_log_retention_days": "200"}),
    "core:settings_dictionary": T(
        lambda w: {"key": "location.use"},
        post=lambda w: {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-label": "多媒体教室",  # the first entry (教室) renamed; its code is not editable
            "items-0-is_active": "on",
        },
    ),
    "core:fact_list": T(),
    "core:calendar_day_list": T(),
    "core:calendar_day_create": T(post=lambda w: {"start": "2027-01-04", "kind": "holiday", "name": "校庆"}),
    "core:calendar_day_edit": T(
        _org_a_row(CalendarDay), post=lambda w: {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    ),
    "core:calendar_day_delete": T(_org_a_row(CalendarDay), post=lambda w: {}, get_status=405),
    "core:term_list": T(),
    "core:term_create": T(
        post=lambda w: {"name": "2027 暑假", "kind": "summer_break", "start": "2027-07-03", "end": "2027-08-31"}
    ),
    "core:term_edit": T(
        _org_a_row(Term),
        post=lambda w: {"name": "2027年寒假", "kind": "winter_break", "start": "2027-01-23", "end": "2027-02-21"},
    ),
    "core:term_delete": T(_org_a_row(Term), post=lambda w: {}, get_status=405),
    "core:approval_inbox": T(),
    "core:approval_mine": T(),
    "core:approval_all": T(),
    "core:approval_detail": T(lambda w: {"pk": w.approval.pk}),
    "core:approval_decide": T(lambda w: {"pk": w.approval.pk}, post=lambda w: {"decision": "approve"}, get_status=405),
    "core:approval_withdraw": T(lambda w: {"pk": w.own_approval.pk}, post=lambda w: {}, get_status=405),
    "core:approval_print": T(lambda w: {"pk": w.approval.pk}),
    "core:delegation_list": T(
        post=lambda w: {
            "delegate": w.member(Role.STAFF).pk,
            "start_date": date.today().isoformat(),
            "end_date": date.today().isoformat(),
            "reason": "休假",
        }
    ),
    "core:delegation_end": T(lambda w: {"pk": w.delegation.pk}, post=lambda w: {}, get_status=405),
    "core:approval_rule_list": T(),
    "core:approval_rule_create": T(post=lambda w: _rule_form(w, name="新规则")),
    "core:approval_rule_edit": T(lambda w: {"pk": w.approval_rule.pk}, post=lambda w: _rule_form(w, name="改名规则")),
}

# Every endpoint under /api/v1/o/<org_code>/ (URL name of the router → org-A row and valid JSON bodies).
API = {
    "api_organization-list": T(),
    "api_organization-detail": T(lambda w: {"pk": w.org_a.pk}),
    "api_department-list": T(
        post=lambda w: {"name": "新部门", "code": "NEW1", "kind": "office", "parent": w.dept_a.pk}
    ),
    "api_department-detail": T(
        lambda w: {"pk": w.dept_a.pk},
        put=lambda w: {"name": "改名处", "code": "ZWC", "kind": "office", "parent": None, "is_active": True},
        patch=lambda w: {"name": "改名处"},
    ),
    "api_location-list": T(post=_room_form),
    "api_location-detail": T(
        lambda w: {"pk": w.room_a.pk},
        put=lambda w: {
            "name": "改名教室",
            "code": "A1-101",
            "kind": LocationKind.ROOM,
            "parent": _floor(w),
            "note": "",
        },
        patch=lambda w: {"name": "改名教室"},
    ),
    "api_person-list": T(),
    "api_person-detail": T(lambda w: {"pk": _staff(w).pk}),
    "api_membership-list": T(
        post=lambda w: {"name": "新同事", "phone": "13811119999", "roles": [{"role": Role.STAFF}]}
    ),
    "api_membership-detail": T(lambda w: {"pk": _staff(w).pk}, patch=lambda w: {"name": "改名"}),
    "api_membership-roles": T(
        lambda w: {"pk": _staff(w).pk}, put=lambda w: {"roles": [{"role": Role.STAFF}, {"role": Role.DISPATCHER}]}
    ),
    "api_membership-reset-password": T(lambda w: {"pk": _staff(w).pk}, post=lambda w: {}),
    "api_party-list": T(post=lambda w: {"name": "新供应商", "kind": "supplier"}),
    "api_party-detail": T(
        _org_a_row(Party),
        put=lambda w: {"name": "改名物业", "kind": "property_manager", "is_active": True},
        patch=lambda w: {"name": "改名物业"},
    ),
    "api_party_licence-list": T(
        post=lambda w: {"party": _org_a_row(Party)(w)["pk"], "kind": "business_licence", "number": "N1"}
    ),
    "api_party_licence-detail": T(
        _org_a_row(PartyLicence),
        put=lambda w: {"kind": "business_licence", "number": "N2", "issued_on": None, "expires_on": None},
        patch=lambda w: {"number": "N3"},
    ),
    "api_party_contact-list": T(post=lambda w: {"party": _org_a_row(Party)(w)["pk"], "name": "王五"}),
    "api_party_contact-detail": T(
        _org_a_row(PartyContact),
        put=lambda w: {"name": "赵六", "phone": "", "position": ""},
        patch=lambda w: {"name": "赵六"},
        delete=lambda w: {},
    ),
    # Uploads are multipart (not JSON): test_attachments posts real files; here the refusals are checked.
    "api_attachment-list": T(),
    "api_attachment-detail": T(_org_a_row(Attachment), delete=lambda w: {}),
    "api_attachment_file-detail": T(_org_a_row(Attachment)),
    "api_notification-list": T(),
    "api_notification-detail": T(_isolation_row(Notification)),
    "api_notification-read": T(_isolation_row(Notification), post=lambda w: {}),
    "api_notification-read-all": T(post=lambda w: {}),
    "api_notification_preference": T(
        put=lambda w: {"email": False, "robot_mention": True}, patch=lambda w: {"email": False}
    ),
    "api_setting-list": T(),
    "api_calendar_day-list": T(),
    "api_calendar_day-detail": T(_org_a_row(CalendarDay)),
    "api_term-list": T(),
    "api_term-detail": T(_org_a_row(Term)),
    "api_dictionary-list": T(),
    "api_approval_inbox-list": T(),
    "api_approval-list": T(),
    "api_approval-detail": T(lambda w: {"pk": w.approval.pk}),
    "api_approval-approve": T(lambda w: {"pk": w.approval.pk}, post=lambda w: {"comment": "同意"}),
    "api_approval-reject": T(lambda w: {"pk": w.approval.pk}, post=lambda w: {"comment": "预算不足"}),
    "api_approval-withdraw": T(lambda w: {"pk": w.own_approval.pk}, post=lambda w: {}),
    "api_delegation-list": T(
        post=lambda w: {
            "delegate": w.member(Role.STAFF).pk,
            "start_date": date.today().isoformat(),
            "end_date": date.today().isoformat(),
            "reason": "休假",
        }
    ),
    "api_delegation-detail": T(lambda w: {"pk": w.delegation.pk}),
    "api_delegation-end": T(lambda w: {"pk": w.delegation.pk}, post=lambda w: {}),
}

# Modules map their own routes (see isolation_support.py); found by name, so core imports no module.
MODULE_MAPS = [
    importlib.import_module(config.name + ".tests.isolation")
    for config in apps.get_app_configs()
    if config.name.startswith("houqin.")
    and config.label != "core"
    and importlib.util.find_spec(config.name + ".tests") is not None
    and importlib.util.find_spec(config.name + ".tests.isolation") is not None
]
for _module in MODULE_MAPS:
    PAGES.update(_module.PAGES)
    API.update(_module.API)
    BUREAU_READS |= set(_module.BUREAU_READS)
MODULE_MODELS = [
    model
    for model in apps.get_models()
    if issubclass(model, OrgScopedModel) and model._meta.app_label not in ("core", "sample")
]


# The world and its rows ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_media(tmp_path_factory):
    """The files of the shared rows (the room's photo); each test works on its own copy (``media_root``)."""
    return tmp_path_factory.mktemp("isolation-media")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, shared_media):
    """The world with every org-A row the routes reach (the foundation's, then each module's), made once per
    module and worker in a transaction that stays open until the module's last test and is then rolled back.
    Each test's own transaction (``db``) is a savepoint inside it, as with Django's ``setUpTestData``."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            # As in a test: nothing remembered about organisations (clean_org_cache), files in a temporary directory.
            with override_settings(MEDIA_ROOT=shared_media), mock.patch.object(orgcache, "enabled", False):
                w = build_world()
                for make_rows in (_notification_rows, _approval_rows, _calendar_rows, _party_rows, _compensation_rows):
                    make_rows(w)
                for module in MODULE_MAPS:
                    module.make_rows(w)
        except BaseException:
            _roll_back(atomics)
            raise
    yield w
    with django_db_blocker.unblock():
        _roll_back(atomics)


def _roll_back(atomics):
    for alias, atomic in reversed(atomics.items()):
        transaction.set_rollback(True, using=alias)
        atomic.__exit__(None, None, None)


@pytest.fixture
def world(db, shared_world):
    """The shared world, its rows in the database and a fresh copy of its instances for each test (tests
    change them in memory); whatever a test writes is undone with its savepoint."""
    return copy.deepcopy(shared_world)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path, shared_media):
    """Uploaded files of each test go to its own temporary directory, which starts with the shared rows' files."""
    settings.MEDIA_ROOT = shutil.copytree(shared_media, tmp_path / "media")
    return settings.MEDIA_ROOT


PAGE_METHODS = ["GET", "POST"]
API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# The walk ---------------------------------------------------------------------------------------


@dataclass
class Route:
    name: str | None  # with namespace ("core:department_list"); None for unnamed patterns
    route: str  # full pattern text
    params: frozenset[str]
    callback: Callable
    namespace: str = ""

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")

    @property
    def drf_actions(self) -> dict[str, str]:
        return getattr(self.callback, "actions", None) or {}

    def __str__(self):
        return "{} ({})".format(self.key, self.route)


def _params(pattern) -> set[str]:
    regex = getattr(pattern.pattern, "regex", None)
    return set(regex.groupindex) if regex is not None else set()


def collect_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, params: set[str]):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            found = params | _params(pattern)
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    route,
                    namespace + (pattern.namespace + ":" if pattern.namespace else ""),
                    found,
                )
            elif isinstance(pattern, URLPattern):
                name = namespace + pattern.name if pattern.name else None
                routes.append(Route(name, route, frozenset(found), pattern.callback, namespace.rstrip(":")))

    walk(get_resolver().url_patterns, "", "", set())
    return routes


ROUTES = collect_routes()
ORG_ROUTES = [r for r in ROUTES if "org_code" in r.params]


def _exempt_reason(route: Route) -> str | None:
    for key in (route.key, route.namespace + ":*" if route.namespace else None):
        if key in EXEMPT:
            return EXEMPT[key]
        if key in DEBUG_ONLY_EXEMPT:
            return DEBUG_ONLY_EXEMPT[key]
    return None


def _target(route: Route) -> T | None:
    return (API if route.is_api else PAGES).get(route.name)


def _url(route: Route, world, org_code: str = "org-a") -> str:
    kwargs = {"org_code": org_code, **_target(route).kwargs(world)}
    if "format" in route.params:
        kwargs["format"] = "json"
    assert set(kwargs) == set(route.params), "{}: mapping gives {}, the route takes {}".format(
        route, set(kwargs), set(route.params)
    )
    return reverse(route.name, kwargs=kwargs)


def _required_action(route: Route, method: str) -> tuple[bool, str | None]:
    """(is this request a read, the action it needs) as the view declares it."""
    if route.is_api:
        drf_action = route.drf_actions.get(method.lower())
        if drf_action in READ_DRF_ACTIONS:
            return True, route.callback.cls.view_permission
        return False, getattr(route.callback.cls, "manage_permission", None)
    return method == "GET", route.callback.required_action


def _state() -> dict:
    """Every row of the foundation's org data (both orgs) and the size of its history."""
    with connection.cursor() as cursor:
        return {read.key: read.value(cursor) for read in _state_reads()}


@functools.cache
def _state_reads() -> list[_Read]:
    with scopes_disabled():
        reads = []
        for model in (
            Organization,
            Department,
            Location,
            Membership,
            RoleGrant,
            User,
            OrgSetting,
            DictionaryItem,
            CalendarDay,
            Term,
        ):
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            reads.append(_Read.of(model.__name__, model._base_manager.order_by("pk").values_list(*fields)))
            reads.append(_Read.of(model.__name__ + ".history", model.history.values_list("pk"), counted=True))
        for model in (Notification, NotificationPreference, WebhookChannel, OutboxMessage):
            reads.append(_Read.of(model.__name__, model._base_manager.order_by("pk").values_list()))
        for model in (ApprovalRule, ApprovalRuleStep, ApprovalRequest, ApprovalStep, Delegation, WorkflowEvent):
            reads.append(_Read.of(model.__name__, model._base_manager.order_by("pk").values_list()))
        for model in (Party, PartyLicence, PartyContact, Attachment, Compensation, *MODULE_MODELS):
            reads.append(_Read.of(model._meta.label, model._base_manager.order_by("pk").values_list()))
            if hasattr(model, "history"):
                reads.append(_Read.of(model._meta.label + ".history", model.history.values_list("pk"), counted=True))
    return reads


@dataclass(frozen=True)
class _Read:
    """One query of _state(), compiled once: building and compiling its ~60 queries took most of its time, and
    it runs twice in every test. Its rows come back converted as ``values_list()`` converts them."""

    key: str
    compiler: SQLCompiler
    sql: str
    params: tuple
    counted: bool  # only the number of rows is kept

    @classmethod
    def of(cls, key: str, queryset, counted: bool = False) -> _Read:
        compiler = queryset.query.get_compiler(queryset.db)
        return cls(key, compiler, *compiler.as_sql(), counted)

    def value(self, cursor):
        cursor.execute(self.sql, self.params)
        rows = cursor.fetchall()
        return len(rows) if self.counted else list(self.compiler.results_iter([rows], tuple_expected=True))


def _send(client, route: Route, url: str, method: str, world):
    target = _target(route)
    builder = target.body(method) if method != "GET" else None
    body = builder(world) if builder else {}
    if route.is_api:
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, body)


# Coverage of the walk ---------------------------------------------------------------------------


def test_the_walk_finds_pages_and_api():
    keys = {route.key for route in ROUTES}
    assert "core:department_detail" in keys and "login" in keys
    assert any(route.is_api for route in ORG_ROUTES), "no API route found under /api/v1/o/<org_code>/"


def test_every_route_is_covered_or_exempt():
    missing = []
    for route in ROUTES:
        if "org_code" in route.params:
            if _target(route) is None:
                missing.append("{}: add it to {}".format(route, "API" if route.is_api else "PAGES"))
        elif _exempt_reason(route) is None:
            missing.append("{}: not under an organisation; add it to EXEMPT with a reason".format(route))
    assert not missing, "routes neither covered nor exempt:\n" + "\n".join(missing)


def test_no_stale_entries():
    names = {route.name for route in ROUTES if route.name}
    keys = {route.key for route in ROUTES}
    namespaces = {route.namespace + ":*" for route in ROUTES if route.namespace}
    stale = [key for key in EXEMPT if key not in keys and key not in namespaces]
    stale += [name for name in PAGES if name not in names]
    stale += [name for name in API if name not in names]
    assert not stale, "entries that no longer name a route: {}".format(stale)


def test_every_org_route_declares_its_protection():
    """Pages under an org go through @org_view (which sets ``required_action``); API views through
    OrgViewSetMixin (actor, 404 for unreachable orgs, view/manage permissions)."""
    unprotected = []
    for route in ORG_ROUTES:
        if route.is_api:
            if not issubclass(route.callback.cls, OrgViewSetMixin):
                unprotected.append(str(route))
        elif not hasattr(route.callback, "required_action"):
            unprotected.append(str(route))
    assert not unprotected, "org routes without @org_view / OrgViewSetMixin: {}".format(unprotected)


def test_scoped_manager_fails_closed(world):
    with pytest.raises(ScopeError):
        Department.objects.count()


# The requests -----------------------------------------------------------------------------------


def _methods(route: Route) -> list[str]:
    return API_METHODS if route.is_api else PAGE_METHODS


ROUTE_CASES = [
    pytest.param(route, id=route.key + ("-fmt" if "format" in route.params else ""))
    for route in ORG_ROUTES
    if _target(route) is not None  # the others are reported by test_every_route_is_covered_or_exempt
]
CONTROL_CASES = [
    pytest.param(route, method, id="{}-{}{}".format(route.key, method, "-fmt" if "format" in route.params else ""))
    for route in (case.values[0] for case in ROUTE_CASES)
    for method in _methods(route)
    if "format" not in route.params  # the suffixed twin runs the same view; the refusals above cover it
    and (
        (method == "GET" and (not route.is_api or "get" in route.drf_actions))
        or (_target(route).body(method) is not None and (not route.is_api or method.lower() in route.drf_actions))
    )
]
ORG_A_SECRETS = ("甲小学", "总务处", "101教室")  # names of org-A rows that must not appear in a refusal


def _assert_unchanged(before, route, methods, who):
    # Taken once around all of a route's requests (each _state() reads every table): any change fails, and
    # the message names the requests, one of which made it.
    after = _state()
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, "{} {} as {} changed {}".format("/".join(methods), route, who, changed)


@pytest.mark.parametrize("route", ROUTE_CASES)
def test_org_b_admin_cannot_reach_org_a(world, login, route):
    client = login(world.member_b)
    before = _state()
    for method in _methods(route):
        response = _send(client, route, _url(route, world), method, world)
        assert response.status_code in (404, 405), "{} {} as org-B admin: {}".format(
            method, route, response.status_code
        )
        body = response.content.decode(errors="replace")
        assert not any(secret in body for secret in ORG_A_SECRETS), "{} {} shows org-A data".format(method, route)
    _assert_unchanged(before, route, _methods(route), "org-B admin")


# URL parameters that name something registered in code (the same in every organisation), not an org-A row.
NOT_ROW_PARAMS = {"key": "a registered dictionary key (dictionaries.REGISTRY)"}


@pytest.mark.parametrize(
    "route", [case for case in ROUTE_CASES if case.values[0].params - {"org_code", "format", *NOT_ROW_PARAMS}]
)
def test_org_b_admin_cannot_use_org_a_ids_in_its_own_org(world, login, route):
    """The same org-A ids under org B's own address, where the org-B admin may do everything."""
    client = login(world.member_b)
    before = _state()
    for method in _methods(route):
        response = _send(client, route, _url(route, world, org_code="org-b"), method, world)
        allowed = {404, 405}
        if route.is_api and method.lower() not in route.drf_actions:
            allowed.add(403)  # the method does not exist here: refused before any row is looked up
        assert response.status_code in allowed, "{} {} (org-B address, org-A id): {}".format(
            method, route, response.status_code
        )
    _assert_unchanged(before, route, _methods(route), "org-B admin in org B")


@pytest.mark.parametrize("route", ROUTE_CASES)
def test_bureau_reads_org_a_and_writes_nothing(world, login, route):
    client = login(world.bureau_member)
    before = _state()
    for method in _methods(route):
        response = _send(client, route, _url(route, world), method, world)
        is_read, action = _required_action(route, method)
        # A POST-only page (get_status 405) has no read, whatever action guards it.
        if is_read and method == "GET" and action in BUREAU_READS and _target(route).get_status == 200:
            assert response.status_code == 200, "{} {} as bureau: {}".format(method, route, response.status_code)
        else:
            assert response.status_code in (403, 404, 405), "{} {} as bureau: {}".format(
                method, route, response.status_code
            )
    _assert_unchanged(before, route, _methods(route), "bureau")


@pytest.mark.parametrize("route", [case for case in ROUTE_CASES if not _target(case.values[0]).public])
def test_anonymous_is_sent_to_login(world, client, route):
    before = _state()
    for method in _methods(route):
        response = _send(client, route, _url(route, world), method, world)
        if route.is_api:
            assert response.status_code in (401, 403), "{} {}: {}".format(method, route, response.status_code)
        elif response.status_code != 405:
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    _assert_unchanged(before, route, _methods(route), "anonymous")


@pytest.mark.parametrize("route,method", CONTROL_CASES)
def test_control_org_a_admin_succeeds(world, login, route, method):
    """The same requests as org A's org_admin succeed, and every write changes data: the refusals above
    are refusals of real, valid writes."""
    target = _target(route)
    client = login(world.member(target.control_role))
    before = _state()
    response = _send(client, route, _url(route, world), method, world)
    if method == "GET":
        assert response.status_code == target.get_status, "{} {}: {}".format(method, route, response.status_code)
        return
    assert response.status_code in (200, 201, 204, 302), "{} {}: {} {}".format(
        method, route, response.status_code, response.content.decode(errors="replace")[:1500]
    )
    if not route.is_api and response.status_code == 200:
        # A page that answers 200 to a POST must not be showing form errors.
        assert "data-field-error" not in response.content.decode(), response.content.decode()[:3000]
    after = _state()
    assert before != after, "{} {} succeeded but changed nothing".format(method, route)


def test_admin_site_refuses_organisation_members(world, login):
    for membership in (world.member_b, world.bureau_member, world.member(Role.ORG_ADMIN)):
        response = login(membership).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_route_patterns_are_readable():
    # Guard the walk itself: every org route has the org code as its first parameter in the path.
    for route in ORG_ROUTES:
        assert re.match(r"^(api/v1/)?o/<slug:org_code>/", route.route), route
