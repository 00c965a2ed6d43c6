"""Checks behind /healthz and the scrape-time metrics: database, broker, workers, queues.

Workers announce themselves: each worker's main process writes a heartbeat key to the broker's
Redis every ``HEARTBEAT_SECONDS`` that expires after ``HEARTBEAT_TTL`` (``config.celery_signals``),
so a worker that died or hangs disappears within that time, and /healthz answers without the
broadcast round trip of ``celery inspect ping``.
"""

import json
import socket
import time

from django.conf import settings

HEARTBEAT_PREFIX = "sidbs:worker:"
HEARTBEAT_SECONDS = 10
HEARTBEAT_TTL = 30
QUEUES = ("default", "pdf")


def database_status(connection) -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means unhealthy, reported with its text
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def broker_status() -> dict[str, object]:
    """Ping Redis when a broker is configured; eager mode (no broker) is healthy by design."""
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    try:
        redis_client().ping()
    except Exception as error:
        return {"ok": False, "mode": "redis", "error": str(error)[:200]}
    return {"ok": True, "mode": "redis"}


def queue_depths() -> dict[str, object]:
    """Tasks waiting per queue, and tasks taken by a worker but not yet acknowledged (running or reserved)."""
    if not settings.REDIS_URL:
        return {"mode": "eager", "queues": {}}
    try:
        client = redis_client()
        pipeline = client.pipeline()
        for queue in QUEUES:
            pipeline.llen(queue)
        pipeline.hlen("unacked")
        *lengths, unacked = pipeline.execute()
    except Exception as error:
        return {"mode": "redis", "error": str(error)[:200], "queues": {}}
    return {"mode": "redis", "queues": dict(zip(QUEUES, lengths, strict=True)), "unacked": unacked}


def workers_alive() -> dict[str, object]:
    """How many workers sent a heartbeat within ``HEARTBEAT_TTL`` seconds, and which queues they serve."""
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager", "alive": 0}
    try:
        client = redis_client()
        keys = list(client.scan_iter(match=HEARTBEAT_PREFIX + "*", count=100))
        beats = [json.loads(value) for value in client.mget(keys) if value] if keys else []
    except Exception as error:
        return {"ok": False, "mode": "redis", "alive": 0, "error": str(error)[:200]}
    served = sorted({queue for beat in beats for queue in beat.get("queues", [])})
    return {"ok": bool(beats), "mode": "redis", "alive": len(beats), "queues": served}


def heartbeat_key(hostname: str) -> str:
    return HEARTBEAT_PREFIX + hostname


def heartbeat_write(*, hostname: str, queues: list[str], concurrency: int | None) -> None:
    """Record that the worker ``hostname`` is alive (called every HEARTBEAT_SECONDS by its main process)."""
    value = json.dumps({"queues": queues, "concurrency": concurrency, "host": socket.gethostname(),
                        "at": int(time.time())})
    redis_client().set(heartbeat_key(hostname), value, ex=HEARTBEAT_TTL)


def heartbeat_clear(hostname: str) -> None:
    redis_client().delete(heartbeat_key(hostname))


def health_report(connection) -> tuple[dict[str, object], int]:
    """The /healthz body and status: 503 when the database or broker fail, "degraded" without a live worker."""
    checks: dict[str, object] = {"database": database_status(connection), "broker": broker_status()}
    healthy = all(check["ok"] for check in checks.values())
    checks["workers"] = workers_alive() if checks["broker"]["ok"] else {"ok": False, "alive": 0}
    checks["queues"] = queue_depths() if checks["broker"]["ok"] else {"queues": {}}
    status = "ok" if checks["workers"]["ok"] else "degraded"
    return {"status": status if healthy else "error", "checks": checks}, 200 if healthy else 503
