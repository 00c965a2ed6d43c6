"""Errors the API gives are JSON with an Indonesian message, also for addresses no route matches."""

import json

import pytest
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_missing_object_message_is_indonesian_and_names_no_model(api_client, users):
    api_client.force_authenticate(users["regency"])
    for url in ("/api/v1/persons/999999/", "/api/v1/registrations/999999/", "/api/v1/assessments/999999/",
                "/api/v1/action-plans/999999/", "/api/v1/persons/99999999999999999999/"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Data tidak ditemukan."}, url


def test_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/tidak-ada/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Alamat API tidak ditemukan."}
    page = client.get("/halaman-yang-tidak-ada/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_unhandled_api_error_answers_json_500():
    from config.errors import server_error

    request = RequestFactory().get("/api/v1/regions/")
    response = server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Terjadi kesalahan di server. Coba lagi nanti."}


@pytest.mark.parametrize("field", ["category", "village"])
@pytest.mark.parametrize("value", ["LU\x00T", 42, ["LUT"]])
def test_a_code_with_a_nul_character_or_of_the_wrong_type_is_a_400(api_client, users, field, value):
    """Found by schemathesis on PostgreSQL: a NUL in a looked-up code used to end in a 500."""
    api_client.force_authenticate(users["pensosmas"])
    body = {"category": "LUT", "person": {"name": "Uji", "sex": "L", "village": "35.11.01.2001"}}
    if field == "village":
        body["person"]["village"] = value
    else:
        body["category"] = value
    response = api_client.post("/api/v1/registrations/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in (errors["person"] if field == "village" else errors)
