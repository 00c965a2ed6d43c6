"""Report jobs: sending referrals, requesting reports, generating them (in parts), downloads and verification.

Generation is idempotent: every step locks the job row and looks at its state first, so a task
that Celery delivers twice (acks_late, a worker lost mid-task) never writes a second file.
"""

import csv
import datetime
import hashlib
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from accounts.services import audit_record
from config.caching import aggregates_changed
from ppks.history import history_actor
from ppks.models import Directorate, Registration, RegistrationEvent
from ppks.permissions import can_verify, role_of
from reports import rendering
from reports.maps import summary_map_pages, village_map_pages
from reports.models import ReferralBatch, ReportJob, ReportPart
from reports.selectors import (
    issuing_office,
    nik_policy_full,
    report_rows,
    rows_by_district,
    summary_table,
    village_profile_context,
)

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
EXPORT_COLUMNS = (
    ("name", "Nama"), ("nik_shown", "NIK"), ("kk_number", "No. KK"), ("sex", "Jenis kelamin"),
    ("birth_date", "Tanggal lahir"), ("district_name", "Kecamatan"), ("village_name", "Desa/Kelurahan"),
    ("village_code", "Kode desa"), ("dusun", "Dusun"), ("rt", "RT"), ("rw", "RW"), ("street_address", "Alamat"),
    ("category_code", "Kode kategori"), ("category_name", "Kategori"), ("verified_at", "Diverifikasi"),
    ("needs", "Kebutuhan"),
)
REPORT_ROLES = frozenset({"admin", "kemensos_analyst", "dinsos_provinsi", "dinsos_kabupaten"})


def _require_region(actor, region_code: str) -> None:
    scope = scope_of(actor)
    if region_code and not scope.covers(region_code):
        raise PermissionDenied(_("Wilayah {code} di luar wilayah kerja Anda.").format(code=region_code))
    if not region_code and not scope.national:
        raise PermissionDenied(_("Laporan nasional hanya untuk peran nasional."))


def letter_number(*, region_code: str, day: datetime.date) -> str:
    """``0007/RUJ-PPKS/35.11/XI/2026``: a yearly sequence per issuing region."""
    prefix_region = region_code or "KEMENSOS"
    suffix = "/RUJ-PPKS/{}/{}/{}".format(prefix_region, ROMAN_MONTHS[day.month - 1], day.year)
    same_year = ReferralBatch.objects.filter(
        letter_number__contains="/RUJ-PPKS/{}/".format(prefix_region), letter_number__endswith="/{}".format(day.year)
    ).count()
    return "{:04d}{}".format(same_year + 1, suffix)


@transaction.atomic
def referral_send(*, actor, region_code: str, directorate: Directorate, registration_ids: list[int]) -> ReportJob:
    """On the user's confirmation: mark the verified registrations referred, create the batch and its letter job.

    Registrations that changed status since the preview, or lie outside the actor's scope, are
    refused as a whole (nothing is sent) with a clear message.
    """
    if not can_verify(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat mengirim rujukan."))
    _require_region(actor, region_code)
    if not registration_ids:
        raise ValidationError(_("Tidak ada registrasi terverifikasi untuk dirujuk."))
    registrations = list(
        Registration.objects.select_for_update().filter(pk__in=registration_ids).select_related("village")
    )
    scope = scope_of(actor)
    stale = [
        registration for registration in registrations
        if registration.status != Registration.Status.VERIFIED
        or registration.directorate_id != directorate.pk
        or not scope.covers(registration.village_id)
    ]
    if stale or len(registrations) != len(set(registration_ids)):
        raise ValidationError(
            _("{count} registrasi berubah sejak pratinjau (status, tujuan atau wilayah). Muat ulang pratinjau.").format(
                count=len(stale) or abs(len(set(registration_ids)) - len(registrations))
            )
        )
    now = timezone.now()
    batch = ReferralBatch.objects.create(
        region_code=region_code, directorate=directorate, created_by=actor,
        letter_number=letter_number(region_code=region_code, day=timezone.localdate()),
    )
    batch.registrations.set(registrations)
    with history_actor(actor, reason=batch.letter_number):
        Registration.objects.filter(pk__in=[registration.pk for registration in registrations]).update(
            status=Registration.Status.REFERRED, referred_at=now, updated_at=now
        )
    aggregates_changed("ppks")
    RegistrationEvent.objects.bulk_create([
        RegistrationEvent(registration=registration, from_status=Registration.Status.VERIFIED,
                          to_status=Registration.Status.REFERRED, actor=actor,
                          note=_("Dirujuk ke {directorate}, surat {number}").format(
                              directorate=directorate.name, number=batch.letter_number))
        for registration in registrations
    ])
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.REFERRAL, region_code=region_code, batch=batch, requested_by=actor,
        parameters={"directorate": directorate.code, "letter_number": batch.letter_number},
    )
    audit_record(actor=actor, action="reports.referral_send", obj=batch,
                 detail={"registrations": len(registrations), "directorate": directorate.code, "job": str(job.pk)})
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
    job = ReportJob.objects.create(kind=ReportJob.Kind.VILLAGE_PROFILE, region_code=village.code,
                                   requested_by=actor, parameters={"village": village.code})
    audit_record(actor=actor, action="reports.request", obj=job, detail=job.parameters)
    _enqueue(job)
    return job


