"""Demo stories of the asset ledger, after the cards (demo.py): a year of loans — laptops, projectors and cameras
at the school, infusion pumps and monitors lent between wards at the hospital — most returned, one damaged and
paid for, a few still out and some of those overdue; and one finished stocktake per organisation (the school's
体育组 at the end of the spring term, the hospital's ICU), with two items missing, one found in the wrong room and
one surplus registered. Rows are written as the services would have written them (numbers in time order, the
timeline's events, the card's chain, one history record per row). An organisation with loans is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from houqin.core import approvals, numbering
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.demo import SMALL, DemoContext, register
from houqin.core.models import (
    ApprovalRequest,
    ApprovalStep,
    Compensation,
    Department,
    Location,
    Membership,
    RoleGrant,
    WorkflowEvent,
)
from houqin.core.tenancy import org_scope

from .choices import (
    GONE,
    Acquisition,
    AssetEventKind,
    AssetStatus,
    CountResult,
    LoanState,
    ReturnCondition,
    StocktakeScope,
    StocktakeState,
)
from .demo import TARGET
from .models import Asset, AssetCategory, AssetEvent, Disposal, Loan, Stocktake, StocktakeLine, Transfer
from .services.disposals import disposal_request
from .services.transfers import pending_approval, transfer_request

TZ = ZoneInfo("Asia/Shanghai")
LENDABLE = {"qyzx": ("笔记本电脑", "便携式投影仪", "数码照相机"), "qyxrmyy": ("输液泵", "床旁心电监护仪")}
PURPOSES = {
    "qyzx": ["公开课使用", "春游拍照", "家长会演示", "外出培训", "教研活动", "运动会摄影", "课题汇报"],
    "qyxrmyy": ["病区设备临时不足", "抢救病人使用", "新收危重病人", "本科室设备送修期间借用"],
}
# (department code, name, counter's role in that department) of each organisation's finished stocktake.
STOCKTAKE = {"qyzx": ("TYZ", "2026年春季学期末体育器材清查"), "qyxrmyy": ("ICU", "2026年上半年重症医学科设备盘点")}


def _url(name: str, org, pk: int) -> str:
    try:
        return reverse(name, args=[org.code, pk])
    except NoReverseMatch:
        return ""


def _at(day: date, rng: random.Random, start: int = 8, end: int = 17) -> datetime:
    return datetime.combine(day, time(rng.randint(start, end - 1), rng.randint(0, 59)), tzinfo=TZ)


def _events(org, model, rows_steps) -> list[WorkflowEvent]:
    content_type = ContentType.objects.get_for_model(model)
    return [
        WorkflowEvent(
            org=org,
            content_type=content_type,
            object_id=row.pk,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            at=at,
            note=note,
        )
        for row, steps in rows_steps
        for action, from_state, to_state, actor, at, note in steps
    ]


@register
def load_asset_stories(ctx: DemoContext) -> None:
    for org_code in TARGET:
        org = ctx.orgs.get(org_code)
        if org is None or Loan._base_manager.filter(org=org).exists():
            continue
        if not Asset._base_manager.filter(org=org).exists():
            continue
        clerk = (
            ctx.members_with_role(org_code, Role.ASSET_CLERK) or ctx.members_with_role(org_code, Role.LOGISTICS_HEAD)
        )[0]
        rng = random.Random("stories-" + org_code)
        _loans(org, org_code, clerk, rng, small=ctx.size == SMALL)
        _stocktake(org, org_code, clerk, rng)
        with org_scope(org):
            _transfers_and_disposals(org, org_code, clerk, ctx)


def _loans(org, org_code: str, clerk: Membership, rng: random.Random, *, small: bool) -> None:
    today = date.today()
    now = datetime.now(TZ)
    lendable = list(
        Asset._base_manager.filter(
            org=org, name__in=LENDABLE[org_code], status__in=[AssetStatus.IN_USE, AssetStatus.IDLE]
        )
        .select_related("department")
        .order_by("pk")
    )
    rng.shuffle(lendable)
    borrowers = list(
        Membership._base_manager.filter(org=org, is_active=True, department__isnull=False)
        .exclude(pk=clerk.pk)
        .select_related("user")
        .order_by("pk")
    )
    if not lendable or not borrowers:
        return
    count = min(len(lendable), 12 if small else 40)
    plans = []
    for index in range(count):
        asset = lendable[index]
        # The last six are still out: three overdue (one of them long overdue), three not yet due.
        still_out = index >= count - 6
        if still_out:
            overdue = index < count - 3
            lent_day = today - timedelta(days=rng.randint(20, 60) if overdue else rng.randint(1, 5))
            due = (
                (today - timedelta(days=rng.randint(2, 15)))
                if overdue
                else (today + timedelta(days=rng.randint(2, 10)))
            )
        else:
            lent_day = today - timedelta(days=rng.randint(25, 360))
            due = lent_day + timedelta(days=rng.choice([1, 3, 7, 7, 14, 30]))
        plans.append((asset, rng.choice(borrowers), lent_day, max(due, lent_day), still_out))
    plans.sort(key=lambda plan: plan[2])
    last: dict[int, int] = {}
    loans, steps, asset_events, compensations = [], [], [], []
    damaged_done = False
    for asset, borrower, lent_day, due, still_out in plans:
        lent_at = min(_at(lent_day, rng), now - timedelta(minutes=30))
        last[lent_day.year] = last.get(lent_day.year, 0) + 1
        loan = Loan(
            org=org,
            code=numbering.format_number("JY", lent_day.year, last[lent_day.year]),
            asset=asset,
            borrower=borrower,
            department_id=borrower.department_id,
            purpose=rng.choice(PURPOSES[org_code]),
            lent_at=lent_at,
            due_on=due,
            lent_by=clerk.user,
            status_before=asset.status,
        )
        if not still_out:
            returned_day = min(due + timedelta(days=rng.choice([0, 0, 0, -1, 1, 2])), today)
            loan.returned_at = max(_at(returned_day, rng), lent_at + timedelta(hours=1))
            loan.received_by = clerk.user
            loan.state = LoanState.RETURNED
            loan.condition = ReturnCondition.GOOD
            if not damaged_done and lent_day < today - timedelta(days=60):
                damaged_done = True
                loan.condition = ReturnCondition.DAMAGED
                loan.return_note = "外壳摔裂，已报修" if org_code == "qyzx" else "显示屏碎裂，已报修"
        else:
            asset.status = AssetStatus.LENT
        loans.append(loan)
    for year, n in last.items():
        numbering.keep(org, "JY", numbering.format_number("JY", year, n))
    Loan.objects.bulk_create(loans)
    Loan.history.bulk_history_create(loans)
    Asset.objects.bulk_update([loan.asset for loan in loans if loan.state == LoanState.OUT], ["status"])
    for loan in loans:
        url = _url("assets:loan_detail", org, loan.pk)
        note = "{} · {}".format(loan.borrower.user.name, loan.purpose)
        loan_steps = [("lend", "", LoanState.OUT, clerk.user, loan.lent_at, "")]
        asset_events.append(
            AssetEvent(
                org=org,
                asset=loan.asset,
                kind=AssetEventKind.LENT,
                at=loan.lent_at,
                actor=clerk.user,
                note=note,
                source_label=loan.code,
                source_url=url,
            )
        )
        if loan.state == LoanState.RETURNED:
            loan_steps.append(
                ("return", LoanState.OUT, LoanState.RETURNED, clerk.user, loan.returned_at, loan.return_note)
            )
            asset_events.append(
                AssetEvent(
                    org=org,
                    asset=loan.asset,
                    kind=AssetEventKind.RETURNED,
                    at=loan.returned_at,
                    actor=clerk.user,
                    note=loan.get_condition_display() + (" · " + loan.return_note if loan.return_note else ""),
                    source_label=loan.code,
                    source_url=url,
                )
            )
            if loan.condition == ReturnCondition.DAMAGED:
                compensations.append(
                    Compensation(
                        org=org,
                        person=loan.borrower,
                        amount=Decimal("300.00"),
                        reason="借用{}损坏".format(loan.asset.name),
                        content_type=ContentType.objects.get_for_model(Loan),
                        object_id=loan.pk,
                        source_label=loan.code,
                        state="paid",
                        recorded_by=clerk.user,
                        recorded_at=loan.returned_at,
                        settled_at=loan.returned_at + timedelta(days=3),
                    )
                )
        steps.append((loan, loan_steps))
    WorkflowEvent.objects.bulk_create(_events(org, Loan, steps))
    AssetEvent.objects.bulk_create(asset_events)
    Compensation.objects.bulk_create(compensations)
    Compensation.history.bulk_history_create(compensations)


def _stocktake(org, org_code: str, clerk: Membership, rng: random.Random) -> None:
    department_code, name = STOCKTAKE[org_code]
    department = Department._base_manager.filter(org=org, code=department_code).first()
    if department is None:
        return
    today = date.today()
    opened_day = today - timedelta(days=160)
    closed_day = opened_day + timedelta(days=2)
    subtree = Department._base_manager.filter(org=org, path__startswith=department.path)
    assets = list(
        Asset._base_manager.filter(org=org, department__in=subtree, booked_on__lte=opened_day)
        .exclude(status__in=GONE)
        .select_related("location")
        .order_by("code")
    )
    if len(assets) < 6:
        return
    counters = list(
        Membership._base_manager.filter(org=org, is_active=True, department__in=subtree).select_related("user")
    ) or [clerk]
    opened_at, closed_at = _at(opened_day, rng, 8, 10), _at(closed_day, rng, 15, 17)
    code = numbering.allocate(org, "PD", on=opened_day)
    stocktake = Stocktake.objects.create(
        org=org,
        code=code,
        name=name,
        state=StocktakeState.CLOSED,
        scope=StocktakeScope.DEPARTMENT,
        department=department,
        scope_key="department:{}".format(department.pk),
        opened_by=clerk.user,
        opened_at=opened_at,
        closed_by=clerk.user,
        closed_at=closed_at,
        note="学期末例行清查" if org_code == "qyzx" else "半年度例行盘点",
    )
    url = _url("assets:stocktake_detail", org, stocktake.pk)
    rooms = list(Location._base_manager.filter(org=org, kind="room", is_active=True).order_by("path")[:200])
    missing = set(rng.sample(range(len(assets)), 2))
    moved = next(i for i in range(len(assets)) if i not in missing)
    lines, events, changed = [], [], []
    for index, asset in enumerate(assets):
        counter = rng.choice(counters)
        counted_at = opened_at + timedelta(minutes=5 * index + rng.randint(0, 4))
        line = StocktakeLine(org=org, stocktake=stocktake, asset=asset, expected_location=asset.location)
        if index in missing:
            line.result = CountResult.MISSING
            asset.status, asset.left_on = AssetStatus.LOST, max(closed_day, asset.booked_on)
            events.append((asset, "盘亏：清查时未找到，已按丢失处理"))
            changed.append(asset)
        else:
            line.counted_by, line.counted_at = counter.user, min(counted_at, closed_at)
            line.found_location = asset.location
            line.result = CountResult.FOUND
            if index == moved and rooms:
                other = next((room for room in rooms if room.pk != asset.location_id), None)
                if other is not None:
                    line.result, line.found_location = CountResult.WRONG_LOCATION, other
                    events.append(
                        (
                            asset,
                            "位置不符：账面 {} → 实际 {}".format(
                                asset.location.name if asset.location else "—", other.name
                            ),
                        )
                    )
                    asset.location, asset.building_id = other, other.building_id
                    changed.append(asset)
        lines.append(line)
    # One surplus: found in the room, not in the ledger; registered as a card when the stocktake closed.
    first_room = assets[0].location
    category = AssetCategory.objects.get(code="A0219" if org_code == "qyzx" else "A0214")
    surplus_asset = Asset(
        org=org,
        code=numbering.allocate(org, "ZC", on=closed_day),
        name="软式排球（一批）" if org_code == "qyzx" else "指夹式脉搏血氧仪",
        category=category,
        quantity=10 if org_code == "qyzx" else 2,
        unit="个" if org_code == "qyzx" else "台",
        original_value=Decimal("600.00") if org_code == "qyzx" else Decimal("1800.00"),
        low_value=True,
        acquisition=Acquisition.SURPLUS,
        booked_on=closed_day,
        department=department,
        location=first_room,
        building_id=first_room.building_id if first_room else None,
        custodian=assets[0].custodian,
        status=AssetStatus.IN_USE,
        created_at=closed_at,
        note="盘盈登记（{}）".format(code),
    )
    surplus_asset.save()
    Asset.history.bulk_history_create([surplus_asset])
    lines.append(
        StocktakeLine(
            org=org,
            stocktake=stocktake,
            asset=surplus_asset,
            result=CountResult.SURPLUS,
            found_location=first_room,
            counted_by=clerk.user,
            counted_at=opened_at + timedelta(hours=2),
            surplus_name=surplus_asset.name,
            surplus_category=category,
            surplus_quantity=surplus_asset.quantity,
            surplus_value=surplus_asset.original_value,
            note="账外物资，清查时发现",
        )
    )
    StocktakeLine.objects.bulk_create(lines)
    StocktakeLine.history.bulk_history_create(lines)
    Asset.objects.bulk_update(changed, ["status", "left_on", "location", "building"])
    AssetEvent.objects.bulk_create(
        [
            AssetEvent(
                org=org,
                asset=asset,
                kind=AssetEventKind.STOCKTAKE,
                at=closed_at,
                actor=clerk.user,
                note=note,
                source_label=code,
                source_url=url,
            )
            for asset, note in events
        ]
        + [
            AssetEvent(
                org=org,
                asset=surplus_asset,
                kind=AssetEventKind.REGISTERED,
                at=closed_at,
                actor=clerk.user,
                note="盘盈登记",
                source_label=code,
                source_url=url,
            )
        ]
    )
    Stocktake.history.bulk_history_create([stocktake])
    WorkflowEvent.objects.bulk_create(
        _events(
            org,
            Stocktake,
            [
                (
                    stocktake,
                    [
                        ("open", "", StocktakeState.OPEN, clerk.user, opened_at, ""),
                        ("close", StocktakeState.OPEN, StocktakeState.CLOSED, clerk.user, closed_at, ""),
                    ],
                )
            ],
        )
    )


# Transfers and disposals go through their services and the approval engine (default steps: the receiving
# department's head, then the asset clerk; the logistics head, then the leader), then their times are moved back
# to when they happened. (days ago, what, from department, to department, names of the assets, how many, reason,
# decided: True approved, None still waiting at its last step)
TRANSFERS = {
    "qyzx": [
        (75, "BGS", "JWC", "台式计算机", 2, "教务处新增教研员，办公室调剂两台计算机", True),
        (3, "BGS", "JWC", "激光打印机", 1, "教务处打印机故障报废，调剂一台", None),
    ],
    "qyxrmyy": [(40, "NK", "ICU", "床旁心电监护仪", 2, "重症医学科扩床，内科调剂监护仪", True)],
}
DISPOSALS = {
    "qyzx": [(120, "台式计算机", 3, "scrap", "使用超过 10 年，主板老化无法维修", "90.00", True)],
    "qyxrmyy": [
        (90, "输液泵", 2, "scrap", "超过使用年限，精度校验不合格", "0.00", True),
        (2, "台式计算机", 2, "scrap", "使用超过 10 年，无法满足电子病历系统要求", "0.00", None),
    ],
}


def _heads(org) -> dict[int, Membership]:
    """Each department's head (the 部门负责人 role's department, else the member's own)."""
    heads = {}
    for grant in RoleGrant._base_manager.filter(org=org, role=Role.DEPT_HEAD).select_related("membership__user"):
        heads.setdefault(grant.department_id or grant.membership.department_id, grant.membership)
    return heads


