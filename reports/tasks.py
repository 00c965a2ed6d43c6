"""Celery tasks for reports (routed to the ``pdf`` queue): thin wrappers that take ids and call services.

Each task is safe to run twice: the services look at the job and part state under a row lock.
Transient database errors are retried; anything else marks the job failed with its message.
Reports are official letters: they are always rendered in Indonesian (``official_language``), also
when Celery runs eagerly inside the request of a user who browses in English.
"""

from celery import chord, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)
PDF_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "max_retries": 3,
    "soft_time_limit": 15 * 60,
    "time_limit": 16 * 60,
}


def official_language():
    """Activate the site language (Indonesian) for the duration of a report task."""
    return translation.override(settings.LANGUAGE_CODE)


def _mark_failed(job_id, exc) -> None:
    from reports.services import report_fail

    report_fail(job_id=job_id, error=exc)


PART_TASKS = ("report_render_part", "report_stamp_part")


def _job_failure(self, exc, task_id, args, kwargs, einfo):
    job_id = kwargs.get("job_id") or (args[0] if args else None)
    if self.name.endswith(PART_TASKS):
        from reports.models import ReportPart

        job_id = ReportPart.objects.filter(pk=job_id).values_list("job_id", flat=True).first()
    if job_id is not None:
        _mark_failed(job_id, exc)


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_generate(self, job_id: str) -> str:
    """Generate a report; large ones fan out: the parts beside the front pages and the exports, then
    ``report_paginate``, which fans out the numbering of each part, then ``report_merge``.

    The export goes first (one long task: sent last, it ran alone after the parts while the other worker
    waited), then the parts, largest first, so the two workers finish together; the short front step last.
    """
    from reports.models import ReportPart
    from reports.services import report_generate as generate

    with official_language():
        outcome = generate(job_id=job_id)
    if outcome == "parts":
        part_ids = ReportPart.objects.filter(job_id=job_id).order_by("-row_count", "index").values_list("pk", flat=True)
        chord([report_export.si(job_id), *(report_render_part.si(part_id) for part_id in part_ids),
               report_render_front.si(job_id)])(report_paginate.si(job_id))
    return outcome


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_render_part(self, part_id: int) -> int:
    from reports.services import report_render_part as render_part

    with official_language():
        render_part(part_id=part_id)
    return part_id


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_render_front(self, job_id: str) -> str:
    from reports.services import report_render_front as render_front

    with official_language():
        render_front(job_id=job_id)
    return job_id


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_export(self, job_id: str) -> str:
    from reports.services import report_export as export

    with official_language():
        export(job_id=job_id)
    return job_id


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_paginate(self, job_id: str) -> str:
    """Fix the page offsets, then number each part in its own task and merge after them."""
    from reports.services import report_merge as merge
    from reports.services import report_paginate as paginate

    with official_language():
        part_ids = paginate(job_id=job_id)
        if not part_ids:
            merge(job_id=job_id)
            return job_id
    chord([report_stamp_part.si(part_id) for part_id in part_ids])(report_merge.si(job_id))
    return job_id


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_stamp_part(self, part_id: int) -> int:
    from reports.services import report_stamp_part as stamp_part

    with official_language():
        stamp_part(part_id=part_id)
    return part_id


@shared_task(bind=True, on_failure=_job_failure, **PDF_TASK_OPTIONS)
def report_merge(self, job_id: str) -> str:
    from reports.services import report_merge as merge

    with official_language():
        merge(job_id=job_id)
    return job_id


@shared_task(name="reports.jobs_watchdog")
def jobs_watchdog() -> dict:
    """Every few minutes (beat): run again the report, import and bulk jobs that stopped making progress."""
    from ppks.bulk import bulk_actions_watchdog
    from ppks.services import imports_watchdog
    from reports.services import reports_watchdog

    return {"reports": reports_watchdog(), "imports": imports_watchdog(), "bulk": bulk_actions_watchdog()}
