"""Celery tasks of the accounts app."""

import socket

from celery import shared_task


@shared_task(name="accounts.worker_ping")
def worker_ping(token: str) -> dict[str, str]:
    """Record that a worker ran, so a round trip proves broker, worker and database are wired together."""
    from accounts.services import audit_record

    event = audit_record(actor=None, action="system.worker_ping", detail={"token": token})
    return {"token": token, "hostname": socket.gethostname(), "audit_event": str(event.pk)}
