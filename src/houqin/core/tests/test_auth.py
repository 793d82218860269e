import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houqin.core.choices import Role, SecurityEventKind
from houqin.core.models import SecurityEvent, User
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import PASSWORD, make_member


def _login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_it_logs_in_with_phone_and_lands_on_the_org_home(world, client):
    member = world.member(Role.LOGISTICS_HEAD)
    response = _login(client, member.user.phone)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.request["PATH_INFO"] == reverse("core:home", args=["org-a"])
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN, user=member.user).count() == 1


def test_it_logs_in_with_employee_number(world, client):
    member = world.member(Role.TECHNICIAN)
    assert _login(client, member.employee_no).status_code == 302


def test_an_employee_number_used_in_two_orgs_asks_which_org(world, client):
    same_no = world.member(Role.STAFF).employee_no
    make_member(world.org_b, Role.STAFF, employee_no=same_no)
    response = _login(client, same_no)
    assert response.status_code == 200
    assert response.context["form"].org_choices == [world.org_a, world.org_b] or set(
        response.context["form"].org_choices
    ) == {world.org_a, world.org_b}
    assert _login(client, same_no, org="org-a").status_code == 302
    assert int(client.session["_auth_user_id"]) == world.member(Role.STAFF).user_id


def test_wrong_password_is_refused_and_logged(world, client):
    member = world.member(Role.STAFF)
    response = _login(client, member.user.phone, "wrong-password-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, user=member.user).count() == 1


def test_repeated_failures_lock_the_account_even_with_the_right_password(world, client):
    member = world.member(Role.STAFF)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, member.user.phone, "wrong-password-1")
    response = _login(client, member.user.phone, PASSWORD)
    assert response.status_code == 403
    assert response.context["locked_out"] in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).exists()


def test_one_time_password_forces_a_change_before_anything_else(world, client):
    member = world.member(Role.STAFF)
    member.user.must_change_password = True
    member.user.save()
    _login(client, member.user.phone)
    response = client.get(reverse("core:home", args=["org-a"]))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get("/api/v1/o/org-a/departments/").status_code == 403
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "qingyang2026", "new_password2": "qingyang2026"},
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.must_change_password
    assert client.get(reverse("core:home", args=["org-a"])).status_code == 200


@pytest.mark.parametrize("weak", ["12345678", "abcdefgh", "short1"])
def test_password_rules_refuse_weak_passwords(world, client, weak):
    member = world.member(Role.STAFF)
    client.force_login(member.user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_a_used_session_lives_on_an_idle_one_ends_and_renewal_writes_at_most_once_a_minute(world, login):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    home = reverse("core:location_list", args=["org-a"])  # a page that writes nothing to the session itself
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = login(world.member(Role.STAFF))

        def expiry():
            return Session.objects.get(session_key=client.session.session_key).expire_date

        assert expiry() == start + timedelta(hours=8)
        clock.shift(30)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(home).status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert not [sql for sql in writes if "django_session" in sql]  # half a minute after the login: nothing
        assert expiry() == start + timedelta(hours=8)
        clock.shift(7 * 60 * 60)  # busy all day: a request within the limit keeps it alive
        assert client.get(home).status_code == 200
        assert expiry() == start + timedelta(hours=7, seconds=30) + timedelta(hours=8)
        clock.shift(8 * 60 * 60 + 1)  # idle longer than the limit: logged out
        response = client.get(home)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_security_log_shows_this_orgs_events_only_to_org_admin(world, client, login):
    _login(client, world.member(Role.STAFF).user.phone, "wrong-password-1")
    _login(client, world.member_b.user.phone, "wrong-password-1")
    client.logout()
    admin = login(world.member(Role.ORG_ADMIN))
    response = admin.get(reverse("core:security_log", args=["org-a"]))
    rows = response.context["page"]["rows"]
    assert {e.user_id for e in rows if e.kind == SecurityEventKind.LOGIN_FAILED} == {world.member(Role.STAFF).user_id}
    assert login(world.member(Role.LOGISTICS_HEAD)).get(reverse("core:security_log", args=["org-a"])).status_code == 403


def test_exports_are_logged(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(reverse("core:person_export", args=["org-a"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert event.org == world.org_a and event.user == world.member(Role.ORG_ADMIN).user


def test_phone_numbers_are_masked_for_people_who_do_not_need_them(world, login):
    staff = world.member(Role.STAFF)
    admin_page = login(world.member(Role.ORG_ADMIN)).get(reverse("core:person_detail", args=["org-a", staff.pk]))
    assert staff.user.phone in admin_page.content.decode()
    with org_scope(world.org_a):
        technician = world.member(Role.TECHNICIAN)
    own_page = login(technician).get(reverse("core:person_detail", args=["org-a", technician.pk]))
    assert technician.user.phone in own_page.content.decode()
    finance_page = login(world.member(Role.FINANCE)).get(reverse("core:person_detail", args=["org-a", staff.pk]))
    assert staff.user.phone not in finance_page.content.decode()
    assert staff.user.masked_phone in finance_page.content.decode()


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "houqin.example"}, "HOUQIN_BASE_URL"),
    ],
)
def test_production_refuses_to_start_without_required_settings(env, message, tmp_path):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUQIN_TESTING", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "HOUQIN_BASE_URL"}
    }
    clean.update(env, DEBUG="false", DJANGO_SETTINGS_MODULE="houqin.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=clean, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_starts_with_required_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HOUQIN_TESTING"}
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="houqin.example",
        HOUQIN_BASE_URL="https://houqin.example",
        DJANGO_SETTINGS_MODULE="houqin.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


def test_api_token_with_employee_number(world, client):
    member = world.member(Role.DISPATCHER)
    response = client.post(
        reverse("api_token"), {"username": member.employee_no, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api = client.get("/api/v1/o/org-a/departments/", HTTP_AUTHORIZATION="Token " + token)
    assert api.status_code == 200
    assert User.objects.filter(pk=member.user_id).exists()


def test_one_time_passwords_use_the_light_hash_only_until_the_first_login(world, client):
    from houqin.core import services
    from houqin.core.access import build_actor

    admin = world.member(Role.ORG_ADMIN)
    with org_scope(world.org_a):
        actor = build_actor(admin.user, world.org_a)
        membership, password = services.person_create(actor=actor, name="新同事", phone="13712345678")
    membership.user.refresh_from_db()
    assert membership.user.password.startswith("pbkdf2_sha256_otp$")
    assert _login(client, "13712345678", password).status_code == 302
    membership.user.refresh_from_db()
    assert not membership.user.password.startswith("pbkdf2_sha256_otp$")


def test_a_password_reset_revokes_api_tokens(world, login):
    from rest_framework.authtoken.models import Token

    staff = world.member(Role.STAFF)
    Token.objects.create(user=staff.user)
    response = login(world.member(Role.ORG_ADMIN)).post(reverse("core:person_reset_password", args=["org-a", staff.pk]))
    assert response.status_code == 200
    assert not Token.objects.filter(user=staff.user).exists()
