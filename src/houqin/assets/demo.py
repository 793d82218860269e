"""Demo data of assets: the ledger of the demo school (about 3,000 cards) and hospital (about 8,000).

Each kind of room holds what such a room holds — desks and an interactive whiteboard in a classroom,
microscopes in the laboratory, beds, monitors and infusion pumps on a ward, steamers in the canteen — bought
over the last twelve years at believable prices, in the department that uses the room, kept by one of its
people. Batches of like items (课桌椅, books) are one card each. Five cameras watch the school's key points.
Counts are scaled to the target, computed in Python and bulk-created with one "registered" event and one
history record per card. An organisation that already has assets is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from houqin.core import numbering
from houqin.core.demo import SMALL, DemoContext, register
from houqin.core.models import Department, Location, Membership

from . import categories
from .choices import Acquisition, AssetEventKind, AssetStatus
from .models import Asset, AssetCategory, AssetEvent

TZ = ZoneInfo("Asia/Shanghai")
TARGET = {"qyzx": (3000, 120), "qyxrmyy": (8000, 240)}  # (full demo, small demo for tests)

# (words in the room's name or its use, department code, [(name, category, unit, quantity per card,
# unit price, brand, cards per room)]). The items a real ledger has many cards of (SCALED) make up the
# rest of the target; the others keep their count per room.
SCHOOL_ROOMS = [
    (
        ("classroom",),
        "JWC",
        [
            # One card per set, each with its own label: the ledger's largest group (低值易耗品 by value).
            ("学生课桌椅", "A0501", "套", 1, "320", "", 45),
            ("讲台", "A0501", "张", 1, "1200", "", 1),
            ("交互式电子白板一体机", "A0221", "台", 1, "16800", "希沃", 1),
            ("壁挂空调", "A0206", "台", 1, "3600", "格力", 2),
            ("图书角书架", "A0501", "个", 1, "680", "", 1),
        ],
    ),
    (
        ("计算机教室", "微机"),
        "JWC",
        [("计算机", "A0201", "台", 1, "4300", "联想", 10), ("教师机", "A0201", "台", 1, "5600", "联想", 1)],
    ),
    (
        ("教师办公室", "office"),
        "BGS",
        [
            ("台式计算机", "A0201", "台", 1, "5200", "联想", 6),
            ("激光打印机", "A0202", "台", 1, "1800", "惠普", 1),
            # What teachers borrow for a lesson, an outing or a meeting (demo_stories lends them).
            ("笔记本电脑", "A0201", "台", 1, "5600", "联想", 1),
            ("便携式投影仪", "A0202", "台", 1, "3200", "爱普生", 1),
            ("数码照相机", "A0209", "台", 1, "4600", "佳能", 1),
            ("办公桌", "A0501", "张", 1, "1100", "", 6),
            ("文件柜", "A0501", "个", 1, "1050", "", 3),
            ("壁挂空调", "A0206", "台", 1, "3600", "格力", 1),
        ],
    ),
    (
        ("laboratory", "实验室", "仪器室"),
        "JWC",
        [
            ("生物显微镜", "A0221", "台", 1, "1380", "麦克奥迪", 25),
            ("学生实验桌", "A0501", "张", 1, "1500", "", 12),
            ("电子天平", "A0212", "台", 1, "1600", "梅特勒", 4),
            ("通风橱", "A0221", "台", 1, "9800", "", 1),
            ("数字化实验系统", "A0221", "套", 1, "28000", "朗威", 1),
        ],
    ),
    (
        ("special_room", "功能", "美术", "书法", "音乐"),
        "JWC",
        [
            ("多媒体教学一体机", "A0221", "台", 1, "12800", "鸿合", 1),
            ("立式钢琴", "A0218", "台", 1, "26000", "珠江", 1),
            ("画架", "A0502", "个", 20, "120", "", 1),
        ],
    ),
    (
        ("阅览", "图书"),
        "JWC",
        [
            ("图书（小学部藏书）", "A0401", "册", 500, "28", "", 12),
            ("阅览桌椅", "A0501", "套", 10, "900", "", 1),
        ],
    ),
    (
        ("体育", "器材"),
        "TYZ",
        [
            ("篮球架", "A0219", "副", 1, "8600", "金陵", 2),
            ("乒乓球台", "A0219", "张", 1, "2600", "双鱼", 4),
            ("跳高架", "A0219", "副", 1, "1500", "", 1),
            ("体质测试仪", "A0219", "套", 1, "36000", "", 1),
        ],
    ),
    (
        ("卫生室", "保健", "医务室"),
        "ZWC",
        [
            ("诊查床", "A0214", "张", 1, "1600", "", 1),
            ("身高体重测量仪", "A0214", "台", 1, "2300", "", 1),
            ("紫外线消毒车", "A0214", "台", 1, "1800", "", 1),
        ],
    ),
    (
        ("canteen", "食堂", "厨房"),
        "ST",
        [
            ("蒸饭柜", "A0213", "台", 1, "9800", "", 2),
            ("消毒柜", "A0213", "台", 1, "4200", "康宝", 2),
            ("双门冷藏柜", "A0213", "台", 1, "5600", "海尔", 2),
            ("留样冰箱", "A0213", "台", 1, "2800", "海尔", 1),
        ],
    ),
]
SCALED = {
    "学生课桌椅",
    "图书（小学部藏书）",
    "计算机",
    "电动病床",
    "输液泵",
    "床旁心电监护仪",
    "床头柜",
}
# 5 key points of the campus, each camera booked at the place that covers it (point, place name).
SCHOOL_CAMERAS = [
    ("校门口", "门卫室"),
    ("操场", "操场"),
    ("食堂入口", "食堂"),
    ("教学楼大厅", "教学楼A"),
    ("围墙东北角", "校园绿地"),
]

HOSPITAL_ROOMS = [
    (
        ("ward", "病区", "病房"),
        None,
        [
            ("电动病床", "A0214", "张", 1, "8600", "", 3),
            ("床旁心电监护仪", "A0214", "台", 1, "18500", "迈瑞", 2),
            ("输液泵", "A0214", "台", 1, "6800", "迈瑞", 3),
            ("床头柜", "A0501", "个", 1, "1200", "", 3),
            ("陪护椅", "A0502", "把", 4, "450", "", 1),
        ],
    ),
    (
        ("operating_room", "手术"),
        "SSS",
        [
            ("麻醉机", "A0214", "台", 1, "380000", "德尔格", 1),
            ("手术无影灯", "A0214", "台", 1, "96000", "迈柯唯", 1),
            ("电动手术床", "A0214", "张", 1, "168000", "迈柯唯", 1),
            ("高频电刀", "A0214", "台", 1, "86000", "威力", 1),
        ],
    ),
    (
        ("clinic", "诊室", "急诊", "抢救"),
        None,
        [
            ("台式计算机", "A0201", "台", 1, "5200", "联想", 2),
            ("诊查床", "A0214", "张", 1, "1600", "", 1),
            ("电子血压计", "A0214", "台", 1, "1200", "欧姆龙", 1),
            ("观片灯", "A0214", "台", 1, "1500", "", 1),
        ],
    ),
    (
        ("office", "办公室", "护士站"),
        None,
        [
            ("台式计算机", "A0201", "台", 1, "5200", "联想", 3),
            ("激光打印机", "A0202", "台", 1, "1800", "惠普", 1),
            ("办公桌", "A0501", "张", 1, "1100", "", 3),
            ("文件柜", "A0501", "个", 1, "1050", "", 2),
        ],
    ),
    (
        ("B超", "心电", "胃镜", "检验", "放射", "体检"),
        None,
        [
            ("彩色多普勒超声诊断仪", "A0214", "台", 1, "680000", "GE", 1),
            ("十二导心电图机", "A0214", "台", 1, "28000", "光电", 1),
            ("全自动生化分析仪", "A0214", "台", 1, "420000", "迈瑞", 1),
        ],
    ),
    (("配电",), "ZWK", [("低压配电柜", "A0206", "台", 1, "46000", "正泰", 2)]),
    (("被服", "库"), "ZWK", [("不锈钢货架", "A0502", "组", 6, "600", "", 1)]),
]
HOSPITAL_DEPARTMENTS = {
    "内科": "NK",
    "外科": "WK",
    "妇": "FCK",
    "产": "FCK",
    "儿科": "EK",
    "急诊": "JZK",
    "抢救": "JZK",
    "ICU": "ICU",
    "重症": "ICU",
    "检验": "JYK",
    "放射": "FSK",
    "药": "YJK",
}


@register
def load_assets(ctx: DemoContext) -> None:
    if not AssetCategory.objects.exists():  # the migration loads them; a flushed database (tests) has none
        categories.load()
    for org_code, (full, small) in TARGET.items():
        org = ctx.orgs.get(org_code)
        if org is None or Asset._base_manager.filter(org=org).exists():
            continue
        _load(ctx, org, small if ctx.size == SMALL else full)


def _templates(org_code: str):
    return SCHOOL_ROOMS if org_code == "qyzx" else HOSPITAL_ROOMS


def _room_items(org_code: str, room: Location, where: str):
    """What a room holds and which department owns it; ``where`` is the names of the room and the places
    above it (a ward's department is in its floor's name, 内科一病区)."""
    for words, department_code, items in _templates(org_code):
        if room.use in words or any(word in room.name for word in words):
            if department_code is None:
                department_code = next((c for w, c in HOSPITAL_DEPARTMENTS.items() if w in where), "YWK")
            return department_code, items
    return None, []


def _load(ctx: DemoContext, org, target: int) -> None:
    rng = random.Random(org.code)
    categories = {c.code: c for c in AssetCategory.objects.all()}
    departments = {d.code: d for d in Department._base_manager.filter(org=org)}
    keepers: dict[int, list[Membership]] = {}
    for membership in Membership._base_manager.filter(org=org, is_active=True, department__isnull=False):
        keepers.setdefault(membership.department_id, []).append(membership)
    anyone = [m for members in keepers.values() for m in members]
    places = {place.pk: place for place in Location._base_manager.filter(org=org).order_by("path")}
    rooms = [place for place in places.values() if place.kind == "room"]

    def where(place) -> str:
        return place.name + (where(places[place.parent_id]) if place.parent_id in places else "")

    plan = []  # (room, department, item)
    for room in rooms:
        department_code, items = _room_items(org.code, room, where(room))
        plan += [(room, departments.get(department_code), item) for item in items]
    fixed = sum(item[6] for _r, _d, item in plan if item[0] not in SCALED)
    scale = max(target - fixed, 0) / (sum(item[6] for _r, _d, item in plan if item[0] in SCALED) or 1)
    today = date.today()
    cards = []
    for room, department, (name, category, unit, quantity, price, brand, per_room) in plan:
        department = department or next(iter(departments.values()))
        for _n in range(max(1, round(per_room * scale)) if name in SCALED else per_room):
            cards.append((room, department, name, category, unit, quantity, Decimal(price), brand))
    if org.code == "qyzx":
        by_name = {place.name: place for place in places.values()}
        security = departments.get("BAD") or next(iter(departments.values()))
        for point, place_name in SCHOOL_CAMERAS:
            cards.append(
                (
                    by_name.get(place_name) or rooms[0],
                    security,
                    "监控摄像机（{}）".format(point),
                    "A0216",
                    "台",
                    1,
                    Decimal("2680"),
                    "海康威视",
                )
            )
    assets = []
    last: dict[int, int] = {}
    for room, department, name, category, unit, quantity, price, brand in cards:
        booked = today - timedelta(days=rng.randint(30, 365 * 12))
        keeper = rng.choice(keepers.get(department.pk) or anyone) if anyone else None
        value = price * quantity * Decimal(rng.choice(["0.92", "1.00", "1.00", "1.05"]))
        # Lent, under repair, awaiting disposal and gone come from the records that put them there (demo_stories).
        status = AssetStatus.IDLE if rng.random() < 0.06 else AssetStatus.IN_USE
        year = booked.year
        last[year] = last.get(year, 0) + 1
        assets.append(
            Asset(
                org=org,
                code=numbering.format_number("ZC", year, last[year]),
                name=name,
                category=categories[category],
                brand=brand,
                quantity=quantity,
                unit=unit,
                original_value=value.quantize(Decimal("0.01")),
                low_value=price < 1000 and not (categories[category].batch_counts and quantity > 1),
                acquisition=Acquisition.PURCHASE if rng.random() < 0.95 else Acquisition.DONATION,
                funding=rng.choice(["fiscal", "fiscal", "fiscal", "own"]),
                purchase_date=booked - timedelta(days=rng.randint(0, 20)),
                booked_on=booked,
                voucher_number="记-{}-{:04d}".format(booked.strftime("%Y%m"), rng.randint(1, 400)),
                department=department,
                location=room,
                building_id=room.building_id,
                custodian=keeper,
                user_person=keeper if rng.random() < 0.5 else None,
                status=status,
                warranty_until=booked + timedelta(days=365 * 3),
                created_at=datetime.combine(booked, time(10), tzinfo=TZ),
            )
        )
    assets.sort(key=lambda asset: asset.booked_on)
    last = {}
    for asset in assets:  # numbered in booking order, as the clerk would have numbered them
        last[asset.booked_on.year] = last.get(asset.booked_on.year, 0) + 1
        asset.code = numbering.format_number("ZC", asset.booked_on.year, last[asset.booked_on.year])
    for year, n in last.items():
        numbering.keep(org, "ZC", numbering.format_number("ZC", year, n))
    Asset.objects.bulk_create(assets, batch_size=1000)
    Asset.history.bulk_history_create(assets, batch_size=1000)
    AssetEvent.objects.bulk_create(
        [
            AssetEvent(org=org, asset=asset, kind=AssetEventKind.REGISTERED, at=asset.created_at, note=asset.code)
            for asset in assets
        ],
        batch_size=2000,
    )
