"""Page numbers written into each part's own pages (issue 21, item 3): right across part boundaries, never twice."""

import io
import re

import pytest
from pypdf import PdfReader

from ppks.models import Directorate
from reports import services
from reports.models import ReportJob, ReportPart

pytestmark = pytest.mark.django_db


def page_texts(job: ReportJob) -> list[str]:
    with job.pdf.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def sent_letter(users, verified) -> ReportJob:
    """A referral letter of the four Bondowoso people, queued but not generated (its task is not run)."""
    from unittest import mock

    with mock.patch("reports.services._enqueue"):
        return services.referral_send(actor=users["regency"], region_code="35.11",
                                      directorate=Directorate.objects.get(code="dayasos"),
                                      registration_ids=[registration.pk for registration in verified[:4]])


def assert_numbered_in_order(job: ReportJob) -> list[str]:
    texts = page_texts(job)
    assert len(texts) == job.page_count
    for number, text in enumerate(texts, start=1):
        assert re.findall(r"Halaman (\d+) dari (\d+)", text) == [(str(number), str(job.page_count))], text
        assert text.count("SI-DBS · ID {}".format(job.pk)) == 1
        assert text.count("RAHASIA") == 2  # at the top and at the bottom of the page
    return texts


def test_page_numbers_run_on_across_the_parts(users, verified, settings):
    # given: a kecamatan per part, each part numbered in its own step
    settings.REPORT_PART_ROWS = 2
    job = sent_letter(users, verified)
    # when
    assert services.report_generate(job_id=job.pk) == "parts"
    for part in job.parts.all():
        services.report_render_part(part_id=part.pk)
    services.report_render_front(job_id=job.pk)
    services.report_export(job_id=job.pk)
    for part_id in services.report_paginate(job_id=job.pk):
        services.report_stamp_part(part_id=part_id)
    services.report_merge(job_id=job.pk)
    # then: every page says its own number of the whole document, the parts' pages after the letter's
    job.refresh_from_db()
    parts = list(job.parts.order_by("index"))
    assert [part.state for part in parts] == ["stamped", "stamped"]
    assert job.page_count == job.front_page_count + sum(part.page_count for part in parts)
    texts = assert_numbered_in_order(job)
    first_of_second_part = job.front_page_count + parts[0].page_count
    assert "AHMAD DAHLAN" in texts[first_of_second_part]
    assert "SITI AMINAH" in texts[first_of_second_part - 1]


def test_a_redelivered_stamp_or_merge_numbers_once(users, verified, settings, django_capture_on_commit_callbacks):
    settings.REPORT_PART_ROWS = 2
    job = sent_letter(users, verified)
    assert services.report_generate(job_id=job.pk) == "parts"
    for part in job.parts.all():
        services.report_render_part(part_id=part.pk)
    services.report_render_front(job_id=job.pk)
    to_stamp = services.report_paginate(job_id=job.pk)
    assert len(to_stamp) == 2
    # when: Celery delivers the first stamp twice, and paginate runs again
    with django_capture_on_commit_callbacks(execute=True):
        services.report_stamp_part(part_id=to_stamp[0])
    stamped = ReportPart.objects.get(pk=to_stamp[0])
    services.report_stamp_part(part_id=to_stamp[0])
    assert ReportPart.objects.get(pk=to_stamp[0]).pdf.name == stamped.pdf.name
    assert services.report_paginate(job_id=job.pk) == to_stamp[1:]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_merge(job_id=job.pk)  # stamps the rest and exports first
    job.refresh_from_db()
    first_sha = job.sha256
    services.report_merge(job_id=job.pk)
    # then: one number per page, and one file
    job.refresh_from_db()
    assert (job.state, job.sha256) == ("done", first_sha)
    assert job.csv
    assert job.xlsx
    assert_numbered_in_order(job)
    assert not job.front_pdf  # the unnumbered front pages and the parts' files are removed after the commit
    assert not ReportPart.objects.filter(job=job).exclude(pdf="").exists()


def test_a_kecamatan_larger_than_a_part_is_split_by_desa(users, verified, settings):
    # given: parts of one row; each kecamatan has two desa with one person each
    settings.REPORT_PART_ROWS = 1
    job = sent_letter(users, verified)
    # when: generated the way a small report is, every step one after another in this process
    services.report_generate(job_id=job.pk)
    services.report_steps_run(job_id=job.pk)
    # then
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert list(job.parts.values_list("district_codes", "village_codes", "first_number")) == [
        (["35.11.01"], ["35.11.01.2001"], 1), (["35.11.01"], ["35.11.01.2002"], 2),
        (["35.11.02"], ["35.11.02.1001"], 3), (["35.11.02"], ["35.11.02.2001"], 4),
    ]
    text = "\n".join(assert_numbered_in_order(job))
    assert text.count("(lanjutan)") == 2  # the second desa of each kecamatan continues its heading
    numbers = [int(number) for number in re.findall(r"^(\d+)\. [A-Z]", text, flags=re.MULTILINE)]
    assert numbers == [1, 2, 3, 4]


def test_the_plan_keeps_enough_parts_for_two_workers(settings):
    settings.REPORT_PART_ROWS = 1500
    counts = [{"district_code": "d{:02d}".format(district), "village_code": "d{:02d}.v{}".format(district, village),
               "count": 100} for district in range(10) for village in range(4)]  # 4,000 rows
    plan = services._plan_parts(counts)
    assert len(plan) >= services.PARTS_PER_REPORT - 1
    assert sum(rows for _districts, _villages, _first, rows in plan) == 4000
    assert [first for _districts, _villages, first, _rows in plan][:2] == [1, plan[0][3] + 1]
    assert max(rows for *_rest, rows in plan) <= 600
