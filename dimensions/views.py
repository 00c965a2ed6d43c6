"""Assessment pages: list, start, detail with scores, survey per respondent, import, workflow, history, mapping."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import audit_record
from config.caching import CountedPaginator
from config.ratelimit import rate_limited
from dimensions import imports, services
from dimensions.charts import grouped_bars
from dimensions.forms import AnswersImportForm, AssessmentCreateForm, RespondentForm, SurveyForm
from dimensions.models import Assessment
from dimensions.selectors import (
    assessment_get,
    assessment_indicators,
    assessment_list,
    latest_validated,
    latest_validated_count,
    scores_by_assessment,
    village_history,
)
from villages.selectors import village_get

PAGE_SIZE = 50


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def assessment_label(assessment) -> str:
    """How a message names an assessment: village, year and phase (``Sucolor 2026, baseline``)."""
    return "{} {}, {}".format(assessment.village.name, assessment.year, assessment.get_phase_display())

@login_required
def assessment_list_view(request):
    filterset = assessment_list(user=request.user, filters=request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queryset.order_by("-year", "village__code"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dimensions/assessment_list.html", {
        "filterset": filterset, "page": page, "query": query.urlencode(),
        "can_assess": services.can_assess(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create_view(request):
    if not services.can_assess(request.user):
        raise PermissionDenied
    form = AssessmentCreateForm(request.POST or None, user=request.user,
                                initial={"village": request.GET.get("village")})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Asesmen {assessment} dibuat. Tambahkan responden, lalu isi survei.").format(
                assessment=assessment_label(assessment)))
            return redirect(assessment)
    return render(request, "dimensions/assessment_form.html", {"form": form})


def _chart_for(assessments: list[Assessment]) -> str:
    if not assessments:
        return ""
    dimensions = [score.dimension for score in assessments[0].scores.all()]
    series = []
    for assessment in assessments:
        by_number = {score.dimension.number: score.score for score in assessment.scores.all()}
        series.append(("{} {}".format(assessment.get_phase_display(), assessment.year),
                       [by_number.get(dimension.number) for dimension in dimensions]))
    return grouped_bars(groups=[dimension.code for dimension in dimensions], series=series)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail_view(request, pk: int):
    """Scores, respondents (POST adds one), workflow buttons."""
    assessment = assessment_get(user=request.user, pk=pk, with_scores=True)
    form = RespondentForm(request.POST or None)
    if request.method == "POST":
        try:
            if form.is_valid():
                services.respondent_save(assessment=assessment, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Responden {name} ditambahkan ke asesmen {assessment}.").format(
                    name=form.cleaned_data["name"], assessment=assessment_label(assessment)))
                return redirect(assessment)
        except ValidationError as error:
            _messages_from(request, error)
        except PermissionDenied:
            raise
    respondents = list(assessment.respondents.prefetch_related("answers"))
    indicator_count = len(assessment_indicators(assessment))
    scores = list(assessment.scores.all())
    context = {
        "assessment": assessment,
        "respondents": [(respondent, len(respondent.answers.all()), indicator_count) for respondent in respondents],
        "respondent_form": form,
        "scores": scores,
        "record_values": list(assessment.record_values.select_related("indicator")) if scores else [],
        "chart": _chart_for([assessment]) if scores else "",
        "gaps": services.completeness_errors(assessment) if assessment.is_editable else [],
        "can_edit": assessment.is_editable and services.can_edit(request.user, assessment),
        "can_validate": assessment.status == Assessment.Status.SUBMITTED and services.can_validate(request.user),
    }
    return render(request, "dimensions/assessment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey_view(request, pk: int, respondent_pk: int):
    """One respondent's answers, one block per dimension; saving keeps a draft."""
    assessment = assessment_get(user=request.user, pk=pk)
    respondent = get_object_or_404(assessment.respondents, pk=respondent_pk)
    indicators = assessment_indicators(assessment)
    initial = {answer.indicator.code: str(answer.value) for answer in respondent.answers.select_related("indicator")}
    readonly = not (assessment.is_editable and services.can_edit(request.user, assessment))
    record_values = services.record_values_for(assessment, as_of=timezone.localdate()) if assessment.is_editable \
        else {value.indicator_id: value for value in assessment.record_values.all()}
    form = SurveyForm(request.POST or None, indicators=indicators, initial=initial, disabled=readonly,
                      record_values=record_values)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.answers_save(assessment=assessment, actor=request.user, respondent=respondent,
                                          values=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("{count} jawaban {name} tersimpan sebagai draf.").format(
                count=saved, name=respondent.name))
            following = assessment.respondents.filter(pk__gt=respondent.pk).order_by("pk").first()
            if "next" in request.POST and following is not None:
                return redirect("dimensions:survey", pk=assessment.pk, respondent_pk=following.pk)
            return redirect(assessment)
    return render(request, "dimensions/survey.html", {
        "assessment": assessment, "respondent": respondent, "form": form,
        "readonly": readonly,
    })


