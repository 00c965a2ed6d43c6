"""Browse the region hierarchy, search villages, and see and edit a village's programme profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import audit_record
from villages import codes
from villages.filters import VillageFilterSet
from villages.forms import SocialPillarForm, VillageProfileForm
from villages.models import SocialPillar, VillageProfile
from villages.selectors import region_children, region_get, village_get, village_list
from villages.services import village_profile_update

SEARCH_LIMIT = 50


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
    filterset = VillageFilterSet(request.GET or None, queryset=village_list(user=request.user))
    results = None
    if request.GET.get("q", "").strip() or request.GET.get("region", "").strip():
        results = list(filterset.qs.order_by("code")[: SEARCH_LIMIT + 1])
    context = {
        "filterset": filterset,
        "results": results[:SEARCH_LIMIT] if results is not None else None,
        "truncated": results is not None and len(results) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "villages/search.html", context)


@login_required
def village_detail(request, code: str):
    village = village_get(user=request.user, code=code)
    profile = getattr(village, "profile", None)
    context = {
        "village": village,
        "profile": profile,
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
        village_profile_update(
            village=village,
            actor=request.user,
            stage=form.cleaned_data["stage"],
            pilot_cohort=form.cleaned_data["pilot_cohort"],
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
