"""Checks behind /healthz."""

from django.conf import settings


def database_status(connection) -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means unhealthy, reported with its text
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def broker_status() -> dict[str, object]:
    """Ping Redis when a broker is configured; eager mode (no broker) is healthy by design."""
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as error:
        return {"ok": False, "mode": "redis", "error": str(error)[:200]}
    return {"ok": True, "mode": "redis"}
