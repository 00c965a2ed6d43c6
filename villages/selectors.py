"""Reads of the region hierarchy, always through ``visible_to``."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from accounts.scoping import scope_filter, scope_of, visible_to
from config.caching import cached_aggregate
from villages import codes
from villages.models import Cohort, District, Province, Regency, Village
from villages.programme import attach_phases

LEVEL_MODELS = {codes.PROVINCE: Province, codes.REGENCY: Regency, codes.DISTRICT: District, codes.VILLAGE: Village}
CODE_LENGTHS = {codes.PROVINCE: 2, codes.REGENCY: 5, codes.DISTRICT: 8, codes.VILLAGE: 13}


@dataclass(frozen=True)
class RegionRow:
    """A region in a browse list, with how many villages (and sub-regions) of the user's scope it holds."""

    region: object
    child_count: int
    village_count: int


def region_get(*, user, code: str):
    """The active-or-not region with ``code`` at its level, if the user may see it; else Http404."""
    level = codes.region_level(code)
    if level is None:
        raise Http404
    queryset = visible_to(user, LEVEL_MODELS[level].objects.all())
    region = queryset.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _counts_below(*, user, model, prefix: str, group_length: int) -> dict[str, int]:
    """{code prefix of ``group_length`` chars: number of visible active ``model`` rows} under ``prefix``."""
    queryset = visible_to(user, model.objects.active())
    if prefix:
        queryset = queryset.filter(code__startswith=prefix + ".")
    rows = (
        queryset.annotate(group=Substr("code", 1, group_length))
        .values("group")
        .order_by()
        .annotate(total=Count("code"))
    )
    return {row["group"]: row["total"] for row in rows}


def region_children(*, user, parent_code: str = "") -> list[RegionRow]:
    """The visible active regions one level below ``parent_code`` (provinces when empty), with counts."""
    parent_level = codes.region_level(parent_code) if parent_code else 0
    child_level = parent_level + 1
    if child_level not in LEVEL_MODELS:
        return []
    child_model = LEVEL_MODELS[child_level]
    children = visible_to(user, child_model.objects.active())
    if parent_code:
        children = children.filter(code__startswith=parent_code + ".")
    length = CODE_LENGTHS[child_level]
    village_counts = (
        _counts_below(user=user, model=Village, prefix=parent_code, group_length=length)
        if child_level < codes.VILLAGE
        else {}
    )
    grandchild_counts = (
        _counts_below(user=user, model=LEVEL_MODELS[child_level + 1], prefix=parent_code, group_length=length)
        if child_level < codes.VILLAGE
        else {}
    )
    return [
        RegionRow(region=child, child_count=grandchild_counts.get(child.code, 0),
                  village_count=village_counts.get(child.code, 0))
        for child in children.order_by("code")
    ]


def village_list(*, user, filters: dict | None = None) -> QuerySet:
    """Visible villages filtered by ``VillageFilterSet``, with their region path (``attach_phases`` adds the phase)."""
    from villages.filters import VillageFilterSet

    queryset = visible_to(user, Village.objects.all()).select_related("district__regency__province")
    return VillageFilterSet(filters or {}, queryset=queryset).qs


def cohort_list(*, user) -> QuerySet:
    """Cohorts run by a region in the user's scope, or holding one of the user's villages."""
    scope = scope_of(user)
    own = scope_filter(scope, "region_code", include_self=True)
    if own is None:
        return Cohort.objects.all()
    member = scope_filter(scope, "memberships__village__code")
    ids = Cohort.objects.filter(own | member).values("pk")
    return Cohort.objects.filter(pk__in=ids)


def cohort_get(*, user, pk: int) -> Cohort:
    cohort = cohort_list(user=user).filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


def cohort_villages(*, user, cohort: Cohort) -> list[Village]:
    """The cohort's villages the user may see, with their DBS phase (derived or overridden)."""
    return attach_phases(visible_to(user, Village.objects.filter(cohort_memberships__cohort=cohort))
                         .select_related("district__regency").order_by("code"))


def village_get(*, user, code: str) -> Village:
    """One visible village with its profile, phase, lokus years, cohorts and pillars; Http404 when out of scope."""
    village = (
        visible_to(user, Village.objects.all())
        .select_related("district__regency__province", "profile")
        .prefetch_related("lokus_years", "social_pillars", "assigned_users", "cohorts")
        .filter(code=code)
        .first()
    )
    if village is None:
        raise Http404
    return attach_phases([village])[0]


def region_summary_for(user) -> dict[str, int]:
    """How many active regions of each level lie in the user's scope (for dashboards; cached per scope)."""
    return cached_aggregate("region-summary", user=user, domains=("regions",), compute=lambda: {
        "provinces": _scoped_count(user, Province),
        "regencies": _scoped_count(user, Regency),
        "districts": _scoped_count(user, District),
        "villages": _scoped_count(user, Village),
    })


def _scoped_count(user, model) -> int:
    """Active rows of ``model`` inside the scope proper (regions above the scope are not counted)."""
    queryset = model.objects.active()
    condition = scope_filter(scope_of(user), "code", include_self=True)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.count()


LOOKUP_LIMIT = 15


def village_lookup(*, user, query: str = "", code: str = "") -> list[dict[str, str]]:
    """Active villages in the user's scope whose name contains ``query`` (or with exactly ``code``), for the picker.

    Each row is ``{"code", "name", "label"}``; the label names the kecamatan and kab/kota so villages of
    the same name can be told apart ("Sucolor — Kec. Maesan, Kab. Bondowoso"). At most ``LOOKUP_LIMIT`` rows.
    """
    queryset = visible_to(user, Village.objects.active()).select_related("district__regency")
    query = " ".join(query.split())
    by_code = bool(code) or query[:1].isdigit()
    if code:
        queryset = queryset.filter(code=code)
    elif len(query) >= 2:
        queryset = queryset.filter(code__startswith=query) if by_code else queryset.filter(name__icontains=query)
    else:
        return []
    rows = []
    for village in queryset.order_by(*(("code",) if by_code else ("name", "code")))[:LOOKUP_LIMIT]:
        district, regency = village.district, village.district.regency
        rows.append({"code": village.code, "name": village.name, "label": "{} — Kec. {}, {}".format(
            village.name, district.name, regency.name.title())})
    return rows
