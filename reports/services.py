"""Report jobs: sending referral letters, requesting reports, generating them (in parts), downloads and checks.

Generation is idempotent: every step locks the job row and looks at its state first, so a task
that Celery delivers twice (acks_late, a worker lost mid-task) never writes a second file. A job
that fails records an Indonesian message and whether trying again can help (``ReportFailure``).
"""

import csv
import datetime
import hashlib
import io
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.offices import office_of, signatories_for
from accounts.scoping import scope_of
from accounts.services import audit_record
from config.caching import cache_get_quietly, cache_set_quietly
from config.files import stored_sha256
from config.outage import enqueue_on_commit, task_queue_required
from ppks.exports import safe_cell
from ppks.models import Directorate, ServiceUnit
from ppks.permissions import can_verify, full_nik_allowed, role_of
from ppks.referral_services import LetterRequest, referral_letter_create
from reports import rendering
from reports.maps import summary_map_pages, village_map_pages
from reports.models import ReportJob, ReportPart
from reports.selectors import (
    document_kop,
    emblem_data_uri,
    job_shows_full_nik,
    letter_context,
    region_exists,
    report_rows,
    rows_by_district,
    summary_table,
    village_profile_context,
)

logger = logging.getLogger(__name__)

EXPORT_COLUMNS = (
    ("name", "Nama"), ("nik_shown", "NIK"), ("kk_shown", "No. KK"), ("sex", "Jenis kelamin"),
    ("birth_date", "Tanggal lahir"), ("district_name", "Kecamatan"), ("village_name", "Desa/Kelurahan"),
    ("village_code", "Kode desa"), ("dusun", "Dusun"), ("rt", "RT"), ("rw", "RW"), ("street_address", "Alamat"),
    ("category_code", "Kode kategori"), ("category_name", "Kategori"), ("verified_at", "Diverifikasi"),
    ("needs", "Kebutuhan"),
)
REPORT_ROLES = frozenset({"admin", "kemensos_analyst", "dinsos_provinsi", "dinsos_kabupaten"})


