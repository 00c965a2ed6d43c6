"""Writes for Think and Act: Pokja, plans and activities, approval, stages, stimulus and spending,
monitoring and evaluation. Each in one transaction with an audit event."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from accounts.services import audit_record
from actionplans import lifecycle
from actionplans.models import (
    ActionPlan,
    Activity,
    ActivityEvidence,
    Asset,
    Evaluation,
    MonitoringVisit,
    PhaseOverride,
    Pokja,
    PokjaMember,
    ProgrammeStage,
    Spending,
    StageChangeRequest,
    StimulusTranche,
    TrancheRevision,
)
from config import uploads
from config.caching import aggregates_changed
from dimensions.models import Assessment, Band, DimensionScore, Indicator
from dimensions.services import moment
from villages.models import ProgrammePhase

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
def pokja_save(*, village, actor, decree_number: str, decree_date, notes: str = "", target_members: int | None = None,
               decree_upload=None) -> Pokja:
    """The Pokja's decree (SK number, date and, optionally, the scanned SK) and its member target."""
    _require(actor, village.code)
    if decree_date and decree_date > timezone.localdate():
        raise ValidationError({"decree_date": [_("Tanggal SK tidak boleh di masa depan.")]})
    pokja = Pokja.objects.select_for_update().filter(village=village).first() or Pokja(
        village=village, target_members=settings.SIDBS_POKJA_TARGET_MEMBERS)
    pokja.decree_number, pokja.decree_date, pokja.notes = decree_number.strip(), decree_date, notes.strip()
    if target_members:
        pokja.target_members = target_members
    if decree_upload is not None:
        try:
            extension = uploads.check_upload(
                decree_upload, extensions=set(EVIDENCE_TYPES), max_bytes=EVIDENCE_MAX_BYTES,
                too_large_message=_("Berkas lebih dari 5 MB."),
                unsupported_message=_("SK diunggah sebagai PDF atau foto JPG/PNG."))
        except uploads.UploadRejected as error:
            raise ValidationError({"decree_file": [error.message]}) from error
        pokja.decree_file.save("sk-{}{}".format(uploads.random_name(decree_upload.name)[:-len(extension)],
                                                extension), decree_upload, save=False)
    pokja.full_clean()
    pokja.save()
    audit_record(actor=actor, action="actionplans.pokja.save", obj=pokja,
                 detail={"decree": pokja.decree_number, "file": bool(decree_upload), "target": pokja.target_members})
    return pokja


@transaction.atomic
def pokja_member_save(*, pokja: Pokja, actor, data: dict, member: PokjaMember | None = None) -> PokjaMember:
    """Add or change a member; a coordinator names the dimension they coordinate, other roles none."""
    _require(actor, pokja.village_id)
    if member is None:
        same = pokja.members.filter(name=(data.get("name") or "").strip(), role=data.get("role"),
                                    institution=(data.get("institution") or "").strip(), active=True).first()
        if same is not None:
            return same  # the same form sent twice
    member = member or PokjaMember(pokja=pokja)
    for name, value in data.items():
        setattr(member, name, value.strip() if isinstance(value, str) else value)
    if member.role != PokjaMember.Role.COORDINATOR:
        member.dimension = None
    elif not member.dimension:
        raise ValidationError({"dimension": [_("Pilih dimensi yang dikoordinasi.")]})
    member.full_clean()
    member.save()
    audit_record(actor=actor, action="actionplans.pokja.member", obj=member,
                 detail={"role": member.role, "dimension": member.dimension, "active": member.active})
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
    if activity.source_asset_id and activity.source_asset.village_id != plan.village_id:
        raise ValidationError({"source_asset": [_("Aset bukan milik desa rencana aksi ini.")]})
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
    if activity.plan.status != ActionPlan.Status.APPROVED:
        raise ValidationError(_("Kemajuan kegiatan dicatat setelah rencana aksi disetujui."))
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
def plan_review(*, plan: ActionPlan, actor, approve: bool, reason: str = "",
                at: datetime.datetime | None = None) -> ActionPlan:
    """Dinas Sosial approves a submitted plan, or returns it with a reason.

    ``at`` records an approval given earlier (on paper, or by the demo seeds): not in the future,
    not before the baseline the plan answers was validated.
    """
    plan = ActionPlan.objects.select_for_update(of=("self",)).select_related("assessment").get(pk=plan.pk)
    _require(actor, plan.village_id, approver=True)
    if plan.status != ActionPlan.Status.SUBMITTED:
        raise ValidationError(_("Hanya rencana aksi yang diajukan yang dapat ditinjau."))
    if approve:
        approved_at = moment(at, after=plan.assessment.validated_at if plan.assessment else None)
        plan.status, plan.approved_by, plan.approved_at = ActionPlan.Status.APPROVED, actor, approved_at
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
    """The seven programme stages of a lokus year (existing ones are kept, so a re-sent request adds nothing)."""
    _require(actor, village.code)
    for order, stage in enumerate(ProgrammeStage.ORDER):
        ProgrammeStage.objects.get_or_create(village=village, year=year, stage=stage, defaults={"order": order})
    aggregates_changed("programme")
    return list(ProgrammeStage.objects.filter(village=village, year=year).order_by("order"))


