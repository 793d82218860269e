"""Backup and restore, end to end: the real commands in subprocesses on temporary installations, no mocks.

pytest's own SQLite database lives in memory, so each installation here is a temporary SQLite file (or
a temporary PostgreSQL database) with its own media directory, driven through `houqin` subprocesses.
The messages are checked by words that stay the same in every language (paths, names, options).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

SETUP_DJANGO = "import os, django\nos.environ['DJANGO_SETTINGS_MODULE'] = 'houqin.settings'\ndjango.setup()\n"

# Builds the source installation in one process (each `houqin` start costs seconds): migrates, loads the small
# demo, creates the cache table (as `make run` does) and attaches a real photo to a place through the attachments
# service, as an org admin of the demo would.
MAKE_SOURCE = """
import io, json
from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from houqin.core.access import build_actor
from houqin.core.attachments import attachment_create
from houqin.core.choices import Role
from houqin.core.models import Location, RoleGrant
from houqin.core.tenancy import org_scope, scopes_disabled

call_command("migrate", interactive=False, verbosity=0)
call_command("demo", size="small", verbosity=0, stdout=io.StringIO())
call_command("createcachetable")
with scopes_disabled():
    place = Location.objects.order_by("id").first()
    grant = RoleGrant.objects.filter(org=place.org, role=Role.ORG_ADMIN).select_related("membership__user").first()
with org_scope(grant.org):
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(photo, "PNG")
    upload = SimpleUploadedFile("门牌.png", photo.getvalue(), content_type="image/png")
    attachment = attachment_create(actor=build_actor(grant.membership.user, grant.org), owner=place, upload=upload)
print(json.dumps({"file": attachment.file.name, "sha256": attachment.sha256}))
"""
ADD_USER = "from houqin.core.models import User\nUser.objects.create_user('19912345678', name='新人')"
# Tries to restore each archive named on the command line, in one process, and prints why each was refused.
RESTORE_EACH = """
import io, json, sys
from django.core.management import call_command
from django.core.management.base import CommandError
refusals = {}
for archive in sys.argv[1:]:
    try:
        call_command("restore", archive, stdout=io.StringIO())
    except CommandError as error:
        refusals[archive] = str(error)
