"""Benchmark: the PPKS lists and the API as each role loads them, beside the bare SQL of their queries, and
a gunicorn run (3 workers, 127.0.0.1 only) at concurrency 1, 8 and 10.

    .venv/bin/python tests/bench/bench_load.py [--repeat 15] [--requests 40] [--parts pages,load] [--only dasbor]
        [--json]

Part one times each page in this process through Django's test client (server time: queries,
rows, template), captures the page's queries (``CaptureQueriesContext``) and runs its SELECTs
again on a bare cursor: the page's SQL time, with the planning and execution time of its slowest
query from ``EXPLAIN (ANALYZE)``. The ratio page / SQL is the figure to hold (issue 21: ≤ 2×).

Part two starts gunicorn (DEBUG off, 3 sync workers) on a free port of 127.0.0.1 and sends a
bounded number of requests from threads, signed in by session cookie (pages) or API token, at
concurrency 1, 8 and 10 (issue 15 item 13): req/s and p50/p95/p99 of the answer time seen by the client. The "dingin"
(cold) dashboard row marks the programme figures stale before each request, as a write does
(only with REDIS_URL, the cache the server shares). ``--only`` keeps the rows whose label
contains one of its comma-separated parts. tests/bench/bench_dashboard.py measures the
programme dashboard alone, per role, cached and cold.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from common import REPO_ROOT, bench_environment, setup_django

ROLES = ("analis", "provinsi", "kabupaten", "pensosmas")
# Labels of the two baselines of part one: what any signed-in page (layout, menu, session, middleware) and any
# API answer cost with almost no SQL of their own, for each role. A list's time above its baseline is what the
# list itself costs (shown beside its ratio to its SQL).
PAGE_BASELINE = "tata letak saja: ubah kata sandi (pembanding)"
API_BASELINE = "API kategori PPKS (pembanding)"
PAGES = (
    # label, path, params, roles that may open it
    (PAGE_BASELINE, "/akun/kata-sandi/", {}, ROLES),
    (API_BASELINE, "/api/v1/ppks-categories/", {}, ROLES),
    ("daftar PPKS", "/ppks/", {}, ROLES),
    ("daftar PPKS, FM + terverifikasi", "/ppks/", {"category": "FM", "status": "verified"}, ROLES),
    ("daftar PPKS, kecamatan 35.11.01", "/ppks/", {"region": "35.11.01"}, ROLES),
    ("antrean verifikasi", "/ppks/verifikasi/", {}, ("provinsi", "kabupaten")),
    ("API registrasi", "/api/v1/registrations/", {}, ROLES),
    ("API registrasi, FM + terverifikasi", "/api/v1/registrations/", {"category": "FM", "status": "verified"},
     ROLES),
    ("API registrasi, kecamatan 35.11.01", "/api/v1/registrations/", {"region": "35.11.01"}, ROLES),
)
# Part two: label, role, path, params (the API is called with a token, pages with a session cookie).
LOAD = (
    ("beranda (pembanding)", "kabupaten", "/", {}),
    ("daftar PPKS", "kabupaten", "/ppks/", {}),
    ("API FM + terverifikasi", "kabupaten", "/api/v1/registrations/", {"category": "FM", "status": "verified"}),
    ("API kecamatan 35.11.01", "kabupaten", "/api/v1/registrations/", {"region": "35.11.01"}),
    ("dasbor program, provinsi 35", "provinsi", "/rencana/dasbor/", {}),
    ("dasbor program, provinsi 35, dingin", "provinsi", "/rencana/dasbor/", {}),
)
# Load rows whose programme figures are marked stale before every request, as right after a write (needs the
# shared cache of REDIS_URL: with local memory the server's processes would not see the new version).
COLD = frozenset({"dasbor program, provinsi 35, dingin"})
CONCURRENCY = (1, 8, 10)
PENSOSMAS_VILLAGES = 10


def users() -> dict:
    """One user per role: analyst (national), Dinas Sosial Jawa Timur and Kab. Bondowoso (35.11), and a
    Pensosmas assigned the ten villages of 35.11 with the most registrations."""
    from django.db.models import Count

    from accounts.models import User
    from ppks.models import Registration

    specs = {
        "analis": {"role": "kemensos_analyst"},
        "provinsi": {"role": "dinsos_provinsi", "region_code": "35"},
        "kabupaten": {"role": "dinsos_kabupaten", "region_code": "35.11"},
        "pensosmas": {"role": "pensosmas"},
    }
    accounts = {role: User.objects.update_or_create(username="bench-load-" + role, defaults=spec)[0]
                for role, spec in specs.items()}
    villages = list(Registration.objects.filter(village__code__startswith="35.11.").values_list("village_id")
                    .annotate(total=Count("pk")).order_by("-total").values_list("village_id", flat=True)
                    [:PENSOSMAS_VILLAGES])
    accounts["pensosmas"].assigned_villages.set(villages)
    return accounts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(round(len(ordered) * share) - 1, 0))]


def _sql_time(queries: list[str], repeat: int) -> tuple[float, dict]:
    """Median time (ms) of running the page's SELECTs on a bare cursor, and the plan of the slowest one."""
    from django.db import connection

    selects = [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    timings, slowest = [], (0.0, "")
    with connection.cursor() as cursor:
        for _attempt in range(repeat):
            started = time.perf_counter()
            for sql in selects:
                began = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                took = time.perf_counter() - began
                if took > slowest[0]:
                    slowest = (took, sql)
            timings.append((time.perf_counter() - started) * 1000)
        plan = {}
        if slowest[1]:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest[1])
            explained = cursor.fetchone()[0]
            explained = json.loads(explained) if isinstance(explained, str) else explained
            plan = {"planning": explained[0]["Planning Time"], "execution": explained[0]["Execution Time"]}
    return statistics.median(timings), plan


