"""Writes for Think and Act: Pokja, plans and activities, approval, stages, stimulus and spending,
monitoring and evaluation. Each in one transaction with an audit event."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from accounts.services import audit_record
from actionplans.models import (
    ActionPlan,
    Activity,
    ActivityEvidence,
    Evaluation,
    MonitoringVisit,
    Pokja,
    PokjaMember,
    ProgrammeStage,
    Spending,
    StimulusTranche,
)
from config import uploads
from config.caching import aggregates_changed
from dimensions.models import Assessment, DimensionScore, Indicator

PLANNER_ROLES = frozenset({"pensosmas", "dinsos_kabupaten", "dinsos_provinsi", "admin"})
APPROVER_ROLES = frozenset({"dinsos_kabupaten", "dinsos_provinsi", "admin"})
# Extension: kind. Content, size and image integrity are checked by ``config.uploads.check_upload``.
EVIDENCE_TYPES = {".jpg": "photo", ".jpeg": "photo", ".png": "photo", ".pdf": "document"}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def _role(user) -> str:
    return "admin" if user.is_superuser else (user.role or "")


def can_plan(user) -> bool:
    return _role(user) in PLANNER_ROLES


def can_approve(user) -> bool:
    return _role(user) in APPROVER_ROLES


def rupiah(amount: Decimal) -> str:
    """``Rp 1.500.000``."""
    return "Rp {:,.0f}".format(amount).replace(",", ".")


def _require(actor, village_code: str, *, approver: bool = False) -> None:
    if not scope_of(actor).covers(village_code):
        raise PermissionDenied(_("Desa {code} di luar wilayah kerja Anda.").format(code=village_code))
    allowed = can_approve(actor) if approver else can_plan(actor)
    if not allowed:
        raise PermissionDenied(_("Peran Anda tidak dapat melakukan tindakan ini."))


@transaction.atomic
def pokja_save(*, village, actor, decree_number: str, decree_date, notes: str = "") -> Pokja:
    _require(actor, village.code)
    pokja, _created = Pokja.objects.update_or_create(
        village=village, defaults={"decree_number": decree_number, "decree_date": decree_date, "notes": notes})
    audit_record(actor=actor, action="actionplans.pokja.save", obj=pokja, detail={"decree": decree_number})
    return pokja


@transaction.atomic
def pokja_member_save(*, pokja: Pokja, actor, data: dict, member: PokjaMember | None = None) -> PokjaMember:
    _require(actor, pokja.village_id)
    member = member or PokjaMember(pokja=pokja)
    for name, value in data.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    audit_record(actor=actor, action="actionplans.pokja.member", obj=member, detail={"role": member.role})
    return member


def latest_baseline(village) -> Assessment | None:
    return (Assessment.objects.filter(village=village, phase=Assessment.Phase.BASELINE,
                                      status=Assessment.Status.VALIDATED).order_by("-year", "-validated_at").first())


@transaction.atomic
def plan_create(*, village, year: int, actor, title: str = "", assessment: Assessment | None = None) -> ActionPlan:
    """A draft plan answering ``assessment`` (default: the village's latest validated baseline)."""
    _require(actor, village.code)
    assessment = assessment or latest_baseline(village)
    if assessment is not None and assessment.village_id != village.code:
        raise ValidationError({"assessment": [_("Asesmen bukan milik desa ini.")]})
    plan = ActionPlan(village=village, year=year, assessment=assessment, created_by=actor,
                      title=title.strip() or _("Rencana aksi {village} {year}").format(village=village.name, year=year))
    plan.full_clean()
    plan.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.plan.create", obj=plan,
                 detail={"assessment": assessment.pk if assessment else None})
    return plan


def proposed_activities(plan: ActionPlan, limit: int = 5) -> list[dict]:
    """Weakest indicators of the plan's assessment (lowest means first), to prefill activities."""
    if plan.assessment_id is None:
        return []
    means = []
    for score in DimensionScore.objects.filter(assessment_id=plan.assessment_id).select_related("dimension"):
        for code, mean in score.indicator_means.items():
            means.append((Decimal(mean), score.dimension, code))
    means.sort(key=lambda item: (item[0], item[2]))
    indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(
        dimension__instrument=plan.assessment.instrument_id)}
    return [{"dimension": dimension, "indicator": indicators[code], "mean": mean}
            for mean, dimension, code in means[:limit] if code in indicators]


