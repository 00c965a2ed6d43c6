"""Does the data obey the programme's rules? Checks across the apps, for demo data and real data alike.

Each check reads the records (optionally of one region) and returns the rows that break a rule,
with an Indonesian message naming the record. ``make run`` runs them on the demo data
(``manage.py check_data_consistency``); the services refuse these states on every write path, so a
problem found here came in around them (an old import, the admin, raw SQL) and needs a correction.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from actionplans import lifecycle
from actionplans.models import (
    ActionPlan,
    Evaluation,
    MonitoringVisit,
    PhaseOverride,
    Pokja,
    ProgrammeStage,
    Spending,
    StimulusTranche,
)
from dimensions import scoring
from dimensions.models import Assessment
from ppks.models import Category, Registration, age_on
from villages import codes
from villages.models import CohortVillage


@dataclass
class CheckResult:
    name: str
    problems: list[str] = field(default_factory=list)
    count: int = 0


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _in_region(queryset, field_name: str, region: str):
    if not region:
        return queryset
    return queryset.filter(Q(**{field_name: region}) | Q(**{field_name + "__startswith": region + "."}))


def tranches(region: str, today: datetime.date) -> Iterator[str]:
    """No tranche received in the future; before plan approval or off-plan only with a reason."""
    approvals = {(plan.village_id, plan.year): _local_date(plan.approved_at) for plan in _in_region(
        ActionPlan.objects.filter(status=ActionPlan.Status.APPROVED), "village__code", region)}
    for tranche in _in_region(StimulusTranche.objects.filter(received_on__isnull=False, voided_at__isnull=True),
                              "village__code", region):
        label = "Stimulan {} {} tahap {}".format(tranche.village_id, tranche.year, tranche.number)
        if tranche.received_on > today:
            yield "{}: diterima {} (masa depan).".format(label, tranche.received_on)
        approved = approvals.get((tranche.village_id, tranche.year))
        if (approved is None or tranche.received_on < approved) and not tranche.receipt_note.strip():
            yield "{}: diterima {} sebelum rencana aksi disetujui ({}) tanpa alasan.".format(
                label, tranche.received_on, approved or "belum disetujui")
        if tranche.amount != tranche.planned_amount and not tranche.receipt_note.strip():
            yield "{}: jumlah Rp {} berbeda dari rencana Rp {} tanpa alasan.".format(
                label, tranche.amount, tranche.planned_amount)
        if len(tranche.reference.strip()) < 4 or not any(character.isdigit() for character in tranche.reference):
            yield "{}: nomor BAST '{}' tidak lengkap.".format(label, tranche.reference)


def spending(region: str, today: datetime.date) -> Iterator[str]:
    """Spending only on approved plans, within their period (approval to 31 December), never in the future."""
    rows = _in_region(Spending.objects.select_related("activity__plan"), "activity__plan__village__code", region)
    for item in rows:
        plan = item.activity.plan
        label = "Belanja #{} ({} {})".format(item.pk, plan.village_id, plan.year)
        if plan.status != ActionPlan.Status.APPROVED:
            yield "{}: rencana aksinya berstatus {}.".format(label, plan.get_status_display())
            continue
        if item.spent_on > today:
            yield "{}: bertanggal {} (masa depan).".format(label, item.spent_on)
        if item.spent_on < _local_date(plan.approved_at) or item.spent_on > datetime.date(plan.year, 12, 31):
            yield "{}: bertanggal {}, di luar masa rencana ({} sampai 31-12-{}).".format(
                label, item.spent_on, _local_date(plan.approved_at), plan.year)


def assessments(region: str, today: datetime.date) -> Iterator[str]:
    """Steps in order and in the past; the band follows the index and the instrument's cut-offs."""
    now = timezone.now()
    rows = _in_region(Assessment.objects.select_related("instrument").exclude(status=Assessment.Status.DRAFT),
                      "village__code", region)
    for assessment in rows:
        label = "Asesmen #{} ({} {} {})".format(assessment.pk, assessment.village_id, assessment.phase,
                                                assessment.year)
        for name in ("submitted_at", "validated_at"):
            moment = getattr(assessment, name)
            if moment and moment > now:
                yield "{}: {} di masa depan.".format(label, name)
        if assessment.validated_at and assessment.submitted_at and assessment.validated_at < assessment.submitted_at:
            yield "{}: divalidasi sebelum diajukan.".format(label)
        if assessment.overall_index is not None:
            thresholds = scoring.Thresholds(assessment.instrument.band_sedang_from,
                                            assessment.instrument.band_tinggi_from,
                                            assessment.instrument.weak_point_below)
            if assessment.band != scoring.band_of(assessment.overall_index, thresholds):
                yield "{}: kategori {} tidak sesuai indeks {}.".format(label, assessment.band,
                                                                       assessment.overall_index)


