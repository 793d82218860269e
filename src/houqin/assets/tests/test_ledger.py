"""The ledger's services: registering and correcting a card, its code, flags and chain, and every refusal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_party

from ..choices import AssetEventKind, AssetStatus
from ..filtersets import AssetFilterSet
from ..models import Asset, AssetEvent
from ..services.assets import asset_register, asset_set_status, asset_update
from .factories import category, make_asset


def count(model, **lookup) -> int:
    with scopes_disabled():
        return model.objects.filter(**lookup).count()


def actor_of(membership):
    return build_actor(membership.user, membership.org)


@pytest.fixture
def clerk(world):
    return actor_of(world.member(Role.ASSET_CLERK))


def fields(world, **changes):
    values = {
        "name": "投影仪",
        "category": category("A0201"),
        "original_value": Decimal("4500.00"),
        "booked_on": date(2026, 3, 10),
        "purchase_date": date(2026, 3, 1),
        "department": world.dept_a,
        "location": world.room_a,
    }
    values.update(changes)
    return values


def register(world, actor, **changes):
    with org_scope(world.org_a):
        return asset_register(actor=actor, **fields(world, **changes))


def test_register_numbers_copies_the_building_and_records_the_event(world, clerk):
    asset = register(world, clerk, custodian=world.member(Role.STAFF))
    assert asset.code.startswith("ZC-") and asset.code.endswith("-00001")
    assert asset.building_id == world.building_a.pk
    assert asset.low_value is False
    with org_scope(world.org_a):
        events = list(AssetEvent.objects.filter(asset=asset))
        second = register(world, clerk)
    assert [e.kind for e in events] == [AssetEventKind.REGISTERED]
    assert events[0].actor_id == world.member(Role.ASSET_CLERK).user_id
    assert second.code.endswith("-00002")


def test_a_kept_code_moves_the_numbering_past_it(world, clerk):
    year = timezone.localdate().year
    register(world, clerk, code="ZC-{}-00041".format(year))
    assert register(world, clerk).code == "ZC-{}-00042".format(year)
    assert register(world, clerk, code="旧账-0007").code == "旧账-0007"


@pytest.mark.parametrize(
    ("value", "quantity", "category_code", "low"),
    [
        ("999.99", 1, "A0201", True),
        ("1000.00", 1, "A0201", False),
        ("12000.00", 40, "A0201", True),  # 300 yuan a unit
        ("12000.00", 40, "A05", False),  # a batch of furniture counts as a fixed asset
        ("500.00", 1, "A05", True),  # a single chair does not
    ],
)
def test_low_value_flag(world, clerk, value, quantity, category_code, low):
    cat = category(category_code)
    assert cat.batch_counts == (category_code == "A05")
    asset = register(world, clerk, original_value=Decimal(value), quantity=quantity, category=cat)
    assert asset.low_value is low


def _refused(world, actor, **changes) -> dict:
    before = count(Asset)
    with pytest.raises(ValidationError) as caught, override("en"):
        register(world, actor, **changes)
    assert count(Asset) == before
    assert count(AssetEvent) == 0
    return caught.value.message_dict


def test_each_bad_field_is_named_and_nothing_is_saved(world, clerk):
    today = timezone.localdate()
    errors = _refused(world, clerk, original_value=Decimal("-1"))
    assert errors == {"original_value": ["The value cannot be negative."]}
    errors = _refused(world, clerk, original_value=Decimal("99999999999.00"))
    assert errors == {"original_value": ["This value is too large; check the number."]}
    errors = _refused(world, clerk, purchase_date=today + timedelta(days=1), booked_on=today)
    assert errors["purchase_date"] == ["The purchase date cannot be in the future."]
    errors = _refused(world, clerk, booked_on=today + timedelta(days=1))
    assert errors == {"booked_on": ["The booking date cannot be in the future."]}
    errors = _refused(world, clerk, purchase_date=date(2026, 3, 5), booked_on=date(2026, 3, 4))
    assert errors == {"booked_on": ["The booking date cannot be before the purchase date."]}


def test_links_to_another_organisation_are_refused_field_by_field(world, clerk):
    supplier_b = make_party(world.org_b, "乙方供应商")
    errors = _refused(
        world,
        clerk,
        department=world.dept_b,
        location=world.room_b,
        custodian=world.member_b,
        user_person=world.member_b,
        supplier=supplier_b,
    )
    assert set(errors) == {"department", "location", "custodian", "user_person", "supplier"}
    assert errors["department"] == ["Choose an entry of this organisation."]


def test_duplicate_code_and_several_errors_at_once(world, clerk):
    existing = make_asset(world, code="ZC-OLD-1")
    errors = _refused(world, clerk, code=existing.code, original_value=Decimal("-5"), name="")
    assert errors["code"] == ["Another asset already has the code ZC-OLD-1."]
    assert errors["original_value"] == ["The value cannot be negative."]
    assert "name" in errors


def test_errors_speak_the_users_language(world, clerk):
    with pytest.raises(ValidationError) as caught, override("zh-hans"):
        register(world, clerk, original_value=Decimal("-1"))
    message = caught.value.message_dict["original_value"][0]
    assert message  # the lead fills the zh_Hans catalogue; the message is translated through gettext
    assert count(Asset) == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE, Role.LEADER])
def test_only_the_asset_keepers_register(world, role):
    with pytest.raises(PermissionDenied):
        register(world, actor_of(world.member(role)))
    assert count(Asset) == 0


def test_the_bureau_registers_nothing(world):
    actor = build_actor(world.bureau_member.user, world.org_a)
    with pytest.raises(PermissionDenied):
        register(world, actor)


def test_update_notes_what_changed_and_recomputes(world, clerk):
    asset = register(world, clerk)
    with org_scope(world.org_a):
        asset_update(
            actor=clerk,
            asset=asset,
            name="激光投影仪",
            original_value=Decimal("800.00"),
            custodian=world.member(Role.STAFF),
        )
        event = AssetEvent.objects.filter(asset=asset, kind=AssetEventKind.CHANGED).get()
    asset.refresh_from_db()
    assert asset.name == "激光投影仪" and asset.low_value is True
    assert "投影仪 → 激光投影仪" in event.note
    assert "4500.00 → 800.00" in event.note
    assert world.member(Role.STAFF).user.name in event.note


def test_update_without_change_writes_nothing(world, clerk):
    asset = register(world, clerk)
    with org_scope(world.org_a):
        asset_update(actor=clerk, asset=asset, name=asset.name)
        assert count(AssetEvent, asset=asset) == 1


def test_a_refused_update_saves_nothing(world, clerk):
    asset = register(world, clerk)
    other = make_asset(world, code="ZC-TAKEN")
    code = asset.code
    with org_scope(world.org_a), pytest.raises(ValidationError) as caught:
        asset_update(actor=clerk, asset=asset, code=other.code, booked_on=timezone.localdate() + timedelta(days=3))
    assert set(caught.value.message_dict) == {"code", "booked_on"}
    with scopes_disabled():
        fresh = Asset.objects.get(pk=asset.pk)
    assert fresh.code == code and fresh.booked_on == date(2026, 3, 10)
    assert count(AssetEvent, asset=asset) == 1


def test_status_leaving_the_books_and_coming_back(world, clerk):
    asset = register(world, clerk)
    with org_scope(world.org_a):
        asset_set_status(actor=clerk, asset=asset, status=AssetStatus.LOST, note="找不到了")
        assert asset.left_on == timezone.localdate()
        asset_set_status(actor=clerk, asset=asset, status=AssetStatus.IN_USE)
        assert asset.left_on is None
        kinds = list(AssetEvent.objects.filter(asset=asset).values_list("kind", flat=True))
    assert kinds == [AssetEventKind.REGISTERED, AssetEventKind.STATUS, AssetEventKind.STATUS]


def test_filters(world, clerk):
    pc = make_asset(world, name="台式计算机", serial_number="SN-77")
    chair = make_asset(
        world, name="椅子", category_code="A05", value="300", low_value=True, department=world.dept_a_child
    )
    other = make_asset(world, name="黑板", department=world.dept_a_other, location=None, booked_on=date(2025, 5, 1))

    def names(**params):
        with org_scope(world.org_a):
            qs = AssetFilterSet(params, queryset=Asset.objects.all()).qs
            return {a.name for a in qs}

    assert names(category="A02") == {pc.name, other.name}
    assert names(category="a05") == {chair.name}
    assert names(department=world.dept_a.pk) == {pc.name, chair.name}
    assert names(building=world.building_a.pk) == {pc.name, chair.name}
    assert names(location=world.building_a.pk) == {pc.name, chair.name}
    assert names(low_value="true") == {chair.name}
    assert names(q="sn-77") == {pc.name}
    assert names(booked_until="2025-12-31") == {other.name}
    assert names(booked_from="2026-01-01") == {pc.name, chair.name}
    assert names(status=["lost"]) == set()


def test_statuses_a_loan_or_a_disposal_keeps_are_not_set_by_hand(world, clerk):
    with org_scope(world.org_a):
        asset = make_asset(world)
        for status in (AssetStatus.LENT, AssetStatus.PENDING_DISPOSAL, AssetStatus.DISPOSED):
            with pytest.raises(ValidationError) as refused:
                asset_set_status(actor=clerk, asset=asset, status=status)
            assert set(refused.value.message_dict) == {"status"}
        Asset.objects.filter(pk=asset.pk).update(status=AssetStatus.LENT)
        lent = Asset.objects.get(pk=asset.pk)
        with pytest.raises(ValidationError):
            asset_set_status(actor=clerk, asset=lent, status=AssetStatus.IDLE)
        assert Asset.objects.get(pk=asset.pk).status == AssetStatus.LENT
        assert not AssetEvent.objects.filter(asset=asset, kind=AssetEventKind.STATUS).exists()
