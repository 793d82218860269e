"""Backup and restore: one .tar.gz with a manifest, the database and every uploaded file.

The archive holds, in this order:

- ``manifest.json`` — houqin version, time, database vendor, applied migrations, row counts per
  model, and the size and SHA-256 of the database dump and of every media file;
- ``database.sqlite3`` (a consistent copy made with SQLite's online backup API) or
  ``database.pgdump`` (``pg_dump --format=custom`` in the same snapshot as the counts);
- ``media/<path>`` for every file under ``MEDIA_ROOT``.

The manifest comes first, so that a restore checks vendor and migrations before it unpacks anything
large. A restore verifies every checksum before it touches the installation, then replaces the
database in one step (``os.replace`` for SQLite, ``pg_restore --single-transaction`` for PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from . import orgcache

FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
MANIFEST_KEYS = {"format", "database", "applied_migrations", "row_counts", "media"}
CHUNK = 1024 * 1024

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, in the user's language."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    row_counts: dict[str, int]


def _quiet(message: str) -> None:
    pass


def houqin_version() -> str:
    try:
        return version("houqin")
    except PackageNotFoundError:
        return "unknown"


def default_backup_dir() -> Path:
    return Path(settings.PROJECT_DIR) / "var" / "backups"


def default_archive_name(now=None) -> str:
    return "houqin-backup-{}.tar.gz".format(timezone.localtime(now).strftime("%Y%m%d-%H%M%S"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def human_size(size: int) -> str:
    if size < 1024:
        return "{} B".format(size)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return "{:.1f} {}".format(size, unit)


# --- What a database holds: applied migrations and row counts, read through any DB-API cursor ---


def _model_tables() -> dict[str, str]:
    """Model label → table, for every model whose table Django manages (m2m tables included)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables[model._meta.label] = model._meta.db_table
    return dict(sorted(tables.items()))


def _describe(cursor, existing_tables: set[str]) -> dict:
    """Applied migrations and row counts as the manifest records them."""
    applied: dict[str, list[str]] = {}
    if "django_migrations" in existing_tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    counts = {}
    for label, table in _model_tables().items():
        if table in existing_tables:
            cursor.execute('SELECT COUNT(*) FROM "{}"'.format(table.replace('"', '""')))
            counts[label] = cursor.fetchone()[0]
    return {
        "latest_migrations": {app: names[-1] for app, names in sorted(applied.items())},
        "applied_migrations": dict(sorted(applied.items())),
        "row_counts": counts,
    }


def _describe_sqlite_file(path: Path) -> dict:
    with sqlite3.connect(path) as con:
        cursor = con.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {row[0] for row in cursor.fetchall()}
        description = _describe(cursor, existing)
    con.close()
    return description


def _describe_live_database() -> dict:
    with connection.cursor() as cursor:
        return _describe(cursor, set(connection.introspection.table_names(cursor)))


# --- Connection settings for the PostgreSQL client tools ---


def _pg_env() -> dict[str, str]:
    """The libpq environment for pg_dump/pg_restore; the password never appears on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run_pg_tool(arguments: list[str]) -> None:
    if shutil.which(arguments[0]) is None:
        raise BackupError(
            _("{tool} was not found; install the PostgreSQL client tools (apt-get install postgresql-client).").format(
                tool=arguments[0]
            )
        )
    result = subprocess.run(arguments, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("{tool} failed: {error}").format(tool=arguments[0], error=result.stderr.strip() or result.returncode)
        )


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError(_("The database is held in memory; there is no file to back up or restore."))
    return Path(name)


# --- Backup ---


def _dump_database(directory: Path) -> tuple[Path, dict]:
    """Write a consistent copy of the database into ``directory``; return it with its description."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not {vendor}.").format(vendor=vendor))
    dump = directory / DUMP_NAMES[vendor]
    if vendor == "sqlite":
        source_path = _sqlite_path()
        if not source_path.exists():
            raise BackupError(_("The database file {path} does not exist.").format(path=source_path))
        # The online backup API copies under SQLite's own read lock, so concurrent writers cannot tear the copy.
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(dump)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return dump, _describe_sqlite_file(dump)
    # PostgreSQL: count rows and dump inside one exported snapshot, so the manifest matches the dump exactly.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        description = _describe(cursor, set(connection.introspection.table_names(cursor)))
        _run_pg_tool(["pg_dump", "--format=custom", "--no-owner", "--snapshot=" + snapshot, "--file", str(dump)])
    return dump, description