@login_required
@require_POST
def assessment_transition_view(request, pk: int, action: str):
    assessment = assessment_get(user=request.user, pk=pk)
    try:
        if action == "submit":
            services.assessment_submit(assessment=assessment, actor=request.user)
            messages.success(request, _("Asesmen {assessment} diajukan; skor dihitung.").format(
                assessment=assessment_label(assessment)))
        elif action == "validate":
            services.assessment_validate(assessment=assessment, actor=request.user)
            messages.success(request, _("Asesmen {assessment} divalidasi dan dibekukan.").format(
                assessment=assessment_label(assessment)))
        elif action == "return":
            services.assessment_return(assessment=assessment, actor=request.user,
                                       reason=request.POST.get("reason", ""))
            messages.success(request, _("Asesmen {assessment} dikembalikan untuk diperbaiki.").format(
                assessment=assessment_label(assessment)))
        else:
            raise PermissionDenied
    except ValidationError as error:
        _messages_from(request, error)
    return redirect(assessment)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("imports")
def answers_import_view(request, pk: int):
    """Replace respondents and answers from a CSV/XLSX (Kobo/Google Forms export); all-or-nothing."""
    assessment = assessment_get(user=request.user, pk=pk)
    codes = [indicator.code for indicator in assessment_indicators(assessment)]
    if request.GET.get("template") == "csv":
        response = HttpResponse(imports.template_csv(codes), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="templat-jawaban-asesmen.csv"'
        return response
    if not (assessment.is_editable and services.can_edit(request.user, assessment)):
        raise PermissionDenied
    form = AnswersImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_rows(form.cleaned_data["file"], codes)
            count = services.answers_replace(assessment=assessment, actor=request.user, rows=rows)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("{count} jawaban diimpor.").format(count=count))
            return redirect(assessment)
    return render(request, "dimensions/answers_import.html",
                  {"assessment": assessment, "form": form, "errors": errors, "codes": codes})


@login_required
def village_history_view(request, code: str):
    village = village_get(user=request.user, code=code)
    history = village_history(user=request.user, village_code=code)
    validated = sorted((assessment for assessment in history if assessment.status == Assessment.Status.VALIDATED),
                       key=lambda assessment: (assessment.validated_at, assessment.pk))
    baseline = [assessment for assessment in validated if assessment.phase == Assessment.Phase.BASELINE][-1:]
    endline = [assessment for assessment in validated if assessment.phase == Assessment.Phase.ENDLINE][-1:]
    return render(request, "dimensions/village_history.html", {
        "village": village, "history": history, "chart": _chart_for(baseline + endline),
    })


MAPPING_COLUMNS = ("Kode desa", "Desa", "Kecamatan", "Tahun", "Tahap", "Indeks", "Kategori", "Dimensi terlemah",
                   "D1", "D2", "D3", "D4")


@login_required
@rate_limited("exports", methods=("GET",), when=lambda request: request.GET.get("format") == "csv")
def mapping_view(request):
    """Pemetaan kerentanan sosial: each village's latest validated index and weakest dimension; CSV export."""
    assessments = latest_validated(user=request.user, filters=request.GET)
    if request.GET.get("format") == "csv":
        return _mapping_csv(request, assessments)
    count = latest_validated_count(user=request.user, filters=request.GET)
    page = CountedPaginator(assessments, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    scores = scores_by_assessment(page.object_list)
    rows = [(assessment, [scores.get(assessment.pk, {}).get(number) for number in (1, 2, 3, 4)])
            for assessment in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dimensions/mapping.html", {
        "page": page, "rows": rows, "query": query.urlencode(),
        "filterset": assessment_list(user=request.user, filters=request.GET),
    })


def _mapping_csv(request, assessments):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(MAPPING_COLUMNS)
        for start in range(0, assessments.count(), 1000):
            chunk = list(assessments[start : start + 1000])
            scores = scores_by_assessment(chunk)
            for assessment in chunk:
                by_number = scores.get(assessment.pk, {})
                yield writer.writerow([
                    assessment.village.code, assessment.village.name, assessment.village.district.name,
                    assessment.year, assessment.get_phase_display(), assessment.overall_index,
                    assessment.get_band_display(), assessment.weakest_dimension.code if assessment.weakest_dimension
                    else "", *[by_number[number].score if number in by_number else "" for number in (1, 2, 3, 4)],
                ])

    audit_record(actor=request.user, action="dimensions.mapping.export", request=request,
                 detail={"filters": {key: value for key, value in request.GET.items() if key != "format"}})
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pemetaan-kerentanan-sosial.csv"'
    return response
