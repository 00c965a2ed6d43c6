import io

import pytest
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AuditEvent
from ppks.models import ReferralBatch, Registration
from reports import rendering, services
from reports.models import ReportJob, ReportPart

pytestmark = pytest.mark.django_db


def pdf_text(job: ReportJob) -> str:
    with job.pdf.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def committed(client_call, *args, **kwargs):
    """Make a request and run what it scheduled with transaction.on_commit, as a real commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client_call(*args, **kwargs)


def confirmation(preview) -> dict:
    """What the preview's confirm form sends when the user keeps its choices (the office head signs)."""
    form = preview.context["confirm_form"]
    return {"token": preview.context["token"], "signatory": form.fields["signatory"].queryset.first().pk,
            "copies_to": form.initial.get("copies_to", "")}


def preview_and_send(client, user, **params):
    client.force_login(user)
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos", **params})
    assert preview.status_code == 200
    return preview, committed(client.post, reverse("reports:referral"), confirmation(preview))


def test_preview_changes_nothing_and_confirmation_sends(client, users, verified):
    # when: preview only
    client.force_login(users["regency"])
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos"})
    # then
    assert preview.context["total"] == 4
    assert not ReferralBatch.objects.exists()
    assert Registration.objects.filter(status="referred").count() == 0
    # when: confirm
    response = committed(client.post, reverse("reports:referral"), confirmation(preview))
    # then
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert set(Registration.objects.filter(status="referred").values_list("person__name", flat=True)) == {
        "Siti Aminah", "Budi Santoso", "Ahmad Dahlan", "Wati Lestari"
    }
    assert job.batch.letter_number.startswith("400.9/0001/DINSOS/")
    assert (job.state, job.row_count) == ("done", 4)
    # a resent confirmation does not send twice
    again = client.post(reverse("reports:referral"), confirmation(preview))
    assert again.status_code == 302
    assert ReferralBatch.objects.count() == 1


def test_preview_lets_staff_drop_people_before_sending(client, users, verified):
    client.force_login(users["regency"])
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos"})
    page = preview.content.decode()
    dropped = next(registration for registration in verified if registration.person.name == "Budi Santoso")
    assert 'name="exclude" value="{}"'.format(dropped.pk) in page
    # an id outside the preview (Situbondo) in "exclude" is ignored, not an error
    outside = next(registration for registration in verified if registration.person.name == "Orang Situbondo")
    response = committed(client.post, reverse("reports:referral"),
                         {**confirmation(preview), "exclude": [dropped.pk, outside.pk]})
    job = ReportJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert set(Registration.objects.filter(status="referred").values_list("person__name", flat=True)) == {
        "Siti Aminah", "Ahmad Dahlan", "Wati Lestari"}
    dropped.refresh_from_db()
    assert dropped.status == "verified"
    assert (job.row_count, job.parameters["excluded"]) == (3, 1)


def test_dropping_everyone_sends_nothing(client, users, verified):
    client.force_login(users["regency"])
    preview = client.get(reverse("reports:referral"), {"directorate": "dayasos"})
    ids = [registration.pk for registration in preview.context["sample"]]
    response = client.post(reverse("reports:referral"), {**confirmation(preview), "exclude": ids})
    assert response.status_code == 302
    assert not ReferralBatch.objects.exists()


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
    assert "Hal : Rujukan Pemerlu Pelayanan Kesejahteraan Sosial (PPKS)" in text
    assert "bersama ini kami sampaikan rujukan 4 (empat) orang PPKS" in text
    assert "Sifat : Rahasia" in text
    assert "referral" not in text.lower()


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
    assert (job.state, job.retryable) == ("failed", True)
    assert job.error == ("Laporan gagal dibuat karena gangguan sistem (RuntimeError). Coba ulangi; bila gagal lagi, "
                         "hubungi administrator.")
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.error in page
    assert "font hilang" not in page  # the technical detail goes to the log, not to the user
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
    assert all(part.state == "stamped" for part in parts)  # rendered, then numbered each on its own
    assert job.page_count == 2 + sum(part.page_count for part in parts)  # the letter and Lampiran I, then the parts
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
    assert AuditEvent.objects.filter(action="reports.verify").count() == 2, "uploads are audited, visits are not"