def _village_profile_render(job: ReportJob) -> None:
    """Render and store the one-part village profile PDF (under the job lock held by the caller)."""
    context = village_profile_context(job)
    generated_at = timezone.localtime()
    pdf = rendering.render_pdf("reports/pdf/village_profile.html", {
        **context, "title": job.get_kind_display(), "generated_at": generated_at,
        "office": issuing_office(".".join(job.region_code.split(".")[:2])),
        "qr": rendering.qr_data_uri(verify_url(job)), "verify_url": verify_url(job), "document_id": job.pk,
    })
    footer = "SI-DBS · ID {} · Profil desa {} · {}".format(job.pk, job.region_code,
                                                          generated_at.strftime("%d-%m-%Y %H:%M"))
    merged, pages = rendering.merge_with_footer([pdf, *village_map_pages(job)], footer_left=footer)
    job.pdf.save("{}.pdf".format(job.pk), ContentFile(merged), save=False)
    job.sha256 = hashlib.sha256(merged).hexdigest()
    job.page_count, job.progress, job.state, job.finished_at = pages, 100, ReportJob.State.DONE, timezone.now()
    job.row_count = 1
    job.save(update_fields=["pdf", "sha256", "page_count", "progress", "state", "finished_at", "row_count"])
    audit_record(actor=job.requested_by, action="reports.generated", obj=job,
                 detail={"pages": pages, "sha256": job.sha256})


def _enqueue(job: ReportJob) -> None:
    from reports.tasks import report_generate as report_generate_task

    job_id = str(job.pk)
    transaction.on_commit(lambda: report_generate_task.delay(job_id))


@transaction.atomic
def report_retry(*, job: ReportJob, actor) -> ReportJob:
    """Queue a failed job again, keeping its parameters; parts already rendered are reused."""
    job = ReportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != ReportJob.State.FAILED:
        raise ValidationError(_("Hanya laporan yang gagal yang dapat diulang."))
    job.state, job.error, job.progress = ReportJob.State.QUEUED, "", 0
    job.save(update_fields=["state", "error", "progress"])
    audit_record(actor=actor, action="reports.retry", obj=job)
    _enqueue(job)
    return job


def _progress(job_id, value: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=value)


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
        job.attempts = F("attempts") + 1
        job.save(update_fields=["state", "started_at", "error", "attempts"])
        if job.kind == ReportJob.Kind.VILLAGE_PROFILE:
            job.refresh_from_db()
            _village_profile_render(job)
            return "inline"
    job.refresh_from_db()
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


def _exports(rows: list[dict]) -> tuple[bytes, bytes]:
    """The same rows as the PDF, as CSV (UTF-8 with BOM for spreadsheet programs) and XLSX."""
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
        "letter_number": _letter_number(job),
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
    return settings.SITE_URL.rstrip("/") + reverse("reports:verify", kwargs={"pk": job.pk})


