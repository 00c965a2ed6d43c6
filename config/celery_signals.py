"""Celery signal handlers: task metrics, the request id in task logs, worker heartbeats and metrics port.

Connected when ``config.celery`` loads, in web processes (publishing, eager runs) and workers alike.
"""

import logging
import os
import threading
import time

from celery import signals

from config import metrics
from config.request_context import request_id_var, user_id_var

logger = logging.getLogger(__name__)
REQUEST_ID_HEADER = "sidbs_request_id"
USER_ID_HEADER = "sidbs_user_id"

_running: dict[str, tuple[float, object, object]] = {}
_heartbeat_stop = threading.Event()


@signals.before_task_publish.connect
def task_queued(sender=None, headers=None, routing_key=None, **kwargs):
    """Count the task and let it carry the id of the request (and user) that queued it."""
    metrics.TASKS_QUEUED.labels(sender or "?", routing_key or "?").inc()
    if headers is not None:
        if request_id_var.get():
            headers[REQUEST_ID_HEADER] = request_id_var.get()
        if user_id_var.get() is not None:
            headers[USER_ID_HEADER] = user_id_var.get()


@signals.task_prerun.connect
def task_started(task_id=None, task=None, **kwargs):
    request = task.request
    if getattr(request, "is_eager", False):
        metrics.TASKS_QUEUED.labels(task.name, "eager").inc()
    request_id = getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(REQUEST_ID_HEADER)
    user_id = getattr(request, USER_ID_HEADER, None) or (request.headers or {}).get(USER_ID_HEADER)
    # Eager tasks run inside the request and keep its context; a worker takes it from the message.
    id_token = request_id_var.set(request_id) if request_id else None
    user_token = user_id_var.set(user_id) if user_id is not None else None
    _running[task_id] = (time.perf_counter(), id_token, user_token)
    metrics.TASKS_RUNNING.labels(task.name).inc()


@signals.task_postrun.connect
def task_ended(task_id=None, task=None, state=None, **kwargs):
    started, id_token, user_token = _running.pop(task_id, (None, None, None))
    metrics.TASKS_RUNNING.labels(task.name).dec()
    if started is not None:
        metrics.TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)
    outcome = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}.get(state or "", (state or "").lower())
    metrics.TASKS_FINISHED.labels(task.name, outcome or "unknown").inc()
    if user_token is not None:
        user_id_var.reset(user_token)
    if id_token is not None:
        request_id_var.reset(id_token)


@signals.worker_process_shutdown.connect
def worker_process_gone(pid=None, **kwargs):
    """A pool process ends: its live gauges stop counting (prometheus multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def _worker_queues(consumer) -> list[str]:
    try:
        return sorted(consumer.app.amqp.queues.consume_from)
    except Exception:
        return []


@signals.worker_ready.connect
def worker_ready(sender=None, **kwargs):
    """Start the heartbeat (for /healthz) and, with SIDBS_WORKER_METRICS_PORT, the worker's metrics endpoint."""
    from django.conf import settings

    from config import health

    consumer = sender
    hostname = getattr(consumer, "hostname", None) or "worker@{}".format(os.getpid())
    queues = _worker_queues(consumer)
    concurrency = getattr(getattr(consumer, "controller", None), "concurrency", None)
    if settings.REDIS_URL:
        _heartbeat_stop.clear()

        def beat():
            while not _heartbeat_stop.is_set():
                try:
                    health.heartbeat_write(hostname=hostname, queues=queues, concurrency=concurrency)
                except Exception:
                    logger.warning("Detak worker gagal ditulis ke Redis", exc_info=True)
                _heartbeat_stop.wait(health.HEARTBEAT_SECONDS)

        threading.Thread(target=beat, name="sidbs-heartbeat", daemon=True).start()
    port = os.environ.get("SIDBS_WORKER_METRICS_PORT")
    if port:
        from prometheus_client import start_http_server

        start_http_server(int(port), addr=os.environ.get("SIDBS_WORKER_METRICS_ADDR", "0.0.0.0"),
                          registry=metrics.process_registry())
        logger.info("Metrik worker di port %s", port)


@signals.worker_shutdown.connect
def worker_shutdown(sender=None, **kwargs):
    from django.conf import settings

    from config import health

    _heartbeat_stop.set()
    hostname = getattr(sender, "hostname", None)
    if settings.REDIS_URL and hostname:
        try:
            health.heartbeat_clear(hostname)
        except Exception:
            logger.warning("Detak worker gagal dihapus", exc_info=True)
