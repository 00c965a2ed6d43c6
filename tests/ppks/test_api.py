import uuid

import pytest

from accounts.models import AuditEvent
from ppks.models import Registration
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "name": "Ahmad Fauzi", "nik": "3511011505900001", "kk_number": "3511010101200002", "sex": "L",
    "birth_place": "Bondowoso", "birth_date": "1990-05-15", "village": "35.11.01.2001", "rt": "003", "rw": "001",
}


def test_list_is_scoped_filtered_and_cursor_paginated(api_client, users):
    register(users["pensosmas"], submit=True)
    register(users["other_regency"], nik="3512010101150002", name="Budi", sex="L", category="AT",
             birth_date=__import__("datetime").date(2015, 1, 1),
             village=__import__("villages.models", fromlist=["Village"]).Village.objects.get(code="35.12.01.2001"))
    api_client.force_authenticate(users["regency"])
    body = api_client.get("/api/v1/registrations/").json()
    assert set(body) == {"next", "previous", "results"}
    assert [row["person"]["name"] for row in body["results"]] == ["Siti Aminah"]
    assert body["results"][0]["person"]["nik_masked"] == "3511********0003"
    assert "nik" not in body["results"][0]["person"]
    api_client.force_authenticate(users["province"])
    assert [row["person"]["name"] for row in api_client.get("/api/v1/registrations/", {"category": "AT"}).json()[
        "results"]] == ["Budi"]


