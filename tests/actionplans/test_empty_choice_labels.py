"""No select shows Django's "---------": every form and filter of the project words its empty choice (issue 16)."""

import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.test import RequestFactory

from config.forms import DJANGO_EMPTY_LABEL
from ppks.models import Directorate
from villages.models import Village

pytestmark = pytest.mark.django_db

FORM_MODULES = ("accounts.forms", "actionplans.forms", "dimensions.forms", "ppks.forms", "reports.forms",
                "villages.forms")
FILTER_MODULES = ("accounts.filters", "actionplans.selectors", "dimensions.filters", "ppks.filters",
                  "villages.filters")


def project_classes(modules, base):
    for module_name in modules:
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module_name:
                yield cls


def test_every_form_words_its_empty_choices(users, plan):
    pool = {"user": users["province"], "plan": plan, "village": Village.objects.get(code="35.11.01.2001"),
            "indicators": [], "directorate": Directorate.objects.get(code="rehsos"), "units": None}
    rendered, dashed = [], []
    for cls in project_classes(FORM_MODULES, forms.BaseForm):
        parameters = inspect.signature(cls.__init__).parameters
        kwargs = {name: value for name, value in pool.items() if name in parameters}
        form = cls(users["province"]) if issubclass(cls, auth_forms.SetPasswordForm) else cls(**kwargs)
        if DJANGO_EMPTY_LABEL in str(form):
            dashed.append(cls.__name__)
        rendered.append(cls.__name__)
    assert dashed == []
    assert {"AssessmentCreateForm", "SpendingForm", "EvaluationForm", "PokjaMemberForm", "PersonForm"} <= set(rendered)


def test_every_filter_words_its_empty_choices(users):
    request = RequestFactory().get("/")
    request.user = users["province"]
    checked, dashed = [], []
    for cls in project_classes(FILTER_MODULES, django_filters.FilterSet):
        filterset = cls(None, queryset=cls._meta.model.objects.none(), request=request)
        if DJANGO_EMPTY_LABEL in str(filterset.form):
            dashed.append(cls.__name__)
        checked.append(cls.__name__)
    assert dashed == []
    assert "VillageFilterSet" in checked
