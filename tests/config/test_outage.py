"""Redis down (issue 15, item 12): reads go on, identity-number limits refuse with 503, work that needs the
queue is refused before anything is written, and rate counts hold under requests sent at once."""

import time

import pytest
from django.test import TestCase
from django.urls import reverse

from config import outage
from config.celery import app
from config.ratelimit import ScopeThrottle, _Caller
from ppks.models import ImportJob
from reports.models import ReportJob
from tests.concurrency import at_once
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/1"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def cache_down(settings):
    """The default cache is a Redis that cannot be reached (as in production when Redis stops)."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}


@pytest.fixture
def queue_down():
    """Tasks go to a broker that cannot be reached instead of running in the test process."""
    changes = {"task_always_eager": False, "broker_url": UNREACHABLE_REDIS, "broker_connection_timeout": 1,
               "task_publish_retry": False}
    saved = {key: app.conf.get(key) for key in changes}
    app.conf.update(changes)
    yield
    app.conf.update(saved)


def test_with_the_cache_down_pages_and_api_reads_keep_working(client, api_client, users, cache_down):
    register(users["pensosmas"], submit=True)
    client.force_login(users["regency"])
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("ppks:list")).status_code == 200
    api_client.force_authenticate(users["regency"])
    listed = api_client.get("/api/v1/registrations/")
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == 1


def test_with_the_cache_down_nik_reveals_are_refused_with_503(client, api_client, users, cache_down):
    person = register(users["pensosmas"]).person
    api_client.force_authenticate(users["regency"])
    refused = api_client.post("/api/v1/persons/{}/reveal-nik/".format(person.pk))
    assert refused.status_code == 503
    assert refused["Retry-After"] == "60"
    assert refused.json()["detail"].startswith("Pemeriksaan keamanan untuk tindakan ini sedang tidak tersedia.")
    client.force_login(users["regency"])
    page = client.post(reverse("ppks:person-reveal-nik", args=[person.pk]))
    assert page.status_code == 503
    assert "Layanan sementara tidak tersedia" in page.content.decode()
    assert 'class="mainnav"' in page.content.decode()
    assert person.nik not in page.content.decode()


def test_with_the_queue_down_a_report_is_refused_before_anything_is_written(client, users, regions, queue_down):
    client.force_login(users["regency"])
    response = client.post(reverse("reports:village-profile", args=["35.11.01.2001"]))
    assert response.status_code == 503
    assert "Antrean pemrosesan sedang tidak dapat dihubungi" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_job_the_queue_loses_at_commit_stays_queued_for_the_watchdog(client, users, regions, queue_down,
                                                                        monkeypatch):
    """The broker answered the check, then went away before the commit: the job is kept, not a 500."""
    from kombu.exceptions import OperationalError

    from reports.tasks import report_generate

    def broker_gone(*args):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(outage, "task_queue_available", lambda: True)
    monkeypatch.setattr(report_generate, "delay", broker_gone)
    logged = []
    monkeypatch.setattr(outage.logger, "exception", lambda message, *args: logged.append(message % args))
    client.force_login(users["regency"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("reports:village-profile", args=["35.11.01.2001"]))
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert job.state == ReportJob.State.QUEUED
    assert logged == ["tugas reports.tasks.report_generate tidak dapat diantrekan; watchdog akan menjalankannya nanti"]


def test_with_the_queue_down_a_large_import_keeps_no_upload(client, users, queue_down, monkeypatch):
    from ppks import imports
    from tests.ppks.test_import import csv_file, row

    monkeypatch.setattr(imports, "SYNC_ROW_LIMIT", 0)
    stored = []
    monkeypatch.setattr(ImportJob.file.field.storage, "delete", lambda name: stored.append(name))
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:import"), {"file": csv_file([row()]), "mode": "all"})
    assert response.status_code == 503
    assert "Antrean pemrosesan sedang tidak dapat dihubungi" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert len(stored) == 1, "the stored upload is deleted with the job"


@pytest.mark.parametrize("scope", ["exports", "nik"])
def test_requests_sent_at_once_never_pass_the_limit_together(users, settings, scope):
    """The old throttle read the history, then wrote it back: parallel requests each saw room (~6% over)."""
    settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, scope: "10/hour"}
    caller = _Caller(users["regency"])
    allowed = at_once(*[lambda: ScopeThrottle(scope).allow_request(caller, None)] * 24)
    assert allowed.count(True) == 10
    refused = ScopeThrottle(scope)
    assert refused.allow_request(caller, None) is False
    assert 3590 <= refused.wait() <= 3600


def test_a_period_ends_one_period_after_its_first_request(users, settings, monkeypatch):
    settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, "exports": "2/minute"}
    caller = _Caller(users["regency"])
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    assert ScopeThrottle("exports").allow_request(caller, None)
    clock[0] += 30
    assert ScopeThrottle("exports").allow_request(caller, None)
    refused = ScopeThrottle("exports")
    assert refused.allow_request(caller, None) is False
    assert refused.wait() == 30
