"""Report pages: list, request, referral preview and confirmation, progress, download and verification."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import require_page
from accounts.offices import office_missing_for_letters, office_of
from config.files import stored_attachment
from config.forms import apply_service_errors
from config.ratelimit import rate_limited
from ppks.models import Directorate
from ppks.permissions import can_verify, role_of
from ppks.referral_selectors import referral_candidates
from reports import services
from reports.forms import ReferralConfirmForm, ReportParametersForm, VerifyUploadForm
from reports.models import ReportJob
from reports.selectors import document_kop, region_label, region_labels, summary_table, visible_jobs
from villages.selectors import village_get

PREVIEW_ROWS = 50
# Up to this many candidates the preview lists every person, each with a box to drop them from the letter.
PREVIEW_DROP_LIMIT = 1000
SESSION_PREVIEWS = "referral_previews"




def _require_reports_role(user) -> None:
    if role_of(user) not in services.REPORT_ROLES:
        raise PermissionDenied


@login_required
def report_list(request):
    """Every report job in the user's region; Kemensos analysts see the national list."""
    require_page(request.user, "reports:list")
    jobs = visible_jobs(request.user)
    kind = request.GET.get("kind")
    if kind in ReportJob.Kind.values:
        jobs = jobs.filter(kind=kind)
    state = request.GET.get("state")
    if state in ReportJob.State.values:
        jobs = jobs.filter(state=state)
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    labels = region_labels(job.region_code for job in page)
    directorates = dict(Directorate.objects.values_list("code", "name"))
    for job in page:
        job.region_label = labels.get(job.region_code, job.region_code)
        job.directorate_name = directorates.get(job.parameters.get("directorate"), "")
    return render(request, "reports/report_list.html", {
        "page": page, "kinds": ReportJob.Kind.choices, "states": ReportJob.State.choices,
        "can_send": can_verify(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("reports")
def report_request(request):
    """Request a summary of already referred registrations (any reporting role, NIK masked)."""
    _require_reports_role(request.user)
    form = ReportParametersForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.report_request(
                actor=request.user, region_code=data["region_code"], directorate=data["directorate"],
                period_from=data["period_from"], period_to=data["period_to"],
                categories=[category.code for category in data["categories"]],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Laporan diminta; pembuatannya berjalan di latar belakang."))
            return redirect(job)
    return render(request, "reports/request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("reports", when=lambda request: "token" in request.POST)
def referral_preview(request):
    """Step 1 shows what would be referred (nothing changes); step 2, on confirmation, sends it."""
    if not can_verify(request.user):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _referral_confirm(request)
    form = ReportParametersForm(request.GET or None, user=request.user)
    office = office_of(request.user)
    context = {"form": form, "office": office, "office_missing": office_missing_for_letters(office)}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        candidates = referral_candidates(
            user=request.user, region_code=data["region_code"], directorate_code=data["directorate"].code,
            categories=[category.code for category in data["categories"]], verified_from=data["period_from"],
            verified_to=data["period_to"],
        ).select_related("person", "category", "village__district").order_by(
            "village__district__code", "village__code", "person__name")
        registrations = list(candidates)
        token = uuid.uuid4().hex
        previews = request.session.get(SESSION_PREVIEWS, {})
        previews = dict(list(previews.items())[-4:])
        previews[token] = {
            "ids": [registration.pk for registration in registrations],
            "region_code": data["region_code"],
            "directorate": data["directorate"].code,
        }
        request.session[SESSION_PREVIEWS] = previews
        rows = [{"district_code": r.village.district.code, "district_name": r.village.district.name,
                 "category_code": r.category.code, "category_name": r.category.name} for r in registrations]
        shown = PREVIEW_DROP_LIMIT if len(registrations) <= PREVIEW_DROP_LIMIT else PREVIEW_ROWS
        context.update(token=token, summary=summary_table(rows), sample=registrations[:shown],
                       can_drop=len(registrations) <= PREVIEW_DROP_LIMIT,
                       total=len(registrations), directorate=data["directorate"],
                       confirm_form=ReferralConfirmForm(initial={"token": token}, user=request.user,
                                                        directorate=data["directorate"]))
    return render(request, "reports/referral_preview.html", context)


def _referral_confirm(request):
    previews = request.session.get(SESSION_PREVIEWS, {})
    preview = previews.get(request.POST["token"])
    if preview is None:
        messages.error(request, _("Pratinjau sudah kedaluwarsa atau sudah dikirim. Buat pratinjau baru."))
        return redirect("reports:referral")
    directorate = Directorate.objects.get(code=preview["directorate"])
    form = ReferralConfirmForm(request.POST, user=request.user, directorate=directorate)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("reports:referral")
    try:
        job = services.referral_send(
            actor=request.user, region_code=preview["region_code"], directorate=directorate,
            registration_ids=preview["ids"], signatory=form.cleaned_data["signatory"], unit=form.cleaned_data["unit"],
            copies_to=form.cleaned_data["copies_to"],
            excluded_ids=[int(pk) for pk in request.POST.getlist("exclude") if pk.isdigit()],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:referral")
    previews.pop(request.POST["token"], None)
    request.session[SESSION_PREVIEWS] = previews
    messages.success(request, _("{count} registrasi dirujuk dengan surat {number}. PDF sedang dibuat.").format(
        count=len(preview["ids"]) - job.parameters.get("excluded", 0), number=job.batch.letter_number))
    return redirect(job)


@login_required
@require_POST
@rate_limited("reports")
def village_profile_request(request, code: str):
    """Queue the village profile PDF and follow it on the job page."""
    _require_reports_role(request.user)
    village = village_get(user=request.user, code=code)
    job = services.village_profile_request(actor=request.user, village=village)
    return redirect(job)


def _job_for(request, pk) -> ReportJob:
    _require_reports_role(request.user)
    return get_object_or_404(visible_jobs(request.user), pk=pk)


@login_required
def report_detail(request, pk):
    job = _job_for(request, pk)
    return render(request, "reports/report_detail.html", {
        "job": job, "region_label": region_label(job.region_code) if job.region_code else _("Nasional"),
        "may_download": services.may_download_original(job, request.user),
        "masked_copy": job.masked_copies.filter(state=ReportJob.State.DONE).first(),
        "directorate": Directorate.objects.filter(code=job.parameters.get("directorate")).first(),
    })


@never_cache
@login_required
@require_GET
def report_status(request, pk):
    job = _job_for(request, pk)
    return JsonResponse({"state": job.state, "state_label": job.get_state_display(), "progress": job.progress,
                         "page_count": job.page_count, "row_count": job.row_count, "error": job.error})


@login_required
@require_POST
@rate_limited("reports")
def report_retry(request, pk):
    job = _job_for(request, pk)
    if job.requested_by_id != request.user.pk and not can_verify(request.user):
        raise PermissionDenied
    try:
        services.report_retry(job=job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Laporan dijadwalkan ulang."))
    return redirect(job)


@login_required
@require_GET
def report_download(request, pk):
    """The PDF (or the same rows as CSV/XLSX); every download is an audit event."""
    job = _job_for(request, pk)
    if not services.may_download_original(job, request.user):
        raise PermissionDenied(_("Surat ini memuat NIK lengkap; unduh salinan dengan NIK disamarkan."))
    file_format = request.GET.get("format", "pdf")
    stored = {"pdf": job.pdf, "csv": job.csv, "xlsx": job.xlsx}.get(file_format)
    if stored is None or not stored or job.state != ReportJob.State.DONE:
        raise Http404
    services.report_download_record(job=job, actor=request.user, file_format=file_format, request=request)
    name = "{}-{}.{}".format(job.get_kind_display().lower().replace(" ", "-"), str(job.pk)[:8], file_format)
    return stored_attachment(stored, filename=name)


@login_required
@require_POST
@rate_limited("reports")
def report_masked_copy(request, pk):
    """The copy of a referral letter with NIK and No. KK masked, for roles that may not see them (made once)."""
    job = _job_for(request, pk)
    copy = services.referral_masked_copy(job=job, actor=request.user)
    return redirect(copy)


@require_http_methods(["GET", "POST"])
@rate_limited("verify")
@rate_limited("verify_view", methods=("GET",))
def report_verify(request, pk):
    """Public: is this document genuine? Shows no personal data, only the document's identity and hash."""
    try:
        job = ReportJob.objects.select_related("batch__office").get(pk=pk, state=ReportJob.State.DONE)
    except (ReportJob.DoesNotExist, ValidationError):
        raise Http404 from None
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    content = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["document"].read()
    result = services.report_verify(job=job, content=content, request=request) if (
        request.method == "GET" or form.is_valid()) else None
    return render(request, "reports/verify.html", {"job": job, "form": form, "result": result,
                                                   "kop": document_kop(job)})
