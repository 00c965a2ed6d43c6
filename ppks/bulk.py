"""Bulk submit, verify and reject: many registrations, each through ``services.registration_transition``.

A selection becomes a ``BulkAction``. Every record still goes through the one workflow service, so it
gets its own history event, audit event and notification, and the workflow rules (status, role,
reason, scope) are checked per record. Records are handled in batches of ``BATCH_SIZE``, one
transaction per batch; a record a rule refuses is rolled back alone (a savepoint) and reported with
the reason, and the rest proceed. So a bulk action is **not** all-or-nothing: the result page lists
every record that was not changed and why.

Selections up to ``SIDBS_BULK_SYNC_LIMIT`` are handled inside the request; larger ones by the Celery
task ``ppks.bulk_action_run`` while the result page shows the progress. The selection is checked
against ``visible_to(requester)`` when it arrives: a selection with any id outside the requester's
scope is refused as a whole, before anything changes.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import visible_to
from accounts.services import audit_record
from config.outage import enqueue_on_commit, task_queue_required
from ppks import services
from ppks.models import BulkAction, Registration
from ppks.permissions import role_of
from ppks.workflow import TRANSITIONS

BATCH_SIZE = 100
# The most registrations one bulk action may take (the list's count cap): beyond it, narrow the filters.
MAX_SELECTION = 10_000


def bulk_action_create(*, actor, action: str, registration_ids, note: str = "",
                       request_token: uuid.UUID | None = None) -> BulkAction:
    """Check a selection and record it as a ``BulkAction``; run it now or queue it (above the sync limit).

    ``request_token`` (the form's one-time token) makes a resend return the action made the first time.
    Raises ``ValidationError`` (unknown action, empty or too large selection, missing reason) or
    ``PermissionDenied`` (a role that may not do this, ids outside the actor's scope) before anything changes.
    """
    if request_token is not None:
        existing = BulkAction.objects.filter(request_token=request_token).first()
        if existing is not None:
            if existing.requested_by_id != actor.pk:
                raise PermissionDenied(_("Permintaan ini milik pengguna lain."))
            return existing
    transition = TRANSITIONS.get(action)
    if transition is None or action not in BulkAction.Action.values:
        raise ValidationError(_("Tindakan massal '{action}' tidak dikenal.").format(action=action))
    if role_of(actor) not in transition.roles:
        raise PermissionDenied(
            _("Peran Anda tidak dapat melakukan '{action}' pada registrasi.").format(action=transition.label))
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ValidationError({"note": [_("Alasan penolakan wajib diisi; alasan yang sama berlaku untuk semua "
                                          "registrasi terpilih.")]})
    ids = list(dict.fromkeys(int(pk) for pk in registration_ids))
    if not ids:
        raise ValidationError(_("Pilih setidaknya satu registrasi."))
    if len(ids) > MAX_SELECTION:
        raise ValidationError(_("Terlalu banyak registrasi terpilih ({count}); paling banyak {limit} sekaligus. "
                                "Saring daftar lalu ulangi.").format(count=len(ids), limit=MAX_SELECTION))
    visible = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        visible.update(visible_to(actor, Registration.objects.filter(pk__in=chunk)).values_list("pk", flat=True))
    outside = len(ids) - len(visible)
    if outside:
        raise PermissionDenied(_("{count} registrasi terpilih tidak ditemukan atau di luar wilayah kerja Anda; "
                                 "tidak ada yang diproses.").format(count=outside))
    job = BulkAction.objects.create(action=action, note=note, requested_by=actor, request_token=request_token,
                                    registration_ids=ids, total=len(ids))
    audit_record(actor=actor, action="ppks.registration.bulk_request", obj=job,
                 detail={"action": action, "count": len(ids), "with_note": bool(note)})
    if len(ids) <= settings.SIDBS_BULK_SYNC_LIMIT:
        return bulk_action_run(job_pk=job.pk)
    from ppks.tasks import bulk_action_task

    task_queue_required()
    enqueue_on_commit(bulk_action_task, job.pk)
    return job


def bulk_action_run(*, job_pk: int) -> BulkAction:
    """Handle the rest of a bulk action, batch by batch (from the request or the Celery task).

    Each batch locks the job row first and continues from its committed ``processed`` count, so a
    redelivered task or two workers on the same job never handle a record twice. Safe to call again
    on a finished job (it returns it unchanged).
    """
    while True:
        with transaction.atomic():
            job = BulkAction.objects.select_for_update().select_related("requested_by").get(pk=job_pk)
            if job.is_finished:
                return job
            if job.started_at is None:
                job.started_at = timezone.now()
            batch = job.registration_ids[job.processed:job.processed + BATCH_SIZE]
            failures = _run_batch(job, batch)
            job.processed += len(batch)
            job.succeeded += len(batch) - len(failures)
            job.failures = job.failures + failures
            if job.processed >= job.total:
                job.finished_at = timezone.now()
                audit_record(actor=job.requested_by, action="ppks.registration.bulk", obj=job,
                             detail={"action": job.action, "count": job.total, "succeeded": job.succeeded,
                                     "failed": len(job.failures)})
            job.save(update_fields=["started_at", "processed", "succeeded", "failures", "finished_at"])
        if job.is_finished:
            return job


def _run_batch(job: BulkAction, ids: list[int]) -> list[dict]:
    """Apply the job's action to each registration of one batch; returns ``{"id", "reason"}`` per refusal."""
    actor = job.requested_by
    registrations = {registration.pk: registration for registration in Registration.objects.filter(pk__in=ids)}
    failures = []
    for pk in ids:
        registration = registrations.get(pk)
        if registration is None:
            failures.append({"id": pk, "reason": _("Registrasi sudah tidak ada (draf dihapus).")})
            continue
        try:
            with transaction.atomic():
                services.registration_transition(registration=registration, action=job.action, actor=actor,
                                                 note=job.note)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            failures.append({"id": pk, "reason": " ".join(messages)})
    return failures


def bulk_action_get(*, user, pk: int) -> BulkAction:
    """A bulk action, for the user who requested it."""
    from django.http import Http404

    job = BulkAction.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job


def failure_rows(*, user, job: BulkAction, limit: int = 500) -> list[dict]:
    """The refused records with the person's name (looked up now, within the user's scope) and the reason."""
    shown = job.failures[:limit]
    names = dict(
        visible_to(user, Registration.objects.filter(pk__in=[failure["id"] for failure in shown]))
        .values_list("pk", "person__name")
    )
    return [{"id": failure["id"], "name": names.get(failure["id"], ""), "reason": failure["reason"]}
            for failure in shown]


def bulk_actions_watchdog(*, now=None) -> int:
    """Queue again the bulk actions left unfinished for SIDBS_REPORT_STALL_MINUTES (a task lost with Redis,
    a worker that died); returns how many. A second runner of a running action is harmless: batches lock
    the action and continue from its committed count."""
    import datetime

    from ppks.tasks import bulk_action_task

    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES)
    stalled = list(BulkAction.objects.filter(finished_at__isnull=True, created_at__lt=limit)
                   .values_list("pk", flat=True))
    for job_pk in stalled:
        enqueue_on_commit(bulk_action_task, job_pk)
    return len(stalled)
