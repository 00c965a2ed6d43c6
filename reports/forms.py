"""Forms to preview and send a referral, and to request a summary report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.offices import office_of, signatories_for
from accounts.scoping import scope_of
from ppks.models import Category, Directorate, ServiceUnit
from reports.selectors import region_exists
from villages import codes


class RegionCodeField(forms.CharField):
    """A region code inside the user's scope (empty = the whole scope for national roles)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        scope = scope_of(self.user)
        if not value:
            if scope.national:
                return ""
            return scope.region_code
        if codes.region_level(value) not in {codes.PROVINCE, codes.REGENCY, codes.DISTRICT}:
            raise forms.ValidationError(_("Kode wilayah harus provinsi, kab/kota atau kecamatan, misalnya 35.11."))
        if not region_exists(value):
            raise forms.ValidationError(_("Wilayah {code} tidak ditemukan.").format(code=value))
        if not scope.covers(value):
            raise forms.ValidationError(_("Wilayah {code} di luar wilayah kerja Anda.").format(code=value))
        return value


class ReportParametersForm(forms.Form):
    region_code = forms.CharField(label=_("Kode wilayah"), required=False,
                                  help_text=_("Kosongkan untuk seluruh wilayah kerja Anda."))
    directorate = forms.ModelChoiceField(label=_("Direktorat tujuan"), queryset=Directorate.objects.all(),
                                         to_field_name="code", empty_label=None)
    categories = forms.ModelMultipleChoiceField(
        label=_("Kategori"), queryset=Category.objects.current(), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("Kosongkan untuk semua kategori."),
    )
    period_from = forms.DateField(label=_("Periode dari"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_to = forms.DateField(label=_("Periode sampai"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"] = RegionCodeField(
            label=_("Kode wilayah"), required=False, user=user, help_text=self.fields["region_code"].help_text,
            widget=forms.TextInput(attrs={"placeholder": scope_of(user).region_code or "35.11"}),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("Akhir periode tidak boleh sebelum awal periode."))
        return cleaned


class ReferralConfirmForm(forms.Form):
    """What the sender decides on the preview: the signatory, the addressed unit and the Tembusan."""

    token = forms.CharField(widget=forms.HiddenInput)
    signatory = forms.ModelChoiceField(label=_("Penanda tangan"), queryset=None, empty_label=None)
    unit = forms.ModelChoiceField(
        label=_("Unit tujuan"), queryset=None, required=False, empty_label=_("Direktorat Jenderal (kantor pusat)"),
        help_text=_("Kosongkan agar Ditjen menyalurkan ke unitnya; atau pilih Sentra/Balai/UPT tertentu."),
    )
    copies_to = forms.CharField(
        label=_("Tembusan"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu penerima per baris."),
    )

    def __init__(self, *args, user, directorate: Directorate, **kwargs):
        super().__init__(*args, **kwargs)
        office = office_of(user)
        self.fields["signatory"].queryset = signatories_for(office)
        self.fields["signatory"].label_from_instance = lambda signatory: "{} — {}".format(
            signatory.name, signatory.title_label)
        self.fields["unit"].queryset = ServiceUnit.objects.filter(directorate=directorate, active=True).exclude(
            kind=ServiceUnit.Kind.DITJEN)
        if office is not None and not self.is_bound:
            self.initial.setdefault("copies_to", "\n".join(office.copies_to_lines()))

    def clean_copies_to(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["copies_to"].splitlines() if line.strip()]


class VerifyUploadForm(forms.Form):
    document = forms.FileField(label=_("Berkas PDF yang Anda terima"))

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("Berkas lebih dari 50 MB."))
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("Berkas bukan PDF."))
        return document
