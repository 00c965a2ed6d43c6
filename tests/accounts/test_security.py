"""Login throttling and security headers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_username_from_that_address(client, users):
    url = reverse("accounts:login")
    for _attempt in range(5):
        client.post(url, {"username": "bondowoso", "password": "salah"})
    locked = client.post(url, {"username": "bondowoso", "password": "rahasia-uji-123"})
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.content.decode()
    other_user = client.post(url, {"username": "situbondo", "password": "rahasia-uji-123"})
    assert other_user.status_code == 302


def test_security_headers_and_no_inline_scripts(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    content = response.content.decode()
    assert "onchange=" not in content
    assert "<script>" not in content


def test_session_cookie_is_http_only_and_expires(client, users, settings):
    client.post(reverse("accounts:login"), {"username": "bondowoso", "password": "rahasia-uji-123"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_api_answers_are_not_kept_by_browsers_or_proxies(api_client, users):
    """Issue 15, item 12: people's data in API JSON is never cached (the map's figures set their own policy)."""
    api_client.force_authenticate(users["regency"])
    assert api_client.get("/api/v1/registrations/")["Cache-Control"] == "no-store"
    assert api_client.get("/api/v1/persons/")["Cache-Control"] == "no-store"
    refused = api_client.get("/api/v1/registrations/999999/")
    assert refused.status_code == 404
    assert refused["Cache-Control"] == "no-store"
