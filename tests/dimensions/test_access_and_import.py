"""Who may edit an assessment, scoping of every read path, spreadsheet import edge cases, API replays."""

import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from dimensions import imports, services
from dimensions.api.views import AssessmentViewSet
from dimensions.models import Answer, Assessment, Respondent
from tests.conftest import make_user
from tests.dimensions.conftest import example_answers

pytestmark = pytest.mark.django_db

ROWS = [{"name": "Ibu Siti", "institution": "PKK", "answers": {"1.1": 3}}]


@pytest.fixture
def colleague(users):
    """A second Pensosmas assigned to the same village as ``users['pensosmas']``."""
    return make_user("pensosmas2", "pensosmas", villages=["35.11.01.2001"])


def write_attempts(assessment, actor):
    """Every edit a user might try on an assessment; each must be refused the same way."""
    respondent = assessment.respondents.first()
    return {
        "respondent_save": lambda: services.respondent_save(assessment=assessment, actor=actor, name="X",
                                                            institution="Y"),
        "answers_save": lambda: services.answers_save(assessment=assessment, actor=actor, respondent=respondent,
                                                      values={"1.1": "1"}),
        "answers_replace": lambda: services.answers_replace(assessment=assessment, actor=actor, rows=ROWS),
        "assessment_submit": lambda: services.assessment_submit(assessment=assessment, actor=actor),
    }


@pytest.mark.parametrize("attempt", ["respondent_save", "answers_save", "answers_replace", "assessment_submit"])
@pytest.mark.parametrize("user_key", ["analyst", "colleague", "other_regency", "no_role"])
def test_only_the_assessor_or_dinsos_in_scope_may_edit(make_assessment, users, colleague, user_key, attempt):
    # given
    assessment = make_assessment()
    actor = colleague if user_key == "colleague" else users[user_key]
    before = sorted(Answer.objects.values_list("respondent__name", "indicator__code", "value"))
    # when / then
    with pytest.raises(PermissionDenied):
        write_attempts(assessment, actor)[attempt]()
    assert sorted(Answer.objects.values_list("respondent__name", "indicator__code", "value")) == before
    assert Respondent.objects.count() == 2
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT


@pytest.mark.parametrize("user_key", ["pensosmas", "regency", "province", "admin"])
def test_assessor_and_dinsos_in_scope_edit_and_submit(make_assessment, users, user_key):
    assessment = make_assessment()
    respondent = assessment.respondents.get(name="Ibu Siti")
    assert services.answers_save(assessment=assessment, actor=users[user_key], respondent=respondent,
                                 values={"1.1": "4"}) == 1
    assert services.assessment_submit(assessment=assessment, actor=users[user_key]).status == "submitted"
    assert services.can_edit(users[user_key], assessment)


def test_analyst_sees_a_read_only_assessment(client, users, make_assessment):
    assessment = make_assessment()
    respondent = assessment.respondents.first()
    client.force_login(users["analyst"])
    detail = client.get(assessment.get_absolute_url())
    assert detail.context["can_edit"] is False
    assert "Tambah responden" not in detail.content.decode()
    survey_url = reverse("dimensions:survey", args=[assessment.pk, respondent.pk])
    assert client.get(survey_url).context["readonly"] is True
    assert client.post(survey_url, {"1.1": "1"}).status_code == 403
    assert client.get(reverse("dimensions:import", args=[assessment.pk])).status_code == 403
    assert client.post(assessment.get_absolute_url(), {"name": "X", "institution": "Y"}).status_code == 403
    assert Respondent.objects.filter(assessment=assessment).count() == 2


def test_validated_assessment_refuses_every_write_even_to_dinsos(make_assessment, users):
    assessment = make_assessment(submit=True)
    assessment = services.assessment_validate(assessment=assessment, actor=users["province"])
    for attempt in write_attempts(assessment, users["regency"]).values():
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == ["Asesmen berstatus 'Divalidasi' tidak dapat diubah."]
    scores = list(assessment.scores.values_list("dimension__code", "score"))
    assert scores == [("D1", Decimal("0.7500")), ("D2", Decimal("0.5000")), ("D3", Decimal("0.0000")),
                      ("D4", Decimal("0.4000"))]


# Spreadsheet import ---------------------------------------------------------------------------------------------


