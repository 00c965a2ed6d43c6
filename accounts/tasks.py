"""Celery tasks of the accounts app."""

import socket

from celery import shared_task


@shared_task(name="accounts.worker_ping")
def worker_ping(token: str) -> dict[str, str]:
    """Record that a worker ran, so a round trip proves broker, worker and database are wired together."""
    from accounts.services import audit_record

    event = audit_record(actor=None, action="system.worker_ping", detail={"token": token})
    return {"token": token, "hostname": socket.gethostname(), "audit_event": str(event.pk)}


@shared_task(name="accounts.notifications_email", autoretry_for=(ConnectionError, OSError), retry_backoff=30,
             max_retries=5)
def notifications_email(notification_ids: list[int]) -> int:
    """Mail the given notifications (each once; the mail names no person)."""
    from accounts.notifications import notifications_email_send

    return notifications_email_send(notification_ids=notification_ids)


@shared_task(name="accounts.form_tokens_expire")
def form_tokens_expire() -> int:
    """Forget one-time form tokens older than SIDBS_FORM_TOKEN_HOURS (a resend after that is a new request)."""
    from accounts.services import form_tokens_expire as expire

    return expire()
