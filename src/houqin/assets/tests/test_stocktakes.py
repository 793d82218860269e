"""Stocktake services (盘点): opening for each scope, one open stocktake per scope, counting, surplus, closing with
its adjustments (every changed asset asserted), closing twice, cancelling, and every refusal."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location

from ..choices import Acquisition, AssetEventKind, AssetStatus, CountResult, StocktakeScope, StocktakeState
from ..models import Asset, AssetEvent, Stocktake, StocktakeLine
from ..services.stocktakes import (
    stocktake_cancel,
    stocktake_close,
    stocktake_count,
    stocktake_open,
    stocktake_register_surplus,
)
from .factories import category, make_asset

CHINA = ZoneInfo("Asia/Shanghai")


def actor_of(membership):
    return build_actor(membership.user, membership.org)


@pytest.fixture
def clerk(world):
    return actor_of(world.member(Role.ASSET_CLERK))


@pytest.fixture
def places(world):
    """101教室 (world.room_a, 一层 of 教学楼), 102教室 on the same floor, and 实验楼 with its 化学实验室."""
    floor = world.room_a.parent
    with scopes_disabled():
        floor.refresh_from_db()
    room_102 = make_location(world.org_a, "102教室", "A1-102", LocationKind.ROOM, floor)
    lab_building = make_location(world.org_a, "实验楼", "A2", LocationKind.BUILDING, floor.parent.parent)
    lab = make_location(world.org_a, "化学实验室", "A2-201", LocationKind.ROOM, lab_building)
    return {"101": world.room_a, "102": room_102, "lab_building": lab_building, "lab": lab}


@pytest.fixture
def ledger(world, places):
    """Assets of org A:
    - pc: 计算机 (A0201) of 总务处 in 101教室
    - printer: 打印机 (A0202) of 维修组 (below 总务处) in 102教室
    - desk: 课桌 (A0501) of 语文组 in 化学实验室
    - scrapped: 旧电脑 (A0201) of 总务处, already 已报废
    - lost: 投影仪 (A0201) of 总务处, already 丢失
    """
    return {
        "pc": make_asset(world, name="计算机", category_code="A0201"),
        "printer": make_asset(
            world, name="打印机", category_code="A0202", department=world.dept_a_child, location=places["102"]
        ),
        "desk": make_asset(
            world, name="课桌", category_code="A0501", department=world.dept_a_other, location=places["lab"]
        ),
        "scrapped": make_asset(world, name="旧电脑", status=AssetStatus.DISPOSED, left_on=date(2026, 2, 1)),
        "lost": make_asset(world, name="投影仪", status=AssetStatus.LOST, left_on=date(2026, 2, 1)),
    }


def open_(world, actor, scope, **fields):
    with org_scope(world.org_a):
        return stocktake_open(actor=actor, name=fields.pop("name", ""), scope=scope, **fields)


def listed(stocktake) -> dict[int, int | None]:
    """asset id → ledger place id of the stocktake's lines."""
    with scopes_disabled():
        return dict(StocktakeLine.objects.filter(stocktake=stocktake).values_list("asset_id", "expected_location_id"))


def ids(ledger, *names) -> set[int]:
    return {ledger[name].pk for name in names}


def fresh(asset) -> Asset:
    with scopes_disabled():
        return Asset.objects.select_related("location").get(pk=asset.pk)


def count(world, actor, stocktake, asset, place, note=""):
    with org_scope(world.org_a):
        return stocktake_count(
            actor=actor, line_or_stocktake=stocktake, asset=fresh(asset), found_location=place, note=note
        )


# Opening and scopes -----------------------------------------------------------------------------


