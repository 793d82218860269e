"""Facts of the assets module: each figure opens the asset list of exactly the assets it was computed from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import resolve

from houqin.core import facts, orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.test_facts import _listed_ids

from ..depreciation import net_book_value
from ..models import Asset
from ..settings import DEPRECIATION_START
from .test_stats import END, START, TODAY, frozen, ledger  # noqa: F401  (fixtures)

D = Decimal


def _collect(world, role=Role.ASSET_CLERK, department=None):
    actor = build_actor(world.member(role).user, world.org_a)
    with org_scope(world.org_a):
        return {
            fact.key: fact
            for fact in facts.collect(world.org_a, START, END, actor=actor, department=department)
            if fact.key.startswith("assets.")
        }


def _check_links(world, client, found):
    """Counts equal the listed rows; money equals the listed rows' original or net value."""
    with org_scope(world.org_a):
        rule = orgsettings.value(world.org_a, DEPRECIATION_START.key)
    for key, fact in found.items():
        ids = _listed_ids(client, fact.url)
        assert len(ids) == len(set(ids)), key
        assert resolve(fact.url.split("?")[0]).url_name == "asset_list"
        with scopes_disabled():
            listed = list(Asset.objects.filter(pk__in=ids).select_related("category"))
        if fact.unit == "元" or str(fact.unit) == "yuan":
            if ".net" in key:
                expected = sum((net_book_value(a, TODAY, rule) for a in listed), D("0.00"))
            else:
                expected = sum((a.original_value for a in listed), D("0.00"))
            assert fact.value == expected, (key, fact.url)
        else:
            assert fact.value == len(ids), (key, fact.url, ids)


@pytest.mark.usefixtures("ledger")
def test_every_asset_fact_lists_exactly_what_it_counts(world, login):
    found = _collect(world)
    assert found["assets.held"].value == 6
    assert found["assets.value.original"].value == D("18034.66")
    assert found["assets.value.net"].value == D("15013.06")
    assert found["assets.value.net.by_category.A05"].value == D("1063.06")
    assert found["assets.value.original.by_department.{}".format(world.dept_a_other.pk)].value == D("1000.00")
    assert found["assets.by_status.disposed"].value == 2 and "assets.by_status.idle" not in found
    assert (found["assets.added"].value, found["assets.added.value"].value) == (3, D("7650.10"))
    assert found["assets.disposed"].value == 1
    assert found["assets.loans.overdue"].value == 1
    assert {key: found["assets.stocktake." + key].value for key in ("missing", "surplus", "wrong_location")} == {
        "missing": 2,
        "surplus": 1,
        "wrong_location": 1,
    }
    assert "PD-2" in found["assets.stocktake.missing"].text
    _check_links(world, login(world.member(Role.ASSET_CLERK)), found)


@pytest.mark.usefixtures("ledger")
def test_a_department_heads_facts_and_a_department_asked_for(world, login):
    head = _collect(world, Role.DEPT_HEAD)
    assert head["assets.held"].value == 5 and "assets.stocktake.missing" not in head
    _check_links(world, login(world.member(Role.DEPT_HEAD)), head)
    other = _collect(world, department=world.dept_a_other)
    assert other["assets.held"].value == 1
    assert "department={}".format(world.dept_a_other.pk) in other["assets.held"].url
    _check_links(world, login(world.member(Role.ASSET_CLERK)), other)


@pytest.mark.usefixtures("ledger")
@pytest.mark.parametrize("role", [Role.STAFF, Role.DISPATCHER])
def test_people_who_keep_nothing_get_zero_and_no_stocktake(world, role):
    found = _collect(world, role)
    assert found["assets.held"].value == 0 and not any(key.startswith("assets.stocktake") for key in found)
