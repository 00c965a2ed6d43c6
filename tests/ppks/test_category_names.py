"""Category names do not repeat their code (issue 16): "Anak dengan Kedisabilitasan (ADK)", never "... (ADK) (ADK)"."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from ppks.categories_data import CATEGORIES, LEGACY_CATEGORIES
from ppks.models import Category, Directorate
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

rename = importlib.import_module("ppks.migrations.0013_category_names_without_code")


def test_no_seeded_name_carries_its_code():
    for row in (*CATEGORIES, *LEGACY_CATEGORIES):
        assert "({})".format(row["code"]) not in row["name"], row["code"]


@pytest.mark.parametrize("code", ["ADK", "BWBLP", "ODHA", "PMBS"])
def test_each_category_shows_its_code_once(code):
    category = Category.objects.get(code=code)
    assert "({})".format(code) not in category.name
    assert str(category).count("({})".format(code)) == 1


def test_the_migration_renames_the_old_seeded_names_only():
    Category.objects.filter(code="ADK").update(name="Anak dengan Kedisabilitasan (ADK)")
    Category.objects.filter(code="ODHA").update(name="Nama pilihan admin (ODHA)")
    rename.rename(django_apps, None)
    assert Category.objects.get(code="ADK").name == "Anak dengan Kedisabilitasan"
    assert Category.objects.get(code="ODHA").name == "Nama pilihan admin (ODHA)"  # changed by an admin: kept


def test_pages_show_the_category_and_directorate_by_name(client, users):
    registration = register(users["pensosmas"], category="PMBS", submit=True)
    client.force_login(users["regency"])
    for url in (registration.get_absolute_url(), registration.person.get_absolute_url(), reverse("ppks:list")):
        body = client.get(url).content.decode()
        assert "(PMBS) (PMBS)" not in body, url
    listing = client.get(reverse("ppks:list")).content.decode()
    assert Directorate.objects.get(code="rehsos").name in listing
    assert '<small class="muted">rehsos</small>' not in listing
    person_page = client.get(registration.person.get_absolute_url()).content.decode()
    assert "<td>rehsos</td>" not in person_page