def test_org_scope_lists_every_asset_on_the_books_with_its_ledger_place(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    assert stocktake.code == "PD-{}-00001".format(timezone.localdate().year)
    assert stocktake.scope_key == "org" and stocktake.state == StocktakeState.OPEN
    assert stocktake.opened_by == world.member(Role.ASSET_CLERK).user
    assert listed(stocktake) == {
        ledger["pc"].pk: world.room_a.pk,
        ledger["printer"].pk: places["102"].pk,
        ledger["desk"].pk: places["lab"].pk,
    }  # 已报废 and 丢失 are off the books
    assert str(timezone.localdate().year) in stocktake.name  # a name made from the year and the scope
    with scopes_disabled():
        assert set(StocktakeLine.objects.filter(stocktake=stocktake).values_list("result", flat=True)) == {"pending"}
        event = WorkflowEvent.objects.get(object_id=stocktake.pk, action="open")
    assert event.to_state == StocktakeState.OPEN and event.actor == world.member(Role.ASSET_CLERK).user


def test_department_scope_includes_the_departments_below(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a)
    assert stocktake.scope_key == "department:{}".format(world.dept_a.pk)
    assert set(listed(stocktake)) == ids(ledger, "pc", "printer")  # 维修组 is below 总务处; 语文组 is not
    child = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a_child)
    assert set(listed(child)) == ids(ledger, "printer")


def test_location_scope_includes_every_place_inside(world, clerk, ledger, places):
    building = open_(world, clerk, StocktakeScope.LOCATION, location=world.building_a)
    assert building.scope_key == "location:{}".format(world.building_a.pk)
    assert set(listed(building)) == ids(ledger, "pc", "printer")  # 101 and 102 lie in 教学楼; the lab does not
    room = open_(world, clerk, StocktakeScope.LOCATION, location=places["lab"])
    assert set(listed(room)) == ids(ledger, "desk")


def test_category_scope_includes_subclasses(world, clerk, ledger):
    equipment = open_(world, clerk, StocktakeScope.CATEGORY, category=category("A02"))
    assert equipment.scope_key == "category:A02"
    assert set(listed(equipment)) == ids(ledger, "pc", "printer")  # A0201 and A0202 under A02
    furniture = open_(world, clerk, StocktakeScope.CATEGORY, category=category("A0501"))
    assert set(listed(furniture)) == ids(ledger, "desk")


def test_only_the_row_of_the_scope_is_kept(world, clerk, ledger):
    stocktake = open_(
        world, clerk, StocktakeScope.CATEGORY, category=category("A05"), department=world.dept_a, location=world.room_a
    )
    assert (stocktake.department, stocktake.location, stocktake.category.code) == (None, None, "A05")


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        (StocktakeScope.DEPARTMENT, "department"),
        (StocktakeScope.LOCATION, "location"),
        (StocktakeScope.CATEGORY, "category"),
    ],
)
def test_a_scope_needs_its_row(world, clerk, scope, field):
    with pytest.raises(ValidationError) as error:
        open_(world, clerk, scope)
    assert set(error.value.message_dict) == {field}
    with scopes_disabled():
        assert not Stocktake.objects.exists()


def test_rows_of_another_org_and_unknown_scopes_are_refused(world, clerk):
    with pytest.raises(ValidationError) as error:
        open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_b)
    assert set(error.value.message_dict) == {"department"}
    with pytest.raises(ValidationError) as error:
        open_(world, clerk, StocktakeScope.LOCATION, location=world.room_b)
    assert set(error.value.message_dict) == {"location"}
    with pytest.raises(ValidationError) as error:
        open_(world, clerk, "building")
    assert set(error.value.message_dict) == {"scope"}
    with scopes_disabled():
        assert not Stocktake.objects.exists()


@pytest.mark.parametrize("who", [Role.STAFF, Role.DEPT_HEAD, Role.FINANCE, Role.LEADER, Role.TECHNICIAN])
def test_only_the_keepers_open(world, who):
    with pytest.raises(PermissionDenied):
        open_(world, actor_of(world.member(who)), StocktakeScope.ORG)
    with scopes_disabled():
        assert not Stocktake.objects.exists()


# One open stocktake per scope (the database decides; the same on SQLite and PostgreSQL) -------------


def test_a_second_open_stocktake_of_the_same_scope_is_refused_and_nothing_is_saved(world, clerk, ledger):
    first = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a)
    with pytest.raises(ValidationError) as error, override("en"):
        open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a)
    assert error.value.message_dict == {
        "department": ["Stocktake {} of this scope is still open: close or cancel it first.".format(first.code)]
    }
    with scopes_disabled():
        assert Stocktake.objects.count() == 1
        assert StocktakeLine.objects.count() == 2
    # The number went back with the rollback: the next one is consecutive.
    other = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a_other)
    assert other.code.endswith("-00002")


