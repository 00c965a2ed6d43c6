"""API-wide pieces referenced from settings, urls and serializers: the error handler, the token view
and the field for records given by their code."""

from django.db import connections, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.outage import ServiceUnavailable
from config.ratelimit import AnonThrottle, RateLimitExceeded, ScopedThrottle, retry_message


def api_exception_handler(exc, context):
    """DRF's handler, with every message a caller sees in Indonesian.

    A 404 says only "Data tidak ditemukan." (Django's own text names the model, in English); the
    throttling message says how long to wait (the Retry-After header is kept); a part of the system
    that is down (``config.outage``) answers 503 with Retry-After.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RateLimitExceeded):
        exc = exceptions.Throttled(wait=exc.wait)
        exc.detail = exceptions.ErrorDetail(retry_message(exc.wait), code="throttled")
    elif isinstance(exc, exceptions.Throttled):
        exc.detail = exceptions.ErrorDetail(retry_message(exc.wait), code="throttled")
    elif isinstance(exc, ServiceUnavailable):
        exc = exceptions.APIException(detail=exc.message, code="service_unavailable")
        exc.status_code = 503
    response = exception_handler(exc, context)
    if response is not None and response.status_code == 503:
        response["Retry-After"] = "60"
    if getattr(context.get("view"), "outside_request_transaction", False) and response is not None:
        # DRF marks "the request's transaction" for rollback; a view that runs outside it has none, and the
        # block it would mark is its caller's (a test's), which did nothing wrong.
        for connection in connections.all():
            if connection.in_atomic_block:
                transaction.set_rollback(False, using=connection.alias)
    return response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Nama pengguna"))
    password = serializers.CharField(label=_("Kata sandi"), style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(label=_("Kode verifikasi dua langkah"), required=False, allow_blank=True,
                                help_text=_("Wajib bagi akun dengan verifikasi dua langkah (TOTP atau kode cadangan)."))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainAuthTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: a token for the password (and the two-step code, for accounts that use one).

    Counted by django-axes like the sign-in page, limited per address (``auth``); the token expires
    after ``SIDBS_API_TOKEN_DAYS`` days and is revoked when the password changes.
    """

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, ScopedThrottle]  # DRF's view has none
    throttle_scope = "auth"
    serializer_class = TokenRequestSerializer
    outside_request_transaction = True

    @classmethod
    def as_view(cls, **initkwargs):
        """Outside the request transaction: a refused request (400, which rolls the request back) must still
        leave django-axes' record of the failed attempt behind."""
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request, *args, **kwargs):
        from accounts.api_tokens import TokenRefused, token_expires_at, token_request

        serializer = TokenRequestSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=400)
        try:
            token = token_request(request=request._request, **serializer.validated_data)
        except TokenRefused as refused:
            return Response(refused.body, status=refused.status)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class CodeRelatedField(serializers.SlugRelatedField):
    """A related record given by its code (``"LUT"``, ``"35.11.01.2001"``).

    A code must be text without NUL characters: PostgreSQL cannot compare such text, and DRF's
    own field would let the lookup fail with a server error instead of a 400.
    """

    default_error_messages = {
        "invalid": _("Kode tidak sah: harus berupa teks."),
        "null_characters": _("Kode tidak boleh memuat karakter NUL."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)
