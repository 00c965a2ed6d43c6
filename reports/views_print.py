"""Downloads of the printable field forms (blank registration form, questionnaire) and a person's case sheet."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.ratelimit import rate_limited
from ppks.permissions import can_register, can_verify
from ppks.selectors import person_get
from reports import printables


def _pdf(content: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(filename)
    if private:
        response["Cache-Control"] = "no-store"
    return response


def _require_fieldwork_role(user) -> None:
    if not (can_register(user) or can_verify(user)):
        raise PermissionDenied


@login_required
@require_GET
def blank_registration_form_view(request):
    _require_fieldwork_role(request.user)
    return _pdf(printables.blank_registration_form(user=request.user), "formulir-pendaftaran-ppks.pdf")


@login_required
@require_GET
def blank_questionnaire_view(request):
    _require_fieldwork_role(request.user)
    return _pdf(printables.blank_questionnaire(user=request.user), "kuesioner-ketahanan-sosial.pdf")


@login_required
@require_GET
@rate_limited("exports", methods=("GET",))
def case_sheet_view(request, pk: int):
    """One person's case sheet (scoped like the person page, NIK masked, audited)."""
    person = person_get(user=request.user, pk=pk)
    content = printables.case_sheet(person=person, actor=request.user, request=request)
    return _pdf(content, "lembar-kasus-{}-{}.pdf".format(person.pk, timezone.localdate().isoformat()), private=True)
