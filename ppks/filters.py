"""The registration FilterSet, shared by the list page, the export and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppks.models import Category, Directorate, Referral, Registration, ServiceUnit, Sex
from ppks.models.referrals import overdue_condition
from ppks.names import search_key
from ppks.reference import category_choices, directorate_choices, reference
from villages.filters import RegionCodeFilter

AGE_BANDS = {
    "balita": (_("0–5 tahun"), 0, 5),
    "anak": (_("6–17 tahun"), 6, 17),
    "dewasa": (_("18–59 tahun"), 18, 59),
    "lansia": (_("60 tahun ke atas"), 60, None),
}


def birth_date_range(
    min_age: int, max_age: int | None, today: datetime.date
) -> tuple[datetime.date | None, datetime.date]:
    """Birth dates of people aged ``min_age``..``max_age`` on ``today`` as (earliest or None, latest)."""
    latest = _years_before(today, min_age)
    earliest = None
    if max_age is not None:
        earliest = _years_before(today, max_age + 1) + datetime.timedelta(days=1)
    return earliest, latest


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


NIK_IN_URL_MESSAGE = _(
    "NIK atau No. KK tidak boleh dikirim lewat alamat (URL) karena alamat tercatat di log dan riwayat peramban. "
    "Di halaman daftar, ketik NIK di kotak pencarian (formulir dikirim secara aman). Lewat API, kirim "
    'POST /api/v1/registrations/search/ dengan badan JSON {"nik": "<16 digit>"}.'
)
# Names carry no digits; a search term with this many digits is (part of) a NIK or No. KK.
NIK_DIGITS_IN_URL = 10


def looks_like_nik(value: str) -> bool:
    return sum(character.isdigit() for character in value or "") >= NIK_DIGITS_IN_URL


def refuse_nik_in_url(value: str) -> None:
    """The ``q`` parameter travels in the URL, so it may search names only (ASVS 14.2.1)."""
    if looks_like_nik(value):
        raise forms.ValidationError(NIK_IN_URL_MESSAGE, code="nik_in_url")


def name_search_condition(value: str, *, prefix: str = "") -> Q:
    """People whose name holds ``value`` as typed or as Indonesians write it (ppks/names.py).

    The typed text is compared with the stored key (``name_key``: space-free, titles, apostrophes and
    spelling variants folded), so "nuraini" finds "Siti Nur'aini" and "Sitti Nur Aini"; the plain name
    is searched too, for a partial word the key would spell differently. Under three characters, a
    prefix only. On PostgreSQL both columns have trigram indexes (migrations 0003 and 0013).
    """
    value = value.strip()
    key = search_key(value)
    if len(value) < 3:
        condition = Q(**{prefix + "name__istartswith": value})
        return condition | Q(**{prefix + "name_key__startswith": key}) if key else condition
    condition = Q(**{prefix + "name__icontains": value})
    return condition | Q(**{prefix + "name_key__contains": key}) if key else condition


def filter_nik(queryset, nik: str):
    """Registrations of the person with this NIK or in the family with this No. KK (exact match)."""
    return queryset.filter(Q(person__nik=nik) | Q(person__kk_number=nik))


class RegistrationFilterSet(django_filters.FilterSet):
    """Every filter here is a URL parameter; a NIK or No. KK search goes through ``filter_nik`` instead
    (the list page's POST search form, the API's ``POST registrations/search/``)."""

    q = django_filters.CharFilter(label=_("Nama, NIK atau No. KK"), method="filter_text",
                                  validators=[refuse_nik_in_url])
    region = RegionCodeFilter(code_field="village__code")
    # Codes as before (``?category=FM``); choices and ids come from memory (ppks/reference.py), not a query.
    category = django_filters.ChoiceFilter(label=_("Kategori"), choices=category_choices, method="filter_category",
                                           empty_label=_("Semua"))
    directorate = django_filters.ChoiceFilter(label=_("Direktorat"), choices=directorate_choices,
                                              method="filter_directorate", empty_label=_("Semua"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices, empty_label=_("Semua"))
    sex = django_filters.ChoiceFilter(label=_("Jenis kelamin"), field_name="person__sex", choices=Sex.choices,
                                      empty_label=_("Semua"))
    age_band = django_filters.ChoiceFilter(
        label=_("Kelompok usia"), choices=[(key, label) for key, (label, _min, _max) in AGE_BANDS.items()],
        method="filter_age_band", empty_label=_("Semua"),
    )
    has_nik = django_filters.BooleanFilter(
        label=_("Punya NIK"), method="filter_has_nik",
        widget=forms.Select(choices=[("", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]),
    )
    impor = django_filters.NumberFilter(label=_("Impor"), field_name="import_jobs", widget=forms.HiddenInput)
    ordering = django_filters.OrderingFilter(
        label=_("Urutkan"),
        fields=(("person__name", "name"), ("created_at", "created"), ("village", "village"), ("status", "status")),
        field_labels={"person__name": _("Nama"), "created_at": _("Tanggal daftar"), "village": _("Desa"),
                      "status": _("Status")},
        empty_label=_("Terbaru didaftarkan"),
    )

    class Meta:
        model = Registration
        fields = ["q", "region", "category", "directorate", "status", "sex", "age_band", "has_nik", "impor"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(name_search_condition(value, prefix="person__")) if value.strip() else queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id=reference().category_codes[value])

    def filter_directorate(self, queryset, name, value):
        return queryset.filter(directorate_id=reference().directorate_codes[value])

    def filter_age_band(self, queryset, name, value):
        _label, min_age, max_age = AGE_BANDS[value]
        earliest, latest = birth_date_range(min_age, max_age, timezone.localdate())
        queryset = queryset.filter(person__birth_date__lte=latest)
        if earliest is not None:
            queryset = queryset.filter(person__birth_date__gte=earliest)
        return queryset

    def filter_has_nik(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(person__nik__isnull=not value)


class ReferralFilterSet(django_filters.FilterSet):
    """The referral list (Dinas Sosial's follow-up and a unit's inbox), shared by the page and the API."""

    q = django_filters.CharFilter(label=_("Nama"), method="filter_text", validators=[refuse_nik_in_url])
    state = django_filters.ChoiceFilter(label=_("Status rujukan"), choices=Referral.State.choices,
                                        empty_label=_("Semua"))
    overdue = django_filters.BooleanFilter(
        label=_("Belum dijawab lewat batas"), method="filter_overdue",
        widget=forms.Select(choices=[("", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]),
    )
    directorate = django_filters.ModelChoiceFilter(
        label=_("Direktorat"), queryset=Directorate.objects.all(), to_field_name="code", empty_label=_("Semua")
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit tujuan"), queryset=ServiceUnit.objects.filter(active=True),
                                            empty_label=_("Semua"))
    category = django_filters.ModelChoiceFilter(
        label=_("Kategori"), field_name="registration__category", queryset=Category.objects.all(),
        to_field_name="code", empty_label=_("Semua"),
    )
    region = RegionCodeFilter(code_field="registration__village__code")
    letter = django_filters.NumberFilter(label=_("Surat"), field_name="batch", widget=forms.HiddenInput)

    class Meta:
        model = Referral
        fields = ["q", "state", "overdue", "directorate", "unit", "category", "region", "letter"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name_search_condition(value, prefix="registration__person__")) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_condition()) if value else queryset.exclude(overdue_condition())
