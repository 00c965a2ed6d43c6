"""A real Celery worker (Redis broker, PostgreSQL) renders a report whose text matches the scoped rows."""

import io
import time

import pytest
from pypdf import PdfReader

from ppks.models import Directorate, Registration
from reports import services
from reports.models import ReportJob

pytestmark = [pytest.mark.celery_worker]


def test_worker_renders_the_scoped_rows(celery_worker_process, users, verified, django_capture_on_commit_callbacks):
    # given: everything referred in letters of both regencies; the worker splits reports into parts of
    # 2 rows (SIDBS_REPORT_PART_ROWS)
    dayasos = Directorate.objects.get(code="dayasos")
    for sender, region in (("regency", "35.11"), ("other_regency", "35.12")):
        services.referral_send(actor=users[sender], region_code=region, directorate=dayasos, registration_ids=[
            registration.pk for registration in verified if registration.village_id.startswith(region + ".")])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_request(actor=users["regency"], region_code="35.11", directorate=dayasos)
    # when
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in {"done", "failed"}:
            break
        time.sleep(0.5)
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
