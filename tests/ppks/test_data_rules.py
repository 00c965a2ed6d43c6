"""Issue 16 "Data rules": the same identity and category rules on every entry path (form, API, import, command).

Identity numbers are ASCII digits only (``config.digits``); NIK and No. KK start with a real province code
(``villages.codes.PROVINCE_CODES``); No. KK has a database check and is masked like NIK; the category's age,
sex and disability criteria are warnings from one service rule (``services.category_criteria_warnings``).
"""

import datetime
import gzip
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ppks import services
from ppks.models import DuplicateCandidate, Person, PersonHistory
from ppks.nik import check_kk, check_nik
from tests.ppks.factories import register
from tests.ppks.test_import import row, run_import
from tests.ppks.test_views import register_form
from villages import codes
from villages.services import bundled_regions_path

pytestmark = pytest.mark.django_db

SUPERSCRIPT = "\u00b2511015203850003"  # "²511…": isdigit() is true, int() refuses it
ARABIC_INDIC = "٣٥١١٠١٥٢٠٣٨٥٠٠٠٣"
FULL_WIDTH = "３５１１０１５２０３８５０００３"
FOREIGN_DIGITS = [pytest.param(SUPERSCRIPT, id="superscript"), pytest.param(ARABIC_INDIC, id="arabic-indic"),
                  pytest.param(FULL_WIDTH, id="full-width")]
API_PERSON = {
    "name": "Ahmad Fauzi", "nik": "3511011505900001", "kk_number": "3511010101200002", "sex": "L",
    "birth_place": "Bondowoso", "birth_date": "1990-05-15", "village": "35.11.01.2001", "rt": "003", "rw": "001",
}


# --- the rules themselves --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", FOREIGN_DIGITS)
def test_nik_and_kk_with_other_digits_are_clear_errors_not_exceptions(value):
    for result, label in ((check_nik(value), "NIK"), (check_kk(value), "No. KK")):
        assert len(result.errors) == 1
        assert result.errors[0].startswith("{} hanya boleh berisi angka 0–9 biasa".format(label))


@pytest.mark.parametrize("prefix", ["25", "40", "20", "37", "50", "54", "66", "77", "90", "97"])
def test_prefix_that_is_no_province_code_is_a_hard_error(prefix):
    assert check_nik(prefix + "11015203850003").errors == [
        "Dua digit pertama NIK ({}) bukan kode provinsi.".format(prefix)]
    assert check_kk(prefix + "11010101200001").errors == [
        "Dua digit pertama No. KK ({}) bukan kode provinsi.".format(prefix)]


@pytest.mark.parametrize("prefix", ["11", "35", "91", "92", "93", "94", "95", "96"])
def test_current_and_pre_2022_papua_codes_are_provinces(prefix):
    assert check_nik(prefix + "11015203850003").errors == []
    assert check_kk(prefix + "11010101200001").errors == []


def test_province_list_matches_the_bundled_region_file():
    with gzip.open(bundled_regions_path(), "rt", encoding="utf-8") as handle:
        in_file = {line.split(",", 1)[0] for line in handle if len(line.split(",", 1)[0]) == 2}
    assert in_file == set(codes.CURRENT_PROVINCE_CODES)
    assert len(codes.CURRENT_PROVINCE_CODES) == 38


def test_region_code_pattern_takes_ascii_digits_only():
    assert codes.region_level("35.11.01.2001") == 4
    assert codes.region_level("٣٥.١١") is None
    assert codes.region_level("３５") is None


# --- the web form ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("nik", SUPERSCRIPT), ("nik", ARABIC_INDIC), ("nik", FULL_WIDTH), ("nik", "2511015203850003"),
    ("kk_number", ARABIC_INDIC), ("kk_number", "4011010101200002"), ("rt", "٣"), ("rw", "²"), ("rt", "１２"),
])
def test_register_form_refuses_odd_identity_values_at_their_field(client, users, field, value):
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(**{field: value}))
    assert response.status_code == 200
    assert response.context["person_form"].errors[field]
    assert not Person.objects.exists()


