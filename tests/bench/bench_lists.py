"""Benchmark: PPKS list page and API latency (p50/p95) on the benchmark database.

    .venv/bin/python tests/bench/bench_lists.py [--repeat 20]

Needs data (``make demo-data PERSONS=1000000`` against the benchmark database). Requests go
through Django's test client in this process, so the figures are server-side time: query,
serialisation and template rendering, without network.
"""

import argparse
import json
import statistics
import time

from common import setup_django

SCENARIOS = (
    # label, user, path, params
    ("daftar, nasional", "bench-analyst", "/ppks/", {}),
    ("daftar, kabupaten 35.11", "bench-kabupaten", "/ppks/", {}),
    ("daftar, kab + kategori + status", "bench-kabupaten", "/ppks/", {"category": "FM", "status": "verified"}),
    ("daftar, cari nama (provinsi 35)", "bench-provinsi", "/ppks/", {"q": "siti rahayu"}),
    # A NIK never travels in a URL: the page's search form POSTs it (stored in the session, then a
    # redirect to ?cari=<token>), the API takes it in the body of POST registrations/search/.
    ("daftar, cari NIK (POST + redirect)", "bench-analyst", "POST /ppks/cari/", {"q": "NIK"}),
    ("API, kabupaten 35.11", "bench-kabupaten", "/api/v1/registrations/", {}),
    ("API, kab + kategori + status", "bench-kabupaten", "/api/v1/registrations/",
     {"category": "FM", "status": "verified"}),
    ("API, cari NIK", "bench-analyst", "POST /api/v1/registrations/search/", {"nik": "NIK"}),
    ("beranda (dasbor)", "bench-kabupaten", "/", {}),
    ("dasbor program, provinsi 35", "bench-provinsi", "/rencana/dasbor/", {}),
    ("pemetaan kerentanan, provinsi 35", "bench-provinsi", "/asesmen/pemetaan/", {}),
    ("halaman desa", "bench-kabupaten", "/wilayah/desa/35.11.01.2001/", {}),
    # The DBS phase is derived per village in SQL (actionplans/lifecycle.py): searching by it, and the
    # pages that show it for one village or count it for a province or a cohort.
    ("cari desa, provinsi 35", "bench-provinsi", "/wilayah/cari/", {"region": "35"}),
    ("cari desa tahap Act, provinsi 35", "bench-provinsi", "/wilayah/cari/", {"region": "35", "stage": "act"}),
    ("API desa tahap Act, provinsi 35", "bench-provinsi", "/api/v1/villages/", {"region": "35", "stage": "act"}),
    ("dasbor program, satu angkatan", "bench-provinsi", "/rencana/dasbor/", {"cohort": "COHORT"}),
    ("hub program desa lokus", "bench-provinsi", "/rencana/desa/VILLAGE/", {}),
)
# Pages whose figures come from cached aggregates (config/caching.py) are also measured cold:
# every cached figure is made stale before each timed request, as after a write.
COLD_LABELS = ("beranda (dasbor)", "dasbor program, provinsi 35", "pemetaan kerentanan, provinsi 35", "halaman desa",
               "dasbor program, satu angkatan")


def users():
    from accounts.models import User

    specs = {
        "bench-analyst": {"role": "kemensos_analyst"},
        "bench-provinsi": {"role": "dinsos_provinsi", "region_code": "35"},
        "bench-kabupaten": {"role": "dinsos_kabupaten", "region_code": "35.11"},
    }
    return {name: User.objects.update_or_create(username=name, defaults=spec)[0] for name, spec in specs.items()}


def _requester(client, path: str, query: dict):
    """A call that performs one scenario: a GET, a POST to the API, or the page's POST search followed
    through its redirect to the list (both requests are timed)."""
    if not path.startswith("POST "):
        return lambda: client.get(path, query)
    path = path.removeprefix("POST ")
    if path.startswith("/api/"):
        return lambda: client.post(path, query, content_type="application/json")
    return lambda: client.post(path, query, follow=True)


def sample_nik_of(people) -> str | None:
    """A NIK to search for, taken among the people who have one (the middle one by id), or None.

    The sample was once the 500,000th person's NIK, which ran past the end of smaller databases
    (IndexError, also with ``--quick``).
    """
    with_nik = people.filter(nik__isnull=False).order_by("pk").values_list("nik", flat=True)
    count = with_nik.count()
    return with_nik[count // 2] if count else None


def run(repeat: int = 20) -> list[dict]:
    setup_django()
    from django.conf import settings
    from django.test import Client

    from config.caching import DOMAINS, aggregates_changed
    from ppks.models import Person

    settings.ALLOWED_HOSTS = ["*"]
    sample_nik = sample_nik_of(Person.objects.all())
    from actionplans.models import ActionPlan
    from villages.models import Cohort

    cohort = Cohort.objects.filter(region_code="35").order_by("-year").values_list("pk", flat=True).first()
    placeholders = {
        "COHORT": str(cohort),
        "VILLAGE": ActionPlan.objects.filter(village__code__startswith="35.").order_by("village__code").values_list(
            "village__code", flat=True).first() or "35.11.01.2001",
    }
    accounts = users()
    results = []
    scenarios = [(*scenario, False) for scenario in SCENARIOS] + [
        ("{}, tanpa cache".format(label), username, path, params, True)
        for label, username, path, params in SCENARIOS if label in COLD_LABELS
    ]
    for label, username, path, params, cold in scenarios:
        if sample_nik is None and "NIK" in params.values():
            continue  # nobody in this database has a NIK to search for
        client = Client()
        client.force_login(accounts[username])
        query = {key: (sample_nik if value == "NIK" else placeholders.get(value, value))
                 for key, value in params.items()}
        request = _requester(client, path.replace("VILLAGE", placeholders["VILLAGE"]), query)
        request()  # warm caches and connections
        timings = []
        for _attempt in range(repeat):
            if cold:
                aggregates_changed(*DOMAINS)
            started = time.perf_counter()
            response = request()
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        timings.sort()
        results.append({"label": label, "p50": statistics.median(timings),
                        "p95": timings[max(int(len(timings) * 0.95) - 1, 0)]})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    results = run(arguments.repeat)
    if arguments.json:
        print(json.dumps(results))
        return
    print("| skenario | p50 ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for row in results:
        print("| {label} | {p50:.1f} | {p95:.1f} |".format(**row))


if __name__ == "__main__":
    main()
