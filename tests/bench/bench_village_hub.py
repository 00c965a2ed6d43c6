"""Benchmark: the village programme hub (``/rencana/desa/<kode>/``) of a fully populated village, in this process.

    DATABASE_URL=postgres://…/<db> .venv/bin/python tests/bench/bench_village_hub.py [--repeat 50] [--queries]

The first run puts one village of Jawa Timur in the programme with everything the hub shows
(``tests/actionplans/hub_data.py``: Pokja of 30, assets, plan with activities, stages with change
requests, tranches, spending, monitoring visits); later runs reuse it. A Dinas Sosial provinsi user
(who may plan and approve, so every form of the page is rendered) opens the hub through Django's
test client: the queries of one request, then the median and p95 server time of ``--repeat`` requests.
``--queries`` also prints the SQL of that request.
"""

import argparse
import statistics
import time

from common import setup_django

PLANNER, VIEWER = "bench-hub-admin", "bench-hub-provinsi"


def village_ready():
    from accounts.models import User
    from actionplans.models import Pokja

    planner = User.objects.update_or_create(username=PLANNER, defaults={"role": "admin", "is_staff": True})[0]
    viewer = User.objects.update_or_create(username=VIEWER, defaults={"role": "dinsos_provinsi",
                                                                      "region_code": "35"})[0]
    pokja = Pokja.objects.filter(village__code__startswith="35.", members__name="Anggota Pokja 30").first()
    if pokja is not None:
        return pokja.village, viewer
    from tests.actionplans.hub_data import hub_village_populate

    return hub_village_populate(planner=planner, approver=viewer), viewer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--queries", action="store_true")
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    village, viewer = village_ready()
    path = "/rencana/desa/{}/".format(village.code)
    client = Client()
    client.force_login(viewer)
    client.get(path)  # warm: session, reference data, templates
    connection.queries_log.clear()  # a deque of at most 9000: full after populating, it would count nothing
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    timings = []
    for _attempt in range(arguments.repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    if arguments.queries:
        for query in captured.captured_queries:
            print(query["time"], query["sql"][:300])
    print("{} ({}): {} queries, median {:.1f} ms, p95 {:.1f} ms over {} requests, {:.0f} KB".format(
        path, connection.vendor, len(captured), statistics.median(timings),
        timings[min(len(timings) - 1, round(len(timings) * 0.95) - 1)], len(timings), len(response.content) / 1024))


if __name__ == "__main__":
    main()
