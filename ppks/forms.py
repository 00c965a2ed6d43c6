"""Forms for registering PPKS (phone-friendly) and for workflow steps."""


from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import visible_to
from config.digits import digits_problem, foreign_digit, is_ascii_digits
from ppks.models import Category, Person, Referral, ServiceRecord, ServiceUnit
from ppks.nik import check_kk, check_nik
from ppks.services import birth_date_problem, nik_holder_elsewhere
from villages.forms import village_field_for


class PersonForm(forms.ModelForm):
    """Identity and address of a person; NIK may be left empty with a reason."""

    class Meta:
        model = Person
        fields = [
            "name", "nik", "nik_status", "kk_number", "sex", "birth_place", "birth_date", "village", "dusun",
            "rt", "rw", "street_address", "phone", "disability", "dtsen_decile", "dtsen_decile_as_of",
        ]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 16, "autocomplete": "off"}),
            "kk_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 16, "autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dtsen_decile_as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rt": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3, "placeholder": "001"}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3, "placeholder": "002"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "nik": _("16 digit sesuai KTP/KK. Kosongkan bila tidak ada, lalu pilih alasannya."),
            "nik_status": _("Bila NIK kosong: belum punya, dalam proses, atau tidak diketahui."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"] = village_field_for(user)
        self.fields["sex"].widget = forms.RadioSelect(choices=self.fields["sex"].choices[1:])
        self.fields["nik_status"].required = False
        for name in ("nik", "kk_number", "rt", "rw"):
            self.fields[name].strip = True

    def clean_nik(self) -> str | None:
        """Format errors and a NIK already registered in the user's region are refused here; mismatches warn later.

        A NIK held by someone outside the region is never confirmed (``services.nik_holder_elsewhere``): a
        new person is saved without it and queued for Dinas Sosial; a correction is refused with the same
        neutral words.
        """
        nik = (self.cleaned_data["nik"] or "").replace(" ", "") or None
        if nik is None:
            return None
        errors = check_nik(nik).errors
        if errors:
            raise forms.ValidationError(errors)
        existing = Person.objects.filter(nik=nik).exclude(pk=self.instance.pk).select_related("village").first()
        if existing is not None:
            if visible_to(self.user, Person.objects.filter(pk=existing.pk)).exists():
                raise forms.ValidationError(_("NIK ini sudah terdaftar atas nama {name} ({village}).").format(
                    name=existing.name, village=existing.village.name))
            if self.instance.pk and nik_holder_elsewhere(actor=self.user, nik=nik) is not None:
                raise forms.ValidationError(_("NIK ini perlu diperiksa Dinas Sosial sebelum dapat dipakai; hubungi "
                                              "Dinas Sosial untuk koreksi ini."))
        return nik

    def validate_unique(self):
        """Uniqueness of the NIK is ``clean_nik``'s and the service's: the model's own check would answer
        "a person with this NIK exists" for someone outside the user's region (a NIK oracle)."""
        exclude = set(self._get_validation_exclusions()) | {"nik"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def clean_kk_number(self) -> str:
        value = self.cleaned_data["kk_number"].replace(" ", "")
        if value:
            errors = check_kk(value).errors
            if errors:
                raise forms.ValidationError(errors)
        return value

    def _clean_rt_rw(self, name: str, label: str) -> str:
        value = self.cleaned_data[name].strip()
        if value and foreign_digit(value):
            raise forms.ValidationError(digits_problem(value, label=label, max_length=3))
        if value and not (is_ascii_digits(value) and len(value) <= 3):
            raise forms.ValidationError(_("{label} harus angka 1–3 digit, misalnya 001.").format(label=label))
        return value.zfill(3) if value else ""

    def clean_rt(self) -> str:
        return self._clean_rt_rw("rt", "RT")

    def clean_rw(self) -> str:
        return self._clean_rt_rw("rw", "RW")

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        problem = birth_date_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self):
        cleaned = super().clean()
        if self.has_error("nik"):
            return cleaned  # a NIK was typed but is wrong: its own error says so, the reason is not asked for
        if not cleaned.get("nik"):
            status = cleaned.get("nik_status")
            if not status or status == Person.NikStatus.RECORDED:
                self.add_error(
                    "nik_status", _("NIK kosong: pilih alasannya (belum punya, dalam proses, tidak diketahui).")
                )
        else:
            cleaned["nik_status"] = Person.NikStatus.RECORDED
        return cleaned


class PersonCorrectionForm(PersonForm):
    """Correcting a person's data (rectification, UU 27/2022): the same fields plus the reason, required."""

    correction_reason = forms.CharField(
        label=_("Alasan koreksi"), max_length=500,
        help_text=_("Misalnya: salah ketik saat pendaftaran, sesuai KK terbaru. Jangan tulis NIK di sini."),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Alasan koreksi wajib diisi.")},
    )


class PersonAnonymiseForm(forms.Form):
    """Anonymise a person: the reason is required; forcing (open registrations) is for administrators."""

    reason = forms.CharField(
        label=_("Alasan anonimisasi"), max_length=500,
        help_text=_("Misalnya: permintaan subjek data tanggal ...; jangan tulis nama atau NIK."),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Alasan anonimisasi wajib diisi.")},
    )
    force = forms.BooleanField(label=_("Paksa walau registrasi masih aktif (administrator)"), required=False)

    def __init__(self, *args, allow_force: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_force:
            del self.fields["force"]

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("force", False)
        return cleaned


class RegistrationForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Kategori PPKS"), queryset=Category.objects.current(), to_field_name="code",
        empty_label=_("— pilih kategori —"),
    )
    needs = forms.CharField(label=_("Kebutuhan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assessed_on = forms.DateField(
        label=_("Tanggal asesmen"), initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submit_now = forms.BooleanField(label=_("Langsung ajukan ke Dinas Sosial"), required=False, initial=True)

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal asesmen tidak boleh di masa depan."))
        return value


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Catatan/alasan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))




class ImportForm(forms.Form):
    """Upload a CSV/XLSX of PPKS rows; the checks on the file itself run in the service."""

    MODE_ALL = "all"
    MODE_PARTIAL = "partial"

    file = forms.FileField(
        label=_("Berkas CSV atau XLSX"),
        help_text=_("Gunakan templat. Paling besar 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    mode = forms.ChoiceField(
        label=_("Bila ada baris yang salah"),
        choices=[
            (MODE_ALL, _("Jangan simpan apa pun (semua atau tidak sama sekali)")),
            (MODE_PARTIAL, _("Simpan baris yang benar saja")),
        ],
        initial=MODE_ALL,
        widget=forms.RadioSelect,
    )
    submit_rows = forms.BooleanField(
        label=_("Langsung ajukan untuk verifikasi (tanpa centang: disimpan sebagai draf)"),
        required=False,
    )


class ReferralAcceptForm(forms.Form):
    note = forms.CharField(label=_("Catatan (tidak wajib)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReferralDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Alasan penolakan"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Mis. di luar kewenangan unit, kuota penuh, data tidak lengkap."),
                             error_messages={"required": _("Alasan penolakan wajib diisi.")})


class ReferralForwardForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Teruskan ke unit"), queryset=ServiceUnit.objects.none(),
                                  empty_label=_("— pilih unit —"))
    note = forms.CharField(label=_("Catatan (tidak wajib)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
            self.fields["unit"].label_from_instance = lambda unit: "{} — {}".format(unit.name, unit.directorate.name)


class ServiceRecordForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Jenis layanan"), choices=ServiceRecord.ServiceType.choices)
    service_date = forms.DateField(label=_("Tanggal layanan"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    result = forms.ChoiceField(label=_("Hasil"), choices=ServiceRecord.Result.choices)
    note = forms.CharField(label=_("Catatan (tidak wajib)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReferralCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Hasil akhir"), choices=Referral.Outcome.choices)
    note = forms.CharField(label=_("Catatan (tidak wajib)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
