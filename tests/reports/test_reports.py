import io

import pytest
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AuditEvent
from ppks.models import Registration
from reports import rendering, services
from reports.models import ReferralBatch, ReportJob, ReportPart

pytestmark = pytest.mark.django_db


def pdf_text(job: ReportJob) -> str:
    with job.pdf.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def committed(client_call, *args, **kwargs):
    """Make a request and run what it scheduled with transaction.on_commit, as a real commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client_call(*args, **kwargs)


def preview_and_send(client, user, **params):
    client.force_login(user)
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos", **params})
    assert preview.status_code == 200
    return preview, committed(client.post, reverse("reports:referral"), {"token": preview.context["token"]})


def test_preview_changes_nothing_and_confirmation_sends(client, users, verified):
    # when: preview only
    client.force_login(users["regency"])
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos"})
    # then
    assert preview.context["total"] == 4
    assert not ReferralBatch.objects.exists()
    assert Registration.objects.filter(status="referred").count() == 0
    # when: confirm
    response = committed(client.post, reverse("reports:referral"), {"token": preview.context["token"]})
    # then
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert set(Registration.objects.filter(status="referred").values_list("person__name", flat=True)) == {
        "Siti Aminah", "Budi Santoso", "Ahmad Dahlan", "Wati Lestari"
    }
    assert job.batch.letter_number.startswith("0001/RUJ-PPKS/35.11/")
    assert (job.state, job.row_count) == ("done", 4)
    # a resent confirmation does not send twice
    again = client.post(reverse("reports:referral"), {"token": preview.context["token"]})
    assert again.status_code == 302
    assert ReferralBatch.objects.count() == 1


def test_referral_pdf_text_matches_the_scoped_rows(client, users, verified):
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    with job.pdf.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = pdf_text(job)
    for name in ("SITI AMINAH", "BUDI SANTOSO", "AHMAD DAHLAN", "WATI LESTARI"):
        assert name in text
    assert "ORANG SITUBONDO" not in text
    assert "3511015203850003" in text  # referral letters carry the full NIK
    assert job.batch.letter_number in text
    assert "PEMERINTAH KABUPATEN BONDOWOSO" in text
    assert "Halaman 1 dari {}".format(job.page_count) in text
    assert "Kecamatan Maesan" in text
    assert "Kecamatan Grujugan" in text
    import hashlib

    assert hashlib.sha256(content).hexdigest() == job.sha256


def test_letters_are_indonesian_for_users_browsing_in_english(client, users, verified):
    client.cookies["django_language"] = "en"
    preview_and_send(client, users["regency"])
    text = " ".join(pdf_text(ReportJob.objects.get()).split())
    assert "Rujukan PPKS ke" in text
    assert "Bersama ini kami sampaikan rujukan" in text
    assert "PPKS referral to" not in text


def test_csv_and_xlsx_hold_the_same_rows(client, users, verified):
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    response = client.get(reverse("reports:download", args=[job.pk]), {"format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Nama,NIK,No. KK")
    assert [line.split(",")[0] for line in lines[1:]] == ["Siti Aminah", "Budi Santoso", "Wati Lestari", "Ahmad Dahlan"]
    from openpyxl import load_workbook

    xlsx = client.get(reverse("reports:download", args=[job.pk]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Siti Aminah", "Budi Santoso", "Wati Lestari", "Ahmad Dahlan"
    ]


def test_kabupaten_user_cannot_report_on_another_kabupaten(client, users, verified):
    from django.core.exceptions import PermissionDenied

    from ppks.models import Directorate

    with pytest.raises(PermissionDenied):
        services.report_request(actor=users["regency"], region_code="35.12",
                                directorate=Directorate.objects.get(code="dayasos"))
    client.force_login(users["regency"])
    response = client.post(reverse("reports:request"), {"region_code": "35.12", "directorate": "dayasos"})
    assert response.context["form"].errors["region_code"] == ["Wilayah 35.12 di luar wilayah kerja Anda."]
    assert not ReportJob.objects.exists()
    assert client.get(reverse("reports:referral"), {"region_code": "35.12", "directorate": "dayasos"}).context[
        "form"].errors["region_code"] == ["Wilayah 35.12 di luar wilayah kerja Anda."]


def test_other_kabupaten_cannot_see_or_download_the_job(client, users, verified):
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    client.force_login(users["other_regency"])
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404
    client.force_login(users["pensosmas"])
    assert client.get(reverse("reports:list")).status_code == 403
    client.force_login(users["analyst"])
    assert client.get(job.get_absolute_url()).status_code == 200


def test_summary_report_masks_nik_and_follows_the_requester_scope(client, users, verified):
    preview_and_send(client, users["regency"])
    preview_and_send(client, users["other_regency"])
    client.force_login(users["province"])
    response = committed(client.post, reverse("reports:request"), {"directorate": "dayasos", "region_code": ""})
    job = ReportJob.objects.get(kind="referral_summary")
    assert response.url == job.get_absolute_url()
    assert job.region_code == "35"
    assert job.row_count == 5
    text = pdf_text(job)
    assert "3511015203850003" not in text
    assert "3511********0003" in text
    assert "ORANG SITUBONDO" in text


def test_failed_job_shows_its_error_and_can_be_retried(client, users, verified, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    original = rendering.render_pdf

    def broken(template, context):
        raise RuntimeError("font hilang")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    assert job.state == "failed"
    assert job.error == "RuntimeError: font hilang"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "RuntimeError: font hilang" in page
    monkeypatch.setattr(rendering, "render_pdf", original)
    committed(client.post, reverse("reports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.state, job.error) == ("done", "")
    assert job.attempts == 2
    assert AuditEvent.objects.filter(action="reports.retry").count() == 1


def test_redelivered_tasks_never_make_a_second_file(client, users, verified):
    from reports.tasks import report_generate, report_merge

    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    first_name, first_sha = job.pdf.name, job.sha256
    assert report_generate.apply(args=[str(job.pk)]).get() == "done"
    report_merge.apply(args=[str(job.pk)]).get()
    job.refresh_from_db()
    assert (job.pdf.name, job.sha256) == (first_name, first_sha)
    assert AuditEvent.objects.filter(action="reports.generated").count() == 1


def test_large_reports_are_split_by_kecamatan_and_merged(client, users, verified, settings):
    settings.REPORT_PART_ROWS = 2
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    parts = list(ReportPart.objects.filter(job=job))
    assert [part.district_codes for part in parts] == [["35.11.01"], ["35.11.02"]]
    assert all(part.state == "done" for part in parts)
    assert job.page_count == 1 + sum(part.page_count for part in parts)
    text = pdf_text(job)
    assert text.index("SITI AMINAH") < text.index("AHMAD DAHLAN")
    assert "4. " in text


def test_download_and_verification_are_audited(client, users, verified):
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    client.get(reverse("reports:download", args=[job.pk]), {"format": "pdf"})
    assert AuditEvent.objects.filter(action="reports.download", detail__format="pdf").count() == 1
    client.logout()
    verify_url = reverse("reports:verify", args=[job.pk])
    page = client.get(verify_url)
    assert "Berkas tersimpan cocok dengan sidik SHA-256." in page.content.decode()
    with job.pdf.open("rb") as handle:
        genuine = handle.read()
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(verify_url, {"document": SimpleUploadedFile("surat.pdf", genuine, "application/pdf")})
    assert "ASLI" in ok.content.decode()
    forged = client.post(verify_url, {"document": SimpleUploadedFile("surat.pdf", genuine + b"%", "application/pdf")})
    assert "TIDAK COCOK" in forged.content.decode()
    assert AuditEvent.objects.filter(action="reports.verify").count() == 3


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest", "https://example.org/x.png"])
def test_pdf_renderer_blocks_files_and_network(url):
    with pytest.raises(rendering.BlockedURLError):
        rendering.data_only_url_fetcher().fetch(url)
    pdf = rendering.html_to_pdf('<p>ok</p><img src="{}">'.format(url))
    assert pdf.startswith(b"%PDF")
    assert rendering.data_only_url_fetcher().fetch("data:text/plain;base64,b2s=") is not None


def test_status_endpoint(client, users, verified):
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    body = client.get(reverse("reports:status", args=[job.pk])).json()
    assert body["state"] == "done"
    assert body["progress"] == 100


def test_village_profile_report(client, users, verified):
    """"Latest assessment" in the PDF is the latest validated one, with its date; a submitted one is only mentioned."""
    from dimensions import services as dimension_services
    from tests.dimensions.conftest import example_answers
    from villages.models import Village

    village = Village.objects.get(code="35.11.01.2001")
    assessment = dimension_services.assessment_create(actor=users["pensosmas"], village=village, year=2026,
                                                      phase="baseline")
    dimension_services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=[
        {"name": "A", "institution": "PKK", "answers": example_answers("r1")},
        {"name": "B", "institution": "LKS", "answers": example_answers("r2")}])
    assessment = dimension_services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    client.force_login(users["regency"])
    response = committed(client.post, reverse("reports:village-profile", args=["35.11.01.2001"]))
    job = ReportJob.objects.get(kind="village_profile")
    assert response.url == job.get_absolute_url()
    assert job.state == "done", job.error
    text = " ".join(pdf_text(job).split())
    assert "PROFIL DESA BERKETAHANAN SOSIAL" in text
    assert "Sucolor" in text
    assert "Belum ada asesmen yang divalidasi Dinas Sosial." in text
    # v0.2 scores 1.1, 1.2 and 2.1 from Sucolor's records (one verified PPKS, none served, no pillars).
    assert "Baseline (Look) 2026 berstatus diajukan (indeks sementara 0,3750)" in text  # Indonesian decimal comma
    dimension_services.assessment_validate(assessment=assessment, actor=users["regency"])
    committed(client.post, reverse("reports:village-profile", args=["35.11.01.2001"]))
    text = " ".join(pdf_text(ReportJob.objects.filter(kind="village_profile").latest("created_at")).split())
    assert "Asesmen tervalidasi terakhir: Baseline (Look) 2026, divalidasi" in text
    assert "0,3750" in text
    assert "Rendah" in text
    assert "berstatus diajukan" not in text
    client.force_login(users["other_regency"])
    assert client.post(reverse("reports:village-profile", args=["35.11.01.2001"])).status_code == 404
    client.force_login(users["pensosmas"])
    assert client.post(reverse("reports:village-profile", args=["35.11.01.2001"])).status_code == 403
