"""HTTP benchmark of the assets module: PostgreSQL, gunicorn with DEBUG off, the client on this machine.

    python -m bench.http_assets            (run by ``make bench``)

The method is the maintenance benchmark's (bench/http_maintenance.py): a fresh PostgreSQL database, gunicorn
with 5 sync workers and persistent database connections (on its own port, 8766 or BENCH_ASSETS_PORT), 50
warm-up calls then 500 measured ones per scenario, a new TCP connection per call. With 200,000 assets in one
organisation (a hospital group's ledger: 190,000 bulk-written, then 10,000 imported through the Excel import)
it times:

- the framework floor: ``/healthz/`` (no database);
- the ledger page filtered as people filter it (in use, one department and everything below it) and unfiltered;
- the asset API, filtered the same way, and its 20 newest cards;
- the value-by-category figures (``assets:stats``; if that page does not exist, the monthly depreciation
  report instead, and the output says so);
- the Excel import of 10,000 rows, in rows per second (in-process, the page's code path without HTTP).

Raw timings go to ``bench/results/assets-<size>.csv`` (scenario, assets, call, milliseconds; the import as one
row with its total time). PostgreSQL is taken from BENCH_ASSETS_DATABASE_URL (default: the local server,
database ``houqin_bench_assets``, dropped and made anew). Numbers are for reading; no test asserts them.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from bench.http_common import HttpBench

DATABASE_URL = os.environ.get("BENCH_ASSETS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/houqin_bench_assets")
SIZE = int(os.environ.get("BENCH_ASSETS", "200000"))
IMPORTED = 10_000  # rows of the Excel import, part of SIZE
ORG = "bench"
# Its own port, so that it never times a server another benchmark (or anything else) left on 8765.
BENCH = HttpBench("assets", DATABASE_URL, int(os.environ.get("BENCH_ASSETS_PORT", "8766")))

CATEGORIES = [
    ("A0201", "台式计算机", 4000, 9000, 30),
    ("A0202", "激光打印机", 1200, 4000, 12),
    ("A0214", "监护仪", 20000, 180000, 20),
    ("A0206", "空调", 3000, 12000, 10),
    ("A0210", "分析仪", 8000, 90000, 6),
    ("A0501", "办公桌椅", 600, 3000, 15),
    ("A0502", "病床", 1500, 8000, 5),
    ("A0401", "图书", 2000, 20000, 2),
]
STATUSES = (["in_use"] * 80) + (["idle"] * 9) + (["repairing"] * 3) + (["pending_disposal"] * 2) + (["disposed"] * 4)
STATUSES += ["lost"] * 2


# Data --------------------------------------------------------------------------------------------


class Data:
    """The organisation (a hospital: 40 departments under one root, 20 buildings of 50 rooms), its people
    (an asset clerk, a logistics head, 400 staff with 工号) and the credentials the client uses."""

    def __init__(self):
        from django.contrib.auth.hashers import make_password
        from rest_framework.authtoken.models import Token

        from houqin.core.choices import DepartmentKind, LocationKind, OrgKind, Role
        from houqin.core.models import Department, Location, Membership, Organization, RoleGrant, User
        from houqin.core.tenancy import scopes_disabled

        with scopes_disabled():
            self.org = Organization(code=ORG, name="压测医院", kind=OrgKind.HOSPITAL)
            self.org.tree_save()

            def tree(model, parent=None, **fields):
                node = model(org=self.org, parent=parent, **fields)
                node.tree_save()
                return node

            root = tree(Department, name="全院", code="ALL", kind=DepartmentKind.OFFICE)
            self.departments = [
                tree(Department, root, name="科室{}".format(i), code="D{}".format(i)) for i in range(40)
            ]
            campus = tree(Location, name="院区", code="C", kind=LocationKind.CAMPUS)
            self.rooms = []
            for b in range(20):
                building = tree(
                    Location, campus, name="{}号楼".format(b + 1), code="B{}".format(b), kind=LocationKind.BUILDING
                )
                floor = tree(Location, building, name="一层", code="B{}-F1".format(b), kind=LocationKind.FLOOR)
                for r in range(50):
                    code = "B{}-{}".format(b, r)
                    self.rooms.append(
                        tree(Location, floor, name="{}室".format(100 + r), code=code, kind=LocationKind.ROOM)
                    )

            password = make_password("houqin2026")

            def member(role, phone, department=None, employee_no=""):
                user = User.objects.create(phone=phone, password=password, name="{}{}".format(role, phone[-4:]))
                membership = Membership.objects.create(
                    org=self.org, user=user, department=department, employee_no=employee_no
                )
                RoleGrant.objects.create(org=self.org, membership=membership, role=role)
                return membership

            self.clerk = member(Role.ASSET_CLERK, "13900000001", employee_no="Z0001")
            self.head = member(Role.LOGISTICS_HEAD, "13900000002", employee_no="Z0002")
            self.staff = [
                member(Role.STAFF, "1390002{:04d}".format(i), self.departments[i % 40], "G{:04d}".format(i))
                for i in range(400)
            ]
            self.token = Token.objects.create(user=self.clerk.user).key
        self.assets = 0

    def session(self, membership) -> str:
        """A logged-in session cookie for ``membership`` (made the way ``login()`` makes one)."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        store = SessionStore()
        store[SESSION_KEY] = str(membership.user.pk)
        store[BACKEND_SESSION_KEY] = "houqin.core.auth.PhoneOrEmployeeNoBackend"
        store[HASH_SESSION_KEY] = membership.user.get_session_auth_hash()
        store.create()
        return store.session_key

    def grow(self, size: int) -> None:
        """Bulk-write cards until the ledger has ``size``: fifteen years of purchases, most in use, a few
        idle, under repair, awaiting disposal, disposed of or lost; each kept by a member of its department."""
        from django.db import transaction

        from houqin.assets.models import Asset, AssetCategory
        from houqin.core import numbering
        from houqin.core.tenancy import org_scope

        started = time.perf_counter()
        rng = random.Random(size)
        today = date.today()
        first = today - timedelta(days=365 * 15)
        count = size - self.assets
        step = (today - first) / count
        categories = {c.code: c for c in AssetCategory.objects.all()}
        kinds = [(categories[code], name, low, high) for code, name, low, high, _w in CATEGORIES]
        weights = [w for *_rest, w in CATEGORIES]
        by_department = {}
        for person in self.staff:
            by_department.setdefault(person.department_id, []).append(person)
        numbers: dict[int, int] = {}
        with org_scope(self.org):
            for begin in range(0, count, 5000):
                cards = []
                for n in range(begin, min(begin + 5000, count)):
                    booked = first + step * n
                    numbers[booked.year] = numbers.get(booked.year, 0) + 1
                    category, name, low, high = rng.choices(kinds, weights)[0]
                    department = self.departments[rng.randrange(40)]
                    room = self.rooms[rng.randrange(len(self.rooms))]
                    status = rng.choice(STATUSES)
                    quantity = rng.choice([10, 20, 40]) if category.batch_counts else 1
                    value = Decimal(rng.randint(low, high)) * quantity
                    cards.append(
                        Asset(
                            org=self.org,
                            code=numbering.format_number("ZC", booked.year, numbers[booked.year]),
                            name=name,
                            category=category,
                            quantity=quantity,
                            unit="台" if quantity == 1 else "套",
                            original_value=value,
                            low_value=value / quantity < 1000 and not category.batch_counts,
                            purchase_date=booked - timedelta(days=rng.randint(0, 30)),
                            booked_on=booked,
                            department=department,
                            location=room,
                            building_id=room.building_id,
                            custodian=rng.choice(by_department[department.pk]),
                            status=status,
                            left_on=today if status in ("disposed", "lost") else None,
                        )
                    )
                with transaction.atomic():
                    Asset.objects.bulk_create(cards, batch_size=1000)
            with transaction.atomic():
                for year, last in numbers.items():
                    numbering.keep(self.org, "ZC", numbering.format_number("ZC", year, last))
        self.assets = size
        print("  {:,} assets bulk-written in {:.0f} s".format(size, time.perf_counter() - started), flush=True)

    def import_rows(self, rows: int) -> tuple[float, int]:
        """The Excel import of ``rows`` new cards (codes left blank: numbered) by the asset clerk: seconds."""
        from openpyxl import Workbook

        from houqin.assets.importers import AssetImporter
        from houqin.core.access import build_actor
        from houqin.core.tenancy import org_scope

        rng = random.Random(rows)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(["资产名称", "资产分类", "数量", "原值", "购置日期", "入账日期", "使用部门", "存放地点", "保管人"])
        for _n in range(rows):
            code, name, low, high, _w = rng.choice(CATEGORIES[:5])
            person = self.staff[rng.randrange(len(self.staff))]
            room = self.rooms[rng.randrange(len(self.rooms))]
            sheet.append(
                [name, code, 1, rng.randint(low, high), "2025-03-01", "2025-03-15", "科室{}".format(rng.randrange(40)),
                 room.code, person.employee_no]
            )  # fmt: skip
        buffer = BytesIO()
        workbook.save(buffer)

        class Upload(BytesIO):
            name = "import.xlsx"

        started = time.perf_counter()
        with org_scope(self.org):
            result = AssetImporter(build_actor(self.clerk.user, self.org)).run(Upload(buffer.getvalue()))
        seconds = time.perf_counter() - started
        if result.errors:
            raise RuntimeError("import refused: {}".format(result.errors[:5]))
        self.assets += len(result.saved)
        return seconds, len(result.saved)


