"""Backups that restore: the database (pg_dump custom format, or SQLite's online backup) and every stored
file (uploads, reports) written to a configured place with retention, and restored into an empty database.

A backup is a folder ``sidbs-YYYYMMDD-HHMMSS-ffffff/`` in the backup storage (``SIDBS_BACKUP_URL``: a
``file:///`` folder or an ``s3://`` bucket, parsed like ``DJANGO_STORAGE_URL``) holding
``database.dump`` (or ``database.sqlite3``), ``files.tar`` and, written last, ``manifest.json``: row
counts of every table, a checksum of the registrations table, file counts and the SHA-256 of each
part. A folder without a manifest is an unfinished backup and is never restored. ``restore`` checks
every SHA-256 first and, after loading, the row counts and the registrations checksum against the
manifest.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from config.env import storage_settings
from config.files import open_stored, path_sha256

MANIFEST = "manifest.json"
FILES_ARCHIVE = "files.tar"
CHECKSUM_TABLE = "ppks_registration"
LOCK_KEY = "sidbs:backup:running"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Indonesian."""


@dataclass(frozen=True)
class Database:
    """Where a database is: its engine and connection details (from settings or a URL)."""

    vendor: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls) -> "Database":
        config = settings.DATABASES["default"]
        vendor = "postgresql" if "postgresql" in config["ENGINE"] else "sqlite"
        return cls(vendor=vendor, name=str(config["NAME"]), user=config.get("USER") or "",
                   password=config.get("PASSWORD") or "", host=config.get("HOST") or "",
                   port=str(config.get("PORT") or ""))

    @classmethod
    def from_url(cls, url: str) -> "Database":
        parts = urlsplit(url)
        if parts.scheme in {"postgres", "postgresql", "pgsql"}:
            return cls(vendor="postgresql", name=unquote(parts.path.lstrip("/")), user=unquote(parts.username or ""),
                       password=unquote(parts.password or ""), host=parts.hostname or "", port=str(parts.port or ""))
        if parts.scheme == "sqlite":
            # django-environ's form: sqlite:///relative.db, sqlite:////absolute/path.db
            return cls(vendor="sqlite", name=unquote(parts.path[1:]))
        raise BackupError("Alamat basis data tidak dikenal: pakai postgres://… atau sqlite:///….")

    def libpq_env(self) -> dict[str, str]:
        environment = dict(os.environ)
        for key, value in (("PGHOST", self.host), ("PGPORT", self.port), ("PGUSER", self.user),
                           ("PGPASSWORD", self.password), ("PGDATABASE", self.name)):
            if value:
                environment[key] = value
        return environment

    def connect(self, dbname: str | None = None):
        import psycopg

        return psycopg.connect(host=self.host or None, port=self.port or None, user=self.user or None,
                               password=self.password or None, dbname=dbname or self.name, autocommit=True)


def backup_storage() -> Storage:
    url = settings.SIDBS_BACKUP_URL
    config = storage_settings(url) if url else {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                "OPTIONS": {"location": str(settings.BASE_DIR / "backups")}}
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


# ---------------------------------------------------------------------------------------------------------------
# What the database holds: row counts and a checksum, the same query on the source and on a restored copy.


POSTGRES_CHECKSUM = "SELECT md5(COALESCE(string_agg(md5(t::text), '' ORDER BY t.id), '')) FROM {} AS t"


