"""Benchmark of the PPKS bulk import on the configured database, against plain COPY of the same rows.

Generates a CSV of N valid synthetic rows (NIKs consistent with birth date, sex and the kecamatan of
real villages from the region table), imports it all-or-nothing, then imports the same file again
(expected: nothing created, every row skipped), and reports rows per minute for both runs. In the
same run it COPYs the same file into a typed table (PostgreSQL), the baseline: the import including
validation and history should reach ≥ 400,000 rows/min and ≥ 10% of COPY's rate. A second baseline
COPYs the same people and registrations into the REAL ``ppks_person`` and ``ppks_registration`` tables,
with all their indexes, constraints (foreign keys checked) and history triggers, in a rolled-back
transaction: what the schema itself costs, against which the import's own overhead shows. ``--profile``
prints where validation spends its time (cProfile of ``validate_rows`` alone); ``--profile-write`` times
each statement of the first import (COPYs with their statement triggers, look-ups, the deferred foreign
key checks forced at the end of the write, the commit) and prints them, slowest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sidbs DJANGO_DEBUG=1 \\
        .venv/bin/python tests/bench/bench_ppks_import.py --rows 100000

Needs the region table (``manage.py import_regions``). Data made by an earlier run of the benchmark
user is deleted first, so the figures are repeatable.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import sys
import time
from pathlib import Path
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_USERNAME = "bench-import"
CATEGORIES = ("FM", "LUT", "AT", "KRSTE", "PD")


def _setup_django() -> None:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


SYLLABLES = ("ba", "di", "ka", "lu", "ma", "ni", "sa", "to", "wi", "ra", "ha", "je", "yu", "pe", "go", "ce")


def synthetic_name(index: int) -> str:
    """A name unique per index made of syllables (names are compared without digits)."""
    parts = []
    value = index
    for _position in range(5):
        parts.append(SYLLABLES[value % len(SYLLABLES)])
        value //= len(SYLLABLES)
    return "Warga {}".format("".join(parts).capitalize())


def make_csv(rows: int, village_codes: list[str], categories: list[str]) -> bytes:
    """``rows`` valid rows; every tenth person has no NIK (matched by name, birth date and village)."""
    from ppks.imports import COLUMN_KEYS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_KEYS)
    serials: dict[str, int] = {}
    start = datetime.date(1940, 1, 1)
    for index in range(rows):
        village = village_codes[index % len(village_codes)]
        birth = start + datetime.timedelta(days=(index * 7919) % 29000)
        sex = "P" if index % 2 else "L"
        district = village[:8].replace(".", "")
        day = birth.day + (40 if sex == "P" else 0)
        prefix = "{}{:02d}{:02d}{:02d}".format(district, day, birth.month, birth.year % 100)
        serials[prefix] = serials.get(prefix, 0) + 1
        without_nik = index % 10 == 9
        nik = "" if without_nik else "{}{:04d}".format(prefix, serials[prefix])
        writer.writerow([
            synthetic_name(index), nik, "belum_punya" if without_nik else "",
            "", sex, "Kota", birth.isoformat(), village, "Krajan", str(index % 20 + 1), str(index % 7 + 1),
            "Jl. Contoh {}".format(index % 300), "", "", str(index % 10 + 1), "", categories[index % len(categories)],
            "Bantuan", "",
        ])
    return buffer.getvalue().encode("utf-8")


def _cleanup(user) -> None:
    """Remove what an earlier run imported (the audit events stay: the audit trail is append-only)."""
    from ppks.models import DuplicateCandidate, ImportJob, Person, Registration, RegistrationEvent

    persons = Person.objects.filter(created_by=user)
    DuplicateCandidate.objects.filter(person__in=persons).delete()
    DuplicateCandidate.objects.filter(other__in=persons).delete()
    RegistrationEvent.objects.filter(registration__created_by=user).delete()
    Registration.objects.filter(created_by=user).delete()
    persons.delete()
    for job in ImportJob.objects.filter(requested_by=user):
        for stored in (job.file, job.error_file):
            if stored:
                stored.delete(save=False)
        job.delete()


def _vacuum() -> None:
    """VACUUM ANALYZE the tables the import writes (PostgreSQL): the rows an earlier run left dead (cleanup,
    a rolled-back baseline) would otherwise slow each later run's index look-ups, and runs compared back to
    back must start from the same state."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ppks_person, ppks_registration, ppks_personhistory, "
                           "ppks_registrationevent, ppks_importjob_registrations")