def xlsx_upload(rows: list[list], name: str = "kobo.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_xlsx_from_kobo_with_extra_columns_is_imported(client, users, make_assessment):
    # given: a Kobo export with metadata columns and numbers stored as numbers
    assessment = make_assessment(answered=False)
    codes = list(example_answers("r1"))
    header = ["start", "responden", "lembaga", "jenis_kelamin", *codes, "_uuid"]
    rows = [header,
            ["2026-03-01", "Ibu Siti", "PKK", "p", *example_answers("r1").values(), "a1"],
            [None] * len(header),
            ["2026-03-01", "Pak Darmo", "Karang Taruna", "L", *example_answers("r2").values(), "a2"]]
    client.force_login(users["pensosmas"])
    # when
    response = client.post(reverse("dimensions:import", args=[assessment.pk]), {"file": xlsx_upload(rows)})
    # then
    assert response.status_code == 302
    assert list(Respondent.objects.values_list("name", "sex")) == [("Ibu Siti", "P"), ("Pak Darmo", "L")]
    assessment = services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    assert str(assessment.overall_index) == "0.4125"
    assert AuditEvent.objects.filter(action="dimensions.answers.replace").count() == 1


def test_xlsx_errors_name_line_and_column(make_assessment, users):
    assessment = make_assessment(answered=False)
    codes = list(example_answers("r1"))
    values = list(example_answers("r1").values())
    upload = xlsx_upload([["responden", "lembaga", *codes], ["Ibu Siti", "PKK", 6, *values[1:]]])
    rows = imports.read_rows(upload, codes)
    with pytest.raises(ValidationError) as error:
        services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=rows)
    assert error.value.messages == ["Baris 2, kolom 1.1: nilai 6 di luar skala 1–5."]
    assert not Respondent.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("jawaban.txt", b"responden,lembaga\n", "Format berkas harus CSV atau XLSX."),
     ("jawaban.csv", b"", "Berkas kosong."),
     ("jawaban.csv", b"responden,lembaga,1.1\nIbu,PKK,3\n", "Kolom wajib tidak ada: 1.2."),
     ("jawaban.csv", b"responden,lembaga,1.1,1.2\n,,,\n", "Berkas tidak berisi baris jawaban."),
     ("jawaban.csv", "responden,lembaga,1.1,1.2\n".encode("utf-16"), "Berkas CSV harus berenkode UTF-8.")],
    ids=["not_spreadsheet", "empty", "missing_column", "no_rows", "not_utf8"],
)
def test_bad_files_are_refused_with_a_message(name, content, message):
    with pytest.raises(ValidationError) as error:
        imports.read_rows(SimpleUploadedFile(name, content), ["1.1", "1.2"])
    assert error.value.messages == [message]


def test_files_over_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 10)
    with pytest.raises(ValidationError) as error:
        imports.read_rows(SimpleUploadedFile("jawaban.csv", b"responden,lembaga,1.1\n"), ["1.1"])
    assert error.value.messages == ["Berkas lebih dari 5 MB."]


def test_semicolon_csv_from_spreadsheet_software_is_read():
    upload = SimpleUploadedFile("jawaban.csv", "\ufeffresponden;lembaga;1.1\nIbu Siti;PKK;4\n".encode())
    assert imports.read_rows(upload, ["1.1"]) == [
        {"name": "Ibu Siti", "institution": "PKK", "position": "", "sex": "", "answers": {"1.1": "4"}, "line": 2}]


