"""What the HTTP benchmarks share: a fresh PostgreSQL database, houqin set up in it, gunicorn with 5 sync workers and
DEBUG off on a port of the benchmark's own, a client that opens a new connection per call, 50 warm-up calls then 500
measured ones, and the raw timings written to ``bench/results/*.csv``."""

from __future__ import annotations

import contextlib
import csv
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
WARMUP, MEASURED = 50, 500

Result = tuple[str, list[float], float | None]  # scenario, milliseconds per call, a rate (per second) or None


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]


class HttpBench:
    """One benchmark's database, server and client."""

    def __init__(self, name: str, database_url: str, port: int):
        self.name, self.database_url, self.port = name, database_url, port
        self.server_env = {
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "HOUQIN_TESTING": "false",
            "SECRET_KEY": "bench-" + "k" * 40,
            "ALLOWED_HOSTS": HOST,
            "HOUQIN_BASE_URL": "http://{}:{}".format(HOST, port),
            "DB_CONN_MAX_AGE": "600",
        }

    def prepare(self) -> bool:
        """A new empty database, migrated, with the static manifest (DEBUG off), and Django set up in this process;
        False (and a line saying why) when PostgreSQL cannot be reached."""
        import psycopg

        url = urlparse(self.database_url)
        admin = url._replace(path="/postgres").geturl()
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
                name = url.path.lstrip("/")
                connection.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name))
                connection.execute('CREATE DATABASE "{}"'.format(name))
        except psycopg.OperationalError as error:
            print("{} HTTP benchmark skipped: PostgreSQL not reachable ({})".format(self.name, error))
            return False
        os.environ.update(self.server_env)
        for args in (
            ("migrate", "--no-input", "-v", "0"),
            ("createcachetable",),
            ("collectstatic", "--no-input", "-v", "0"),
        ):
            subprocess.run([str(VENV_BIN / "houqin"), *args], check=True, env={**os.environ, **self.server_env})
        sys.path.insert(0, str(ROOT / "src"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings")
        import django

        django.setup()
        RESULTS.mkdir(parents=True, exist_ok=True)
        return True

    @contextlib.contextmanager
    def server(self):
        """gunicorn, 5 sync workers, on this benchmark's port (refused when something else answers there)."""
        with socket.socket() as probe:
            if probe.connect_ex((HOST, self.port)) == 0:
                raise RuntimeError("port {} is in use: another server would be timed".format(self.port))
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "houqin.wsgi:application", "-w", "5", "-b", "{}:{}".format(HOST, self.port),
             "--log-level", "warning"],
            env={**os.environ, **self.server_env},
            cwd=ROOT / "src",
        )  # fmt: skip
        try:
            for _attempt in range(100):
                try:
                    if self.call("GET", "/healthz/", headers={})[1] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            if server.poll() is not None:
                raise RuntimeError("gunicorn did not start (exit code {})".format(server.returncode))
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)

    def call(self, method: str, path: str, *, headers: dict, body: bytes | None = None) -> tuple[float, int, bytes]:
        """One request on a new connection (as the ERPNext figures were taken): milliseconds, status, body."""
        start = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        return (time.perf_counter() - start) * 1000, response.status, payload

    def series(self, name: str, method: str, path, headers: dict, body=None, expect=(200,)) -> list[float]:
        """The warm-up and measured calls of a scenario; ``path`` and ``body`` may be functions of the index."""
        samples = []
        for index in range(WARMUP + MEASURED):
            target = path(index) if callable(path) else path
            payload = body(index) if callable(body) else body
            ms, status, content = self.call(method, target, headers=headers, body=payload)
            if status not in expect:
                raise RuntimeError("{} {}: HTTP {} {}".format(method, target, status, content[:300]))
            if index >= WARMUP:
                samples.append(ms)
        print("  {:<44} median {:7.2f} ms  p95 {:7.2f} ms".format(name, statistics.median(samples), p95(samples)))
        return samples

    def report(self, unit: str, size: int, results: list[Result]) -> None:
        """Raw timings to ``bench/results/<name>-<size>.csv`` and a table of medians on the screen."""
        with open(RESULTS / "{}-{}.csv".format(self.name, size), "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["scenario", unit, "call", "ms"])
            for label, samples, _rate in results:
                for index, ms in enumerate(samples, start=1):
                    writer.writerow([label, size, index, "{:.3f}".format(ms)])
        print("{:<44} {:>9} {:>10} {:>10} {:>12}".format("scenario", unit, "median ms", "p95 ms", "per second"))
        for label, samples, rate in results:
            print(
                "{:<44} {:>9,} {:>10.2f} {:>10.2f} {:>12}".format(
                    label, size, statistics.median(samples), p95(samples), "{:.0f}".format(rate) if rate else ""
                )
            )
