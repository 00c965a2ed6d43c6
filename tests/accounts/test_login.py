import pytest
from django.urls import reverse

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_is_in_indonesian(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Masuk ke SI-DBS" in content
    assert "Nama pengguna" in content
    assert "Kata sandi" in content


def test_dashboard_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_then_logout_are_audited(client, users):
    # when
    response = client.post(reverse("accounts:login"), {"username": "bondowoso", "password": "rahasia-uji-123"})
    # then
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert AuditEvent.objects.filter(action="accounts.login", actor=users["regency"]).count() == 1
    # when
    response = client.post(reverse("accounts:logout"))
    # then
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.logout", actor=users["regency"]).count() == 1
    assert client.get("/").status_code == 302


def test_wrong_password_shows_indonesian_error_and_is_audited(client, users):
    response = client.post(reverse("accounts:login"), {"username": "bondowoso", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert event.detail == {"username": "bondowoso"}
    assert event.actor is None


@pytest.mark.parametrize(
    ("user_key", "heading"),
    [
        ("admin", "Beranda Administrator"),
        ("analyst", "Beranda Analis Kemensos"),
        ("province", "Beranda Dinas Sosial Provinsi"),
        ("regency", "Beranda Dinas Sosial Kabupaten/Kota"),
        ("pensosmas", "Beranda Pensosmas"),
        ("no_role", "Akun belum memiliki peran"),
    ],
)
def test_each_role_gets_its_dashboard(client, users, user_key, heading):
    client.force_login(users[user_key])
    response = client.get("/")
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_navigation_depends_on_role(client, users):
    client.force_login(users["admin"])
    admin_menu = [item["url_name"] for item in client.get("/").context["menu"]]
    client.force_login(users["pensosmas"])
    pensosmas_menu = [item["url_name"] for item in client.get("/").context["menu"]]
    assert "api-docs" in admin_menu
    assert "api-docs" not in pensosmas_menu
    assert "villages:browse" in pensosmas_menu


def test_dashboard_counts_follow_scope(client, users):
    client.force_login(users["regency"])
    summary = client.get("/").context["summary"]
    assert summary == {"provinces": 0, "regencies": 1, "districts": 2, "villages": 4}
    client.force_login(users["analyst"])
    assert client.get("/").context["summary"] == {"provinces": 2, "regencies": 3, "districts": 4, "villages": 6}


def test_indonesian_by_default_even_for_english_browsers(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.context["LANGUAGE_CODE"] == "id"
    assert 'lang="id"' in response.content.decode()


def test_language_selector_switches_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert response.context["LANGUAGE_CODE"] == "en"
