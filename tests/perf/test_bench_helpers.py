"""The benchmark scripts' own helpers (tests/bench is not collected: these run them on the test database)."""

import sys
from pathlib import Path

import pytest

from ppks.models import Person
from tests.ppks.factories import register

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_lists
import bench_load

pytestmark = pytest.mark.django_db


def test_sample_nik_on_small_databases(users):
    """bench_lists picked the 500,000th person's NIK and crashed (IndexError) on smaller databases."""
    assert bench_lists.sample_nik_of(Person.objects.all()) is None
    register(users["regency"], nik=None, nik_status="belum_punya", name="Tanpa NIK")
    assert bench_lists.sample_nik_of(Person.objects.all()) is None
    register(users["regency"], nik="3511011505900007", name="Dengan NIK", category="AT")
    assert bench_lists.sample_nik_of(Person.objects.all()) == "3511011505900007"


def test_percentiles_of_the_load_client():
    timings = [float(value) for value in range(1, 101)]
    assert (bench_load.percentile(timings, 0.5), bench_load.percentile(timings, 0.95),
            bench_load.percentile(timings, 0.99)) == (50.0, 95.0, 99.0)
    assert bench_load.percentile([7.0], 0.99) == 7.0


def test_bench_table_shows_each_list_beside_its_roles_fixed_page_cost():
    """The ≤ 2× SQL goal row also shows the page's time above its role's layout baseline, over its SQL."""
    import run

    def page(label, p50, sql):
        return {"label": label, "role": "kabupaten", "p50": p50, "p95": p50 + 2, "sql": sql, "ratio": p50 / sql,
                "queries": 7, "plan": None}

    rows = run.load_rows({"pages": [page(bench_load.PAGE_BASELINE, 16.0, 1.0), page(bench_load.API_BASELINE, 7.0, 0.5),
                                    page("daftar PPKS", 24.0, 4.0), page("API registrasi", 11.0, 2.0)],
                          "load": []}, 1000)
    by_name = {name.split(",")[0]: (ratio, target, passed) for name, _figure, ratio, target, passed in rows}
    assert by_name["tata letak saja: ubah kata sandi (pembanding)"] == ("16.0× SQL", "(pembanding)", True)
    assert by_name["daftar PPKS"] == ("6.0× SQL · tanpa biaya tetap 15 ms: 2.2×", "p95 < 100 ms; ≤ 2× SQL", False)
    assert by_name["API registrasi"][0] == "5.5× SQL · tanpa biaya tetap 6 ms: 2.2×"
