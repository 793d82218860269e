"""HTTP benchmark of the maintenance module: PostgreSQL, gunicorn with DEBUG off, the client on this machine.

    python -m bench.http_maintenance            (run by ``make bench``)

For each size (2,000 and 200,000 jobs in one organisation) it starts gunicorn with 5 sync workers and
persistent database connections, then times, with 50 warm-up calls and 500 measured ones each:

- the framework floor: ``/healthz/`` (no database) on the same server and protocol;
- the API as ERPNext 15 was measured on this kind of machine: token auth, a new TCP connection per call —
  create a job (sequentially: creates per second), list the 20 newest, fetch one;
- the pages people wait for: a technician's list, the dispatch board, the statistics page (12 months).

Raw timings go to ``bench/results/maintenance-<size>.csv`` (scenario, call, milliseconds); the summary
(median, p95, creates/s) is printed. PostgreSQL is taken from BENCH_DATABASE_URL (default: the local
server, database ``houqin_bench``, dropped and made anew). Numbers are for reading; no test asserts them.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import timedelta

from bench.http_common import MEASURED, WARMUP, HttpBench

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/houqin_bench")
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "2000,200000").split(",")]  # BENCH_SIZES=2000 to try
ORG = "bench"
YEARS = 5  # 200,000 jobs over five years: a big hospital's volume; the statistics window holds one fifth
BENCH = HttpBench("maintenance", DATABASE_URL, 8765)


# Data --------------------------------------------------------------------------------------------


class Data:
    """The organisation, its people and places, and the credentials the client uses."""

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
            departments = [tree(Department, root, name="科室{}".format(i), code="D{}".format(i)) for i in range(40)]
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

            password = make_password("houqin2026")  # hashed once: 430 hashes would take minutes

            def member(role, phone, department=None):
                user = User.objects.create(phone=phone, password=password, name="{}{}".format(role, phone[-4:]))
                membership = Membership.objects.create(org=self.org, user=user, department=department)
                RoleGrant.objects.create(org=self.org, membership=membership, role=role)
                return membership

            self.dispatcher = member(Role.DISPATCHER, "13900000001")
            self.head = member(Role.LOGISTICS_HEAD, "13900000002")
            self.technicians = [member(Role.TECHNICIAN, "1390001{:04d}".format(i)) for i in range(30)]
            self.staff = [member(Role.STAFF, "1390002{:04d}".format(i), departments[i % 40]) for i in range(400)]
            self.token = Token.objects.create(user=self.staff[0].user).key
            self.dispatcher_token = Token.objects.create(user=self.dispatcher.user).key
        self.jobs = 0

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
        """Add jobs until the organisation has ``size``: five years of mostly finished work (a hospital's pace,
        heavier in winter and in the rainy season), the newest ~300 still open and ~100 awaiting confirmation;
        each technician has a handful of open jobs. Whatever was open before (including the jobs the API
        benchmark created) is closed first, as a real backlog is worked off."""
        from decimal import Decimal

        from django.db import connection, transaction
        from django.db.models import F
        from django.utils import timezone

        from houqin.core import numbering
        from houqin.core.models import NumberSequence
        from houqin.core.tenancy import org_scope
        from houqin.maintenance.choices import OPEN_STATES
        from houqin.maintenance.models import Job, JobAssignment
        from houqin.maintenance.services.repeats import refresh_all

        started = time.perf_counter()
        rng = random.Random(size)
        now = timezone.now()
        first = now - timedelta(days=365 * YEARS)
        categories = ["water", "electric", "hvac", "door_window", "network", "equipment", "building", "other"]
        count = size - self.jobs
        step = (now - first) / count
        CAUSES = ["aging", "aging", "aging", "damage", "misuse", "other"]
        open_states = ["new", "assigned", "assigned", "accepted", "in_progress", "in_progress", "on_hold"]
        with org_scope(self.org):
            Job.objects.filter(state__in=(*OPEN_STATES, "finished")).update(
                state="done",
                accepted_at=F("reported_at") + timedelta(minutes=40),
                started_at=F("reported_at") + timedelta(hours=1),
                finished_at=F("reported_at") + timedelta(hours=5),
                confirmed_at=F("reported_at") + timedelta(days=2),
                closed_at=F("reported_at") + timedelta(days=2),
                cause="aging",
                work_done="已修复",
            )
            numbers = dict(NumberSequence.objects.filter(prefix="BX").values_list("year", "last"))
            for begin in range(0, count, 5000):
                jobs = []
                for n in range(begin, min(begin + 5000, count)):
                    reported = first + step * n + timedelta(seconds=rng.randint(0, 600))
                    year = timezone.localtime(reported).year
                    numbers[year] = numbers.get(year, 0) + 1
                    reporter = self.staff[rng.randrange(len(self.staff))]
                    room = self.rooms[rng.randrange(len(self.rooms))]
                    month = timezone.localtime(reported).month
                    weights = [3, 3, 5 if month in (11, 12, 1, 2, 3) else 1, 2, 2, 2, 1, 1]
                    if month in (6, 7, 8):
                        weights[0] = 6  # drains in the rainy season
                    from_end = count - n
                    state = "done"
                    if from_end <= 300:
                        state = rng.choice(open_states)
                    elif from_end <= 400:
                        state = "finished"
                    elif rng.random() < 0.02:
                        state = rng.choice(["rejected", "cancelled"])
                    worked = state in ("done", "finished")
                    begun = state not in ("new", "assigned", "rejected", "cancelled")
                    urgency = rng.choices(["normal", "urgent", "emergency"], [85, 12, 3])[0]
                    hours = {"normal": 48, "urgent": 8, "emergency": 2}[urgency]
                    finished = reported + timedelta(minutes=rng.randint(30, 60 * hours * 5 // 4)) if worked else None
                    labour = Decimal(rng.choice(["0.50", "1.00", "1.50", "2.00", "4.00"])) if worked else None
                    parts = Decimal(rng.choice(["0.00", "0.00", "12.50", "35.00", "180.00"])) if worked else Decimal(0)
                    jobs.append(
                        Job(
                            org=self.org,
                            code=numbering.format_number("BX", year, numbers[year]),
                            state=state,
                            category=rng.choices(categories, weights)[0],
                            urgency=urgency,
                            wall_clock=urgency == "emergency",
                            location=room,
                            building_id=room.building_id,
                            description="压测工单 {}：{}漏水".format(n, room.name),
                            reporter=reporter.user,
                            reporter_name=reporter.user.name,
                            department_id=reporter.department_id,
                            reported_at=reported,
                            response_due=reported + timedelta(hours=max(hours // 12, 1)),
                            completion_due=reported + timedelta(hours=hours),
                            dispatched_at=reported + timedelta(minutes=20) if state != "new" else None,
                            accepted_at=reported + timedelta(minutes=rng.randint(25, 300)) if begun else None,
                            started_at=reported + timedelta(hours=1) if begun else None,
                            hold_reason="等配件" if state == "on_hold" else "",
                            finished_at=finished,
                            confirmed_at=finished + timedelta(days=1) if state == "done" else None,
                            closed_at=finished + timedelta(days=1)
                            if state == "done"
                            else (reported + timedelta(hours=2) if state in ("rejected", "cancelled") else None),
                            cause=rng.choice(CAUSES) if worked else "",
                            work_done="已修复" if worked else "",
                            labour_hours=labour,
                            hourly_rate=Decimal("60.00") if worked else None,
                            labour_cost=labour * 60 if worked else Decimal(0),
                            parts_cost=parts,
                            total_cost=labour * 60 + parts if worked else Decimal(0),
                            rating=rng.choice([None, 3, 4, 5, 5, 5]) if state == "done" else None,
                        )
                    )
                with transaction.atomic():
                    Job.objects.bulk_create(jobs, batch_size=1000)  # PostgreSQL returns the ids
                    links = []
                    for job in jobs:
                        if job.state in ("new", "rejected"):
                            continue
                        technician = self.technicians[rng.randrange(len(self.technicians))]
                        links.append(
                            JobAssignment(
                                org=self.org,
                                job_id=job.pk,
                                membership=technician,
                                user_id=technician.user_id,
                                is_lead=True,
                                assigned_at=job.dispatched_at or job.reported_at,
                            )
                        )
                    JobAssignment.objects.bulk_create(links, batch_size=2000)
            with transaction.atomic():
                for year, last in numbers.items():
                    numbering.keep(self.org, "BX", numbering.format_number("BX", year, last))
            refresh_all(self.org)  # bulk_create bypassed job_create, which flags repeat faults
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.jobs = size
        print("  {:,} jobs in {:.0f} s".format(size, time.perf_counter() - started), flush=True)


def run_size(data: Data, size: int) -> list[tuple[str, list[float], float | None]]:
    data.grow(size)
    with BENCH.server():
        api = "/api/v1/o/{}/maintenance/jobs/".format(ORG)
        token = {"Authorization": "Token " + data.token, "Accept": "application/json"}
        office_token = {"Authorization": "Token " + data.dispatcher_token, "Accept": "application/json"}
        from houqin.core.tenancy import org_scope
        from houqin.maintenance.models import Job

        with org_scope(data.org):
            newest = Job.objects.order_by("-id").values_list("id", flat=True).first()
        technician = data.technicians[0]
        pages = {
            "page: technician's list": (data.session(technician), "/o/{}/maintenance/my/".format(ORG)),
            "page: dispatch board": (data.session(data.dispatcher), "/o/{}/maintenance/board/".format(ORG)),
            "page: statistics, 12 months": (data.session(data.head), "/o/{}/maintenance/stats/".format(ORG)),
        }
        results = [("floor: /healthz/", BENCH.series("floor", "GET", "/healthz/", {}), None)]
        rooms = data.rooms

        def create_body(index):
            room = rooms[index % len(rooms)]
            return json.dumps(
                {"location": room.pk, "category": "water", "description": "压测报修 {}".format(index)}
            ).encode()

        started = time.perf_counter()
        creates = BENCH.series(
            "api create",
            "POST",
            api,
            {**token, "Content-Type": "application/json"},
            body=create_body,
            expect=(201,),
        )
        rate = (WARMUP + MEASURED) / (time.perf_counter() - started)
        results.append(("api: create a job", creates, rate))
        results.append(
            ("api: list the 20 newest", BENCH.series("api list", "GET", api + "?page_size=20", office_token), None)
        )
        results.append(
            ("api: fetch one", BENCH.series("api fetch", "GET", "{}{}/".format(api, newest), office_token), None)
        )
        for label, (session, path) in pages.items():
            cookie = {"Cookie": "sessionid=" + session}
            results.append((label, BENCH.series(label, "GET", path, cookie), None))
        data.jobs += WARMUP + MEASURED  # the creates
        return results


def main() -> None:
    started = time.perf_counter()
    if not BENCH.prepare():
        return
    data = Data()
    print("  database, static files, people and places in {:.0f} s".format(time.perf_counter() - started), flush=True)
    print("maintenance over HTTP: PostgreSQL, gunicorn 5 sync workers, DEBUG off, new connection per call")
    for size in SIZES:
        BENCH.report("jobs", size, run_size(data, size))


if __name__ == "__main__":
    main()