def test_another_scope_may_be_open_at_the_same_time_and_a_closed_scope_opens_again(world, clerk, ledger):
    org = open_(world, clerk, StocktakeScope.ORG)
    open_(world, clerk, StocktakeScope.CATEGORY, category=category("A02"))
    open_(world, clerk, StocktakeScope.LOCATION, location=world.building_a)
    with org_scope(world.org_a):
        stocktake_cancel(actor=clerk, stocktake=org, reason="范围选错")
    again = open_(world, clerk, StocktakeScope.ORG)
    assert again.state == StocktakeState.OPEN


def test_the_database_itself_refuses_a_second_open_row_of_a_scope(world, clerk):
    """The guard is the partial unique constraint, not a query before the insert: a row written around the
    service (as by a second request at the same moment) is refused by the database."""
    first = open_(world, clerk, StocktakeScope.ORG)
    with org_scope(world.org_a), pytest.raises(IntegrityError), transaction.atomic():
        Stocktake.objects.create(
            org=world.org_a,
            code="PD-2026-09999",
            name="重复",
            scope=StocktakeScope.ORG,
            scope_key="org",
            opened_by=first.opened_by,
        )
    with org_scope(world.org_a):  # a closed or cancelled one does not count
        Stocktake.objects.create(
            org=world.org_a,
            code="PD-2026-09998",
            name="旧的",
            scope=StocktakeScope.ORG,
            scope_key="org",
            state=StocktakeState.CLOSED,
            opened_by=first.opened_by,
        )


# Counting ---------------------------------------------------------------------------------------


