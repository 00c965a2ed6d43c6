"""Rate limits for expensive work, shared by the API (DRF throttles) and the HTML views (``rate_limited``).

Every limit is a named scope whose rate ("10/hour") comes from ``settings.SIDBS_RATE_LIMITS``
(filled from SIDBS_THROTTLE_* environment variables) and is read on each request, so a test or
a settings change takes effect at once. Requests are counted per user, or per client address
for anonymous callers, in the default cache (Redis when REDIS_URL is set, so every web process
shares the counts), with one atomic counter per period. While the cache is down, limits let
requests through except ``FAIL_CLOSED_SCOPES``, which answer 503. Scopes:

- ``user`` / ``anon``: every API call of a signed-in user / an anonymous caller;
- ``exports``: CSV/XLSX downloads of lists and of the audit log; ``reports``: report (PDF) requests and retries;
- ``imports``: spreadsheet uploads; ``nik``: revealing a full NIK; ``nik_search``: looking a
  person up by NIK or No. KK (slows enumeration of identity numbers);
- ``auth``: API token requests; ``verify``: the public document check (upload and hash);
  ``verify_view``: opening the public check page (a QR scan), per address.
"""

import functools
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

from config.env import parse_rate
from config.outage import ServiceUnavailable

logger = logging.getLogger(__name__)


def rate_for(scope: str) -> str | None:
    """The configured rate of ``scope``; None means the scope is not limited."""
    rates = settings.SIDBS_RATE_LIMITS
    if scope not in rates:
        raise ImproperlyConfigured("Batas laju '{}' belum diatur di SIDBS_RATE_LIMITS.".format(scope))
    return rates[scope]


FAIL_CLOSED_SCOPES = frozenset({"nik", "nik_search", "auth", "password_reset"})
"""Scopes that refuse (503) rather than let requests through while their counts cannot be read:
those guarding identity numbers and sign-in. Every other scope fails open (config/outage.py)."""


def take(key: str, limit: int, period: int) -> tuple[bool, float | None]:
    """Count one request on ``key`` if fewer than ``limit`` were counted in its current period.

    A period starts with the first request counted after the previous one ended. The count is one
    atomic increment in the cache (Redis ``INCR``), so requests sent at the same moment can never
    pass the limit together; a refused request is not counted. Returns (allowed, seconds to wait).
    """
    count_key, start_key = key + ":count", key + ":start"
    now = time.time()
    for _attempt in range(3):
        if cache.add(count_key, 0, timeout=period):
            cache.set(start_key, now, timeout=period)
        try:
            count = cache.incr(count_key)
        except ValueError:  # the period ended between the two calls: start the next one
            continue
        if count <= limit:
            return True, None
        cache.decr(count_key)
        started = cache.get(start_key)
        return False, max(0.0, (started + period - now) if started is not None else float(period))
    return True, None


class ScopeThrottle(BaseThrottle):
    """At most the rate of ``scope`` (read from settings on every request) per user, or per address
    for anonymous callers; an atomic counter per period (``take``)."""

    scope: str | None = None

    def __init__(self, scope: str | None = None):
        if scope is not None:
            self.scope = scope
        self.rate, self.num_requests, self.duration, self.wait_seconds = None, None, None, None
        if self.scope is not None:
            self._configure()

    def _configure(self) -> None:
        self.rate = rate_for(self.scope)
        self.num_requests, self.duration = parse_rate(self.rate) if self.rate else (None, None)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return "throttle:{}:{}".format(self.scope, ident)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        try:
            allowed, self.wait_seconds = take(key, self.num_requests, self.duration)
        except Exception as error:  # the cache (Redis) is down or unreachable
            if self.scope in FAIL_CLOSED_SCOPES:
                logger.exception("batas laju %s tidak dapat diperiksa; permintaan ditolak", self.scope)
                raise ServiceUnavailable(_(
                    "Pemeriksaan keamanan untuk tindakan ini sedang tidak tersedia. Coba lagi beberapa menit lagi."
                )) from error
            logger.warning("batas laju %s tidak dapat diperiksa; permintaan dilewatkan", self.scope, exc_info=True)
            return True
        return allowed

    def wait(self) -> float | None:
        return self.wait_seconds


class UserThrottle(ScopeThrottle):
    """Every API call of a signed-in user."""

    scope = "user"

    def get_cache_key(self, request, view):
        return super().get_cache_key(request, view) if request.user.is_authenticated else None


class AnonThrottle(ScopeThrottle):
    """Every API call of an anonymous caller, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        return None if request.user.is_authenticated else super().get_cache_key(request, view)


class ScopedThrottle(ScopeThrottle):
    """The view's (or action's) own ``throttle_scope``, when it declares one."""

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self._configure()
        return super().allow_request(request, view)


def retry_message(wait: float | None) -> str:
    """The Indonesian "too many requests" sentence, with the wait rounded up to seconds or minutes."""
    text = _("Terlalu banyak permintaan untuk tindakan ini.")
    if wait is None:
        return "{} {}".format(text, _("Coba lagi nanti."))
    seconds = max(1, math.ceil(wait))
    if seconds <= 90:
        later = ngettext("Coba lagi dalam %(count)d detik.", "Coba lagi dalam %(count)d detik.", seconds)
        return "{} {}".format(text, later % {"count": seconds})
    minutes = math.ceil(seconds / 60)
    later = ngettext("Coba lagi dalam %(count)d menit.", "Coba lagi dalam %(count)d menit.", minutes)
    return "{} {}".format(text, later % {"count": minutes})


def too_many_requests(request, wait: float | None):
    """A 429 answer for a browser (a page) or a script asking for JSON, with Retry-After."""
    message = retry_message(wait)
    if "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get(
            "Accept", ""):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    response["Cache-Control"] = "no-store"
    return response


def rate_limited(scope: str, *, methods=("POST",), when=None):
    """Limit a view to the rate of ``scope`` for requests with one of ``methods`` (and ``when(request)``).

    Only the requests that start the expensive work count: e.g. the POST of an upload form, not
    showing the form. The view answers 429 with an Indonesian message once the limit is reached.
    """
    methods = {method.upper() for method in methods}

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and (when is None or when(request)):
                throttle = ScopeThrottle(scope)
                if not throttle.allow_request(request, None):
                    return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator



class RateLimitExceeded(Exception):
    """A service refused an action over its rate; ``wait`` is the number of seconds until it is allowed again.

    Pages answer it with the 429 page (``RateLimitMiddleware``), the API with 429 JSON (``config.api``).
    """

    def __init__(self, wait: float | None):
        super().__init__(wait)
        self.wait = wait


class _Caller:
    """What ``ScopeThrottle`` reads of a request, for a service that has only the acting user."""

    def __init__(self, user):
        self.user = user
        self.META = {}


def rate_consume(scope: str, *, user) -> None:
    """Count one action of ``user`` against ``scope`` and raise ``RateLimitExceeded`` past the limit.

    For actions that several paths reach (a page, the API, a form that shows the data), the service
    counts them here, once, so every path shares one limit.
    """
    throttle = ScopeThrottle(scope)
    if not throttle.allow_request(_Caller(user), None):
        raise RateLimitExceeded(throttle.wait())


class RateLimitMiddleware:
    """The 429 page for a ``RateLimitExceeded`` raised by a service during a page request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimitExceeded):
            return too_many_requests(request, exception.wait)
        return None