BASELINE_TABLE = """
CREATE TEMP TABLE bench_copy_baseline (
    nama varchar(150), nik varchar(16), alasan_tanpa_nik varchar(20), no_kk varchar(16), jenis_kelamin varchar(10),
    tempat_lahir varchar(80), tanggal_lahir date, kode_desa varchar(13), dusun varchar(80), rt varchar(3),
    rw varchar(3), alamat varchar(200), telepon varchar(20), disabilitas varchar(30), desil_dtsen smallint,
    desil_per_tanggal date, kategori varchar(10), kebutuhan text, tanggal_asesmen date
)"""


def copy_baseline(content: bytes) -> float | None:
    """Seconds to COPY the file into a typed table (PostgreSQL only), in its own rolled-back transaction."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BASELINE_TABLE)
        started = time.perf_counter()
        with cursor.copy("COPY bench_copy_baseline FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


PERSON_COLUMNS = ("id", "nik", "nik_status", "kk_number", "name", "name_key", "birth_place", "birth_date", "sex",
                  "village_id", "dusun", "rt", "rw", "street_address", "phone", "disability", "dtsen_decile",
                  "created_by_id", "created_at", "updated_at")
REGISTRATION_COLUMNS = ("id", "person_id", "category_id", "village_id", "status", "needs", "rejection_reason",
                        "assessed_on", "directorate_id", "created_by_id", "created_at", "updated_at")


def _real_table_rows(content: bytes, user_id: int, person_ids: list[int], registration_ids: list[int], *,
                     held: set[str]) -> tuple[bytes, bytes]:
    """The file's rows as the CSV COPY text of a new person and a new registration each (what the import
    writes for a file of new people), built before the timed COPY; a NIK someone ``held`` already is left
    out (that person is saved without it)."""
    from django.utils import timezone

    from ppks.models import Category
    from ppks.names import normalise_name

    categories = {category.code: category.pk for category in Category.objects.all()}
    now = timezone.now().isoformat()
    null = "\\N"
    people, registrations = io.StringIO(), io.StringIO()
    person_writer, registration_writer = csv.writer(people), csv.writer(registrations)
    records = csv.reader(io.StringIO(content.decode("utf-8")))
    next(records)
    for record, person_id, registration_id in zip(records, person_ids, registration_ids, strict=True):
        (name, nik, no_nik_reason, kk_number, sex, birth_place, birth_date, village, dusun, rt, rw, address, phone,
         disability, decile, _decile_as_of, category, needs, _assessed_on) = record
        person_writer.writerow([
            person_id, nik if nik and nik not in held else null,
            no_nik_reason or ("ada" if nik not in held else "tidak_diketahui"), kk_number, name,
            normalise_name(name), birth_place,
            birth_date or null, sex, village, dusun, rt.zfill(3), rw.zfill(3), address, phone, disability,
            decile or null, user_id, now, now])
        registration_writer.writerow([
            registration_id, person_id, categories[category], village, "draft", needs, "", now[:10], null, user_id,
            now, now])
    return people.getvalue().encode(), registrations.getvalue().encode()


def _backend_cpu_seconds(cursor) -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (a local server on Linux), else None:
    steadier than wall time on a shared machine."""
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    try:
        fields = Path("/proc/{}/stat".format(pid)).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _secondary_indexes(cursor, table: str) -> list[str]:
    """Indexes of ``table`` that back no primary key or unique constraint (those that can be dropped)."""
    cursor.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass AND NOT indisprimary "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u')) ORDER BY 1",
        [table])
    return [row[0] for row in cursor.fetchall()]


