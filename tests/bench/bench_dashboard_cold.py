"""Benchmark: the programme dashboard right after a write, requested by several clients at once (single flight).

    DATABASE_URL=postgres://…/<db> .venv/bin/python tests/bench/bench_dashboard_cold.py [--concurrency 8]
        [--rounds 10] [--user bench-hub-provinsi] [--redis-cache redis://127.0.0.1:6379/5]

Each round marks the programme figures stale (a new version of the ``programme`` domain, as every programme
write does), then releases ``--concurrency`` threads at once, each with its own Django test client and database
connection, each opening ``/rencana/dasbor/?year=2026``. Printed: how often the scope's figures were computed
per round, and the median and p95 time of the requests, with single flight (``config.caching``) and without it
(every request that finds the entry missing computes it, as before). Threads in one process share the GIL, as
workers share this 2-core machine's CPU: the figures show the duplicated work, not gunicorn's exact numbers.
``--redis-cache`` puts the cached figures (and the locks) in that Redis database, under a prefix of the run's
own that is deleted afterwards, instead of the configured cache.
"""

import argparse
import statistics
import threading
import time

from common import setup_django

PATH = "/rencana/dasbor/"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(round(len(ordered) * share) - 1, 0))]


def run(*, username: str, concurrency: int, rounds: int, single_flight: bool) -> dict:
    from django.db import close_old_connections, connection
    from django.test import Client

    from accounts.models import User
    from actionplans import selectors
    from config import caching

    user = User.objects.get(username=username)
    computed = []
    original_figures, original_once = selectors._programme_figures, caching._compute_once

    def counted(**kwargs):
        computed.append(1)
        return original_figures(**kwargs)

    def without_single_flight(key, compute):
        value = compute()
        caching._store(key, value)
        return value

    selectors._programme_figures = counted
    if not single_flight:
        caching._compute_once = without_single_flight
    timings, per_round = [], []
    try:
        clients = [Client() for _thread in range(concurrency)]
        for client in clients:
            client.force_login(user)
            client.get(PATH, {"year": 2026})
        for _round in range(rounds):
            caching._bump(("programme",))
            computed.clear()
            barrier = threading.Barrier(concurrency)

            def request(client, barrier):
                try:
                    barrier.wait()
                    started = time.perf_counter()
                    response = client.get(PATH, {"year": 2026})
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.status_code
                finally:
                    close_old_connections()
                    connection.close()

            threads = [threading.Thread(target=request, args=(client, barrier)) for client in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            per_round.append(len(computed))
    finally:
        selectors._programme_figures, caching._compute_once = original_figures, original_once
    return {"single_flight": single_flight, "computed": statistics.mean(per_round), "p50": statistics.median(timings),
            "p95": percentile(timings, 0.95), "requests": len(timings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--user", default="bench-hub-provinsi")
    parser.add_argument("--redis-cache", default="")
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if arguments.redis_cache:
        import uuid

        from django.core.cache.backends.redis import RedisCache

        from config import caching

        prefix = "bench-{}".format(uuid.uuid4().hex)
        caching.cache = RedisCache(arguments.redis_cache, {"KEY_PREFIX": prefix})
    print("| single flight | figures computed per round | p50 ms | p95 ms | requests |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for single_flight in (False, True):
        row = run(username=arguments.user, concurrency=arguments.concurrency, rounds=arguments.rounds,
                  single_flight=single_flight)
        print("| {} | {computed:.1f} | {p50:.0f} | {p95:.0f} | {requests} |".format(
            "ya" if single_flight else "tidak", **row))
    if arguments.redis_cache:
        client = caching.cache._cache.get_client(write=True)
        for key in client.scan_iter(match="{}:*".format(prefix)):
            client.delete(key)


if __name__ == "__main__":
    main()
