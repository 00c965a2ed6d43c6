"""Forms for a village's programme profile and its social pillars."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import visible_to
from config.forms import EmptyChoiceLabels
from villages.models import Cohort, SocialPillar, Village, VillageProfile
from villages.services import parse_lokus_years

SELECT_LIMIT = 500


class VillageProfileForm(forms.ModelForm):
    lokus_years = forms.CharField(
        label=_("Tahun lokus"),
        required=False,
        help_text=_("Pisahkan dengan koma, misalnya 2024, 2025."),
    )

    class Meta:
        model = VillageProfile
        fields = ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_lokus_years(self) -> list[int]:
        try:
            return parse_lokus_years(self.cleaned_data["lokus_years"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "year", "region_code", "target_villages", "target_graduated", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "region_code": forms.TextInput(attrs={"placeholder": "35.11", "inputmode": "decimal"})}


class VillagePickerInput(forms.TextInput):
    """A village code box that ``static/js/village-picker.js`` turns into a search by name.

    Progressive enhancement: without script it stays a box for the Kemendagri code; with script the
    person types part of the village's name, picks it from the list (names of kecamatan and kab/kota
    beside it, from ``villages:village-lookup``, scoped to their region) and the code is sent.
    """

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "35.11.01.2001", "inputmode": "decimal", "autocomplete": "off",
                          "data-village-picker": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-lookup-url": reverse("villages:village-lookup"),
            "data-search-placeholder": str(_("Ketik nama desa/kelurahan")),
            "data-text-short": str(_("Ketik minimal 2 huruf.")),
            "data-text-none": str(_("Tidak ada desa/kelurahan yang cocok di wilayah kerja Anda.")),
        })
        return context


PICKER_HELP = _("Ketik sebagian nama desa/kelurahan, lalu pilih dari daftar (atau ketik kodenya, mis. 35.11.01.2001).")


class CohortVillageForm(forms.Form):
    village = forms.CharField(label=_("Desa/kelurahan"), max_length=13, widget=VillagePickerInput(),
                              help_text=PICKER_HELP)


class SocialPillarForm(EmptyChoiceLabels, forms.ModelForm):
    class Meta:
        model = SocialPillar
        fields = ["kind", "name", "contact_person", "phone", "email", "active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].replace(" ", "").replace("-", "")
        if phone and not (phone.lstrip("+").isdigit() and 8 <= len(phone.lstrip("+")) <= 15):
            raise forms.ValidationError(_("Nomor telepon harus 8-15 angka, boleh diawali +62."))
        return phone


class VillageField(forms.ModelChoiceField):
    """A village inside the user's scope: a list when short, a search by name (``VillagePickerInput``) when large."""

    def label_from_instance(self, obj: Village) -> str:
        return "{} — {} ({})".format(obj.name, obj.district.name, obj.code)


def village_field_for(user, **kwargs) -> VillageField:
    queryset = visible_to(user, Village.objects.active()).select_related("district").order_by("district__name", "name")
    small = queryset[: SELECT_LIMIT + 1].count() <= SELECT_LIMIT
    widget = forms.Select if small else VillagePickerInput()
    if not small:
        kwargs.setdefault("help_text", PICKER_HELP)
    return VillageField(
        queryset=queryset,
        to_field_name="code",
        label=_("Desa/kelurahan"),
        widget=widget,
        empty_label=_("— pilih desa/kelurahan —"),
        error_messages={"invalid_choice": _("Desa/kelurahan tidak dikenal atau di luar wilayah kerja Anda.")},
        **kwargs,
    )
