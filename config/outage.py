"""What the site does while Redis (the cache, the rate counts and the task queue) cannot be reached.

Reading and writing records needs only PostgreSQL, so it goes on: cached figures are computed
directly, and rate limits let requests through, except the limits that protect identity numbers
and sign-in (``config.ratelimit.FAIL_CLOSED_SCOPES``), which refuse with 503. Work that must be
queued for a worker (a report, a large import) is refused before anything is written with a clear
503 page or JSON (``task_queue_required``); a job whose queueing fails after its record was
committed stays queued, and the jobs watchdog runs it once the queue is back
(``enqueue_on_commit``).
"""

import logging

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# How long to wait for the broker before telling the user it is down.
QUEUE_CHECK_SECONDS = 2


class ServiceUnavailable(Exception):
    """A part of the system the request needs is down; ``message`` tells the user (in Indonesian) what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def unavailable_response(request, message: str):
    """503 with ``Retry-After``: JSON under /api/ or for a JSON caller, else a page in the site layout."""
    wants_json = request.path.startswith("/api/") or (
        "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get("Accept", "")
    )
    if wants_json:
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "errors/message.html", {
            "title": _("Layanan sementara tidak tersedia"), "message": message,
        }, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """The 503 page for a ``ServiceUnavailable`` raised by a service or a rate limit during a page request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ServiceUnavailable):
            return unavailable_response(request, exception.message)
        return None


def task_queue_available() -> bool:
    """Whether the Celery broker answers within ``QUEUE_CHECK_SECONDS`` (always, when tasks run eagerly)."""
    from config.celery import app

    if app.conf.task_always_eager:
        return True
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=QUEUE_CHECK_SECONDS)
    except Exception:
        logger.warning("antrean tugas (broker Celery) tidak dapat dihubungi", exc_info=True)
        return False
    return True


def task_queue_required() -> None:
    """Refuse (503) work that needs a worker while the queue is down, before anything is written."""
    if not task_queue_available():
        raise ServiceUnavailable(_(
            "Antrean pemrosesan sedang tidak dapat dihubungi, jadi permintaan ini belum disimpan. "
            "Coba lagi beberapa menit lagi; bila berlanjut, hubungi administrator."
        ))


def enqueue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` to the workers once the transaction commits.

    If the queue is unreachable at that moment, the committed record stays as it is and the failure is
    logged: the jobs watchdog runs a queued report or import job later; a notification stays in the
    inbox without its e-mail.
    """

    from config.celery import app

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            if app.conf.task_always_eager:
                raise
            logger.exception("tugas %s tidak dapat diantrekan; watchdog akan menjalankannya nanti", task.name)

    transaction.on_commit(send)
