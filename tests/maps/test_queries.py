"""The map and chart pages cost a fixed number of queries, however many regions, villages or registrations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maps.services import figures_refresh
from tests.conftest import REGION_LINES
from tests.maps.conftest import put
from villages.services import regions_import

pytestmark = pytest.mark.django_db

PAGES = (
    ("maps:map", {"region": "", "measure": "registered"}),
    ("maps:map", {"region": "35.11", "measure": "per-1000"}),
    ("maps:map", {"region": "35.11.01", "measure": "category-FM"}),
    ("maps:charts", {"region": "35.11"}),
    ("maps:charts", {"region": "35.11.01"}),
    ("api:map", {"region": "35.11.01", "measure": "band"}),
)


def counts(client) -> list[int]:
    result = []
    for name, params in PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name), params).status_code == 200
        result.append(len(captured))
    return result


def test_query_counts_do_not_grow_with_the_data(client, map_data):
    client.force_login(map_data["analyst"])
    before = counts(client)
    regions_import(lines=REGION_LINES + ["35.11.01.{},Desa Tambahan {}".format(2100 + number, number)
                                         for number in range(20)])
    for number in range(10):
        put(map_data, "35.11.01.{}".format(2100 + number), "submitted", "FM")
        put(map_data, "35.11.02.2001", "verified", "AT")
    figures_refresh(full=True)
    assert counts(client) == before
