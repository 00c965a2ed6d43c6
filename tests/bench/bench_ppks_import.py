"""Benchmark of the PPKS bulk import on the configured database, against plain COPY of the same rows.

Generates a CSV of N valid synthetic rows (NIKs consistent with birth date, sex and the kecamatan of
real villages from the region table), imports it all-or-nothing, then imports the same file again
(expected: nothing created, every row skipped), and reports rows per minute for both runs. In the
same run it COPYs the same file into a typed table (PostgreSQL), the baseline: the import including
validation and history should reach ≥ 400,000 rows/min and ≥ 10% of COPY's rate. ``--profile``
prints where validation spends its time (cProfile of ``validate_rows`` alone).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sidbs DJANGO_DEBUG=1 \\
        .venv/bin/python tests/bench/bench_ppks_import.py --rows 100000

Needs the region table (``manage.py import_regions``). Data made by an earlier run of the benchmark
user is deleted first, so the figures are repeatable.
"""

import argparse
import csv
import datetime
import io
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


def run(rows: int = 100_000, villages: int = 2000, profile: bool = False) -> dict:
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
    for run_name in ("first", "again"):
        started = time.perf_counter()
        cpu_started = time.process_time()
        # The map figures refresh after the commit is its own Celery task in production (run inline only
        # because the bench runs Celery eagerly): it is not part of the import.
        with mock.patch("maps.services.figures_refresh_schedule"):
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
    copy_seconds = copy_baseline(content)
    if copy_seconds is not None:
        results["copy"] = {"seconds": round(copy_seconds, 2), "rows_per_min": round(rows / copy_seconds * 60)}
        results["ratio"] = round(results["first"]["rows_per_min"] / results["copy"]["rows_per_min"], 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--villages", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print the cProfile of validation first")
    arguments = parser.parse_args()
    results = run(rows=arguments.rows, villages=arguments.villages, profile=arguments.profile)
    print("PPKS import benchmark: {rows:,} rows, {bytes:,} bytes, {database}".format(**results))
    print("{:<8} {:>9} {:>9} {:>12} {:>10} {:>14} {:>9}  {}".format(
        "run", "seconds", "cpu s", "rows/min", "persons", "registrations", "skipped", "phases (s)"))
    for name in ("first", "again"):
        result = results[name]
        print("{:<8} {:>9.2f} {:>9.2f} {:>12,} {:>10,} {:>14,} {:>9,}  {}".format(
            name, result["seconds"], result["cpu_seconds"], result["rows_per_min"], result["created_persons"],
            result["created_registrations"], result["skipped_existing"], result["timings"]))
    if "copy" in results:
        print("{:<8} {:>9.2f} {:>9} {:>12,}  (COPY of the same file into a typed table)".format(
            "COPY", results["copy"]["seconds"], "", results["copy"]["rows_per_min"]))
        print("import (first) / COPY: {:.1%}  (goal ≥ 10%; import goal ≥ 400,000 rows/min)".format(
            results["ratio"]))


if __name__ == "__main__":
    main()
