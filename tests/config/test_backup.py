"""Backups that restore: dump, archive, retention, and a restore into a new database checked row by row.

On PostgreSQL (CI) the backup is pg_dump's custom format restored with pg_restore into a new
database; on SQLite (plain ``make test``) the online-backup copy. Either way the test compares
the restored database with the original itself (row counts of every table, a checksum of the
registrations table), not only through the manifest the code under test wrote.
"""

import hashlib
import io
import json
import sqlite3
import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from config import backups
from config.celery import app
from ppks.models import Registration
from tests.ppks.factories import register
from villages.models import Village

CHECKSUM_SQL = "SELECT md5(COALESCE(string_agg(md5(t::text), '' ORDER BY t.id), '')) FROM ppks_registration t"
# Committed data (pg_dump reads from its own connection; SQLite's backup cannot run inside a transaction);
# serialized rollback puts the seeded reference data (PPKS categories) back after each test's flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="butuh PostgreSQL (CI)")


def postgres_figures(database: backups.Database) -> tuple[dict[str, int], str]:
    with database.connect() as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {table: conn.execute('SELECT count(*) FROM "{}"'.format(table)).fetchone()[0] for table in tables}
        return counts, conn.execute(CHECKSUM_SQL).fetchone()[0]


def sqlite_figures(path: str) -> tuple[dict[str, int], str]:
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {table: conn.execute('SELECT count(*) FROM "{}"'.format(table)).fetchone()[0] for table in tables}
        rows = conn.execute("SELECT * FROM ppks_registration ORDER BY id").fetchall()
        return counts, hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def backup_folder(settings, tmp_path):
    settings.SIDBS_BACKUP_URL = "file://{}".format(tmp_path / "cadangan")
    return tmp_path / "cadangan"


@pytest.fixture
def new_database(tmp_path):
    """The URL of a database that does not exist yet (PostgreSQL: dropped afterwards)."""
    source = backups.Database.from_settings()
    if source.vendor != "postgresql":
        yield "sqlite:///{}".format(tmp_path / "pulih.sqlite3")
        return
    name = "{}_pulih_{}".format(source.name, uuid.uuid4().hex[:8])
    yield "postgres://{}:{}@{}:{}/{}".format(source.user, source.password, source.host or "127.0.0.1",
                                             source.port or 5432, name)
    with source.connect(dbname="postgres") as conn:
        conn.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name))


def make_registrations(users, count: int = 6):
    village = Village.objects.get(code="35.11.01.2001")
    for index in range(count):
        register(users["regency"], name="Warga Cadangan {}".format(index), nik="35110101019{:05d}".format(index + 1),
                 sex="L", birth_date=None, village=village, submit=index % 2 == 0)


@on_postgresql
def test_postgresql_backup_restores_into_a_new_database_with_the_same_rows(users, backup_folder, new_database,
                                                                            settings, tmp_path):
    # given: registrations with history rows, and a stored file
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_registrations(users)
    default_storage.save("evidence/2026/11/bukti.pdf", ContentFile(b"%PDF-1.7 bukti"))
    source = backups.Database.from_settings()
    counts_before, checksum_before = postgres_figures(source)
    assert counts_before["ppks_registration"] == 6
    # when
    call_command("backup", stdout=io.StringIO())
    output = io.StringIO()
    call_command("restore", "latest", database_url=new_database, stdout=output)
    # then: every table has the same number of rows, the registrations the same content
    restored = backups.Database.from_url(new_database)
    counts_after, checksum_after = postgres_figures(restored)
    assert counts_after == counts_before
    assert checksum_after == checksum_before
    assert "cocok dengan manifesnya" in output.getvalue()
    manifest = json.loads(next(backup_folder.glob("sidbs-*/manifest.json")).read_text())
    assert manifest["database"]["tables"]["ppks_registration"] == 6
    assert manifest["files"] == {"count": 1, "bytes": len(b"%PDF-1.7 bukti")}
    # and: a second restore into the now filled database is refused
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("restore", database_url=new_database, stdout=io.StringIO())


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
                    reason="jalur SQLite (make test tanpa DATABASE_URL)")
