import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client, users):
    client.force_login(users["analyst"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/villages/" in paths
    assert "/api/v1/regions/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_token_authentication(api_client, users):
    response = api_client.post("/api/v1/auth/token/", {"username": "analis", "password": "rahasia-uji-123"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    assert api_client.get("/api/v1/regions/").status_code == 200


def test_api_refuses_anonymous_callers(api_client, regions):
    assert api_client.get("/api/v1/regions/").status_code in {401, 403}
    assert api_client.get("/api/v1/villages/").status_code in {401, 403}