def test_register_form_refuses_desil_zero(client, users):
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(dtsen_decile="0"))
    assert response.context["person_form"].errors["dtsen_decile"] == ["Desil DTSEN harus 1 sampai 10."]


def test_adding_a_registration_to_an_existing_person_warns_about_category_criteria(client, users):
    person = register(users["pensosmas"]).person  # Siti Aminah, woman born 1985
    client.force_login(users["pensosmas"])
    url = reverse("ppks:person-detail", kwargs={"pk": person.pk})
    data = {"category": "LUT", "needs": "", "assessed_on": "2026-11-01"}
    first = client.post(url, data)
    assert first.status_code == 200
    assert "Usia 41 tahun di bawah batas kategori LUT (minimal 60 tahun)." in first.content.decode()
    assert person.registrations.count() == 1
    confirmed = client.post(url, {**data, "confirmed": "1"})
    assert confirmed.status_code == 302
    assert person.registrations.count() == 2


def test_disability_category_without_disability_type_warns_on_the_form(client, users):
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(category="PD"))
    assert "Kategori PD: jenis disabilitas belum diisi pada data orang." in response.content.decode()
    assert not Person.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("nik", SUPERSCRIPT), ("nik", ARABIC_INDIC), ("nik", "4011015203850003"), ("kk_number", ARABIC_INDIC),
    ("kk_number", "2511010101200002"), ("rt", "٣"), ("rw", "x1"), ("village", "٣٥.١١.٠١.٢٠٠١"), ("dtsen_decile", 0),
])
def test_api_refuses_odd_identity_values_with_400(api_client, users, field, value):
    api_client.force_authenticate(users["pensosmas"])
    response = api_client.post("/api/v1/registrations/", {"person": {**API_PERSON, field: value}, "category": "FM"},
                               format="json")
    assert response.status_code == 400, response.content
    assert not Person.objects.exists()


