"""Think and Act pages: programme dashboard, plans and activities, village hub (Pokja, stages, funds, monitoring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scoping import visible_to
from actionplans import services
from actionplans.forms import (
    ActivityForm,
    ActivityProgressForm,
    AssetForm,
    DecisionForm,
    EvaluationForm,
    EvidenceForm,
    MonitoringForm,
    PhaseOverrideForm,
    PlanCreateForm,
    PokjaForm,
    PokjaMemberForm,
    ReasonForm,
    SpendingForm,
    StageChangeForm,
    StageForm,
    TrancheCorrectForm,
    TranchePlanForm,
    TrancheReceiveForm,
)
from actionplans.models import (
    ActionPlan,
    ActivityEvidence,
    Asset,
    Evaluation,
    PokjaMember,
    ProgrammeStage,
    StageChangeRequest,
    StimulusTranche,
)
from actionplans.selectors import (
    assets_by_kind,
    assets_of,
    cohort_choices,
    hub_village,
    late_rows,
    latest_year_in_scope,
    pending_changes,
    plan_activities,
    plan_base,
    plan_get,
    plan_list,
    pokja_composition,
    pokja_for,
    programme_dashboard,
    spendings_of,
    village_hub,
)
from config import uploads
from config.files import stored_attachment
from config.forms import apply_service_errors
from villages.selectors import village_get


def _year(request, default: int | None = None) -> int:
    """The ``year`` asked for, else ``default``, else this year."""
    fallback = default or timezone.localdate().year
    try:
        year = int(request.GET.get("year") or fallback)
    except ValueError:
        return fallback
    return year if 2000 <= year <= 2100 else fallback


@login_required
def plan_list_view(request):
    filterset = plan_list(user=request.user, filters=request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "actionplans/plan_list.html", {"filterset": filterset, "page": page,
                                                          "query": query.urlencode()})


# Late stages shown per dashboard page (all of them are counted; the longest late come first).
LATE_PAGE_SIZE = 25


@login_required
def dashboard_view(request):
    """The programme in the user's scope for a year, optionally for one cohort: cached figures (no query of its own
    once computed for the scope), the late stages paged ``LATE_PAGE_SIZE`` at a time with the filters kept."""
    cohorts = cohort_choices(user=request.user)
    cohort = next((item for item in cohorts if str(item.pk) == request.GET.get("cohort", "")), None)
    default = cohort.year if cohort else None
    year = _year(request, default=default) if request.GET.get("year") or cohort else latest_year_in_scope(request.user)
    data = programme_dashboard(user=request.user, year=year, cohort=cohort)
    late = Paginator(data["late_stages"], LATE_PAGE_SIZE).get_page(request.GET.get("terlambat"))
    late.object_list = late_rows(late.object_list)
    query = request.GET.copy()
    query.pop("terlambat", None)
    return render(request, "actionplans/dashboard.html", {"data": data, "cohorts": cohorts, "cohort": cohort,
                                                          "late": late, "query": query.urlencode()})


def _hub(request, code: str, year: int) -> str:
    return "{}?year={}".format(redirect("actionplans:village", code=code).url, year)


@login_required
@require_http_methods(["GET", "POST"])
def village_view(request, code: str):
    """The village's programme hub for one year: phase, Pokja, schedule, plans, stimulus, assets, monitoring
    (read by ``village_hub``; the view adds the forms)."""
    village = hub_village(user=request.user, code=code)
    years = [year for year in (village.latest_stage_year, village.latest_plan_year) if year]
    year = _year(request, default=max(years) if years else None)
    plan_form = PlanCreateForm(request.POST if request.POST.get("form") == "plan" else None, village=village,
                               initial={"year": year})
    tranche_form = TranchePlanForm(request.POST if request.POST.get("form") == "tranche" else None)
    monitoring_form = MonitoringForm(request.POST if request.POST.get("form") == "monitoring" else None)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "plan" and plan_form.is_valid():
                plan = services.plan_create(village=village, actor=request.user, **plan_form.cleaned_data)
                return redirect(plan)
            if action == "stages":
                services.stages_initialise(village=village, year=year, actor=request.user)
                return redirect(_hub(request, code, year))
            if action == "tranche" and tranche_form.is_valid():
                services.tranche_plan(village=village, year=year, actor=request.user, **tranche_form.cleaned_data)
                messages.success(request, _("Tahap stimulan {number} {village} {year} direncanakan.").format(
                    number=tranche_form.cleaned_data["number"], village=village.name, year=year))
                return redirect(_hub(request, code, year))
            if action == "monitoring" and monitoring_form.is_valid():
                plan = plan_base(request.user).filter(village=village, year=year).first()
                services.monitoring_record(village=village, actor=request.user, plan=plan,
                                           **monitoring_form.cleaned_data)
                messages.success(request, _("Kunjungan monitoring di {village} dicatat.").format(village=village.name))
                return redirect(_hub(request, code, year))
        except ValidationError as error:
            target = {"plan": plan_form, "tranche": tranche_form, "monitoring": monitoring_form}.get(action)
            if target is not None:
                apply_service_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    hub = village_hub(user=request.user, village=village, year=year)
    for status in hub.schedule:
        stage = status.stage
        status.form = StageForm(instance=stage, prefix="stage-{}".format(stage.pk), plan_approved=hub.plan_approved)
        status.change_form = StageChangeForm(prefix="change-{}".format(stage.pk), initial={
            "planned_start": stage.planned_start, "planned_end": stage.planned_end})
        status.pending_change = None
        for change in stage.change_requests.all():
            change.decision_form = DecisionForm(prefix="decision-{}".format(change.pk))
            if change.status == StageChangeRequest.Status.PENDING:
                status.pending_change = change
    for tranche in hub.tranches:
        tranche.receive_form = TrancheReceiveForm(prefix="tranche-{}".format(tranche.pk), initial={
            "amount": tranche.planned_amount})
        tranche.correct_form = TrancheCorrectForm(prefix="tranche-{}".format(tranche.pk), initial={
            "amount": tranche.amount, "received_on": tranche.received_on, "reference": tranche.reference})
        tranche.void_form = ReasonForm(prefix="void-{}".format(tranche.pk))
    can_approve = services.can_approve(request.user)
    context = {
        "village": village, "year": year, "pokja": hub.pokja, "composition": hub.composition, "phase": hub.phase,
        "phase_form": PhaseOverrideForm(initial={"phase": hub.phase.effective}) if can_approve else None,
        "clear_form": ReasonForm(prefix="clear"),
        "schedule": hub.schedule, "plan_approved": hub.plan_approved, "plans": hub.plans, "tranches": hub.tranches,
        "balance": hub.balance, "visits": hub.visits, "asset_count": hub.asset_count, "asset_tags": hub.asset_tags,
        "plan_form": plan_form, "tranche_form": tranche_form, "monitoring_form": monitoring_form,
        "can_plan": services.can_plan(request.user), "can_approve": can_approve,
    }
    return render(request, "actionplans/village.html", context)


def _perform(request, form, call, success) -> None:
    """Run ``call(cleaned_data)`` for a valid form and say how it went; the service's refusals become messages.

    ``success`` is the message, or a function of the service's result giving it.
    """
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success(result) if callable(success) else success)


@login_required
@require_POST
def stage_update_view(request, pk: int):
    stage = get_object_or_404(visible_to(request.user, ProgrammeStage.objects.all()), pk=pk)
    form = StageForm(request.POST, instance=ProgrammeStage.objects.get(pk=pk), prefix="stage-{}".format(pk),
                     plan_approved=services.approved_plan(stage.village_id, stage.year) is not None)
    _perform(request, form, lambda data: services.stage_update(stage=stage, actor=request.user, data={
        name: data[name] for name in form.changed_data if name in data}),
        _("Tahap {stage} diperbarui.").format(stage=stage.get_stage_display()))
    return redirect(_hub(request, stage.village_id, stage.year))


@login_required
@require_POST
def stage_change_view(request, pk: int):
    """Ask to move an approved stage's planned dates (decided by Dinas Sosial)."""
    stage = get_object_or_404(visible_to(request.user, ProgrammeStage.objects.all()), pk=pk)
    if not services.can_plan(request.user):
        raise PermissionDenied
    _perform(request, StageChangeForm(request.POST, prefix="change-{}".format(pk)),
             lambda data: services.stage_change_request(stage=stage, actor=request.user, **data),
             _("Pengajuan perubahan jadwal {stage} dikirim ke Dinas Sosial.").format(stage=stage.get_stage_display()))
    return redirect(_hub(request, stage.village_id, stage.year))


