"""config/form_renderer.py writes <input> and <select> exactly as Django's widget templates do."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.form_renderer import FormRenderer

TEMPLATES = DjangoTemplates()
PYTHON = FormRenderer()

CHOICES = [("", _("Semua")), ("FM", "Fakir miskin (FM)"), ("x<&\"'>", "<b>Tanda & kutip \"'</b>"), (3, 1500),
           ("aman", mark_safe("<i>aman</i>"))]
GROUPED = [("", "---"), (_("Kelompok <A>"), [("a", "A"), ("b", _("Ya"))]), ("c", "C")]

WIDGETS = [
    (forms.TextInput(attrs={"placeholder": "35.11"}), None),
    (forms.TextInput(attrs={"placeholder": "35.11", "class": "a b"}), 'Siti "Nur" <Aini> & co'),
    (forms.TextInput(attrs={"data-x": mark_safe("<safe>")}), mark_safe("<b>safe</b>")),
    (forms.TextInput(attrs={"required": True, "disabled": False, "autofocus": True}), ""),
    (forms.NumberInput(attrs={"min": 0, "max": 1500, "step": 0.5}), 1234567),
    (forms.NumberInput(), "3.5"),
    (forms.HiddenInput(), 42),
    (forms.HiddenInput(), ""),
    (forms.EmailInput(attrs={"maxlength": 254}), "a@b.id"),
    (forms.PasswordInput(), "rahasia"),
    (forms.PasswordInput(render_value=True), "rahasia"),
    (forms.DateInput(), datetime.date(2026, 11, 30)),
    (forms.DateInput(attrs={"type": "date"}), "2026-11-30"),
    (forms.DateTimeInput(), datetime.datetime(2026, 11, 30, 8, 5)),
    (forms.TimeInput(), datetime.time(8, 5)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.CheckboxInput(attrs={"data-autosubmit": True}), "on"),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.Select(choices=CHOICES), ""),
    (forms.Select(choices=CHOICES), "FM"),
    (forms.Select(choices=CHOICES, attrs={"required": True, "data-autosubmit": True}), "x<&\"'>"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=GROUPED), "b"),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=CHOICES), ["FM", "aman"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_widgets_render_as_the_templates_do(widget, value, language):
    with translation.override(language):
        expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TEMPLATES)
        assert widget.render("field", value, attrs={"id": "id_field"}, renderer=PYTHON) == expected
        assert widget.render("field", value, renderer=PYTHON) == widget.render("field", value, renderer=TEMPLATES)


def test_project_uses_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_other_widgets_still_use_their_templates():
    widget = forms.RadioSelect(choices=CHOICES)
    assert widget.render("r", "FM", renderer=PYTHON) == widget.render("r", "FM", renderer=TEMPLATES)
    area = forms.Textarea()
    assert area.render("t", "<b>", renderer=PYTHON) == area.render("t", "<b>", renderer=TEMPLATES)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"category": "FM", "status": "verified", "region": "35.11", "q": "siti",
                                         "ordering": "-name", "has_nik": "true", "impor": "12"},
                                    {"category": "TIDAK-ADA", "age_band": "x", "q": "3511" * 4}])
def test_the_list_filter_form_renders_the_same(params, users):
    """The PPKS list's filter form, with and without values and errors, as a whole form."""
    from ppks.filters import RegistrationFilterSet
    from ppks.models import Registration

    rendered = []
    for renderer in (TEMPLATES, PYTHON):
        form = RegistrationFilterSet(params, queryset=Registration.objects.all()).form
        form.renderer = renderer
        form.is_valid()
        rendered.append(str(form))
    assert rendered[0] == rendered[1]
    assert 'name="category"' in rendered[1]


@pytest.mark.django_db
def test_the_register_forms_render_the_same(users):
    from ppks.forms import PersonForm, RegistrationForm

    for make in (lambda: PersonForm(user=users["regency"]), lambda: RegistrationForm(),
                 lambda: PersonForm({"nik": "12", "name": "<x>", "sex": "P"}, user=users["regency"])):
        rendered = []
        for renderer in (TEMPLATES, PYTHON):
            form = make()
            form.renderer = renderer
            form.is_bound and form.is_valid()
            rendered.append(str(form))
        assert rendered[0] == rendered[1]
