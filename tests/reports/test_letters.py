"""Referral letters as official documents: issuing office, numbering, layout on the page, signature, QR."""

import datetime
import io
import threading
from pathlib import Path

import pdfplumber
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from accounts.models import LetterSequence, Office, Signatory
from accounts.offices import letter_number_next, office_for_region
from ppks import services as ppks_services
from ppks.models import Category, Directorate, Registration
from reports import rendering, services
from reports.models import ReportJob
from tests.conftest import REGION_LINES
from tests.ppks.factories import person_data
from villages.models import Village
from villages.services import regions_import

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
# The text column of letters (static/css/report.css: left 25 mm, right 20 mm), with 1 mm of tolerance,
# and nothing closer than 8 mm to the top or bottom edge (where printers cannot reach).
LEFT_MM, RIGHT_MM, TOP_BOTTOM_MM, TOLERANCE_MM = 25, 20, 8, 1


def text_outside_printable_area(content: bytes) -> list[str]:
    """Characters of the PDF that lie (partly) outside the text column or within 8 mm of the top or bottom."""
    outside = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            left, right = (LEFT_MM - TOLERANCE_MM) * MM, page.width - (RIGHT_MM - TOLERANCE_MM) * MM
            edge = TOP_BOTTOM_MM * MM
            for char in page.chars:
                if not char["text"].strip():
                    continue
                if (char["x0"] < left or char["x1"] > right or char["top"] < edge
                        or char["bottom"] > page.height - edge):
                    outside.append("halaman {} {!r} x={:.0f} y={:.0f}".format(number, char["text"], char["x0"],
                                                                             char["top"]))
    return outside


def pdf_of(job: ReportJob) -> bytes:
    job.refresh_from_db()
    assert job.state == "done", job.error
    with job.pdf.open("rb") as handle:
        return handle.read()