@login_required
@require_POST
def stage_change_decide_view(request, pk: int, action: str):
    change = get_object_or_404(visible_to(request.user, StageChangeRequest.objects.select_related("stage")), pk=pk)
    if action not in {"approve", "reject"} or not services.can_approve(request.user):
        raise PermissionDenied
    _perform(request, DecisionForm(request.POST, prefix="decision-{}".format(pk)),
             lambda data: services.stage_change_decide(change=change, actor=request.user,
                                                       approve=action == "approve", note=data["note"]),
             (_("Pengajuan perubahan jadwal {stage} {village} disetujui.") if action == "approve"
              else _("Pengajuan perubahan jadwal {stage} {village} ditolak.")).format(
                 stage=change.stage.get_stage_display(), village=change.stage.village.name))
    if request.POST.get("next") == "dashboard":
        return redirect("{}?year={}".format(redirect("actionplans:changes").url, change.stage.year))
    return redirect(_hub(request, change.stage.village_id, change.stage.year))


@login_required
def change_list_view(request):
    """Pending schedule change requests in the user's scope, for Dinas Sosial to decide."""
    changes = list(pending_changes(user=request.user).order_by("requested_at")[:200])
    for change in changes:
        change.decision_form = DecisionForm(prefix="decision-{}".format(change.pk))
    return render(request, "actionplans/changes.html", {
        "changes": changes, "can_approve": services.can_approve(request.user),
    })


