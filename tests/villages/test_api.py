import pytest

pytestmark = pytest.mark.django_db


def test_regions_by_parent(api_client, users):
    api_client.force_authenticate(users["analyst"])
    provinces = api_client.get("/api/v1/regions/").json()
    assert [(row["code"], row["level"], row["village_count"]) for row in provinces] == [
        ("33", "provinsi", 1), ("35", "provinsi", 5)
    ]
    districts = api_client.get("/api/v1/regions/", {"parent": "35.11"}).json()
    assert [row["code"] for row in districts] == ["35.11.01", "35.11.02"]


def test_regions_with_a_bad_parent_get_an_indonesian_error(api_client, users):
    api_client.force_authenticate(users["analyst"])
    response = api_client.get("/api/v1/regions/", {"parent": "35.11.01.2001"})
    assert response.status_code == 400
    assert response.json() == {"parent": ["Kode induk harus provinsi, kab/kota atau kecamatan."]}


def test_village_search_is_scoped_and_cursor_paginated(api_client, users):
    api_client.force_authenticate(users["regency"])
    body = api_client.get("/api/v1/villages/", {"q": "a"}).json()
    assert set(body) == {"next", "previous", "results"}
    assert [row["code"] for row in body["results"]] == ["35.11.01.2002", "35.11.02.1001", "35.11.02.2001"]
    first_page = api_client.get("/api/v1/villages/", {"region": "35.11"}).json()
    assert len(first_page["results"]) == 4
    assert first_page["next"] is None


def test_village_detail_and_out_of_scope(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    detail = api_client.get("/api/v1/villages/35.11.01.2001/")
    assert detail.status_code == 200
    assert detail.json()["province"] == "JAWA TIMUR"
    assert detail.json()["kind"] == "desa"
    assert api_client.get("/api/v1/villages/35.11.01.2002/").status_code == 404
