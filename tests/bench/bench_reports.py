"""Benchmark: a 10,000-row referral summary rendered by 2 Celery workers vs one process vs one naive document.

    .venv/bin/python tests/bench/bench_reports.py --rows 10000 [--naive-rows 2000] [--skip-single]

Uses the benchmark database (BENCH_DATABASE_URL, default sidbs_bench on local PostgreSQL) and
Redis (REDIS_URL, default local). Creates N referred registrations in Kab. Bondowoso (35.11)
for a benchmark user and renders the report three ways, each in its own process: the part
pipeline with every step one after another in one process; the same pipeline through a real
worker with concurrency 2 (parts of SIDBS_REPORT_PART_ROWS rows, the front pages and the exports
in parallel, then each part numbered in parallel, then appended); and the naive baseline, one
WeasyPrint document of the whole table. Prints seconds, rows/s, pages, peak memory per process,
the 2-worker/1-process ratio and how busy each worker process was. Goals (issue 21): 2 workers
≥ 1.8× one process, ≤ 300 MB per process whatever the row count.
"""

import argparse
import datetime
import json
import os
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
            # Birth dates repeat every 20,000 rows, so the serial moves on with each round: unique NIKs for
            # any row count the benchmark uses (serials from 5000 stay clear of the generated demo people's).
            nik = "{}{:02d}{:02d}{:02d}{:04d}".format(village[:8].replace(".", ""), day, birth.month,
                                                    birth.year % 100, 5000 + (index // 20000) % 5000)
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
    """Child process: the same part pipeline, every step one after another in this one process."""
    import os

    os.environ.pop("REDIS_URL", None)
    setup_django()
    from reports.services import report_generate, report_steps_run

    job = new_job()
    started, cpu_started = time.perf_counter(), used_cpu()
    if report_generate(job_id=job.pk) == "parts":
        report_steps_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    return {"seconds": elapsed, "rows": job.row_count, "pages": job.page_count, "state": job.state,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "parts": job.parts.count(),
            "error": job.error, "cpu_seconds": used_cpu() - cpu_started, "file_mb": file_mb(job)}


def file_mb(job) -> float:
    """Size of the merged PDF the analyst downloads, in MB."""
    return job.pdf.size / 1e6 if job.pdf else 0.0


def used_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def naive(rows: int) -> dict:
    """Child process: the old way, one WeasyPrint document of the whole table (no parts, no overlay)."""
    import os

    os.environ.pop("REDIS_URL", None)
    setup_django()
    from django.template import engines

    from reports import rendering
    from reports.selectors import report_rows

    job = new_job()
    started = time.perf_counter()
    table = engines["django"].from_string(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>{{ css|safe }}</style></head><body>"
        "<h2>DAFTAR PPKS YANG DIRUJUK</h2><table class='summary'><thead><tr><th>No</th><th>Nama</th><th>NIK</th>"
        "<th>Desa</th><th>Kecamatan</th><th>Kategori</th><th>Kebutuhan</th></tr></thead><tbody>"
        "{% for row in rows %}<tr><td>{{ forloop.counter }}</td><td>{{ row.name|upper }}</td><td>{{ row.nik_shown }}"
        "</td><td>{{ row.village_name }}</td><td>{{ row.district_name }}</td><td>{{ row.category_code }}</td>"
        "<td>{{ row.needs }}</td></tr>{% endfor %}</tbody></table></body></html>")
    selected = report_rows(job)[:rows]
    pdf = rendering.html_to_pdf(table.render({"rows": selected, "css": rendering.report_css()}))
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": len(selected), "pages": rendering.page_count(pdf), "state": "done",
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "file_mb": len(pdf) / 1e6}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (0 once it is gone)."""
    import os

    try:
        with open("/proc/{}/stat".format(pid)) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def two_workers() -> dict:
    """A real worker (concurrency 2) renders the report; every 0.2 s its pool processes' peak memory and CPU
    time are read, so the result says whether both were busy (``busy``: CPU seconds / wall seconds each).
    BENCH_WORKER_LOG=path keeps the worker's log (each task's start and duration)."""
    import os

    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    setup_django()
    from config.celery import app
    from reports.tasks import report_generate

    environment = {**bench_environment(), "REDIS_URL": os.environ["REDIS_URL"]}
    log = open(os.environ["BENCH_WORKER_LOG"], "w") if os.environ.get("BENCH_WORKER_LOG") else None  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "pdf,default", "--concurrency=2",
         "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "-l", "info" if log else "warning",
         "-n", "bench@%h"],
        cwd=REPO_ROOT, env=environment, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (app.control.ping(timeout=1.0) or []) and time.monotonic() < deadline:
            pass
        pool = child_pids(worker.pid)
        cpu_before = {pid: cpu_seconds(pid) for pid in pool}
        job = new_job()
        started = time.perf_counter()
        report_generate.delay(str(job.pk))
        peak, cpu = 0.0, dict(cpu_before)
        while time.perf_counter() - started < 1800:
            job.refresh_from_db()
            peak = max(peak, max(peak_rss_mb(pid) for pid in [worker.pid, *pool]))
            cpu.update({pid: cpu_seconds(pid) or cpu[pid] for pid in pool})
            if job.state in {"done", "failed"}:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        used = [cpu[pid] - cpu_before[pid] for pid in pool]
        return {"seconds": elapsed, "rows": job.row_count, "pages": job.page_count, "state": job.state,
                "peak_mb": peak, "parts": job.parts.count(), "error": job.error, "file_mb": file_mb(job),
                "busy": [round(seconds / elapsed, 2) for seconds in used], "cpu_seconds": sum(used)}
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def run_child(script: list[str], mode: str) -> dict:
    completed = subprocess.run([*script, "--mode", mode], check=True, capture_output=True, text=True,
                               env=bench_environment(), cwd=REPO_ROOT)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=None,
                        help="rows of the naive one-document baseline (default --rows; 0 skips it)")
    parser.add_argument("--mode", choices=["all", "single", "workers", "naive"], default="all")
    parser.add_argument("--skip-single", action="store_true", help="only the 2-worker run (and the baseline)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tests/bench/run.py)")
    arguments = parser.parse_args()
    naive_rows = arguments.rows if arguments.naive_rows is None else arguments.naive_rows
    if arguments.mode == "single":
        print(json.dumps(single_process()))
        return
    if arguments.mode == "workers":
        print(json.dumps(two_workers()))
        return
    if arguments.mode == "naive":
        print(json.dumps(naive(naive_rows)))
        return
    ensure_database()
    prepare(arguments.rows)
    script = [sys.executable, __file__, "--rows", str(arguments.rows), "--naive-rows", str(naive_rows)]
    result = {"rows": arguments.rows, "load": list(os.getloadavg())}
    if not arguments.skip_single:
        result["single"] = run_child(script, "single")
    result["workers"] = run_child(script, "workers")
    if naive_rows:
        result["naive"] = run_child(script, "naive")
    result["load_after"] = list(os.getloadavg())
    if "single" in result:
        result["ratio"] = result["single"]["seconds"] / result["workers"]["seconds"]
    if arguments.json:
        print(json.dumps(result))
        return
    print("| render | rows | pages | seconds | rows/s | peak MB per process | PDF MB | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, key in (("1 process (parts one after another)", "single"), ("2 workers (parts in parallel)", "workers"),
                       ("naive: one WeasyPrint table", "naive")):
        if key not in result:
            continue
        figures = result[key]
        ratio = "{:.2f}× vs 1 process".format(result["ratio"]) if key == "workers" and "ratio" in result else ""
        print("| {} | {} | {} | {:.1f} | {:.0f} | {:.0f} | {:.1f} | {} |".format(
            label, figures["rows"], figures["pages"], figures["seconds"], figures["rows"] / figures["seconds"],
            figures["peak_mb"], figures.get("file_mb", 0), ratio))
    print("load average before {} after {}; CPU seconds: 1 process {}, 2 workers {} (busy share of each {})".format(
        result["load"], result["load_after"], round(result.get("single", {}).get("cpu_seconds", 0), 1),
        round(result["workers"]["cpu_seconds"], 1), result["workers"]["busy"]))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "tests" / "bench"))
    main()
