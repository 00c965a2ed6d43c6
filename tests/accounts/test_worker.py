"""A real Celery worker against Redis runs a task that writes to the database (skipped without REDIS_URL)."""

import uuid

import pytest

from accounts.models import AuditEvent
from accounts.tasks import worker_ping

pytestmark = [pytest.mark.celery_worker]


def test_task_round_trip_through_a_real_worker(celery_worker_process):
    # given
    token = uuid.uuid4().hex
    # when
    result = worker_ping.delay(token).get(timeout=60)
    # then
    assert result["token"] == token
    event = AuditEvent.objects.get(pk=int(result["audit_event"]))
    assert event.action == "system.worker_ping"
    assert event.detail == {"token": token}


def test_tasks_run_eagerly_without_a_worker(db, settings):
    token = uuid.uuid4().hex
    result = worker_ping.delay(token).get(timeout=5)
    assert AuditEvent.objects.filter(pk=int(result["audit_event"]), detail__token=token).exists()
