"""Benchmark: the programme dashboard per role, cached and cold (right after a write), in this process.

    .venv/bin/python tests/bench/bench_dashboard.py [--repeat 15] [--profile ROLE] [--json]

Each role (analyst, Dinas Sosial Jawa Timur, Kab. Bondowoso, a Pensosmas; users of ``bench_load``) opens
``/rencana/dasbor/`` through Django's test client: the median and p95 page time, the queries of one
request and their time on a bare cursor (the page's SQL), and the time spent rendering the template.
"Cold" marks the programme figures stale before each request (a new version of the ``programme`` domain, what
every programme write does through ``aggregates_changed``; without the map refresh a write also schedules), so
the page recomputes them. ``--profile ROLE`` prints a cProfile of one
cached and one cold request of that role.
"""

import argparse
import cProfile
import json
import pstats
import statistics
import time

from bench_load import _sql_time, percentile, users
from common import setup_django

PATH = "/rencana/dasbor/"
ROLES = ("analis", "provinsi", "kabupaten", "pensosmas")


def _bump(domains: tuple[str, ...]) -> None:
    from config.caching import _bump as bump

    bump(domains)


def _render_time():
    """A context manager measuring the time spent in ``Template.render`` (ms), as a list to read after."""
    from contextlib import contextmanager

    from django.template.backends.django import Template

    @contextmanager
    def measured():
        spent = []
        original = Template.render

        def timed(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent.append((time.perf_counter() - started) * 1000)

        Template.render = timed
        try:
            yield spent
        finally:
            Template.render = original

    return measured()


def measure(client, *, cold: bool, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def stale() -> None:
        if cold:
            _bump(("programme",))

    client.get(PATH)  # warm: session, reference data, the figures when not cold
    stale()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PATH)
    assert response.status_code == 200, response.status_code
    timings, renders = [], []
    for _attempt in range(repeat):
        stale()
        with _render_time() as spent:
            started = time.perf_counter()
            client.get(PATH)
            timings.append((time.perf_counter() - started) * 1000)
        renders.append(sum(spent))
    sql, plan = _sql_time([query["sql"] for query in captured.captured_queries], max(3, repeat // 3))
    page = statistics.median(timings)
    return {"p50": page, "p95": percentile(timings, 0.95), "queries": len(captured), "sql": sql,
            "render": statistics.median(renders), "ratio": page / sql if sql else None, "plan": plan,
            "bytes": len(response.content)}


def profile(client, *, cold: bool) -> None:
    client.get(PATH)
    if cold:
        _bump(("programme",))
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(PATH)
    profiler.disable()
    print("--- profile, {} ---".format("cold" if cold else "cached"))
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def run(repeat: int, roles: tuple[str, ...]) -> list[dict]:
    from django.test import Client

    accounts = users()
    results = []
    for role in roles:
        client = Client()
        client.force_login(accounts[role])
        for cold in (False, True):
            results.append({"role": role, "cold": cold, **measure(client, cold=cold, repeat=repeat)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--profile", default="", help="a role: print a cProfile of one cached and one cold request")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if arguments.profile:
        from django.test import Client

        client = Client()
        client.force_login(users()[arguments.profile])
        profile(client, cold=False)
        profile(client, cold=True)
        return
    results = run(arguments.repeat, tuple(arguments.roles.split(",")))
    if arguments.json:
        print(json.dumps(results))
        return
    print("| peran | cache | p50 ms | p95 ms | kueri | SQL ms | template ms | rasio | KB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        print("| {role} | {state} | {p50:.1f} | {p95:.1f} | {queries} | {sql:.1f} | {render:.1f} | {ratio:.1f}× | "
              "{kb:.0f} |".format(**row, state="dingin" if row["cold"] else "hangat", kb=row["bytes"] / 1024))


if __name__ == "__main__":
    main()