def test_sqlite_backup_restores_into_a_new_file_with_the_same_rows(users, backup_folder, new_database):
    make_registrations(users)
    call_command("backup", stdout=io.StringIO())
    [dump] = backup_folder.glob("sidbs-*/database.sqlite3")
    call_command("restore", database_url=new_database, stdout=io.StringIO())
    restored_path = new_database.removeprefix("sqlite:///")
    assert sqlite_figures(restored_path) == sqlite_figures(str(dump))
    counts, _checksum = sqlite_figures(restored_path)
    assert counts["ppks_registration"] == Registration.objects.count() == 6
    assert counts["accounts_user"] == len(users)


def test_stored_files_come_back_from_the_object_store(s3_storage, backup_folder, new_database):
    """Files in the bucket are archived, and restored into an emptied bucket byte for byte."""
    s3, bucket = s3_storage
    names = [default_storage.save("reports/2026/11/{}.pdf".format(index), ContentFile(bytes([index]) * 70_000))
             for index in range(3)]
    call_command("backup", stdout=io.StringIO())
    for name in names:
        default_storage.delete(name)
    assert not s3.list_objects_v2(Bucket=bucket).get("Contents")
    output = io.StringIO()
    call_command("restore", database_url=new_database, files=True, stdout=output)
    assert "3 dipulihkan, 0 sudah ada" in output.getvalue()
    for index, name in enumerate(names):
        assert default_storage.open(name).read() == bytes([index]) * 70_000


def test_backups_can_live_in_an_s3_bucket_with_retention(s3_server, settings, new_database):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="uji", aws_secret_access_key="rahasia-uji",
                      region_name="us-east-1")
    bucket = "sidbs-cadangan-{}".format(uuid.uuid4().hex[:8])
    s3.create_bucket(Bucket=bucket)
    settings.SIDBS_BACKUP_URL = "s3://uji:rahasia-uji@{}/harian?endpoint={}".format(bucket, s3_server)
    for _ in range(3):
        call_command("backup", keep=2, stdout=io.StringIO())
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert len({key.split("/")[1] for key in keys}) == 2
    assert all(key.startswith("harian/sidbs-") for key in keys)
    call_command("restore", database_url=new_database, stdout=io.StringIO())


def test_retention_keeps_the_newest_and_clears_old_unfinished_folders(backup_folder):
    stale = backup_folder / "sidbs-20200101-000000-000000"
    stale.mkdir(parents=True)
    (stale / "database.dump").write_bytes(b"half")
    created = [backups.backup_create(keep=2)["name"] for _ in range(3)]
    assert sorted(path.name for path in backup_folder.iterdir()) == created[1:]


def test_a_damaged_backup_is_refused_before_anything_is_written(backup_folder, new_database):
    manifest = backups.backup_create()
    part = next(backup_folder.glob("{}/database.*".format(manifest["name"])))
    content = bytearray(part.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one flipped byte
    part.write_bytes(bytes(content))
    with pytest.raises(CommandError, match="rusak"):
        call_command("restore", manifest["name"], database_url=new_database, stdout=io.StringIO())


def test_unknown_backup_and_concurrent_runs_are_explained(backup_folder):
    with pytest.raises(CommandError, match="Belum ada cadangan"):
        call_command("restore", stdout=io.StringIO())
    from django.core.cache import cache

    cache.add(backups.LOCK_KEY, "1")
    with pytest.raises(CommandError, match="sedang berjalan"):
        call_command("backup", stdout=io.StringIO())


def test_the_daily_backup_is_a_beat_job(backup_folder):
    entry = settings.CELERY_BEAT_SCHEDULE["backup"]
    assert entry["task"] == "config.backup"
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert "config.backup" in app.tasks
    result = app.tasks["config.backup"].delay()
    assert result.get()["name"].startswith("sidbs-")
    assert len(list(backup_folder.glob("sidbs-*/manifest.json"))) == 1
    assert connection.vendor in {"sqlite", "postgresql"}