def in_process(accounts: dict, repeat: int, only: tuple[str, ...] = ()) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    results = []
    for label, path, params, roles in selected(PAGES, only):
        for role in roles:
            client = APIClient() if path.startswith("/api/") else Client()
            client.force_login(accounts[role])
            client.get(path, params)  # warm: session, caches, reference data
            connection.queries_log.clear()  # each request resets the log: count from an empty one
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params)
            assert response.status_code == 200, (label, role, response.status_code)
            timings = []
            for _attempt in range(repeat):
                started = time.perf_counter()
                client.get(path, params)
                timings.append((time.perf_counter() - started) * 1000)
            sql, plan = _sql_time([query["sql"] for query in captured.captured_queries], repeat)
            page = statistics.median(timings)
            results.append({"label": label, "role": role, "p50": page, "p95": percentile(timings, 0.95),
                            "queries": len(captured), "sql": sql, "ratio": page / sql if sql else None,
                            "plan": plan, "bytes": len(response.content)})
    return results


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_environment(port: int, static_root: str) -> dict:
    """DEBUG off, with this process's secret key: the sessions signed in here must stay valid there.

    The per-user request limit (300/minute) is off: one account sends hundreds of requests a minute here to
    measure what the server can answer, and with REDIS_URL the limit is shared by the workers (answers 429)."""
    from django.conf import settings

    environment = bench_environment()
    environment.update({
        "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": settings.SECRET_KEY, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SITE_URL": "http://127.0.0.1:{}".format(port), "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0", "DJANGO_CSRF_COOKIE_SECURE": "0", "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": static_root, "SIDBS_REQUEST_LOG": "0", "SIDBS_THROTTLE_USER": "off",
    })
    return environment