def approved_plan(village_code: str, year: int) -> ActionPlan | None:
    return ActionPlan.objects.filter(village_id=village_code, year=year, status=ActionPlan.Status.APPROVED).first()


PLANNED_FIELDS = ("planned_start", "planned_end")
ACTUAL_FIELDS = ("actual_start", "actual_end")


@transaction.atomic
def stage_update(*, stage: ProgrammeStage, actor, data: dict) -> ProgrammeStage:
    """Record a stage's dates.

    Planned dates can be set freely until the year's action plan is approved; after that a change
    is a change request (``stage_change_request``) that Dinas Sosial decides. Actual dates cannot be
    in the future. The transfer-stimulan stage takes its actual dates from its tranches.
    """
    stage = ProgrammeStage.objects.select_for_update().get(pk=stage.pk)
    _require(actor, stage.village_id)
    changed = {name: value for name, value in data.items() if getattr(stage, name) != value}
    errors = {}
    if any(name in PLANNED_FIELDS for name in changed) and approved_plan(stage.village_id, stage.year):
        message = _("Rencana aksi {year} sudah disetujui: ubah tanggal rencana lewat pengajuan perubahan jadwal "
                    "yang diputuskan Dinas Sosial.").format(year=stage.year)
        for name in PLANNED_FIELDS:
            if name in changed:
                errors[name] = [message]
    if stage.follows_tranches:
        for name in ACTUAL_FIELDS:
            if changed.get(name) is not None:
                errors[name] = [_("Realisasi tahap transfer stimulan mengikuti tanggal penerimaan tahap stimulan; "
                                  "catat penerimaannya di bagian dana stimulan.")]
    today = timezone.localdate()
    for name in ACTUAL_FIELDS:
        if changed.get(name) and changed[name] > today:
            errors.setdefault(name, []).append(_("Tanggal realisasi tidak boleh di masa depan."))
    if errors:
        raise ValidationError(errors)
    for name, value in changed.items():
        setattr(stage, name, value)
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if getattr(stage, start) and getattr(stage, end) and getattr(stage, end) < getattr(stage, start):
            raise ValidationError({end: [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]})
    if stage.actual_end and not stage.actual_start:
        stage.actual_start = stage.actual_end  # finished implies started; the day is the best known start
    stage.full_clean()
    stage.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stage.update", obj=stage,
                 detail={"stage": stage.stage, "changed": {name: str(value) for name, value in changed.items()}})
    return stage