def test_api_answers_carry_category_warnings(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    response = api_client.post("/api/v1/registrations/", {"person": API_PERSON, "category": "PRSE",
                                                          "assessed_on": "2026-11-01"}, format="json")
    assert response.status_code == 201
    assert "Kategori PRSE hanya untuk perempuan." in response.json()["warnings"]
    person_id = Person.objects.get().pk
    again = api_client.post("/api/v1/registrations/", {"person_id": person_id, "category": "ABT",
                                                       "assessed_on": "2026-11-01"}, format="json")
    assert again.status_code == 201
    assert again.json()["warnings"] == ["Usia 36 tahun di atas batas kategori ABT (maksimal 5 tahun)."]
    detail = api_client.get("/api/v1/registrations/{}/".format(again.json()["id"])).json()
    assert detail["warnings"] == again.json()["warnings"]


def test_api_does_not_confirm_a_nik_held_outside_the_region(api_client, users):
    holder = register(users["other_regency"], nik="3512010101150002", name="Budi", sex="L",
                      birth_date=datetime.date(2015, 1, 1),
                      village=__import__("villages.models", fromlist=["Village"]).Village.objects.get(
                          code="35.12.01.2001")).person
    api_client.force_authenticate(users["pensosmas"])
    response = api_client.post("/api/v1/registrations/", {"person": {**API_PERSON, "nik": "3512010101150002"},
                                                          "category": "FM"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert any("perlu diperiksa Dinas Sosial" in warning for warning in body["warnings"])
    assert "Budi" not in response.content.decode()
    new_person = Person.objects.exclude(pk=holder.pk).get()
    assert new_person.nik is None
    assert DuplicateCandidate.objects.filter(reason="nik").count() == 1


def test_api_replay_answers_like_the_first_create(api_client, users):
    """An Idempotency-Key replay gives the same warnings: the neutral NIK notice for a person saved without
    a NIK another region holds, and the identity check for an existing person."""
    register(users["other_regency"], nik="3512011505900002", name="Budi", sex="L",
             birth_date=datetime.date(1990, 5, 15),
             village=__import__("villages.models", fromlist=["Village"]).Village.objects.get(code="35.12.01.2001"))
    api_client.force_authenticate(users["pensosmas"])
    payload = {"person": {**API_PERSON, "nik": "3512011505900002"}, "category": "FM"}
    first = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    key = first.request["HTTP_IDEMPOTENCY_KEY"]
    replay = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["warnings"] == first.json()["warnings"]
    assert any("perlu diperiksa Dinas Sosial" in warning for warning in replay.json()["warnings"])
    person_id = Person.objects.get(nik__isnull=True).pk
    payload = {"person_id": person_id, "category": "LUT"}
    key = str(uuid.uuid4())
    created = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    replayed = api_client.post("/api/v1/registrations/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert created.status_code == 201, created.json()
    assert replayed.json()["warnings"] == created.json()["warnings"]


# --- the import --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value", "start"), [
    ("nik", SUPERSCRIPT, "NIK hanya boleh berisi angka 0–9 biasa"),
    ("nik", FULL_WIDTH, "NIK hanya boleh berisi angka 0–9 biasa"),
    ("nik", "2511015203850003", "Dua digit pertama NIK (25) bukan kode provinsi."),
    ("no_kk", ARABIC_INDIC, "No. KK hanya boleh berisi angka 0–9 biasa"),
    ("no_kk", "4011010101200001", "Dua digit pertama No. KK (40) bukan kode provinsi."),
    ("rt", "٣", "RT hanya boleh berisi angka 0–9 biasa"),
    ("desil_dtsen", "²", "Desil DTSEN harus 1 sampai 10."),
    ("kode_desa", "٣٥.١١.٠١.٢٠٠١", "Kode desa hanya boleh berisi angka 0–9 biasa"),
])
def test_import_reports_odd_identity_values_by_line_and_field(users, column, value, start):
    job = run_import(users["regency"], [row(**{column: value})])
    assert job.state == "failed"
    assert [(error["line"], error["field"]) for error in job.errors] == [(2, column)]
    assert job.errors[0]["message"].startswith(start)


def test_import_warns_about_category_criteria_on_every_row(users):
    """The issue's file: a male PRSE, a 46-year-old ABT and a 2-year-old LUT, and a PD without disability."""
    job = run_import(users["regency"], [
        row(nama="Budi Santoso", nik="3511011505900001", jenis_kelamin="L", tanggal_lahir="1990-05-15",
            kategori="PRSE"),
        row(nama="Siti Aminah", nik="3511014101800002", tanggal_lahir="1980-01-01", kategori="ABT"),
        row(nama="Ani", nik="3511014101240003", tanggal_lahir="2024-01-01", kategori="LUT"),
        row(nama="Bambang", nik="3511011712700005", jenis_kelamin="L", tanggal_lahir="1970-12-17", kategori="PD"),
    ])
    assert job.state == "done"
    assert job.created_registrations == 4
    category_warnings = [(warning["line"], warning["message"]) for warning in job.warnings
                         if warning["field"] == "kategori"]
    assert category_warnings == [
        (2, "Kategori PRSE hanya untuk perempuan."),
        (3, "Usia 46 tahun di atas batas kategori ABT (maksimal 5 tahun)."),
        (4, "Usia 2 tahun di bawah batas kategori LUT (minimal 60 tahun)."),
        (5, "Kategori PD: jenis disabilitas belum diisi pada data orang."),
    ]


# --- the database and the pages ------------------------------------------------------------------------------------


def test_database_refuses_a_no_kk_with_other_digits(users):
    person = register(users["pensosmas"]).person
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(kk_number=ARABIC_INDIC)


def test_no_kk_is_masked_on_pages_and_in_the_history(client, users):
    registration = register(users["pensosmas"])
    person = registration.person
    services.person_update(person=person, actor=users["pensosmas"], data={"kk_number": "3511010101209999"},
                           reason="sesuai KK terbaru")
    client.force_login(users["regency"])
    for url in (reverse("ppks:person-detail", kwargs={"pk": person.pk}), registration.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "3511********9999" in page
        assert "3511010101209999" not in page
    values = [entry.changes["kk_number"] for entry in PersonHistory.objects.filter(person_id=person.pk)
              if "kk_number" in entry.changes]
    assert values
    assert all(value["new"] is None or "*" in value["new"] for value in values)
    assert "3511010101209999" not in str(values)
