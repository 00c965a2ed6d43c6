"""Shared fixtures: a small region tree, one user per role, API clients, and a real Celery worker."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from villages.services import regions_import

REPO_ROOT = Path(__file__).resolve().parent.parent

REGION_LINES = [
    "35,JAWA TIMUR",
    "35.11,KAB. BONDOWOSO",
    "35.11.01,Maesan",
    "35.11.01.2001,Sucolor",
    "35.11.01.2002,Pujer Baru",
    "35.11.02,Grujugan",
    "35.11.02.2001,Dawuhan",
    "35.11.02.1001,Kelurahan Contoh",
    "35.12,KAB. SITUBONDO",
    "35.12.01,Jatibanteng",
    "35.12.01.2001,Sumberanyar",
    "33,JAWA TENGAH",
    "33.73,KOTA SALATIGA",
    "33.73.04,Sidomukti",
    "33.73.04.1001,Kecandran",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so rate-limit counts (and cached values) never leak between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def regions(db):
    """Two provinces, three kab/kota, four kecamatan and six villages with real Kemendagri codes."""
    regions_import(lines=REGION_LINES)


def make_user(username: str, role: str = "", region_code: str = "", villages=(), **extra) -> User:
    user = User.objects.create_user(
        username=username, password="rahasia-uji-123", role=role, region_code=region_code, **extra
    )
    if villages:
        user.assigned_villages.set(villages)
    return user


def make_role_users() -> dict[str, User]:
    """One user per role with a valid scope, plus one without a role (needs the ``regions`` villages).

    The Dinas Sosial offices of the regions can issue letters (``offices_ready``); the unit officer
    answers referrals addressed to the head unit of Ditjen Dayasos.
    """
    users = {
        "admin": make_user("admin", "admin", is_staff=True),
        "analyst": make_user("analis", "kemensos_analyst"),
        "province": make_user("jatim", "dinsos_provinsi", "35"),
        "regency": make_user("bondowoso", "dinsos_kabupaten", "35.11"),
        "other_regency": make_user("situbondo", "dinsos_kabupaten", "35.12"),
        "pensosmas": make_user("pensosmas", "pensosmas", villages=["35.11.01.2001"]),
        "no_role": make_user("tanpaperan"),
        "unit": make_user("petugas.dayasos", "unit_officer", first_name="Dewi", last_name="Anggraini"),
    }
    offices_ready()
    from ppks.models import ServiceUnit

    ServiceUnit.objects.get(directorate__code="dayasos", kind="ditjen", parent=None).officers.add(users["unit"])
    return users


OFFICE_REGIONS = ("35", "35.11", "35.12", "33", "33.73")


def offices_ready(region_codes=OFFICE_REGIONS) -> None:
    """Give each Dinas Sosial office of the test regions an address and a head who signs."""
    from accounts.models import Signatory
    from accounts.offices import office_for_region

    for number, code in enumerate(region_codes, start=1):
        office = office_for_region(code)
        office.address = "Jalan Uji Nomor {}".format(number)
        office.save()
        Signatory.objects.get_or_create(office=office, mode=Signatory.Mode.HEAD, active=True, defaults={
            "name": "Kepala Uji {}".format(number), "nip": "19700101199503100{}".format(number),
            "rank": Signatory.Rank.IV_C})


@pytest.fixture
def users(regions):
    """One user per role, plus users whose role lacks a valid scope."""
    return {
        **make_role_users(),
        "regency_without_code": make_user("tanpakode", "dinsos_kabupaten"),
        "pensosmas_without_villages": make_user("pensosmasbaru", "pensosmas"),
    }


@pytest.fixture
def api_client():
    return APIClient()


def worker_environment() -> dict[str, str]:
    """Environment for a worker process that talks to the same broker and test database as this process."""
    database = settings.DATABASES["default"]
    environment = dict(os.environ)
    environment.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL="postgres://{user}:{password}@{host}:{port}/{name}".format(
            user=database["USER"], password=database.get("PASSWORD", ""), host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432, name=database["NAME"],
        ),
        REDIS_URL=settings.REDIS_URL,
        SIDBS_REPORT_PART_ROWS="2",  # small parts, so worker tests exercise the parallel path
        # The same object store as the test process when a test uses one (s3_storage), else the shared media folder.
        DJANGO_STORAGE_URL=settings.STORAGE_URL,
    )
    return environment


@pytest.fixture
def celery_worker_process(transactional_db, django_db_serialized_rollback):
    """A real ``celery worker`` subprocess consuming both queues, against Redis and the test database.

    Skipped unless REDIS_URL is set and the database is PostgreSQL (an in-memory SQLite test
    database cannot be shared with another process). The test runs outside a transaction so the
    worker sees its data; serialized rollback puts the seeded reference data (PPKS categories)
    back after the flush, so later tests still find it.
    """
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("butuh REDIS_URL dan PostgreSQL untuk worker Celery sungguhan")
    from config.celery import app

    app.control.purge()
    app.conf.task_always_eager = False
    log_path = REPO_ROOT / ".pytest-celery-worker.log"
    # Task metrics of the pool processes, added up and served by the worker's main process on its own port.
    metrics_port = free_port()
    environment = worker_environment() | {
        "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="sidbs-worker-metrics-"),
        "SIDBS_WORKER_METRICS_PORT": str(metrics_port), "SIDBS_WORKER_METRICS_ADDR": "127.0.0.1",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,pdf", "--concurrency=2",
             "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "-l", "info",
             "-n", "pytest-{}@%h".format(os.getpid())],
            cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        process.metrics_url = "http://127.0.0.1:{}/metrics".format(metrics_port)
        process.log_path = log_path
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("worker Celery berhenti: " + log_path.read_text()[-2000:])
            replies = app.control.ping(timeout=1.0) or []
            if any("pytest-{}@".format(os.getpid()) in name for reply in replies for name in reply):
                break
        else:
            pytest.fail("worker Celery tidak siap dalam 60 detik: " + log_path.read_text()[-2000:])
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible HTTP server on 127.0.0.1: moto's server mode (``python -m moto.server``), its own process.

    No MinIO server installs from this project's package sources; moto answers the same S3 REST
    calls (PUT/GET/HEAD/DELETE object, ListObjectsV2, multipart) that django-storages and boto3 send.
    """
    pytest.importorskip("moto.server", reason="moto (server mode) belum terpasang: make install")
    port = free_port()
    log_path = REPO_ROOT / ".pytest-s3-server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("server S3 (moto) berhenti: " + log_path.read_text()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server S3 (moto) tidak siap dalam 30 detik")
        yield "http://127.0.0.1:{}".format(port)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    """Uploads and reports go to a fresh private bucket on the S3 server (DJANGO_STORAGE_URL as in production).

    Returns a boto3 client and the bucket name, to look at the objects directly.
    """
    import boto3

    from config.env import storage_settings

    bucket = "sidbs-test-{}".format(uuid.uuid4().hex[:12])
    url = "s3://uji:rahasia-uji@{}/media?endpoint={}".format(bucket, s3_server)
    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="uji", aws_secret_access_key="rahasia-uji",
                          region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.STORAGE_URL = url
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(url)}
    return client, bucket
