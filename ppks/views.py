"""PPKS pages: the registry list, registering (phone-friendly), details, workflow, verification and duplicates."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import require_page
from accounts.services import audit_record
from config.files import stored_attachment
from config.forms import apply_service_errors
from config.ratelimit import rate_limited
from config.redirects import safe_next
from ppks import exports, imports, privacy, referral_services, services
from ppks.filters import looks_like_nik
from ppks.forms import (
    ImportForm,
    PersonAnonymiseForm,
    PersonCorrectionForm,
    PersonForm,
    ReferralAcceptForm,
    ReferralCloseForm,
    ReferralDeclineForm,
    ReferralForwardForm,
    RegistrationForm,
    ServiceRecordForm,
    TransitionForm,
)
from ppks.models import DuplicateCandidate, ImportJob, Person
from ppks.nik import mask_nik
from ppks.permissions import (
    UNIT_OFFICER,
    can_answer_referrals,
    can_export,
    can_force_anonymise,
    can_manage_personal_data,
    can_register,
    can_reveal_nik,
    can_verify,
    role_of,
)
from ppks.referral_selectors import (
    forward_targets,
    referral_get,
    referral_history,
    referral_list,
    referral_state_counts,
)
from ppks.referral_services import can_reveal_referral_nik
from ppks.selectors import (
    CappedPaginator,
    duplicate_get,
    duplicate_queue,
    duplicates_visible,
    merges_undoable,
    person_get,
    person_history,
    registration_get,
    registration_list,
    registration_page_rows,
    verification_queue,
)
from ppks.workflow import TRANSITIONS, available_actions

PAGE_SIZE = 50




NIK_SEARCH_SESSION_KEY = "ppks_nik_searches"
NIK_SEARCH_PARAM = "cari"
NIK_SEARCHES_KEPT = 20


def _nik_search_store(request, nik: str) -> str:
    """Keep a NIK search in the session; the URL carries only this opaque token."""
    searches = dict(request.session.get(NIK_SEARCH_SESSION_KEY, {}))
    token = secrets.token_urlsafe(12)
    searches[token] = nik
    request.session[NIK_SEARCH_SESSION_KEY] = dict(list(searches.items())[-NIK_SEARCHES_KEPT:])
    return token


def _nik_search_get(request) -> tuple[str, bool]:
    """(NIK of the ``cari`` token in the URL or ``""``, whether a token was given but is unknown)."""
    token = request.GET.get(NIK_SEARCH_PARAM, "")
    if not token:
        return "", False
    nik = request.session.get(NIK_SEARCH_SESSION_KEY, {}).get(token, "")
    return nik, not nik


@login_required
def registration_list_view(request):
    nik, stale = _nik_search_get(request)
    if stale:
        messages.warning(request, _("Pencarian NIK ini sudah tidak berlaku (sesi baru). Ulangi pencarian."))
        return redirect("ppks:list")
    filterset = registration_list(user=request.user, filters=request.GET, nik=nik, lean=True)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("-created_at", "-pk")
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = registration_page_rows(page.object_list, few=not page.paginator.more)
    total, more = page.paginator.count, page.paginator.more
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "total": total,
        "more": more,
        "query": query.urlencode(),
        "nik_search": mask_nik(nik) if nik else "",
        "can_register": can_register(request.user),
        "can_export": can_export(request.user),
    }
    return render(request, "ppks/registration_list.html", context)


def _is_nik_search(request) -> bool:
    return looks_like_nik(request.POST.get("q", ""))


@login_required
@require_POST
@rate_limited("nik_search", when=_is_nik_search)
def registration_search_view(request):
    """The list's search form arrives here by POST, so a NIK typed into it never enters a URL.

    A 16-digit NIK or No. KK is kept in the session and the list opens with an opaque token
    (``?cari=…``); a name and the other filters go to the list as ordinary URL parameters.
    """
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop("page", None)
    current_token = params.pop(NIK_SEARCH_PARAM, [""])[-1]
    text = params.pop("q", [""])[-1].strip()
    digits = "".join(character for character in text if character in "0123456789")  # ASCII only (config.digits)
    if text and looks_like_nik(text):
        if len(digits) != 16 or len(digits) != len(text.replace(" ", "").replace(".", "").replace("-", "")):
            messages.error(request, _("NIK dan No. KK terdiri dari 16 digit angka; periksa kembali yang Anda ketik."))
        else:
            params[NIK_SEARCH_PARAM] = _nik_search_store(request, digits)
    elif text:
        params["q"] = text
    elif current_token in request.session.get(NIK_SEARCH_SESSION_KEY, {}):
        params[NIK_SEARCH_PARAM] = current_token  # other filters changed: keep the NIK search
    cleaned = QueryDict(mutable=True)
    for name, values in params.lists():
        kept = [value for value in values if value]
        if kept:
            cleaned.setlist(name, kept)
    url = reverse("ppks:list")
    return redirect("{}?{}".format(url, cleaned.urlencode()) if cleaned else url)


def _register_context(request, person_form, registration_form, *, warnings=(), duplicates=(), person=None):
    return {
        "person_form": person_form,
        "registration_form": registration_form,
        "warnings": warnings,
        "duplicates": duplicates,
        "person": person,
        "needs_confirmation": bool(warnings or duplicates),
    }


@login_required
@require_http_methods(["GET", "POST"])
def register_view(request):
    """Register a new person and their first PPKS registration; warnings and duplicates need a second click."""
    if not can_register(request.user):
        raise PermissionDenied
    person_form = PersonForm(request.POST or None, user=request.user)
    registration_form = RegistrationForm(request.POST or None)
    if request.method == "POST" and person_form.is_valid() and registration_form.is_valid():
        data = person_form.cleaned_data
        check = services.identity_check(
            nik=data["nik"], kk_number=data["kk_number"], birth_date=data["birth_date"], sex=data["sex"]
        )
        for field, errors in check.errors.items():
            person_form.add_error(field, errors)
        if not check.errors:
            category = registration_form.cleaned_data["category"]
            warnings = check.warnings + services.category_warnings(
                category=category, birth_date=data["birth_date"], sex=data["sex"],
                on=registration_form.cleaned_data["assessed_on"], disability=data.get("disability") or "",
            )
            if services.nik_holder_elsewhere(actor=request.user, nik=data["nik"]) is not None:
                warnings.append(services.nik_check_message())
            matches = services.duplicates_find(
                nik=data["nik"], name=data["name"], birth_date=data["birth_date"], kk_number=data["kk_number"]
            )
            duplicates = duplicates_visible(user=request.user, matches=matches)
            same_nik = [person for person, reason in matches if reason == DuplicateCandidate.Reason.SAME_NIK]
            if same_nik and (same_nik[0], DuplicateCandidate.Reason.SAME_NIK) in duplicates:
                person_form.add_error("nik", _("NIK ini sudah terdaftar atas nama {name} ({village}).").format(
                    name=same_nik[0].name, village=same_nik[0].village.name))
            elif (warnings or duplicates) and request.POST.get("confirmed") != "1":
                return render(request, "ppks/register.html", _register_context(
                    request, person_form, registration_form, warnings=warnings,
                    duplicates=[(person, DuplicateCandidate.Reason(reason).label, mask_nik(person.nik))
                                for person, reason in duplicates],
                ))
            else:
                try:
                    person = services.person_create(actor=request.user, data=data)
                    registration = services.registration_create(
                        actor=request.user, person=person, category=category,
                        needs=registration_form.cleaned_data["needs"],
                        assessed_on=registration_form.cleaned_data["assessed_on"],
                        submit=registration_form.cleaned_data["submit_now"],
                    )
                except ValidationError as error:
                    apply_service_errors(person_form, error)
                else:
                    messages.success(request, _("{name} terdaftar sebagai {category}.").format(
                        name=person.name, category=category.label))
                    if person.nik is None and data["nik"]:
                        messages.warning(request, services.nik_check_message())
                    return redirect(registration)
    return render(request, "ppks/register.html", _register_context(request, person_form, registration_form))


@login_required
def registration_detail_view(request, pk: int):
    registration = registration_get(user=request.user, pk=pk)
    context = {
        "registration": registration,
        "person": registration.person,
        "nik_masked": mask_nik(registration.person.nik),
        "events": registration.events.select_related("actor"),
        "actions": available_actions(registration, role_of(request.user)),
        "transition_form": TransitionForm(),
        "can_reveal_nik": can_reveal_nik(request.user) and registration.person.nik,
    }
    return render(request, "ppks/registration_detail.html", context)


@login_required
@require_POST
def registration_transition_view(request, pk: int, action: str):
    registration = registration_get(user=request.user, pk=pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        services.registration_transition(
            registration=registration, action=action, actor=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Anda tidak berwenang."))
    else:
        messages.success(request, TRANSITIONS[action].done_message(registration))
    return redirect(safe_next(request, registration.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
def person_detail_view(request, pk: int):
    """A person with all their registrations; POST adds a registration for this person."""
    person = person_get(user=request.user, pk=pk)
    registration_form = RegistrationForm(request.POST or None)
    warnings = []
    if request.method == "POST":
        if not can_register(request.user):
            raise PermissionDenied
        if registration_form.is_valid():
            warnings = services.registration_warnings(
                person=person, category=registration_form.cleaned_data["category"],
                on=registration_form.cleaned_data["assessed_on"])
        if registration_form.is_valid() and warnings and request.POST.get("confirmed") != "1":
            context = _person_context(request, person, registration_form)
            return render(request, "ppks/person_detail.html", {**context, "registration_warnings": warnings})
        if registration_form.is_valid():
            try:
                registration = services.registration_create(
                    actor=request.user, person=person, category=registration_form.cleaned_data["category"],
                    needs=registration_form.cleaned_data["needs"],
                    assessed_on=registration_form.cleaned_data["assessed_on"],
                    submit=registration_form.cleaned_data["submit_now"],
                )
            except ValidationError as error:
                apply_service_errors(registration_form, error)
            else:
                messages.success(request, _("Registrasi baru {registration} ditambahkan.").format(
                    registration=registration.notification_label))
                return redirect(registration)
    return render(request, "ppks/person_detail.html", _person_context(request, person, registration_form))


def _person_context(request, person: Person, registration_form, revealed_nik: str = ""):
    return {
        "person": person,
        "registrations": person.registrations.select_related("category", "village", "directorate"),
        "nik_masked": mask_nik(person.nik),
        "revealed_nik": revealed_nik,
        "registration_form": registration_form,
        "can_register": can_register(request.user) and not person.is_anonymised,
        "can_reveal_nik": can_reveal_nik(request.user) and bool(person.nik),
        "history": person_history(person=person),
        "can_manage_personal_data": can_manage_personal_data(request.user),
        "anonymise_form": PersonAnonymiseForm(allow_force=can_force_anonymise(request.user)),
        "can_force_anonymise": can_force_anonymise(request.user),
        **_merge_undo_context(request, person),
    }


def _merge_undo_context(request, person: Person) -> dict:
    """The latest merge into ``person`` that staff may still undo (the person page offers it)."""
    undoable = merges_undoable(user=request.user, person=person) if can_verify(request.user) else []
    return {"undoable_merges": undoable,
            "merge_undo_until": services.merge_undo_deadline(undoable[0]) if undoable else None}


@login_required
@require_POST
def person_reveal_nik_view(request, pk: int):
    """Show the full NIK once, on this response only (never in a URL), and audit it."""
    person = person_get(user=request.user, pk=pk)
    revealed = services.person_nik_reveal(person=person, actor=request.user, request=request)
    response = render(request, "ppks/person_detail.html",
                      _person_context(request, person, RegistrationForm(), revealed_nik=revealed))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request, pk: int):
    """Correct a person's data; the form carries the full NIK, so opening it is audited as a reveal."""
    if not can_register(request.user):
        raise PermissionDenied
    person = person_get(user=request.user, pk=pk)
    if person.is_anonymised:
        messages.error(request, _("Data orang ini sudah dianonimkan dan tidak dapat diubah."))
        return redirect(person)
    if request.method == "GET" and person.nik:
        services.person_nik_reveal(person=person, actor=request.user, request=request)
    form = PersonCorrectionForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, actor=request.user, data=form.cleaned_data,
                                   reason=form.cleaned_data["correction_reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Data {name} diperbarui.").format(name=person.name))
            return redirect(person)
    response = render(request, "ppks/person_form.html", {"form": form, "person": person})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_data_export_view(request, pk: int):
    """Download everything held about a person as JSON (data-subject access, UU 27/2022 Pasal 32); audited."""
    person = person_get(user=request.user, pk=pk)
    data = privacy.person_data_export(person=person, actor=request.user, request=request)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="data-pribadi-orang-{}-{}.json"'.format(
        person.pk, timezone.localdate().isoformat())
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_anonymise_view(request, pk: int):
    """Anonymise a person (reason required; forcing past open registrations is for administrators)."""
    person = person_get(user=request.user, pk=pk)
    form = PersonAnonymiseForm(request.POST, allow_force=can_force_anonymise(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(person)
    try:
        privacy.person_anonymise(person=person, actor=request.user, reason=form.cleaned_data["reason"],
                                 force=form.cleaned_data["force"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Data orang dianonimkan; identitasnya tidak dapat dipulihkan."))
    return redirect(person)


@login_required
def verification_queue_view(request):
    require_page(request.user, "ppks:verification-queue")
    page = CappedPaginator(verification_queue(user=request.user, lean=True), PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = registration_page_rows(page.object_list, few=not page.paginator.more)
    total, more = page.paginator.count, page.paginator.more
    return render(request, "ppks/verification_queue.html",
                  {"page": page, "total": total, "more": more, "transition_form": TransitionForm()})


@login_required
def duplicate_queue_view(request):
    require_page(request.user, "ppks:duplicates")
    page = CappedPaginator(duplicate_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for candidate in page:
        candidate.person_nik = mask_nik(candidate.person.nik)
        candidate.other_nik = mask_nik(candidate.other.nik)
    return render(request, "ppks/duplicate_queue.html", {"page": page})


@login_required
@require_POST
def duplicate_resolve_view(request, pk: int):
    """Dismiss a pair; a merge goes through its confirmation page (``duplicate_merge_view``)."""
    if not can_verify(request.user):
        raise PermissionDenied
    candidate = get_object_or_404(duplicate_queue(user=request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision in {"keep_person", "keep_other"}:
        kept = candidate.person_id if decision == "keep_person" else candidate.other_id
        return redirect("{}?simpan={}".format(reverse("ppks:duplicate-merge", args=[candidate.pk]), kept))
    if decision != "dismiss":
        messages.error(request, _("Pilih tindakan: gabungkan atau bukan duplikat."))
        return redirect("ppks:duplicates")
    try:
        services.duplicate_dismiss(candidate=candidate, actor=request.user)
        messages.success(request, _("{person} dan {other} ditandai bukan duplikat.").format(
            person=candidate.person.name, other=candidate.other.name))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("ppks:duplicates")


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_merge_view(request, pk: int):
    """Both records side by side; staff choose each conflicting value, then merge (POST)."""
    if not can_verify(request.user):
        raise PermissionDenied
    candidate = duplicate_get(user=request.user, pk=pk)
    pair = {candidate.person_id: candidate.person, candidate.other_id: candidate.other}
    kept_pk = request.POST.get("kept") if request.method == "POST" else request.GET.get("simpan")
    kept = pair.get(int(kept_pk) if str(kept_pk or "").isdigit() else candidate.person_id)
    if kept is None:
        raise Http404
    merged = next(person for key, person in pair.items() if key != kept.pk)
    items = services.merge_choices(kept, merged)
    if request.method == "POST":
        choices = {item["group"]: request.POST.get("choice_" + item["group"], "kept")
                   for item in items if item["conflict"]}
        try:
            record = services.persons_merge(kept=kept, merged=merged, actor=request.user, choices=choices)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("ppks:duplicates")
        taken = [services.choice_label(group) for group, side in choices.items() if side == "merged"]
        kept_values = [services.choice_label(group) for group, side in choices.items() if side != "merged"]
        messages.success(request, _(
            "Data digabung ke {name}. Diambil dari data yang digabungkan: {taken}. Tetap dari data yang "
            "dipertahankan: {kept}. Dapat dibatalkan sampai {deadline}.").format(
            name=kept.name, taken=", ".join(taken) or "-", kept=", ".join(kept_values) or "-",
            deadline=date_format(timezone.localtime(services.merge_undo_deadline(record)), "j F Y H:i")))
        return redirect(kept)
    rows = [_merge_row(item) for item in items]
    context = {"candidate": candidate, "kept": kept, "merged": merged, "rows": rows,
               "undo_hours": settings.SIDBS_MERGE_UNDO_HOURS,
               "kept_nik": mask_nik(kept.nik), "merged_nik": mask_nik(merged.nik),
               "kept_registrations": kept.registrations.select_related("category", "village"),
               "merged_registrations": merged.registrations.select_related("category", "village")}
    return render(request, "ppks/duplicate_merge.html", context)


def _merge_row(item: dict) -> dict:
    """A confirmation-page row: the values of both sides as people read them (NIK masked, names of places)."""

    def shown(values: dict) -> str:
        parts = []
        for name, value in values.items():
            if value in (None, ""):
                continue
            if name == "nik":
                value = mask_nik(value)
            elif name == "village":
                value = "{} ({})".format(value.name, value.district.name)
            elif name in {"rt", "rw"}:
                value = "{} {}".format(name.upper(), value)
            elif name == "sex":
                value = Person(sex=value).get_sex_display()
            elif name == "disability":
                value = Person(disability=value).get_disability_display()
            elif hasattr(value, "isoformat"):
                value = date_format(value, "j F Y")
            parts.append(str(value))
        return ", ".join(parts) or "—"

    return item | {"kept_shown": shown(item["kept"]), "merged_shown": shown(item["merged"])}


@login_required
@require_POST
def merge_undo_view(request, pk: int):
    """Undo the latest merge into this person (the one the page offered), within SIDBS_MERGE_UNDO_HOURS.

    Merges are undone newest first: an older one's saved values predate the newer merge.
    """
    if not can_verify(request.user):
        raise PermissionDenied
    person = person_get(user=request.user, pk=pk)
    undoable = merges_undoable(user=request.user, person=person)
    if not undoable or request.POST.get("merge") != str(undoable[0].pk):
        messages.error(request, _("Tidak ada penggabungan yang dapat dibatalkan di sini; muat ulang halaman."))
        return redirect(person)
    merge = undoable[0]
    try:
        services.persons_unmerge(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(person)
    messages.success(request, _("Penggabungan dibatalkan: kedua data orang dan registrasinya kembali seperti semula."))
    return redirect(person)




# ---------------------------------------------------------------------------------------------
# Bulk import and export
# ---------------------------------------------------------------------------------------------

XLSX_MAX_ROWS = 1_000_000


def _import_job_get(user, pk: int) -> ImportJob:
    """A job is visible to the user who uploaded it and to administrators."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=pk).first()
    if job is None or (job.requested_by_id != user.pk and role_of(user) != "admin"):
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("imports")
def import_view(request):
    """Upload form; small files are imported at once, larger ones continue in the background."""
    if not can_register(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.registration_import_create(
                actor=request.user, upload=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["mode"] == ImportForm.MODE_ALL,
                submit_rows=form.cleaned_data["submit_rows"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(job)
    recent = ImportJob.objects.filter(requested_by=request.user)[:10]
    context = {
        "form": form,
        "recent": recent,
        "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
        "sync_rows": imports.SYNC_ROW_LIMIT,
    }
    return render(request, "ppks/import_form.html", context)


@login_required
@require_GET
def import_template_view(request):
    """The import template: XLSX (with a "Petunjuk" sheet) or CSV."""
    if not can_register(request.user):
        raise PermissionDenied
    if request.GET.get("format") == "csv":
        response = HttpResponse(imports.template_csv(request.user), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="templat-impor-ppks.csv"'
        return response
    response = HttpResponse(
        imports.template_xlsx(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="templat-impor-ppks.xlsx"'
    return response


def _job_status(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "finished": job.is_finished,
        "progress": imports.job_progress(job),
        "total_rows": job.total_rows,
        "created_persons": job.created_persons,
        "created_registrations": job.created_registrations,
        "skipped_existing": job.skipped_existing,
        "error_count": job.error_count,
        "message": job.message,
    }


@login_required
def import_detail_view(request, pk: int):
    job = _import_job_get(request.user, pk)
    errors = [dict(error, text=imports.format_error(error)) for error in job.errors]
    context = {
        "job": job,
        "status": _job_status(job),
        "errors": errors,
        "warnings": job.warnings[:200],
        "errors_shown": len(errors),
    }
    return render(request, "ppks/import_detail.html", context)


@login_required
@require_GET
def import_status_view(request, pk: int):
    """Small JSON polled by the job page's progress bar."""
    job = _import_job_get(request.user, pk)
    response = JsonResponse(_job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def import_errors_view(request, pk: int):
    """Every error of a job as CSV (line, column, message)."""
    job = _import_job_get(request.user, pk)
    filename = "kesalahan-impor-{}.csv".format(job.pk)
    if job.error_file:
        return stored_attachment(job.error_file, filename=filename, content_type="text/csv; charset=utf-8")
    content = imports.errors_csv([imports.RowError(**error) for error in job.errors]).read()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(filename)
    return response


@login_required
@require_GET
@rate_limited("exports", methods=("GET",))
def registration_export_view(request):
    """The filtered list as CSV (streamed) or XLSX, scoped like the list page and audited."""
    if not can_export(request.user):
        raise PermissionDenied
    file_format = request.GET.get("format", "csv")
    if file_format not in {"csv", "xlsx"}:
        return HttpResponseBadRequest(_("Format unduhan harus csv atau xlsx."))
    nik, stale = _nik_search_get(request)
    if stale:
        return HttpResponseBadRequest(_("Pencarian NIK ini sudah tidak berlaku (sesi baru). Ulangi pencarian."))
    params = request.GET.copy()
    for name in ("format", "page", NIK_SEARCH_PARAM):
        params.pop(name, None)
    filterset = registration_list(user=request.user, filters=params, nik=nik)
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("Saringan tidak sah: {errors}").format(
            errors="; ".join("{}: {}".format(name, " ".join(errors)) for name, errors in filterset.errors.items())))
    queryset = filterset.qs
    if not params.get("ordering"):
        queryset = queryset.order_by("-created_at", "-pk")
    total = queryset.count()
    if file_format == "xlsx" and total > XLSX_MAX_ROWS:
        return HttpResponseBadRequest(_("Terlalu banyak baris untuk XLSX ({count}); gunakan CSV atau saring daftar.")
                                      .format(count=total))
    full_nik = exports.shows_full_nik(request.user)
    audit_record(
        actor=request.user, action="ppks.registration.export", request=request,
        # A name typed into the search would outlive an anonymisation in the append-only trail: only its use is kept.
        detail={"filters": {name: ("(nama)" if name == "q" else value) for name, value in params.items() if value},
                "rows": total,
                **({"nik_search": mask_nik(nik)} if nik else {}),
                "format": file_format, "nik": "full" if full_nik else "masked"},
    )
    rows = exports.export_rows(queryset, full_nik=full_nik)
    filename = "registrasi-ppks-{}.{}".format(timezone.localdate().isoformat(), file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(exports.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="{}"'.format(filename)
    else:
        response = FileResponse(
            exports.xlsx_file(rows), as_attachment=True, filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Referrals: Dinas Sosial's follow-up and the receiving unit's inbox
# ---------------------------------------------------------------------------------------------

REFERRAL_ACTIONS = {
    "terima": (ReferralAcceptForm, _("Rujukan diterima.")),
    "tolak": (ReferralDeclineForm, _("Rujukan ditolak; Dinas Sosial akan melihat alasannya.")),
    "teruskan": (ReferralForwardForm, _("Rujukan diteruskan ke unit lain.")),
    "layanan": (ServiceRecordForm, _("Layanan dicatat.")),
    "tutup": (ReferralCloseForm, _("Rujukan ditutup.")),
}


def _require_referral_role(user) -> None:
    if not (can_answer_referrals(user) or role_of(user) == "kemensos_analyst"):
        raise PermissionDenied


@login_required
def referral_list_view(request):
    """Every referral the user may see, with its state and the time since it was sent; overdue ones marked."""
    require_page(request.user, "ppks:referral-list")
    filterset = referral_list(user=request.user, filters=request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ppks/referral_list.html", {
        "filterset": filterset, "page": page, "total": page.paginator.count, "more": page.paginator.more,
        "query": query.urlencode(), "counts": referral_state_counts(request.user), "now": timezone.now(),
        "answer_days": settings.SIDBS_REFERRAL_ANSWER_DAYS, "is_unit": role_of(request.user) == UNIT_OFFICER,
    })


def _referral_context(request, referral, forms_by_action=None, revealed_nik: str = "") -> dict:
    forms_by_action = forms_by_action or {}
    person = referral.registration.person
    can_answer = can_answer_referrals(request.user) and referral.is_open
    context = {
        "referral": referral, "person": person, "registration": referral.registration,
        "nik_masked": mask_nik(person.nik), "kk_masked": mask_nik(person.kk_number), "revealed_nik": revealed_nik,
        "can_reveal_nik": bool(person.nik) and can_reveal_referral_nik(referral, request.user),
        "can_answer": can_answer, "overdue": referral.is_overdue(), "answer_days": settings.SIDBS_REFERRAL_ANSWER_DAYS,
        **referral_history(referral),
    }
    if can_answer:
        context["action_forms"] = {
            "terima": forms_by_action.get("terima") or ReferralAcceptForm(prefix="terima"),
            "tolak": forms_by_action.get("tolak") or ReferralDeclineForm(prefix="tolak"),
            "teruskan": forms_by_action.get("teruskan") or ReferralForwardForm(
                prefix="teruskan", units=forward_targets(referral)),
            "layanan": forms_by_action.get("layanan") or ServiceRecordForm(
                prefix="layanan", initial={"service_date": timezone.localdate()}),
            "tutup": forms_by_action.get("tutup") or ReferralCloseForm(prefix="tutup"),
        }
    return context


@login_required
def referral_detail_view(request, pk: int):
    _require_referral_role(request.user)
    referral = referral_get(user=request.user, pk=pk)
    return render(request, "ppks/referral_detail.html", _referral_context(request, referral))


@login_required
@require_POST
def referral_action_view(request, pk: int, action: str):
    """Accept, decline, forward, record a service or close: one service call each, the answer on the same page."""
    if action not in REFERRAL_ACTIONS or not can_answer_referrals(request.user):
        raise PermissionDenied
    referral = referral_get(user=request.user, pk=pk)
    form_class, done_message = REFERRAL_ACTIONS[action]
    extra = {"units": forward_targets(referral)} if action == "teruskan" else {}
    form = form_class(request.POST, prefix=action, **extra)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "terima":
                referral_services.referral_accept(referral=referral, actor=request.user, note=data["note"])
            elif action == "tolak":
                referral_services.referral_decline(referral=referral, actor=request.user, reason=data["reason"])
            elif action == "teruskan":
                referral_services.referral_forward(referral=referral, actor=request.user, unit=data["unit"],
                                                   note=data["note"])
            elif action == "layanan":
                referral_services.referral_service_record(
                    referral=referral, actor=request.user, service_type=data["service_type"],
                    service_date=data["service_date"], result=data["result"], note=data["note"])
            else:
                referral_services.referral_close(referral=referral, actor=request.user, outcome=data["outcome"],
                                                 note=data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "{} {}".format(done_message, referral.notification_label))
            if action in {"tolak", "teruskan"} and role_of(request.user) == UNIT_OFFICER:
                return redirect("ppks:referral-list")
            return redirect(referral)
    referral = referral_get(user=request.user, pk=pk)
    return render(request, "ppks/referral_detail.html", _referral_context(request, referral, {action: form}))


@login_required
@require_POST
def referral_reveal_nik_view(request, pk: int):
    """A unit that needs the number sees the referred person's full NIK once (POST, audited, rate-limited)."""
    if not can_answer_referrals(request.user):
        raise PermissionDenied
    referral = referral_get(user=request.user, pk=pk)
    revealed = referral_services.referral_nik_reveal(referral=referral, actor=request.user, request=request)
    response = render(request, "ppks/referral_detail.html",
                      _referral_context(request, referral, revealed_nik=revealed))
    response["Cache-Control"] = "no-store"
    return response