def test_create_with_idempotency_key_does_not_duplicate(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    key = str(uuid.uuid4())
    payload = {"person": NEW_PERSON, "category": "FM", "needs": "Sembako", "submit": True}
    first = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "submitted"
    assert Registration.objects.count() == 1


def test_create_errors_are_indonesian_and_by_field(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    bad = {**NEW_PERSON, "nik": "3511011305"}
    response = api_client.post("/api/v1/registrations/", {"person": bad, "category": "FM"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"nik": ["NIK harus 16 digit angka (sekarang 10 karakter)."]}
    outside = {**NEW_PERSON, "village": "35.12.01.2001"}
    assert api_client.post("/api/v1/registrations/", {"person": outside, "category": "FM"},
                           format="json").status_code == 403
    missing_reason = {**NEW_PERSON, "nik": ""}
    response = api_client.post("/api/v1/registrations/", {"person": missing_reason, "category": "FM"}, format="json")
    assert response.json() == {
        "person": {"nik_status": ["NIK kosong: pilih alasannya (belum_punya, dalam_proses, tidak_diketahui)."]}
    }


def test_workflow_actions(api_client, users):
    registration = register(users["pensosmas"], submit=True)
    api_client.force_authenticate(users["pensosmas"])
    denied = api_client.post("/api/v1/registrations/{}/verify/".format(registration.pk))
    assert denied.status_code == 403
    api_client.force_authenticate(users["regency"])
    response = api_client.post("/api/v1/registrations/{}/reject/".format(registration.pk), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"note": ["Alasan wajib diisi."]}
    response = api_client.post("/api/v1/registrations/{}/verify/".format(registration.pk))
    assert response.json()["status"] == "verified"
    assert response.json()["directorate"] == "dayasos"
    assert [event["to_status"] for event in response.json()["events"]] == ["draft", "submitted", "verified"]
    # referring is a letter (POST /reports/rujukan/), not a single-registration step
    assert api_client.post("/api/v1/registrations/{}/refer/".format(registration.pk)).status_code == 404


def test_reveal_nik_endpoint(api_client, users):
    person = register(users["pensosmas"]).person
    api_client.force_authenticate(users["analyst"])
    assert api_client.post("/api/v1/persons/{}/reveal-nik/".format(person.pk)).status_code == 403
    api_client.force_authenticate(users["pensosmas"])
    assert api_client.post("/api/v1/persons/{}/reveal-nik/".format(person.pk)).json() == {"nik": "3511015203850003"}
    assert AuditEvent.objects.filter(action="ppks.person.nik_reveal").count() == 1


def test_partial_update_keeps_the_nik(api_client, users):
    person = register(users["pensosmas"]).person
    api_client.force_authenticate(users["pensosmas"])
    url = "/api/v1/persons/{}/".format(person.pk)
    response = api_client.patch(url, {"phone": "081234567890"}, format="json")
    assert response.status_code == 400
    assert "correction_reason" in response.json()
    response = api_client.patch(url, {"phone": "081234567890", "correction_reason": "Nomor baru"}, format="json")
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert (person.phone, person.nik) == ("081234567890", "3511015203850003")


def test_categories_endpoint(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    body = api_client.get("/api/v1/ppks-categories/").json()
    assert len(body) == 26
    assert body[0]["code"] == "ABT"
    assert body[0]["directorate"] == "rehsos"


def test_patch_corrects_a_draft_and_refuses_after_submission(api_client, users):
    registration = register(users["pensosmas"])
    api_client.force_authenticate(users["pensosmas"])
    url = "/api/v1/registrations/{}/".format(registration.pk)
    response = api_client.patch(url, {"category": "PRSE", "needs": "Modal usaha"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["category"], response.json()["directorate"]) == ("PRSE", "dayasos")
    api_client.post(url + "submit/")
    refused = api_client.patch(url, {"needs": "lain"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["Registrasi berstatus 'Diajukan' tidak dapat diubah; hanya draf atau yang ditolak."]
    }
    assert AuditEvent.objects.filter(action="ppks.registration.update").count() == 1


def test_delete_only_never_submitted_drafts(api_client, users):
    draft = register(users["pensosmas"])
    submitted = register(users["pensosmas"], category="PRSE", person=draft.person, submit=True)
    api_client.force_authenticate(users["pensosmas"])
    assert api_client.delete("/api/v1/registrations/{}/".format(submitted.pk)).status_code == 400
    assert api_client.delete("/api/v1/registrations/{}/".format(draft.pk)).status_code == 204
    assert list(Registration.objects.values_list("pk", flat=True)) == [submitted.pk]
    api_client.force_authenticate(users["other_regency"])
    assert api_client.delete("/api/v1/registrations/{}/".format(submitted.pk)).status_code == 404


@pytest.mark.parametrize(("birth_date", "message"), [
    ("0001-01-01", "Tanggal lahir terlalu lampau; periksa tahunnya."),
    ("2999-01-01", "Tanggal lahir tidak boleh di masa depan."),
])
def test_implausible_birth_dates_are_refused_like_in_the_form(api_client, users, birth_date, message):
    """Found while fuzzing the API: it stored a birth date in year 1 that the HTML form refuses."""
    person = register(users["pensosmas"]).person
    api_client.force_authenticate(users["pensosmas"])
    response = api_client.patch("/api/v1/persons/{}/".format(person.pk),
                                {"birth_date": birth_date, "correction_reason": "Koreksi"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"birth_date": [message]}
    created = api_client.post("/api/v1/registrations/", {
        "person": {**NEW_PERSON, "birth_date": birth_date}, "category": "FM"}, format="json")
    assert created.status_code == 400
    assert created.json() == {"birth_date": [message]}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_idempotency_key_sent_at_once_creates_one_registration(users):
    """Issue 15, item 11: three copies in parallel (PostgreSQL) answer 201 once and 200 twice, never 500."""
    from rest_framework.test import APIClient

    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    key = str(uuid.uuid4())
    payload = {"person": NEW_PERSON, "category": "FM", "needs": "Sembako", "submit": True}

    def send():
        client = APIClient()
        client.force_authenticate(users["regency"])
        return client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code

    assert sorted(at_once(send, send, send)) == [200, 200, 201]
    assert Registration.objects.filter(client_uuid=key).count() == 1