HISTORY_TRIGGERS_OFF = ("ALTER TABLE ppks_person DISABLE TRIGGER ppks_person_history_insert",
                        "ALTER TABLE ppks_registration DISABLE TRIGGER ppks_registration_history_insert")


def copy_real_tables(content: bytes, user, *, setup: tuple[str, ...] = ()) -> dict | None:
    """Seconds to COPY the file's people and registrations into the real tables, with every index, constraint
    and history trigger, the deferred foreign keys checked; rolled back (PostgreSQL only). ``setup`` runs
    first in the same transaction (the schema-cost variants drop an index or disable a trigger there)."""
    from django.db import connection, transaction

    from ppks import bulk_rows
    from ppks.history import history_actor
    from ppks.models import Person, Registration

    if connection.vendor != "postgresql":
        return None
    rows = content.count(b"\n") - 1
    with transaction.atomic(), history_actor(user, reason="bench"), connection.cursor() as cursor:
        for statement in setup:
            cursor.execute(statement)
        held = set()
        niks = [line.split(b",")[1].decode() for line in content.splitlines()[1:]]
        for start in range(0, len(niks), 20_000):
            cursor.execute("SELECT nik FROM ppks_person WHERE nik = ANY(%s)", [niks[start:start + 20_000]])
            held.update(row[0] for row in cursor.fetchall())
        people, registrations = _real_table_rows(content, user.pk, bulk_rows.reserve_ids(Person, rows),
                                                 bulk_rows.reserve_ids(Registration, rows), held=held)
        seconds = {}
        cpu_started = _backend_cpu_seconds(cursor)
        started = time.perf_counter()
        for name, table, columns, data in (("persons", "ppks_person", PERSON_COLUMNS, people),
                                           ("registrations", "ppks_registration", REGISTRATION_COLUMNS, registrations)):
            statement = "COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N')".format(table, ", ".join(columns))
            with cursor.copy(statement) as copy:
                copy.write(data)
            seconds[name] = time.perf_counter() - started
            started = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds["foreign_keys"] = time.perf_counter() - started
        cpu_ended = _backend_cpu_seconds(cursor)
        transaction.set_rollback(True)
    seconds = {name: round(value, 2) for name, value in seconds.items()}
    seconds["seconds"] = round(sum(seconds.values()), 2)
    seconds["backend_cpu"] = round(cpu_ended - cpu_started, 2) if cpu_started is not None else None
    return seconds