def page_texts(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def committed(call, *args, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


def verified_people(actor, village_codes, categories, per_pair=1) -> list[Registration]:
    """Verified registrations of men born 1 Jan 1970, one per (village, category) pair, NIKs of their kecamatan."""
    registrations = []
    serial = 1000
    for category in categories:
        for code in village_codes:
            for _ in range(per_pair):
                serial += 1
                village = Village.objects.get(code=code)
                nik = "{}010170{:04d}".format(village.district_id.replace(".", ""), serial)
                person = ppks_services.person_create(actor=actor, data=person_data(
                    name="Warga Uji {}".format(serial), nik=nik, sex="L", birth_date=datetime.date(1970, 1, 1),
                    kk_number="", village=village))
                registration = ppks_services.registration_create(
                    actor=actor, person=person, category=category, assessed_on=datetime.date.today(), submit=True)
                registrations.append(ppks_services.registration_transition(
                    registration=registration, action="verify", actor=actor))
    return registrations


def test_province_user_issues_letters_of_the_province_office_in_one_series(users, verified):
    """dinsos.jatim sending for kab 35.11 and then kecamatan 35.11.02: the province's kop and register, 0001, 0002."""
    dayasos = Directorate.objects.get(code="dayasos")
    first = committed(services.referral_send, actor=users["province"], region_code="35.11.01", directorate=dayasos,
                      registration_ids=[registration.pk for registration in verified[:2]])
    second = committed(services.referral_send, actor=users["province"], region_code="35.11.02", directorate=dayasos,
                       registration_ids=[registration.pk for registration in verified[2:4]])
    office = office_for_region("35")
    year, month = datetime.date.today().year, datetime.date.today().month
    assert (first.batch.office, second.batch.office) == (office, office)
    assert (first.batch.sequence, second.batch.sequence) == (1, 2)
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[month - 1]
    assert first.batch.letter_number == "400.9/0001/DINSOS/{}/{}".format(roman, year)
    assert second.batch.letter_number == "400.9/0002/DINSOS/{}/{}".format(roman, year)
    text = page_texts(pdf_of(first))[0]
    assert "PEMERINTAH PROVINSI JAWA TIMUR" in text
    assert "KABUPATEN BONDOWOSO" not in text.split("Nomor")[0]  # the kop is the sender's, not the region's
    assert "Kecamatan Maesan, Kabupaten Bondowoso" in " ".join(text.split())
    # the kabupaten's own office keeps its own register
    linjamsos = Directorate.objects.get(code="linjamsos")  # FM also goes there (shared route)
    own = committed(services.referral_send, actor=users["regency"], region_code="35.11", directorate=linjamsos,
                    registration_ids=[verified[0].pk])
    assert (own.batch.office.region_code, own.batch.sequence) == ("35.11", 1)


def test_a_letter_with_twenty_categories_fits_the_page(users):
    """The summary with every Rehsos category over many kecamatan stays inside the printable area."""
    regions_import(lines=REGION_LINES + ["35.11.{:02d},Kecamatan Dengan Nama Panjang {}".format(number, number)
                                         for number in range(3, 13)] +
                         ["35.11.{:02d}.2001,Desa Uji {}".format(number, number) for number in range(3, 13)])
    rehsos = Directorate.objects.get(code="rehsos")
    categories = [category for category in Category.objects.current().prefetch_related("assignments__directorate")
                  if rehsos in category.directorates_on(datetime.date.today())]
    assert len(categories) >= 18
    villages = ["35.11.{:02d}.2001".format(number) for number in range(3, 13)]
    registrations = verified_people(users["regency"], villages, categories)
    job = committed(services.referral_send, actor=users["regency"], region_code="35.11", directorate=rehsos,
                    registration_ids=[registration.pk for registration in registrations])
    content = pdf_of(job)
    import os
    if os.environ.get("SIDBS_KEEP_PDF"):
        Path(os.environ["SIDBS_KEEP_PDF"]).write_bytes(content)
    assert text_outside_printable_area(content) == []
    pages = page_texts(content)
    annex = " ".join(pages[1].split())
    assert "LAMPIRAN I" in annex
    assert "Jumlah {}".format(len(registrations)) in annex  # the totals row of table A is on the page
    assert annex.count("Kecamatan") >= 2  # the kecamatan × category table, split over two tables


def test_letter_has_the_parts_of_a_surat_dinas(users, verified):
    office = office_for_region("35.11")
    office.copies_to = "Bupati Bondowoso (sebagai laporan)\nKepala Dinas Sosial Provinsi Jawa Timur"
    office.save()
    deputy = Signatory.objects.create(office=office, mode=Signatory.Mode.ON_BEHALF, name="Sri Rahayu, S.Sos.",
                                      nip="197808122003122004", rank=Signatory.Rank.IV_A, position="Sekretaris")
    job = committed(services.referral_send, actor=users["regency"], region_code="35.11",
                    directorate=Directorate.objects.get(code="dayasos"), signatory=deputy,
                    registration_ids=[registration.pk for registration in verified[:4]])
    pages = page_texts(pdf_of(job))
    letter = " ".join(pages[0].split())
    for part in ("Nomor : {}".format(job.batch.letter_number), "Sifat : Rahasia", "Lampiran : 2 (dua) berkas",
                 "Hal : Rujukan Pemerlu Pelayanan Kesejahteraan Sosial (PPKS)",
                 "Yth. Direktur Jenderal Pemberdayaan Sosial", "Bondowoso, ",
                 "a.n. KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO Sekretaris,", "Sri Rahayu, S.Sos.",
                 "Pembina (IV/a)", "NIP. 19780812 200312 2 004", "Tembusan:",
                 "1. Bupati Bondowoso (sebagai laporan);", "2. Kepala Dinas Sosial Provinsi Jawa Timur.",
                 "RAHASIA"):
        assert part in letter, part
    # the closing paragraph and the signature share the first page; the by-name list is Lampiran II
    assert "Demikian kami sampaikan" in letter
    assert "LAMPIRAN II" in " ".join(pages[2].split())
    assert job.batch.signed_by["title_lines"] == ["a.n. KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO", "Sekretaris,"]


def test_acting_head_signs_as_plt(users, verified):
    office = office_for_region("35.11")
    office.signatories.update(active=False)
    acting = Signatory.objects.create(office=office, mode=Signatory.Mode.ACTING, name="Dr. Bambang",
                                      nip="196905201994031005", rank=Signatory.Rank.IV_D)
    job = committed(services.referral_send, actor=users["regency"], region_code="35.11",
                    directorate=Directorate.objects.get(code="dayasos"), registration_ids=[verified[0].pk])
    assert job.batch.signed_by["id"] == acting.pk
    assert "Plt. KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO," in " ".join(page_texts(pdf_of(job))[0].split())


def test_qr_and_verify_link_use_site_url_and_the_verify_page_names_the_office(client, users, verified, monkeypatch):
    encoded = []
    original = rendering.qr_data_uri
    monkeypatch.setattr(rendering, "qr_data_uri", lambda text: encoded.append(text) or original(text))
    job = committed(services.referral_send, actor=users["regency"], region_code="35.11",
                    directorate=Directorate.objects.get(code="dayasos"), registration_ids=[verified[0].pk])
    expected = settings.SITE_URL + reverse("reports:verify", kwargs={"pk": job.pk})
    assert expected.startswith("https://sidbs.uji.go.id/")
    assert set(encoded) == {expected}
    assert expected in "".join(" ".join(page_texts(pdf_of(job))).split())
    page = client.get(reverse("reports:verify", kwargs={"pk": job.pk})).content.decode()
    assert "Dinas Sosial Kabupaten Bondowoso" in page
    assert job.batch.letter_number in page


def test_an_office_without_address_or_signatory_cannot_issue_letters(client, users, verified):
    office = office_for_region("35.11")
    office.address = ""
    office.save()
    office.signatories.update(active=False)
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=users["regency"], region_code="35.11",
                               directorate=Directorate.objects.get(code="dayasos"), registration_ids=[verified[0].pk])
    assert error.value.messages == [
        "Surat belum dapat diterbitkan. Lengkapi data kantor: alamat kantor, penanda tangan (kepala dinas atau pejabat "
        "a.n./Plt.)."]
    client.force_login(users["regency"])
    page = client.get(reverse("reports:referral"), {"directorate": "dayasos"}).content.decode()
    assert "Surat belum dapat diterbitkan" in page
    assert "Kirim 4 rujukan" not in page


def test_unknown_region_is_refused_in_the_form_and_a_stale_job_says_retry_will_not_help(client, users, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    client.force_login(users["analyst"])
    response = client.post(reverse("reports:request"), {"region_code": "99.99", "directorate": "dayasos"})
    assert response.context["form"].errors["region_code"] == ["Wilayah 99.99 tidak ditemukan."]
    assert not ReportJob.objects.exists()
    job = ReportJob.objects.create(kind=ReportJob.Kind.REFERRAL_SUMMARY, region_code="99.99",
                                   requested_by=users["analyst"], parameters={"directorate": "dayasos"})
    from reports.tasks import report_generate

    report_generate.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert (job.state, job.retryable) == ("failed", False)
    assert job.error == "Wilayah 99.99 tidak ditemukan; buat permintaan baru dengan wilayah yang benar."
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Mengulang tidak akan membantu" in page
    assert reverse("reports:retry", args=[job.pk]) not in page
    assert client.post(reverse("reports:retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == "failed"


def test_analyst_gets_a_masked_copy_never_the_original(client, users, verified):
    job = committed(services.referral_send, actor=users["regency"], region_code="35.11",
                    directorate=Directorate.objects.get(code="dayasos"), registration_ids=[verified[0].pk])
    client.force_login(users["analyst"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Unduh PDF" not in page
    assert client.get(reverse("reports:download", args=[job.pk]), {"format": "pdf"}).status_code == 403
    response = committed(client.post, reverse("reports:masked-copy", args=[job.pk]))
    copy = ReportJob.objects.get(masked_copy_of=job)
    assert response.url == copy.get_absolute_url()
    committed(client.post, reverse("reports:masked-copy", args=[job.pk]))
    assert ReportJob.objects.filter(masked_copy_of=job).count() == 1  # made once, shared
    text = " ".join(page_texts(pdf_of(copy)))
    assert "SALINAN" in text
    assert "3511015203850003" not in text
    assert "3511********0003" in text
    assert copy.batch == job.batch


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_letters_of_one_office_never_share_a_number(regions):
    """Two letters numbered at the same moment (PostgreSQL, two connections) get consecutive numbers."""
    from django.db import transaction

    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    office = Office.objects.create(kind=Office.Kind.DINSOS_KABUPATEN, region_code="35.11", name="DINAS SOSIAL",
                                   government_name="PEMERINTAH KABUPATEN BONDOWOSO", city="Bondowoso",
                                   letter_code="DINSOS")

    def take():
        with transaction.atomic():
            number = letter_number_next(office=office, day=datetime.date(2026, 11, 30))[1]
            threading.Event().wait(0.2)  # hold the register while the other waits
            return number

    assert sorted(at_once(take, take)) == [1, 2]
    assert LetterSequence.objects.get(office=office, year=2026).last_number == 2


def test_the_demo_letter_fits_the_page(settings):
    """``make run``'s demo letter (seed_demo, seed_demo_ppks, seed_demo_letters) stays inside the page."""
    from django.core.management import call_command

    settings.DEBUG = True
    regions_import(lines=REGION_LINES)
    for command in ("seed_demo", "seed_demo_ppks", "seed_demo_letters"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(command, stdout=io.StringIO())
    job = ReportJob.objects.get(kind="referral")
    content = pdf_of(job)
    assert text_outside_printable_area(content) == []
    letter = " ".join(page_texts(content)[0].split())
    assert "KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO," in letter
    assert "Drs. Hendra Wijaya, M.Si." in letter
    assert "Tembusan:" in letter
    served = Registration.objects.get(person__name="Muhammad Rizki")
    assert served.status == "served"
    # the seeds are idempotent
    call_command("seed_demo_letters", stdout=io.StringIO())
    assert ReportJob.objects.filter(kind="referral").count() == 1