def plans(region: str, today: datetime.date) -> Iterator[str]:
    """An approved plan answers a validated baseline and was approved after it, not in the future."""
    now = timezone.now()
    rows = _in_region(ActionPlan.objects.filter(status=ActionPlan.Status.APPROVED).select_related("assessment"),
                      "village__code", region)
    for plan in rows:
        label = "Rencana aksi #{} ({} {})".format(plan.pk, plan.village_id, plan.year)
        if plan.approved_at is None or plan.approved_at > now:
            yield "{}: waktu persetujuan kosong atau di masa depan.".format(label)
            continue
        baseline = plan.assessment
        if baseline is not None and baseline.status != Assessment.Status.VALIDATED:
            yield "{}: menjawab asesmen yang belum divalidasi.".format(label)
        elif baseline is not None and baseline.validated_at and plan.approved_at < baseline.validated_at:
            yield "{}: disetujui sebelum baselinenya divalidasi.".format(label)


def stages(region: str, today: datetime.date) -> Iterator[str]:
    """Actual dates in the past and in order; the transfer-stimulan stage has none of its own."""
    rows = _in_region(ProgrammeStage.objects.filter(Q(actual_start__isnull=False) | Q(actual_end__isnull=False)),
                      "village__code", region)
    for stage in rows:
        label = "Tahap {} {} {}".format(stage.village_id, stage.year, stage.stage)
        if stage.follows_tranches:
            yield "{}: realisasi diisi tangan, padahal mengikuti tahap stimulan.".format(label)
        for name in ("actual_start", "actual_end"):
            value = getattr(stage, name)
            if value and value > today:
                yield "{}: {} {} di masa depan.".format(label, name, value)
        if stage.actual_start and stage.actual_end and stage.actual_end < stage.actual_start:
            yield "{}: realisasi selesai sebelum mulai.".format(label)


def evaluations(region: str, today: datetime.date) -> Iterator[str]:
    rows = _in_region(Evaluation.objects.select_related("plan", "endline"), "plan__village__code", region)
    for evaluation in rows:
        label = "Evaluasi rencana #{} ({})".format(evaluation.plan_id, evaluation.plan.village_id)
        if evaluation.endline.status != Assessment.Status.VALIDATED:
            yield "{}: endline berstatus {}, belum divalidasi.".format(label, evaluation.endline.get_status_display())
        if evaluation.endline.village_id != evaluation.plan.village_id:
            yield "{}: endline milik desa lain.".format(label)


def phases(region: str, today: datetime.date) -> Iterator[str]:
    """Overrides carry a reason; "mandiri" (derived or overridden) needs a validated band that allows it."""
    for override in _in_region(PhaseOverride.objects.filter(cleared_at__isnull=True), "village__code", region):
        if not override.reason.strip():
            yield "Koreksi tahap desa {}: tanpa alasan.".format(override.village_id)
    allowed = lifecycle.mandiri_bands()
    from villages.models import Village

    graduated = lifecycle.filter_by_phase(_in_region(Village.objects.all(), "code", region), "mandiri")
    for code in graduated.values_list("code", flat=True).order_by("code"):
        band = lifecycle.latest_validated_band(code)
        if band not in allowed:
            yield "Desa {}: tahap mandiri, tetapi asesmen tervalidasi terakhir berkategori {}.".format(
                code, band or "tidak ada")


