"""The audit log FilterSet, used by the audit page and its CSV export."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.audit_labels import action_choices
from accounts.models import AuditEvent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


AUDITED_APPS = ("accounts", "villages", "ppks", "dimensions", "actionplans", "reports", "maps")


def object_type_choices(current: str = "") -> list[tuple[str, str]]:
    """The kinds of records audit events name (``ppks.person``), offered by their names ("Orang", …)."""
    from django.apps import apps

    configs = [apps.get_app_config(app) for app in AUDITED_APPS if apps.is_installed(app)]
    models = [model for config in configs for model in config.get_models()]
    choices = sorted(((model._meta.label_lower, capfirst(str(model._meta.verbose_name))) for model in models),
                     key=lambda choice: choice[1])
    if current and current.lower() not in {code for code, _label in choices}:
        choices.append((current, current))
    return [("", _("Semua")), *choices]


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the project's time zone (WIB)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("Pelaku (nama pengguna)"), field_name="actor__username",
                                      lookup_expr="iexact")
    action = django_filters.CharFilter(label=_("Tindakan"), method="filter_action", widget=forms.Select)
    object_type = django_filters.CharFilter(label=_("Jenis objek"), field_name="object_type", lookup_expr="iexact",
                                            widget=forms.Select)
    object_id = django_filters.CharFilter(label=_("ID objek"), field_name="object_id")
    date_from = django_filters.DateFilter(label=_("Dari tanggal"), method="filter_date_from", widget=DATE)
    date_to = django_filters.DateFilter(label=_("Sampai tanggal"), method="filter_date_to", widget=DATE)
    q = django_filters.CharFilter(label=_("Teks bebas"), method="filter_text",
                                  help_text=_("Dicari pada tindakan, objek dan nama pengguna."))

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "date_from", "date_to", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["action"].widget.choices = action_choices(str(self.data.get("action", "") or "").strip())
        self.form.fields["object_type"].widget.choices = object_type_choices(
            str(self.data.get("object_type", "") or "").strip())

    def filter_action(self, queryset, name, value):
        """``ppks.registration.export`` exactly, or every action under a prefix such as ``ppks.``."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(action=value) | Q(action__startswith=value.rstrip(".") + "."))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(action__icontains=value) | Q(object_repr__icontains=value) | Q(object_id=value)
            | Q(actor__username__icontains=value)
        )

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
            return False
        return valid
