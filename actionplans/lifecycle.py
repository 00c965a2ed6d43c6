"""A village's DBS phase, derived from its records in one place.

The phase is never stored. ``phases_for`` reads the records of many villages at once (a fixed
number of queries, whatever the number of villages) and ``derive`` applies one rule to each, for the
village's current cycle: the latest year that has an action plan or a baseline assessment.

===========================  ==============================================================
phase                        when (first rule that holds, for the current cycle)
===========================  ==============================================================
mandiri                      the approved plan was evaluated against a validated endline whose
                             band is at least ``SIDBS_MANDIRI_MIN_BAND`` (default tinggi)
monitoring dan evaluasi      the approved plan was evaluated (endline below that band), or a
                             validated endline of that year or later exists, or its monitoring
                             or evaluation stage has started
act                          the plan of the cycle is approved
think                        the cycle has a plan not yet approved, or a validated baseline
look                         the cycle has a baseline being collected (draft, submitted,
                             returned), or the penjajagan stage finished or data collection began
penjajagan                   the village is a lokus (a lokus year or a cohort) and nothing above
(none)                       the village is not in the programme
===========================  ==============================================================

A Dinas Sosial user may override the derived phase with a reason (``PhaseOverride``, audited); the
override is shown as such wherever the phase is, and "mandiri" needs the same validated band
whether derived or overridden. Village pages, search and API (through ``villages.programme``),
the dashboard, the profile PDF and the consistency check all read this module.

Filtering by phase first narrows to the villages with any programme record (``in_programme``), so
a province's thousands of villages cost what its few hundred lokus cost.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, Evaluation, PhaseOverride, ProgrammeStage
from dimensions.models import Assessment, Band
from villages.models import CohortVillage, LokusYear, ProgrammePhase, Village

BAND_ORDER = (Band.LOW, Band.MEDIUM, Band.HIGH)
CHUNK = 900  # codes per IN (...) list, under SQLite's variable limit
Phase = ProgrammePhase


def mandiri_bands() -> list[str]:
    """Bands of a validated assessment that allow "mandiri" (``SIDBS_MANDIRI_MIN_BAND`` and above)."""
    minimum = settings.SIDBS_MANDIRI_MIN_BAND
    if minimum not in BAND_ORDER:
        minimum = Band.HIGH
    return [band.value for band in BAND_ORDER[BAND_ORDER.index(minimum):]]


@dataclass
class Records:
    """What the rule reads about one village."""

    in_programme: bool = False
    collecting: bool = False
    plan_id: int | None = None
    plan_year: int | None = None
    plan_status: str = ""
    baseline_year: int | None = None  # latest validated baseline
    open_baseline_year: int | None = None  # latest baseline not validated yet
    endline_years: list[int] = field(default_factory=list)  # validated endlines
    monitoring_years: set[int] = field(default_factory=set)  # years whose monitoring/evaluation stage began
    evaluation_band: str = ""  # band of the validated endline the latest plan was evaluated against
    override: str = ""

    @property
    def cycle(self) -> int:
        return max(self.plan_year or 0, self.baseline_year or 0, self.open_baseline_year or 0)


def derive(records: Records) -> str | None:
    """The rule of the module docstring."""
    cycle = records.cycle
    if records.plan_year and records.plan_year == cycle:
        if records.plan_status != ActionPlan.Status.APPROVED:
            return Phase.THINK
        if records.evaluation_band in mandiri_bands():
            return Phase.GRADUATED
        if (records.evaluation_band or records.plan_year in records.monitoring_years
                or any(year >= records.plan_year for year in records.endline_years)):
            return Phase.EVALUATION
        return Phase.ACT
    if records.baseline_year and records.baseline_year == cycle:
        return Phase.THINK
    if (records.open_baseline_year and records.open_baseline_year == cycle) or records.collecting:
        return Phase.LOOK
    if records.in_programme:
        return Phase.SITE_APPRAISAL
    return None


def _chunks(codes: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(codes), CHUNK):
        yield codes[start:start + CHUNK]


def records_for(codes: Iterable[str], *, overrides: dict[str, str] | None = None) -> dict[str, Records]:
    """{village code: Records} for ``codes``: five queries per 900 codes, and the evaluations of their plans.

    ``overrides`` ({village code: phase} of the active overrides of ``codes``), when the caller has read them
    already, saves the query for them.
    """
    codes = sorted(set(codes))
    table = {code: Records() for code in codes}
    for part in _chunks(codes):
        lokus = LokusYear.objects.filter(village_id__in=part).order_by().values_list("village_id", flat=True)
        cohorts = CohortVillage.objects.filter(village_id__in=part).order_by().values_list("village_id", flat=True)
        for code in lokus.union(cohorts):
            table[code].in_programme = True
        for code, plan_id, year, status in (ActionPlan.objects.filter(village_id__in=part)
                                            .order_by("village_id", "year").values_list("village_id", "pk", "year",
                                                                                        "status")):
            records = table[code]
            records.plan_id, records.plan_year, records.plan_status = plan_id, year, status  # the latest year wins
        for code, phase, year, status in Assessment.objects.filter(village_id__in=part).exclude(
                phase=Assessment.Phase.MONITORING).values_list("village_id", "phase", "year", "status"):
            records = table[code]
            validated = status == Assessment.Status.VALIDATED
            if phase == Assessment.Phase.ENDLINE:
                if validated:
                    records.endline_years.append(year)
            elif validated:
                records.baseline_year = max(records.baseline_year or 0, year)
            else:
                records.open_baseline_year = max(records.open_baseline_year or 0, year)
        started = ProgrammeStage.objects.filter(village_id__in=part).filter(
            Q(actual_start__isnull=False) | Q(actual_end__isnull=False))
        for code, stage, year, actual_end in started.values_list("village_id", "stage", "year", "actual_end"):
            records = table[code]
            if stage == ProgrammeStage.Stage.DATA_COLLECTION or (
                    stage == ProgrammeStage.Stage.SITE_APPRAISAL and actual_end):
                records.collecting = True
            if stage in {ProgrammeStage.Stage.MONITORING, ProgrammeStage.Stage.EVALUATION}:
                records.monitoring_years.add(year)
        if overrides is None:
            for code, phase in PhaseOverride.objects.filter(village_id__in=part, cleared_at__isnull=True
                                                            ).values_list("village_id", "phase"):
                table[code].override = phase
    for code, phase in (overrides or {}).items():
        if code in table:
            table[code].override = phase
    plans = {records.plan_id: records for records in table.values() if records.plan_id}
    plan_ids = sorted(plans)
    for start in range(0, len(plan_ids), CHUNK):
        for plan_id, band in Evaluation.objects.filter(
                plan_id__in=plan_ids[start:start + CHUNK], endline__status=Assessment.Status.VALIDATED
        ).values_list("plan_id", "endline__band"):
            plans[plan_id].evaluation_band = band
    return table


@dataclass(frozen=True)
class VillagePhase:
    """The phase to show (``effective``), the one the records give (``derived``) and the override, if any."""

    effective: str | None
    derived: str | None
    override: str | None


def phases_for(codes: Iterable[str]) -> dict[str, VillagePhase]:
    """{village code: VillagePhase} for ``codes`` (a fixed number of queries)."""
    result = {}
    for code, records in records_for(codes).items():
        derived = derive(records)
        result[code] = VillagePhase(records.override or derived, derived, records.override or None)
    return result


def in_programme() -> Q:
    """Villages with any programme record; only they can have a phase."""
    return (Q(code__in=LokusYear.objects.values("village_id"))
            | Q(code__in=CohortVillage.objects.values("village_id"))
            | Q(code__in=Assessment.objects.values("village_id"))
            | Q(code__in=ActionPlan.objects.values("village_id"))
            | Q(code__in=ProgrammeStage.objects.values("village_id"))
            | Q(code__in=PhaseOverride.objects.values("village_id")))


def filter_by_phase(villages: QuerySet, phase: str) -> QuerySet:
    """``villages`` whose phase (derived, or the override) is ``phase``."""
    candidates = list(villages.filter(in_programme()).values_list("code", flat=True))
    matching = [code for code, value in phases_for(candidates).items() if value.effective == phase]
    return villages.filter(code__in=matching)


@dataclass
class PhaseInfo:
    """A village's phase with the records it follows from, for the village's programme page and the PDF."""

    village_code: str
    derived: str | None
    override: PhaseOverride | None
    evidence: list[str] = field(default_factory=list)
    next_step: str = ""

    @property
    def effective(self) -> str | None:
        return self.override.phase if self.override else self.derived

    @property
    def label(self) -> str:
        return Phase(self.effective).label if self.effective else _("Belum masuk program")

    @property
    def derived_label(self) -> str:
        return Phase(self.derived).label if self.derived else _("Belum masuk program")


def phase_of(village: Village | str) -> PhaseInfo:
    """The phase of one village, with the evidence (the same rule as ``phases_for``)."""
    code = village if isinstance(village, str) else village.code
    override = PhaseOverride.objects.filter(village_id=code, cleared_at__isnull=True).select_related(
        "set_by").first()
    records = records_for([code], overrides={code: override.phase} if override else {})[code]
    info = PhaseInfo(code, derive(records), override)
    cycle = records.cycle or None
    if records.in_programme:
        info.evidence.append(_("Desa lokus (tahun lokus atau angkatan tercatat)."))
    if records.collecting:
        info.evidence.append(_("Penjajagan selesai atau pengumpulan data sudah dimulai."))
    if records.open_baseline_year and records.open_baseline_year == cycle:
        info.evidence.append(_("Asesmen baseline {year} sedang berjalan (belum divalidasi).").format(
            year=records.open_baseline_year))
    if records.baseline_year:
        info.evidence.append(_("Baseline {year} tervalidasi.").format(year=records.baseline_year))
    if records.plan_year:
        info.evidence.append(_("Rencana aksi {year}: {status}.").format(
            year=records.plan_year, status=ActionPlan.Status(records.plan_status).label.lower()))
    if records.plan_year in records.monitoring_years:
        info.evidence.append(_("Tahap monitoring/evaluasi sudah dimulai."))
    if records.plan_year and any(year >= records.plan_year for year in records.endline_years):
        info.evidence.append(_("Endline tervalidasi ada."))
    if records.evaluation_band:
        info.evidence.append(_("Evaluasi tercatat; endline berkategori {band}.").format(
            band=Band(records.evaluation_band).label.lower()))
    info.next_step = {
        Phase.SITE_APPRAISAL: _("Mulai asesmen baseline (Look)."),
        Phase.LOOK: _("Lengkapi dan validasi asesmen baseline."),
        Phase.THINK: _("Susun rencana aksi dari titik lemah dan aset desa, lalu ajukan untuk disetujui."),
        Phase.ACT: _("Laksanakan kegiatan, catat stimulan, belanja dan monitoring."),
        Phase.EVALUATION: _("Validasi endline dan catat evaluasi rencana aksi."),
        Phase.GRADUATED: _("Desa mandiri: pertahankan kegiatan tanpa stimulan."),
    }.get(info.derived, _("Tetapkan tahun lokus atau masukkan desa ke angkatan."))
    return info


def latest_validated_band(village_code: str) -> str | None:
    """The band of the village's latest validated assessment (any phase), or None."""
    return (Assessment.objects.filter(village_id=village_code, status=Assessment.Status.VALIDATED)
            .order_by("-validated_at", "-pk").values_list("band", flat=True).first())