def registrations(region: str, today: datetime.date) -> Iterator[str]:
    """PPKS meet their category's age and sex criteria on the assessment date; workflow steps in order."""
    criteria = {category.pk: category for category in Category.objects.all()}
    checked = [pk for pk, category in criteria.items()
               if category.min_age is not None or category.max_age is not None or category.required_sex]
    rows = _in_region(Registration.objects.filter(category_id__in=checked, person__birth_date__isnull=False),
                      "village__code", region).values_list("pk", "category_id", "assessed_on", "person__birth_date",
                                                        "person__sex")
    for pk, category_id, assessed_on, birth_date, sex in rows.iterator(chunk_size=5000):
        category = criteria[category_id]
        age = age_on(birth_date, assessed_on)
        label = "Registrasi #{} ({})".format(pk, category.code)
        if category.min_age is not None and age < category.min_age:
            yield "{}: usia {} tahun pada {}, di bawah {}.".format(label, age, assessed_on, category.min_age)
        if category.max_age is not None and age > category.max_age:
            yield "{}: usia {} tahun pada {}, di atas {}.".format(label, age, assessed_on, category.max_age)
        if category.required_sex and sex and sex != category.required_sex:
            yield "{}: jenis kelamin {} tidak sesuai kriteria.".format(label, sex)
    wrong_order = _in_region(Registration.objects.filter(
        Q(verified_at__lt=F("submitted_at")) | Q(referred_at__lt=F("verified_at"))
        | Q(served_at__lt=F("referred_at")) | Q(closed_at__lt=F("served_at"))), "village__code", region)
    for pk in wrong_order.values_list("pk", flat=True)[:1000]:
        yield "Registrasi #{}: langkah alur kerja tidak berurutan.".format(pk)
    now = timezone.now()
    future = _in_region(Registration.objects.filter(
        Q(submitted_at__gt=now) | Q(verified_at__gt=now) | Q(referred_at__gt=now) | Q(served_at__gt=now)
        | Q(closed_at__gt=now) | Q(assessed_on__gt=today)), "village__code", region)
    for pk in future.values_list("pk", flat=True)[:1000]:
        yield "Registrasi #{}: tanggal di masa depan.".format(pk)


def other_dates(region: str, today: datetime.date) -> Iterator[str]:
    for visit in _in_region(MonitoringVisit.objects.filter(visited_on__gt=today), "village__code", region):
        yield "Kunjungan monitoring #{} ({}): bertanggal {} (masa depan).".format(visit.pk, visit.village_id,
                                                                                 visit.visited_on)
    for pokja in _in_region(Pokja.objects.filter(decree_date__gt=today), "village__code", region):
        yield "Pokja {}: tanggal SK {} di masa depan.".format(pokja.village_id, pokja.decree_date)
    for membership in _in_region(CohortVillage.objects.select_related("cohort"), "village__code", region):
        if not codes.within(membership.village_id, membership.cohort.region_code):
            yield "Angkatan {}: desa {} di luar wilayah {}.".format(membership.cohort.name, membership.village_id,
                                                                    membership.cohort.region_code)


CHECKS: tuple[tuple[str, Callable[[str, datetime.date], Iterator[str]]], ...] = (
    ("Tahap stimulan", tranches),
    ("Belanja", spending),
    ("Asesmen", assessments),
    ("Rencana aksi", plans),
    ("Jadwal tahapan", stages),
    ("Evaluasi", evaluations),
    ("Tahap DBS", phases),
    ("Registrasi PPKS", registrations),
    ("Tanggal lain dan angkatan", other_dates),
)


def run_checks(*, region: str = "", today: datetime.date | None = None, limit: int = 20) -> list[CheckResult]:
    """Every check, with up to ``limit`` problem messages each and the total count."""
    today = today or timezone.localdate()
    results = []
    for name, check in CHECKS:
        result = CheckResult(name)
        for message in check(region, today):
            result.count += 1
            if len(result.problems) < limit:
                result.problems.append(message)
        results.append(result)
    return results
