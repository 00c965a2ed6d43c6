"""Messages after an action name the record, not only its new status (issue 16), in ppks, dimensions, actionplans."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from actionplans import services
from tests.actionplans.conftest import activity_data
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("action", "note", "expected"), [
    ("verify", "", "Registrasi Siti Aminah (FM) diverifikasi."),
    ("reject", "Bukan warga desa ini", "Registrasi Siti Aminah (FM) ditolak."),
])
def test_registration_steps_name_the_person(client, users, action, note, expected):
    registration = register(users["pensosmas"], submit=True)
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:registration-transition", args=[registration.pk, action]), {"note": note})
    assert said(response) == [expected]


def test_a_registration_added_to_a_person_names_them(client, users):
    registration = register(users["pensosmas"])
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:person-detail", args=[registration.person_id]), {
        "category": "PRSE", "needs": "Kunjungan", "assessed_on": "2026-11-01"})
    assert said(response) == ["Registrasi baru Siti Aminah (PRSE) ditambahkan."]


def test_assessment_steps_name_the_village_and_year(client, users, make_assessment):
    assessment = make_assessment(submit=True)
    client.force_login(users["regency"])
    response = client.post(reverse("dimensions:transition", args=[assessment.pk, "validate"]))
    [message] = said(response)
    assert message.startswith("Asesmen Sucolor {}, ".format(assessment.year))
    assert message.endswith("divalidasi dan dibekukan.")


def test_plan_steps_name_the_plan(client, users, plan):
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    client.force_login(users["pensosmas"])
    response = client.post(reverse("actionplans:transition", args=[plan.pk, "submit"]))
    assert said(response) == ["Rencana aksi Sucolor 2026 diajukan."]  # the plan's title
    client.force_login(users["regency"])
    response = client.post(reverse("actionplans:transition", args=[plan.pk, "approve"]))
    assert said(response)[-1] == "Rencana aksi Sucolor 2026 disetujui."