def schema_costs(content: bytes, user) -> list[dict]:
    """COPY into the real tables with everything, then without the history triggers, without each secondary
    index in turn, without all of them: the seconds (and backend CPU) each part of the schema costs."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, "ppks_person") + _secondary_indexes(cursor, "ppks_registration")
    variants = [("all indexes, constraints, triggers", ()), ("without the history triggers", HISTORY_TRIGGERS_OFF)]
    variants += [("without {}".format(index), ("DROP INDEX {}".format(index),)) for index in indexes]
    variants.append(("without any secondary index", tuple("DROP INDEX {}".format(index) for index in indexes)))
    variants.append(("without secondary indexes and history triggers",
                     HISTORY_TRIGGERS_OFF + tuple("DROP INDEX {}".format(index) for index in indexes)))
    results = []
    for label, setup in variants:
        _vacuum()
        figures = copy_real_tables(content, user, setup=setup)
        results.append({"variant": label, **figures})
        print("{:<60} {:>7.2f} s  backend CPU {:>6} s  (persons {persons}, registrations {registrations}, "
              "FK {foreign_keys})".format(label, figures["seconds"], figures["backend_cpu"], **figures),
              file=sys.stderr, flush=True)
    return results


class WriteProfile:
    """Times each statement of an import: ``cursor.execute`` (grouped by their first words), each
    ``bulk_rows.insert`` (rows built, then COPY including its statement-level history trigger), the deferred
    foreign-key checks (forced with ``SET CONSTRAINTS ALL IMMEDIATE`` at the end of ``write_plan``) and the
    commit."""

    def __init__(self):
        self.steps: dict[str, list] = {}

    def add(self, label: str, seconds: float) -> None:
        step = self.steps.setdefault(label, [0, 0.0])
        step[0] += 1
        step[1] += seconds

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not sql.startswith("SET CONSTRAINTS"):  # counted as "deferred foreign-key checks"
                self.add(" ".join(sql.split())[:90], time.perf_counter() - started)

    def patches(self):
        from contextlib import ExitStack

        from django.db import connection

        from ppks import bulk_rows, imports

        original_insert, original_write, original_commit = bulk_rows.insert, imports.write_plan, connection._commit

        def insert(model, rows, **kwargs):
            started = time.perf_counter()
            rows = list(rows)
            self.add("{}: rows built in Python".format(model.__name__), time.perf_counter() - started)
            started = time.perf_counter()
            try:
                return original_insert(model, rows, **kwargs)
            finally:
                self.add("{}: COPY + statement trigger".format(model.__name__), time.perf_counter() - started)

        def write_plan(plan, **kwargs):
            started = time.perf_counter()
            result = original_write(plan, **kwargs)
            self.add("write_plan total (before FK checks)", time.perf_counter() - started)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.add("deferred foreign-key checks", time.perf_counter() - started)
            return result

        def commit():
            started = time.perf_counter()
            try:
                return original_commit()
            finally:
                self.add("COMMIT", time.perf_counter() - started)

        stack = ExitStack()
        stack.enter_context(mock.patch.object(bulk_rows, "insert", insert))
        stack.enter_context(mock.patch.object(imports, "write_plan", write_plan))
        stack.enter_context(mock.patch.object(connection, "_commit", commit))
        stack.enter_context(connection.execute_wrapper(self.execute))
        return stack

    def table(self, top: int = 25) -> list[dict]:
        ordered = sorted(self.steps.items(), key=lambda item: -item[1][1])
        return [{"step": label, "calls": calls, "seconds": round(seconds, 3)}
                for label, (calls, seconds) in ordered[:top]]


def profile_validation(content: bytes, user, top: int = 20) -> None:
    """Print the cProfile of read + validate of the file (no database writes)."""
    import cProfile
    import pstats

    from ppks import imports

    table = imports.read_table(io.BytesIO(content), "csv")
    profile = cProfile.Profile()
    profile.enable()
    imports.validate_rows(table, user=user)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def run(rows: int = 100_000, villages: int = 2000, profile: bool = False, profile_write: bool = False,
        costs: bool = False) -> dict:
    """Import ``rows`` synthetic rows twice; return timings and rows/min for both runs."""
    _setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from accounts.models import User
    from ppks import imports, services
    from ppks.models import Category
    from villages.models import Village

    user, _created = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"role": "admin", "is_active": True}
    )
    _cleanup(user)
    village_codes = list(Village.objects.order_by("code").values_list("code", flat=True)[: villages * 20: 20])
    if not village_codes:
        raise SystemExit("Tabel wilayah kosong: jalankan manage.py import_regions dahulu.")
    categories = [code for code in CATEGORIES if Category.objects.filter(code=code).exists()]
    content = make_csv(rows, village_codes, categories)
    imports.SYNC_ROW_LIMIT = 10**9
    imports.MAX_UPLOAD_BYTES = max(imports.MAX_UPLOAD_BYTES, len(content) + 1)
    results = {"rows": rows, "bytes": len(content), "database": connection.vendor}
    if profile:
        profile_validation(content, user)
    _vacuum()
    real = copy_real_tables(content, user)
    if costs:
        results["schema_costs"] = schema_costs(content, user)
    _vacuum()
    for run_name in ("first", "again"):
        write_profile = WriteProfile() if profile_write and run_name == "first" else None
        started = time.perf_counter()
        cpu_started = time.process_time()
        # The map figures refresh after the commit is its own Celery task in production (run inline only
        # because the bench runs Celery eagerly): it is not part of the import.
        with mock.patch("maps.services.figures_refresh_schedule"), (
                write_profile.patches() if write_profile else contextlib.nullcontext()):
            job = services.registration_import_create(
                actor=user, upload=SimpleUploadedFile("bench.csv", content, content_type="text/csv")
            )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        if job.state != "done":
            raise SystemExit("Impor gagal: {} {}".format(job.message, job.errors[:5]))
        results[run_name] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "rows_per_min": round(rows / seconds * 60),
            "created_persons": job.created_persons,
            "created_registrations": job.created_registrations,
            "skipped_existing": job.skipped_existing,
            "timings": job.timings,
        }
        if write_profile:
            results[run_name]["steps"] = write_profile.table()
    copy_seconds = copy_baseline(content)
    if copy_seconds is not None:
        results["copy"] = {"seconds": round(copy_seconds, 2), "rows_per_min": round(rows / copy_seconds * 60)}
        results["ratio"] = round(results["first"]["rows_per_min"] / results["copy"]["rows_per_min"], 3)
    if real is not None:
        results["copy_real"] = {**real, "rows_per_min": round(rows / real["seconds"] * 60)}
        results["ratio_real"] = round(results["first"]["rows_per_min"] / results["copy_real"]["rows_per_min"], 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--villages", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print the cProfile of validation first")
    parser.add_argument("--profile-write", action="store_true", help="time each statement of the first import")
    parser.add_argument("--schema-costs", action="store_true",
                        help="COPY into the real tables without each index / the history triggers in turn")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    arguments = parser.parse_args()
    results = run(rows=arguments.rows, villages=arguments.villages, profile=arguments.profile,
                  profile_write=arguments.profile_write, costs=arguments.schema_costs)
    print("PPKS import benchmark: {rows:,} rows, {bytes:,} bytes, {database}".format(**results))
    print("{:<8} {:>9} {:>9} {:>12} {:>10} {:>14} {:>9}  {}".format(
        "run", "seconds", "cpu s", "rows/min", "persons", "registrations", "skipped", "phases (s)"))
    for name in ("first", "again"):
        result = results[name]
        print("{:<8} {:>9.2f} {:>9.2f} {:>12,} {:>10,} {:>14,} {:>9,}  {}".format(
            name, result["seconds"], result["cpu_seconds"], result["rows_per_min"], result["created_persons"],
            result["created_registrations"], result["skipped_existing"], result["timings"]))
    if "copy" in results:
        print("{:<8} {:>9.2f} {:>9} {:>12,}  (COPY of the same file into a bare typed table)".format(
            "COPY", results["copy"]["seconds"], "", results["copy"]["rows_per_min"]))
    if "copy_real" in results:
        real = results["copy_real"]
        print("{:<8} {:>9.2f} {:>9} {:>12,}  (COPY into the real tables: persons {persons} s, registrations "
              "{registrations} s, foreign keys {foreign_keys} s)".format(
                  "COPY ppks", real["seconds"], "", real["rows_per_min"], **real))
        if real.get("backend_cpu") is not None:
            print("{:<8} {:>9} {:>9.2f}  (backend CPU of that COPY)".format("", "", real["backend_cpu"]))
    if "copy" in results:
        print("import (first) / bare COPY: {:.1%}  (goal ≥ 10%; import goal ≥ 400,000 rows/min)".format(
            results["ratio"]))
    if "copy_real" in results:
        print("import (first) / COPY into the real tables: {:.1%}".format(results["ratio_real"]))
    if "steps" in results["first"]:
        print("\nWrite profile of the first import (seconds, calls, step):")
        for step in results["first"]["steps"]:
            print("{:>9.2f} {:>6}  {}".format(step["seconds"], step["calls"], step["step"]))
    if arguments.json:
        print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
