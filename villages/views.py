"""Browse the region hierarchy, search villages, and see and edit a village's programme profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import audit_record
from config.forms import apply_service_errors
from villages import codes, services
from villages.filters import VillageFilterSet
from villages.forms import CohortForm, CohortVillageForm, SocialPillarForm, VillageProfileForm
from villages.models import Cohort, ProgrammePhase, SocialPillar, VillageProfile
from villages.programme import attach_phases
from villages.selectors import (
    cohort_get,
    cohort_list,
    cohort_villages,
    region_children,
    region_get,
    village_get,
    village_list,
    village_lookup,
)

SEARCH_LIMIT = 50


def phase_display(village) -> dict | None:
    """The village's phase for a page: effective label, whether it is an override, and the derived one."""
    if not getattr(village, "phase", None):
        return None
    return {
        "code": village.phase,
        "label": ProgrammePhase(village.phase).label,
        "is_override": bool(village.phase_override),
        "derived_label": ProgrammePhase(village.derived_phase).label if village.derived_phase else "",
    }


def can_edit_village(user) -> bool:
    """Dinas Sosial staff and administrators maintain village profiles and pillars (within their scope)."""
    return user.is_superuser or user.role in {"admin", "dinsos_provinsi", "dinsos_kabupaten"}


@login_required
def browse(request):
    """Provinces the user may see, with counts of kab/kota and villages."""
    return render(request, "villages/browse.html", {"rows": region_children(user=request.user), "region": None})


@login_required
def region_detail(request, code: str):
    """One provinsi, kab/kota or kecamatan and the regions directly below it."""
    region = region_get(user=request.user, code=code)
    if codes.region_level(code) == codes.VILLAGE:
        return redirect("villages:village-detail", code=code)
    context = {
        "region": region,
        "level": codes.region_level(code),
        "ancestors": [region_get(user=request.user, code=ancestor) for ancestor in codes.ancestor_codes(code)],
        "rows": region_children(user=request.user, parent_code=code),
    }
    return render(request, "villages/browse.html", context)


@login_required
def village_search(request):
    """Search villages by name or code, narrowed by the shared VillageFilterSet."""
    filterset = VillageFilterSet(request.GET or None, queryset=village_list(user=request.user), request=request)
    results = None
    if any(request.GET.get(key, "").strip() for key in ("q", "region", "stage", "cohort", "lokus_year")):
        results = attach_phases(filterset.qs.order_by("code")[: SEARCH_LIMIT + 1])
    context = {
        "filterset": filterset,
        "results": results[:SEARCH_LIMIT] if results is not None else None,
        "truncated": results is not None and len(results) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "villages/search.html", context)


@login_required
@require_GET
def village_lookup_view(request):
    """Villages of the user's region by name (``?q=suco``) or code (``?code=35.11.01.2001``), for the village picker."""
    results = village_lookup(user=request.user, query=request.GET.get("q", "")[:100],
                             code=request.GET.get("code", "")[:13])
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def village_detail(request, code: str):
    village = village_get(user=request.user, code=code)
    profile = getattr(village, "profile", None)
    context = {
        "village": village,
        "profile": profile,
        "phase": phase_display(village),
        "ancestors": [region_get(user=request.user, code=ancestor) for ancestor in codes.ancestor_codes(code)],
        "pensosmas": [user for user in village.assigned_users.all() if user.is_pensosmas],
        "can_edit": can_edit_village(request.user),
    }
    return render(request, "villages/village_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_profile_edit(request, code: str):
    if not can_edit_village(request.user):
        raise PermissionDenied
    village = village_get(user=request.user, code=code)
    profile = getattr(village, "profile", None) or VillageProfile(village=village)
    initial = {"lokus_years": ", ".join(str(lokus.year) for lokus in village.lokus_years.all())}
    form = VillageProfileForm(request.POST or None, instance=profile, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.village_profile_update(
            village=village,
            actor=request.user,
            notes=form.cleaned_data["notes"],
            lokus_years=form.cleaned_data["lokus_years"],
        )
        messages.success(request, _("Profil program desa disimpan."))
        return redirect(village)
    return render(request, "villages/profile_form.html", {"village": village, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def pillar_edit(request, code: str, pk: int | None = None):
    """Add a social pillar to a village, or edit one."""
    if not can_edit_village(request.user):
        raise PermissionDenied
    village = village_get(user=request.user, code=code)
    pillar = get_object_or_404(SocialPillar, pk=pk, village=village) if pk else SocialPillar(village=village)
    form = SocialPillarForm(request.POST or None, instance=pillar)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            pillar = form.save()
            audit_record(
                actor=request.user,
                action="villages.pillar_update" if pk else "villages.pillar_create",
                obj=pillar,
                detail={"village": village.code, "fields": form.changed_data},
            )
        messages.success(request, _("Pilar sosial disimpan."))
        return redirect(village)
    return render(request, "villages/pillar_form.html", {"village": village, "form": form, "pillar": pillar})


@login_required
def cohort_list_view(request):
    """Cohorts of the user's region, with their targets and how many villages they hold."""
    cohorts = cohort_list(user=request.user).annotate(village_count=Count("memberships")).order_by("-year", "name")
    return render(request, "villages/cohort_list.html", {
        "cohorts": cohorts, "can_manage": services.can_manage_cohorts(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit_view(request, pk: int | None = None):
    if not services.can_manage_cohorts(request.user):
        raise PermissionDenied
    cohort = cohort_get(user=request.user, pk=pk) if pk else None
    form = CohortForm(request.POST or None, instance=cohort or Cohort(region_code=request.user.region_code or ""))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CohortForm.Meta.fields}
        try:
            cohort = services.cohort_save(actor=request.user, data=data, cohort=cohort)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Angkatan {name} disimpan.").format(name=cohort.name))
            return redirect(cohort)
    return render(request, "villages/cohort_form.html", {"form": form, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_detail_view(request, pk: int):
    """A cohort's villages with their phases, its targets against what the records show, and membership."""
    cohort = cohort_get(user=request.user, pk=pk)
    form = CohortVillageForm(request.POST if request.POST.get("form") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "add" and form.is_valid():
                village = village_get(user=request.user, code=form.cleaned_data["village"].strip())
                services.cohort_village_add(cohort=cohort, village=village, actor=request.user)
                messages.success(request, _("{village} masuk angkatan.").format(village=village.name))
                return redirect(cohort)
            if request.POST.get("form") == "remove":
                village = village_get(user=request.user, code=request.POST.get("village", ""))
                services.cohort_village_remove(cohort=cohort, village=village, actor=request.user)
                messages.success(request, _("{village} dikeluarkan dari angkatan.").format(village=village.name))
                return redirect(cohort)
        except ValidationError as error:
            apply_service_errors(form, error)
    villages = cohort_villages(user=request.user, cohort=cohort)
    phases = [(village, phase_display(village)) for village in villages]
    graduated = sum(1 for village in villages if village.phase == ProgrammePhase.GRADUATED)
    return render(request, "villages/cohort_detail.html", {
        "cohort": cohort, "phases": phases, "graduated": graduated, "form": form,
        "can_manage": services.can_manage_cohorts(request.user),
    })
