from django import forms
from django.utils.translation import gettext_lazy as _

from actionplans.models import Activity, MonitoringVisit, Pokja, PokjaMember, ProgrammeStage
from dimensions.models import Assessment, Dimension, Indicator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PokjaForm(forms.ModelForm):
    class Meta:
        model = Pokja
        fields = ["decree_number", "decree_date", "notes"]
        widgets = {"decree_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class PokjaMemberForm(forms.ModelForm):
    class Meta:
        model = PokjaMember
        fields = ["name", "role", "origin", "institution", "sex", "phone"]


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Judul"), required=False, max_length=200)
    assessment = forms.ModelChoiceField(label=_("Asesmen yang dijawab"), queryset=Assessment.objects.none(),
                                        required=False, empty_label=_("— baseline tervalidasi terakhir —"))

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(village=village).exclude(overall_index=None)


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["dimension", "indicators", "title", "description", "target_group", "start_date", "end_date",
                  "budget", "fund_source", "responsible_person"]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "indicators": forms.CheckboxSelectMultiple, "budget": forms.NumberInput(attrs={"step": 1000})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        instrument = plan.assessment.instrument_id if plan.assessment_id else None
        dimensions = Dimension.objects.filter(instrument__is_active=True) if instrument is None else \
            Dimension.objects.filter(instrument=instrument)
        self.fields["dimension"].queryset = dimensions
        self.fields["indicators"].queryset = Indicator.objects.filter(dimension__in=dimensions).select_related(
            "dimension")
        self.fields["indicators"].label_from_instance = lambda indicator: "{} {}".format(
            indicator.code, indicator.text[:80])


class ActivityProgressForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["status", "progress"]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Foto/dokumen (JPG, PNG, PDF; maks. 5 MB)"))
    caption = forms.CharField(label=_("Keterangan"), required=False, max_length=200)


class StageForm(forms.ModelForm):
    class Meta:
        model = ProgrammeStage
        fields = ["planned_start", "planned_end", "actual_start", "actual_end", "notes"]
        widgets = dict.fromkeys(("planned_start", "planned_end", "actual_start", "actual_end"), DATE)


class TrancheForm(forms.Form):
    number = forms.IntegerField(label=_("Tahap ke"), min_value=1)
    amount = forms.DecimalField(label=_("Jumlah (Rp)"), max_digits=14, decimal_places=0, min_value=1)
    received_on = forms.DateField(label=_("Tanggal diterima"), widget=DATE)
    reference = forms.CharField(label=_("Nomor BAST/bukti"), max_length=100)


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
            village=plan.village, phase=Assessment.Phase.ENDLINE).exclude(overall_index=None)
