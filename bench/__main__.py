"""houqin benchmarks (`make bench`): timings of the foundation's hot paths at realistic sizes.

Runs against a throw-away test database (SQLite, or PostgreSQL when DATABASE_URL is set) and prints
median wall times. Numbers are for reading, not for asserting: tests never assert timings.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings")
os.environ.setdefault("HOUQIN_TESTING", "true")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import scenarios  # noqa: E402


def timed(label: str, func, repeat: int = 5) -> float:
    func()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples) * 1000
    print("{:<58} {:>9.1f} ms  (median of {})".format(label, median, repeat))
    return median


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print("database: {}".format(connection.vendor))
        for size in scenarios.SIZES:
            world = scenarios.build(size)
            client = Client()
            client.force_login(world.admin.user, backend="houqin.core.auth.PhoneOrEmployeeNoBackend")
            print("-- {} people, {} locations, {} departments".format(size.people, size.locations, size.departments))
            for label, func in scenarios.cases(world, client):
                timed(label, func)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


main()