def _require_editable(plan: ActionPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(_("Rencana aksi berstatus '{status}' tidak dapat diubah.").format(
            status=plan.get_status_display()))


@transaction.atomic
def activity_save(*, plan: ActionPlan, actor, data: dict, activity: Activity | None = None) -> Activity:
    """Add or change an activity of an editable plan; the dimension must belong to the plan's instrument."""
    _require(actor, plan.village_id)
    _require_editable(plan)
    indicators = list(data.pop("indicators", []) or [])
    activity = activity or Activity(plan=plan)
    for name, value in data.items():
        setattr(activity, name, value)
    if plan.assessment_id and activity.dimension.instrument_id != plan.assessment.instrument_id:
        raise ValidationError({"dimension": [_("Dimensi tidak berasal dari instrumen asesmen rencana ini.")]})
    wrong = [indicator.code for indicator in indicators if indicator.dimension_id != activity.dimension_id]
    if wrong:
        raise ValidationError({"indicators": [_("Indikator {codes} bukan bagian dari dimensi {dimension}.").format(
            codes=", ".join(wrong), dimension=activity.dimension.code)]})
    activity.full_clean()
    activity.save()
    activity.indicators.set(indicators)
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.activity.save", obj=activity,
                 detail={"plan": plan.pk, "budget": str(activity.budget)})
    return activity


@transaction.atomic
def activity_progress_update(*, activity: Activity, actor, status: str, progress: int) -> Activity:
    """During Act (plan approved), record an activity's status and progress."""
    _require(actor, activity.plan.village_id)
    activity.status, activity.progress = status, progress
    activity.full_clean()
    activity.save(update_fields=["status", "progress"])
    audit_record(actor=actor, action="actionplans.activity.progress", obj=activity,
                 detail={"status": status, "progress": progress})
    return activity


@transaction.atomic
def evidence_add(*, activity: Activity, actor, upload, caption: str = "") -> ActivityEvidence:
    """Attach a JPEG/PNG photo or PDF (≤ 5 MB, checked by extension and content), stored under a random name."""
    _require(actor, activity.plan.village_id)
    try:
        extension = uploads.check_upload(
            upload, extensions=set(EVIDENCE_TYPES), max_bytes=EVIDENCE_MAX_BYTES,
            too_large_message=_("Berkas lebih dari 5 MB."),
            unsupported_message=_("Hanya foto JPG/PNG atau dokumen PDF."),
        )
    except uploads.UploadRejected as error:
        raise ValidationError({"file": [error.message]}) from error
    evidence = ActivityEvidence(activity=activity, kind=EVIDENCE_TYPES[extension], caption=caption.strip(),
                                uploaded_by=actor)
    evidence.file.save(uploads.random_name(upload.name), upload, save=False)
    evidence.save()
    audit_record(actor=actor, action="actionplans.evidence.add", obj=evidence, detail={"activity": activity.pk})
    return evidence


@transaction.atomic
def plan_submit(*, plan: ActionPlan, actor) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, plan.village_id)
    _require_editable(plan)
    if not plan.activities.exists():
        raise ValidationError(_("Tambahkan minimal satu kegiatan sebelum mengajukan."))
    plan.status = ActionPlan.Status.SUBMITTED
    plan.save(update_fields=["status"])
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.plan.submit", obj=plan)
    return plan


