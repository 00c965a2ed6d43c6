"""Printable field forms: blank registration form, questionnaire of the active instrument, per-person case sheet."""

import io

import pdfplumber
import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from dimensions.services import active_instrument
from ppks import services as ppks_services
from tests.ppks.factories import register
from tests.reports.test_letters import page_texts, text_outside_printable_area

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return "\n".join(page_texts(content))


def test_blank_registration_form_lists_the_categories_in_force_and_fits_the_page(client, users):
    client.force_login(users["pensosmas"])
    assert reverse("reports:form-registration") in client.get(reverse("ppks:register")).content.decode()
    response = client.get(reverse("reports:form-registration"))
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    text = text_of(content)
    for expected in ("FORMULIR PENDAFTARAN PPKS", "Kategori PPKS", "Fakir Miskin", "Belum punya NIK",
                     "Disabilitas netra", "Halaman 1 dari"):
        assert expected in text
    assert text_outside_printable_area(content) == []


def test_blank_questionnaire_follows_the_active_instrument(client, users):
    client.force_login(users["regency"])
    content = client.get(reverse("reports:form-questionnaire")).content
    text = text_of(content)
    instrument = active_instrument()
    assert instrument.code in text
    indicators = [indicator for dimension in instrument.dimensions.all() for indicator in dimension.indicators.all()]
    assert indicators
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        words = {word["text"] for page in pdf.pages for word in page.extract_words()}
    for indicator in indicators:
        assert indicator.code in words or indicator.code + "*" in words, indicator.code
    assert text_outside_printable_area(content) == []


def test_case_sheet_is_scoped_masked_and_audited(client, users):
    registration = register(users["regency"], submit=True)
    ppks_services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                          note="KK belum dilampirkan")
    person = registration.person
    client.force_login(users["other_regency"])
    assert client.get(reverse("reports:case-sheet", args=[person.pk])).status_code == 404
    client.force_login(users["analyst"])
    assert client.get(reverse("reports:case-sheet", args=[person.pk])).status_code == 403
    client.force_login(users["regency"])
    assert reverse("reports:case-sheet", args=[person.pk]) in client.get(person.get_absolute_url()).content.decode()
    response = client.get(reverse("reports:case-sheet", args=[person.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = text_of(response.content)
    assert "Siti Aminah" in text
    assert "KK belum dilampirkan" in text
    assert "3511********0003" in text
    assert person.nik not in text.replace(" ", "")
    assert person.kk_number not in text.replace(" ", "")
    assert text_outside_printable_area(response.content) == []
    assert AuditEvent.objects.filter(action="ppks.person.case_sheet", actor=users["regency"]).count() == 1
