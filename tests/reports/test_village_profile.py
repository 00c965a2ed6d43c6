"""The village profile PDF of the seeded demo village: what it says follows the records, and it stays on the page."""

import io

import pytest
from django.core.management import call_command
from django.test import TestCase
from pypdf import PdfReader

from accounts.models import User
from reports import services
from reports.models import ReportJob
from villages.models import Village

pytestmark = pytest.mark.django_db


def text_positions(reader: PdfReader) -> list[tuple[int, float, float, str]]:
    """(page, x, y, text) of every text run, in page coordinates (text matrix times the current matrix)."""
    runs = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                x, y = tm[4], tm[5]
                runs.append((number, cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5], text))

        page.extract_text(visitor_text=visit)
    return runs


def test_demo_village_profile_pdf(regions, settings):
    settings.DEBUG = True
    for command in ("seed_demo", "seed_demo_ppks", "seed_demo_assessments", "seed_demo_plans"):
        call_command(command)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.village_profile_request(actor=User.objects.get(username="dinsos.bondowoso"),
                                               village=Village.objects.get(code="35.11.01.2001"))
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error
    with job.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Tahap DBS : Act: pelaksanaan rencana aksi (dari catatan desa)" in text
    assert "Desa Melesat Bondowoso" in text
    assert "Asesmen tervalidasi terakhir: Baseline (Look)" in text
    assert "berstatus diajukan" in text  # the endline waits for validation and is only mentioned
    assert "28 dari target 30 anggota" in text
    assert "1 fasilitator, 1 pendamping" in text
    assert "[ember bocor Rp 45.000.000/bulan]" in text
    assert "Rp 75.000.000 per bulan" in text
    assert "Selesai terlambat (10 hari)" in text
    assert "Terlambat" in text
    assert "berisiko" in text
    assert "Direncanakan Rp 15.000.000 · diterima Rp 15.000.000" in text
    assert "dari aset Beras dibeli dari luar desa" in text
    # Words are whole: narrow columns used to split them ("Keterampi lan", "Berjala n", "Dimen si").
    for word in ("Keterampilan individu", "Berjalan", "Dimensi", "Kemajuan", "Asosiasi dan kelompok warga"):
        assert word in text, word
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    outside = [(page, round(x), round(y), run) for page, x, y, run in text_positions(reader)
               if not (0 <= x <= width and 0 <= y <= height)]
    assert not outside, outside
    assert len(reader.pages) == job.page_count <= 3
