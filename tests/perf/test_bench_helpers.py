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
