"""Invariants the database must hold when people act at the same moment (PostgreSQL only)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from houqin.core import services
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Department, Membership
from houqin.core.tenancy import org_scope

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]
THREADS = 8


def _race(target):
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def run(index):
        try:
            barrier.wait()
            target(index)
            outcomes.append("ok")
        except (ValidationError, IntegrityError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_one_code_is_taken_once_when_many_create_it_at_once(world):
    admin = world.member(Role.ORG_ADMIN)

    def create(index):
        with org_scope(world.org_a):
            actor = build_actor(admin.user, world.org_a)
            services.department_create(actor=actor, name="同名部门{}".format(index), code="RACE", kind="office")

    outcomes = _race(create)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1
    with org_scope(world.org_a):
        assert Department.objects.filter(code="RACE").count() == 1


def test_one_phone_becomes_one_member_when_added_at_once(world):
    admin = world.member(Role.ORG_ADMIN)

    def add(index):
        with org_scope(world.org_a):
            actor = build_actor(admin.user, world.org_a)
            services.person_create(actor=actor, name="新人{}".format(index), phone="13712340000")

    outcomes = _race(add)
    assert outcomes.count("ok") == 1
    with org_scope(world.org_a):
        assert Membership.objects.filter(user__phone="13712340000").count() == 1