class ReportFailure(Exception):
    """A report that cannot be made; ``message`` (Indonesian) is shown, ``retryable`` says if trying again helps."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message, retryable)  # both in args, so the error survives pickling (Celery)
        self.message = message
        self.retryable = retryable

    def __str__(self) -> str:
        return self.message


def _require_region(actor, region_code: str) -> None:
    scope = scope_of(actor)
    if region_code and not region_exists(region_code):
        raise ValidationError({"region_code": [_("Wilayah {code} tidak ditemukan.").format(code=region_code)]})
    if region_code and not scope.covers(region_code):
        raise PermissionDenied(_("Wilayah {code} di luar wilayah kerja Anda.").format(code=region_code))
    if not region_code and not scope.national:
        raise PermissionDenied(_("Laporan nasional hanya untuk peran nasional."))


@transaction.atomic
def referral_send(*, actor, region_code: str, directorate: Directorate, registration_ids: list[int],
                  signatory=None, unit: ServiceUnit | None = None, copies_to=None, excluded_ids=()) -> ReportJob:
    """On the user's confirmation: send the letter (``ppks.referral_services``) and queue its PDF.

    Without ``signatory`` the office's head signs (or its first active signatory); without
    ``copies_to`` the office's standing Tembusan list is used. ``excluded_ids`` are the people the
    sender dropped on the preview: they stay verified and are not in the letter (the job records how many).
    """
    if not can_verify(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat mengirim rujukan."))
    excluded = {int(pk) for pk in excluded_ids} & set(registration_ids)
    registration_ids = [pk for pk in registration_ids if pk not in excluded]
    if not registration_ids:
        raise ValidationError(_("Semua orang dikeluarkan dari pratinjau; tidak ada yang dirujuk."))
    _require_region(actor, region_code)
    office = office_of(actor)
    if signatory is None:
        signatory = signatories_for(office).first()
    if copies_to is None:
        copies_to = office.copies_to_lines() if office is not None else []
    task_queue_required()
    batch = referral_letter_create(actor=actor, request=LetterRequest(
        region_code=region_code, directorate=directorate, registration_ids=registration_ids, signatory=signatory,
        unit=unit, copies_to=tuple(copies_to),
    ))
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.REFERRAL, region_code=region_code, batch=batch, requested_by=actor,
        parameters={"directorate": directorate.code, "letter_number": batch.letter_number,
                    **({"excluded": len(excluded)} if excluded else {})},
    )
    _enqueue(job)
    return job


@transaction.atomic
def report_request(
    *, actor, region_code: str, directorate: Directorate, period_from: datetime.date | None = None,
    period_to: datetime.date | None = None, categories: list[str] | None = None,
) -> ReportJob:
    """Request a summary of registrations already referred to ``directorate`` (NIK masked)."""
    if role_of(actor) not in REPORT_ROLES:
        raise PermissionDenied(_("Peran Anda tidak dapat meminta laporan."))
    _require_region(actor, region_code)
    if period_from and period_to and period_from > period_to:
        raise ValidationError({"period_to": [_("Akhir periode tidak boleh sebelum awal periode.")]})
    task_queue_required()
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.REFERRAL_SUMMARY, region_code=region_code, requested_by=actor,
        parameters={
            "directorate": directorate.code,
            "period_from": period_from.isoformat() if period_from else None,
            "period_to": period_to.isoformat() if period_to else None,
            "categories": sorted(categories or []),
        },
    )
    audit_record(actor=actor, action="reports.request", obj=job, detail=job.parameters)
    _enqueue(job)
    return job


@transaction.atomic
def village_profile_request(*, actor, village) -> ReportJob:
    """Request the profile report of one village (profile, latest scores with chart, action plan status)."""
    if role_of(actor) not in REPORT_ROLES:
        raise PermissionDenied(_("Peran Anda tidak dapat meminta laporan."))
    if not scope_of(actor).covers(village.code):
        raise PermissionDenied(_("Desa {code} di luar wilayah kerja Anda.").format(code=village.code))
    task_queue_required()
    job = ReportJob.objects.create(kind=ReportJob.Kind.VILLAGE_PROFILE, region_code=village.code,
                                   requested_by=actor, parameters={"village": village.code})
    audit_record(actor=actor, action="reports.request", obj=job, detail=job.parameters)
    _enqueue(job)
    return job


def may_download_original(job: ReportJob, user) -> bool:
    """Whether ``user`` may download this job's own files: always, unless they carry full NIKs that the
    NIK rule does not let the user see (then they get the masked copy, ``referral_masked_copy``)."""
    return not job_shows_full_nik(job) or full_nik_allowed(user, "referral_letter")


@transaction.atomic
def referral_masked_copy(*, job: ReportJob, actor) -> ReportJob:
    """The copy of a referral letter with NIK and No. KK masked, made once and shared by every reader."""
    job = ReportJob.objects.select_for_update().get(pk=job.pk)
    if not job_shows_full_nik(job):
        return job
    copy = job.masked_copies.order_by("created_at").first()
    if copy is None:
        task_queue_required()
        copy = ReportJob.objects.create(
            kind=job.kind, region_code=job.region_code, batch=job.batch, requested_by=job.requested_by,
            parameters={**job.parameters, "nik": "masked"}, masked_copy_of=job,
        )
        audit_record(actor=actor, action="reports.masked_copy", obj=copy, detail={"original": str(job.pk)})
        _enqueue(copy)
    return copy


def _enqueue(job: ReportJob) -> None:
    from reports.tasks import report_generate as report_generate_task

    enqueue_on_commit(report_generate_task, str(job.pk))


@transaction.atomic
def report_retry(*, job: ReportJob, actor) -> ReportJob:
    """Queue again a job that failed, or that stalled (no progress for SIDBS_REPORT_STALL_MINUTES); parts
    already rendered are reused."""
    job = ReportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != ReportJob.State.FAILED and not job.is_stalled:
        raise ValidationError(_("Hanya laporan yang gagal atau macet yang dapat diulang."))
    if job.state == ReportJob.State.FAILED and not job.retryable:
        raise ValidationError(_("Laporan ini tidak akan berhasil bila diulang; buat permintaan baru."))
    task_queue_required()
    _requeue(job)
    audit_record(actor=actor, action="reports.retry", obj=job)
    return job


def _requeue(job: ReportJob) -> None:
    """Back to the queue from what the database says is done (files, parts); the tasks skip finished work."""
    job.state, job.error, job.touched_at = ReportJob.State.QUEUED, "", timezone.now()
    job.save(update_fields=["state", "error", "touched_at"])
    _enqueue(job)


def reports_watchdog(*, now=None) -> dict[str, int]:
    """Run again every report job that stalled (a worker lost, a chord lost with Redis, a failure the worker
    could not record); after SIDBS_JOB_MAX_ATTEMPTS runs, mark it failed with a message that says so."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES)
    outcome = {"requeued": 0, "failed": 0}
    stalled = ReportJob.objects.filter(state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING],
                                       touched_at__lt=limit).values_list("pk", flat=True)
    for job_id in list(stalled):
        with transaction.atomic():
            job = ReportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id,
                                                                               touched_at__lt=limit).first()
            if job is None or job.state not in {ReportJob.State.QUEUED, ReportJob.State.RUNNING}:
                continue  # finished or picked up meanwhile, or locked by a worker at this moment
            if job.attempts >= settings.SIDBS_JOB_MAX_ATTEMPTS:
                job.state, job.retryable, job.finished_at = ReportJob.State.FAILED, True, now
                job.error = _("Laporan berhenti berulang kali tanpa selesai ({count} percobaan). Coba ulangi nanti; "
                              "bila tetap gagal, hubungi administrator.").format(count=job.attempts)
                job.save(update_fields=["state", "retryable", "finished_at", "error"])
                outcome["failed"] += 1
                continue
            _requeue(job)
            audit_record(actor=None, action="reports.watchdog_requeue", obj=job,
                         detail={"attempts": job.attempts, "progress": job.progress})
            outcome["requeued"] += 1
    return outcome


