"""A village's DBS phase, derived from its records in one place.

The phase is never stored. ``annotate_phases`` computes it in the database (so lists can filter and
count by it) from what was recorded, for the village's current cycle: the latest year that has an
action plan or a baseline assessment.

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
whether derived or overridden. Dashboards, village pages, the API (through
``villages.programme.with_phase``) and the profile PDF all read this module.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, Evaluation, PhaseOverride, ProgrammeStage
from dimensions.models import Assessment, Band
from villages.models import CohortVillage, LokusYear, ProgrammePhase, Village

BAND_ORDER = (Band.LOW, Band.MEDIUM, Band.HIGH)
Phase = ProgrammePhase


def mandiri_bands() -> list[str]:
    """Bands of a validated assessment that allow "mandiri" (``SIDBS_MANDIRI_MIN_BAND`` and above)."""
    minimum = settings.SIDBS_MANDIRI_MIN_BAND
    if minimum not in BAND_ORDER:
        minimum = Band.HIGH
    return [band.value for band in BAND_ORDER[BAND_ORDER.index(minimum):]]


def _components(villages: QuerySet) -> QuerySet:
    """The records the rule reads, one column each (``lc_*``), computed per village in the same query."""
    validated = Assessment.Status.VALIDATED
    plans = ActionPlan.objects.filter(village=OuterRef("code")).order_by("-year")
    baselines = Assessment.objects.filter(village=OuterRef("code"), phase=Assessment.Phase.BASELINE)
    villages = villages.annotate(
        lc_plan_id=Subquery(plans.values("pk")[:1]),
        lc_plan_year=Subquery(plans.values("year")[:1]),
        lc_plan_status=Subquery(plans.values("status")[:1]),
        lc_baseline_year=Subquery(baselines.filter(status=validated).order_by("-year").values("year")[:1]),
        lc_open_baseline_year=Subquery(baselines.exclude(status=validated).order_by("-year").values("year")[:1]),
        lc_in_programme=Exists(LokusYear.objects.filter(village=OuterRef("code")))
        | Exists(CohortVillage.objects.filter(village=OuterRef("code"))),
        lc_collecting=Exists(ProgrammeStage.objects.filter(village=OuterRef("code")).filter(
            Q(stage=ProgrammeStage.Stage.SITE_APPRAISAL, actual_end__isnull=False)
            | Q(stage=ProgrammeStage.Stage.DATA_COLLECTION, actual_start__isnull=False)
            | Q(stage=ProgrammeStage.Stage.DATA_COLLECTION, actual_end__isnull=False))),
        phase_override=Subquery(PhaseOverride.objects.filter(village=OuterRef("code"), cleared_at__isnull=True)
                                .values("phase")[:1]),
    )
    return villages.annotate(
        lc_cycle=Greatest(Coalesce("lc_plan_year", 0), Coalesce("lc_baseline_year", 0),
                          Coalesce("lc_open_baseline_year", 0), output_field=IntegerField()),
        lc_evaluation_band=Subquery(Evaluation.objects.filter(plan_id=OuterRef("lc_plan_id"),
                                                              endline__status=validated)
                                    .values("endline__band")[:1]),
        lc_endline=Exists(Assessment.objects.filter(village=OuterRef("code"), phase=Assessment.Phase.ENDLINE,
                                                    status=validated, year__gte=OuterRef("lc_plan_year"))),
        lc_monitoring=Exists(ProgrammeStage.objects.filter(
            village=OuterRef("code"), year=OuterRef("lc_plan_year"),
            stage__in=[ProgrammeStage.Stage.MONITORING, ProgrammeStage.Stage.EVALUATION]).filter(
            Q(actual_start__isnull=False) | Q(actual_end__isnull=False))),
    )


def _rule() -> Case:
    """The derivation rule of the module docstring, as one SQL CASE over the ``lc_*`` columns."""
    plan_is_current = Q(lc_plan_year__isnull=False, lc_plan_year=F("lc_cycle"))
    approved = plan_is_current & Q(lc_plan_status=ActionPlan.Status.APPROVED)
    return Case(
        When(approved & Q(lc_evaluation_band__in=mandiri_bands()), then=Value(Phase.GRADUATED)),
        When(approved & (Q(lc_evaluation_band__isnull=False) | Q(lc_endline=True) | Q(lc_monitoring=True)),
             then=Value(Phase.EVALUATION)),
        When(approved, then=Value(Phase.ACT)),
        When(plan_is_current, then=Value(Phase.THINK)),
        When(lc_baseline_year__isnull=False, lc_baseline_year=F("lc_cycle"), then=Value(Phase.THINK)),
        When(lc_open_baseline_year__isnull=False, lc_open_baseline_year=F("lc_cycle"),
             then=Value(Phase.LOOK)),
        When(lc_collecting=True, then=Value(Phase.LOOK)),
        When(lc_in_programme=True, then=Value(Phase.SITE_APPRAISAL)),
        default=Value(None),
        output_field=CharField(),
    )


def annotate_phases(villages: QuerySet) -> QuerySet:
    """``villages`` with ``derived_phase`` (from records), ``phase_override`` and ``phase`` (the one to show)."""
    return _components(villages).annotate(derived_phase=_rule()).annotate(
        phase=Coalesce("phase_override", "derived_phase", output_field=CharField()))


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
    """The phase of one village, with the evidence (the same rule as ``annotate_phases``)."""
    code = village if isinstance(village, str) else village.code
    row = annotate_phases(Village.objects.filter(code=code)).values(
        "derived_phase", "lc_plan_year", "lc_plan_status", "lc_plan_id", "lc_baseline_year",
        "lc_open_baseline_year", "lc_cycle", "lc_evaluation_band", "lc_endline", "lc_monitoring", "lc_collecting",
        "lc_in_programme").first()
    override = PhaseOverride.objects.filter(village_id=code, cleared_at__isnull=True).select_related(
        "set_by").first()
    if row is None:
        return PhaseInfo(code, None, override)
    info = PhaseInfo(code, row["derived_phase"], override)
    cycle = row["lc_cycle"] or None
    if row["lc_in_programme"]:
        info.evidence.append(_("Desa lokus (tahun lokus atau angkatan tercatat)."))
    if row["lc_collecting"]:
        info.evidence.append(_("Penjajagan selesai atau pengumpulan data sudah dimulai."))
    if row["lc_open_baseline_year"] and row["lc_open_baseline_year"] == cycle:
        info.evidence.append(_("Asesmen baseline {year} sedang berjalan (belum divalidasi).").format(
            year=row["lc_open_baseline_year"]))
    if row["lc_baseline_year"]:
        info.evidence.append(_("Baseline {year} tervalidasi.").format(year=row["lc_baseline_year"]))
    if row["lc_plan_year"]:
        info.evidence.append(_("Rencana aksi {year}: {status}.").format(
            year=row["lc_plan_year"], status=ActionPlan.Status(row["lc_plan_status"]).label.lower()))
    if row["lc_monitoring"]:
        info.evidence.append(_("Tahap monitoring/evaluasi sudah dimulai."))
    if row["lc_endline"]:
        info.evidence.append(_("Endline tervalidasi ada."))
    if row["lc_evaluation_band"]:
        info.evidence.append(_("Evaluasi tercatat; endline berkategori {band}.").format(
            band=Band(row["lc_evaluation_band"]).label.lower()))
    info.next_step = {
        Phase.SITE_APPRAISAL: _("Mulai asesmen baseline (Look)."),
        Phase.LOOK: _("Lengkapi dan validasi asesmen baseline."),
        Phase.THINK: _("Susun rencana aksi dari titik lemah dan aset desa, lalu ajukan untuk disetujui."),
        Phase.ACT: _("Laksanakan kegiatan, catat stimulan, belanja dan monitoring."),
        Phase.EVALUATION: _("Validasi endline dan catat evaluasi rencana aksi."),
        Phase.GRADUATED: _("Desa mandiri: pertahankan kegiatan tanpa stimulan."),
    }.get(row["derived_phase"], _("Tetapkan tahun lokus atau masukkan desa ke angkatan."))
    return info


def latest_validated_band(village_code: str) -> str | None:
    """The band of the village's latest validated assessment (any phase), or None."""
    return (Assessment.objects.filter(village_id=village_code, status=Assessment.Status.VALIDATED)
            .order_by("-validated_at", "-pk").values_list("band", flat=True).first())
