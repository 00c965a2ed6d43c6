"""A real Celery worker (Redis broker, PostgreSQL) renders a report whose text matches the scoped rows."""

import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ppks.models import Directorate, Registration
from reports import services
from reports.models import ReportJob

pytestmark = [pytest.mark.celery_worker]


def wait_until_finished(job: ReportJob, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in {"done", "failed"}:
            return
        time.sleep(0.5)


def referral_rendered_by_the_worker(users, verified, capture_on_commit) -> ReportJob:
    """Refer everything in letters of both regencies, request the Dayasos summary for Kab. Bondowoso and wait."""
    dayasos = Directorate.objects.get(code="dayasos")
    for sender, region in (("regency", "35.11"), ("other_regency", "35.12")):
        services.referral_send(actor=users[sender], region_code=region, directorate=dayasos, registration_ids=[
            registration.pk for registration in verified if registration.village_id.startswith(region + ".")])
    with capture_on_commit(execute=True):
        job = services.report_request(actor=users["regency"], region_code="35.11", directorate=dayasos)
    wait_until_finished(job)
    return job


def test_worker_renders_the_scoped_rows(celery_worker_process, users, verified, django_capture_on_commit_callbacks):
    # given: everything referred in letters; the worker splits reports into parts of 2 rows (SIDBS_REPORT_PART_ROWS)
    # when
    job = referral_rendered_by_the_worker(users, verified, django_capture_on_commit_callbacks)
    # then
    assert job.state == "done", job.error
    with job.pdf.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    in_scope = Registration.objects.filter(village__code__startswith="35.11.")
    expected = set(in_scope.values_list("person__name", flat=True))
    assert expected == {"Siti Aminah", "Budi Santoso", "Ahmad Dahlan", "Wati Lestari"}
    for name in expected:
        assert name.upper() in text
    assert "ORANG SITUBONDO" not in text
    assert job.row_count == 4
    assert ReportJob.objects.filter(kind=ReportJob.Kind.REFERRAL_SUMMARY).count() == 1
    assert list(job.parts.values_list("district_codes", flat=True)) == [["35.11.01"], ["35.11.02"]]


def test_worker_on_another_process_writes_to_the_shared_object_store(s3_storage, celery_worker_process, users,
                                                                     verified, client,
                                                                     django_capture_on_commit_callbacks):
    """Web and worker share nothing but PostgreSQL, Redis and the bucket: parts, merge and download still work."""
    s3, bucket = s3_storage
    job = referral_rendered_by_the_worker(users, verified, django_capture_on_commit_callbacks)
    assert job.state == "done", job.error
    def stored_keys() -> set[str]:
        return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}

    assert "media/" + job.pdf.name in stored_keys()
    # The merged parts are removed once the merge has committed (on_commit in the worker): just after "done".
    deadline = time.monotonic() + 15
    while any(key.startswith("media/reports/parts/") for key in stored_keys()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(key.startswith("media/reports/parts/") for key in stored_keys())
    client.force_login(users["regency"])
    body = b"".join(client.get(reverse("reports:download", args=[job.pk]), {"format": "pdf"}).streaming_content)
    assert "SITI AMINAH" in "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