print(json.dumps(refusals))
"""


@dataclass
class Installation:
    database_url: str
    media: Path

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "SQLITE_"))}
        env.update(HOUQIN_TESTING="true", DATABASE_URL=self.database_url, MEDIA_ROOT=str(self.media))
        return env

    def run(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "houqin.manage", *arguments],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def python(self, script: str, *arguments: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", SETUP_DJANGO + script, *arguments],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def media_files(self) -> dict[str, str]:
        if not self.media.exists():
            return {}
        return {
            path.relative_to(self.media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in self.media.rglob("*")
            if path.is_file()
        }


def sqlite_installation(directory: Path, name: str) -> Installation:
    return Installation("sqlite:///{}".format(directory / (name + ".sqlite3")), directory / (name + "-media"))


def sqlite_row_counts(installation: Installation) -> dict[str, int]:
    """Rows per table, read with sqlite3 itself rather than through the code under test."""
    path = Path(installation.database_url.removeprefix("sqlite:///"))
    if not path.exists():
        return {}
    con = sqlite3.connect(path)
    try:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            table: con.execute('SELECT COUNT(*) FROM "{}"'.format(table)).fetchone()[0]
            for table in tables
            if not table.startswith("sqlite_")
        }
    finally:
        con.close()


def make_source(installation: Installation) -> dict:
    """Migrate, load the small demo, attach a photo; return what was attached."""
    attached = json.loads(installation.python(MAKE_SOURCE))
    assert installation.media_files()[attached["file"]] == attached["sha256"]
    return attached


def rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy an archive member by member, letting ``change(name, data)`` return new bytes for a member."""
    with tarfile.open(source, "r:gz") as original, tarfile.open(target, "w:gz") as copy:
        for member in original:
            data = change(member.name, original.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def edit_manifest(source: Path, target: Path, edit) -> None:
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    rewrite_archive(source, target, change)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """One SQLite installation with the demo and a photo, and its backup archive."""
    directory = tmp_path_factory.mktemp("backup")
    source = sqlite_installation(directory, "source")
    attached = make_source(source)
    result = source.run("backup", "--output", str(directory / "archives"))
    archives = list((directory / "archives").glob("houqin-backup-*.tar.gz"))
    assert len(archives) == 1 and str(archives[0]) in result.stdout
    return source, archives[0], attached


def test_backup_writes_a_manifest_then_the_database_and_every_media_file(backed_up):
    source, archive, attached = backed_up
    assert archive.stat().st_mode & 0o077 == 0  # password hashes inside: readable by its owner only
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert "database.sqlite3" in names and "media/" + attached["file"] in names
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["latest_migrations"]["core"] == manifest["applied_migrations"]["core"][-1]
    assert manifest["row_counts"]["core.Organization"] == sqlite_row_counts(source)["core_organization"] > 0
    size = (source.media / attached["file"]).stat().st_size
    assert {"path": attached["file"], "sha256": attached["sha256"], "size": size} in manifest["media"]


def test_restore_into_an_empty_installation_brings_back_every_row_and_file(backed_up, tmp_path):
    source, archive, attached = backed_up
    target = sqlite_installation(tmp_path, "target")

    result = target.run("restore", str(archive))

    assert sqlite_row_counts(target) == sqlite_row_counts(source)
    assert sqlite_row_counts(target)["core_attachment"] == 1
    assert target.media_files() == source.media_files()
    assert target.media_files()[attached["file"]] == attached["sha256"]
    assert "core.User" in result.stdout
    # The restored installation works: the people of the demo are there for Django itself.
    users = target.python("from houqin.core.models import User\nprint(User.objects.count())")
    assert int(users) == sqlite_row_counts(source)["core_user"]


def test_restore_refuses_an_installation_that_holds_data_unless_forced(backed_up, tmp_path):
    source, archive, _attached = backed_up
    target = sqlite_installation(tmp_path, "target")
    path = target.database_url.removeprefix("sqlite:///")
    shutil.copy(source.database_url.removeprefix("sqlite:///"), path)
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM core_historicaluser")  # the data of this installation differs from the backup's
    con.close()
    before = sqlite_row_counts(target)
    assert before["core_historicaluser"] == 0 < sqlite_row_counts(source)["core_historicaluser"]

    refused = target.run("restore", str(archive), check=False)

    assert refused.returncode != 0 and "--force" in refused.stderr
    assert sqlite_row_counts(target) == before and target.media_files() == {}
    target.run("restore", str(archive), "--force")
    assert sqlite_row_counts(target) == sqlite_row_counts(source)
    assert target.media_files() == source.media_files()


def test_restore_refuses_a_database_that_another_process_has_open(backed_up, tmp_path):
    source, archive, _attached = backed_up
    target = sqlite_installation(tmp_path, "target")
    path = target.database_url.removeprefix("sqlite:///")
    shutil.copy(source.database_url.removeprefix("sqlite:///"), path)
    server = sqlite3.connect(path)  # stands for a running web server: WAL mode, as houqin's settings open it
    try:
        server.execute("PRAGMA journal_mode=WAL")
        server.execute("SELECT COUNT(*) FROM core_user").fetchone()

        refused = target.run("restore", str(archive), "--force", check=False)

        assert refused.returncode != 0 and "tick" in refused.stderr
        assert target.media_files() == {}
    finally:
        server.close()


def test_restore_refuses_a_damaged_foreign_or_newer_archive_and_changes_nothing(backed_up, tmp_path):
    _source, archive, attached = backed_up
    photo = "media/" + attached["file"]
    truncated, tampered, other_vendor, newer = (
        tmp_path / name for name in ("truncated.tar.gz", "tampered.tar.gz", "postgresql.tar.gz", "newer.tar.gz")
    )
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    rewrite_archive(archive, tampered, lambda name, data: bytes([data[0] ^ 1]) + data[1:] if name == photo else data)
    edit_manifest(archive, other_vendor, lambda manifest: manifest["database"].update(vendor="postgresql"))
    future = "9999_from_the_future"
    edit_manifest(archive, newer, lambda manifest: manifest["applied_migrations"]["core"].append(future))
    target = sqlite_installation(tmp_path, "target")

    refusals = json.loads(target.python(RESTORE_EACH, *map(str, (truncated, tampered, other_vendor, newer))))

    assert set(refusals) == {str(truncated), str(tampered), str(other_vendor), str(newer)}
    assert photo in refusals[str(tampered)]
    assert "postgresql" in refusals[str(other_vendor)] and "sqlite" in refusals[str(other_vendor)]
    assert "core." + future in refusals[str(newer)]
    assert sqlite_row_counts(target).get("core_organization", 0) == 0
    assert target.media_files() == {}


def pg_server() -> str:
    """The PostgreSQL server the suite runs on, as a URL without a database name."""
    from django.db import connection

    db = connection.settings_dict
    password = ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    return "postgresql://{}{}@{}:{}".format(
        quote(db["USER"], safe=""), password, db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    )


@pytest.fixture
def pg_databases():
    import psycopg

    names = ["houqin_bk_{}_{}".format(uuid.uuid4().hex[:10], side) for side in ("source", "target")]
    with psycopg.connect(pg_server() + "/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute('CREATE DATABASE "{}"'.format(name))
        try:
            yield names
        finally:
            for name in names:
                admin.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name))


def pg_row_counts(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect("{}/{}".format(pg_server(), name)) as con:
        tables = [row[0] for row in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: con.execute('SELECT COUNT(*) FROM "{}"'.format(table)).fetchone()[0] for table in tables}


@pytest.mark.pg_only
def test_postgresql_round_trip_restores_every_row_and_file(pg_databases, tmp_path):
    source_name, target_name = pg_databases
    source = Installation("{}/{}".format(pg_server(), source_name), tmp_path / "source-media")
    target = Installation("{}/{}".format(pg_server(), target_name), tmp_path / "target-media")
    attached = make_source(source)
    source.run("backup", "--output", str(tmp_path / "pg.tar.gz"))

    target.run("restore", str(tmp_path / "pg.tar.gz"))

    assert pg_row_counts(target_name) == pg_row_counts(source_name)
    assert pg_row_counts(target_name)["core_attachment"] == 1
    assert target.media_files()[attached["file"]] == attached["sha256"]
    assert target.media_files() == source.media_files()
    # Sequences came back too: a new row gets a fresh id instead of colliding with a restored one.
    target.python(ADD_USER)
