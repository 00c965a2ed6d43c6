"""Form helpers shared by the apps' views."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or on the form as a whole)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


DJANGO_EMPTY_LABEL = "---------"


def label_empty_choices(form):
    """Give every select of ``form`` an Indonesian empty choice ("— Pilih kegiatan —") instead of "---------"."""
    for field in form.fields.values():
        text = _("— Pilih {label} —").format(label=str(field.label or _("salah satu")).lower())
        if getattr(field, "empty_label", None) == DJANGO_EMPTY_LABEL:
            field.empty_label = text
            continue
        choices = getattr(field, "choices", None)
        if choices is None or isinstance(field, forms.ModelChoiceField):
            continue
        choices = list(choices)
        if choices and choices[0][0] in ("", None) and choices[0][1] == DJANGO_EMPTY_LABEL:
            field.choices = [("", text), *choices[1:]]
    return form


class EmptyChoiceLabels:
    """Form mixin: the empty choice of each select is worded in Indonesian (``label_empty_choices``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_empty_choices(self)
