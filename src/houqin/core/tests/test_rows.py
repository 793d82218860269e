"""core.rows reads what the ORM reads: same values and types (SQLite's decimals and aware datetimes too)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import WorkflowEvent
from houqin.core.rows import Select
from houqin.core.tenancy import org_scope
from houqin.sample import services
from houqin.sample.models import SampleRequest


@pytest.fixture
def samples(world):
    actor = build_actor(world.member(Role.STAFF).user, world.org_a)
    with org_scope(world.org_a):
        yield [
            services.sample_create(actor=actor, title="打印机", amount=Decimal("1200.50")),
            services.sample_create(actor=actor, title="投影仪", amount=None),
            services.sample_create(actor=actor, title="课桌", amount=Decimal("0.07")),
        ]


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("model", [SampleRequest, WorkflowEvent])
def test_instances_equal_the_orms_in_values_and_types(samples, model):
    expected = list(model.objects.order_by("pk"))
    read = Select(model).instances([row.pk for row in expected])
    assert [_columns(row) for row in read] == [_columns(row) for row in expected]
    for mine, theirs in zip(read, expected, strict=True):
        assert {k: type(v) for k, v in _columns(mine).items()} == {k: type(v) for k, v in _columns(theirs).items()}
        assert mine._state.adding is False and mine._state.db == theirs._state.db
        assert mine.get_deferred_fields() == set() and mine == theirs
        assert mine.org == theirs.org  # a relation loads as on the ORM's instance
    assert all(event.at.tzinfo is not None for event in Select(WorkflowEvent).instances([e.pk for e in expected]))


def test_a_list_keeps_its_order_and_skips_ids_without_a_row(samples):
    first, _second, third = samples
    read = Select(SampleRequest).instances([third.pk, 999_999, first.pk])
    assert [row.pk for row in read] == [third.pk, first.pk]
    assert Select(SampleRequest).instances([]) == []


def test_a_queryset_of_ids_is_read_in_the_same_statement(samples, django_assert_num_queries):
    wanted = SampleRequest.objects.filter(title__in=["打印机", "课桌"]).values("id")
    with django_assert_num_queries(1):
        read = Select(SampleRequest).instances(wanted)
    assert sorted(row.title for row in read) == ["打印机", "课桌"]


def test_named_columns_by_key_with_a_condition_and_an_order(samples):
    amounts = Select(SampleRequest, ["id", "amount"], where="amount IS NOT NULL", order="amount DESC")
    assert amounts.rows([row.pk for row in samples]) == [
        (samples[0].pk, Decimal("1200.50")),
        (samples[2].pk, Decimal("0.07")),
    ]


@pytest.mark.pg_only
@pytest.mark.django_db
def test_postgresql_timestamps_come_back_as_djangos_loader_gave_them():
    # core/signals.py: the compiled loader; the same aware UTC values, and Django keeps it on its cursors.
    from datetime import UTC, datetime

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-03-03 00:10:00+08'::timestamptz, '2026-03-03 00:10:00.5-05'::timestamptz")
        first, second = cursor.fetchone()
        assert cursor.cursor.adapters.get_loader(1184, 0).__name__ == "UtcTimestamptzLoader"
    assert first == datetime(2026, 3, 2, 16, 10, tzinfo=UTC) and first.tzinfo is UTC
    assert second == datetime(2026, 3, 3, 5, 10, 0, 500000, tzinfo=UTC) and second.tzinfo is UTC