@login_required
@require_POST
def tranche_action_view(request, pk: int, action: str):
    """Receive, correct or void a stimulus tranche (Dinas Sosial), each with its rules and history."""
    tranche = get_object_or_404(visible_to(request.user, StimulusTranche.objects.all()), pk=pk)
    steps = {
        "receive": (TrancheReceiveForm, services.tranche_receive, _("Penerimaan tahap {number} dicatat.")),
        "correct": (TrancheCorrectForm, services.tranche_correct, _("Tahap {number} dikoreksi.")),
        "void": (ReasonForm, services.tranche_void, _("Tahap {number} dibatalkan.")),
    }
    if action not in steps or not services.can_approve(request.user):
        raise PermissionDenied
    form_class, step, message = steps[action]
    form = form_class(request.POST, prefix="{}-{}".format("void" if action == "void" else "tranche", pk))
    _perform(request, form, lambda data: step(tranche=tranche, actor=request.user, **data),
             message.format(number=tranche.number))
    return redirect(_hub(request, tranche.village_id, tranche.year))


@login_required
@require_POST
def phase_override_view(request, code: str):
    """Set (or, with ``clear``, end) a Dinas Sosial correction of the village's derived phase."""
    village = village_get(user=request.user, code=code)
    if not services.can_approve(request.user):
        raise PermissionDenied
    if request.POST.get("clear"):
        _perform(request, ReasonForm(request.POST, prefix="clear"),
                 lambda data: services.phase_override_clear(village=village, actor=request.user, **data),
                 _("Koreksi tahap {village} dicabut; tahap kembali mengikuti catatan.").format(village=village.name))
    else:
        _perform(request, PhaseOverrideForm(request.POST),
                 lambda data: services.phase_override_set(village=village, actor=request.user, **data),
                 _("Koreksi tahap DBS {village} dicatat.").format(village=village.name))
    return redirect(_hub(request, code, _year(request)))


