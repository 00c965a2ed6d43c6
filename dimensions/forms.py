"""Forms for starting an assessment, adding respondents, the survey and spreadsheet import."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.forms import label_empty_choices
from dimensions.models import Assessment, Respondent
from villages.forms import village_field_for


class AssessmentCreateForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["village", "year", "phase", "period_label"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = village_field_for(user)
        self.fields["year"].initial = timezone.localdate().year
        label_empty_choices(self)


class RespondentForm(forms.ModelForm):
    class Meta:
        model = Respondent
        fields = ["name", "institution", "position", "sex"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [("", _("Tidak dicatat")), *self.fields["sex"].choices[1:]]


class SurveyForm(forms.Form):
    """One respondent's answers: a 1–5 choice per indicator, all optional while drafting."""

    def __init__(self, *args, indicators, disabled: bool = False, record_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.record_values = record_values or {}
        for indicator in indicators:
            choices = [(str(value), str(value)) for value in range(indicator.scale_min, indicator.scale_max + 1)]
            self.fields[indicator.code] = forms.ChoiceField(
                label="{} {}".format(indicator.code, indicator.text), choices=choices, required=False,
                widget=forms.RadioSelect, help_text=indicator.guidance, disabled=disabled,
            )

    def blocks(self):
        """(dimension, [(bound field, indicator, value from the app's records or None)]) for the template."""
        grouped = []
        for indicator in self.indicators:
            if not grouped or grouped[-1][0] != indicator.dimension:
                grouped.append((indicator.dimension, []))
            grouped[-1][1].append((self[indicator.code], indicator, self.record_values.get(indicator.pk)))
        return grouped


class AnswersImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV atau XLSX"),
                           help_text=_("Satu baris per responden: responden, lembaga, jabatan, jenis_kelamin, "
                                       "lalu satu kolom per kode indikator (1.1 … 4.5). Maksimal 5 MB."))
