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
from actionplans.charts import bars
from actionplans.forms import (
    ActivityForm,
    ActivityProgressForm,
    EvaluationForm,
    EvidenceForm,
    MonitoringForm,
    PlanCreateForm,
    PokjaForm,
    PokjaMemberForm,
    SpendingForm,
    StageForm,
    TrancheForm,
)
from actionplans.models import ActionPlan, ActivityEvidence, Evaluation, MonitoringVisit, ProgrammeStage
from actionplans.selectors import (
    plan_activities,
    plan_base,
    plan_get,
    plan_list,
    pokja_for,
    programme_dashboard,
    spendings_of,
    stages_of,
    tranches_of,
)
from config import uploads
from config.files import stored_attachment
from villages.selectors import village_get


def _apply(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def plan_list_view(request):
    filterset = plan_list(user=request.user, filters=request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "actionplans/plan_list.html", {"filterset": filterset, "page": page,
                                                          "query": query.urlencode()})


@login_required
def dashboard_view(request):
    data = programme_dashboard(user=request.user, year=_year(request))
    chart = bars(labels=[label for label, _count in data["stage_progress"]],
                 values=[count for _label, count in data["stage_progress"]],
                 maximum=max(data["stage_villages"], 1))
    return render(request, "actionplans/dashboard.html", {"data": data, "chart": chart})


@login_required
@require_http_methods(["GET", "POST"])
def village_view(request, code: str):
    """The village's programme hub for one year: stages, plans, stimulus funds and monitoring."""
    village = village_get(user=request.user, code=code)
    year = _year(request)
    plan_form = PlanCreateForm(request.POST if request.POST.get("form") == "plan" else None, village=village,
                               initial={"year": year})
    tranche_form = TrancheForm(request.POST if request.POST.get("form") == "tranche" else None)
    monitoring_form = MonitoringForm(request.POST if request.POST.get("form") == "monitoring" else None)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "plan" and plan_form.is_valid():
                plan = services.plan_create(village=village, actor=request.user, **plan_form.cleaned_data)
                return redirect(plan)
            if action == "stages":
                services.stages_initialise(village=village, year=year, actor=request.user)
                return redirect("{}?year={}".format(request.path, year))
            if action == "tranche" and tranche_form.is_valid():
                services.tranche_record(village=village, year=year, actor=request.user, **tranche_form.cleaned_data)
                messages.success(request, _("Tahap stimulan dicatat."))
                return redirect("{}?year={}".format(request.path, year))
            if action == "monitoring" and monitoring_form.is_valid():
                plan = plan_base(request.user).filter(village=village, year=year).first()
                services.monitoring_record(village=village, actor=request.user, plan=plan,
                                           **monitoring_form.cleaned_data)
                messages.success(request, _("Kunjungan monitoring dicatat."))
                return redirect("{}?year={}".format(request.path, year))
        except ValidationError as error:
            target = {"plan": plan_form, "tranche": tranche_form, "monitoring": monitoring_form}.get(action)
            if target is not None:
                _apply(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    today = timezone.localdate()
    stages = stages_of(user=request.user, village_code=code, year=year)
    context = {
        "village": village, "year": year, "pokja": pokja_for(user=request.user, village_code=code),
        "stages": [(stage, stage.is_late(today), StageForm(instance=stage, prefix="stage-{}".format(stage.pk)))
                   for stage in stages],
        "plans": plan_base(request.user).filter(village=village).order_by("-year"),
        "tranches": tranches_of(user=request.user, village_code=code, year=year),
        "balance": services.stimulus_balance(village_code=code, year=year),
        "visits": visible_to(request.user, MonitoringVisit.objects.filter(village=village)).select_related(
            "visitor")[:20],
        "plan_form": plan_form, "tranche_form": tranche_form, "monitoring_form": monitoring_form,
        "can_plan": services.can_plan(request.user), "can_approve": services.can_approve(request.user),
    }
    return render(request, "actionplans/village.html", context)


@login_required
@require_POST
def stage_update_view(request, pk: int):
    stage = get_object_or_404(visible_to(request.user, ProgrammeStage.objects.all()), pk=pk)
    form = StageForm(request.POST, instance=ProgrammeStage.objects.get(pk=pk), prefix="stage-{}".format(pk))
    if form.is_valid():
        try:
            services.stage_update(stage=stage, actor=request.user, data=form.cleaned_data)
            messages.success(request, _("Tahap {stage} diperbarui.").format(stage=stage.get_stage_display()))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect("{}?year={}".format(redirect("actionplans:village", code=stage.village_id).url, stage.year))


@login_required
@require_http_methods(["GET", "POST"])
def pokja_view(request, code: str):
    village = village_get(user=request.user, code=code)
    pokja = pokja_for(user=request.user, village_code=code)
    pokja_form = PokjaForm(request.POST if request.POST.get("form") == "pokja" else None, instance=pokja)
    member_form = PokjaMemberForm(request.POST if request.POST.get("form") == "member" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "pokja" and pokja_form.is_valid():
                services.pokja_save(village=village, actor=request.user, **pokja_form.cleaned_data)
                return redirect("actionplans:pokja", code=code)
            if request.POST.get("form") == "member" and member_form.is_valid():
                if pokja is None:
                    raise ValidationError(_("Simpan data SK Pokja terlebih dahulu."))
                services.pokja_member_save(pokja=pokja, actor=request.user, data=member_form.cleaned_data)
                return redirect("actionplans:pokja", code=code)
        except ValidationError as error:
            _apply(member_form if request.POST.get("form") == "member" else pokja_form, error)
    return render(request, "actionplans/pokja.html", {
        "village": village, "pokja": pokja, "pokja_form": pokja_form, "member_form": member_form,
        "can_plan": services.can_plan(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail_view(request, pk: int):
    plan = plan_get(user=request.user, pk=pk)
    activity_form = ActivityForm(request.POST if request.POST.get("form") == "activity" else None, plan=plan)
    spending_form = SpendingForm(request.POST if request.POST.get("form") == "spending" else None, plan=plan)
    evaluation_form = EvaluationForm(request.POST if request.POST.get("form") == "evaluation" else None, plan=plan)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "activity" and activity_form.is_valid():
                services.activity_save(plan=plan, actor=request.user, data=dict(activity_form.cleaned_data))
                messages.success(request, _("Kegiatan disimpan."))
                return redirect(plan)
            if action == "spending" and spending_form.is_valid():
                data = dict(spending_form.cleaned_data)
                services.spending_record(actor=request.user, **data)
                messages.success(request, _("Belanja dicatat."))
                return redirect(plan)
            if action == "evaluation" and evaluation_form.is_valid():
                services.evaluation_save(plan=plan, actor=request.user, **evaluation_form.cleaned_data)
                messages.success(request, _("Evaluasi disimpan."))
                return redirect(plan)
        except ValidationError as error:
            _apply({"activity": activity_form, "spending": spending_form, "evaluation": evaluation_form}[action], error)
    proposals = services.proposed_activities(plan) if plan.is_editable else []
    evaluation = Evaluation.objects.filter(plan=plan).select_related("baseline", "endline").first()
    context = {
        "plan": plan, "activities": plan_activities(plan), "proposals": proposals,
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
        messages.success(request, _("Status rencana aksi diperbarui."))
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
            _apply(evidence_form if request.POST.get("form") == "evidence" else progress_form, error)
    return render(request, "actionplans/activity.html", {
        "plan": plan, "activity": activity, "progress_form": progress_form, "evidence_form": evidence_form,
        "evidence": activity.evidence.all(), "can_act": services.can_plan(request.user),
    })
