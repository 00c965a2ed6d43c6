"""The rows and figures a report shows, read through ``visible_to`` so a report never leaks out of scope."""

import datetime
from collections import Counter, OrderedDict

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from accounts.scoping import visible_to
from actionplans import lifecycle
from actionplans.models import ActionPlan, Asset, Pokja, ProgrammeStage, StimulusTranche
from actionplans.schedule import schedule
from actionplans.selectors import assets_by_kind, pokja_composition
from actionplans.services import stimulus_balance
from dimensions.charts import grouped_bars
from dimensions.models import Assessment
from ppks.models import Registration
from ppks.nik import mask_nik
from reports.models import ReferralBatch, ReportJob
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
REFERRED_STATUSES = ("referred", "served", "closed")


def referral_candidates(*, user, region_code: str, directorate_code: str, categories: list[str] | None = None,
                        verified_from: datetime.date | None = None, verified_to: datetime.date | None = None
                        ) -> QuerySet:
    """Verified registrations in the region that would go to ``directorate_code`` if sent now."""
    queryset = visible_to(user, Registration.objects.filter(status=Registration.Status.VERIFIED)).filter(
        directorate__code=directorate_code
    )
    return _narrow(queryset, region_code=region_code, categories=categories, date_field="verified_at",
                   date_from=verified_from, date_to=verified_to)


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
    """The registrations a job reports on, scoped to the user who requested it."""
    user = job.requested_by
    if job.batch_id:
        return visible_to(user, job.batch.registrations.all())
    params = job.parameters
    queryset = visible_to(user, Registration.objects.filter(status__in=REFERRED_STATUSES)).filter(
        directorate__code=params["directorate"]
    )
    return _narrow(
        queryset, region_code=job.region_code, categories=params.get("categories"), date_field="referred_at",
        date_from=_date(params.get("period_from")), date_to=_date(params.get("period_to")),
    )


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def report_rows(job: ReportJob, *, district_codes: list[str] | None = None) -> list[dict]:
    """Rows ordered by kecamatan, desa and name; NIK in full only on referral letters (see ``nik_policy``)."""
    queryset = report_registrations(job)
    if district_codes is not None:
        queryset = queryset.filter(village__district__code__in=district_codes)
    rows = list(
        queryset.order_by("village__district__code", "village__code", "person__name", "pk").values(
            *OWN_FIELDS, **{key: F(path) for key, path in RELATED_FIELDS.items()}
        )
    )
    full_nik = nik_policy_full(job)
    for row in rows:
        row["nik_shown"] = (row["nik"] or "") if full_nik else mask_nik(row["nik"])
    return rows


def nik_policy_full(job: ReportJob) -> bool:
    """Referral letters carry the full NIK (the directorate needs it to serve); summaries mask it."""
    return job.kind == ReportJob.Kind.REFERRAL


def rows_by_district(rows: list[dict]) -> "OrderedDict[str, int]":
    """{district code: row count} in code order, for splitting a report into parts."""
    counts: OrderedDict[str, int] = OrderedDict()
    for row in rows:
        counts[row["district_code"]] = counts.get(row["district_code"], 0) + 1
    return counts


def summary_table(rows: list[dict]) -> dict:
    """Counts per kecamatan × category with totals, for the report's first page and the preview."""
    districts = OrderedDict()
    categories = OrderedDict()
    cells = Counter()
    for row in rows:
        districts[row["district_code"]] = row["district_name"]
        categories[row["category_code"]] = row["category_name"]
        cells[(row["category_code"], row["district_code"])] += 1
    category_codes = sorted(categories)
    return {
        "districts": list(districts.items()),
        "rows": [
            {"code": code, "name": categories[code], "total": sum(cells[(code, district)] for district in districts)}
            for code in category_codes
        ],
        "by_district": [
            {
                "name": name,
                "cells": [cells[(code, district)] for code in category_codes],
                "total": sum(cells[(code, district)] for code in category_codes),
            }
            for district, name in districts.items()
        ],
        "total": len(rows),
    }


def issuing_office(region_code: str) -> dict[str, str]:
    """Kop surat lines for the office that issues a report for ``region_code``."""
    level = codes.region_level(region_code) if region_code else None
    if level is None:
        return {"government": "KEMENTERIAN SOSIAL REPUBLIK INDONESIA", "office": "", "region": "Indonesia"}
    if level == codes.PROVINCE:
        name = Province.objects.get(code=region_code).name
        return {"government": "PEMERINTAH PROVINSI {}".format(name.upper()), "office": "DINAS SOSIAL",
                "region": name.title()}
    regency_code = ".".join(region_code.split(".")[:2])
    name = Regency.objects.get(code=regency_code).name.upper()
    name = name.replace("KAB. ", "KABUPATEN ").replace("KOTA ", "KOTA ")
    region = name.title()
    if level == codes.DISTRICT:
        region = "{} ({})".format(region, District.objects.get(code=region_code).name)
    return {"government": "PEMERINTAH {}".format(name), "office": "DINAS SOSIAL", "region": region}


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