@transaction.atomic
def plan_review(*, plan: ActionPlan, actor, approve: bool, reason: str = "") -> ActionPlan:
    """Dinas Sosial approves a submitted plan, or returns it with a reason."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, plan.village_id, approver=True)
    if plan.status != ActionPlan.Status.SUBMITTED:
        raise ValidationError(_("Hanya rencana aksi yang diajukan yang dapat ditinjau."))
    if approve:
        plan.status, plan.approved_by, plan.approved_at = ActionPlan.Status.APPROVED, actor, timezone.now()
    else:
        if not reason.strip():
            raise ValidationError({"reason": [_("Alasan wajib diisi.")]})
        plan.status, plan.return_reason = ActionPlan.Status.RETURNED, reason.strip()
    plan.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.plan.approve" if approve else "actionplans.plan.return", obj=plan,
                 detail={"reason": reason})
    return plan


@transaction.atomic
def stages_initialise(*, village, year: int, actor) -> list[ProgrammeStage]:
    """The seven programme stages of a lokus year (existing ones are kept)."""
    _require(actor, village.code)
    for order, stage in enumerate(ProgrammeStage.ORDER):
        ProgrammeStage.objects.get_or_create(village=village, year=year, stage=stage, defaults={"order": order})
    aggregates_changed("programme")
    return list(ProgrammeStage.objects.filter(village=village, year=year).order_by("order"))


@transaction.atomic
def stage_update(*, stage: ProgrammeStage, actor, data: dict) -> ProgrammeStage:
    _require(actor, stage.village_id)
    for name, value in data.items():
        setattr(stage, name, value)
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if getattr(stage, start) and getattr(stage, end) and getattr(stage, end) < getattr(stage, start):
            raise ValidationError({end: [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]})
    stage.full_clean()
    stage.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stage.update", obj=stage, detail={"stage": stage.stage})
    return stage


def late_stages(queryset, today: datetime.date | None = None) -> list[ProgrammeStage]:
    today = today or timezone.localdate()
    return [stage for stage in queryset if stage.is_late(today)]


@transaction.atomic
def tranche_record(*, village, year: int, actor, number: int, amount: Decimal, received_on, reference: str
                   ) -> StimulusTranche:
    _require(actor, village.code, approver=True)
    tranche = StimulusTranche(village=village, year=year, number=number, amount=amount, received_on=received_on,
                              reference=reference.strip(), recorded_by=actor)
    tranche.full_clean()
    tranche.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stimulus.tranche", obj=tranche, detail={"amount": str(amount)})
    return tranche


def stimulus_balance(*, village_code: str, year: int) -> dict[str, Decimal]:
    """Received tranches, spending charged to stimulus-funded activities, and the balance."""
    received = StimulusTranche.objects.filter(village_id=village_code, year=year).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    spent = Spending.objects.filter(activity__plan__village_id=village_code, activity__plan__year=year,
                                    activity__fund_source=Activity.FundSource.STIMULUS).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    return {"received": received, "spent": spent, "balance": received - spent}


@transaction.atomic
def spending_record(*, activity: Activity, actor, amount: Decimal, spent_on, description: str,
                    override_reason: str = "") -> Spending:
    """Record spending on an activity of an approved plan.

    Stimulus-funded spending above the remaining balance is refused, unless a Dinas Sosial user
    records an override with a reason (kept on the spending row and in the audit trail).
    """
    plan = ActionPlan.objects.select_for_update().get(pk=activity.plan_id)
    _require(actor, plan.village_id)
    if plan.status != ActionPlan.Status.APPROVED:
        raise ValidationError(_("Belanja hanya dapat dicatat untuk rencana aksi yang sudah disetujui."))
    if amount <= 0:
        raise ValidationError({"amount": [_("Jumlah harus lebih dari nol.")]})
    spending = Spending(activity=activity, amount=amount, spent_on=spent_on, description=description.strip(),
                        recorded_by=actor)
    if activity.fund_source == Activity.FundSource.STIMULUS:
        balance = stimulus_balance(village_code=plan.village_id, year=plan.year)["balance"]
        if amount > balance:
            if not override_reason.strip():
                raise ValidationError({"amount": [_(
                    "Saldo stimulan tidak cukup: saldo {balance}, belanja {amount}. Isi alasan untuk melebihi saldo "
                    "(hanya Dinas Sosial)."
                ).format(balance=rupiah(balance), amount=rupiah(amount))]})
            if not can_approve(actor):
                raise PermissionDenied(_("Hanya Dinas Sosial yang dapat menyetujui belanja melebihi saldo."))
            spending.override_reason, spending.authorised_by = override_reason.strip(), actor
    spending.full_clean()
    spending.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.spending.record", obj=spending,
                 detail={"amount": str(amount), "override": bool(spending.override_reason)})
    return spending


@transaction.atomic
def monitoring_record(*, village, actor, visited_on, findings: str, follow_ups: str = "",
                      plan: ActionPlan | None = None) -> MonitoringVisit:
    _require(actor, village.code)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": [_("Tanggal kunjungan tidak boleh di masa depan.")]})
    visit = MonitoringVisit(village=village, plan=plan, visited_on=visited_on, visitor=actor,
                            findings=findings.strip(), follow_ups=follow_ups.strip())
    visit.full_clean()
    visit.save()
    audit_record(actor=actor, action="actionplans.monitoring.record", obj=visit)
    return visit


def score_changes(baseline: Assessment, endline: Assessment) -> list[dict]:
    """Per dimension: baseline score, endline score and the change."""
    before = {score.dimension.number: score for score in baseline.scores.select_related("dimension")}
    after = {score.dimension.number: score for score in endline.scores.select_related("dimension")}
    return [{"dimension": before[number].dimension, "baseline": before[number].score,
             "endline": after[number].score, "change": after[number].score - before[number].score}
            for number in sorted(before) if number in after]


@transaction.atomic
def evaluation_save(*, plan: ActionPlan, actor, endline: Assessment, findings: str, follow_ups: str = ""
                    ) -> Evaluation:
    """Evaluate an approved plan: its baseline against a scored endline of the same village."""
    _require(actor, plan.village_id, approver=True)
    if plan.assessment is None:
        raise ValidationError(_("Rencana aksi ini tidak terhubung ke asesmen baseline."))
    if endline.village_id != plan.village_id or endline.phase != Assessment.Phase.ENDLINE \
            or endline.overall_index is None:
        raise ValidationError({"endline": [_("Pilih asesmen endline desa ini yang sudah diberi skor.")]})
    evaluation, _created = Evaluation.objects.update_or_create(
        plan=plan, defaults={"baseline": plan.assessment, "endline": endline, "findings": findings.strip(),
                             "follow_ups": follow_ups.strip(), "created_by": actor})
    audit_record(actor=actor, action="actionplans.evaluation.save", obj=evaluation,
                 detail={"baseline": str(plan.assessment.overall_index), "endline": str(endline.overall_index)})
    return evaluation
