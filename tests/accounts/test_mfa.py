"""Two-step sign-in: enrolment, the code step after the password, backup codes, axes, API tokens."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


@pytest.fixture(autouse=True)
def _no_otp_backoff(settings):
    """django-otp delays a device after a wrong code; the tests enter codes back to back."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return "{:06d}".format(totp.token())


def wrong_code(device: TOTPDevice) -> str:
    return "{:06d}".format((int(current_code(device)) + 500_000) % 1_000_000)


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator and two backup codes, as after the set-up page."""
    device = TOTPDevice.objects.create(user=user, name="SI-DBS", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Kode cadangan", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.create(device=static, token="efgh6789")
    return device


def sign_in(client, username: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_setup_shows_a_server_drawn_qr_code_and_confirms_with_a_first_code(client, users):
    admin = users["admin"]
    client.force_login(admin)
    page = client.get(reverse("accounts:mfa-setup"))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content
    assert "Aktifkan verifikasi dua langkah" in content
    pending = TOTPDevice.objects.get(user=admin)
    assert not pending.confirmed
    # a wrong first code changes nothing
    response = client.post(reverse("accounts:mfa-setup"), {"action": "confirm", "code": wrong_code(pending)})
    assert "Kode tidak cocok" in response.content.decode()
    pending.refresh_from_db()
    assert not pending.confirmed
    # the right one turns it on and shows the backup codes once
    response = client.post(reverse("accounts:mfa-setup"), {"action": "confirm", "code": current_code(pending)})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    pending.refresh_from_db()
    assert pending.confirmed
    assert StaticToken.objects.filter(device__user=admin).count() == 10
    assert AuditEvent.objects.filter(action="accounts.mfa.enable", actor=admin).count() == 1
    # afterwards the page shows the status, not the codes again
    status = client.get(reverse("accounts:mfa-setup")).content.decode()
    assert "Tersisa 10 kode cadangan" in status
    assert codes[0] not in status


def test_only_admins_and_dinsos_heads_may_enrol(client, users):
    head = make_user("kadinsos", "dinsos_kabupaten", "35.11", is_head=True)
    for user, status in ((users["pensosmas"], 403), (users["regency"], 403), (head, 200), (users["admin"], 200)):
        client.force_login(user)
        assert client.get(reverse("accounts:mfa-setup")).status_code == status, user.username


def test_users_without_a_device_sign_in_with_the_password_only(client, users):
    response = sign_in(client, "bondowoso")
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get("/").status_code == 200


def test_a_user_with_a_device_must_enter_a_code_after_the_password(client, users):
    device = enrol(users["admin"])
    response = client.post(reverse("accounts:login") + "?next=/ppks/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa-verify"))
    # half signed in: every page and the session API lead to the code step
    diverted = client.get("/ppks/")
    assert diverted.status_code == 302
    assert diverted.url.startswith(reverse("accounts:mfa-verify"))
    api = client.get("/api/v1/registrations/")
    assert api.status_code == 403
    assert "verifikasi dua langkah" in api.json()["detail"]
    page = client.get(response.url)
    assert "Verifikasi dua langkah" in page.content.decode()
    # a wrong code is refused, the right one lets the user through to where they were going
    refused = client.post(response.url, {"code": wrong_code(device)})
    assert "Kode salah atau sudah dipakai" in refused.content.decode()
    accepted = client.post(response.url, {"code": current_code(device)})
    assert accepted.status_code == 302
    assert accepted.url == "/ppks/"
    assert client.get("/ppks/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.mfa.verified", detail__method="totp").count() == 1
    failure = AuditEvent.objects.get(action="accounts.login_failed")
    assert failure.detail == {"username": "admin", "step": "mfa"}


def test_a_backup_code_works_once(client, users):
    enrol(users["admin"])
    sign_in(client, "admin")
    verify = reverse("accounts:mfa-verify")
    assert client.post(verify, {"code": "ABCD 2345"}).status_code == 302
    assert client.get("/").status_code == 200
    assert not StaticToken.objects.filter(token="abcd2345").exists()
    client.post(reverse("accounts:logout"))
    sign_in(client, "admin")
    response = client.post(verify, {"code": "abcd2345"})
    assert response.status_code == 200
    assert "Kode salah atau sudah dipakai" in response.content.decode()


def test_wrong_codes_are_throttled_by_axes(client, users):
    device = enrol(users["admin"])
    sign_in(client, "admin")
    verify = reverse("accounts:mfa-verify")
    statuses = [client.post(verify, {"code": wrong_code(device)}).status_code for _attempt in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    # the session is gone, and the password alone no longer opens it from this address
    assert client.get("/").status_code == 302
    locked = sign_in(client, "admin")
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.content.decode()


def test_api_tokens_are_not_asked_for_a_code(api_client, users):
    enrol(users["admin"])
    token = Token.objects.create(user=users["admin"])
    api_client.credentials(HTTP_AUTHORIZATION="Token " + token.key)
    assert api_client.get("/api/v1/registrations/").status_code == 200


def test_admins_must_enrol_when_the_setting_is_on(client, users, settings):
    settings.SIDBS_MFA_REQUIRED_FOR_ADMINS = True
    client.force_login(users["admin"])
    response = client.get("/ppks/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa-setup"))
    page = client.get(reverse("accounts:mfa-setup"))
    assert "Administrator wajib memakai verifikasi dua langkah" in page.content.decode()
    assert client.get("/api/v1/registrations/").status_code == 403
    # other roles are not forced
    client.force_login(users["regency"])
    assert client.get("/ppks/").status_code == 200


def test_turning_mfa_off_needs_the_password(client, users):
    admin = users["admin"]
    device = enrol(admin)
    sign_in(client, "admin")
    client.post(reverse("accounts:mfa-verify"), {"code": current_code(device)})
    url = reverse("accounts:mfa-setup")
    wrong = client.post(url, {"action": "disable", "password": "bukan-sandinya"})
    assert "Kata sandi salah." in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
    right = client.post(url, {"action": "disable", "password": PASSWORD})
    assert right.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert not StaticDevice.objects.filter(user=admin).exists()
    assert AuditEvent.objects.filter(action="accounts.mfa.disable", actor=admin).count() == 1
    # the next sign-in is password only again
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "admin").url == reverse("dashboard")


def test_new_backup_codes_replace_the_old_ones(client, users):
    device = enrol(users["admin"])
    sign_in(client, "admin")
    client.post(reverse("accounts:mfa-verify"), {"code": current_code(device)})
    response = client.post(reverse("accounts:mfa-setup"), {"action": "codes", "password": PASSWORD})
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert not StaticToken.objects.filter(token="abcd2345").exists()
