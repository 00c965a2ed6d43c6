"""Issue 18: the header search finds people as Indonesians write names, and villages, in the user's scope."""

import pytest
from django.urls import reverse

from ppks import services
from tests.ppks.factories import person_data
from villages.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(users):
    here = services.person_create(actor=users["regency"], data=person_data(name="Siti Nur'aini"))
    phone = services.person_create(actor=users["regency"], data=person_data(
        name="Sitti Nur Aini", nik=None, nik_status="belum_punya", village=Village.objects.get(code="35.11.02.2001")))
    elsewhere = services.person_create(actor=users["admin"], data=person_data(
        name="Nuraini Jateng", nik=None, nik_status="belum_punya", kk_number="",
        village=Village.objects.get(code="33.73.04.1001")))
    return here, phone, elsewhere


@pytest.mark.parametrize("typed", ["nuraini", "Nur Aini", "nur’aini", "SITTI NURAINI"])
def test_people_are_found_by_any_spelling(client, users, people, typed):
    client.force_login(users["regency"])
    data = client.get(reverse("search"), {"q": typed, "format": "json"}).json()
    assert {person["name"] for person in data["people"]} == {"Siti Nur'aini", "Sitti Nur Aini"}


def test_results_stay_in_the_users_scope_and_the_national_analyst_sees_all(client, users, people):
    client.force_login(users["pensosmas"])
    names = {person["name"] for person in client.get(reverse("search"), {"q": "nuraini", "format": "json"}
                                                     ).json()["people"]}
    assert names == {"Siti Nur'aini"}  # the other village is not theirs
    client.force_login(users["analyst"])
    names = {person["name"] for person in client.get(reverse("search"), {"q": "nuraini", "format": "json"}
                                                     ).json()["people"]}
    assert names == {"Siti Nur'aini", "Sitti Nur Aini", "Nuraini Jateng"}


def test_villages_are_found_by_name_and_code_on_the_page(client, users):
    client.force_login(users["regency"])
    village = Village.objects.get(code="35.11.01.2001")
    page = client.get(reverse("search"), {"q": village.name[:5].lower()})
    assert page.status_code == 200
    assert village.get_absolute_url() in page.content.decode()
    data = client.get(reverse("search"), {"q": "35.11.01", "format": "json"}).json()
    assert village.code in {row["code"] for row in data["villages"]}
    assert all(row["code"].startswith("35.11.01") for row in data["villages"])


def test_a_nik_is_refused_in_the_url(client, users, people):
    client.force_login(users["regency"])
    data = client.get(reverse("search"), {"q": "3511015203850003", "format": "json"}).json()
    assert data["people"] == []
    assert "URL" in data["problem"]


def test_the_header_has_the_search_box(client, users):
    client.force_login(users["regency"])
    body = client.get(reverse("dashboard")).content.decode()
    assert 'action="{}"'.format(reverse("search")) in body


def test_the_registry_list_finds_spelling_variants(client, users, people):
    from ppks.models import Category

    for person in people[:2]:
        services.registration_create(actor=users["regency"], person=person, category=Category.objects.get(code="FM"))
    client.force_login(users["regency"])
    page = client.get(reverse("ppks:list"), {"q": "nuraini"})
    names = {registration.person.name for registration in page.context["page"]}
    assert names == {"Siti Nur'aini", "Sitti Nur Aini"}
