"""Who and which request a log line, a metric or an error report belongs to.

``RequestContextMiddleware`` (first in MIDDLEWARE) gives every request an id: the proxy's
``X-Request-ID`` when it is a plain token, otherwise a new one, sent back in the response header.
The id and the signed-in user's primary key live in context variables that the log filter
(``config.log_filters.RequestContextFilter``) and error tracking read; Celery tasks carry the id
of the request that queued them (``config.celery_signals``). Never a name or a NIK: user ids only.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings

from config import metrics

request_id_var: ContextVar[str] = ContextVar("sidbs_request_id", default="")
user_id_var: ContextVar[int | None] = ContextVar("sidbs_user_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_logger = logging.getLogger("sidbs.request")


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request) -> str:
    """The proxy's id when it is a harmless token (letters, digits, ``._-``), else a fresh one."""
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    return candidate if VALID_REQUEST_ID.match(candidate) else new_request_id()


def view_label(request) -> str:
    """The URL pattern's name (``ppks:registration-list``), never the path: a bounded set of metric labels."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or "<unnamed>"


class RequestContextMiddleware:
    """Request id and user id for logs and errors; one access-log line and the HTTP metrics per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request)
        request.request_id = request_id
        id_token, user_token = request_id_var.set(request_id), user_id_var.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        except Exception:
            status = 500
            raise
        finally:
            seconds = time.perf_counter() - started
            view = view_label(request)
            # API calls authenticate inside the view (DRF tokens): name the user for the access line too.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_id_var.set(user.pk)
            metrics.observe_request(method=request.method, view=view, status=status, seconds=seconds)
            if settings.SIDBS_REQUEST_LOG:
                request_logger.info(
                    "%s %s %s %.0f ms", request.method, request.path, status, seconds * 1000,
                    extra={"method": request.method, "path": request.path, "status": status, "view": view,
                           "duration_ms": round(seconds * 1000, 1)},
                )
            request_id_var.reset(id_token)
            user_id_var.reset(user_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Runs after authentication: remember who is asking (the primary key only)."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
