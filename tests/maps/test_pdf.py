"""Map pages in the PDF reports: present, drawn from the server SVG, with the right regions, inside the page."""

import base64
import io
import re

import pytest
from pypdf import PdfReader

from maps.services import shapes_load
from ppks.models import Directorate, Registration
from reports import rendering, services
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(monkeypatch):
    """The map pages rendered during the test: their template context and SVG (decoded from the data URI)."""
    pages = []
    original = rendering.render_pdf

    def spy(template, context):
        if template == "reports/pdf/map_page.html":
            encoded = context["map_uri"].split(",", 1)[1]
            pages.append({**context, "svg": base64.b64decode(encoded).decode()})
        return original(template, context)

    monkeypatch.setattr(rendering, "render_pdf", spy)
    return pages


def pdf_pages(job: ReportJob) -> list[str]:
    with job.pdf.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def assert_text_inside_pages(job: ReportJob) -> None:
    """Every glyph of every page lies on the page (no text pushed off the paper)."""
    with job.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        outside = []

        def visit(text, cm, tm, font, size, page=page, box=box, outside=outside):
            if text.strip():
                x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
                if not (0 <= x <= float(box.width) and 0 <= y <= float(box.height)):
                    outside.append((text, x, y))

        page.extract_text(visitor_text=visit)
        assert not outside, "teks di luar halaman {}: {}".format(number, outside[:5])


def summary(actor, region: str) -> ReportJob:
    job = services.report_request(actor=actor, region_code=region, directorate=Directorate.objects.get(code="dayasos"))
    services.report_generate(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error
    return job


def test_the_national_summary_has_a_map_of_514_kab_kota_with_province_borders(map_data, rendered):
    shapes_load()  # the whole country
    job = summary(map_data["analyst"], "")
    (page,) = rendered
    drawing = page["svg"]
    assert drawing.count('<path class="map-area') == 514
    assert re.findall(r'data-code="([0-9.]+)"', drawing) == ["33.73", "35.11", "35.12"]  # the kab/kota in the data
    assert drawing.count("<path d=") == 38  # province borders
    assert "<a " not in drawing
    assert "http" not in drawing.replace("http://www.w3.org/2000/svg", "")
    texts = pdf_pages(job)
    map_text = next(text for text in texts if "Peta sebaran nasional" in text)
    assert "Ditjen Pemberdayaan Sosial per kabupaten/kota" in map_text
    assert "Jumlah per provinsi" in map_text
    assert "cahyadsn/wilayah_boundaries (MIT)" in map_text.replace("\n", "")
    assert texts.index(map_text) == 1  # right after the letter, before the by-name list
    assert_text_inside_pages(job)


def test_the_provincial_summary_maps_its_kecamatan_for_the_requester_only(map_data, rendered):
    job = summary(map_data["province"], "35")
    (page,) = rendered
    drawing = page["svg"]
    assert set(re.findall(r'data-code="([0-9.]+)"', drawing)) == {"35.11.01", "35.11.02", "35.12.01"}
    assert page["view"].unit_level == 3
    assert len(page["view"].outlines) == 38
    values = {row.code: row.value for row in page["view"].rows}
    referred = Registration.objects.filter(status__in=["referred", "served", "closed"], directorate__code="dayasos")
    assert values == {code: referred.filter(village__district_id=code).count()
                      for code in ("35.11.01", "35.11.02", "35.12.01")}
    assert sum(values.values()) == job.row_count == 2
    assert any("Peta sebaran Jawa Timur".upper() in text.upper() for text in pdf_pages(job))


def test_a_kabupaten_summary_counts_the_reports_rows_per_kecamatan(map_data, rendered):
    from ppks.referral_selectors import referral_candidates

    regency = map_data["regency"]
    candidates = list(referral_candidates(user=regency, region_code="35.11", directorate_code="dayasos"))
    sent = services.referral_send(actor=regency, region_code="35.11", directorate=Directorate.objects.get(
        code="dayasos"), registration_ids=[registration.pk for registration in candidates])
    services.report_generate(job_id=sent.pk)
    rendered.clear()
    job = summary(regency, "35.11")
    values = {row.code: row.value for row in rendered[0]["view"].rows}
    assert values == {"35.11.01": 2, "35.11.02": 1}  # Sucolor's referred and verified FM, Dawuhan's served FM
    assert sum(values.values()) == job.row_count == len(candidates) + 2


def test_the_village_profile_ends_with_its_kecamatan_map(map_data, rendered):
    from villages.models import Village

    job = services.village_profile_request(actor=map_data["regency"], village=Village.objects.get(
        code="35.11.01.2001"))
    services.report_generate(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error
    (page,) = rendered
    assert page["svg"].count('class="map-point highlight"') == 1
    assert page["svg"].count('<circle class="map-point') == 2
    texts = pdf_pages(job)
    assert "Peta Kecamatan Maesan" in texts[-1]
    assert "Sucolor" in texts[-1]
    assert "Rendah (1 desa)" in texts[-1]
    assert_text_inside_pages(job)


def test_without_boundaries_the_report_has_no_map_page(users, rendered):
    job = summary(users["analyst"], "")
    assert rendered == []
    assert job.state == ReportJob.State.DONE
