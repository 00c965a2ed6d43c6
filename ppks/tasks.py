"""Celery tasks of the PPKS registry: thin wrappers that load ids and call services."""

from celery import shared_task

from ppks import services
from ppks.models import ImportJob


@shared_task(name="ppks.registrations_import")
def registrations_import_task(job_id: int) -> str:
    """Import a queued file; a redelivered task for a finished job does nothing (acks_late safe)."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.is_finished:
        return job.state
    return services.registrations_import(job=job).state


@shared_task(name="ppks.apply_retention")
def apply_retention_task() -> dict:
    """Anonymise the people past the retention period (daily, from Celery beat); safe to run twice."""
    from ppks.privacy import retention_apply

    return retention_apply()


@shared_task(name="ppks.referrals_overdue_notify")
def referrals_overdue_notify_task() -> int:
    """Tell senders about referrals still unanswered past SIDBS_REFERRAL_ANSWER_DAYS (daily; once per letter)."""
    from ppks.referral_services import referrals_overdue_notify

    return referrals_overdue_notify()


@shared_task(name="ppks.merge_undo_expire")
def merge_undo_expire_task() -> int:
    """Forget what undoing a merge would need once SIDBS_MERGE_UNDO_HOURS have passed (daily, from beat)."""
    from ppks.merge_services import merge_undo_states_expire

    return merge_undo_states_expire()


@shared_task(name="ppks.bulk_action_run")
def bulk_action_task(job_id: int) -> str:
    """Run a queued bulk submit/verify/reject; a redelivered task continues after the last committed batch."""
    from ppks.bulk import bulk_action_run
    from ppks.models import BulkAction

    if not BulkAction.objects.filter(pk=job_id).exists():
        return "missing"
    job = bulk_action_run(job_pk=job_id)
    return "{}/{}".format(job.succeeded, job.total)
