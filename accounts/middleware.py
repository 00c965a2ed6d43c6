"""Session lifetime and the second sign-in step, enforced on every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import mfa
from accounts.services import audit_record

SESSION_STARTED_KEY = "sidbs_started"
SESSION_SEEN_KEY = "sidbs_seen"
# The last-activity time is written at most this often, so an active user does not cause a
# session write on every request.
SEEN_RESOLUTION_SECONDS = 60


def session_mark_login(request) -> None:
    """At sign-in: the session's absolute lifetime starts now."""
    now = int(time.time())
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


class SessionTimeoutMiddleware:
    """Ends a session after ``SIDBS_SESSION_IDLE_MINUTES`` without requests, and in any case
    ``SIDBS_SESSION_MAX_HOURS`` after sign-in (ASVS 7.3.1/7.3.2).

    The session is deleted on the server, the event is audited (``accounts.session_expired``) and
    the next page says "Sesi berakhir"; the request continues as anonymous, so pages send the user
    to the sign-in page and the API answers 401/403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        idle_limit = settings.SIDBS_SESSION_IDLE_MINUTES * 60
        reason = None
        if seen is not None and now - seen > idle_limit:
            reason = "idle"
        elif started is not None and now - started > settings.SIDBS_SESSION_MAX_HOURS * 3600:
            reason = "lifetime"
        if reason is None:
            if started is None:
                session[SESSION_STARTED_KEY] = now
            if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
                session[SESSION_SEEN_KEY] = now
            return
        user = request.user
        audit_record(actor=user, action="accounts.session_expired", obj=user, request=request,
                     detail={"reason": reason})
        session.flush()
        request.user = AnonymousUser()
        if reason == "idle":
            message = _("Sesi berakhir karena tidak ada aktivitas selama {minutes} menit. Silakan masuk lagi.").format(
                minutes=settings.SIDBS_SESSION_IDLE_MINUTES)
        else:
            message = _("Sesi berakhir karena sudah {hours} jam sejak Anda masuk. Silakan masuk lagi.").format(
                hours=settings.SIDBS_SESSION_MAX_HOURS)
        messages.info(request, message)


class MFAMiddleware:
    """Sends a signed-in session that still owes its second-step code to the code page, and (with
    ``SIDBS_MFA_REQUIRED_FOR_ADMINS``) an administrator without a device to the enrolment page.

    Session-authenticated API calls in such a session get 403 with an Indonesian message; token
    authentication does not use the session and is not affected. Must come after
    ``django_otp.middleware.OTPMiddleware`` and ``MessageMiddleware``.
    """

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path_info.startswith(self.EXEMPT_PREFIXES):
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        verify_url = reverse("accounts:mfa-verify")
        setup_url = reverse("accounts:mfa-setup")
        exempt = {verify_url, reverse("accounts:logout"), reverse("accounts:login")}
        if request.path_info in exempt:
            return None
        if mfa.session_needs_code(request):
            return self._divert(request, verify_url,
                                _("Masukkan kode verifikasi dua langkah untuk melanjutkan."))
        if request.path_info != setup_url and not request.user.is_verified() and mfa.mfa_required(request.user) \
                and not mfa.has_mfa(request.user):
            return self._divert(request, setup_url,
                                _("Administrator wajib mengaktifkan verifikasi dua langkah sebelum memakai SI-DBS."))
        return None

    def _divert(self, request, url: str, api_message: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": api_message}, status=403)
        next_url = request.get_full_path() if request.method == "GET" else ""
        return redirect("{}?{}".format(url, urlencode({"next": next_url})) if next_url else url)