def _progress(job_id, value: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=value, touched_at=timezone.now())


def _plan_parts(rows: list[dict]) -> list[tuple[list[str], int, int]]:
    """Consecutive kecamatan grouped into parts of about REPORT_PART_ROWS rows: (codes, first number, rows)."""
    target = settings.REPORT_PART_ROWS
    parts, current, count, first = [], [], 0, 1
    for district_code, district_rows in rows_by_district(rows).items():
        current.append(district_code)
        count += district_rows
        if count >= target:
            parts.append((current, first, count))
            first += count
            current, count = [], 0
    if current:
        parts.append((current, first, count))
    return parts


def report_generate(*, job_id) -> str:
    """Start (or resume) a job: export files, plan parts; render inline or return the parts to fan out.

    Returns ``"done"`` (nothing to do), ``"inline"`` (rendered here) or ``"parts"`` (caller dispatches
    ``report_render_part`` for each part and then ``report_merge``).
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update(of=("self",)).select_related("batch", "requested_by").get(pk=job_id)
        if job.state == ReportJob.State.DONE:
            return "done"
        job.state, job.started_at, job.error = ReportJob.State.RUNNING, job.started_at or timezone.now(), ""
        job.attempts, job.touched_at = F("attempts") + 1, timezone.now()
        job.save(update_fields=["state", "started_at", "error", "attempts", "touched_at"])
        if job.kind == ReportJob.Kind.VILLAGE_PROFILE:
            job.refresh_from_db()
            _village_profile_render(job)
            return "inline"
    job.refresh_from_db()
    _check_parameters(job)
    rows = report_rows(job)
    summary = summary_table(rows)
    export_csv, export_xlsx = _exports(rows)
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job_id)
        if not locked.csv:
            locked.csv.save("{}.csv".format(job_id), ContentFile(export_csv), save=False)
            locked.xlsx.save("{}.xlsx".format(job_id), ContentFile(export_xlsx), save=False)
        locked.row_count, locked.summary, locked.progress = len(rows), summary, 15
        locked.save(update_fields=["csv", "xlsx", "row_count", "summary", "progress"])
        for index, (district_codes, first_number, count) in enumerate(_plan_parts(rows)):
            ReportPart.objects.get_or_create(
                job=locked, index=index,
                defaults={"district_codes": district_codes, "first_number": first_number, "row_count": count},
            )
    if locked.parts.count() <= 1:
        for part in locked.parts.all():
            report_render_part(part_id=part.pk, rows=rows)
        report_merge(job_id=job_id)
        return "inline"
    return "parts"


def _check_parameters(job: ReportJob) -> None:
    """Refuse, for good, a job whose parameters no longer make sense (they were checked when it was asked)."""
    if not Directorate.objects.filter(code=job.parameters.get("directorate")).exists():
        raise ReportFailure(_("Direktorat tujuan laporan ini tidak ada lagi."), retryable=False)
    if job.region_code and not region_exists(job.region_code):
        raise ReportFailure(_("Wilayah {code} tidak ditemukan; buat permintaan baru dengan wilayah yang benar.").format(
            code=job.region_code), retryable=False)


def _exports(rows: list[dict]) -> tuple[bytes, bytes]:
    """The same rows as the PDF, as CSV (UTF-8 with BOM for spreadsheet programs) and XLSX, formulas neutralised."""
    from openpyxl import Workbook

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([label for _key, label in EXPORT_COLUMNS])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rujukan")
    sheet.append([label for _key, label in EXPORT_COLUMNS])
    for row in rows:
        values = [_cell(row[key]) for key, _label in EXPORT_COLUMNS]
        writer.writerow(values)
        sheet.append(values)
    binary = io.BytesIO()
    workbook.save(binary)
    return ("\ufeff" + text.getvalue()).encode("utf-8"), binary.getvalue()


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return "" if value is None else value


def _group_rows(rows: list[dict], first_number: int) -> list[dict]:
    districts: list[dict] = []
    for number, row in enumerate(rows, start=first_number):
        row["number"] = number
        if not districts or districts[-1]["code"] != row["district_code"]:
            districts.append({"code": row["district_code"], "name": row["district_name"], "villages": []})
        villages = districts[-1]["villages"]
        if not villages or villages[-1]["code"] != row["village_code"]:
            villages.append({"code": row["village_code"], "name": row["village_name"], "rows": []})
        villages[-1]["rows"].append(row)
    return districts


def report_render_part(*, part_id: int, rows: list[dict] | None = None) -> None:
    """Render one part's by-name list to PDF (skipped when already rendered)."""
    part = ReportPart.objects.select_related("job__batch", "job__requested_by").get(pk=part_id)
    if part.state == ReportPart.State.DONE and part.pdf:
        return
    job = part.job
    if rows is None:
        rows = report_rows(job, district_codes=part.district_codes)
    else:
        rows = [row for row in rows if row["district_code"] in set(part.district_codes)]
    pdf = rendering.render_pdf("reports/pdf/list_part.html", {
        "title": job.get_kind_display(), "districts": _group_rows(rows, part.first_number),
        "letter_number": _letter_number(job), "first_part": part.index == 0,
        "annex": letter_context(job)["annex"] if part.index == 0 else None,
        "full_nik": job_shows_full_nik(job),
    })
    with transaction.atomic():
        locked = ReportPart.objects.select_for_update().get(pk=part_id)
        if locked.state == ReportPart.State.DONE and locked.pdf:
            return
        locked.pdf.save("{}-{}.pdf".format(job.pk, locked.index), ContentFile(pdf), save=False)
        locked.state, locked.page_count = ReportPart.State.DONE, rendering.page_count(pdf)
        locked.save(update_fields=["pdf", "state", "page_count"])
        total = job.parts.count()
        done = job.parts.filter(state=ReportPart.State.DONE).count()
        _progress(job.pk, 15 + int(75 * done / max(total, 1)))


