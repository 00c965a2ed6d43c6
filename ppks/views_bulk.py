"""Bulk work pages: the action bar's POST (selected rows or everything the list matches) and the result page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.form_guard import FIELD as FORM_TOKEN_FIELD
from config.redirects import safe_next
from ppks import bulk
from ppks.models import BulkAction
from ppks.permissions import can_register, can_verify
from ppks.selectors import registration_list, verification_queue
from ppks.workflow import TRANSITIONS

SOURCE_LIST, SOURCE_QUEUE = "list", "queue"


def bulk_actions_for(user, *, source: str) -> list:
    """The bulk actions the action bar offers ``user`` on a list (the queue holds submitted ones only)."""
    actions = []
    if source == SOURCE_LIST and can_register(user):
        actions.append(TRANSITIONS["submit"])
    if can_verify(user):
        actions.extend([TRANSITIONS["verify"], TRANSITIONS["reject"]])
    return actions


def _matching_ids(request, *, source: str, action: str) -> list[int]:
    """Every registration the list (with its filters as sent) or the queue shows now, to which ``action`` applies."""
    if source == SOURCE_QUEUE:
        queryset = verification_queue(user=request.user)
    else:
        filters = QueryDict(request.POST.get("query", ""), mutable=True)
        filters.pop("page", None)
        token = filters.pop("cari", [""])[-1]
        nik = request.session.get("ppks_nik_searches", {}).get(token, "") if token else ""
        filterset = registration_list(user=request.user, filters=filters, nik=nik)
        if not filterset.is_valid():
            raise ValidationError(_("Saringan daftar tidak sah; terapkan ulang saringan lalu coba lagi."))
        queryset = filterset.qs.order_by("created_at", "pk")
    transition = TRANSITIONS.get(action)
    if transition is not None:
        queryset = queryset.filter(status__in=transition.sources)
    return list(queryset.values_list("pk", flat=True)[: bulk.MAX_SELECTION + 1])


def _request_token(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FORM_TOKEN_FIELD, ""))
    except ValueError:
        return None


@login_required
@require_POST
def bulk_action_view(request):
    """Apply submit/verify/reject to the ticked rows or (``selection=all``) to all the list matches."""
    source = request.POST.get("source", SOURCE_LIST)
    back = safe_next(request, reverse("ppks:verification-queue" if source == SOURCE_QUEUE else "ppks:list"))
    action = request.POST.get("action", "")
    if action not in {transition.action for transition in bulk_actions_for(request.user, source=source)}:
        raise PermissionDenied
    try:
        if request.POST.get("selection") == "all":
            ids = _matching_ids(request, source=source, action=action)
        else:
            ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
        job = bulk.bulk_action_create(actor=request.user, action=action, registration_ids=ids,
                                      note=request.POST.get("note", ""), request_token=_request_token(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Anda tidak berwenang."))
        return redirect(back)
    return redirect("{}?{}".format(job.get_absolute_url(), QueryDict.fromkeys(["next"], back).urlencode()))


def _status(job: BulkAction) -> dict:
    return {
        "id": job.pk,
        "state_label": job.state_label,
        "finished": job.is_finished,
        "progress": job.progress,
        "total": job.total,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "failed": job.failed,
    }


@login_required
@require_GET
def bulk_detail_view(request, pk: int):
    """The outcome of a bulk action: counts, the progress while it runs, and every refused record with its reason."""
    job = bulk.bulk_action_get(user=request.user, pk=pk)
    return render(request, "ppks/bulk_detail.html", {
        "job": job, "status": _status(job), "failures": bulk.failure_rows(user=request.user, job=job),
        "back": safe_next(request, reverse("ppks:list")),
    })


@login_required
@require_GET
def bulk_status_view(request, pk: int):
    """Small JSON polled by the result page's progress bar."""
    job = bulk.bulk_action_get(user=request.user, pk=pk)
    response = JsonResponse(_status(job))
    response["Cache-Control"] = "no-store"
    return response
