"""Session lifetime, key rotation at sign-in, password change and the password policy."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


def signed_in(username: str = "bondowoso") -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def shift_session(client: Client, **ages_in_seconds) -> None:
    """Pretend the session started / was last used this many seconds ago."""
    session = client.session
    now = int(time.time())
    if "started" in ages_in_seconds:
        session[SESSION_STARTED_KEY] = now - ages_in_seconds["started"]
    if "seen" in ages_in_seconds:
        session[SESSION_SEEN_KEY] = now - ages_in_seconds["seen"]
    session.save()


def test_an_idle_session_ends_with_a_message(users, settings):
    settings.SIDBS_SESSION_IDLE_MINUTES = 30
    client = signed_in()
    old_key = client.session.session_key
    shift_session(client, seen=31 * 60)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Sesi berakhir karena tidak ada aktivitas selama 30 menit" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert not client.session.exists(old_key)
    event = AuditEvent.objects.get(action="accounts.session_expired")
    assert (event.actor, event.detail) == (users["regency"], {"reason": "idle"})


def test_an_active_session_goes_on(users):
    client = signed_in()
    shift_session(client, seen=10 * 60)
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session[SESSION_SEEN_KEY] < 5  # the activity clock moved on


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(users, settings):
    settings.SIDBS_SESSION_MAX_HOURS = 8
    client = signed_in()
    shift_session(client, started=8 * 3600 + 60, seen=30)
    response = client.get("/", follow=True)
    assert "Sesi berakhir karena sudah 8 jam sejak Anda masuk" in response.content.decode()
    assert AuditEvent.objects.get(action="accounts.session_expired").detail == {"reason": "lifetime"}


def test_idle_limit_and_lifetime_default_to_short_values():
    assert settings.SIDBS_SESSION_IDLE_MINUTES <= 30
    assert settings.SIDBS_SESSION_MAX_HOURS <= 12
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_the_session_key_changes_at_sign_in(client, users):
    session = client.session
    session["sebelum_masuk"] = True
    session.save()
    before = session.session_key
    client.post(reverse("accounts:login"), {"username": "bondowoso", "password": PASSWORD})
    assert client.session.session_key != before
    assert not client.session.exists(before)


def test_changing_the_password_ends_the_other_sessions(users):
    laptop, phone = signed_in(), signed_in()
    page = laptop.get(reverse("accounts:password-change"))
    content = page.content.decode()
    assert "Ganti kata sandi" in content
    assert "Kata sandi lama" in content
    response = laptop.post(reverse("accounts:password-change"), {
        "old_password": PASSWORD, "new_password1": "sapi perah di lereng ijen", "new_password2":
        "sapi perah di lereng ijen",
    })
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # this session stays signed in
    other = phone.get("/")
    assert other.status_code == 302
    assert other.url.startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(action="accounts.password_change", actor=users["regency"]).count() == 1
    users["regency"].refresh_from_db()
    assert users["regency"].check_password("sapi perah di lereng ijen")


@pytest.mark.parametrize(
    ("new_password", "expected"),
    [
        ("pendek123", "terlalu pendek"),
        ("123456789012345", "seluruhnya terdiri dari angka"),
        ("password1234", "terlalu umum"),
        ("bondowoso-1", "terlalu pendek"),
    ],
)
def test_weak_passwords_are_refused_in_indonesian(users, new_password, expected):
    client = signed_in()
    response = client.post(reverse("accounts:password-change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert expected in errors.lower()
    users["regency"].refresh_from_db()
    assert users["regency"].check_password(PASSWORD)


def test_a_wrong_old_password_is_refused(users):
    client = signed_in()
    response = client.post(reverse("accounts:password-change"), {
        "old_password": "salah", "new_password1": "sapi perah di lereng ijen",
        "new_password2": "sapi perah di lereng ijen",
    })
    assert response.context["form"].errors["old_password"] == ["Kata sandi lama salah. Periksa kembali."]


def test_password_policy_settings():
    validators = {validator["NAME"].rsplit(".", 1)[1]: validator for validator in settings.AUTH_PASSWORD_VALIDATORS}
    assert set(validators) == {"UserAttributeSimilarityValidator", "MinimumLengthValidator",
                               "CommonPasswordValidator", "NumericPasswordValidator"}
    assert 10 <= validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] <= 12


def test_a_deactivated_user_loses_the_session(users):
    client = signed_in()
    users["regency"].is_active = False
    users["regency"].save()
    assert client.get("/").status_code == 302
