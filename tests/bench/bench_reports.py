"""Benchmark: a 10,000-row referral summary rendered by 2 Celery workers vs one process.

    .venv/bin/python tests/bench/bench_reports.py --rows 10000

Uses the benchmark database (BENCH_DATABASE_URL, default sidbs_bench on local PostgreSQL) and
Redis (REDIS_URL, default local). Creates N referred registrations in Kab. Bondowoso (35.11)
for a benchmark user, renders the report once in a single process (all rows in one part) and
once through a real worker with concurrency 2 (parts of SIDBS_REPORT_PART_ROWS rows in parallel,
merged with pypdf). Prints rows/s, pages and peak memory for both. Target: < 30 s, < 1 GB.
"""

import argparse
import datetime
import json
import resource
import subprocess
import sys
import time

from common import (
    DEFAULT_REDIS_URL,
    REPO_ROOT,
    bench_environment,
    child_pids,
    ensure_database,
    peak_rss_mb,
    setup_django,
)

BENCH_USERNAME = "bench-reports"


def prepare(rows: int) -> None:
    """N referred registrations spread over the villages of Kab. Bondowoso (replacing earlier bench data)."""
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from ppks.models import Category, Directorate, Person, Referral, Registration, ServiceUnit
    from ppks.names import normalise_name
    from reports.models import ReportJob
    from villages.models import Village

    user, _created = User.objects.update_or_create(
        username=BENCH_USERNAME, defaults={"role": "dinsos_kabupaten", "region_code": "35.11", "first_name": "Bench"}
    )
    ReportJob.objects.filter(requested_by=user).delete()
    Referral.objects.filter(created_by=user).delete()
    Registration.objects.filter(created_by=user).delete()
    Person.objects.filter(created_by=user).delete()
    villages = list(Village.objects.filter(code__startswith="35.11.").values_list("code", flat=True))
    category = Category.objects.get(code="FM")
    directorate = Directorate.objects.get(code="dayasos")
    now = timezone.now()
    with transaction.atomic():
        people = []
        for index in range(rows):
            village = villages[index % len(villages)]
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=(index * 37) % 20000)
            day = birth.day + (40 if index % 2 else 0)
            nik = "{}{:02d}{:02d}{:02d}{:04d}".format(village[:8].replace(".", ""), day, birth.month,
                                                    birth.year % 100, 5000 + index % 4000)
            name = "Warga Bench {:05d}".format(index)
            people.append(Person(
                nik=None if index % 10 == 0 else nik, name=name,
                name_key=normalise_name(name), sex="P" if index % 2 else "L", birth_date=birth,
                village_id=village, dusun="Krajan", rt="{:03d}".format(index % 12 + 1), rw="001",
                nik_status="tidak_diketahui" if index % 10 == 0 else "ada", created_by=user,
            ))
        Person.objects.bulk_create(people, batch_size=2000)
        registrations = Registration.objects.bulk_create([
            Registration(person=person, category=category, village_id=person.village_id, status="referred",
                         directorate=directorate, created_by=user, verified_at=now, referred_at=now,
                         needs="Bantuan pangan dan pendampingan sosial")
            for person in people
        ], batch_size=2000)
        unit = ServiceUnit.objects.get(directorate=directorate, kind="ditjen", parent=None)
        Referral.objects.bulk_create([
            Referral(registration=registration, directorate=directorate, unit=unit, sent_at=now, created_by=user)
            for registration in registrations
        ], batch_size=2000)


def new_job():
    """A summary job for the benchmark user; run_on_commit is not wanted here, so enqueueing is skipped."""
    from unittest import mock

    from accounts.models import User
    from ppks.models import Directorate
    from reports.models import ReportJob
    from reports.services import report_request

    with mock.patch("reports.services._enqueue"):
        job = report_request(actor=User.objects.get(username=BENCH_USERNAME), region_code="35.11",
                             directorate=Directorate.objects.get(code="dayasos"))
    return ReportJob.objects.get(pk=job.pk)


def single_process() -> dict:
    """Child process: render the whole report in one process, one part."""
    import os

    os.environ["SIDBS_REPORT_PART_ROWS"] = str(10**9)
    os.environ.pop("REDIS_URL", None)
    setup_django()
    from reports.services import report_generate

    job = new_job()
    started = time.perf_counter()
    report_generate(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    return {"seconds": elapsed, "rows": job.row_count, "pages": job.page_count, "state": job.state,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def two_workers() -> dict:
    import os

    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    setup_django()
    from config.celery import app
    from reports.tasks import report_generate

    environment = {**bench_environment(), "REDIS_URL": os.environ["REDIS_URL"]}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "pdf,default", "--concurrency=2",
         "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "-l", "warning", "-n", "bench@%h"],
        cwd=REPO_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (app.control.ping(timeout=1.0) or []) and time.monotonic() < deadline:
            pass
        job = new_job()
        started = time.perf_counter()
        report_generate.delay(str(job.pk))
        peak = 0.0
        while time.perf_counter() - started < 600:
            job.refresh_from_db()
            pids = [worker.pid, *child_pids(worker.pid)]
            peak = max(peak, max(peak_rss_mb(pid) for pid in pids))
            if job.state in {"done", "failed"}:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        return {"seconds": elapsed, "rows": job.row_count, "pages": job.page_count, "state": job.state,
                "peak_mb": peak, "parts": job.parts.count(), "error": job.error}
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--mode", choices=["all", "single", "workers"], default="all")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tests/bench/run.py)")
    arguments = parser.parse_args()
    if arguments.mode == "single":
        print(json.dumps(single_process()))
        return
    if arguments.mode == "workers":
        print(json.dumps(two_workers()))
        return
    ensure_database()
    prepare(arguments.rows)
    script = [sys.executable, __file__, "--rows", str(arguments.rows)]
    single = json.loads(subprocess.run([*script, "--mode", "single"], check=True, capture_output=True, text=True,
                                       env=bench_environment(), cwd=REPO_ROOT).stdout.strip().splitlines()[-1])
    workers = json.loads(subprocess.run([*script, "--mode", "workers"], check=True, capture_output=True, text=True,
                                        env=bench_environment(), cwd=REPO_ROOT).stdout.strip().splitlines()[-1])
    result = {"rows": arguments.rows, "single": single, "workers": workers}
    if arguments.json:
        print(json.dumps(result))
        return
    print("| render | rows | pages | seconds | rows/s | peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, figures in (("1 process", single), ("2 workers (parts)", workers)):
        print("| {} | {} | {} | {:.1f} | {:.0f} | {:.0f} |".format(
            label, figures["rows"], figures["pages"], figures["seconds"], figures["rows"] / figures["seconds"],
            figures["peak_mb"]))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "tests" / "bench"))
    main()
