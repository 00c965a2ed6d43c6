import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from dimensions import services
from dimensions.models import Answer, Assessment, Respondent
from tests.dimensions.conftest import example_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_key", "visible"),
    [("analyst", True), ("province", True), ("regency", True), ("pensosmas", True), ("other_regency", False),
     ("no_role", False)],
)
def test_list_and_detail_are_scoped(client, users, make_assessment, user_key, visible):
    assessment = make_assessment(submit=True)
    client.force_login(users[user_key])
    listed = [item.pk for item in client.get(reverse("dimensions:list")).context["page"]]
    assert listed == ([assessment.pk] if visible else [])
    assert client.get(assessment.get_absolute_url()).status_code == (200 if visible else 404)


def test_detail_shows_scores_and_an_svg_chart(client, users, make_assessment):
    assessment = make_assessment(submit=True)
    client.force_login(users["regency"])
    content = client.get(assessment.get_absolute_url()).content.decode()
    assert "0.4125" in content or "0,4125" in content
    assert "<svg" in content
    assert "titik lemah" in content


def test_pensosmas_fills_the_survey_on_the_form(client, users, make_assessment):
    assessment = make_assessment(answered=False)
    respondent = Respondent.objects.create(assessment=assessment, name="Ibu Siti", institution="PKK")
    client.force_login(users["pensosmas"])
    url = reverse("dimensions:survey", args=[assessment.pk, respondent.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "1.1 Kemutakhiran daftar PPKS" in page.content.decode()
    response = client.post(url, {"1.1": "4", "2.3": "5"})
    assert response.status_code == 302
    assert set(Answer.objects.values_list("indicator__code", "value")) == {("1.1", 4), ("2.3", 5)}
    bad = client.post(url, {"1.1": "9"})
    assert bad.status_code == 200
    assert Answer.objects.get(indicator__code="1.1").value == 4


def test_workflow_buttons(client, users, make_assessment):
    assessment = make_assessment()
    client.force_login(users["pensosmas"])
    client.post(reverse("dimensions:transition", args=[assessment.pk, "submit"]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    client.post(reverse("dimensions:transition", args=[assessment.pk, "validate"]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"  # a Pensosmas cannot validate
    client.force_login(users["regency"])
    client.post(reverse("dimensions:transition", args=[assessment.pk, "validate"]))
    assessment.refresh_from_db()
    assert assessment.status == "validated"


def csv_upload(rows: list[list[str]]) -> SimpleUploadedFile:
    codes = list(example_answers("r1"))
    lines = [",".join(["responden", "lembaga", "jabatan", "jenis_kelamin", *codes])]
    lines += [",".join(row) for row in rows]
    return SimpleUploadedFile("jawaban.csv", "\n".join(lines).encode("utf-8"), content_type="text/csv")


def test_import_answers_reports_lines_and_replaces_without_duplicates(client, users, make_assessment):
    assessment = make_assessment(answered=False)
    client.force_login(users["pensosmas"])
    url = reverse("dimensions:import", args=[assessment.pk])
    values = [str(value) for value in example_answers("r1").values()]
    bad_values = ["7", *values[1:-1], ""]
    response = client.post(url, {"file": csv_upload([["Ibu Siti", "PKK", "Ketua", "P", *values],
                                                      ["Pak Darmo", "LKS", "", "L", *bad_values]])})
    assert response.context["errors"] == ["Baris 3, kolom 1.1: nilai 7 di luar skala 1–5.",
                                          "Baris 3, kolom 4.5: nilai kosong."]
    response = client.post(url, {"file": csv_upload([["Pak Darmo", "", "", "L", "3.5", *values[1:]]])})
    assert response.context["errors"] == ["Baris 2, kolom lembaga: lembaga kosong.",
                                          "Baris 2, kolom 1.1: nilai 3.5 di luar skala 1–5."]
    assert not Answer.objects.exists()
    good = [["Ibu Siti", "PKK", "Ketua", "P", *values], ["Pak Darmo", "LKS", "", "L", *values]]
    assert client.post(url, {"file": csv_upload(good)}).status_code == 302
    assert client.post(url, {"file": csv_upload(good)}).status_code == 302
    assert Respondent.objects.count() == 2
    assert Answer.objects.count() == 40
    template = client.get(url, {"template": "csv"})
    assert template.content.decode("utf-8-sig").startswith("responden,lembaga,jabatan,jenis_kelamin,1.1,")


def test_village_history_chart_compares_the_latest_validated_baseline_and_endline(client, users, make_assessment):
    services.assessment_validate(assessment=make_assessment(submit=True), actor=users["regency"])
    endline = make_assessment(submit=True, phase="endline")
    client.force_login(users["regency"])
    page = client.get(reverse("dimensions:village-history", args=["35.11.01.2001"]))
    assert "Endline (evaluasi) 2026" not in page.context["chart"]  # submitted only: listed, not charted
    assert "Diajukan" in page.content.decode()
    services.assessment_validate(assessment=endline, actor=users["regency"])
    content = client.get(reverse("dimensions:village-history", args=["35.11.01.2001"])).content.decode()
    assert "Baseline (Look) 2026" in content
    assert "Endline (evaluasi) 2026" in content
    assert content.count("<rect") >= 8


def test_mapping_lists_latest_validated_and_exports_csv(client, users, make_assessment):
    first = make_assessment(submit=True)
    services.assessment_validate(assessment=first, actor=users["regency"])
    other = make_assessment(submit=True, village="35.11.01.2002", actor="regency")
    services.assessment_validate(assessment=other, actor=users["regency"])
    make_assessment(submit=True, village="35.12.01.2001", actor="other_regency")  # not validated
    client.force_login(users["regency"])
    rows = client.get(reverse("dimensions:mapping")).context["rows"]
    assert [assessment.village.code for assessment, _scores in rows] == ["35.11.01.2001", "35.11.01.2002"]
    export = client.get(reverse("dimensions:mapping"), {"format": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Kode desa,Desa,Kecamatan,Tahun,Tahap,Indeks,Kategori,Dimensi terlemah,D1,D2,D3,D4"
    assert lines[1] == "35.11.01.2001,Sucolor,Maesan,2026,Baseline (Look),0.4125,Rendah,D3,0.7500,0.5000,0.0000,0.4000"
    assert len(lines) == 3
    assert AuditEvent.objects.filter(action="dimensions.mapping.export").count() == 1


def api_payload(key: str, **overrides) -> dict:
    payload = {
        "client_uuid": key, "village": "35.11.01.2001", "year": 2026, "phase": "baseline",
        "respondents": [{"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")},
                        {"name": "Pak Darmo", "institution": "LKS", "answers": example_answers("r2")}],
    }
    payload.update(overrides)
    return payload


def test_api_submit_is_idempotent_with_the_client_uuid(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    key = str(uuid.uuid4())
    first = api_client.post("/api/v1/assessments/", api_payload(key), format="json")
    again = api_client.post("/api/v1/assessments/", api_payload(key), format="json")
    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Assessment.objects.count() == 1
    body = first.json()
    # IKSM-Desa v0.2 scores 1.1 and 2.1 from Sucolor's records (no PPKS list, no PSKS: both 1); 1.2 cannot be
    # computed without registered PPKS, so the respondents' mean (4) counts: D1 = (1+4+4+4+4-5)/20 = 0.6.
    assert (body["instrument"], body["status"], body["overall_index"], body["band"], body["weakest_dimension"]) == (
        "IKSM-Desa v0.2", "submitted", "0.3750", "rendah", "D3")
    assert [score["score"] for score in body["scores"]] == ["0.6000", "0.5000", "0.0000", "0.4000"]
    assert [(value["indicator"], value["score"], value["used_for_score"]) for value in body["record_values"]] == [
        ("1.1", 1, True), ("1.2", None, False), ("2.1", 1, True)]


def test_api_refuses_bad_answers_and_out_of_scope(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    payload = api_payload(str(uuid.uuid4()))
    payload["respondents"][0]["answers"]["3.2"] = 0
    response = api_client.post("/api/v1/assessments/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Indikator 3.2, responden Ibu Siti: nilai '0' di luar skala 1–5."]}
    assert not Assessment.objects.exists()
    outside = api_payload(str(uuid.uuid4()), village="35.12.01.2001")
    assert api_client.post("/api/v1/assessments/", outside, format="json").status_code == 403


def test_api_list_is_scoped_and_actions_work(api_client, users, make_assessment):
    assessment = make_assessment(submit=True)
    api_client.force_authenticate(users["other_regency"])
    assert api_client.get("/api/v1/assessments/").json()["results"] == []
    api_client.force_authenticate(users["regency"])
    assert [row["id"] for row in api_client.get("/api/v1/assessments/", {"band": "rendah"}).json()["results"]] == [
        assessment.pk]
    returned = api_client.post("/api/v1/assessments/{}/return/".format(assessment.pk), {"reason": "Cek"},
                               format="json")
    assert returned.json()["status"] == "returned"


def test_list_page_query_count_is_fixed(client, users, make_assessment, django_assert_max_num_queries):
    make_assessment(submit=True)
    client.force_login(users["analyst"])
    with django_assert_max_num_queries(10):
        client.get(reverse("dimensions:list"))
    make_assessment(submit=True, village="35.11.01.2002", actor="regency")
    make_assessment(submit=True, village="35.11.02.2001", actor="regency")
    with django_assert_max_num_queries(10):
        client.get(reverse("dimensions:list"))
