"""Prometheus metrics: HTTP requests, Celery tasks, report and import jobs, queues and workers.

Counters and histograms are recorded where things happen (``RequestContextMiddleware``, the
Celery signal handlers in ``config.celery_signals``); job states, queue depths and live workers
are read when Prometheus scrapes. Under gunicorn or a prefork Celery worker each process writes
its own figures to ``PROMETHEUS_MULTIPROC_DIR`` and the scrape adds them up. Web processes are
scraped at ``/metrics`` (``Authorization: Bearer $SIDBS_METRICS_TOKEN``), a worker at
``http://host:$SIDBS_WORKER_METRICS_PORT/metrics`` (started by the worker, see celery_signals).
"""

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

HTTP_REQUESTS = Counter("sidbs_http_requests", "HTTP requests answered, by URL pattern name and status.",
                        ["method", "view", "status"])
HTTP_SECONDS = Histogram("sidbs_http_request_duration_seconds", "Time to answer a request, by URL pattern name.",
                         ["method", "view"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
TASKS_QUEUED = Counter("sidbs_celery_tasks_queued", "Celery tasks sent to a queue (or run eagerly).",
                       ["task", "queue"])
TASKS_FINISHED = Counter("sidbs_celery_tasks_finished", "Celery tasks ended, by outcome (succeeded, failed, retried).",
                         ["task", "outcome"])
TASKS_RUNNING = Gauge("sidbs_celery_tasks_running", "Celery tasks running now.", ["task"],
                      multiprocess_mode="livesum")
TASK_SECONDS = Histogram("sidbs_celery_task_duration_seconds", "Run time of Celery tasks.", ["task"],
                         buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800))


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, view, str(status)).inc()
    HTTP_SECONDS.labels(method, view).observe(seconds)


class StateCollector:
    """Figures read at scrape time: report and import jobs by state, queue depths, live workers."""

    def collect(self):
        from django.db.models import Count

        from ppks.models import ImportJob
        from reports.models import ReportJob

        for name, model, text in (
            ("sidbs_report_jobs", ReportJob, "Report jobs by state."),
            ("sidbs_import_jobs", ImportJob, "PPKS import jobs by state."),
        ):
            family = GaugeMetricFamily(name, text, labels=["state"])
            counts = dict(model.objects.values_list("state").annotate(count=Count("pk")).order_by())
            for state in model.State.values:
                family.add_metric([state], counts.get(state, 0))
            yield family
        from config.health import queue_depths, workers_alive

        queues = queue_depths()
        depth = GaugeMetricFamily("sidbs_celery_queue_length", "Tasks waiting in each broker queue.", labels=["queue"])
        for queue, length in queues.get("queues", {}).items():
            depth.add_metric([queue], length)
        yield depth
        workers = workers_alive()
        if workers.get("mode") == "redis":
            yield GaugeMetricFamily("sidbs_celery_workers_alive", "Celery workers with a fresh heartbeat.",
                                    value=workers.get("alive", 0))


def process_registry() -> CollectorRegistry:
    """Counters of this process, or of every process on this machine sharing PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    return generate_latest(process_registry()) + generate_latest(state)


def authorised(request) -> bool:
    """``Authorization: Bearer <SIDBS_METRICS_TOKEN>``; without a token only a DEBUG run shows metrics."""
    token = settings.SIDBS_METRICS_TOKEN
    if not token:
        return settings.DEBUG
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus text format. Unknown callers get 404, so the endpoint does not announce itself."""
    if not authorised(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
