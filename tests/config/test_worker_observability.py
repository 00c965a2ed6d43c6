"""A real Celery worker (Redis, PostgreSQL): heartbeat in /healthz, task metrics on its port, request ids in its log."""

import json
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app
from config.request_context import request_id_var

pytestmark = [pytest.mark.celery_worker]


def test_worker_heartbeat_metrics_and_request_id(celery_worker_process, client):
    # the worker announces itself: /healthz counts it within a heartbeat
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get("/healthz").json()
        if body["checks"]["workers"]["alive"] >= 1:
            break
        time.sleep(0.5)
    assert body["status"] == "ok"
    assert body["checks"]["workers"]["queues"] == ["default", "pdf"]
    # a task queued while serving a request carries the request's id into the worker's log
    token = request_id_var.set("permintaan-ke-worker-1")
    try:
        result = app.tasks["ppks.apply_retention"].delay()
    finally:
        request_id_var.reset(token)
    assert result.get(timeout=60)["anonymised"] == 0
    # the worker's metrics port adds up its pool processes
    families = text_string_to_metric_families(urllib.request.urlopen(celery_worker_process.metrics_url,
                                                                     timeout=10).read().decode())
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in families for sample in family.samples}
    assert samples[("sidbs_celery_tasks_finished_total",
                    (("outcome", "succeeded"), ("task", "ppks.apply_retention")))] >= 1
    assert samples[("sidbs_celery_task_duration_seconds_count", (("task", "ppks.apply_retention"),))] >= 1
    lines = [json.loads(line) for line in celery_worker_process.log_path.read_text().splitlines()
             if line.startswith("{")]
    traced = [line for line in lines if line.get("request_id") == "permintaan-ke-worker-1"]
    assert any("ppks.apply_retention" in line["message"] for line in traced)
