"""API tokens as a credential as strong as signing in (issue 15, item 8).

- A token is requested with the password *and*, for a user with two-step sign-in, a current code
  (TOTP or backup); wrong passwords and codes count for django-axes exactly like the sign-in page,
  and a locked username at that address gets no token.
- Tokens expire ``SIDBS_API_TOKEN_DAYS`` (30) days after they were issued
  (``ExpiringTokenAuthentication``) and are revoked whenever the password changes (``User.save``).
- ``/akun/token/`` lists the user's token (masked), issues a new one from a signed-in, verified
  session, and revokes it; every issue and revocation is an audit event.
"""

import datetime

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts import mfa
from accounts.services import audit_record


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.SIDBS_API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than ``SIDBS_API_TOKEN_DAYS``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token API sudah kedaluwarsa; minta token baru."))
        return user, token


def _otp_valid(user, code: str) -> bool:
    code = "".join(str(code or "").split()).lower()
    if not code:
        return False
    if code.isdigit():
        device = mfa.totp_device(user)
        return device is not None and django_otp.verify_token(user, device.persistent_id, code) is not None
    return any(django_otp.verify_token(user, static.persistent_id, code) is not None
               for static in StaticDevice.objects.filter(user=user, confirmed=True))


class TokenRefused(Exception):
    """A token request that fails: ``status`` (400 or 403) and the JSON ``body`` to answer with.

    The view answers it itself rather than through DRF's exception handler, which would roll back
    the transaction that holds django-axes' record of the failed attempt.
    """

    def __init__(self, status: int, body: dict):
        super().__init__(status, body)
        self.status, self.body = status, body


def token_request(*, request, username: str, password: str, otp: str = "") -> Token:
    """Issue (or return the still-valid) token of a user who proves the password and, with MFA, a code.

    ``request`` is Django's request (axes reads the address from it). Raises ``TokenRefused`` with an
    Indonesian message: 429 when the username is locked at this address (as django-axes answers the
    request whose failure locks it), 403 for an administrator who must first enrol MFA, 400 otherwise.
    """
    credentials = {"username": username}
    if AxesProxyHandler.is_locked(request, credentials):
        raise TokenRefused(429, {"detail": lockout_message()})
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise TokenRefused(400, {"non_field_errors": [_("Nama pengguna atau kata sandi salah.")]})
    if mfa.has_mfa(user) or mfa.mfa_required(user):
        if not mfa.has_mfa(user):
            raise TokenRefused(403, {"detail": _(
                "Aktifkan verifikasi dua langkah di /akun/mfa/ sebelum meminta token.")})
        if not _otp_valid(user, otp):
            user_login_failed.send(sender=__name__, credentials={"username": username, "step": "mfa"},
                                   request=request)
            raise TokenRefused(400, {"otp": [_("Kode verifikasi dua langkah salah atau belum diisi.")]})
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expires_at(token) <= timezone.now():
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
        audit_record(actor=user, action="accounts.api_token.issue", obj=user, request=request,
                     detail={"via": "api"})
    return token


def token_issue(*, user, request=None) -> Token:
    """A new token for a signed-in (and, with MFA, verified) session; the previous one stops working."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(actor=user, action="accounts.api_token.issue", obj=user, request=request, detail={"via": "page"})
    return token


def token_revoke(*, user, request=None, reason: str = "page") -> int:
    """Revoke the user's token (from the page, or because the password changed)."""
    deleted, _counts = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="accounts.api_token.revoke", obj=user, request=request,
                     detail={"reason": reason})
    return deleted


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked username (``AXES_LOCKOUT_CALLABLE``): JSON under /api/, the page elsewhere."""
    from django.http import JsonResponse
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def lockout_message() -> str:
    return _("Terlalu banyak percobaan masuk yang gagal; coba lagi setelah {minutes} menit.").format(
        minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
