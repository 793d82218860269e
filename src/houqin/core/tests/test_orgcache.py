"""What a process remembers of an organisation's set-up (orgcache) is never older than the row a request
read: every change to people, roles, tokens, departments, dictionaries, settings or the calendar shows at
once, also to a client that has just been answered from memory."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from houqin.core import dictionaries, orgcache, orgsettings, workcalendar
from houqin.core.choices import Role
from houqin.core.models import CalendarDay, CalendarDayKind, Membership, Organization, RoleGrant
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member

pytestmark = pytest.mark.orgcache

SETTINGS = "/api/v1/o/org-a/settings/"  # the org admin reads them, staff may not


def _grant_admin(member):
    RoleGrant.objects.create(org=member.org, membership=member, role=Role.ORG_ADMIN)


def _revoke_admin(member):
    RoleGrant.objects.filter(membership=member, role=Role.ORG_ADMIN).get().delete()


def _leave(member):
    member.is_active = False
    member.save()


def _deactivate_person(member):
    member.user.is_active = False
    member.user.save()


def _delete_token(member):
    Token.objects.get(user=member.user).delete()


def _one_time_password(member):
    member.user.must_change_password = True
    member.user.save()


def _move_department(member):
    member.department = None  # the org admin's grant is not limited: leaving a department changes nothing
    member.save()


# (what changes, whether the person starts as org admin, status before, status after)
CHANGES = [
    (_grant_admin, False, 403, 200),
    (_revoke_admin, True, 200, 403),
    (_leave, True, 200, 404),
    (_deactivate_person, True, 200, 401),
    (_delete_token, True, 200, 401),
    (_one_time_password, True, 200, 403),
    (_move_department, True, 200, 200),
]


@pytest.mark.parametrize(("change", "admin", "before", "after"), CHANGES, ids=[c[0].__name__ for c in CHANGES])
def test_a_change_of_access_shows_on_the_next_api_call(world, change, admin, before, after):
    member = make_member(world.org_a, Role.ORG_ADMIN if admin else Role.STAFF, department=world.dept_a)
    token = Token.objects.create(user=member.user)
    client = Client(HTTP_AUTHORIZATION="Token " + token.key)
    for _ in range(3):  # after the first (made in this transaction), answers come from memory
        assert client.get(SETTINGS).status_code == before
    with org_scope(world.org_a), scopes_disabled():
        change(Membership.objects.select_related("user", "org").get(pk=member.pk))
    assert client.get(SETTINGS).status_code == after


def test_remembered_access_saves_the_queries_of_token_and_roles(world):
    token = Token.objects.create(user=world.member(Role.ORG_ADMIN).user)
    client = Client(HTTP_AUTHORIZATION="Token " + token.key)
    client.get(SETTINGS)  # made in this test's transaction: read, not kept
    client.get(SETTINGS)  # kept
    with CaptureQueriesContext(connection) as warm:
        client.get(SETTINGS)
    orgcache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(SETTINGS)
    assert len(cold) - len(warm) == 3  # token and person, memberships, role grants


def test_a_bureau_change_reaches_the_schools_below(world):
    def versions():
        return dict(Organization.objects.values_list("code", "config_version"))

    before = versions()
    with scopes_disabled():
        RoleGrant.objects.filter(membership=world.bureau_member).delete()
    after = versions()
    assert after["org-a"] > before["org-a"]
    assert after["org-b"] == before["org-b"]  # not below the bureau


def test_dictionary_settings_and_calendar_are_read_anew_after_a_change(world):
    admin = world.member(Role.ORG_ADMIN)
    with org_scope(world.org_a):
        org = Organization.objects.get(pk=world.org_a.pk)
        key = next(iter(dictionaries.REGISTRY))
        first = dictionaries.entries(org, key)[0]
        dictionaries.dictionary_update(
            actor=_actor(admin), key=key, items=[{"code": first.code, "label": "改过的名称", "is_active": True}]
        )
        org = Organization.objects.get(pk=world.org_a.pk)
        assert dictionaries.label(org, key, first.code) == "改过的名称"

        setting = orgsettings.REGISTRY[workcalendar.WORKING_HOURS]
        assert orgsettings.value(org, setting.key) == setting.default
        orgsettings.settings_update(actor=_actor(admin), values={setting.key: [["09:00", "17:00"]]})
        org = Organization.objects.get(pk=world.org_a.pk)
        assert orgsettings.value(org, setting.key) == [["09:00", "17:00"]]

        monday = date(2026, 11, 23)
        assert workcalendar.add_working_days(org, monday, 1) == date(2026, 11, 24)
        CalendarDay.objects.create(org=org, date=date(2026, 11, 24), kind=CalendarDayKind.HOLIDAY, name="校庆")
        org = Organization.objects.get(pk=world.org_a.pk)
        assert workcalendar.add_working_days(org, monday, 1) == date(2026, 11, 25)


def test_nothing_is_kept_from_a_transaction_that_is_rolled_back(world):
    admin = world.member(Role.ORG_ADMIN)
    with org_scope(world.org_a):
        org = Organization.objects.get(pk=world.org_a.pk)
        key = next(iter(dictionaries.REGISTRY))
        first = dictionaries.entries(org, key)[0]
        with pytest.raises(RuntimeError), transaction.atomic():
            dictionaries.dictionary_update(
                actor=_actor(admin), key=key, items=[{"code": first.code, "label": "未提交", "is_active": True}]
            )
            assert dictionaries.label(org, key, first.code) == "未提交"  # the stale row's version: read, not kept
            raise RuntimeError
        assert dictionaries.label(org, key, first.code) == first.label


def test_a_stale_organisation_row_does_not_put_an_older_version_back(world):
    stale = Organization.objects.get(pk=world.org_a.pk)
    with scopes_disabled():
        RoleGrant.objects.create(org=world.org_a, membership=world.member(Role.STAFF), role=Role.DISPATCHER)
    raised = Organization.objects.get(pk=world.org_a.pk).config_version
    stale.name = "甲小学（新校区）"
    stale.save()
    assert Organization.objects.get(pk=world.org_a.pk).config_version > raised


def _actor(membership):
    from houqin.core.access import build_actor

    return build_actor(membership.user, Organization.objects.get(pk=membership.org_id))
