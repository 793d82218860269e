"""What a request reads about its organisation's set-up, kept in this process and exact to the row.

Every request reads its organisation's row anyway (``OrgScopeMiddleware``). That row carries
``config_version``, which one UPDATE raises whenever something kept here changes: people and their roles,
API tokens, departments, places, parties, dictionaries, settings, the calendar, notification channels and
preferences. A value is kept under (organisation, version, key), so a request never sees one older than
the row it read; other processes notice the change on their next request, this one at once.

Changes that bypass ``save()``/``delete()`` (``bulk_create``, ``update()``) call ``changed()`` themselves.
Inside the transaction that made a change nothing is kept for that organisation (the change may still be
rolled back); the request's end or the commit lifts that.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
LIMIT = 4096  # entries per process: a few per person who used the API lately, a few dozen per organisation

enabled = True  # the test suite turns it off except where a test is marked to use it (see conftest)
_entries: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()
_local = threading.local()  # .changing: organisations changed in this thread's open transaction


def _changing() -> set[int]:
    if not hasattr(_local, "changing"):
        _local.changing = set()
    return _local.changing


def remember(org, key: tuple, build: Callable[[], T]) -> T:
    """``build()``'s value for ``org`` (an Organization row as read by this request), built once per version."""
    if not enabled or org.pk in _changing():
        return build()
    full_key = (org.pk, org.config_version, *key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
    value = build()
    with _lock:
        _entries[full_key] = value
        if len(_entries) > LIMIT:
            _entries.popitem(last=False)
    return value


def _forget(org_ids: set[int]) -> None:
    with _lock:
        for key in [key for key in _entries if key[0] in org_ids]:
            del _entries[key]


def changed(org_ids: Iterable[int]) -> None:
    """Raise the version of these organisations and of every organisation below them (bureau readers'
    access comes from above)."""
    from .models import Organization

    org_ids = sorted(set(org_ids))
    if not org_ids:
        return
    table = connection.ops.quote_name(Organization._meta.db_table)
    # One statement (PostgreSQL and SQLite ≥ 3.35 have RETURNING): the organisations and all below them.
    sql = (
        "UPDATE {t} SET config_version = config_version + 1 WHERE EXISTS (SELECT 1 FROM {t} AS changed "
        "WHERE changed.id IN ({ids}) AND {t}.path LIKE changed.path || '%%') RETURNING id"
    ).format(t=table, ids=", ".join(["%s"] * len(org_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, org_ids)
        ids = {row[0] for row in cursor.fetchall()}
    _forget(ids)
    changing = _changing()
    changing.update(ids)
    transaction.on_commit(lambda: changing.difference_update(ids))


def renew_all() -> None:
    """After a restore: versions no process can have seen (a restored row may carry an old number)."""
    from .models import Organization

    Organization.objects.update(config_version=time.time_ns() // 1000)
    clear()


def request_finished() -> None:
    """The request's transactions are over: what they changed is committed or rolled back."""
    _changing().clear()


def clear() -> None:
    """Forget everything (tests start each from a clean process state)."""
    with _lock:
        _entries.clear()
    _changing().clear()


# What raises the version ---------------------------------------------------------------------------


def _org_of_row(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures and restores: the loader calls changed() once at the end
    changed([instance.org_id])


def _orgs_of_user(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= {"last_login"}:
        return  # a login changes nothing kept here
    from .models import Membership
    from .tenancy import scopes_disabled

    user_id = instance.user_id if hasattr(instance, "user_id") else instance.pk
    with scopes_disabled():
        changed(Membership.objects.filter(user_id=user_id).values_list("org_id", flat=True))


def _organisation(sender, instance, created=False, **kwargs):
    if kwargs.get("raw"):
        return
    if created:
        _forget({instance.pk})  # an id used by a rolled-back organisation starts clean
    else:
        changed([instance.pk])


def connect() -> None:
    from rest_framework.authtoken.models import Token

    from .models import (
        CalendarDay,
        Department,
        DictionaryItem,
        Location,
        Membership,
        NotificationPreference,
        Organization,
        OrgSetting,
        Party,
        RoleGrant,
        User,
        WebhookChannel,
    )

    watched = (Membership, RoleGrant, Department, Location, DictionaryItem, OrgSetting, CalendarDay)
    for model in (*watched, Party, NotificationPreference, WebhookChannel):
        post_save.connect(_org_of_row, sender=model, dispatch_uid="orgcache-save")
        post_delete.connect(_org_of_row, sender=model, dispatch_uid="orgcache-delete")
    for model in (User, Token):
        post_save.connect(_orgs_of_user, sender=model, dispatch_uid="orgcache-save")
        post_delete.connect(_orgs_of_user, sender=model, dispatch_uid="orgcache-delete")
    post_save.connect(_organisation, sender=Organization, dispatch_uid="orgcache-save")
