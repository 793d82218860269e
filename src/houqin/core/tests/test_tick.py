"""`houqin tick`: each job in its own transaction, failures reported, one run at a time, idempotent."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from houqin.core import tick
from houqin.core.choices import SecurityEventKind
from houqin.core.models import SecurityEvent, User
from houqin.core.tenancy import scopes_disabled

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROZEN = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def registered():
    """Register test jobs for one test only (the registry is global)."""
    added = []

    def add(name, func, **options):
        tick.job(name, **options)(func)
        added.append(name)

    yield add
    for name in added:
        del tick.JOBS[name]


def remind_one_time_passwords(now) -> int:
    """A reminder per account still on a one-time password, written once (the example of an idempotent job)."""
    with scopes_disabled():
        reminded = set(
            SecurityEvent.objects.filter(detail="reminder: one-time password").values_list("user_id", flat=True)
        )
        due = User.objects.filter(must_change_password=True).exclude(pk__in=reminded)
        created = 0
        for user in due:
            SecurityEvent.objects.create(
                kind=SecurityEventKind.PASSWORD_RESET, user=user, detail="reminder: one-time password", created_at=now
            )
            created += 1
    return created


def _run(*args) -> str:
    out = StringIO()
    call_command("tick", *args, stdout=out, stderr=out)
    return out.getvalue()


def _counts(job_names) -> dict[str, int]:
    return dict(line.rsplit(": ", 1) for line in _run(*[a for n in job_names for a in ("--job", n)]).splitlines())


def test_a_job_run_twice_at_the_same_clock_changes_nothing_the_second_time(world, registered):
    registered("test.remind", remind_one_time_passwords)
    with scopes_disabled():
        User.objects.filter(pk=world.member("staff").user_id).update(must_change_password=True)
    with time_machine.travel(FROZEN, tick=False):
        assert _counts(["test.remind"]) == {"test.remind": "1"}
        assert _counts(["test.remind"]) == {"test.remind": "0"}
    with scopes_disabled():
        assert SecurityEvent.objects.filter(detail="reminder: one-time password").count() == 1


def test_a_failing_job_is_reported_rolled_back_and_does_not_stop_the_others(world, registered):
    def broken(now):
        SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, detail="half done")
        raise RuntimeError("boom")

    registered("test.broken", broken)
    registered("test.remind", remind_one_time_passwords)
    with scopes_disabled():
        User.objects.filter(pk=world.member("staff").user_id).update(must_change_password=True)
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 job\(s\) failed: test\.broken"):
        call_command("tick", "--job", "test.broken", "--job", "test.remind", stdout=out, stderr=out)
    assert "test.broken: FAILED RuntimeError: boom" in out.getvalue()
    assert "test.remind: 1" in out.getvalue()
    with scopes_disabled():
        assert not SecurityEvent.objects.filter(detail="half done").exists()  # its transaction rolled back


def test_list_names_every_job_and_an_unknown_job_is_refused(registered):
    registered("test.remind", remind_one_time_passwords)
    listed = _run("--list").split()
    assert listed == list(tick.JOBS) and "test.remind" in listed and "core.security_log_retention" in listed
    with pytest.raises(CommandError, match="unknown job: nope"):
        _run("--job", "nope")


def test_a_second_concurrent_run_exits_quietly(world, registered):
    calls = []
    registered("test.count", lambda now: calls.append(now) or 0)
    with tick.exclusive() as first:
        assert first
        out = StringIO()
        call_command("tick", "--job", "test.count", stdout=out, verbosity=1)  # no error, no output, no run
        assert out.getvalue() == "" and calls == []
    _run("--job", "test.count")  # the lock is released after the first run
    assert len(calls) == 1


def test_security_log_retention_deletes_only_what_is_older_than_the_org_keeps(world):
    from houqin.core import orgsettings
    from houqin.core.access import build_actor

    admin = world.member("org_admin")
    with scopes_disabled():
        orgsettings.settings_update(
            actor=build_actor(admin.user, world.org_a), values={"core.security_log_retention_days": 200}
        )
        old = FROZEN - timedelta(days=250)
        kept = FROZEN - timedelta(days=150)
        a_old = SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, org=world.org_a, created_at=old)
        a_kept = SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, org=world.org_a, created_at=kept)
        b_old = SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, org=world.org_b, created_at=old)
        login_old = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, created_at=FROZEN - timedelta(days=400))
    with time_machine.travel(FROZEN, tick=False):
        assert _counts(["core.security_log_retention"]) == {"core.security_log_retention": "2"}
        assert _counts(["core.security_log_retention"]) == {"core.security_log_retention": "0"}
    remaining = set(SecurityEvent.objects.values_list("pk", flat=True))
    assert a_old.pk not in remaining and login_old.pk not in remaining
    assert {a_kept.pk, b_old.pk} <= remaining  # org B keeps the default 365 days


# Every registered job, against the demo data ----------------------------------------------------


def _database_state() -> dict[str, str]:
    """A digest of every row of every houqin table: a second run must add, delete and change nothing."""
    with scopes_disabled():
        return {
            model._meta.label: hashlib.sha256(
                repr(list(model._base_manager.order_by("pk").values_list())).encode()
            ).hexdigest()
            for model in apps.get_models()
            if model._meta.app_label == "core" or model.__module__.startswith("houqin")
        }


@pytest.mark.django_db
@pytest.mark.parametrize("job_name", sorted(tick.JOBS))
def test_every_registered_job_is_idempotent_on_the_demo_data(job_name):
    """The guard for jobs that modules register: a second run at the same clock reports 0 and changes no row."""
    call_command("demo", size="small", stdout=StringIO())
    with time_machine.travel(FROZEN + timedelta(days=400), tick=False):
        _counts([job_name])
        before = _database_state()
        cache.delete(tick.LAST_RUN_KEY.format(job_name))  # a job that runs every few hours must really run again
        assert _counts([job_name]) == {job_name: "0"}
        assert _database_state() == before


def test_the_whole_tick_is_idempotent_on_the_demo_data(db):
    call_command("demo", size="small", stdout=StringIO())
    with time_machine.travel(FROZEN + timedelta(days=400), tick=False):
        first = _counts(list(tick.JOBS))
        assert sum(map(int, first.values())) > 0, first  # the guard runs against data with work to do
        before = _database_state()
        second = _counts(list(tick.JOBS))
        assert set(second.values()) == {"0"}, second
        assert _database_state() == before


def test_the_idempotence_guard_covers_every_job_module_registers():
    """The parametrized guard above is collected from the registry: it must see the jobs of every module."""
    assert {"notifications.deliver", "parties.licence_expiry", "core.security_log_retention"} <= set(tick.JOBS)


def test_what_a_job_notifies_is_delivered_in_the_same_tick(world, registered, mailoutbox):
    from houqin.core.notifications import notify

    head = world.member("logistics_head").user
    head.email = "head@example.com"
    head.save()

    def announce(now) -> int:
        with scopes_disabled():
            if SecurityEvent.objects.filter(detail="announced").exists():
                return 0
            SecurityEvent.objects.create(kind=SecurityEventKind.EXPORT, detail="announced", created_at=now)
        notify(org=world.org_a, recipients=[head], event="test.announce", title="停水通知")
        return 1

    registered("test.announce", announce)
    with time_machine.travel(FROZEN, tick=False):
        first = _run("--job", "notifications.deliver", "--job", "test.announce")
        assert [m.subject for m in mailoutbox] == ["停水通知"], first
        _run("--job", "notifications.deliver", "--job", "test.announce")
    assert len(mailoutbox) == 1


def test_a_job_with_an_interval_runs_at_most_that_often(db, registered):
    runs = []
    registered("test.housekeeping", lambda now: runs.append(now) or 1, every=timedelta(hours=6))
    for minutes, expected in [(0, "1"), (2, "0"), (359, "0"), (360, "1"), (362, "0")]:
        with time_machine.travel(FROZEN + timedelta(minutes=minutes), tick=False):
            assert _counts(["test.housekeeping"]) == {"test.housekeeping": expected}, minutes
    assert len(runs) == 2
