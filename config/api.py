"""API-wide pieces referenced from settings, urls and serializers: the error handler, the token view
and the field for records given by their code."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler

from config.ratelimit import AnonThrottle, RateLimitExceeded, ScopedThrottle, retry_message


def api_exception_handler(exc, context):
    """DRF's handler, with every message a caller sees in Indonesian.

    A 404 says only "Data tidak ditemukan." (Django's own text names the model, in English); the
    throttling message says how long to wait (the Retry-After header is kept).
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RateLimitExceeded):
        exc = exceptions.Throttled(wait=exc.wait)
        exc.detail = exceptions.ErrorDetail(retry_message(exc.wait), code="throttled")
    elif isinstance(exc, exceptions.Throttled):
        exc.detail = exceptions.ErrorDetail(retry_message(exc.wait), code="throttled")
    return exception_handler(exc, context)


class ObtainAuthTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: DRF's token for a username and password, limited per address (``auth``)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, ScopedThrottle]  # DRF's view has none
    throttle_scope = "auth"


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
