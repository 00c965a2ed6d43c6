"""The village FilterSet, shared by the search page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import region_condition, scoped_within
from villages import codes
from villages.models import Cohort, ProgrammePhase, Village
from villages.programme import filter_phase


class RegionCodeFilter(django_filters.CharFilter):
    """Rows inside a region, given its Kemendagri code (``35.11``): the row's ``code_field`` is that code or
    starts with it. A malformed code matches nothing. Shared by every list that filters by region."""

    def __init__(self, *args, code_field: str = "village__code", **kwargs):
        self.code_field = code_field
        kwargs.setdefault("label", _("Kode wilayah"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "35.11"}))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        value = (value or "").strip()
        if not value or scoped_within(queryset) == value:
            return queryset  # visible_to(..., within=value) already narrowed the scope to it
        if codes.region_level(value) is None:
            return queryset.none()
        return queryset.filter(region_condition(self.code_field, value))


KIND_PATTERNS = {"kelurahan": r"\.1[0-9]{3}$", "desa": r"\.2[0-9]{3}$", "desa_adat": r"\.3[0-9]{3}$"}


def _cohorts(request):
    """Cohorts offered in the filter: those the user may see (any, when filtering already-scoped rows in code)."""
    from villages.selectors import cohort_list

    if request is None:
        return Cohort.objects.all()
    return cohort_list(user=request.user)


class VillageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nama atau kode"), method="filter_text")
    region = django_filters.CharFilter(label=_("Kode wilayah induk"), method="filter_region")
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Village.Kind.choices, method="filter_kind")
    stage = django_filters.ChoiceFilter(
        label=_("Tahap DBS"), choices=ProgrammePhase.choices, method="filter_stage",
        help_text=_("Tahap yang diturunkan dari catatan desa (atau koreksi Dinas Sosial yang tercatat)."),
    )
    lokus_year = django_filters.NumberFilter(label=_("Tahun lokus"), field_name="lokus_years__year")
    cohort = django_filters.ModelChoiceFilter(label=_("Angkatan"), queryset=lambda request: _cohorts(request),
                                              field_name="cohort_memberships__cohort")
    active = django_filters.BooleanFilter(label=_("Aktif"))

    class Meta:
        model = Village
        fields = ["q", "region", "kind", "stage", "lokus_year", "cohort", "active"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        value = value.strip()
        if not value or codes.region_level(value) is None:
            return queryset.none() if value else queryset
        return queryset.filter(code__startswith=value + ".")

    def filter_stage(self, queryset, name, value):
        """Villages whose phase (derived from records, or overridden) is ``value``."""
        return filter_phase(queryset, value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(code__regex=KIND_PATTERNS[value])