@login_required
@require_http_methods(["GET", "POST"])
def assets_view(request, code: str, pk: int | None = None):
    """The village's ABCD asset map: assets by kind, leaky-bucket and quick-win tags; add or edit one."""
    village = village_get(user=request.user, code=code)
    asset = get_object_or_404(visible_to(request.user, Asset.objects.filter(village=village)), pk=pk) if pk else None
    if request.method == "POST" and not services.can_plan(request.user):
        raise PermissionDenied
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.asset_save(village=village, actor=request.user, asset=asset,
                                        data={name: form.cleaned_data[name] for name in AssetForm.Meta.fields})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Aset {name} disimpan.").format(name=saved.name))
            return redirect("actionplans:assets", code=code)
    assets = assets_of(user=request.user, village_code=code)
    tag = request.GET.get("tanda", "")
    shown = [item for item in assets if (tag != "bocor" or item.leaky_bucket) and (tag != "cepat"
                                                                                 or item.low_hanging_fruit)]
    plan = plan_base(request.user).filter(village=village).exclude(status=ActionPlan.Status.APPROVED).order_by(
        "-year").first()
    return render(request, "actionplans/assets.html", {
        "village": village, "groups": assets_by_kind(shown), "form": form, "asset": asset, "tag": tag,
        "total": len(assets), "leaky": [item for item in assets if item.leaky_bucket and item.active],
        "outflow": sum((item.monthly_outflow or 0) for item in assets if item.leaky_bucket and item.active),
        "editable_plan": plan if plan and plan.is_editable else None, "can_plan": services.can_plan(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def pokja_view(request, code: str):
    village = village_get(user=request.user, code=code)
    pokja = pokja_for(user=request.user, village_code=code)
    member = None
    if request.GET.get("anggota"):
        member = get_object_or_404(PokjaMember, pk=request.GET["anggota"], pokja=pokja) if pokja else None
    pokja_form = PokjaForm(request.POST if request.POST.get("form") == "pokja" else None,
                           request.FILES if request.POST.get("form") == "pokja" else None, instance=pokja)
    member_form = PokjaMemberForm(request.POST if request.POST.get("form") == "member" else None, instance=member)
    if request.method == "POST" and not services.can_plan(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("form") == "pokja" and pokja_form.is_valid():
                data = dict(pokja_form.cleaned_data)
                services.pokja_save(village=village, actor=request.user, decree_upload=data.pop("decree_upload"),
                                    **data)
                messages.success(request, _("Data SK Pokja {village} disimpan.").format(village=village.name))
                return redirect("actionplans:pokja", code=code)
            if request.POST.get("form") == "member" and member_form.is_valid():
                if pokja is None:
                    raise ValidationError(_("Simpan data SK Pokja terlebih dahulu."))
                saved = services.pokja_member_save(
                    pokja=pokja, actor=request.user, member=member,
                    data={name: member_form.cleaned_data[name] for name in PokjaMemberForm.Meta.fields})
                messages.success(request, _("{name} disimpan.").format(name=saved.name))
                return redirect("actionplans:pokja", code=code)
        except ValidationError as error:
            apply_service_errors(member_form if request.POST.get("form") == "member" else pokja_form, error)
    return render(request, "actionplans/pokja.html", {
        "village": village, "pokja": pokja, "pokja_form": pokja_form, "member_form": member_form, "member": member,
        "composition": pokja_composition(pokja),
        "members": sorted(pokja.members.all(), key=lambda item: (not item.active,
                                                                  PokjaMember.ROLE_ORDER.get(item.role, 99),
                                                                  item.dimension or 0, item.name)) if pokja else [],
        "can_plan": services.can_plan(request.user),
    })


@login_required
@require_GET
def pokja_decree_view(request, code: str):
    """The Pokja's scanned SK, for users who may see the village; always a download."""
    pokja = pokja_for(user=request.user, village_code=code)
    if pokja is None or not pokja.decree_file:
        raise Http404
    filename = "sk-pokja-{}{}".format(code, uploads.extension_of(pokja.decree_file.name))
    return stored_attachment(pokja.decree_file, filename=filename)


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail_view(request, pk: int):
    plan = plan_get(user=request.user, pk=pk)
    from_asset = None
    if request.GET.get("aset") and plan.is_editable:
        from_asset = get_object_or_404(visible_to(request.user, Asset.objects.filter(village_id=plan.village_id)),
                                       pk=request.GET["aset"])
    activity_form = ActivityForm(request.POST if request.POST.get("form") == "activity" else None, plan=plan,
                                 initial=services.activity_from_asset(plan, from_asset) if from_asset else None)
    spending_form = SpendingForm(request.POST if request.POST.get("form") == "spending" else None, plan=plan)
    evaluation_form = EvaluationForm(request.POST if request.POST.get("form") == "evaluation" else None, plan=plan)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "activity" and activity_form.is_valid():
                services.activity_save(plan=plan, actor=request.user, data=dict(activity_form.cleaned_data))
                messages.success(request, _("Kegiatan {title} disimpan.").format(
                    title=activity_form.cleaned_data["title"]))
                return redirect(plan)
            if action == "spending" and spending_form.is_valid():
                data = dict(spending_form.cleaned_data)
                spending = services.spending_record(actor=request.user, **data)
                messages.success(request, _("Belanja {amount} untuk {activity} dicatat.").format(
                    amount=services.rupiah(spending.amount), activity=spending.activity.title))
                return redirect(plan)
            if action == "evaluation" and evaluation_form.is_valid():
                services.evaluation_save(plan=plan, actor=request.user, **evaluation_form.cleaned_data)
                messages.success(request, _("Evaluasi {plan} disimpan.").format(plan=plan.title))
                return redirect(plan)
        except ValidationError as error:
            forms = {"activity": activity_form, "spending": spending_form, "evaluation": evaluation_form}
            apply_service_errors(forms[action], error)
    proposals = services.proposed_activities(plan) if plan.is_editable else []
    tagged_assets = [asset for asset in assets_of(user=request.user, village_code=plan.village_id, active_only=True)
                     if asset.leaky_bucket or asset.low_hanging_fruit] if plan.is_editable else []
    evaluation = Evaluation.objects.filter(plan=plan).select_related("baseline", "endline").first()
    context = {
        "plan": plan, "activities": plan_activities(plan), "proposals": proposals,
        "tagged_assets": tagged_assets, "from_asset": from_asset,
        "activity_form": activity_form, "spending_form": spending_form, "evaluation_form": evaluation_form,
        "spendings": spendings_of(plan), "balance": services.stimulus_balance(village_code=plan.village_id,
                                                                               year=plan.year),
        "evaluation": evaluation,
        "changes": services.score_changes(evaluation.baseline, evaluation.endline) if evaluation else [],
        "can_edit": plan.is_editable and services.can_plan(request.user),
        "can_review": plan.status == ActionPlan.Status.SUBMITTED and services.can_approve(request.user),
        "can_act": plan.status == ActionPlan.Status.APPROVED and services.can_plan(request.user),
        "can_evaluate": plan.status == ActionPlan.Status.APPROVED and services.can_approve(request.user),
    }
    return render(request, "actionplans/plan_detail.html", context)


@login_required
@require_POST
def plan_transition_view(request, pk: int, action: str):
    plan = plan_get(user=request.user, pk=pk)
    try:
        if action == "submit":
            services.plan_submit(plan=plan, actor=request.user)
        elif action in {"approve", "return"}:
            services.plan_review(plan=plan, actor=request.user, approve=action == "approve",
                                 reason=request.POST.get("reason", ""))
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {"submit": _("{plan} diajukan."), "approve": _("{plan} disetujui."),
                "return": _("{plan} dikembalikan untuk diperbaiki.")}[action]
        messages.success(request, done.format(plan=plan.title))
    return redirect(plan)


@login_required
@require_GET
def evidence_download_view(request, pk: int, activity_pk: int, evidence_pk: int):
    """One evidence file, for users who may see the plan's village; always a download, never inline."""
    plan = plan_get(user=request.user, pk=pk)
    evidence = get_object_or_404(ActivityEvidence, pk=evidence_pk, activity_id=activity_pk, activity__plan=plan)
    if not evidence.file:
        raise Http404
    filename = "bukti-{}{}".format(evidence.pk, uploads.extension_of(evidence.file.name))
    return stored_attachment(evidence.file, filename=filename)


@login_required
@require_http_methods(["GET", "POST"])
def activity_view(request, pk: int, activity_pk: int):
    """Progress and evidence of an activity during Act."""
    plan = plan_get(user=request.user, pk=pk)
    activity = get_object_or_404(plan.activities.select_related("dimension"), pk=activity_pk)
    progress_form = ActivityProgressForm(request.POST if request.POST.get("form") == "progress" else None,
                                         instance=activity)
    evidence_form = EvidenceForm(request.POST if request.POST.get("form") == "evidence" else None,
                                 request.FILES or None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "progress" and progress_form.is_valid():
                services.activity_progress_update(activity=activity, actor=request.user,
                                                  **progress_form.cleaned_data)
                return redirect("actionplans:activity", pk=pk, activity_pk=activity_pk)
            if request.POST.get("form") == "evidence" and evidence_form.is_valid():
                services.evidence_add(activity=activity, actor=request.user, upload=evidence_form.cleaned_data["file"],
                                      caption=evidence_form.cleaned_data["caption"])
                return redirect("actionplans:activity", pk=pk, activity_pk=activity_pk)
        except ValidationError as error:
            apply_service_errors(evidence_form if request.POST.get("form") == "evidence" else progress_form, error)
    return render(request, "actionplans/activity.html", {
        "plan": plan, "activity": activity, "progress_form": progress_form, "evidence_form": evidence_form,
        "evidence": activity.evidence.all(), "can_act": services.can_plan(request.user),
    })
