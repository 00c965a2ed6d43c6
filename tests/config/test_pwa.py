"""Issue 18: the offline-first Pensosmas pages on the server side (worker, manifest, session, reference data)."""

import json
import uuid

import pytest

from dimensions.models import Assessment
from ppks import services as ppks_services
from tests.ppks.factories import register
from tests.ppks.test_api import NEW_PERSON

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_the_root_with_its_configuration(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.SIDBS_CONFIG = ").removesuffix(";"))
    assert config["pages"] == ["/", "/ppks/daftar/", "/luring/survei/", "/luring/kotak-keluar/", "/luring/referensi/"]
    assert "/static/js/outbox.js" in config["shell"]
    assert config["outboxScript"] == "/static/js/outbox.js"
    assert (config["login"], config["logout"]) == ("/akun/masuk/", "/akun/keluar/")
    assert len(config["version"]) == 12
    assert "importScripts(CONFIG.outboxScript)" in body


def test_worker_caches_only_the_listed_working_pages():
    """No page of people (lists, details) is among the cached pages: the worker caches nothing else."""
    from config.pwa import offline_pages

    assert not [page for page in offline_pages() if page.startswith(("/ppks/registrasi/", "/ppks/orang/"))]
    assert "/ppks/" not in offline_pages()


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    assert body["icons"][0]["src"] == "/static/img/favicon.svg"


def test_pages_link_the_manifest_and_name_the_user_for_the_outbox(client, users):
    assert b'rel="manifest"' in client.get("/akun/masuk/").content
    assert b"sidbs-user" not in client.get("/akun/masuk/").content
    client.force_login(users["pensosmas"])
    page = client.get("/").content.decode()
    assert '<meta name="sidbs-user" content="pensosmas" data-sw="/sw.js">' in page
    assert 'id="offline-strings"' in page
    strings = page.split('id="offline-strings">', 1)[1].split("</script>", 1)[0]
    assert json.loads(strings)["state_perlu_perbaikan"] == "Perlu perbaikan"


def test_session_state_gives_a_csrf_token_or_401(client, users):
    response = client.get("/luring/sesi/")
    assert response.status_code == 401
    assert "Masuk lagi" in response.json()["detail"]
    client.force_login(users["pensosmas"])
    response = client.get("/luring/sesi/")
    assert response.json()["user"] == "pensosmas"
    assert response.json()["csrf"]
    assert "no-cache" in response["Cache-Control"]


def test_reference_data_is_scoped_to_the_user(client, users):
    client.force_login(users["pensosmas"])
    body = client.get("/luring/referensi/").json()
    assert [village["code"] for village in body["villages"]] == ["35.11.01.2001"]
    assert "FM" in [category["code"] for category in body["categories"]]
    assert len(body["instrument"]["indicators"]) == 20
    assert {phase["code"] for phase in body["phases"]} == set(Assessment.Phase.values)


def test_offline_pages_need_sign_in_and_the_survey_a_registering_role(client, users):
    assert client.get("/luring/kotak-keluar/").status_code == 302
    client.force_login(users["pensosmas"])
    outbox = client.get("/luring/kotak-keluar/")
    assert b"Kirim sekarang" in outbox.content
    assert b"data-outbox-items" in outbox.content
    survey = client.get("/luring/survei/")
    assert survey.content.count(b'role="radiogroup"') == 20
    assert b'data-offline-form="assessment"' in survey.content
    assert b'data-offline-form="registration"' in client.get("/ppks/daftar/").content
    client.force_login(users["unit"])
    assert client.get("/luring/survei/").status_code == 403


def test_api_returns_the_category_warnings_with_the_new_registration(api_client, users):
    """An entry from the outbox gets back what the form would have asked to confirm (category criteria)."""
    api_client.force_authenticate(users["pensosmas"])
    payload = {"person": {**NEW_PERSON, "sex": "L", "nik": "3511011505900001"}, "category": "PRSE"}
    key = str(uuid.uuid4())
    response = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == ["Kategori PRSE hanya untuk perempuan."]
    again = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200
    assert again.json()["warnings"] == response.json()["warnings"]


def test_api_refuses_a_registered_nik_on_the_nik_field(api_client, users):
    register(users["pensosmas"])
    api_client.force_authenticate(users["pensosmas"])
    payload = {"person": {**NEW_PERSON, "nik": "3511015203850003", "sex": "P", "birth_date": "1985-03-12"},
               "category": "FM"}
    response = api_client.post("/api/v1/registrations/", payload, format="json",
                               HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 400
    assert response.json()["nik"] == ["NIK ini sudah terdaftar. Tambahkan registrasi pada data orang tersebut."]


def test_pensosmas_home_lists_drafts_rejections_with_reason_and_open_assessments(client, users):
    pensosmas = users["pensosmas"]
    register(pensosmas)  # a draft
    rejected = register(pensosmas, submit=True, name="Budi Santoso", nik="3511011006800001", sex="L",
                        birth_date=None, kk_number="")
    ppks_services.registration_transition(registration=rejected, action="reject", actor=users["regency"],
                                          note="Foto KTP tidak terbaca")
    register(pensosmas, submit=True, name="Sudah Diajukan", nik="3511011006800002", sex="L", birth_date=None,
             kk_number="")
    from dimensions import services as dimension_services
    from villages.models import Village

    dimension_services.assessment_create(actor=pensosmas, village=Village.objects.get(code="35.11.01.2001"),
                                         year=2026, phase=Assessment.Phase.BASELINE)
    client.force_login(pensosmas)
    page = client.get("/").content.decode()
    tasks = page.split('class="card tasks"', 1)[1].split("</section>", 1)[0]
    assert "Siti Aminah" in tasks
    assert "Budi Santoso" in tasks
    assert "Foto KTP tidak terbaca" in tasks
    assert "Sudah Diajukan" not in tasks
    assert "Asesmen Sucolor" in tasks
    assert "data-outbox-counts" in tasks
    assert "Kirim sekarang" in tasks


def test_pensosmas_home_shows_no_work_of_other_villages(client, users):
    from villages.models import Village

    register(users["other_regency"], name="Orang Situbondo", nik="3512011203850007", sex="L", birth_date=None,
             kk_number="", village=Village.objects.get(code="35.12.01.2001"))
    client.force_login(users["pensosmas"])
    page = client.get("/").content.decode()
    assert "Orang Situbondo" not in page
    assert "Tidak ada draf, registrasi ditolak, atau asesmen yang menunggu Anda." in page
