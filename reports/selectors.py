"""The rows and figures a report shows, read through ``visible_to`` so a report never leaks out of scope."""

import base64
import datetime
from collections import Counter, OrderedDict

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import formats, timezone

from accounts.offices import office_of, office_snapshot
from accounts.scoping import visible_to
from actionplans import lifecycle
from actionplans.models import ActionPlan, Asset, Pokja, ProgrammeStage, StimulusTranche
from actionplans.schedule import schedule
from actionplans.selectors import assets_by_kind, pokja_composition
from actionplans.services import stimulus_balance
from dimensions.charts import grouped_bars
from dimensions.models import Assessment
from ppks.models import Directorate, Referral, ReferralBatch, Registration, ServiceUnit
from ppks.nik import mask_nik
from reports.models import ReportJob
from reports.wording import count_with_words
from villages import codes
from villages.models import District, Province, Regency, Village

OWN_FIELDS = ("pk", "needs", "status", "verified_at", "referred_at")
RELATED_FIELDS = {
    "name": "person__name",
    "nik": "person__nik",
    "kk_number": "person__kk_number",
    "sex": "person__sex",
    "birth_date": "person__birth_date",
    "dusun": "person__dusun",
    "rt": "person__rt",
    "rw": "person__rw",
    "street_address": "person__street_address",
    "village_code": "village__code",
    "village_name": "village__name",
    "district_code": "village__district__code",
    "district_name": "village__district__name",
    "category_code": "category__code",
    "category_name": "category__name",
}