class Server:
    """gunicorn with 3 sync workers on 127.0.0.1 (DEBUG off, collected static files), stopped on exit."""

    def __init__(self, workers: int = 3):
        self.port = _free_port()
        self.static = tempfile.mkdtemp(prefix="sidbs-bench-static-")
        self.environment = _server_environment(self.port, self.static)
        subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
                       check=True, env=self.environment, cwd=REPO_ROOT)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "config.wsgi", "--workers", str(workers), "--bind", "127.0.0.1:{}".format(self.port),
             "--timeout", "120", "--log-level", "warning"],
            env=self.environment, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn tidak menjawab di port {}".format(self.port))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _credentials(accounts: dict) -> dict:
    """Per role: a session cookie (pages) and an API token, both valid for the server's processes."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    credentials = {}
    for role, user in accounts.items():
        client = Client()
        client.force_login(user)
        Token.objects.filter(user=user).delete()
        credentials[role] = {"cookie": "{}={}".format(settings.SESSION_COOKIE_NAME,
                                                      client.cookies[settings.SESSION_COOKIE_NAME].value),
                             "token": Token.objects.create(user=user).key}
    return credentials


def _get(port: int, target: str, headers: dict) -> tuple[int, float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, (time.perf_counter() - started) * 1000, len(body)


def load(port: int, target: str, headers: dict, *, concurrency: int, requests: int, before=None) -> dict:
    """``requests`` GETs from ``concurrency`` threads: req/s and p50/p95/p99 in ms (client side).

    Untimed first: a few requests at once, so every worker (not only the first to answer) has
    served the page once and the timed ones do not include a cold worker. ``before()``, when given,
    runs (untimed) before each timed request.
    """
    warmers = [threading.Thread(target=_get, args=(port, target, headers)) for _index in range(6)]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    remaining = iter(range(requests))
    lock = threading.Lock()
    timings, failures = [], []

    def worker() -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            if before is not None:
                before()
            status, took, _size = _get(port, target, headers)
            with lock:
                (timings if status == 200 else failures).append(took if status == 200 else status)

    threads = [threading.Thread(target=worker) for _index in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError("{}: {} jawaban gagal, mis. {}".format(target, len(failures), failures[:3]))
    return {"rps": requests / seconds, "p50": percentile(timings, 0.50), "p95": percentile(timings, 0.95),
            "p99": percentile(timings, 0.99)}


def _stop_on_term(server: Server) -> None:
    """A terminated benchmark (e.g. by ``timeout``) stops its gunicorn too, through the ``finally`` below."""

    def stop(_signal, _frame):
        raise SystemExit("benchmark dihentikan")

    signal.signal(signal.SIGTERM, stop)


def _programme_stale() -> None:
    """What every programme write does to the cached figures: a new version of the ``programme`` domain."""
    from config.caching import _bump

    _bump(("programme",))


def selected(rows: tuple, only: tuple[str, ...]) -> tuple:
    """The rows whose label contains one of ``only`` (all rows when ``only`` is empty)."""
    return tuple(row for row in rows if not only or any(part in row[0] for part in only))


def through_gunicorn(accounts: dict, requests: int, only: tuple[str, ...] = ()) -> list[dict]:
    from urllib.parse import urlencode

    credentials = _credentials(accounts)
    shared_cache = bool(os.environ.get("REDIS_URL"))
    server = Server()
    _stop_on_term(server)
    results = []
    try:
        for label, role, path, params in selected(LOAD, only):
            if label in COLD and not shared_cache:
                continue
            target = path + ("?" + urlencode(params) if params else "")
            headers = ({"Authorization": "Token " + credentials[role]["token"]} if path.startswith("/api/")
                       else {"Cookie": credentials[role]["cookie"]})
            for concurrency in CONCURRENCY:
                figures = load(server.port, target, headers, concurrency=concurrency,
                               requests=requests * concurrency if concurrency > 1 else requests,
                               before=_programme_stale if label in COLD else None)
                results.append({"label": label, "role": role, "concurrency": concurrency, **figures})
    finally:
        server.stop()
    return results


def run(repeat: int = 15, requests: int = 20, parts: tuple[str, ...] = ("pages", "load"),
        only: tuple[str, ...] = ()) -> dict:
    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    accounts = users()
    return {"pages": in_process(accounts, repeat, only) if "pages" in parts else [],
            "load": through_gunicorn(accounts, requests, only) if "load" in parts else []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20, help="requests at concurrency 1 (×c at c = 8 and 10)")
    parser.add_argument("--parts", default="pages,load", help="pages (in process), load (gunicorn), or both")
    parser.add_argument("--only", default="", help="comma-separated parts of row labels, e.g. 'dasbor,beranda'")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    figures = run(arguments.repeat, arguments.requests, parts=tuple(arguments.parts.split(",")),
                  only=tuple(part for part in arguments.only.split(",") if part))
    if arguments.json:
        print(json.dumps(figures))
        return
    print("| halaman | peran | p50 ms | p95 ms | kueri | SQL ms | rasio | rencana / eksekusi ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in figures["pages"]:
        plan = row["plan"]
        print("| {label} | {role} | {p50:.1f} | {p95:.1f} | {queries} | {sql:.1f} | {ratio:.1f}× | {plan} |".format(
            **{**row, "plan": "{:.1f} / {:.1f}".format(plan["planning"], plan["execution"]) if plan else ""}))
    print()
    print("| gunicorn | peran | c | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in figures["load"]:
        print("| {label} | {role} | {concurrency} | {rps:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} |".format(**row))


if __name__ == "__main__":
    main()