def _letter_number(job: ReportJob) -> str:
    return job.batch.letter_number if job.batch_id else "REKAP/{}".format(str(job.pk)[:8].upper())


def verify_url(job: ReportJob) -> str:
    return settings.SITE_URL + reverse("reports:verify", kwargs={"pk": job.pk})


def _front_pages(job: ReportJob) -> bytes:
    """The letter (with Lampiran I) for a referral, or the summary's first pages for a rekap."""
    context = {
        **letter_context(job), "title": job.get_kind_display(), "summary": job.summary,
        "qr": rendering.qr_data_uri(verify_url(job)), "verify_url": verify_url(job), "document_id": job.pk,
        "full_nik": job_shows_full_nik(job), "masked_copy": job.masked_copy_of_id is not None,
    }
    template = "reports/pdf/letter.html" if job.kind == ReportJob.Kind.REFERRAL else "reports/pdf/summary.html"
    return rendering.render_pdf(template, context)


def report_merge(*, job_id) -> None:
    """Render the letter, merge it with the parts, stamp page numbers, store the PDF and its SHA-256."""
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("batch__directorate", "batch__unit", "requested_by")
            .get(pk=job_id)
        )
        if job.state == ReportJob.State.DONE:
            return
        parts = list(job.parts.order_by("index"))
        missing = [part.index for part in parts if part.state != ReportPart.State.DONE or not part.pdf]
        if missing:
            raise RuntimeError("Bagian laporan {} belum selesai.".format(missing))
        generated_at = timezone.localtime()
        part_pdfs = [part.pdf.open("rb").read() for part in parts]
        footer = "SI-DBS · ID {} · {}".format(job.pk, generated_at.strftime("%d-%m-%Y %H:%M"))
        classification = "RAHASIA" if job.kind == ReportJob.Kind.REFERRAL else ""
        pdf, pages = rendering.merge_with_footer([_front_pages(job), *summary_map_pages(job), *part_pdfs],
                                                 footer_left=footer, classification=classification)
        job.pdf.save("{}.pdf".format(job.pk), ContentFile(pdf), save=False)
        job.sha256 = hashlib.sha256(pdf).hexdigest()
        job.page_count, job.progress, job.state = pages, 100, ReportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["pdf", "sha256", "page_count", "progress", "state", "finished_at"])
        # The parts' files go only once the merged file is committed: a failure at commit leaves them for the retry.
        part_files = [part.pdf.name for part in parts]
        transaction.on_commit(lambda: _part_files_delete(job.pk, part_files))
        audit_record(actor=job.requested_by, action="reports.generated", obj=job,
                     detail={"rows": job.row_count, "pages": pages, "sha256": job.sha256})


