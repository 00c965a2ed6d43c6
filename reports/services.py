"""Report jobs: sending referral letters, requesting reports, generating them (in parts), downloads and checks.

Generation is idempotent: every step locks the job row and looks at its state first, so a task
that Celery delivers twice (acks_late, a worker lost mid-task) never writes a second file. A job
that fails records an Indonesian message and whether trying again can help (``ReportFailure``).
"""

import csv
import datetime
import gc
import hashlib
import io
import logging
import tempfile
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.offices import office_of, signatories_for
from accounts.scoping import scope_of
from accounts.services import audit_record
from config.caching import cache_get_quietly, cache_set_quietly
from config.files import stored_sha256, stream_sha256
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
    report_counts,
    report_rows,
    report_rows_iter,
    report_village_counts,
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


# A report is cut into at least this many parts (when it has rows enough), so two workers finish close
# together; parts below PART_MIN_ROWS would cost more in per-document overhead than they save.
PARTS_PER_REPORT = 8
PART_MIN_ROWS = 250


def _plan_parts(village_counts: list[dict]) -> list[tuple[list[str], list[str], int, int]]:
    """Consecutive kecamatan grouped into parts: (kecamatan codes, desa codes, first number, rows).

    A part holds at most min(REPORT_PART_ROWS, rows / PARTS_PER_REPORT) rows (at least PART_MIN_ROWS; a
    single desa may be more). A kecamatan larger than that is split by desa (whole desa, the desa codes
    listed), so the memory of rendering a part does not grow with the report. ``village_counts``: see
    ``report_village_counts``.
    """
    total = sum(row["count"] for row in village_counts)
    target = min(settings.REPORT_PART_ROWS, max(PART_MIN_ROWS, -(-total // PARTS_PER_REPORT)))
    districts: OrderedDict[str, list[tuple[str, int]]] = OrderedDict()
    for row in village_counts:
        districts.setdefault(row["district_code"], []).append((row["village_code"], row["count"]))
    parts, current, count, first = [], [], 0, 1
    for district_code, villages in districts.items():
        district_rows = sum(rows for _code, rows in villages)
        if district_rows > target and len(villages) > 1:
            if current:
                parts.append((current, [], first, count))
                first += count
                current, count = [], 0
            chunk, chunk_rows = [], 0
            for village_code, rows in villages:
                if chunk and chunk_rows + rows > target:
                    parts.append(([district_code], chunk, first, chunk_rows))
                    first += chunk_rows
                    chunk, chunk_rows = [], 0
                chunk.append(village_code)
                chunk_rows += rows
            parts.append(([district_code], chunk, first, chunk_rows))
            first += chunk_rows
            continue
        if current and count + district_rows > target:
            parts.append((current, [], first, count))
            first += count
            current, count = [], 0
        current.append(district_code)
        count += district_rows
        if count >= target:
            parts.append((current, [], first, count))
            first += count
            current, count = [], 0
    if current:
        parts.append((current, [], first, count))
    return parts


def report_generate(*, job_id) -> str:
    """Start (or resume) a job: count its rows, plan the parts; render small ones here, else return the steps.

    Returns ``"done"`` (nothing to do), ``"inline"`` (every step ran here, one after another) or ``"parts"``:
    the caller dispatches ``report_render_part`` for each part beside ``report_render_front`` and
    ``report_export``, then ``report_paginate``, a ``report_stamp_part`` per part, and ``report_merge``
    (``reports.tasks``). Only per-kecamatan counts are read here, never the rows: memory does not grow with them.
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
    summary = summary_table(report_counts(job))
    plan = _plan_parts(report_village_counts(job))
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job_id)
        locked.summary, locked.row_count, locked.progress = summary, summary["total"], max(locked.progress, 10)
        locked.save(update_fields=["row_count", "summary", "progress"])
        for index, (district_codes, village_codes, first_number, count) in enumerate(plan):
            ReportPart.objects.get_or_create(
                job=locked, index=index,
                defaults={"district_codes": district_codes, "village_codes": village_codes,
                          "first_number": first_number, "row_count": count},
            )
    if locked.parts.count() <= 1:
        report_steps_run(job_id=job_id)
        return "inline"
    return "parts"


def report_steps_run(*, job_id) -> None:
    """Every step after ``report_generate``, one after another in this process (small reports, the benchmark's
    one-process run): each part is rendered and released before the next, so memory stays that of one part."""
    for part_id in ReportPart.objects.filter(job_id=job_id).order_by("index").values_list("pk", flat=True):
        report_render_part(part_id=part_id)
        gc.collect()
    report_merge(job_id=job_id)


def _check_parameters(job: ReportJob) -> None:
    """Refuse, for good, a job whose parameters no longer make sense (they were checked when it was asked)."""
    if not Directorate.objects.filter(code=job.parameters.get("directorate")).exists():
        raise ReportFailure(_("Direktorat tujuan laporan ini tidak ada lagi."), retryable=False)
    if job.region_code and not region_exists(job.region_code):
        raise ReportFailure(_("Wilayah {code} tidak ditemukan; buat permintaan baru dengan wilayah yang benar.").format(
            code=job.region_code), retryable=False)


def report_export(*, job_id) -> None:
    """Write the CSV and XLSX of a job (skipped when stored): its own step beside the parts, rows streamed.

    The rows are read 2,000 at a time and written to temporary files (CSV UTF-8 with BOM for spreadsheet
    programs; XLSX in openpyxl's write-only mode), formulas neutralised; the job row is locked only to store them.
    """
    from openpyxl import Workbook

    job = ReportJob.objects.select_related("batch", "requested_by").get(pk=job_id)
    if job.csv and job.xlsx:
        return
    with tempfile.TemporaryFile() as csv_file, tempfile.TemporaryFile() as xlsx_file:
        text = io.TextIOWrapper(csv_file, encoding="utf-8", newline="")
        text.write("\ufeff")
        writer = csv.writer(text)
        writer.writerow([label for _key, label in EXPORT_COLUMNS])
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Rujukan")
        sheet.append([label for _key, label in EXPORT_COLUMNS])
        for row in report_rows_iter(job):
            values = [_cell(row[key]) for key, _label in EXPORT_COLUMNS]
            writer.writerow(values)
            sheet.append(values)
        text.flush()
        text.detach()
        workbook.save(xlsx_file)
        with transaction.atomic():
            locked = ReportJob.objects.select_for_update().get(pk=job_id)
            if locked.csv and locked.xlsx:
                return
            csv_file.seek(0)
            xlsx_file.seek(0)
            locked.csv.save("{}.csv".format(job_id), File(csv_file), save=False)
            locked.xlsx.save("{}.xlsx".format(job_id), File(xlsx_file), save=False)
            locked.save(update_fields=["csv", "xlsx"])


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return "" if value is None else value


def _group_rows(rows: list[dict], first_number: int, continued: str = "") -> list[dict]:
    """Rows nested by kecamatan and desa, numbered from ``first_number``; the kecamatan ``continued`` began
    in the part before (printed "(lanjutan)")."""
    districts: list[dict] = []
    for number, row in enumerate(rows, start=first_number):
        row["number"] = number
        if not districts or districts[-1]["code"] != row["district_code"]:
            districts.append({"code": row["district_code"], "name": row["district_name"], "villages": [],
                              "continued": row["district_code"] == continued})
        villages = districts[-1]["villages"]
        if not villages or villages[-1]["code"] != row["village_code"]:
            villages.append({"code": row["village_code"], "name": row["village_name"], "rows": []})
        villages[-1]["rows"].append(row)
    return districts


def _parts_progress(job_id, *, rendered_share: int, stamped_share: int) -> None:
    """Progress from the parts' states: rendering takes the job from 10 to 10 + ``rendered_share``, stamping
    adds ``stamped_share``."""
    states = list(ReportPart.objects.filter(job_id=job_id).values_list("state", flat=True))
    total = max(len(states), 1)
    rendered = sum(state in {ReportPart.State.DONE, ReportPart.State.STAMPED} for state in states)
    stamped = sum(state == ReportPart.State.STAMPED for state in states)
    _progress(job_id, 10 + int(rendered_share * rendered / total) + int(stamped_share * stamped / total))


def report_render_part(*, part_id: int) -> None:
    """Render one part's by-name list to PDF, without page numbers (skipped when already rendered).

    Only the part's own rows are read; no job row is locked while rendering, so parts run side by side.
    """
    part = ReportPart.objects.select_related("job__batch", "job__requested_by").get(pk=part_id)
    if part.state in {ReportPart.State.DONE, ReportPart.State.STAMPED} and part.pdf:
        return
    job = part.job
    rows = report_rows(job, district_codes=part.district_codes, village_codes=part.village_codes)
    before = job.parts.filter(index=part.index - 1).values_list("district_codes", flat=True).first() or []
    continued = part.district_codes[0] if part.village_codes and part.district_codes[0] in before else ""
    pdf = rendering.render_pdf("reports/pdf/list_part.html", {
        "title": job.get_kind_display(), "districts": _group_rows(rows, part.first_number, continued),
        "letter_number": _letter_number(job), "first_part": part.index == 0,
        "annex": letter_context(job)["annex"] if part.index == 0 else None,
        "full_nik": job_shows_full_nik(job),
    })
    del rows
    with transaction.atomic():
        locked = ReportPart.objects.select_for_update().get(pk=part_id)
        if locked.state in {ReportPart.State.DONE, ReportPart.State.STAMPED} and locked.pdf:
            return
        locked.pdf.save("{}-{}.pdf".format(job.pk, locked.index), ContentFile(pdf), save=False)
        locked.state, locked.page_count = ReportPart.State.DONE, rendering.page_count(pdf)
        locked.save(update_fields=["pdf", "state", "page_count"])
    _parts_progress(job.pk, rendered_share=60, stamped_share=25)


def report_render_front(*, job_id) -> None:
    """Render the letter (or the summary's first pages) and the summary map pages, unnumbered (skipped when stored).

    A step of its own beside the parts: its page count is the offset of the first part.
    """
    job = ReportJob.objects.select_related("batch__directorate", "batch__unit", "requested_by").get(pk=job_id)
    if job.front_pdf:
        return
    buffer = io.BytesIO()
    pages = rendering.concatenate([_front_pages(job), *summary_map_pages(job)], buffer)
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job_id)
        if locked.front_pdf:
            return
        locked.front_pdf.save("{}-front.pdf".format(job_id), ContentFile(buffer.getvalue()), save=False)
        locked.front_page_count = pages
        locked.save(update_fields=["front_pdf", "front_page_count"])


def report_paginate(*, job_id) -> list[int]:
    """Once the front pages and every part are rendered: fix the footer's time and return the parts to stamp.

    Raises when a part or the front pages are missing (the chord ran early, or a step was lost: the
    watchdog runs the job again). The page offsets follow from the stored page counts (``_page_offsets``).
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if job.state == ReportJob.State.DONE:
            return []
        states = dict(job.parts.values_list("pk", "state"))
        missing = [pk for pk, state in states.items()
                   if state not in {ReportPart.State.DONE, ReportPart.State.STAMPED}]
        if missing or not job.front_pdf:
            raise RuntimeError("Bagian laporan {} atau halaman depan belum selesai.".format(missing))
        if job.paginated_at is None:
            job.paginated_at = timezone.now()
            job.save(update_fields=["paginated_at"])
    return sorted(pk for pk, state in states.items() if state == ReportPart.State.DONE)


def _footer(job: ReportJob) -> dict[str, str]:
    generated_at = timezone.localtime(job.paginated_at)
    return {"footer_left": "SI-DBS · ID {} · {}".format(job.pk, generated_at.strftime("%d-%m-%Y %H:%M")),
            "classification": "RAHASIA" if job.kind == ReportJob.Kind.REFERRAL else ""}


def _page_offsets(job: ReportJob) -> tuple[dict[int, int], int]:
    """{part index: its first page number} and the total page count, from the stored page counts."""
    offsets, page = {}, job.front_page_count + 1
    for index, count in job.parts.order_by("index").values_list("index", "page_count"):
        offsets[index] = page
        page += count
    return offsets, page - 1


def report_stamp_part(*, part_id: int) -> None:
    """Number one rendered part's own pages ("Halaman X dari Y", footer, classification), once.

    The stamped file replaces the unstamped one under the part's lock; a part already stamped is
    skipped, so a redelivered task never stamps twice. The unstamped file goes after the commit.
    """
    part = ReportPart.objects.select_related("job").get(pk=part_id)
    if part.state == ReportPart.State.STAMPED:
        return
    job = part.job
    if part.state != ReportPart.State.DONE or not part.pdf or job.paginated_at is None:
        raise RuntimeError("Bagian laporan {} belum dapat diberi nomor halaman.".format(part.index))
    offsets, total = _page_offsets(job)
    with part.pdf.open("rb") as handle:
        stamped = rendering.stamp_pages(handle.read(), first_page=offsets[part.index], total=total, **_footer(job))
    with transaction.atomic():
        locked = ReportPart.objects.select_for_update().get(pk=part_id)
        if locked.state == ReportPart.State.STAMPED:
            return
        unstamped = locked.pdf.name
        locked.pdf.save("{}-{}-bernomor.pdf".format(job.pk, locked.index), ContentFile(stamped), save=False)
        locked.state = ReportPart.State.STAMPED
        locked.save(update_fields=["pdf", "state"])
        transaction.on_commit(lambda: default_storage.delete(unstamped))
    _parts_progress(job.pk, rendered_share=60, stamped_share=25)


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


def _steps_before_merge(job_id) -> None:
    """Whatever step is not done yet (a lost task, a watchdog run, a test calling the merge), here in order."""
    job = ReportJob.objects.get(pk=job_id)
    if not (job.csv and job.xlsx):
        report_export(job_id=job_id)
    for part_id in job.parts.exclude(state__in=[ReportPart.State.DONE, ReportPart.State.STAMPED]).values_list(
            "pk", flat=True):
        report_render_part(part_id=part_id)
    if not job.front_pdf:
        report_render_front(job_id=job_id)
    for part_id in report_paginate(job_id=job_id):
        report_stamp_part(part_id=part_id)


def report_merge(*, job_id) -> None:
    """Number the front pages, append the numbered parts after them, store the PDF and its SHA-256.

    The parts were numbered in their own steps: this only appends them, into a temporary file that is
    stored and hashed as it is read back. Steps not done yet run here first (``_steps_before_merge``).
    """
    if ReportJob.objects.filter(pk=job_id, state=ReportJob.State.DONE).exists():
        return
    _steps_before_merge(job_id)
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("batch__directorate", "batch__unit", "requested_by")
            .get(pk=job_id)
        )
        if job.state == ReportJob.State.DONE:
            return
        parts = list(job.parts.order_by("index"))
        missing = [part.index for part in parts if part.state != ReportPart.State.STAMPED or not part.pdf]
        if missing or not job.front_pdf or not job.csv or job.paginated_at is None:
            raise RuntimeError("Bagian laporan {} belum selesai.".format(missing))
        _offsets, total = _page_offsets(job)
        with job.front_pdf.open("rb") as handle:
            front = rendering.stamp_pages(handle.read(), first_page=1, total=total, **_footer(job))
        with tempfile.TemporaryFile() as merged:
            handles = [part.pdf.open("rb") for part in parts]
            try:
                pages = rendering.concatenate([front, *handles], merged)
            finally:
                for handle in handles:
                    handle.close()
            merged.seek(0)
            job.sha256 = stream_sha256(merged)
            merged.seek(0)
            job.pdf.save("{}.pdf".format(job.pk), File(merged), save=False)
        job.page_count, job.progress, job.state = pages, 100, ReportJob.State.DONE
        job.finished_at = timezone.now()
        front_name = job.front_pdf.name
        job.save(update_fields=["pdf", "sha256", "page_count", "progress", "state", "finished_at"])
        # The parts' files go only once the merged file is committed: a failure at commit leaves them for the retry.
        part_files = [part.pdf.name for part in parts]
        transaction.on_commit(lambda: _part_files_delete(job.pk, part_files, front_name))
        audit_record(actor=job.requested_by, action="reports.generated", obj=job,
                     detail={"rows": job.row_count, "pages": pages, "sha256": job.sha256})


def _part_files_delete(job_id, names: list[str], front_name: str = "") -> None:
    """Remove the rendered parts and front pages of a merged report (after its commit); the part rows keep
    their page counts."""
    for name in [*names, front_name]:
        if name:
            default_storage.delete(name)
    ReportPart.objects.filter(job_id=job_id).update(pdf="")
    ReportJob.objects.filter(pk=job_id).update(front_pdf="")


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
