"""Writes that belong to accounts: the audit trail and demo/user set-up."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import AuditEvent, FormSubmission, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` (``ppks.registration.verify``) to ``obj``.

    Called by services inside their transaction, so an action that rolls back leaves no event.
    ``object_repr`` is ``obj.audit_label`` when the model has one (people are recorded as
    ``Orang #12``, not by name, so an anonymised person cannot be recovered from the trail).
    """
    ip_address = None
    if request is not None:
        ip_address = request.META.get("REMOTE_ADDR") or None
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(getattr(obj, "audit_label", obj))[:200] if obj is not None else "",
        ip_address=ip_address,
        detail=detail or {},
    )


def form_tokens_expire() -> int:
    """Delete one-time form tokens older than ``SIDBS_FORM_TOKEN_HOURS``; returns how many."""
    limit = timezone.now() - datetime.timedelta(hours=settings.SIDBS_FORM_TOKEN_HOURS)
    deleted, _counts = FormSubmission.objects.filter(created_at__lt=limit).delete()
    return deleted
