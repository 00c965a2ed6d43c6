"""API tokens are a credential as strong as signing in (issue 15, item 8)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import AuditEvent
from tests.accounts.test_mfa import _no_otp_backoff, current_code, enrol, wrong_code  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "rahasia-uji-123"


def ask(api_client, username, password=PASSWORD, **extra):
    return api_client.post(URL, {"username": username, "password": password, **extra}, format="json")


def test_wrong_passwords_lock_the_token_endpoint_like_the_sign_in_page(api_client, users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [ask(api_client, "bondowoso", "salah-salah-123").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure locks, as on the sign-in page
    locked = ask(api_client, "bondowoso")  # now even the right password gets no token
    assert locked.status_code == 429
    assert locked.json()["detail"] == "Terlalu banyak percobaan masuk yang gagal; coba lagi setelah 15 menit."
    assert not Token.objects.filter(user=users["regency"]).exists()


def test_mfa_accounts_must_give_a_code(api_client, users):
    device = enrol(users["admin"])
    missing = ask(api_client, "admin")
    assert missing.status_code == 400
    assert missing.json() == {"otp": ["Kode verifikasi dua langkah salah atau belum diisi."]}
    assert ask(api_client, "admin", otp=wrong_code(device)).status_code == 400
    issued = ask(api_client, "admin", otp=current_code(device))
    assert issued.status_code == 200, issued.json()
    assert issued.json()["token"] == Token.objects.get(user=users["admin"]).key
    assert AuditEvent.objects.filter(action="accounts.api_token.issue", actor=users["admin"]).count() == 1


def test_tokens_expire(api_client, users, settings):
    settings.SIDBS_API_TOKEN_DAYS = 30
    key = ask(api_client, "bondowoso").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION="Token " + key)
    assert api_client.get("/api/v1/regions/").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=31))
    expired = api_client.get("/api/v1/regions/")
    assert expired.status_code in {401, 403}
    assert expired.json()["detail"] == "Token API sudah kedaluwarsa; minta token baru."
    api_client.credentials()
    renewed = ask(api_client, "bondowoso").json()["token"]
    assert renewed != key


def test_changing_the_password_revokes_the_token(api_client, users):
    ask(api_client, "bondowoso")
    user = users["regency"]
    user.set_password("kata-sandi-baru-yang-panjang")
    user.save()
    assert not Token.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="accounts.api_token.revoke", detail__reason="password_changed").exists()


def test_the_token_page_issues_once_and_revokes(client, users):
    client.force_login(users["regency"])
    page = client.post(reverse("accounts:api-token"), {"action": "issue"})
    key = Token.objects.get(user=users["regency"]).key
    assert key in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    again = client.get(reverse("accounts:api-token")).content.decode()
    assert key not in again  # shown once, then masked
    assert key[:4] + "…" + key[-4:] in again
    client.post(reverse("accounts:api-token"), {"action": "revoke"})
    assert not Token.objects.filter(user=users["regency"]).exists()


# Password reset (issue 15, item 9) ---------------------------------------------------------------------------------


def test_password_reset_by_email_is_audited_and_says_the_same_for_unknown_addresses(client, users, settings):
    import re

    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = users["regency"]
    user.email = "dinsos@contoh.go.id"
    user.save()
    known = client.post(reverse("accounts:password-reset"), {"email": "dinsos@contoh.go.id"})
    unknown = client.post(reverse("accounts:password-reset"), {"email": "tidak.ada@contoh.go.id"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    link = re.search(r"https://sidbs\.uji\.go\.id(/akun/kata-sandi/atur/\S+/)", mail.outbox[0].body).group(1)
    ask_api = Token.objects.create(user=user)
    form = client.get(link, follow=True)
    assert "Buat kata sandi baru" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "kalimat-baru-yang-panjang",
                                                   "new_password2": "kalimat-baru-yang-panjang"})
    assert done.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("kalimat-baru-yang-panjang")
    assert not Token.objects.filter(pk=ask_api.pk).exists()  # the new password ended the API token
    actions = list(AuditEvent.objects.filter(action__startswith="accounts.password_reset").values_list(
        "action", flat=True))
    assert sorted(actions) == ["accounts.password_reset.complete", "accounts.password_reset.request"]


def test_password_reset_requests_are_rate_limited(client, settings):
    settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, "password_reset": "2/hour"}
    statuses = [client.post(reverse("accounts:password-reset"), {"email": "x@contoh.go.id"}).status_code
                for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_admin_makes_a_one_time_link_for_users_without_email(client, users):
    from accounts.admin import password_reset_link

    users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "password_reset_links", "_selected_action": [users["pensosmas"].pk]}, follow=True)
    assert "https://sidbs.uji.go.id/akun/kata-sandi/atur/" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.password_reset.admin_link",
                                     object_id=str(users["pensosmas"].pk)).exists()
    assert password_reset_link(users["pensosmas"]).startswith("https://sidbs.uji.go.id/")