def test_opening_the_verification_page_again_neither_hashes_nor_audits_again(client, users, verified, monkeypatch):
    """Issue 15, item 12: each GET hashed the PDF and wrote an audit row, without any limit."""
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    client.logout()
    hashed = []
    original = services.stored_sha256
    monkeypatch.setattr(services, "stored_sha256", lambda fieldfile: hashed.append(1) or original(fieldfile))
    for _visit in range(5):
        page = client.get(reverse("reports:verify", args=[job.pk]))
        assert "Berkas tersimpan cocok dengan sidik SHA-256." in page.content.decode()
    assert len(hashed) == 1
    assert not AuditEvent.objects.filter(action="reports.verify").exists()


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


def test_merge_keeps_the_parts_until_it_commits(users, verified, settings, django_capture_on_commit_callbacks):
    """A merge whose transaction fails (say, at commit) leaves the rendered parts for the retry (issue 15, 10a)."""
    from django.db import transaction

    from ppks.models import Directorate

    settings.REPORT_PART_ROWS = 2
    job = services.referral_send(actor=users["regency"], region_code="35.11",
                                 directorate=Directorate.objects.get(code="dayasos"),
                                 registration_ids=[registration.pk for registration in verified[:4]])
    assert services.report_generate(job_id=job.pk) == "parts"
    parts = list(job.parts.order_by("index"))
    for part in parts:
        services.report_render_part(part_id=part.pk)
    def merge_then_fail():
        with transaction.atomic():
            services.report_merge(job_id=job.pk)
            raise RuntimeError("commit gagal")

    with pytest.raises(RuntimeError):
        merge_then_fail()
    for part in parts:
        part.refresh_from_db()
        assert part.pdf
        assert part.pdf.storage.exists(part.pdf.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_merge(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done"
    for part in parts:
        name = part.pdf.name
        part.refresh_from_db()
        assert not part.pdf
        assert not part.pdf.storage.exists(name)


# Jobs that always finish (issue 15, item 10) ----------------------------------------------------------------------


def test_the_watchdog_runs_stalled_jobs_again_from_what_is_done(client, users, verified, settings,
                                                               django_capture_on_commit_callbacks):
    """A job whose chord was lost (parts done, merge never ran) is merged by the watchdog; the user may retry too."""
    import datetime

    from django.utils import timezone

    from ppks.models import Directorate

    settings.REPORT_PART_ROWS = 2
    job = services.referral_send(actor=users["regency"], region_code="35.11",
                                 directorate=Directorate.objects.get(code="dayasos"),
                                 registration_ids=[registration.pk for registration in verified[:4]])
    assert services.report_generate(job_id=job.pk) == "parts"
    for part in job.parts.all():
        services.report_render_part(part_id=part.pk)  # ...and then Redis lost the chord: no merge
    job.refresh_from_db()
    assert (job.state, job.is_stalled) == ("running", False)
    client.force_login(users["regency"])
    assert client.post(reverse("reports:retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == "running"  # too early: not stalled yet, retry refused
    later = timezone.now() + datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_watchdog(now=later) == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert AuditEvent.objects.filter(action="reports.watchdog_requeue").count() == 1


def test_a_job_that_keeps_stopping_is_failed_with_a_message(users, settings):
    import datetime

    from django.utils import timezone

    job = ReportJob.objects.create(kind=ReportJob.Kind.REFERRAL_SUMMARY, region_code="35.11",
                                   requested_by=users["regency"], parameters={"directorate": "dayasos"},
                                   state=ReportJob.State.RUNNING, attempts=settings.SIDBS_JOB_MAX_ATTEMPTS)
    later = timezone.now() + datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES + 1)
    assert services.reports_watchdog(now=later) == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert (job.state, job.retryable) == ("failed", True)
    assert "berhenti berulang kali" in job.error


def test_the_watchdog_queues_a_stalled_import_again(users, settings, django_capture_on_commit_callbacks):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from ppks import services as ppks_services
    from ppks.models import ImportJob

    job = ImportJob(original_name="macet.csv", sha256="0" * 64, size=10, format="csv",
                    requested_by=users["regency"], state=ImportJob.State.RUNNING, started_at=timezone.now())
    job.file.save("macet.csv", ContentFile(b"nama\n"), save=False)
    job.save()
    later = timezone.now() + datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert ppks_services.imports_watchdog(now=later) == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.is_finished  # run again to its end (this file fails with line errors, not half-way)
    assert AuditEvent.objects.get(action="ppks.import_watchdog_requeue").detail == {"runs": 1}