def _narrow(queryset, *, region_code, categories, date_field, date_from, date_to):
    if region_code:
        queryset = queryset.filter(village__code__startswith=region_code + ".")
    if categories:
        queryset = queryset.filter(category__code__in=categories)
    if date_from:
        queryset = queryset.filter(**{date_field + "__date__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{date_field + "__date__lte": date_to})
    return queryset


def report_registrations(job: ReportJob) -> QuerySet:
    """The registrations a job reports on, scoped to the user who requested it.

    A letter reports on its own registrations; a summary on those referred to its directorate
    (a referral to it sent in the period, whatever the unit answered since).
    """
    user = job.requested_by
    if job.batch_id:
        return visible_to(user, job.batch.registrations.all())
    params = job.parameters
    referrals = Referral.objects.filter(registration=OuterRef("pk"), directorate__code=params["directorate"])
    period_from, period_to = _date(params.get("period_from")), _date(params.get("period_to"))
    if period_from:
        referrals = referrals.filter(sent_at__date__gte=period_from)
    if period_to:
        referrals = referrals.filter(sent_at__date__lte=period_to)
    queryset = visible_to(user, Registration.objects.filter(Exists(referrals)))
    return _narrow(queryset, region_code=job.region_code, categories=params.get("categories"), date_field="",
                   date_from=None, date_to=None)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _row_values(job: ReportJob, *, district_codes: list[str] | None = None,
                village_codes: list[str] | None = None) -> QuerySet:
    """The report's rows as ``values()`` in report order (kecamatan, desa, name), narrowed to a part's codes."""
    queryset = report_registrations(job)
    if district_codes is not None:
        queryset = queryset.filter(village__district__code__in=district_codes)
    if village_codes:
        queryset = queryset.filter(village__code__in=village_codes)
    return queryset.order_by("village__district__code", "village__code", "person__name", "pk").values(
        *OWN_FIELDS, **{key: F(path) for key, path in RELATED_FIELDS.items()})


def _shown(row: dict, full_nik: bool) -> dict:
    """``nik_shown`` / ``kk_shown``: in full only on original letters (``job_shows_full_nik``), masked otherwise."""
    row["nik_shown"] = (row["nik"] or "") if full_nik else mask_nik(row["nik"])
    row["kk_shown"] = (row["kk_number"] or "") if full_nik else mask_nik(row["kk_number"])
    return row


def report_rows(job: ReportJob, *, district_codes: list[str] | None = None,
                village_codes: list[str] | None = None) -> list[dict]:
    """Rows ordered by kecamatan, desa and name; NIK and No. KK in full only on original letters
    (``job_shows_full_nik``). ``district_codes`` / ``village_codes`` narrow them to one part's."""
    full_nik = job_shows_full_nik(job)
    return [_shown(row, full_nik) for row in _row_values(job, district_codes=district_codes,
                                                          village_codes=village_codes)]


def report_rows_iter(job: ReportJob, *, chunk_size: int = 2000):
    """The rows of ``report_rows`` one by one, fetched ``chunk_size`` at a time (exports of 50,000 rows
    never hold them all).

    On PostgreSQL the rows come through a server-side cursor, which the planner optimises for the first
    10% of rows by default (``cursor_tuple_fraction``): that plan read 10,000 rows in 6.3 s instead of
    1.6 s, so the cursor is told that every row will be read.
    """
    full_nik = job_shows_full_nik(job)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        for row in _row_values(job).iterator(chunk_size=chunk_size):
            yield _shown(row, full_nik)


def report_counts(job: ReportJob) -> list[dict]:
    """Rows counted per kecamatan and category, in kecamatan order: what ``summary_table`` and the part plan
    need, in one grouped query instead of every row."""
    return list(
        report_registrations(job)
        .values(district_code=F("village__district__code"), district_name=F("village__district__name"),
                category_code=F("category__code"), category_name=F("category__name"))
        .annotate(count=Count("pk"))
        .order_by("district_code", "category_code")
    )


def report_village_counts(job: ReportJob) -> list[dict]:
    """Rows counted per desa (``district_code``, ``village_code``, ``count``) in report order, for the part plan."""
    return list(
        report_registrations(job)
        .values(district_code=F("village__district__code"), village_code=F("village__code"))
        .annotate(count=Count("pk"))
        .order_by("district_code", "village_code")
    )


def job_shows_full_nik(job: ReportJob) -> bool:
    """Whether a job's files carry full NIK and No. KK.

    Only the original of a referral letter does: it is sent by Dinas Sosial (the NIK rule's
    "referral_letter" roles) to a directorate that needs the numbers to serve. Its masked copy
    (for the other roles) and every summary mask them (``ppks.permissions.FULL_NIK``).
    """
    return job.kind == ReportJob.Kind.REFERRAL and job.masked_copy_of_id is None


# Category columns of a kecamatan × category table that fit the letter's 165 mm text width:
# kecamatan 38 mm + 9 × 12.5 mm + Jumlah 14 mm (static/css/report.css).
SUMMARY_COLUMNS_PER_TABLE = 9


def summary_table(rows: list[dict]) -> dict:
    """Counts per category, and per kecamatan × category in tables narrow enough for the page.

    ``rows`` are report rows or ``report_counts`` (a row with ``count`` stands for that many).

    ``rows`` lists categories (number, code, name, count); ``tables`` splits the kecamatan ×
    category counts into tables of at most ``SUMMARY_COLUMNS_PER_TABLE`` category columns, the last
    one with the kecamatan totals, so no column runs off the page whatever the number of categories.
    """
    districts = OrderedDict()
    categories = {}
    cells = Counter()
    for row in rows:
        districts[row["district_code"]] = row["district_name"]
        categories[row["category_code"]] = row["category_name"]
        cells[(row["category_code"], row["district_code"])] += row.get("count", 1)
    category_codes = sorted(categories)
    category_rows = [
        {"number": number, "code": code, "name": categories[code],
         "total": sum(cells[(code, district)] for district in districts)}
        for number, code in enumerate(category_codes, start=1)
    ]
    tables = []
    table_count = -(-len(category_codes) // SUMMARY_COLUMNS_PER_TABLE)  # ceiling
    per_table = -(-len(category_codes) // table_count) if table_count else 0  # balanced: 20 → 7, 7, 6
    for start in range(0, len(category_codes), per_table or 1):
        chunk = category_codes[start:start + per_table]
        last = start + per_table >= len(category_codes)
        tables.append({
            "codes": chunk,
            "last": last,
            "districts": [
                {"name": name, "cells": [cells[(code, district)] for code in chunk],
                 "total": sum(cells[(code, district)] for code in category_codes)}
                for district, name in districts.items()
            ],
            "totals": [sum(cells[(code, district)] for district in districts) for code in chunk],
        })
    return {
        "districts": list(districts.items()),
        "rows": category_rows,
        "tables": tables,
        "by_district": [
            {"name": name, "cells": [cells[(code, district)] for code in category_codes],
             "total": sum(cells[(code, district)] for code in category_codes)}
            for district, name in districts.items()
        ],
        "total": sum(row.get("count", 1) for row in rows),
    }


NATIONAL_KOP = {
    "government": "KEMENTERIAN SOSIAL REPUBLIK INDONESIA", "name": "",
    "address": "Jalan Salemba Raya Nomor 28, Jakarta Pusat",
    "city": "Jakarta", "postal_code": "10430", "phone": "", "email": "", "website": "kemensos.go.id", "emblem": "",
    "head_title": "",
}


def document_kop(job: ReportJob) -> dict:
    """The kop surat a document prints: the letter's own (as sent), else the requester's office, else Kemensos."""
    if job.batch_id and job.batch.office_snapshot:
        return job.batch.office_snapshot
    office = office_of(job.requested_by)
    return office_snapshot(office) if office is not None else NATIONAL_KOP


def region_label(region_code: str) -> str:
    """``Kabupaten Bondowoso``, ``Kecamatan Maesan, Kabupaten Bondowoso``, ``Provinsi Jawa Timur``, ``Indonesia``."""
    return region_labels([region_code]).get(region_code or "", "Indonesia")


def region_labels(region_codes) -> dict[str, str]:
    """``{code: region_label(code)}`` for many codes, in a few queries (report lists)."""
    wanted = {code for code in region_codes if code and codes.region_level(code)}
    needed: dict[int, set[str]] = {}  # level -> codes whose names the labels print
    for code in wanted:
        level = codes.region_level(code)
        for depth in ({1} if level == codes.PROVINCE else set(range(2, level + 1))):
            needed.setdefault(depth, set()).add(".".join(code.split(".")[:depth]))
    names = {}
    for depth, model in ((1, Province), (2, Regency), (3, District), (4, Village)):
        if needed.get(depth):
            names.update(model.objects.filter(code__in=needed[depth]).values_list("code", "name"))
    labels = {"": "Indonesia"}
    for code in wanted:
        level = codes.region_level(code)
        if level == codes.PROVINCE:
            labels[code] = "Provinsi {}".format(names.get(code, code).title())
            continue
        regency = names.get(".".join(code.split(".")[:2]), code).title().replace("Kab. ", "Kabupaten ")
        if not regency.startswith(("Kabupaten ", "Kota ")):
            regency = ("Kota " if codes.regency_kind(code) == "kota" else "Kabupaten ") + regency
        district = "Kecamatan {}, {}".format(names.get(".".join(code.split(".")[:3]), code).title(), regency)
        if level == codes.VILLAGE:
            kind = "Kelurahan" if codes.village_kind(code) == "kelurahan" else "Desa"
            labels[code] = "{} {}, {}".format(kind, names.get(code, code).title(), district)
        else:
            labels[code] = regency if level == codes.REGENCY else district
    return labels


def region_exists(region_code: str) -> bool:
    """Whether ``region_code`` is a province, kab/kota, kecamatan or desa on the region table."""
    model = {codes.PROVINCE: Province, codes.REGENCY: Regency, codes.DISTRICT: District, codes.VILLAGE: Village}.get(
        codes.region_level(region_code or ""))
    return model is not None and model.objects.filter(code=region_code).exists()


def emblem_data_uri(name: str) -> str:
    """The office's lambang as a data URI (WeasyPrint loads nothing else), or "" when there is none."""
    if not name:
        return ""
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except OSError:
        return ""
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return "data:image/{};base64,{}".format(kind, base64.b64encode(content).decode())


def _addressee(batch) -> list[str]:
    """``Yth. Direktur Jenderal Rehabilitasi Sosial`` and its lines, for the letter's unit."""
    unit = batch.unit
    if unit is None or unit.kind == ServiceUnit.Kind.DITJEN:
        title = batch.directorate.name.replace("Ditjen ", "Direktur Jenderal ", 1)
        return [title, "Kementerian Sosial Republik Indonesia", "di", "Jakarta"]
    title = unit.name.replace("Direktorat ", "Direktur ", 1) if unit.kind == ServiceUnit.Kind.DIRECTORATE else (
        "Kepala " + unit.name)
    return [title, "Kementerian Sosial Republik Indonesia" if unit.kind in {
        ServiceUnit.Kind.DIRECTORATE, ServiceUnit.Kind.SENTRA} else "", "di", "Tempat"]


def letter_context(job: ReportJob) -> dict:
    """What the letter (or the summary's front page) prints, from the job, its letter and its rows' summary."""
    kop = document_kop(job)
    summary = job.summary or {"total": 0, "rows": [], "tables": [], "districts": []}
    batch = job.batch if job.batch_id else None
    sent_on = timezone.localtime(batch.created_at).date() if batch else timezone.localdate()
    directorate = batch.directorate if batch else Directorate.objects.filter(
        code=job.parameters.get("directorate")).first()
    head_title = kop.get("head_title") or ""
    context = {
        "kop": kop,
        "emblem": emblem_data_uri(kop.get("emblem", "")),
        "letter_number": batch.letter_number if batch else "REKAP/{}".format(str(job.pk)[:8].upper()),
        "date": sent_on,
        "city": kop.get("city") or "Jakarta",
        "region": region_label(job.region_code),
        "directorate": directorate,
        "directorate_full": directorate.name.replace("Ditjen ", "Direktorat Jenderal ", 1) if directorate else "",
        "count_words": count_with_words(summary.get("total", 0)),
        "category_count": len(summary.get("rows", [])),
        "district_count": len(summary.get("districts", [])),
        "answer_days": settings.SIDBS_REFERRAL_ANSWER_DAYS,
        "office_name": "{} {}".format(kop.get("name", ""),
                                      kop.get("government", "").replace("PEMERINTAH ", "")).title(),
    }
    if batch is not None:
        context.update(
            addressee=_addressee(batch),
            signed_by=batch.signed_by,
            copies_to=batch.copies_to,
            subject="Rujukan Pemerlu Pelayanan Kesejahteraan Sosial (PPKS)",
            annex={"issuer": "SURAT {}".format(head_title) if head_title else "SURAT", "number": batch.letter_number,
                   "date": sent_on, "subject": "RUJUKAN PEMERLU PELAYANAN KESEJAHTERAAN SOSIAL (PPKS)"},
        )
    else:
        params = job.parameters
        context.update(
            annex=None, subject="Rekapitulasi PPKS yang dirujuk",
            period="{} s.d. {}".format(_date_label(params.get("period_from"), "awal pencatatan"),
                                       _date_label(params.get("period_to"), "tanggal dokumen")),
            requested_by=job.requested_by.get_full_name() or job.requested_by.username,
        )
    return context


def _date_label(value: str | None, default: str) -> str:
    return formats.date_format(datetime.date.fromisoformat(value), "j F Y") if value else default


def visible_jobs(user) -> QuerySet:
    """Report jobs in the user's region (national jobs only for national roles)."""
    return visible_to(user, ReportJob.objects.all()).select_related("requested_by", "batch__directorate")


def visible_batches(user) -> QuerySet:
    return visible_to(user, ReferralBatch.objects.all())


def village_profile_context(job: ReportJob) -> dict:
    """Everything the village profile report shows, read with the requester's scope.

    The phase is the derived one (or the recorded override, named as such); "latest assessment"
    means the latest validated one, printed with its phase, date and status; the schedule shows each
    stage's honest state; the stimulus lists planned, received and voided tranches with the balance.
    """
    user = job.requested_by
    village = visible_to(user, Village.objects.select_related("district__regency__province")).get(
        code=job.parameters["village"])
    validated = list(
        visible_to(user, Assessment.objects.filter(village=village, status=Assessment.Status.VALIDATED))
        .prefetch_related("scores__dimension").select_related("weakest_dimension", "instrument")
        .order_by("validated_at", "pk")
    )
    latest = validated[-1] if validated else None
    chart_set = [assessment for assessment in validated if assessment.phase == "baseline"][-1:] + [
        assessment for assessment in validated if assessment.phase == "endline"][-1:]
    chart = ""
    if chart_set:
        dimensions = [score.dimension for score in chart_set[0].scores.all()]
        chart = grouped_bars(
            groups=[dimension.code for dimension in dimensions],
            series=[("{} {}".format(assessment.get_phase_display(), assessment.year),
                     [{score.dimension.number: score.score for score in assessment.scores.all()}.get(d.number)
                      for d in dimensions]) for assessment in chart_set],
        )
    unvalidated = visible_to(user, Assessment.objects.filter(village=village).exclude(
        status=Assessment.Status.VALIDATED)).order_by("-created_at").first()
    plan = visible_to(user, ActionPlan.objects.filter(village=village)).order_by("-year").first()
    year = plan.year if plan else None
    stages = list(ProgrammeStage.objects.filter(village=village, year=year).order_by("order")) if plan else []
    tranches = list(StimulusTranche.objects.filter(village=village, year=year)) if plan else []
    registrations = visible_to(user, Registration.objects.filter(village=village))
    pokja = Pokja.objects.filter(village=village).prefetch_related("members").first()
    assets = list(Asset.objects.filter(village=village, active=True).order_by("kind", "name"))
    return {
        "village": village,
        "profile": getattr(village, "profile", None),
        "phase": lifecycle.phase_of(village.code),
        "lokus_years": list(village.lokus_years.values_list("year", flat=True)),
        "cohorts": list(village.cohorts.order_by("-year", "name")),
        "pillars": list(village.social_pillars.filter(active=True)),
        "pokja": pokja,
        "composition": pokja_composition(pokja),
        "latest": latest,
        "latest_scores": list(latest.scores.all()) if latest else [],
        "record_values": list(latest.record_values.select_related("indicator")) if latest else [],
        "unvalidated": unvalidated,
        "chart": chart,
        "plan": plan,
        "activities": list(plan.activities.select_related("dimension", "source_asset")) if plan else [],
        "schedule": schedule(stages, tranches, timezone.localdate()),
        "tranches": tranches,
        "balance": stimulus_balance(village_code=village.code, year=year) if plan else None,
        "asset_groups": [(label, items) for label, items in assets_by_kind(assets) if items],
        "asset_count": len(assets),
        "outflow": sum((asset.monthly_outflow or 0) for asset in assets if asset.leaky_bucket),
        "ppks_by_status": [{"status": Registration.Status(row["status"]).label, "total": row["total"]}
                           for row in registrations.values("status").annotate(total=Count("pk")).order_by("status")],
        "ppks_by_category": list(registrations.values("category__code", "category__name")
                                 .annotate(total=Count("pk")).order_by("-total")[:10]),
    }
