import pytest

from config import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_workers_and_queues(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    expected_mode = "redis" if settings.REDIS_URL else "eager"
    assert body["checks"]["broker"]["mode"] == expected_mode
    if settings.REDIS_URL:  # no worker runs in this test: the broker is fine but nothing consumes the queues
        assert body["status"] == "degraded"
        assert body["checks"]["workers"] == {"ok": False, "mode": "redis", "alive": 0, "queues": []}
        assert set(body["checks"]["queues"]["queues"]) == {"default", "pdf"}
    else:  # eager mode: tasks run inside the web process
        assert body["status"] == "ok"
        assert body["checks"]["workers"]["mode"] == "eager"


def test_healthz_counts_workers_with_a_fresh_heartbeat(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("butuh REDIS_URL")
    from config.celery import app

    app.control.purge()
    health.heartbeat_write(hostname="uji@mesin-a", queues=["default", "pdf"], concurrency=2)
    try:
        client_redis = health.redis_client()
        client_redis.rpush("pdf", "x", "y")
        body = client.get("/healthz").json()
        assert body["status"] == "ok"
        assert body["checks"]["workers"] == {"ok": True, "mode": "redis", "alive": 1, "queues": ["default", "pdf"]}
        assert body["checks"]["queues"]["queues"]["pdf"] == 2
        assert client_redis.ttl(health.heartbeat_key("uji@mesin-a")) <= health.HEARTBEAT_TTL
    finally:
        health.heartbeat_clear("uji@mesin-a")
        health.redis_client().delete("pdf")


def test_healthz_fails_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