def _figures_path() -> tuple[str, str]:
    from django.urls import NoReverseMatch, reverse

    try:
        return "page: value-by-category figures", reverse("assets:stats", args=[ORG])
    except NoReverseMatch:
        month = date.today().replace(day=1) - timedelta(days=1)
        url = reverse("assets:depreciation_report", args=[ORG]) + "?month={:%Y-%m}".format(month)
        return "page: depreciation report (no assets:stats)", url


def run(data: Data, size: int) -> list[tuple[str, list[float], float | None]]:
    from django.db import connection

    data.grow(size - IMPORTED)
    seconds, imported = data.import_rows(IMPORTED)
    rate = imported / seconds
    print("  Excel import: {:,} rows in {:.1f} s, {:.0f} rows/s".format(imported, seconds, rate), flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    department = data.departments[7]
    filters = "?status=in_use&department={}".format(department.pk)
    figures_label, figures_path = _figures_path()
    with BENCH.server():
        cookie = {"Cookie": "sessionid=" + data.session(data.clerk)}
        head = {"Cookie": "sessionid=" + data.session(data.head)}
        token = {"Authorization": "Token " + data.token, "Accept": "application/json"}
        pages = "/o/{}/assets/".format(ORG)
        api = "/api/v1/o/{}/assets/assets/".format(ORG)
        results = [("floor: /healthz/", BENCH.series("floor", "GET", "/healthz/", {}), None)]
        for label, path, headers in (
            ("page: list, in use in one department", pages + filters, cookie),
            ("page: list, first page", pages, cookie),
            ("api: list, in use in one department", api + filters + "&page_size=20", token),
            ("api: list the 20 newest", api + "?page_size=20", token),
            (figures_label, figures_path, head),
        ):
            results.append((label, BENCH.series(label, "GET", path, headers), None))
        results.append(("import: {:,} rows (total ms)".format(imported), [seconds * 1000], rate))
        return results


def main() -> None:
    started = time.perf_counter()
    if not BENCH.prepare():
        return
    data = Data()
    print("  database, static files, people and places in {:.0f} s".format(time.perf_counter() - started), flush=True)
    print("assets over HTTP: PostgreSQL, gunicorn 5 sync workers, DEBUG off, new connection per call")
    BENCH.report("assets", SIZE, run(data, SIZE))


if __name__ == "__main__":
    main()
