"""Who sees what on a map: figures only for regions inside the user's area, on the page, the API and the CSV."""

import json

import pytest
from django.urls import reverse

from ppks.models import Registration

pytestmark = pytest.mark.django_db


def geojson(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("api:map"), params)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def features(data, kind="area"):
    return [feature["properties"] for feature in data["features"] if feature["properties"]["kind"] == kind]


def test_a_kabupaten_user_sees_only_their_kabupaten_coloured(client, map_data):
    data = geojson(client, map_data["regency"], region="35", measure="submitted")
    inside = [feature for feature in features(data) if feature["in_scope"]]
    assert [feature["code"] for feature in inside] == ["35.11"]
    assert inside[0]["value"] == Registration.objects.filter(village__code__startswith="35.11.",
                                                             status="submitted").count() == 5
    outside = [feature for feature in features(data) if not feature["in_scope"]]
    assert len(outside) == 37  # every other kab/kota of Jawa Timur, drawn but anonymous
    assert all(set(feature) == {"kind", "in_scope"} for feature in outside)
    assert data["total"] is None
    assert data["total_text"] == ""
    assert "SITUBONDO" not in json.dumps(data).upper()


def test_the_national_analyst_sees_every_region_with_its_figure(client, map_data):
    data = geojson(client, map_data["analyst"], region="35", measure="submitted")
    values = {feature["code"]: feature["value"] for feature in features(data) if feature["in_scope"]}
    assert values == {"35.11": 5, "35.12": 2}
    assert data["total"] == 7


def test_the_map_page_hides_names_and_figures_outside_the_area(client, map_data):
    client.force_login(map_data["regency"])
    page = client.get(reverse("maps:map"), {"region": "35", "measure": "submitted"}).content.decode()
    assert "KAB. BONDOWOSO" in page
    assert "SITUBONDO" not in page.upper()
    assert page.count('class="map-area outside"') == 37
    assert page.count('class="map-area" data-code="35.11"') == 1


def test_a_pensosmas_sees_only_their_village_point(client, map_data):
    data = geojson(client, map_data["pensosmas"], region="35.11.01", measure="submitted")
    points = features(data, "point")
    inside = [point for point in points if point["in_scope"]]
    assert [point["code"] for point in inside] == ["35.11.01.2001"]
    assert inside[0]["text"] == "3"
    assert inside[0]["url"] == reverse("villages:village-detail", kwargs={"code": "35.11.01.2001"})
    assert "Pujer" not in json.dumps(data)
    assert data["total"] is None


@pytest.mark.parametrize(("role", "region", "status"), [
    ("regency", "35.12", 404),   # a sibling kab/kota: not even the shape list
    ("regency", "33", 404),      # another province
    ("regency", "35", 200),      # the province above: grey context
    ("regency", "", 200),
    ("pensosmas", "35.11.02", 404),
    ("province", "35.12.01", 200),
    ("no_role", "35", 404),
])
def test_regions_outside_what_a_user_may_browse_are_not_found(client, map_data, role, region, status):
    client.force_login(map_data[role])
    assert client.get(reverse("maps:map"), {"region": region}).status_code == status
    assert client.get(reverse("api:map"), {"region": region}).status_code == status


def test_the_csv_lists_only_regions_inside_the_area(client, map_data):
    client.force_login(map_data["regency"])
    response = client.get(reverse("maps:map-csv"), {"region": "35", "measure": "submitted"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[1:] == ["35.11,KAB. BONDOWOSO,5"]


def test_charts_show_only_for_the_users_own_region(client, map_data):
    client.force_login(map_data["regency"])
    own = client.get(reverse("maps:charts"), {"region": "35.11"})
    above = client.get(reverse("maps:charts"), {"region": "35"})
    assert "status-bulanan" in own.content.decode()
    assert "Grafik hanya tersedia untuk wilayah kerja Anda" in above.content.decode()
    assert 'id="status-bulanan"' not in above.content.decode()
    above_api = client.get(reverse("api:map-chart"), {"chart": "kategori", "region": "35"}).json()
    assert above_api["covers"] is False
    assert above_api["rows"] == []
    assert client.get(reverse("api:map-chart"), {"chart": "tidak-ada", "region": "35.11"}).status_code == 400
    assert client.get(reverse("maps:chart-csv", kwargs={"chart": "kategori"}), {"region": "35"}).status_code == 404