def test_a_count_records_who_where_and_the_server_time(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    teacher = actor_of(world.member(Role.STAFF))
    at = datetime(2026, 6, 1, 9, 30, tzinfo=CHINA)
    with time_machine.travel(at, tick=False):
        line = count(world, teacher, stocktake, ledger["pc"], world.room_a, note="贴纸有点旧")
    assert (line.result, line.found_location, line.counted_by, line.counted_at, line.note) == (
        CountResult.FOUND,
        world.room_a,
        world.member(Role.STAFF).user,
        at,
        "贴纸有点旧",
    )
    # Scanned again later, elsewhere: the same line, updated.
    with time_machine.travel(at + timedelta(hours=2), tick=False):
        again = count(world, actor_of(world.member(Role.TECHNICIAN)), stocktake, ledger["pc"], places["102"])
    assert again.pk == line.pk
    assert (again.result, again.found_location, again.counted_by, again.counted_at) == (
        CountResult.WRONG_LOCATION,
        places["102"],
        world.member(Role.TECHNICIAN).user,
        at + timedelta(hours=2),
    )
    with scopes_disabled():
        assert StocktakeLine.objects.filter(stocktake=stocktake, asset=ledger["pc"]).count() == 1


def test_an_unlisted_asset_found_inside_a_place_scoped_area_joins_it(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.LOCATION, location=world.building_a)
    line = count(world, clerk, stocktake, ledger["desk"], places["102"])  # the lab's desk, found in 102教室
    assert (line.asset, line.result, line.expected_location, line.found_location) == (
        ledger["desk"],
        CountResult.WRONG_LOCATION,
        places["lab"],
        places["102"],
    )
    chair = make_asset(world, name="椅子", category_code="A0501", location=places["lab"])
    with pytest.raises(ValidationError) as error:  # found outside the area: not this stocktake's
        count(world, clerk, stocktake, chair, places["lab"])
    assert set(error.value.message_dict) == {"found_location"}
    # Once on the list, a later scan anywhere updates its line.
    assert count(world, clerk, stocktake, ledger["desk"], places["lab"]).pk == line.pk


def test_an_unlisted_asset_is_refused_by_other_scopes(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a)
    with pytest.raises(ValidationError) as error:
        count(world, clerk, stocktake, ledger["desk"], world.room_a)
    assert set(error.value.message_dict) == {"found_location"}
    with scopes_disabled():
        assert not StocktakeLine.objects.filter(asset=ledger["desk"]).exists()


def test_counting_needs_a_place_of_the_org_an_open_stocktake_and_the_count_permission(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    with pytest.raises(ValidationError) as error:
        count(world, clerk, stocktake, ledger["pc"], None)
    assert set(error.value.message_dict) == {"found_location"}
    with pytest.raises(ValidationError):
        count(world, clerk, stocktake, ledger["pc"], world.room_b)
    for who in (Role.FINANCE, Role.LEADER, Role.ORG_ADMIN):
        with pytest.raises(PermissionDenied):
            count(world, actor_of(world.member(who)), stocktake, ledger["pc"], world.room_a)
    with org_scope(world.org_a):
        stocktake_cancel(actor=clerk, stocktake=stocktake, reason="重来")
    with pytest.raises(ValidationError) as error:
        count(world, clerk, stocktake, ledger["pc"], world.room_a)
    assert error.value.code == "not_open"
    with scopes_disabled():
        assert set(StocktakeLine.objects.values_list("counted_by", flat=True)) == {None}


# Surplus (盘盈) ------------------------------------------------------------------------------------


def surplus(world, actor, stocktake, **changes):
    values = {
        "name": "实物投影仪",
        "category": category("A0202"),
        "quantity": 1,
        "value": Decimal("1800.00"),
        "location": world.room_a,
        "note": "标签缺失",
        **changes,
    }
    with org_scope(world.org_a):
        return stocktake_register_surplus(actor=actor, stocktake=stocktake, **values)


def test_surplus_is_recorded_on_the_spot_with_the_stocktakes_department(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.DEPARTMENT, department=world.dept_a)
    line = surplus(world, clerk, stocktake)
    assert (line.result, line.asset, line.surplus_department, line.surplus_value, line.found_location) == (
        CountResult.SURPLUS,
        None,
        world.dept_a,
        Decimal("1800.00"),
        world.room_a,
    )
    assert line.counted_by == world.member(Role.ASSET_CLERK).user and line.counted_at is not None


def test_surplus_errors_field_by_field_and_nothing_saved(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.LOCATION, location=world.building_a)
    with pytest.raises(ValidationError) as error:
        surplus(
            world,
            clerk,
            stocktake,
            name=" ",
            category=None,
            quantity=0,
            value=Decimal("-1"),
            location=places["lab"],  # outside the stocktake's area
        )
    assert set(error.value.message_dict) == {"name", "category", "quantity", "value", "location", "department"}
    with pytest.raises(ValidationError) as error:
        surplus(world, clerk, stocktake, value=Decimal("1.005"), department=world.dept_a)
    assert set(error.value.message_dict) == {"value"}
    with scopes_disabled():
        assert not StocktakeLine.objects.filter(result=CountResult.SURPLUS).exists()
    with pytest.raises(PermissionDenied):
        surplus(world, actor_of(world.member(Role.STAFF)), stocktake, department=world.dept_a)


# Closing ----------------------------------------------------------------------------------------


def test_close_applies_every_adjustment_in_one_go(world, clerk, ledger, places):
    """pc found in place; printer found in the lab (wrong place); desk not found (盘亏); a surplus item."""
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    count(world, clerk, stocktake, ledger["pc"], world.room_a)
    count(world, clerk, stocktake, ledger["printer"], places["lab"])
    surplus(world, clerk, stocktake, department=world.dept_a_other, location=places["lab"], quantity=2)
    with scopes_disabled():
        before = {a.pk: a for a in Asset.objects.all()}
    today = timezone.localdate()
    with org_scope(world.org_a):
        result = stocktake_close(actor=clerk, stocktake=stocktake)
    assert result.found == [ledger["pc"].pk]
    assert result.moved == [ledger["printer"].pk]
    assert result.missing == [ledger["desk"].pk]
    assert len(result.registered) == 1
    with scopes_disabled():
        stocktake.refresh_from_db()
        assert (stocktake.state, stocktake.closed_by) == (StocktakeState.CLOSED, world.member(Role.ASSET_CLERK).user)
        assert stocktake.closed_at is not None
        after = {a.pk: a for a in Asset.objects.all()}
        # Every asset that changed, and nothing else.
        new = after[result.registered[0]]
        changed = {pk for pk in before if _row(before[pk]) != _row(after[pk])}
        assert changed == ids(ledger, "printer", "desk")
        assert (after[ledger["printer"].pk].location, after[ledger["printer"].pk].building) == (
            places["lab"],
            places["lab_building"],
        )
        assert (after[ledger["desk"].pk].status, after[ledger["desk"].pk].left_on) == (AssetStatus.LOST, today)
        assert (new.name, new.acquisition, new.department, new.location, new.building) == (
            "实物投影仪",
            Acquisition.SURPLUS,
            world.dept_a_other,
            places["lab"],
            places["lab_building"],
        )
        assert (new.quantity, new.original_value, new.booked_on, new.category.code) == (
            2,
            Decimal("1800.00"),
            today,
            "A0202",
        )
        assert new.code.startswith("ZC-{}-".format(today.year))
        # The lines say what was decided.
        results = dict(StocktakeLine.objects.filter(stocktake=stocktake).values_list("asset_id", "result"))
        assert results == {
            ledger["pc"].pk: CountResult.FOUND,
            ledger["printer"].pk: CountResult.WRONG_LOCATION,
            ledger["desk"].pk: CountResult.MISSING,
            new.pk: CountResult.SURPLUS,
        }
        # One line on each chain naming the stocktake (the new card also has its "registered" line).
        events = list(
            AssetEvent.objects.filter(source_label=stocktake.code).order_by("asset_id").values_list("asset_id", "kind")
        )
        assert sorted(events) == sorted(
            [
                (ledger["pc"].pk, AssetEventKind.COUNTED),
                (ledger["printer"].pk, AssetEventKind.STOCKTAKE),
                (ledger["desk"].pk, AssetEventKind.STOCKTAKE),
                (new.pk, AssetEventKind.STOCKTAKE),
            ]
        )
        assert AssetEvent.objects.filter(asset=new, kind=AssetEventKind.REGISTERED).count() == 1
        assert (
            "102教室 → 化学实验室" in AssetEvent.objects.get(asset=ledger["printer"], source_label=stocktake.code).note
        )
        # Field history of the bulk changes.
        assert after[ledger["desk"].pk].history.first().status == AssetStatus.LOST
        assert after[ledger["printer"].pk].history.first().location_id == places["lab"].pk


def _row(asset) -> tuple:
    return (asset.status, asset.left_on, asset.location_id, asset.building_id, asset.department_id, asset.name)


def test_closing_twice_is_refused_and_changes_nothing(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    with org_scope(world.org_a):
        stocktake_close(actor=clerk, stocktake=stocktake)
    with scopes_disabled():
        events, states = AssetEvent.objects.count(), list(Asset.objects.order_by("pk").values_list("status", "left_on"))
        closed_at = Stocktake.objects.get(pk=stocktake.pk).closed_at
    with org_scope(world.org_a), pytest.raises(ValidationError) as error, override("en"):
        stocktake_close(actor=clerk, stocktake=Stocktake.objects.get(pk=stocktake.pk))
    assert error.value.code == "illegal_transition"
    assert error.value.messages == [
        "Stocktake {} is Closed: it cannot be closed again, and nothing was changed.".format(stocktake.code)
    ]
    with scopes_disabled():
        assert AssetEvent.objects.count() == events
        assert list(Asset.objects.order_by("pk").values_list("status", "left_on")) == states
        assert Stocktake.objects.get(pk=stocktake.pk).closed_at == closed_at


def test_a_failing_surplus_registration_rolls_the_whole_close_back(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    surplus(world, clerk, stocktake, department=world.dept_a, location=places["102"])
    with scopes_disabled():
        places["102"].is_active = False  # the place was retired before closing
        places["102"].save()
    with org_scope(world.org_a), pytest.raises(ValidationError):
        stocktake_close(actor=clerk, stocktake=stocktake)
    with scopes_disabled():
        assert Stocktake.objects.get(pk=stocktake.pk).state == StocktakeState.OPEN
        assert Asset.objects.filter(status=AssetStatus.LOST).count() == 1  # only the one lost before
        assert not StocktakeLine.objects.filter(result=CountResult.MISSING).exists()
        assert not AssetEvent.objects.exists()


def test_only_keepers_close_and_a_transfer_meanwhile_is_respected(world, clerk, ledger, places):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    count(world, clerk, stocktake, ledger["printer"], places["lab"])
    with scopes_disabled():  # moved by a transfer before closing
        Asset.objects.filter(pk=ledger["printer"].pk).update(location=places["lab"], building=places["lab_building"])
    for who in (Role.STAFF, Role.DEPT_HEAD, Role.FINANCE):
        with org_scope(world.org_a), pytest.raises(PermissionDenied):
            stocktake_close(actor=actor_of(world.member(who)), stocktake=stocktake)
    with org_scope(world.org_a):
        result = stocktake_close(actor=actor_of(world.member(Role.LOGISTICS_HEAD)), stocktake=stocktake)
    assert result.moved == []
    assert set(result.missing) == ids(ledger, "pc", "desk")


# Cancelling -------------------------------------------------------------------------------------


def test_cancel_needs_a_reason_and_leaves_the_ledger_alone(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    with org_scope(world.org_a), pytest.raises(ValidationError) as error:
        stocktake_cancel(actor=clerk, stocktake=stocktake, reason="  ")
    assert set(error.value.message_dict) == {"note"}
    with org_scope(world.org_a):
        stocktake_cancel(actor=clerk, stocktake=stocktake, reason="范围选错")
    with scopes_disabled():
        stocktake.refresh_from_db()
        assert stocktake.state == StocktakeState.CANCELLED
        assert WorkflowEvent.objects.get(object_id=stocktake.pk, action="cancel").note == "范围选错"
        assert not AssetEvent.objects.exists()
        assert set(Asset.objects.values_list("status", flat=True)) == {
            AssetStatus.IN_USE,
            AssetStatus.DISPOSED,
            AssetStatus.LOST,
        }
    with org_scope(world.org_a), pytest.raises(ValidationError):
        stocktake_close(actor=clerk, stocktake=stocktake)
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        stocktake_cancel(actor=actor_of(world.member(Role.STAFF)), stocktake=stocktake, reason="x")


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True)
def test_one_open_stocktake_when_many_open_the_same_scope_at_once(world):
    """Eight people open a stocktake of 总务处 at the same moment: one is opened, seven are refused (PostgreSQL)."""
    import threading

    from django.db import connection

    barrier, outcomes = threading.Barrier(8), []
    clerk = world.member(Role.ASSET_CLERK)

    def run():
        try:
            barrier.wait()
            with org_scope(world.org_a):
                stocktake_open(actor=actor_of(clerk), name="", scope=StocktakeScope.DEPARTMENT, department=world.dept_a)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    with scopes_disabled():
        assert Stocktake.objects.filter(state=StocktakeState.OPEN).count() == 1


def test_an_asset_disposed_of_while_counting_is_not_set_to_lost(world, clerk, ledger):
    stocktake = open_(world, clerk, StocktakeScope.ORG)
    with scopes_disabled():  # 报废 through the disposal flow while the stocktake ran
        Asset.objects.filter(pk=ledger["desk"].pk).update(status=AssetStatus.DISPOSED, left_on=date(2026, 3, 1))
    with org_scope(world.org_a), override("en"):
        result = stocktake_close(actor=clerk, stocktake=stocktake)
    assert set(result.missing) == ids(ledger, "pc", "printer")
    with scopes_disabled():
        desk = Asset.objects.get(pk=ledger["desk"].pk)
        line = StocktakeLine.objects.get(stocktake=stocktake, asset=desk)
        assert (desk.status, desk.left_on) == (AssetStatus.DISPOSED, date(2026, 3, 1))
        assert not AssetEvent.objects.filter(asset=desk).exists()
    assert (line.result, line.note) == (CountResult.MISSING, "Already off the books when the stocktake closed.")
