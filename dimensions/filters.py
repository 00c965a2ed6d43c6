"""The assessment FilterSet, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dimensions.models import Assessment, Band
from villages.filters import RegionCodeFilter


class AssessmentFilterSet(django_filters.FilterSet):
    region = RegionCodeFilter(code_field="village__code")
    phase = django_filters.ChoiceFilter(label=_("Tahap"), choices=Assessment.Phase.choices, empty_label=_("Semua"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Assessment.Status.choices, empty_label=_("Semua"))
    year = django_filters.NumberFilter(label=_("Tahun"))
    band = django_filters.ChoiceFilter(label=_("Kategori"), choices=Band.choices, empty_label=_("Semua"))
    weakest = django_filters.ChoiceFilter(
        label=_("Dimensi terlemah"), field_name="weakest_dimension__number", empty_label=_("Semua"),
        choices=[(1, _("D1 Perlindungan sosial")), (2, _("D2 Partisipasi")), (3, _("D3 Pengendalian konflik")),
                 (4, _("D4 Kearifan lokal"))],
    )

    class Meta:
        model = Assessment
        fields = ["region", "phase", "status", "year", "band", "weakest"]
