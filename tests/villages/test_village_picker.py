"""The village picker (issue 16): people pick a village by name; the lookup answers only from their region."""

import pytest
from django.urls import reverse

from dimensions.forms import AssessmentCreateForm
from ppks.forms import PersonForm
from villages import forms as village_forms
from villages.forms import CohortVillageForm

pytestmark = pytest.mark.django_db


def lookup(client, **params) -> list[dict]:
    response = client.get(reverse("villages:village-lookup"), params)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["results"]


def test_lookup_by_name_is_scoped_to_the_users_region(client, users):
    client.force_login(users["province"])  # Jawa Timur (35)
    assert lookup(client, q="suco") == [{"code": "35.11.01.2001", "name": "Sucolor",
                                        "label": "Sucolor — Kec. Maesan, Kab. Bondowoso"}]
    assert [row["code"] for row in lookup(client, q="er")] == ["35.11.01.2002", "35.12.01.2001"]
    assert lookup(client, q="Kecandran") == []  # Kota Salatiga, Jawa Tengah
    client.force_login(users["regency"])  # Kab. Bondowoso (35.11)
    assert [row["name"] for row in lookup(client, q="er")] == ["Pujer Baru"]
    client.force_login(users["analyst"])
    assert [row["code"] for row in lookup(client, q="kecan")] == ["33.73.04.1001"]


def test_lookup_by_code_names_the_village_and_short_queries_find_nothing(client, users):
    client.force_login(users["regency"])
    assert [row["name"] for row in lookup(client, code="35.11.01.2002")] == ["Pujer Baru"]
    assert lookup(client, code="35.12.01.2001") == []  # another kab/kota
    assert lookup(client, q="s") == []
    assert [row["code"] for row in lookup(client, q="35.11.02")] == ["35.11.02.1001", "35.11.02.2001"]


def test_lookup_needs_sign_in_and_gives_a_unit_officer_nothing(client, users):
    response = client.get(reverse("villages:village-lookup"), {"q": "suco"})
    assert response.status_code == 302
    client.force_login(users["unit"])
    assert lookup(client, q="suco") == []


def test_a_small_region_keeps_its_list_of_villages(users):
    html = str(PersonForm(user=users["regency"])["village"])
    assert "<select" in html
    assert "data-village-picker" not in html


def test_a_large_region_gets_the_picker_instead_of_a_code_box(users, monkeypatch):
    monkeypatch.setattr(village_forms, "SELECT_LIMIT", 2)  # Jawa Timur has 6 villages in the test regions
    for form in (PersonForm(user=users["province"]), AssessmentCreateForm(user=users["province"])):
        html = str(form["village"])
        assert "<select" not in html
        assert "data-village-picker" in html
        assert 'data-lookup-url="{}"'.format(reverse("villages:village-lookup")) in html
        assert "Ketik sebagian nama desa/kelurahan" in str(form["village"].help_text)


def test_the_cohort_form_picks_villages_by_name(users):
    html = str(CohortVillageForm()["village"])
    assert "data-village-picker" in html
    assert CohortVillageForm().fields["village"].label == "Desa/kelurahan"


def test_pages_load_the_picker_script(client, users):
    client.force_login(users["regency"])
    assert "js/village-picker.js" in client.get(reverse("dashboard")).content.decode()
