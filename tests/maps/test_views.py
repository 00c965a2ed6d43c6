"""Map pages, legend, measures, CSV and the chart figures, against counts taken from the database."""

import json

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from maps.analysis import response_figures
from maps.measures import measures
from ppks.models import Registration

pytestmark = pytest.mark.django_db


def test_legend_classes_cover_the_database_counts(client, map_data):
    client.force_login(map_data["analyst"])
    data = json.loads(client.get(reverse("api:map"), {"region": "35.11", "measure": "submitted"}).content)
    values = {feature["properties"]["code"]: feature["properties"]["value"] for feature in data["features"]
              if feature["properties"]["in_scope"]}
    for code, value in values.items():
        assert value == Registration.objects.filter(village__code__startswith=code + ".", status="submitted").count()
    assert values == {"35.11.01": 5, "35.11.02": 0}
    assert [item["label"] for item in data["legend"]] == ["0", "1–5"]
    assert [item["count"] for item in data["legend"]] == [1, 1]
    colours = {feature["properties"]["code"]: feature["properties"]["colour"] for feature in data["features"]
               if feature["properties"]["in_scope"]}
    assert colours["35.11.01"] == data["legend"][1]["colour"]
    assert colours["35.11.02"] == data["legend"][0]["colour"]


def test_the_national_page_shows_provinces_legend_total_and_a_table(client, map_data):
    client.force_login(map_data["analyst"])
    response = client.get(reverse("maps:map"), {"region": "", "measure": "registered"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="map-area" data-code=') == 2  # Jawa Timur and Jawa Tengah have shapes and names
    assert "<strong>12</strong>" in page  # Indonesia: twelve recorded registrations
    assert "cahyadsn/wilayah_boundaries" in page  # the source credit in the footer
    assert reverse("api:map") + "?region=&amp;measure=registered" in page
    assert 'href="/peta/?region=35&amp;measure=registered"' in page  # drill down from the SVG


def test_every_measure_draws(client, map_data):
    client.force_login(map_data["analyst"])
    for measure in measures():
        response = client.get(reverse("maps:map"), {"region": "35.11", "measure": measure.key})
        assert response.status_code == 200, measure.key


def test_unknown_measures_fall_back_on_the_page_and_are_refused_by_the_api(client, map_data):
    client.force_login(map_data["analyst"])
    page = client.get(reverse("maps:map"), {"region": "35", "measure": "tidak-ada"}).content.decode()
    assert "Ukuran yang diminta tidak dikenal" in page
    response = client.get(reverse("api:map"), {"region": "35", "measure": "tidak-ada"})
    assert response.status_code == 400
    assert "measure" in response.json()
    assert client.get(reverse("api:map"), {"region": "35.11.01.2001"}).status_code == 400
    assert client.get(reverse("api:map"), {"region": "99"}).status_code == 404


def test_kecamatan_map_shows_village_points_coloured_by_band(client, map_data):
    client.force_login(map_data["analyst"])
    data = json.loads(client.get(reverse("api:map"), {"region": "35.11.01", "measure": "band"}).content)
    points = {feature["properties"]["code"]: feature["properties"] for feature in data["features"]
              if feature["properties"]["kind"] == "point"}
    assert set(points) == {"35.11.01.2001", "35.11.01.2002"}
    assert points["35.11.01.2001"]["band"] == "rendah"
    assert points["35.11.01.2002"]["band"] == ""
    assert points["35.11.01.2001"]["url"] == "/wilayah/desa/35.11.01.2001/"
    assert [item["count"] for item in data["point_legend"]] == [1, 0, 0, 1]


def test_per_thousand_is_empty_without_population_and_computed_with_it(client, map_data):
    from maps.models import RegionPopulation

    client.force_login(map_data["analyst"])
    RegionPopulation.objects.create(code="35.11", population=800_000, year=2024, source="uji")
    data = json.loads(client.get(reverse("api:map"), {"region": "35", "measure": "per-1000"}).content)
    values = {feature["properties"]["code"]: feature["properties"]["value"] for feature in data["features"]
              if feature["properties"]["in_scope"]}
    assert values["35.12"] is None
    assert values["35.11"] == pytest.approx(9 * 1000 / 800_000, abs=1e-4)  # nine people recorded in Bondowoso


def test_the_map_csv_matches_the_map_and_is_audited(client, map_data):
    client.force_login(map_data["analyst"])
    response = client.get(reverse("maps:map-csv"), {"region": "35", "measure": "category-FM"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines == ["Kode wilayah,Nama wilayah,Fakir Miskin (FM)", "35.11,KAB. BONDOWOSO,6", "35.12,KAB. SITUBONDO,2",
                     "35,JAWA TIMUR,8"]
    assert AuditEvent.objects.filter(action="maps.export", actor=map_data["analyst"]).count() == 1


def test_measures_api_lists_the_picker(client, map_data):
    client.force_login(map_data["analyst"])
    keys = [item["key"] for item in client.get(reverse("api:map-measures")).json()]
    assert keys[:4] == ["registered", "submitted", "verified", "referred-open"]
    assert "category-FM" in keys
    assert "directorate-rehsos" in keys
    assert "per-1000" in keys


def test_chart_figures_come_with_a_table_and_csv(client, map_data):
    client.force_login(map_data["analyst"])
    page = client.get(reverse("maps:charts"), {"region": "35.11"}).content.decode()
    for key in ("status-bulanan", "direktorat-bulanan", "waktu-tanggap", "kategori", "distribusi-indeks",
                "angkatan"):
        assert 'id="{}"'.format(key) in page
    data = client.get(reverse("api:map-chart"), {"chart": "kategori", "region": "35.11"}).json()
    assert data["columns"][:2] == ["Kategori", "Jumlah"]
    assert data["rows"][0] == ["Fakir Miskin (FM)", 6, 5, 1]
    csv_lines = client.get(reverse("maps:chart-csv", kwargs={"chart": "kategori"}),
                           {"region": "35.11"}).content.decode("utf-8-sig").splitlines()
    assert csv_lines[1] == "Fakir Miskin (FM),6,5,1"
    status = client.get(reverse("api:map-chart"), {"chart": "status-bulanan", "region": ""}).json()
    assert sum(row[1] for row in status["rows"]) == Registration.objects.filter(submitted_at__isnull=False).count()


def test_kecamatan_charts_are_counted_live(client, map_data):
    client.force_login(map_data["analyst"])
    data = client.get(reverse("api:map-chart"), {"chart": "status-bulanan", "region": "35.11.01"}).json()
    assert sum(row[1] for row in data["rows"]) == 7  # the submitted registrations of Maesan
    response = client.get(reverse("api:map-chart"), {"chart": "waktu-tanggap", "region": "35.11"}).json()
    by_name = {row[0]: row for row in response["rows"]}
    assert by_name["Grujugan"][1] == 1
    assert by_name["Maesan"][4] == 1


def test_response_figures_median_and_share():
    figures = {"answer_days": {"2": 1, "10": 2, "30": 1}, "unanswered": {"total": 3, "overdue": 1}}
    result = response_figures(figures, 14)
    assert result == {"answered": 4, "median": 10, "within": 3, "share": 60.0, "open": 3, "overdue": 1}
    assert response_figures({}, 14)["median"] is None


def test_a_configured_tile_server_is_the_only_image_source_added(settings, rf):
    from django.http import HttpResponse

    from config.middleware import SecurityHeadersMiddleware, tile_source

    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_source("javascript:alert(1)") == ""
    assert tile_source("") == ""
    settings.SIDBS_MAP_TILE_URL = "https://tiles.example.go.id/{z}/{x}/{y}.png"
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse())
    policy = middleware(rf.get("/peta/"))["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.go.id;" in policy
    assert "script-src 'self';" in policy
