"""Loans (借用/归还) through their services: the lending rules and every refusal, the return check (完好 / 损坏 /
丢失) with compensation, overdue reminders by `houqin tick` at a frozen clock, and the home-page to-dos."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from houqin.core import tick
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Compensation
from houqin.core.models.notifications import Notification
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.todos import todos_for

from ..models import Asset, AssetEvent, Loan
from ..services.loans import asset_compensation_create, loan_lend, loan_return
from .factories import make_asset

SHANGHAI = ZoneInfo("Asia/Shanghai")


def actor(world, who, org=None):
    member = world.bureau_member if who == "bureau" else world.member(who)
    return build_actor(member.user, org or world.org_a)


def lend(world, asset, *, who=Role.ASSET_CLERK, borrower=None, due_on=None, purpose="公开课"):
    with org_scope(world.org_a):
        return loan_lend(
            actor=actor(world, who),
            asset=asset,
            borrower=borrower if borrower is not None else world.member(Role.STAFF),
            due_on=due_on or timezone.localdate() + timedelta(days=7),
            purpose=purpose,
        )


def take_back(world, loan, condition, *, who=Role.ASSET_CLERK, **extra):
    with org_scope(world.org_a):
        return loan_return(actor=actor(world, who), loan=Loan.objects.get(pk=loan.pk), condition=condition, **extra)


def fresh(model, pk):
    with scopes_disabled():
        return model.objects.get(pk=pk)


def refused(world, asset, field, **kwargs) -> str:
    """The message a lend is refused with on ``field``; and nothing was written."""
    with scopes_disabled():
        loans, events, status = Loan.objects.count(), AssetEvent.objects.count(), Asset.objects.get(pk=asset.pk).status
    with pytest.raises(ValidationError) as caught:
        lend(world, asset, **kwargs)
    assert field in caught.value.message_dict, caught.value.message_dict
    with scopes_disabled():
        assert Loan.objects.count() == loans
        assert AssetEvent.objects.count() == events
        assert Asset.objects.get(pk=asset.pk).status == status
    return " ".join(caught.value.message_dict[field])


# Lending --------------------------------------------------------------------------------------------


def test_the_clerk_lends_an_idle_asset_to_a_teacher(world):
    asset = make_asset(world, name="数码相机", status="idle")
    due = timezone.localdate() + timedelta(days=10)
    loan = lend(world, asset, due_on=due, purpose="运动会拍照")
    loan = fresh(Loan, loan.pk)
    assert loan.code == "JY-{}-00001".format(timezone.localdate().year)
    assert (loan.state, loan.status_before, loan.due_on) == ("out", "idle", due)
    assert loan.department_id == world.dept_a.pk  # the borrower's department, counted by it
    assert loan.lent_by_id == world.member(Role.ASSET_CLERK).user_id
    assert fresh(Asset, asset.pk).status == "lent"
    with scopes_disabled():
        event = AssetEvent.objects.get(asset=asset, kind="lent")
        assert event.source_label == loan.code and event.source_url.endswith("/loans/{}/".format(loan.pk))
        assert "运动会拍照" in event.note
        assert WorkflowEvent.objects.filter(object_id=loan.pk, action="lend", to_state="out").count() == 1
        # The teacher hears that it was lent in their name.
        assert Notification.objects.filter(recipient=world.member(Role.STAFF).user, event="assets.loan_lent").exists()
    second = lend(world, make_asset(world), borrower=world.member("colleague"))
    assert second.code.endswith("-00002") and second.department_id == world.dept_a_child.pk


def test_a_teacher_borrows_for_themselves_but_not_for_a_colleague(world):
    asset = make_asset(world)
    message = refused(world, asset, "borrower", who=Role.STAFF, borrower=world.member("colleague"))
    assert "yourself" in message or "自己" in message
    loan = lend(world, asset, who=Role.STAFF, borrower=world.member(Role.STAFF))
    assert fresh(Loan, loan.pk).borrower_id == world.member(Role.STAFF).pk
    with scopes_disabled():  # nobody to tell: they borrowed it themselves
        assert not Notification.objects.filter(event="assets.loan_lent").exists()


def test_an_asset_already_lent_is_refused_naming_the_loan(world):
    asset = make_asset(world)
    first = lend(world, asset)
    message = refused(world, asset, "asset", borrower=world.member("colleague"))
    assert first.code in message
    # Even when its status was set back by hand, the open loan still refuses a second one…
    with scopes_disabled():
        Asset.objects.filter(pk=asset.pk).update(status="in_use")
    assert first.code in refused(world, asset, "asset", borrower=world.member("colleague"))
    # …and the database itself allows one open loan per asset.
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            org=world.org_a,
            code="JY-X-1",
            asset=asset,
            borrower=world.member("colleague"),
            department=world.dept_a,
            purpose="x",
            due_on=date.today(),
            lent_by=world.member(Role.ASSET_CLERK).user,
            status_before="in_use",
        )


@pytest.mark.parametrize("status", ["disposed", "pending_disposal", "lost", "repairing"])
def test_an_asset_that_is_scrapped_lost_or_under_repair_cannot_be_lent(world, status):
    asset = make_asset(world, status=status)
    assert asset.code in refused(world, asset, "asset")


def test_another_orgs_asset_or_person_is_refused(world):
    theirs = make_asset(world, org=world.org_b)
    refused(world, theirs, "asset")
    asset = make_asset(world)
    refused(world, asset, "borrower", borrower=world.member_b)


def test_the_due_date_is_neither_past_nor_absurdly_far(world):
    asset = make_asset(world)
    today = timezone.localdate()
    refused(world, asset, "due_on", due_on=today - timedelta(days=1))
    refused(world, asset, "due_on", due_on=today + timedelta(days=366))
    assert lend(world, asset, due_on=today).due_on == today  # back the same day is fine


def test_a_borrower_without_a_department_gets_a_clear_error(world):
    asset = make_asset(world)
    message = refused(world, asset, "borrower", borrower=world.member(Role.TECHNICIAN))
    assert world.member(Role.TECHNICIAN).user.name in message


def test_a_purpose_is_required_and_every_error_comes_at_once(world):
    asset = make_asset(world, status="disposed")
    with pytest.raises(ValidationError) as caught:
        lend(world, asset, purpose="  ", due_on=timezone.localdate() - timedelta(days=3))
    assert {"asset", "due_on", "purpose"} <= set(caught.value.message_dict)


def test_the_bureau_lends_nothing(world):
    asset = make_asset(world)
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        loan_lend(
            actor=actor(world, "bureau"),
            asset=asset,
            borrower=world.member(Role.STAFF),
            due_on=timezone.localdate(),
            purpose="x",
        )


# Returning ------------------------------------------------------------------------------------------


def test_returned_in_good_order_the_asset_gets_its_status_back(world):
    asset = make_asset(world, status="idle")
    loan = lend(world, asset)
    take_back(world, loan, "good")
    loan = fresh(Loan, loan.pk)
    assert (loan.state, loan.condition, loan.received_by_id) == (
        "returned",
        "good",
        world.member("asset_clerk").user_id,
    )
    assert loan.returned_at is not None
    assert fresh(Asset, asset.pk).status == "idle"
    with scopes_disabled():
        assert AssetEvent.objects.filter(asset=asset, kind="returned", source_label=loan.code).count() == 1
    # A second return is refused, and changes nothing.
    with pytest.raises(ValidationError):
        take_back(world, loan, "lost")
    assert fresh(Asset, asset.pk).status == "idle"


def test_only_the_asset_clerk_takes_back(world):
    loan = lend(world, make_asset(world))
    for who in (Role.STAFF, Role.DEPT_HEAD, Role.LEADER, Role.FINANCE, "bureau"):
        with pytest.raises(PermissionDenied):
            take_back(world, loan, "good", who=who)
    assert fresh(Loan, loan.pk).state == "out"


def test_damaged_needs_a_note_and_may_record_compensation(world):
    asset = make_asset(world)
    loan = lend(world, asset)
    with pytest.raises(ValidationError) as caught:
        take_back(world, loan, "damaged", compensation_amount=Decimal("-5"))
    assert {"note", "compensation_amount"} <= set(caught.value.message_dict)
    assert fresh(Loan, loan.pk).state == "out"  # nothing half saved
    take_back(world, loan, "damaged", note="镜头盖丢失，屏幕划伤", compensation_amount=Decimal("120.00"))
    assert fresh(Asset, asset.pk).status == "in_use"  # back to its status; the repair is reported next
    with scopes_disabled():
        compensation = Compensation.objects.get()
        assert (compensation.person_id, compensation.amount) == (world.member(Role.STAFF).pk, Decimal("120.00"))
        assert compensation.source == fresh(Loan, loan.pk) and compensation.source_label == loan.code
        assert AssetEvent.objects.filter(asset=asset, kind="compensation").count() == 1


def test_compensation_only_for_damaged_or_lost(world):
    loan = lend(world, make_asset(world))
    with pytest.raises(ValidationError) as caught:
        take_back(world, loan, "good", compensation_amount=Decimal("10"))
    assert "compensation_amount" in caught.value.message_dict


def test_lost_marks_the_asset_lost_and_off_the_books(world):
    asset = make_asset(world, booked_on=date(2024, 3, 1))
    loan = lend(world, asset)
    take_back(
        world,
        loan,
        "lost",
        note="运动会后遗失",
        compensation_amount=Decimal("800.00"),
        compensation_person=world.member("colleague"),
    )
    asset = fresh(Asset, asset.pk)
    assert (asset.status, asset.left_on) == ("lost", timezone.localdate())
    with scopes_disabled():
        assert Compensation.objects.get().person_id == world.member("colleague").pk


def test_compensation_recorded_on_the_card(world):
    asset = make_asset(world)
    with org_scope(world.org_a):
        compensation = asset_compensation_create(
            actor=actor(world, Role.ASSET_CLERK),
            asset=asset,
            person=world.member(Role.STAFF),
            amount="35.50",
            reason="键盘进水",
        )
        with pytest.raises(PermissionDenied):
            asset_compensation_create(
                actor=actor(world, Role.STAFF), asset=asset, person=world.member(Role.STAFF), amount="1", reason="x"
            )
    assert (compensation.source, compensation.source_label) == (asset, asset.code)
    with scopes_disabled():
        assert AssetEvent.objects.filter(asset=asset, kind="compensation").count() == 1


# Overdue: tick and to-dos ---------------------------------------------------------------------------


def _notifications(event):
    with scopes_disabled():
        return list(Notification.objects.filter(event=event).order_by("pk"))


def test_overdue_loans_are_reminded_once_a_day_by_tick(world):
    today = timezone.localdate()
    late = lend(world, make_asset(world, name="便携音箱"), due_on=today)
    lend(world, make_asset(world), borrower=world.member("colleague"), due_on=today + timedelta(days=5))
    frozen = datetime.combine(today + timedelta(days=2), datetime.min.time(), SHANGHAI).replace(hour=9)
    with time_machine.travel(frozen, tick=False):
        assert tick.run_all(timezone.now(), names=["assets.loan_reminders"])[0].changed == 1
        mine = _notifications("assets.loan_overdue")
        assert [n.recipient_id for n in mine] == [world.member(Role.STAFF).user_id]
        assert "便携音箱" in mine[0].title and mine[0].url.endswith("/loans/{}/".format(late.pk))
        clerks = _notifications("assets.loans_overdue")
        assert [n.recipient_id for n in clerks] == [world.member(Role.ASSET_CLERK).user_id]
        # Run again at the same clock: nothing is due, nothing is written.
        assert tick.run_all(timezone.now(), names=["assets.loan_reminders"])[0].changed == 0
        assert len(_notifications("assets.loan_overdue")) == 1 and len(_notifications("assets.loans_overdue")) == 1
    loan = fresh(Loan, late.pk)
    assert (loan.reminded_on, loan.reminders) == (today + timedelta(days=2), 1)
    # The next day it is still out: reminded again, once.
    with time_machine.travel(frozen + timedelta(days=1), tick=False):
        assert tick.run_all(timezone.now(), names=["assets.loan_reminders"])[0].changed == 1
        assert tick.run_all(timezone.now(), names=["assets.loan_reminders"])[0].changed == 0
    assert fresh(Loan, late.pk).reminders == 2
    # Brought back: no more reminders.
    take_back(world, late, "good")
    with time_machine.travel(frozen + timedelta(days=2), tick=False):
        assert tick.run_all(timezone.now(), names=["assets.loan_reminders"])[0].changed == 0


def _titles(world, who):
    with org_scope(world.org_a):
        return {str(todo.title): todo for todo in todos_for(actor(world, who))}


def test_overdue_loans_are_on_the_borrowers_and_the_clerks_home_page(world):
    today = timezone.localdate()
    late = lend(world, make_asset(world, name="便携音箱"), due_on=today)
    with time_machine.travel(datetime.combine(today + timedelta(days=3), datetime.min.time(), SHANGHAI), tick=False):
        mine = [todo for title, todo in _titles(world, Role.STAFF).items() if "便携音箱" in title]
        assert len(mine) == 1 and mine[0].url.endswith("/loans/{}/".format(late.pk)) and "3" in str(mine[0].title)
        clerk = [todo for todo in _titles(world, Role.ASSET_CLERK).values() if "overdue=true" in todo.url]
        assert [todo.count for todo in clerk] == [1]
        assert not [t for t in _titles(world, "colleague").values() if "/loans/" in t.url]
        assert not [t for t in _titles(world, Role.DEPT_HEAD).values() if "/loans/" in t.url]
    # More than three of one's own become one line with their count.
    for name in ("篮球", "排球", "足球"):
        lend(world, make_asset(world, name=name), due_on=today + timedelta(days=1))
    with time_machine.travel(datetime.combine(today + timedelta(days=3), datetime.min.time(), SHANGHAI), tick=False):
        mine = [todo for todo in _titles(world, Role.STAFF).values() if "/loans/" in todo.url]
        assert [(todo.count, "borrower=" in todo.url) for todo in mine] == [(4, True)]