# Scoping of every read path ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_key", "visible"),
    [("admin", True), ("analyst", True), ("province", True), ("regency", True), ("pensosmas", True),
     ("other_regency", False), ("regency_without_code", False), ("pensosmas_without_villages", False),
     ("no_role", False)],
)
def test_api_history_mapping_and_export_are_scoped(client, api_client, users, make_assessment, user_key, visible):
    # given: one validated assessment in Sucolor (35.11.01.2001)
    assessment = make_assessment(submit=True)
    services.assessment_validate(assessment=assessment, actor=users["regency"])
    user = users[user_key]
    api_client.force_authenticate(user)
    client.force_login(user)
    # then
    listed = [row["id"] for row in api_client.get("/api/v1/assessments/").json()["results"]]
    assert listed == ([assessment.pk] if visible else [])
    detail = api_client.get("/api/v1/assessments/{}/".format(assessment.pk))
    assert detail.status_code == (200 if visible else 404)
    history = client.get(reverse("dimensions:village-history", args=["35.11.01.2001"]))
    assert history.status_code == (200 if visible else 404)
    mapped = [row[0].pk for row in client.get(reverse("dimensions:mapping")).context["rows"]]
    assert mapped == ([assessment.pk] if visible else [])
    export = client.get(reverse("dimensions:mapping"), {"format": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == (2 if visible else 1)
    assert AuditEvent.objects.filter(action="dimensions.mapping.export", actor=user).count() == 1


def test_mapping_filters_by_region_band_and_weakest_dimension(client, users, make_assessment):
    first = make_assessment(submit=True)
    services.assessment_validate(assessment=first, actor=users["regency"])
    client.force_login(users["province"])
    url = reverse("dimensions:mapping")

    def villages(**params):
        return [row[0].village.code for row in client.get(url, params).context["rows"]]

    assert villages(region="35.11.01") == ["35.11.01.2001"]
    assert villages(region="35.12") == []
    assert villages(band="rendah", weakest="3") == ["35.11.01.2001"]
    assert villages(weakest="1") == []
    assert villages(band="tinggi") == []


def test_mapping_shows_only_the_latest_validated_assessment(client, users, make_assessment):
    baseline = make_assessment(submit=True, year=2025)
    services.assessment_validate(assessment=baseline, actor=users["regency"])
    endline = make_assessment(submit=True, year=2026, phase="endline")
    services.assessment_validate(assessment=endline, actor=users["regency"])
    make_assessment(submit=True, year=2027)  # submitted, not validated: not on the map
    client.force_login(users["regency"])
    rows = client.get(reverse("dimensions:mapping")).context["rows"]
    assert [(row[0].pk, row[0].year) for row in rows] == [(endline.pk, 2026)]


def test_mapping_takes_the_later_validation_within_a_year(client, users, make_assessment):
    first = make_assessment(submit=True, year=2026)
    services.assessment_validate(assessment=first, actor=users["regency"])
    second = make_assessment(submit=True, year=2026, phase="monitoring")
    services.assessment_validate(assessment=second, actor=users["regency"])
    client.force_login(users["regency"])
    rows = client.get(reverse("dimensions:mapping")).context["rows"]
    assert [row[0].pk for row in rows] == [second.pk]
    second.refresh_from_db()
    assert second.validated_at is not None
    Assessment.objects.filter(pk=first.pk).update(validated_at=second.validated_at)
    rows = client.get(reverse("dimensions:mapping")).context["rows"]
    assert [row[0].pk for row in rows] == [max(first.pk, second.pk)], "a tie is broken by id, one row per village"


def test_mapping_and_api_query_counts_do_not_grow_with_rows(client, api_client, users, make_assessment,
                                                            django_assert_max_num_queries):
    def add(village):
        assessment = make_assessment(submit=True, village=village, actor="regency")
        services.assessment_validate(assessment=assessment, actor=users["regency"])

    add("35.11.01.2001")
    client.force_login(users["analyst"])
    api_client.force_authenticate(users["analyst"])
    with django_assert_max_num_queries(10):
        client.get(reverse("dimensions:mapping"))
    with django_assert_max_num_queries(8):
        api_client.get("/api/v1/assessments/")
    add("35.11.01.2002")
    add("35.11.02.2001")
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("dimensions:mapping")).context["rows"]) == 3
    with django_assert_max_num_queries(8):
        assert len(api_client.get("/api/v1/assessments/").json()["results"]) == 3


# API replays ---------------------------------------------------------------------------------------------------


def payload(key: str) -> dict:
    return {"client_uuid": key, "village": "35.11.01.2001", "year": 2026, "phase": "baseline",
            "respondents": [{"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")}]}


def test_api_resend_of_another_users_uuid_is_refused(api_client, users, colleague):
    key = str(uuid.uuid4())
    api_client.force_authenticate(users["pensosmas"])
    assert api_client.post("/api/v1/assessments/", payload(key), format="json").status_code == 201
    api_client.force_authenticate(colleague)
    response = api_client.post("/api/v1/assessments/", payload(key), format="json")
    assert response.status_code == 400
    assert response.json() == {"client_uuid": ["ID klien ini sudah dipakai pengguna lain."]}
    assert Assessment.objects.count() == 1


def test_api_concurrent_resend_returns_the_first_assessment(api_client, users, monkeypatch):
    # given: the first request is stored, but the second one checked for a replay before that happened
    key = str(uuid.uuid4())
    api_client.force_authenticate(users["pensosmas"])
    first = api_client.post("/api/v1/assessments/", payload(key), format="json").json()
    real_replay, calls = AssessmentViewSet._replay, []

    def late_replay(self, client_uuid):
        calls.append(client_uuid)
        return None if len(calls) == 1 else real_replay(self, client_uuid)

    monkeypatch.setattr(AssessmentViewSet, "_replay", late_replay)
    instrument_id = Assessment.objects.get().instrument_id

    def racing_create(**kwargs):  # the insert the database refuses: the UUID is already taken
        return Assessment.objects.create(village_id=kwargs["village"].code, instrument_id=instrument_id, year=2027,
                                         phase="baseline", assessor=kwargs["actor"], client_uuid=kwargs["client_uuid"])

    monkeypatch.setattr(services, "assessment_create", racing_create)
    # when
    response = api_client.post("/api/v1/assessments/", payload(key), format="json")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert Assessment.objects.count() == 1


def test_api_submit_action_lists_missing_answers(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    body = payload(str(uuid.uuid4()))
    del body["respondents"][0]["answers"]["2.2"]
    body["submit"] = False
    created = api_client.post("/api/v1/assessments/", body, format="json").json()
    assert created["status"] == "draft"
    response = api_client.post("/api/v1/assessments/{}/submit/".format(created["id"]))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Responden Ibu Siti belum menjawab indikator 2.2."]}
    api_client.force_authenticate(users["analyst"])
    assert api_client.post("/api/v1/assessments/{}/submit/".format(created["id"])).status_code == 403