def _decide(org, record, approve_all: bool | None) -> None:
    """Approve the request's steps as their approvers would; ``None`` leaves the last step waiting."""
    while (request := pending_approval(record)) is not None:
        step = request.steps.filter(state="pending").first()
        last = not request.steps.filter(order__gt=step.order).exists()
        if approve_all is None and last:
            return
        approvers = approvals.step_approvers(step)
        decider = build_actor(approvers[0].user, org)
        approvals.approval_decide(actor=decider, request=request, approve=True, comment="同意")


def _backdate(record, model, at: datetime, done_at: datetime | None) -> None:
    """Move a record made now (its events, its approval and its card lines) back to when it happened."""
    content_type = ContentType.objects.get_for_model(model)
    events = WorkflowEvent._base_manager.filter(content_type=content_type, object_id=record.pk).order_by("pk")
    first = events.first()
    for event in events:
        event.at = at if event.pk == first.pk or done_at is None else done_at
        event.save(update_fields=["at"])
    requests = ApprovalRequest._base_manager.filter(content_type=content_type, object_id=record.pk)
    for request in requests:
        request_events = WorkflowEvent._base_manager.filter(
            content_type=ContentType.objects.get_for_model(ApprovalRequest), object_id=request.pk
        ).order_by("pk")
        for index, event in enumerate(request_events):
            event.at = at + timedelta(hours=2 * index)
            event.save(update_fields=["at"])
        ApprovalRequest._base_manager.filter(pk=request.pk).update(
            submitted_at=at, decided_at=done_at if request.decided_at else None
        )
        for index, step in enumerate(ApprovalStep._base_manager.filter(request=request).order_by("order")):
            if step.decided_at:
                ApprovalStep._base_manager.filter(pk=step.pk).update(decided_at=at + timedelta(hours=2 * (index + 1)))
    AssetEvent._base_manager.filter(org=record.org, source_label=record.code).update(at=done_at or at)