@transaction.atomic
def stage_change_request(*, stage: ProgrammeStage, actor, planned_start, planned_end, reason: str
                         ) -> StageChangeRequest:
    """Ask to move an approved stage's planned dates; the stage keeps its dates until Dinas Sosial approves.

    Sending the same request twice returns the pending one.
    """
    stage = ProgrammeStage.objects.select_for_update().get(pk=stage.pk)
    _require(actor, stage.village_id)
    if not approved_plan(stage.village_id, stage.year):
        raise ValidationError(_("Rencana aksi {year} belum disetujui: tanggal rencana dapat diubah langsung.").format(
            year=stage.year))
    pending = stage.change_requests.filter(status=StageChangeRequest.Status.PENDING).first()
    if pending is not None:
        if (pending.requested_by_id, pending.new_planned_start, pending.new_planned_end) == (
                actor.pk, planned_start, planned_end):
            return pending
        raise ValidationError(_("Tahap ini sudah punya pengajuan perubahan yang menunggu keputusan."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Tuliskan alasan perubahan jadwal.")]})
    if (planned_start, planned_end) == (stage.planned_start, stage.planned_end):
        raise ValidationError(_("Tanggal yang diajukan sama dengan jadwal sekarang."))
    if planned_start and planned_end and planned_end < planned_start:
        raise ValidationError({"planned_end": [_("Rencana selesai tidak boleh sebelum rencana mulai.")]})
    request = StageChangeRequest(stage=stage, old_planned_start=stage.planned_start,
                                 old_planned_end=stage.planned_end, new_planned_start=planned_start,
                                 new_planned_end=planned_end, reason=reason.strip(), requested_by=actor)
    request.full_clean()
    request.save()
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stage.change_request", obj=stage,
                 detail={"request": request.pk, "from": [str(stage.planned_start), str(stage.planned_end)],
                         "to": [str(planned_start), str(planned_end)], "reason": request.reason})
    return request


@transaction.atomic
def stage_change_decide(*, change: StageChangeRequest, actor, approve: bool, note: str = "") -> StageChangeRequest:
    """Dinas Sosial approves (the stage takes the new dates) or rejects (with a note) a pending request.

    Nobody decides their own request; a decided request cannot be decided again.
    """
    change = StageChangeRequest.objects.select_for_update(of=("self",)).select_related("stage").get(pk=change.pk)
    _require(actor, change.stage.village_id, approver=True)
    outcome = StageChangeRequest.Status.APPROVED if approve else StageChangeRequest.Status.REJECTED
    if change.status == outcome and change.decided_by_id == actor.pk:
        return change  # the same decision sent twice
    if change.status != StageChangeRequest.Status.PENDING:
        raise ValidationError(_("Pengajuan ini sudah diputuskan ({status}).").format(
            status=change.get_status_display().lower()))
    if change.requested_by_id == actor.pk:
        raise PermissionDenied(_("Pengajuan perubahan jadwal diputuskan oleh petugas lain, bukan pengajunya."))
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Tuliskan alasan penolakan.")]})
    change.status = StageChangeRequest.Status.APPROVED if approve else StageChangeRequest.Status.REJECTED
    change.decided_by, change.decided_at, change.decision_note = actor, timezone.now(), note.strip()
    change.save()
    if approve:
        stage = ProgrammeStage.objects.select_for_update().get(pk=change.stage_id)
        stage.planned_start, stage.planned_end = change.new_planned_start, change.new_planned_end
        stage.full_clean()
        stage.save(update_fields=["planned_start", "planned_end"])
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stage.change_approve" if approve else
                 "actionplans.stage.change_reject", obj=change.stage,
                 detail={"request": change.pk, "note": change.decision_note})
    return change


# Stimulus ---------------------------------------------------------------------------------------------------

REFERENCE_MIN_LENGTH = 4


def _tranche_snapshot(tranche: StimulusTranche) -> dict:
    return {"planned_amount": str(tranche.planned_amount), "planned_date": str(tranche.planned_date),
            "amount": str(tranche.amount) if tranche.amount is not None else None,
            "received_on": str(tranche.received_on) if tranche.received_on else None,
            "reference": tranche.reference, "receipt_note": tranche.receipt_note}