def report_merge(*, job_id) -> None:
    """Render the letter, merge it with the parts, stamp page numbers, store the PDF and its SHA-256."""
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("batch__directorate", "requested_by")
            .get(pk=job_id)
        )
        if job.state == ReportJob.State.DONE:
            return
        parts = list(job.parts.order_by("index"))
        missing = [part.index for part in parts if part.state != ReportPart.State.DONE or not part.pdf]
        if missing:
            raise RuntimeError("Bagian laporan {} belum selesai.".format(missing))
        generated_at = timezone.localtime()
        directorate = Directorate.objects.get(code=job.parameters["directorate"])
        office = issuing_office(job.region_code)
        letter = rendering.render_pdf("reports/pdf/letter.html", {
            "title": job.get_kind_display(),
            "office": office,
            "letter_number": _letter_number(job),
            "generated_at": generated_at,
            "subject": _("Rujukan PPKS ke {name}").format(name=directorate.name)
            if job.kind == ReportJob.Kind.REFERRAL else _("Rekap rujukan PPKS ke {name}").format(name=directorate.name),
            "addressee": _("Direktur Jenderal {name}").format(name=directorate.name.replace("Ditjen ", "")),
            "opening": _opening(job, office),
            "summary": job.summary,
            "full_nik": nik_policy_full(job),
            "signer_title": _("Kepala {office}").format(office=office["office"].title() or "Pusat Data"),
            "signer_name": job.requested_by.get_full_name() or job.requested_by.username,
            "qr": rendering.qr_data_uri(verify_url(job)),
            "verify_url": verify_url(job),
            "document_id": job.pk,
        })
        part_pdfs = [part.pdf.open("rb").read() for part in parts]
        footer = "SI-DBS · ID {} · {} · {}".format(job.pk, _letter_number(job), generated_at.strftime("%d-%m-%Y %H:%M"))
        pdf, pages = rendering.merge_with_footer([letter, *summary_map_pages(job), *part_pdfs], footer_left=footer)
        job.pdf.save("{}.pdf".format(job.pk), ContentFile(pdf), save=False)
        job.sha256 = hashlib.sha256(pdf).hexdigest()
        job.page_count, job.progress, job.state = pages, 100, ReportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["pdf", "sha256", "page_count", "progress", "state", "finished_at"])
        for part in parts:
            part.pdf.delete(save=False)
        audit_record(actor=job.requested_by, action="reports.generated", obj=job,
                     detail={"rows": job.row_count, "pages": pages, "sha256": job.sha256})


def _opening(job: ReportJob, office: dict) -> str:
    if job.kind == ReportJob.Kind.REFERRAL:
        return _(
            "Bersama ini kami sampaikan rujukan Pemerlu Pelayanan Kesejahteraan Sosial (PPKS) wilayah {region} "
            "yang telah diverifikasi oleh Dinas Sosial, untuk mendapatkan pelayanan sesuai kewenangan."
        ).format(region=office["region"])
    params = job.parameters
    period = "{} s.d. {}".format(params.get("period_from") or "awal", params.get("period_to") or "sekarang")
    return _("Berikut rekapitulasi PPKS wilayah {region} yang telah dirujuk, periode {period}.").format(
        region=office["region"], period=period)


def report_fail(*, job_id, error: str) -> None:
    ReportJob.objects.filter(pk=job_id).exclude(state=ReportJob.State.DONE).update(
        state=ReportJob.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def report_download_record(*, job: ReportJob, actor, file_format: str, request=None) -> None:
    audit_record(actor=actor, action="reports.download", obj=job, detail={"format": file_format}, request=request)


def report_verify(*, job: ReportJob, content: bytes | None, request=None) -> dict[str, bool | str]:
    """Compare an uploaded PDF (and the stored file) with the SHA-256 recorded at generation."""
    stored_ok = False
    if job.pdf:
        with job.pdf.open("rb") as handle:
            stored_ok = hashlib.sha256(handle.read()).hexdigest() == job.sha256
    result: dict[str, bool | str] = {"stored_ok": stored_ok}
    if content is not None:
        digest = hashlib.sha256(content).hexdigest()
        result.update(uploaded_sha256=digest, uploaded_ok=digest == job.sha256)
    audit_record(actor=getattr(request, "user", None), action="reports.verify", obj=job,
                 detail=dict(result), request=request)
    return result
