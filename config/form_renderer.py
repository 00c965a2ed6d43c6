"""The form renderer: Django's own widget templates, with the common ones written out in Python.

Django renders every widget through a template, and a ``<select>`` through one more template (and
the attributes template) per option: the PPKS list's filter form, 9 fields and ~60 options, cost
about as much as its 50 rows (issue 21). ``FormRenderer`` writes ``<input>`` and ``<select>`` the
way ``django/forms/widgets/{input,select,select_option,attrs}.html`` do, byte for byte (values
escaped and localized as ``{{ }}`` does, ``stringformat:'s'`` where the template uses it), and
leaves every other widget to the templates. Django's ``DjangoTemplates`` renderer looks in its own
``django/forms/templates`` before any app, so an app cannot override these templates there either;
``tests/config/test_form_renderer.py`` compares both ways on every widget kind handled here.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeData, mark_safe

# What ``{{ value }}`` reads from the context: autoescape on, localization and time zone as configured.
_CONTEXT = Context(autoescape=True)
SELECT_OPTION = "django/forms/widgets/select_option.html"


def _variable(value) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps a safe value safe)."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 (what the stringformat filter does)
    except (ValueError, TypeError):
        text = ""
    return _variable(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(" " + _variable(name))
            if value is not True:
                parts.append('="{}"'.format(_formatted(value)))
    return "".join(parts)


def render_input(widget: dict) -> str:
    """``django/forms/widgets/input.html`` (and the templates that only include it)."""
    value = widget["value"]
    return '<input type="{}" name="{}"{}{}>'.format(
        _variable(widget["type"]), _variable(widget["name"]),
        ' value="{}"'.format(_formatted(value)) if value != None else "",  # noqa: E711 (the template's test)
        _attrs(widget["attrs"]))


def render_select(widget: dict) -> str | None:
    """``django/forms/widgets/select.html`` with ``select_option.html``; None for a custom option template."""
    parts = ['<select name="{}"{}>'.format(_variable(widget["name"]), _attrs(widget["attrs"]))]
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            parts.append('\n  <optgroup label="{}">'.format(_variable(group_name)))
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append('\n  <option value="{}"{}>{}</option>\n'.format(
                _formatted(option["value"]), _attrs(option["attrs"]), _variable(option["label"])))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUT_TEMPLATES = frozenset("django/forms/widgets/{}.html".format(name) for name in (
    "input", "text", "number", "email", "url", "search", "tel", "password", "hidden", "date", "datetime", "time",
    "checkbox", "color",
))
SELECT_TEMPLATE = "django/forms/widgets/select.html"


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with ``<input>`` and ``<select>`` written in Python (same output)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name == widget.get("template_name"):
            if template_name in INPUT_TEMPLATES:
                return render_input(widget)
            if template_name == SELECT_TEMPLATE:
                html = render_select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request=request)
