"""Settings read from the environment: run ``manage.py`` in a subprocess with chosen variables."""

import os
import subprocess
import sys

import pytest

from config.env import cache_settings, celery_settings, redis_url_with_db
from tests.conftest import REPO_ROOT

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x7#kP2!vQ9zR4mW8nB3cT6yH1jL5sD0fG2aE7uI9oK4pX8qZ3rV6bN1mC5",
    "DJANGO_ALLOWED_HOSTS": "sidbs.example.go.id",
    "DJANGO_SITE_URL": "https://sidbs.example.go.id",
    "DATABASE_URL": "sqlite:////tmp/sidbs-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SIDBS_"))}
    clean_env.pop("DATABASE_URL", None)
    clean_env.pop("REDIS_URL", None)
    clean_env.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values():
    # when
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_site_url_is_refused_when_debug_is_off():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SITE_URL"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SITE_URL wajib diisi" in result.stderr


@pytest.mark.parametrize(("site_url", "error"), [
    ("http://127.0.0.1:8000", "sidbs.E002"),
    ("https://localhost", "sidbs.E002"),
    ("http://sidbs.example.go.id", "sidbs.E001"),
])
def test_check_deploy_refuses_a_site_url_readers_cannot_open(site_url, error):
    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "DJANGO_SITE_URL": site_url})
    assert result.returncode != 0
    assert error in result.stdout + result.stderr


def test_missing_secret_key_is_refused_when_debug_is_off():
    result = run_manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY wajib diisi" in result.stderr


def test_debug_mode_runs_without_secret_key_on_sqlite_with_eager_celery():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.TIME_ZONE, s.LANGUAGE_CODE, [c for c, _ in s.LANGUAGES])",
        env={"DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3 True Asia/Jakarta id ['id', 'en']"


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        " s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['LOCATION'])",
        env={"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.local:5432/sidbs",
             "REDIS_URL": "redis://cache.local:6379/0"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.db.backends.postgresql sidbs redis://cache.local:6379/0 False redis://cache.local:6379/1"
    )


def test_celery_settings_with_a_broker_are_reliable_for_long_tasks():
    config = celery_settings(redis_url="redis://r:6379/0", longest_task_seconds=1800)
    assert config["CELERY_TASK_ACKS_LATE"] is True
    assert config["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert config["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    assert config["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] > config["CELERY_TASK_TIME_LIMIT"]
    assert config["CELERY_TASK_SOFT_TIME_LIMIT"] < config["CELERY_TASK_TIME_LIMIT"]
    assert config["CELERY_TASK_ALWAYS_EAGER"] is False


def test_celery_settings_without_a_broker_run_tasks_eagerly():
    config = celery_settings(redis_url=None, longest_task_seconds=1800)
    assert config["CELERY_TASK_ALWAYS_EAGER"] is True
    assert config["CELERY_TASK_EAGER_PROPAGATES"] is False
    assert config["CELERY_BROKER_URL"] == "memory://"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://h:6379/0", "redis://h:6379/1"),
        ("redis://h:6379", "redis://h:6379/1"),
        ("redis://:secret@h:6380/3?ssl_cert_reqs=none", "redis://:secret@h:6380/1?ssl_cert_reqs=none"),
    ],
)
def test_redis_url_with_db(url, expected):
    assert redis_url_with_db(url, 1) == expected


def test_cache_uses_memory_without_redis():
    assert cache_settings(redis_url=None)["default"]["BACKEND"].endswith("LocMemCache")
