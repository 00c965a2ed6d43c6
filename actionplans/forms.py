from django import forms
from django.utils.translation import gettext_lazy as _

from actionplans.models import Activity, Asset, MonitoringVisit, Pokja, PokjaMember, ProgrammeStage
from config.forms import label_empty_choices
from dimensions.models import Assessment, Dimension, Indicator
from villages.models import ProgrammePhase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RUPIAH = forms.NumberInput(attrs={"step": 1000, "inputmode": "numeric"})


class PokjaForm(forms.ModelForm):
    decree_upload = forms.FileField(label=_("Unggah SK (PDF/JPG/PNG, maks. 5 MB)"), required=False)

    class Meta:
        model = Pokja
        fields = ["decree_number", "decree_date", "target_members", "notes"]
        widgets = {"decree_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class PokjaMemberForm(forms.ModelForm):
    class Meta:
        model = PokjaMember
        fields = ["name", "role", "dimension", "origin", "institution_type", "institution", "sex", "age_group",
                  "phone", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].required = True
        self.fields["sex"].choices = [("", _("— pilih —")), ("P", _("Perempuan")), ("L", _("Laki-laki"))]
        self.fields["age_group"].required = True
        self.fields["age_group"].choices = [("", _("— pilih —")), *PokjaMember.AgeGroup.choices]
        for name in ("origin", "institution_type"):
            self.fields[name].choices = [("", _("— pilih —")), *self.fields[name].choices[1:]] \
                if self.fields[name].choices and self.fields[name].choices[0][0] == "" else self.fields[name].choices
        label_empty_choices(self)


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Judul"), required=False, max_length=200)
    assessment = forms.ModelChoiceField(label=_("Asesmen yang dijawab"), queryset=Assessment.objects.none(),
                                        required=False, empty_label=_("— baseline tervalidasi terakhir —"))

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(village=village).exclude(
            overall_index=None).select_related("village")  # each choice's label names the village


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["dimension", "indicators", "title", "description", "target_group", "start_date", "end_date",
                  "budget", "fund_source", "responsible_person", "source_asset"]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "indicators": forms.CheckboxSelectMultiple, "budget": forms.NumberInput(attrs={"step": 1000})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_asset"].queryset = Asset.objects.filter(village_id=plan.village_id, active=True)
        instrument = plan.assessment.instrument_id if plan.assessment_id else None
        dimensions = Dimension.objects.filter(instrument__is_active=True) if instrument is None else \
            Dimension.objects.filter(instrument=instrument)
        self.fields["dimension"].queryset = dimensions
        self.fields["indicators"].queryset = Indicator.objects.filter(dimension__in=dimensions).select_related(
            "dimension")
        self.fields["indicators"].label_from_instance = lambda indicator: "{} {}".format(
            indicator.code, indicator.text[:80])
        label_empty_choices(self)


class ActivityProgressForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["status", "progress"]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Foto/dokumen (JPG, PNG, PDF; maks. 5 MB)"))
    caption = forms.CharField(label=_("Keterangan"), required=False, max_length=200)


class StageForm(forms.ModelForm):
    """A stage's dates. Planned dates are locked once the year's plan is approved (change request instead);
    the transfer-stimulan stage has no actual dates of its own (they follow its tranches)."""

    class Meta:
        model = ProgrammeStage
        fields = ["planned_start", "planned_end", "actual_start", "actual_end", "notes"]
        widgets = dict.fromkeys(("planned_start", "planned_end", "actual_start", "actual_end"), DATE)

    def __init__(self, *args, plan_approved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if plan_approved:
            for name in ("planned_start", "planned_end"):
                self.fields[name].disabled = True
        if self.instance.follows_tranches:
            del self.fields["actual_start"]
            del self.fields["actual_end"]


class StageChangeForm(forms.Form):
    planned_start = forms.DateField(label=_("Rencana mulai baru"), widget=DATE, required=False)
    planned_end = forms.DateField(label=_("Rencana selesai baru"), widget=DATE)
    reason = forms.CharField(label=_("Alasan perubahan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Catatan keputusan (wajib bila ditolak)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class TranchePlanForm(forms.Form):
    number = forms.IntegerField(label=_("Tahap ke"), min_value=1, max_value=12)
    planned_amount = forms.DecimalField(label=_("Rencana jumlah (Rp)"), max_digits=14, decimal_places=0, min_value=1,
                                        widget=RUPIAH)
    planned_date = forms.DateField(label=_("Rencana tanggal"), widget=DATE)


class TrancheReceiveForm(forms.Form):
    amount = forms.DecimalField(label=_("Jumlah diterima (Rp)"), max_digits=14, decimal_places=0, min_value=1,
                                widget=RUPIAH)
    received_on = forms.DateField(label=_("Tanggal diterima"), widget=DATE)
    reference = forms.CharField(label=_("Nomor BAST/bukti transfer"), max_length=100)
    receipt_note = forms.CharField(
        label=_("Alasan (bila sebelum rencana aksi disetujui atau jumlah beda dari rencana)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class TrancheCorrectForm(TrancheReceiveForm):
    reason = forms.CharField(label=_("Alasan koreksi"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class PhaseOverrideForm(forms.Form):
    phase = forms.ChoiceField(label=_("Tahap DBS yang berlaku"), choices=ProgrammePhase.choices)
    reason = forms.CharField(label=_("Alasan koreksi"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                             help_text=_("Koreksi dicatat dengan nama Anda dan ditampilkan sebagai koreksi."))


class AssetForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = ["kind", "name", "description", "owner", "contact", "location", "leaky_bucket", "monthly_outflow",
                  "low_hanging_fruit", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "monthly_outflow": RUPIAH,
                   "contact": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— pilih jenis aset —")), *Asset.Kind.choices]


class SpendingForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Kegiatan"), queryset=Activity.objects.none())
    amount = forms.DecimalField(label=_("Jumlah (Rp)"), max_digits=14, decimal_places=0, min_value=1)
    spent_on = forms.DateField(label=_("Tanggal"), widget=DATE)
    description = forms.CharField(label=_("Uraian"), max_length=200)
    override_reason = forms.CharField(label=_("Alasan melebihi saldo (hanya Dinas Sosial)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = plan.activities.all()
        label_empty_choices(self)


class MonitoringForm(forms.ModelForm):
    class Meta:
        model = MonitoringVisit
        fields = ["visited_on", "findings", "follow_ups"]
        widgets = {"visited_on": DATE, "findings": forms.Textarea(attrs={"rows": 3}),
                   "follow_ups": forms.Textarea(attrs={"rows": 2})}


class EvaluationForm(forms.Form):
    endline = forms.ModelChoiceField(label=_("Asesmen endline"), queryset=Assessment.objects.none())
    findings = forms.CharField(label=_("Temuan"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_ups = forms.CharField(label=_("Tindak lanjut"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endline"].queryset = Assessment.objects.filter(
            village=plan.village, phase=Assessment.Phase.ENDLINE, status=Assessment.Status.VALIDATED)
        self.fields["endline"].help_text = _("Hanya endline yang sudah divalidasi Dinas Sosial.")
        label_empty_choices(self)