def _revision(tranche, *, action: str, actor, before: dict, reason: str = "") -> None:
    TrancheRevision.objects.create(tranche=tranche, action=action, before=before, after=_tranche_snapshot(tranche),
                                   reason=reason, actor=actor)
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.stimulus.{}".format(action), obj=tranche,
                 detail={"before": before, "after": _tranche_snapshot(tranche), "reason": reason})


@transaction.atomic
def tranche_plan(*, village, year: int, actor, number: int, planned_amount: Decimal, planned_date
                 ) -> StimulusTranche:
    """A planned tranche of the lokus year's transfer-stimulan stage (Dinas Sosial); re-sending changes nothing."""
    _require(actor, village.code, approver=True)
    existing = StimulusTranche.objects.filter(village=village, year=year, number=number).first()
    if existing is not None:
        if (existing.planned_amount, existing.planned_date) == (planned_amount, planned_date):
            return existing
        raise ValidationError({"number": [_("Tahap stimulan ke-{number} tahun {year} sudah direncanakan; koreksi "
                                            "tahap itu bila perlu.").format(number=number, year=year)]})
    if not datetime.date(year, 1, 1) <= planned_date <= datetime.date(year + 1, 12, 31):
        raise ValidationError({"planned_date": [_("Rencana tanggal harus di tahun program {year} (atau tahun "
                                                  "berikutnya).").format(year=year)]})
    tranche = StimulusTranche(village=village, year=year, number=number, planned_amount=planned_amount,
                              planned_date=planned_date, planned_by=actor)
    tranche.full_clean()
    tranche.save()
    _revision(tranche, action=TrancheRevision.Action.PLANNED, actor=actor, before={})
    return tranche


def _receipt_errors(tranche: StimulusTranche, *, amount, received_on, reference: str, note: str) -> dict:
    """Why a receipt cannot be recorded as given (empty when it can)."""
    errors = {}
    if received_on > timezone.localdate():
        errors["received_on"] = [_("Tanggal diterima tidak boleh di masa depan.")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("Jumlah diterima harus lebih dari nol.")]
    reference = reference.strip()
    if len(reference) < REFERENCE_MIN_LENGTH or not any(character.isdigit() for character in reference):
        errors["reference"] = [_("Tulis nomor BAST atau bukti transfer lengkap (minimal {count} karakter, memuat "
                                 "angka).").format(count=REFERENCE_MIN_LENGTH)]
    plan = approved_plan(tranche.village_id, tranche.year)
    reasons = []
    if plan is None or received_on < timezone.localdate(plan.approved_at):
        reasons.append(_("diterima sebelum rencana aksi {year} disetujui{date}").format(
            year=tranche.year, date=" ({})".format(timezone.localdate(plan.approved_at).strftime("%d-%m-%Y"))
            if plan else ""))
    if amount is not None and amount != tranche.planned_amount:
        reasons.append(_("jumlah berbeda dari rencana {planned}").format(planned=rupiah(tranche.planned_amount)))
    if reasons and not note.strip():
        errors["receipt_note"] = [_("Tahap ini {reasons}: tuliskan alasannya.").format(reasons="; ".join(reasons))]
    return errors


@transaction.atomic
def tranche_receive(*, tranche: StimulusTranche, actor, amount: Decimal, received_on, reference: str,
                    receipt_note: str = "") -> StimulusTranche:
    """Record that a planned tranche arrived (Dinas Sosial). Not in the future; before the plan was approved
    or with another amount than planned only with a reason. Re-sending the same receipt changes nothing."""
    tranche = StimulusTranche.objects.select_for_update().get(pk=tranche.pk)
    _require(actor, tranche.village_id, approver=True)
    if tranche.voided_at:
        raise ValidationError(_("Tahap stimulan ini sudah dibatalkan."))
    if tranche.received_on is not None:
        if (tranche.amount, tranche.received_on, tranche.reference) == (amount, received_on, reference.strip()):
            return tranche
        raise ValidationError(_("Penerimaan tahap ini sudah tercatat; gunakan koreksi dengan alasan."))
    errors = _receipt_errors(tranche, amount=amount, received_on=received_on, reference=reference, note=receipt_note)
    if errors:
        raise ValidationError(errors)
    before = _tranche_snapshot(tranche)
    tranche.amount, tranche.received_on, tranche.reference = amount, received_on, reference.strip()
    tranche.receipt_note, tranche.recorded_by = receipt_note.strip(), actor
    tranche.full_clean()
    tranche.save()
    _revision(tranche, action=TrancheRevision.Action.RECEIVED, actor=actor, before=before,
              reason=tranche.receipt_note)
    return tranche


