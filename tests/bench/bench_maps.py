"""Benchmark: maps and charts on the benchmark database (1M registrations), with baselines from the same run.

    .venv/bin/python tests/bench/bench_maps.py [--repeat 20] [--json]

Measures, in this process (server-side time through Django's test client):

- loading the bundled boundaries (first run into an empty table, then again unchanged);
- counting the figures per region: in full, and after one registration changed (what a write schedules);
- the national, provincial and kab/kota map pages and the national GeoJSON and chart page, cached
  and cold ("cold": every cached aggregate made stale, the cache emptied and the process's projected
  map paths forgotten before each request),
  next to the national PPKS list page measured the same way as the baseline (the ratio is reported
  because the machine is shared and absolute times move with its load);
- the map page of a national summary report (514 kab/kota with 38 province borders): a letter
  rendered and merged with and without it, so the difference is what the map adds to the report.
"""

import argparse
import json
import statistics
import time

from bench_lists import users
from common import setup_django


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[max(int(len(values) * share) - 1, 0)]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def load_and_refresh() -> dict:
    from django.utils import timezone

    from maps.models import MapDataset, RegionShape
    from maps.services import figures_refresh, shapes_load
    from ppks.models import Registration

    RegionShape.objects.all().delete()
    MapDataset.objects.all().delete()
    first = timed(shapes_load)
    again = timed(shapes_load)
    full = figures_refresh(full=True)
    figures_refresh()  # settle: the changes since the previous refresh (earlier benchmarks wrote many)
    registration = Registration.objects.filter(village__code__startswith="35.11.").order_by("pk").first()
    Registration.objects.filter(pk=registration.pk).update(updated_at=timezone.now())
    one = figures_refresh()
    return {"load_first": first, "load_again": again, "regions": RegionShape.objects.count(),
            "refresh_full": full.seconds, "refresh_full_districts": full.districts,
            "refresh_one": one.seconds, "refresh_one_districts": one.districts,
            "registrations": Registration.objects.count()}


SCENARIOS = (
    # label, user, path, params
    ("daftar PPKS nasional (pembanding)", "bench-analyst", "/ppks/", {}),
    ("peta nasional (38 provinsi)", "bench-analyst", "/peta/", {"region": "", "measure": "registered"}),
    ("peta nasional, rujukan belum dijawab", "bench-analyst", "/peta/", {"region": "", "measure": "referred-open"}),
    ("GeoJSON nasional (API)", "bench-analyst", "/api/v1/maps/", {"region": "", "measure": "registered"}),
    ("peta provinsi 35 (38 kab/kota)", "bench-provinsi", "/peta/", {"region": "35", "measure": "submitted"}),
    ("peta kab/kota 35.11 (kecamatan)", "bench-kabupaten", "/peta/", {"region": "35.11", "measure": "index"}),
    ("peta kecamatan 35.11.01 (titik desa)", "bench-kabupaten", "/peta/", {"region": "35.11.01", "measure": "band"}),
    ("grafik nasional", "bench-analyst", "/peta/grafik/", {"region": ""}),
    ("grafik kab/kota 35.11", "bench-kabupaten", "/peta/grafik/", {"region": "35.11"}),
)


def pages(repeat: int) -> list[dict]:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from config.caching import DOMAINS, aggregates_changed
    from maps import svg

    settings.ALLOWED_HOSTS = ["*"]
    accounts = users()
    results = []
    for label, username, path, params in SCENARIOS:
        client = Client()
        client.force_login(accounts[username])
        assert client.get(path, params).status_code == 200, label
        for cold in (False, True):
            timings = []
            for _attempt in range(repeat):
                if cold:
                    aggregates_changed(*DOMAINS)
                    cache.clear()
                    svg._PATHS.clear()  # as in a freshly started worker process
                started = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (label, response.status_code)
            results.append({"label": label, "cold": cold, "p50": statistics.median(timings),
                            "p95": percentile(timings, 0.95), "bytes": len(response.content)})
    return results


def report_map(repeat: int) -> dict:
    """A national summary's letter merged alone and with the national map page (514 kab/kota)."""
    from django.utils import timezone, translation

    from maps.models import RegionFigures
    from reports import rendering
    from reports.maps import summary_map_pages
    from reports.models import ReportJob

    translation.activate("id")
    analyst = users()["bench-analyst"]
    rows = list(RegionFigures.objects.filter(level=3).values_list("code", "figures"))
    summary = {
        "districts": [(code, code) for code, _figures in rows],
        "by_district": [{"name": code, "cells": [], "total": figures.get("status", {}).get("referred", 0)}
                        for code, figures in rows],
        "rows": [], "total": sum(figures.get("status", {}).get("referred", 0) for _code, figures in rows),
    }
    job = ReportJob(kind=ReportJob.Kind.REFERRAL_SUMMARY, region_code="", requested_by=analyst, summary=summary,
                    parameters={"directorate": "dayasos"})

    qr = rendering.qr_data_uri("https://sidbs.example/reports/verify/bench/")

    def letter() -> bytes:
        return rendering.render_pdf("reports/pdf/letter.html", {
            "title": "Rekap", "office": {"government": "KEMENTERIAN SOSIAL", "office": "", "region": "Indonesia"},
            "letter_number": "REKAP/BENCH", "generated_at": timezone.localtime(), "subject": "Rekap",
            "addressee": "Direktur", "opening": "Rekap nasional.", "summary": {"rows": [], "by_district": [],
                                                                            "districts": [], "total": 0},
            "full_nik": False, "signer_title": "Kepala", "signer_name": "Bench", "qr": qr, "verify_url": "",
            "document_id": "bench"})

    letter()
    summary_map_pages(job)  # warm WeasyPrint and the queries
    without, with_map, map_only = [], [], []
    for _attempt in range(repeat):
        without.append(timed(lambda: rendering.merge_with_footer([letter()], footer_left="bench")))
        with_map.append(timed(lambda: rendering.merge_with_footer([letter(), *summary_map_pages(job)],
                                                                   footer_left="bench")))
        map_only.append(timed(lambda: summary_map_pages(job)))
    return {"without": statistics.median(without), "with": statistics.median(with_map),
            "added": statistics.median(with_map) - statistics.median(without),
            "map_page": statistics.median(map_only), "map_page_max": max(map_only)}


def drop_scheduled_refreshes() -> None:
    """Writes of earlier benchmarks scheduled map refreshes on the broker; the figures were just refreshed
    here, so they are dropped rather than left to run inside the next benchmark's Celery worker."""
    from django.conf import settings

    if settings.REDIS_URL:
        from config.celery import app

        app.control.purge()


def run(repeat: int = 20) -> dict:
    setup_django()
    result = {"data": load_and_refresh(), "pages": pages(repeat), "report": report_map(max(3, repeat // 4))}
    drop_scheduled_refreshes()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    results = run(arguments.repeat)
    if arguments.json:
        print(json.dumps(results))
        return
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
