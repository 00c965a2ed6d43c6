"""Indonesian 400/403/404/500 and CSRF pages in the site layout, each with a way back (issue 16)."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory

from config import errors

pytestmark = pytest.mark.django_db


def test_missing_page_is_indonesian_in_the_layout_with_a_way_back(client, users):
    client.force_login(users["regency"])
    response = client.get("/tidak-ada/", HTTP_REFERER="http://testserver/ppks/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in body
    assert "Not Found" not in body
    assert 'class="mainnav"' in body
    assert "Kembali ke halaman sebelumnya" in body
    assert 'href="http://testserver/ppks/"' in body


def test_a_referer_from_another_site_is_not_offered_as_the_way_back(client, users):
    client.force_login(users["regency"])
    body = client.get("/tidak-ada/", HTTP_REFERER="https://contoh.example/").content.decode()
    assert "contoh.example" not in body
    assert "Ke beranda" in body


def test_permission_denied_raised_by_a_service_shows_its_message(client, users, settings):
    settings.ROOT_URLCONF = "tests.config.urls_failing"
    client.force_login(users["regency"])
    response = client.get("/uji-terlarang/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Wilayah 33 di luar wilayah kerja Anda." in body
    assert "Anda tidak memiliki akses" in body


def test_bad_request_page(client, settings):
    settings.ROOT_URLCONF = "tests.config.urls_failing"
    response = client.get("/uji-400/")
    assert response.status_code == 400
    assert "Permintaan tidak valid" in response.content.decode()
    api = errors.bad_request(RequestFactory().get("/api/v1/x/"), SuspiciousOperation())
    assert api.status_code == 400
    assert api["Content-Type"] == "application/json"


def test_csrf_failure_is_an_indonesian_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/akun/masuk/", {"username": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Formulir tidak dapat dikirim" in body
    assert "CSRF" not in body
    assert "Ke beranda" in body


def test_server_error_page_in_the_layout(client, users, settings):
    settings.ROOT_URLCONF = "tests.config.urls_failing"
    client.raise_request_exception = False
    client.force_login(users["regency"])
    response = client.get("/uji-gagal/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in body
    assert "Server Error" not in body
    assert "3511015203850003" not in body
    assert "SI-DBS" in body
    assert "Ke beranda" in body


def test_server_error_page_renders_without_the_database(django_db_blocker):
    """The 500 page must show while the database is what failed: no query, no session, no user."""
    request = RequestFactory().get("/ppks/")
    with django_db_blocker.block():
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()


def test_server_error_page_falls_back_to_plain_html(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template rusak")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/ppks/"))
    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()