def postgres_state(cursor) -> dict[str, object]:
    """Row counts of every table in the public schema and the md5 of the registrations rows (in id order)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in sorted(tables):
        cursor.execute('SELECT COUNT(*) FROM "{}"'.format(table.replace('"', '""')))
        counts[table] = cursor.fetchone()[0]
    checksum = ""
    if CHECKSUM_TABLE in tables:
        cursor.execute(POSTGRES_CHECKSUM.format(CHECKSUM_TABLE))
        checksum = cursor.fetchone()[0]
    return {"tables": counts, "checksum": {CHECKSUM_TABLE: checksum}}


def sqlite_state(path: str) -> dict[str, object]:
    """The same figures for an SQLite file (the backup copy, or a restored file)."""
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {table: conn.execute('SELECT COUNT(*) FROM "{}"'.format(table)).fetchone()[0]
                  for table in sorted(tables)}
        digest = hashlib.md5(usedforsecurity=False)
        if CHECKSUM_TABLE in tables:
            for row in conn.execute("SELECT * FROM {} ORDER BY id".format(CHECKSUM_TABLE)):
                digest.update(repr(row).encode())
    return {"tables": counts, "checksum": {CHECKSUM_TABLE: digest.hexdigest()}}


def database_state(database: Database) -> dict[str, object]:
    if database.vendor == "postgresql":
        with database.connect() as conn, conn.cursor() as cursor:
            return postgres_state(cursor)
    return sqlite_state(database.name)


# ---------------------------------------------------------------------------------------------------------------
# Backup


def dump_database(database: Database, target: Path) -> tuple[str, dict[str, object]]:
    """Write the database to ``target``; return the part's name and the figures of exactly what was written.

    PostgreSQL: the figures are read in a repeatable-read transaction whose snapshot pg_dump
    shares (``--snapshot``), so writes during the backup cannot make them disagree with the dump.
    SQLite: the online backup API copies the file, and the figures are read from the copy.
    """
    if database.vendor == "postgresql":
        with database.connect() as conn:
            conn.autocommit = False
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                command = ["pg_dump", "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
                           "--snapshot", snapshot, "--file", str(target)]
                completed = subprocess.run(command, env=database.libpq_env(), capture_output=True, text=True,
                                           check=False)
                if completed.returncode:
                    raise BackupError("pg_dump gagal: {}".format(completed.stderr.strip()[-500:]))
                state = postgres_state(cursor)
            conn.rollback()
        return "database.dump", state
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for the open transaction's locks.
        raise BackupError("Cadangan SQLite tidak dapat dibuat di dalam transaksi yang terbuka.")
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == database.name:
            connection.connection.backup(copy)  # also an in-memory test database
        else:
            with sqlite3.connect(database.name) as origin:
                origin.backup(copy)
    return "database.sqlite3", sqlite_state(str(target))


def archive_files(storage: Storage, target: Path) -> dict[str, int]:
    """Every stored file (uploads, reports) into one tar, streamed from the storage one file at a time."""
    count = size = 0
    with tarfile.open(target, "w") as archive:
        for name in walk(storage):
            stream, length = open_stored(storage, name)
            try:
                info = tarfile.TarInfo(name)
                info.size = storage.size(name) if length is None else length
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, stream)
            finally:
                stream.close()
            count += 1
            size += info.size
    return {"count": count, "bytes": size}


def walk(storage: Storage, folder: str = "") -> list[str]:
    """Every file name in a storage (below ``folder``), depth first, sorted; nothing when the folder is missing."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [(folder + "/" + name) if folder else name for name in sorted(files)]
    for directory in sorted(directories):
        names.extend(walk(storage, (folder + "/" + directory) if folder else directory))
    return names


def backup_name(now: datetime.datetime) -> str:
    """``sidbs-20261130-013000-123456``: sorts by time (local time, to the microsecond)."""
    return "sidbs-{}".format(timezone.localtime(now).strftime("%Y%m%d-%H%M%S-%f"))


def backup_create(*, keep: int | None = None, progress=lambda text: None) -> dict[str, object]:
    """Dump the database and the stored files into a new backup folder, then apply retention.

    Only one backup runs at a time (a cache lock shared by every web and worker process).
    """
    if not cache.add(LOCK_KEY, "1", timeout=6 * 3600):
        raise BackupError("Pencadangan lain sedang berjalan.")
    try:
        return _backup_create(keep=settings.SIDBS_BACKUP_KEEP if keep is None else keep, progress=progress)
    finally:
        cache.delete(LOCK_KEY)


def _backup_create(*, keep: int, progress) -> dict[str, object]:
    database = Database.from_settings()
    target = backup_storage()
    name = backup_name(timezone.now())
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="sidbs-backup-") as work:
        work_path = Path(work)
        progress("Basis data ({}) ...".format(database.vendor))
        dump_path = work_path / "database"
        dump_file, state = dump_database(database, dump_path)
        progress("Berkas tersimpan ...")
        archive_path = work_path / FILES_ARCHIVE
        files = archive_files(default_storage, archive_path)
        parts = {}
        for local, stored_name in ((dump_path, dump_file), (archive_path, FILES_ARCHIVE)):
            progress("Mengunggah {} ({:.1f} MB) ...".format(stored_name, local.stat().st_size / 1e6))
            parts[stored_name] = {"sha256": path_sha256(local), "bytes": local.stat().st_size}
            with open(local, "rb") as handle:
                saved = target.save("{}/{}".format(name, stored_name), File(handle))
            if saved != "{}/{}".format(name, stored_name):
                raise BackupError("Nama cadangan sudah terpakai: {}".format(saved))
    manifest = {
        "name": name,
        "created_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "vendor": database.vendor,
        "database": state,
        "files": files,
        "parts": parts,
    }
    target.save("{}/{}".format(name, MANIFEST), File(io.BytesIO(json.dumps(manifest, indent=2).encode())))
    removed = retention_apply(target, keep=keep)
    manifest["removed"] = removed
    return manifest


def backups_list(storage: Storage | None = None) -> list[str]:
    """Finished backups (those with a manifest), oldest first."""
    storage = storage or backup_storage()
    try:
        directories, _files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted(name for name in directories if name.startswith("sidbs-") and storage.exists(name + "/" + MANIFEST))