def _media_files(media_root: Path) -> list[dict]:
    files = []
    if not media_root.is_dir():
        return files
    for directory, subdirectories, names in os.walk(media_root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            try:
                if path.is_file():
                    relative = path.relative_to(media_root).as_posix()
                    files.append({"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)})
            except FileNotFoundError:
                continue  # deleted while we walked: it is no longer part of the installation
    return files


class _HashingReader:
    """Feeds a file to tarfile while hashing it, to notice a file that changed since it was listed."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str, expected: dict) -> None:
    """Add a regular file (a symlink is stored as the file it points to) and check it is what was listed."""
    info = tarfile.TarInfo(arcname)
    info.size, info.mode = expected["size"], 0o644
    try:
        with open(path, "rb") as handle:
            info.mtime = int(os.fstat(handle.fileno()).st_mtime)
            reader = _HashingReader(handle)
            tar.addfile(info, reader)
    except OSError as error:
        raise BackupError(
            _("{path} changed while it was being backed up; run the backup again.").format(path=path)
        ) from error
    if reader.digest.hexdigest() != expected["sha256"]:
        raise BackupError(_("{path} changed while it was being backed up; run the backup again.").format(path=path))


def create_backup(output: Path | None = None, *, log: Log = _quiet) -> BackupResult:
    """Write one archive with the database and every media file; return its path and manifest.

    ``output`` is the archive (``*.tar.gz``) or a directory for it, created if missing.
    """
    now = timezone.now()
    if output is None:
        output = default_backup_dir()
    output = Path(output)
    if not output.name.endswith((".tar.gz", ".tgz")):
        output = output / default_archive_name(now)
    if output.exists():
        raise BackupError(_("{path} already exists; choose another file name.").format(path=output))
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = Path(settings.MEDIA_ROOT)

    with tempfile.TemporaryDirectory(prefix="houqin-backup-") as scratch:
        dump, description = _dump_database(Path(scratch))
        dump_size = dump.stat().st_size
        log(_("Database ({vendor}) copied: {size}.").format(vendor=connection.vendor, size=human_size(dump_size)))
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "houqin_version": houqin_version(),
            "created_at": timezone.localtime(now).isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": dump.name,
                "size": dump_size,
                "sha256": sha256_of(dump),
            },
            **description,
            "media": media,
        }
        partial = output.with_name(output.name + ".partial")
        try:
            # The archive holds password hashes: only its owner may read it.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, BytesIO(data))
                _add_file(tar, dump, dump.name, manifest["database"])
                for item in media:
                    _add_file(tar, media_root / item["path"], MEDIA_PREFIX + item["path"], item)
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    log(
        _("Media: {count} files, {size}.").format(
            count=len(media), size=human_size(sum(item["size"] for item in media))
        )
    )
    log(_("Backup written to {path} ({size}).").format(path=output, size=human_size(output.stat().st_size)))
    return BackupResult(path=output, manifest=manifest)


# --- Restore ---


def _open_archive(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(_("{path} does not exist.").format(path=archive))
    try:
        return tarfile.open(archive, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(
            _("{path} is not a readable backup archive: {error}").format(path=archive, error=error)
        ) from error


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    member = tar.next()
    if member is None or member.name != MANIFEST or not member.isfile():
        raise BackupError(
            _("{path} is not a houqin backup: it does not start with {manifest}.").format(
                path=archive, manifest=MANIFEST
            )
        )
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except ValueError as error:
        raise BackupError(_("The manifest of {path} is damaged: {error}").format(path=archive, error=error)) from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("database"), dict):
        raise BackupError(_("The manifest of {path} is damaged: {error}").format(path=archive, error="database"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("This backup has format {found}; this version of houqin reads format {expected}.").format(
                found=manifest.get("format"), expected=FORMAT
            )
        )
    missing = (MANIFEST_KEYS - set(manifest)) | ({"vendor", "file", "size", "sha256"} - set(manifest["database"]))
    if missing:
        raise BackupError(
            _("The manifest of {path} is damaged: {error}").format(path=archive, error=", ".join(sorted(missing)))
        )
    return manifest


def _readable_moment(text: str) -> str:
    """The manifest's "2026-11-25T03:05:23.018571+08:00" (local time of the backup) as "2026-11-25 03:05:23"."""
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(text)


def check_compatible(manifest: dict) -> None:
    """Refuse a backup from another database vendor or with migrations this code does not know."""
    backup_vendor = manifest["database"]["vendor"]
    if backup_vendor != connection.vendor:
        raise BackupError(
            _(
                "This backup was made from a {backup} database, but this installation uses {current}. "
                "Restore it into an installation that uses {backup} (see DATABASE_URL)."
            ).format(backup=backup_vendor, current=connection.vendor)
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.replacements.values():
        known.update(migration.replaces)
    unknown = sorted(
        "{}.{}".format(app, name)
        for app, names in manifest["applied_migrations"].items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "This backup comes from a newer or different version of houqin ({version}): this code does not know "
                "the migrations {migrations}. Install that version (or a later one) and restore again."
            ).format(version=manifest.get("houqin_version", "?"), migrations=", ".join(unknown[:10]))
        )


def installation_holds_data() -> bool:
    """True when the database already has an organisation or a user: a restore would overwrite real data."""
    from .models import Organization, User

    tables = set(connection.introspection.table_names())
    return any(model._meta.db_table in tables and model._base_manager.exists() for model in (Organization, User))


def _safe_member_path(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith(MEDIA_PREFIX):
        return None
    return PurePosixPath(*path.parts[1:])


def _unpack(tar: tarfile.TarFile, manifest: dict, staging: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """Unpack the dump and media into ``staging``, checking every size and checksum against the manifest."""
    expected_media = {item["path"]: item for item in manifest["media"]}
    database = manifest["database"]
    dump_path = None
    media: list[tuple[Path, str]] = []
    try:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not member.isfile():
                raise BackupError(_("The archive holds {name}, which is not a regular file.").format(name=member.name))
            if member.name == database["file"]:
                target, expected = staging / "database", database
                dump_path = target
            else:
                relative = _safe_member_path(member.name)
                if relative is None or str(relative) not in expected_media:
                    raise BackupError(
                        _("The archive holds {name}, which its manifest does not list.").format(name=member.name)
                    )
                expected = expected_media[str(relative)]
                target = staging / "media" / relative
                media.append((target, str(relative)))
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            with open(target, "wb") as handle:
                while block := source.read(CHUNK):
                    digest.update(block)
                    handle.write(block)
            if member.size != expected["size"] or digest.hexdigest() != expected["sha256"]:
                raise BackupError(
                    _("{name} does not match the checksum in the manifest: the archive is damaged.").format(
                        name=member.name
                    )
                )
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(_("The archive is damaged: {error}").format(error=error)) from error
    if dump_path is None:
        raise BackupError(_("The archive has no database dump."))
    missing = sorted(set(expected_media) - {relative for _path, relative in media})
    if missing:
        raise BackupError(
            _("The archive lacks media files its manifest lists: {files}").format(files=", ".join(missing[:10]))
        )
    return dump_path, media


def _check_counts(found: dict[str, int], manifest: dict) -> None:
    different = sorted(label for label, count in manifest["row_counts"].items() if found.get(label) != count)
    if different:
        raise BackupError(
            _("The restored database does not hold the rows the manifest counts ({models}).").format(
                models=", ".join(different[:10])
            )
        )


def _refuse_sqlite_in_use() -> None:
    target = _sqlite_path()
    connections.close_all()
    if not target.exists():
        return
    # Closing the last connection folds the write-ahead log into the file and deletes it; a log that
    # remains means another process (the web server, tick) still has the database open.
    con = sqlite3.connect(target)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    if target.with_name(target.name + "-wal").exists():
        raise BackupError(_("Another process has the database open; stop houqin (web server and tick) first."))


def _restore_sqlite(dump: Path, manifest: dict) -> None:
    with sqlite3.connect(dump) as con:
        verdict = con.execute("PRAGMA quick_check").fetchone()[0]
    con.close()
    if verdict != "ok":
        raise BackupError(_("The database in the archive is damaged: {verdict}").format(verdict=verdict))
    _check_counts(_describe_sqlite_file(dump)["row_counts"], manifest)
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    _refuse_sqlite_in_use()
    descriptor, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".restore", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle, open(dump, "rb") as source:
            shutil.copyfileobj(source, handle, CHUNK)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    target.with_name(target.name + "-shm").unlink(missing_ok=True)


def _restore_postgresql(dump: Path, manifest: dict) -> None:
    connections.close_all()
    _run_pg_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(dump),
        ]
    )
    _check_counts(_describe_live_database()["row_counts"], manifest)


def _restore_media(media: list[tuple[Path, str]], manifest: dict) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    expected = {item["path"]: item["sha256"] for item in manifest["media"]}
    for staged, relative in media:
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
        with os.fdopen(descriptor, "wb") as handle, open(staged, "rb") as source:
            shutil.copyfileobj(source, handle, CHUNK)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        if sha256_of(target) != expected[relative]:
            raise BackupError(_("{path} was not written correctly; check the disk.").format(path=target))


def restore_backup(archive: Path, *, force: bool = False, log: Log = _quiet) -> RestoreResult:
    """Bring an archive back into this installation, which must be empty unless ``force``."""
    archive = Path(archive)
    with _open_archive(archive) as tar, tempfile.TemporaryDirectory(prefix="houqin-restore-") as scratch:
        try:
            manifest = _read_manifest(tar, archive)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            raise BackupError(_("The archive is damaged: {error}").format(error=error)) from error
        log(
            _("Backup of houqin {version} made {created_at} from {vendor}.").format(
                version=manifest.get("houqin_version", "?"),
                created_at=_readable_moment(manifest.get("created_at", "?")),
                vendor=manifest["database"]["vendor"],
            )
        )
        check_compatible(manifest)
        if installation_holds_data() and not force:
            raise BackupError(
                _(
                    "This installation already holds organisations or users; a restore would replace them. "
                    "Restore into an empty installation, or pass --force to overwrite it."
                )
            )
        if connection.vendor == "sqlite":
            _refuse_sqlite_in_use()
        dump, media = _unpack(tar, manifest, Path(scratch))
        log(_("Archive checked: the database and {count} media files match their checksums.").format(count=len(media)))
        # Files first: should the database step fail, the installation still has its old database.
        _restore_media(media, manifest)
        log(_("Media restored: {count} files into {path}.").format(count=len(media), path=settings.MEDIA_ROOT))
        if connection.vendor == "sqlite":
            _restore_sqlite(dump, manifest)
        else:
            _restore_postgresql(dump, manifest)
        log(_("Database restored."))
    _migrate(log)
    orgcache.renew_all()
    # The database cache table is not a migration; a backup of an installation without it must still run.
    call_command("createcachetable", verbosity=0)
    counts = _describe_live_database()["row_counts"]
    return RestoreResult(manifest=manifest, row_counts=counts)


def _migrate(log: Log) -> None:
    """Bring a backup of an older version up to this code's migrations (nothing to do for the same version)."""
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
        log(_("{count} database migrations of this version applied.").format(count=len(pending)))