def _part_files_delete(job_id, names: list[str]) -> None:
    """Remove the rendered parts of a merged report (after its commit); the part rows keep their page counts."""
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
    ReportPart.objects.filter(job_id=job_id).update(pdf="")


def _village_profile_render(job: ReportJob) -> None:
    """Render and store the one-part village profile PDF (under the job lock held by the caller)."""
    context = village_profile_context(job)
    generated_at = timezone.localtime()
    pdf = rendering.render_pdf("reports/pdf/village_profile.html", {
        **context, "title": job.get_kind_display(), "generated_at": generated_at, "kop": document_kop(job),
        "emblem": emblem_data_uri(document_kop(job).get("emblem", "")),
        "qr": rendering.qr_data_uri(verify_url(job)), "verify_url": verify_url(job), "document_id": job.pk,
    })
    footer = "SI-DBS · ID {} · {}".format(job.pk, generated_at.strftime("%d-%m-%Y %H:%M"))
    merged, pages = rendering.merge_with_footer([pdf, *village_map_pages(job)], footer_left=footer)
    job.pdf.save("{}.pdf".format(job.pk), ContentFile(merged), save=False)
    job.sha256 = hashlib.sha256(merged).hexdigest()
    job.page_count, job.progress, job.state, job.finished_at = pages, 100, ReportJob.State.DONE, timezone.now()
    job.row_count = 1
    job.save(update_fields=["pdf", "sha256", "page_count", "progress", "state", "finished_at", "row_count"])
    audit_record(actor=job.requested_by, action="reports.generated", obj=job,
                 detail={"pages": pages, "sha256": job.sha256})


def failure_of(error: BaseException) -> ReportFailure:
    """What to tell the user about a job that stopped with ``error``, and whether a retry can help."""
    if isinstance(error, ReportFailure):
        return error
    if isinstance(error, (ObjectDoesNotExist, ValidationError, PermissionDenied, rendering.BlockedURLError)):
        return ReportFailure(_("Data yang diminta laporan ini tidak ada atau tidak boleh dibaca lagi; mengulang tidak "
                               "akan membantu. Buat permintaan baru."), retryable=False)
    return ReportFailure(_("Laporan gagal dibuat karena gangguan sistem ({kind}). Coba ulangi; bila gagal lagi, "
                           "hubungi administrator.").format(kind=type(error).__name__), retryable=True)


def report_fail(*, job_id, error: BaseException) -> None:
    """Mark a job failed with its Indonesian message and whether a retry can help (technical detail goes to the log)."""
    failure = failure_of(error)
    logger.error("Laporan %s gagal: %s: %s", job_id, type(error).__name__, error)
    ReportJob.objects.filter(pk=job_id).exclude(state=ReportJob.State.DONE).update(
        state=ReportJob.State.FAILED, error=failure.message[:2000], retryable=failure.retryable,
        finished_at=timezone.now(),
    )


def report_download_record(*, job: ReportJob, actor, file_format: str, request=None) -> None:
    audit_record(actor=actor, action="reports.download", obj=job, detail={"format": file_format}, request=request)


def report_verify(*, job: ReportJob, content: bytes | None, request=None) -> dict[str, bool | str]:
    """Compare an uploaded PDF (and the stored file) with the SHA-256 recorded at generation.

    The stored file is hashed at most once per ``STORED_CHECK_SECONDS`` (opening the page by its QR
    code again and again costs a cache read); a check of an uploaded document is audited.
    """
    result: dict[str, bool | str] = {"stored_ok": stored_matches(job)}
    if content is not None:
        digest = hashlib.sha256(content).hexdigest()
        result.update(uploaded_sha256=digest, uploaded_ok=digest == job.sha256)
        audit_record(actor=getattr(request, "user", None), action="reports.verify", obj=job,
                     detail=dict(result), request=request)
    return result


STORED_CHECK_SECONDS = 600


def stored_matches(job: ReportJob) -> bool:
    """Whether the stored PDF still has the SHA-256 recorded at generation (remembered for ten minutes)."""
    if not job.pdf:
        return False
    key = "reports:stored-ok:{}:{}".format(job.pk, job.sha256)
    cached = cache_get_quietly(key)
    if cached is None:
        cached = stored_sha256(job.pdf) == job.sha256
        cache_set_quietly(key, cached, STORED_CHECK_SECONDS)
    return cached