def retention_apply(storage: Storage, *, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` finished backups, and unfinished folders older than a day."""
    finished = backups_list(storage)
    removed = finished[:-keep] if keep > 0 else []
    try:
        directories, _files = storage.listdir("")
    except FileNotFoundError:
        directories = []
    day_ago = backup_name(timezone.now() - datetime.timedelta(days=1))
    removed += [name for name in directories
                if name.startswith("sidbs-") and name not in finished and name < day_ago]
    for name in removed:
        for file_name in walk(storage, name):
            storage.delete(file_name)
        if isinstance(storage, FileSystemStorage):
            shutil.rmtree(storage.path(name), ignore_errors=True)
    return removed


# ---------------------------------------------------------------------------------------------------------------
# Restore


def manifest_read(storage: Storage, name: str) -> dict:
    if name == "latest":
        names = backups_list(storage)
        if not names:
            raise BackupError("Belum ada cadangan yang selesai di {}.".format(settings.SIDBS_BACKUP_URL or "backups/"))
        name = names[-1]
    if not storage.exists("{}/{}".format(name, MANIFEST)):
        raise BackupError("Cadangan {} tidak ada atau belum selesai (tanpa {}).".format(name, MANIFEST))
    with storage.open("{}/{}".format(name, MANIFEST), "rb") as handle:
        return json.loads(handle.read())


def fetch_part(storage: Storage, manifest: dict, part: str, target: Path) -> None:
    """Copy one part of a backup to a local file and check its SHA-256 against the manifest."""
    with storage.open("{}/{}".format(manifest["name"], part), "rb") as source, open(target, "wb") as copy:
        shutil.copyfileobj(source, copy, CHUNK)
    if path_sha256(target) != manifest["parts"][part]["sha256"]:
        raise BackupError("{} dalam cadangan {} rusak (SHA-256 berbeda).".format(part, manifest["name"]))


def ensure_empty_database(database: Database) -> None:
    """Create the target database if it does not exist; refuse one that already has tables."""
    if database.vendor == "sqlite":
        if Path(database.name).exists() and Path(database.name).stat().st_size:
            raise BackupError("Berkas {} sudah ada; pulihkan ke berkas baru.".format(database.name))
        return
    import psycopg

    try:
        with database.connect() as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise BackupError("Tidak dapat terhubung ke basis data tujuan: {}".format(error)) from None
        with database.connect(dbname="postgres") as conn:
            conn.execute('CREATE DATABASE "{}"'.format(database.name.replace('"', '""')))
        return
    if tables:
        raise BackupError("Basis data {} tidak kosong ({} tabel); pulihkan ke basis data kosong.".format(
            database.name, tables))


def restore_database(manifest: dict, storage: Storage, database: Database, work: Path) -> None:
    if manifest["vendor"] != database.vendor:
        raise BackupError("Cadangan ini dari {}, tujuan {}.".format(manifest["vendor"], database.vendor))
    part = "database.dump" if database.vendor == "postgresql" else "database.sqlite3"
    local = work / part
    fetch_part(storage, manifest, part, local)
    if database.vendor == "sqlite":
        shutil.copyfile(local, database.name)
        return
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               "--dbname", database.name, str(local)]
    completed = subprocess.run(command, env=database.libpq_env(), capture_output=True, text=True, check=False)
    if completed.returncode:
        raise BackupError("pg_restore gagal: {}".format(completed.stderr.strip()[-800:]))


def restore_files(manifest: dict, storage: Storage, work: Path, target: Storage) -> dict[str, int]:
    """Put every archived file back under its own name; files already there with the same size stay."""
    local = work / FILES_ARCHIVE
    fetch_part(storage, manifest, FILES_ARCHIVE, local)
    restored = skipped = 0
    with tarfile.open(local, "r") as archive:
        for member in archive:
            if not member.isfile():
                continue
            if target.exists(member.name) and target.size(member.name) == member.size:
                skipped += 1
                continue
            saved = target.save(member.name, File(archive.extractfile(member)))
            if saved != member.name:
                raise BackupError("Berkas {} tersimpan sebagai {}.".format(member.name, saved))
            restored += 1
    return {"restored": restored, "skipped": skipped}


def backup_restore(*, name: str = "latest", database_url: str = "", files: bool = False,
                   progress=lambda text: None) -> dict[str, object]:
    """Restore a backup into an empty database (``database_url`` or the configured one) and check it."""
    storage = backup_storage()
    manifest = manifest_read(storage, name)
    database = Database.from_url(database_url) if database_url else Database.from_settings()
    progress("Cadangan {} ({}), tujuan {} ...".format(manifest["name"], manifest["created_at"], database.name))
    ensure_empty_database(database)
    result: dict[str, object] = {"name": manifest["name"]}
    with tempfile.TemporaryDirectory(prefix="sidbs-restore-") as work:
        progress("Memulihkan basis data ...")
        restore_database(manifest, storage, database, Path(work))
        state = database_state(database)
        expected = manifest["database"]
        if state["tables"] != expected["tables"] or state["checksum"] != expected["checksum"]:
            differing = sorted(table for table in set(state["tables"]) | set(expected["tables"])
                               if state["tables"].get(table) != expected["tables"].get(table))
            raise BackupError("Hasil pemulihan tidak cocok dengan manifes (tabel: {}; checksum {}).".format(
                ", ".join(differing) or "-", "sama" if state["checksum"] == expected["checksum"] else "berbeda"))
        result["tables"] = len(state["tables"])
        result["rows"] = sum(state["tables"].values())
        if files:
            progress("Memulihkan berkas ...")
            result["files"] = restore_files(manifest, storage, Path(work), storages["default"])
    return result