def _transfers_and_disposals(org, org_code: str, clerk: Membership, ctx: DemoContext) -> None:
    now = datetime.now(TZ)
    departments = {d.code: d for d in Department._base_manager.filter(org=org)}
    heads = _heads(org)
    taken: set[int] = set()

    def pick(department, name, count):
        rows = Asset.objects.filter(name=name, status=AssetStatus.IN_USE).exclude(pk__in=taken).order_by("booked_on")
        if department is not None:
            rows = rows.filter(department=department)
        chosen = list(rows[:count])
        taken.update(asset.pk for asset in chosen)
        return chosen

    for days, source, target, name, count, reason, decided in TRANSFERS[org_code]:
        source_department, target_department = departments.get(source), departments.get(target)
        requester = heads.get(source_department.pk) if source_department else None
        assets = pick(source_department, name, count)
        if requester is None or target_department is None or len(assets) < count:
            continue
        at = datetime.combine(now.date() - timedelta(days=days), time(9, 30), tzinfo=TZ)
        transfer = transfer_request(
            actor=build_actor(requester.user, org), assets=assets, to_department=target_department, reason=reason
        )
        _decide(org, transfer, decided)
        transfer.refresh_from_db()
        done_at = at + timedelta(hours=6) if transfer.done_at else None
        Transfer.objects.filter(pk=transfer.pk).update(requested_at=at, done_at=done_at)
        _backdate(transfer, Transfer, at, done_at)
    for days, name, count, method, reason, proceeds, decided in DISPOSALS[org_code]:
        assets = pick(None, name, count)
        if len(assets) < count:
            continue
        at = datetime.combine(now.date() - timedelta(days=days), time(10, 0), tzinfo=TZ)
        disposal = disposal_request(
            actor=build_actor(clerk.user, org), assets=assets, method=method, reason=reason, proceeds=Decimal(proceeds)
        )
        _decide(org, disposal, decided)
        disposal.refresh_from_db()
        done_at = at + timedelta(days=1) if disposal.done_on else None
        Disposal.objects.filter(pk=disposal.pk).update(requested_at=at, done_on=done_at.date() if done_at else None)
        if done_at:
            Asset.objects.filter(pk__in=[a.pk for a in assets]).update(left_on=done_at.date())
        _backdate(disposal, Disposal, at, done_at)