@transaction.atomic
def tranche_correct(*, tranche: StimulusTranche, actor, amount: Decimal, received_on, reference: str,
                    reason: str, receipt_note: str = "") -> StimulusTranche:
    """Correct a received tranche (amount, date, BAST) with a reason; the old values stay in its history."""
    tranche = StimulusTranche.objects.select_for_update().get(pk=tranche.pk)
    _require(actor, tranche.village_id, approver=True)
    if tranche.voided_at or tranche.received_on is None:
        raise ValidationError(_("Hanya tahap yang sudah diterima dan tidak dibatalkan yang dapat dikoreksi."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Tuliskan alasan koreksi.")]})
    note = receipt_note.strip() or tranche.receipt_note
    if (tranche.amount, tranche.received_on, tranche.reference, tranche.receipt_note) == (
            amount, received_on, reference.strip(), note):
        return tranche  # nothing to correct (or the same correction sent twice)
    errors = _receipt_errors(tranche, amount=amount, received_on=received_on, reference=reference, note=note)
    if errors:
        raise ValidationError(errors)
    before = _tranche_snapshot(tranche)
    tranche.amount, tranche.received_on, tranche.reference, tranche.receipt_note = (
        amount, received_on, reference.strip(), note)
    tranche.full_clean()
    tranche.save()
    _revision(tranche, action=TrancheRevision.Action.CORRECTED, actor=actor, before=before, reason=reason.strip())
    return tranche


@transaction.atomic
def tranche_void(*, tranche: StimulusTranche, actor, reason: str) -> StimulusTranche:
    """Void a tranche recorded in error (kept, with who and why; it no longer counts in the balance)."""
    tranche = StimulusTranche.objects.select_for_update().get(pk=tranche.pk)
    _require(actor, tranche.village_id, approver=True)
    if tranche.voided_at:
        return tranche
    if not reason.strip():
        raise ValidationError({"reason": [_("Tuliskan alasan pembatalan.")]})
    before = _tranche_snapshot(tranche)
    tranche.voided_at, tranche.voided_by, tranche.void_reason = timezone.now(), actor, reason.strip()
    tranche.save(update_fields=["voided_at", "voided_by", "void_reason"])
    _revision(tranche, action=TrancheRevision.Action.VOIDED, actor=actor, before=before, reason=reason.strip())
    return tranche


def stimulus_balance(*, village_code: str, year: int) -> dict[str, Decimal]:
    """A lokus year's stimulus: planned, received (not voided), spent on stimulus-funded activities, balance."""
    tranches = StimulusTranche.objects.filter(village_id=village_code, year=year).only(
        "planned_amount", "amount", "voided_at")
    spent = Spending.objects.filter(activity__plan__village_id=village_code, activity__plan__year=year,
                                    activity__fund_source=Activity.FundSource.STIMULUS).aggregate(
        total=Sum("amount"))["total"]
    return balance_of(tranches, spent)


def balance_of(tranches: Iterable[StimulusTranche], spent: Decimal | None) -> dict[str, Decimal]:
    """The one balance rule, from a lokus year's tranches and what was spent on its stimulus-funded activities:
    planned and received count the tranches not voided, and the balance is received less spent
    (``stimulus_balance``; the village hub, which has read the tranches already)."""
    live = [tranche for tranche in tranches if tranche.voided_at is None]
    received = sum((tranche.amount for tranche in live if tranche.amount is not None), Decimal(0))
    spent = spent or Decimal(0)
    return {"planned": sum((tranche.planned_amount for tranche in live), Decimal(0)), "received": received,
            "spent": spent, "balance": received - spent}


def plan_period(plan: ActionPlan) -> tuple[datetime.date, datetime.date]:
    """The days an approved plan's money may be spent: from its approval to the end of its year."""
    return timezone.localdate(plan.approved_at), datetime.date(plan.year, 12, 31)


@transaction.atomic
def spending_record(*, activity: Activity, actor, amount: Decimal, spent_on, description: str,
                    override_reason: str = "") -> Spending:
    """Record spending on an activity of an approved plan, dated within the plan period and not in the future.

    Stimulus-funded spending above the remaining balance is refused, unless a Dinas Sosial user
    records an override with a reason (kept on the spending row and in the audit trail).
    """
    plan = ActionPlan.objects.select_for_update().get(pk=activity.plan_id)
    _require(actor, plan.village_id)
    if plan.status != ActionPlan.Status.APPROVED:
        raise ValidationError(_("Belanja hanya dapat dicatat untuk rencana aksi yang sudah disetujui."))
    if amount <= 0:
        raise ValidationError({"amount": [_("Jumlah harus lebih dari nol.")]})
    first_day, last_day = plan_period(plan)
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": [_("Tanggal belanja tidak boleh di masa depan.")]})
    if not first_day <= spent_on <= last_day:
        raise ValidationError({"spent_on": [_(
            "Tanggal belanja di luar masa rencana aksi ({start} sampai {end}): rencana disetujui {start}."
        ).format(start=first_day.strftime("%d-%m-%Y"), end=last_day.strftime("%d-%m-%Y"))]})
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
    """Evaluate an approved plan: its baseline against a validated endline of the same village."""
    _require(actor, plan.village_id, approver=True)
    if plan.status != ActionPlan.Status.APPROVED:
        raise ValidationError(_("Hanya rencana aksi yang disetujui yang dapat dievaluasi."))
    if plan.assessment is None:
        raise ValidationError(_("Rencana aksi ini tidak terhubung ke asesmen baseline."))
    if endline.village_id != plan.village_id or endline.phase != Assessment.Phase.ENDLINE:
        raise ValidationError({"endline": [_("Pilih asesmen endline desa ini.")]})
    if endline.status != Assessment.Status.VALIDATED:
        raise ValidationError({"endline": [_("Endline ini berstatus '{status}': evaluasi hanya terhadap endline "
                                             "yang sudah divalidasi Dinas Sosial.").format(
            status=endline.get_status_display())]})
    evaluation, _created = Evaluation.objects.update_or_create(
        plan=plan, defaults={"baseline": plan.assessment, "endline": endline, "findings": findings.strip(),
                             "follow_ups": follow_ups.strip(), "created_by": actor})
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.evaluation.save", obj=evaluation,
                 detail={"baseline": str(plan.assessment.overall_index), "endline": str(endline.overall_index)})
    return evaluation


# ABCD asset mapping -----------------------------------------------------------------------------------------


@transaction.atomic
def asset_save(*, village, actor, data: dict, asset: Asset | None = None) -> Asset:
    """Add or change an asset found by the village's ABCD mapping."""
    _require(actor, village.code)
    if asset is not None and asset.village_id != village.code:
        raise ValidationError(_("Aset bukan milik desa ini."))
    if asset is None:
        same = Asset.objects.filter(village=village, kind=data.get("kind"), name=(data.get("name") or "").strip(),
                                    active=True).first()
        if same is not None:
            if all(getattr(same, name) == (value.strip() if isinstance(value, str) else value)
                   for name, value in data.items() if name != "monthly_outflow" or data.get("leaky_bucket")):
                return same  # the same form sent twice
            raise ValidationError({"name": [_("Aset {name} sudah tercatat di desa ini; ubah aset itu.").format(
                name=same.name)]})
    asset = asset or Asset(village=village, recorded_by=actor)
    for name, value in data.items():
        setattr(asset, name, value.strip() if isinstance(value, str) else value)
    if not asset.leaky_bucket:
        asset.monthly_outflow = None
    asset.full_clean()
    asset.save()
    audit_record(actor=actor, action="actionplans.asset.save", obj=asset,
                 detail={"kind": asset.kind, "leaky_bucket": asset.leaky_bucket,
                         "low_hanging_fruit": asset.low_hanging_fruit})
    return asset


def activity_from_asset(plan: ActionPlan, asset: Asset) -> dict:
    """Initial values of a plan activity built on an asset (a quick win, or plugging a leak)."""
    if asset.village_id != plan.village_id:
        raise ValidationError(_("Aset bukan milik desa rencana aksi ini."))
    if asset.leaky_bucket:
        title = _("Menahan uang di desa: {name}").format(name=asset.name)
    else:
        title = _("Menggerakkan aset: {name}").format(name=asset.name)
    description = asset.description
    if asset.location:
        description = "{}\n{}".format(description, _("Lokasi: {location}").format(location=asset.location)).strip()
    return {"title": title[:200], "description": description, "responsible_person": asset.owner[:150],
            "target_group": _("Warga desa"), "source_asset": asset.pk}


# DBS phase override -----------------------------------------------------------------------------------------


def _mandiri_allowed(village_code: str) -> None:
    band = lifecycle.latest_validated_band(village_code)
    if band not in lifecycle.mandiri_bands():
        raise ValidationError({"phase": [_(
            "Mandiri butuh asesmen tervalidasi berkategori {minimum}; asesmen tervalidasi terakhir desa ini: {band}."
        ).format(minimum=Band(settings.SIDBS_MANDIRI_MIN_BAND).label.lower()
                 if settings.SIDBS_MANDIRI_MIN_BAND in Band.values else Band.HIGH.label.lower(),
                 band=Band(band).label.lower() if band else _("belum ada"))]})


@transaction.atomic
def phase_override_set(*, village, actor, phase: str, reason: str) -> PhaseOverride:
    """Dinas Sosial records a phase that the records do not show, with a reason (audited, shown as an override)."""
    _require(actor, village.code, approver=True)
    if phase not in ProgrammePhase.values:
        raise ValidationError({"phase": [_("Tahap tidak dikenal.")]})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": [_("Tuliskan alasan koreksi (minimal 10 karakter).")]})
    if phase == ProgrammePhase.GRADUATED:
        _mandiri_allowed(village.code)
    current = PhaseOverride.objects.select_for_update().filter(village=village, cleared_at__isnull=True).first()
    if current is not None and current.phase == phase and current.reason == reason.strip():
        return current
    if phase == lifecycle.phase_of(village.code).derived:
        raise ValidationError({"phase": [_("Catatan desa sudah menunjukkan tahap ini; koreksi tidak diperlukan.")]})
    if current is not None:
        current.cleared_by, current.cleared_at = actor, timezone.now()
        current.clear_reason = _("Diganti koreksi baru.")
        current.save(update_fields=["cleared_by", "cleared_at", "clear_reason"])
    override = PhaseOverride.objects.create(village=village, phase=phase, reason=reason.strip(), set_by=actor)
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.phase.override", obj=village,
                 detail={"phase": phase, "derived": lifecycle.phase_of(village.code).derived,
                         "reason": override.reason})
    return override


@transaction.atomic
def phase_override_clear(*, village, actor, reason: str) -> None:
    """End the village's override: its phase follows its records again."""
    _require(actor, village.code, approver=True)
    current = PhaseOverride.objects.select_for_update().filter(village=village, cleared_at__isnull=True).first()
    if current is None:
        return
    if not reason.strip():
        raise ValidationError({"reason": [_("Tuliskan alasan pencabutan.")]})
    current.cleared_by, current.cleared_at, current.clear_reason = actor, timezone.now(), reason.strip()
    current.save(update_fields=["cleared_by", "cleared_at", "clear_reason"])
    aggregates_changed("programme")
    audit_record(actor=actor, action="actionplans.phase.override_clear", obj=village,
                 detail={"phase": current.phase, "reason": current.clear_reason})
