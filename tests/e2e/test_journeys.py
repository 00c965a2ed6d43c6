"""End-to-end journeys in a real browser: what a Pensosmas, a Dinas Sosial officer and a Kemensos analyst do.

Each journey uses the live server (the database is committed, not rolled back); serialized rollback
brings the seeded reference data (PPKS categories, directorates, the IKSM instrument) back for every test.
"""

import io
import re

import pytest
from pypdf import PdfReader

from accounts.models import AuditEvent
from dimensions.models import Assessment
from ppks import services as ppks_services
from ppks.models import Directorate, Person, Registration
from reports import services as report_services
from reports.models import ReportJob
from tests.ppks.factories import register
from villages.models import Village

expect = pytest.importorskip("playwright.sync_api", reason="paket pip playwright belum terpasang (make install)").expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Answers per dimension in the survey journey: every indicator of D1 gets 5, D2 4, D3 3, D4 2. IKSM-Desa v0.2
# scores three administrative indicators from Sucolor's records instead: 1.1 (the PPKS list was updated
# today: 4), 1.2 (one PPKS registered, none served yet: 1) and 2.1 (no PSKS pillar recorded: 1). So D1 is
# (4+1+5+5+5-5)/20 = 0.75, D2 (1+4+4+4+4-5)/20 = 0.6, D3 0.5, D4 0.25, and the village index 0.525.
SURVEY_VALUES = {"1": "5", "2": "4", "3": "3", "4": "2"}


def assert_fits_phone(page) -> None:
    """The page does not scroll sideways on a phone (a wide table may scroll inside its own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "halaman {} lebih lebar dari layar: {}px".format(page.url, width)


def tap_option(radio) -> None:
    """Tap the label around a radio button, as a finger would, after checking it is a comfortable target."""
    label = radio.locator("xpath=ancestor::label[1]")
    box = label.bounding_box()
    assert box["height"] >= 44, "pilihan {!r} hanya {}px tinggi".format(label.inner_text(), box["height"])
    label.tap()
    expect(radio).to_be_checked()


def _submitted(users) -> list[Registration]:
    """Two registrations submitted by the Pensosmas in Sucolor (Bondowoso), one in Situbondo (out of scope)."""
    return [
        register(users["pensosmas"], submit=True),
        register(users["pensosmas"], submit=True, name="Budi Santoso", nik="3511011006800001", sex="L",
                 birth_date=None, kk_number="3511012005150003"),
        register(users["other_regency"], submit=True, name="Orang Situbondo", nik="3512011203850007", sex="L",
                 birth_date=None, kk_number="", village=Village.objects.get(code="35.12.01.2001")),
    ]


def test_pensosmas_registers_a_person_and_fills_the_survey_on_a_phone(live_server, users, phone, login, screenshot):
    page = phone
    login(page, "pensosmas")
    assert_fits_phone(page)
    screenshot(page, "beranda")

    # Register a person through the real form.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="PPKS").click()
    page.get_by_role("link", name="Daftarkan PPKS").click()
    expect(page.get_by_role("heading", name="Daftarkan PPKS")).to_be_visible()
    page.get_by_label("Nama lengkap").fill("Sri Wahyuni")
    page.get_by_label("NIK", exact=True).fill("3511016107900002")
    page.get_by_label("No. KK").fill("3511012005150003")
    tap_option(page.get_by_role("radio", name="Perempuan"))
    page.get_by_label("Tempat lahir").fill("Bondowoso")
    page.get_by_label("Tanggal lahir").fill("1990-07-21")
    page.get_by_label("Desa/kelurahan").select_option(label="Sucolor — Maesan (35.11.01.2001)")
    page.get_by_label("Dusun/lingkungan").fill("Krajan")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("1")
    page.get_by_label("Alamat jalan").fill("Jl. Raya Maesan No. 12")
    page.get_by_label("Kategori PPKS").select_option(label="Fakir Miskin (FM)")
    page.get_by_label("Kebutuhan").fill("Bantuan pangan dan jaminan kesehatan")
    expect(page.get_by_label("Langsung ajukan ke Dinas Sosial")).to_be_checked()
    assert_fits_phone(page)
    screenshot(page, "formulir-ppks")
    page.get_by_role("button", name="Simpan", exact=True).click()

    expect(page.get_by_text("Sri Wahyuni terdaftar sebagai Fakir Miskin.")).to_be_visible()
    screenshot(page, "ppks-terdaftar")
    person = Person.objects.get(nik="3511016107900002")
    assert (person.name, person.village_id, person.rt, person.rw, person.kk_number, person.sex) == (
        "Sri Wahyuni", "35.11.01.2001", "003", "001", "3511012005150003", "P")
    assert person.registrations.get().status == Registration.Status.SUBMITTED

    # The person is in the list, NIK masked, with the address to RT/RW.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="PPKS").click()
    row = page.get_by_role("row").filter(has_text="Sri Wahyuni")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("3511********0002")
    expect(row).to_contain_text("RT/RW 003/001")
    expect(row).to_contain_text("FM")
    expect(row).to_contain_text("Diajukan")
    expect(page.get_by_text("1 registrasi cocok.")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "daftar-ppks")

    # Open an assessment of the village.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Asesmen").click()
    page.get_by_role("link", name="Asesmen baru").click()
    page.get_by_label("Desa/kelurahan").select_option("35.11.01.2001")
    page.get_by_label("Tahap").select_option(label="Baseline (Look)")
    page.get_by_role("button", name="Buat").click()
    expect(page.locator(".messages")).to_contain_text("Asesmen Sucolor")
    expect(page.locator(".messages")).to_contain_text("dibuat. Tambahkan responden, lalu isi survei.")

    # Add a respondent.
    page.get_by_role("textbox", name="Nama", exact=True).fill("Ibu Sumiati")
    page.get_by_label("Lembaga").fill("PKK Desa Sucolor")
    page.get_by_label("Jabatan").fill("Ketua")
    page.get_by_label("Jenis kelamin").select_option(label="Perempuan")
    page.get_by_role("button", name="Tambah responden").click()
    expect(page.locator(".messages")).to_contain_text("Responden Ibu Sumiati ditambahkan ke asesmen Sucolor")
    respondent_row = page.get_by_role("row").filter(has_text="Ibu Sumiati")
    expect(respondent_row).to_contain_text("0/20")
    assert_fits_phone(page)
    screenshot(page, "asesmen-responden")

    # Fill the survey: one radio group per indicator, 1–5.
    respondent_row.get_by_role("link", name="Ibu Sumiati").click()
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(20)
    for index in range(groups.count()):
        group = groups.nth(index)
        dimension = group.get_attribute("aria-label")[0]
        tap_option(group.get_by_role("radio", name=SURVEY_VALUES[dimension], exact=True))
    expect(page.get_by_role("radio", checked=True)).to_have_count(20)
    assert_fits_phone(page)
    screenshot(page, "survei-terisi")
    page.get_by_role("button", name="Simpan draf").click()

    expect(page.get_by_text("20 jawaban Ibu Sumiati tersimpan sebagai draf.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Ibu Sumiati")).to_contain_text("20/20")

    # Complete: submit, and the scores come back.
    page.get_by_role("button", name="Ajukan dan hitung skor").click()
    expect(page.locator(".messages")).to_contain_text("diajukan; skor dihitung.")
    assert_fits_phone(page)
    screenshot(page, "asesmen-skor")
    assessment = Assessment.objects.get(village_id="35.11.01.2001")
    assert assessment.status == Assessment.Status.SUBMITTED
    assert {score.dimension.code: float(score.score) for score in assessment.scores.select_related("dimension")} \
        == {"D1": 0.75, "D2": 0.6, "D3": 0.5, "D4": 0.25}
    assert float(assessment.overall_index) == 0.525
    scores = page.locator("section").filter(has=page.get_by_role("heading", name="Skor"))
    expect(scores.locator("strong").first).to_have_text("0,5250")
    expect(scores).to_contain_text("Sedang")
    expect(scores.get_by_role("row").filter(has_text="D4")).to_contain_text("titik lemah")
    expect(scores.get_by_role("row").filter(has_text="D1 ")).to_contain_text("0,7500")
    expect(scores.get_by_role("row").filter(has_text="2.1 0 dari 12 jenis PSKS aktif")).to_contain_text(
        "catatan aplikasi")


def test_dinsos_verifies_the_queue_and_sends_a_referral(live_server, users, desktop, login, screenshot):
    _submitted(users)
    page = desktop
    login(page, "bondowoso")

    # The verification queue shows only Kabupaten Bondowoso.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Verifikasi").click()
    expect(page.get_by_text("2 registrasi menunggu verifikasi.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Orang Situbondo")).to_have_count(0)
    screenshot(page, "antrean-verifikasi")
    for name in ("Siti Aminah", "Budi Santoso"):
        page.get_by_role("row").filter(has_text=name).get_by_role("button", name="Verifikasi").click()
        expect(page.get_by_text("Registrasi {} (".format(name))).to_contain_text("diverifikasi.")
        expect(page.get_by_role("row").filter(has_text=name)).to_have_count(0)
    expect(page.get_by_text("Tidak ada registrasi yang menunggu.")).to_be_visible()
    screenshot(page, "antrean-kosong")

    # Referral: preview (nothing changes yet), then confirm.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Laporan").click()
    page.get_by_role("link", name="Kirim rujukan").click()
    page.get_by_label("Direktorat tujuan").select_option(label="Ditjen Pemberdayaan Sosial")
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_role("heading", name="2 registrasi akan dirujuk ke Ditjen Pemberdayaan Sosial")).to_be_visible()
    expect(page.get_by_role("link", name="Siti Aminah")).to_be_visible()
    expect(page.get_by_role("link", name="Budi Santoso")).to_be_visible()
    assert set(Registration.objects.values_list("status", flat=True)) == {"verified", "submitted"}
    screenshot(page, "pratinjau-rujukan")
    page.get_by_role("button", name="Kirim rujukan dan buat surat").click()

    # The letter is generated (Celery runs eagerly in tests) and the page shows the finished job.
    sent = re.compile(r"^2 registrasi dirujuk dengan surat 400\.9/0001/DINSOS/\S+\. PDF sedang dibuat\.$")
    expect(page.get_by_text(sent)).to_be_visible()
    expect(page.locator("#job-state")).to_have_text("Selesai")
    expect(page.get_by_role("link", name="Unduh PDF")).to_be_visible()
    expect(page.locator("#job-rows")).to_have_text("2")
    screenshot(page, "rujukan-selesai")
    job = ReportJob.objects.get()
    assert (job.kind, job.state, job.region_code, job.row_count) == ("referral", "done", "35.11", 2)
    assert set(job.batch.registrations.values_list("person__name", flat=True)) == {"Siti Aminah", "Budi Santoso"}
    assert Registration.objects.get(person__name="Orang Situbondo").status == Registration.Status.SUBMITTED

    # The report list shows it as finished.
    page.get_by_role("link", name="Semua laporan").click()
    expect(page.get_by_role("row").filter(has_text=job.batch.letter_number)).to_contain_text("Selesai")


def test_kemensos_analyst_downloads_the_referral_pdf(live_server, users, desktop, login, screenshot):
    registrations = _submitted(users)
    for registration in registrations[:2]:
        ppks_services.registration_transition(registration=registration, action="verify", actor=users["regency"])
    job = report_services.referral_send(
        actor=users["regency"], region_code="35.11", directorate=Directorate.objects.get(code="dayasos"),
        registration_ids=[registration.pk for registration in registrations[:2]],
    )
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error
    page = desktop
    login(page, "analis")

    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Laporan").click()
    row = page.get_by_role("row").filter(has_text=job.batch.letter_number)
    expect(row).to_contain_text("Selesai")
    expect(row).to_contain_text("Kabupaten Bondowoso")
    expect(row).to_contain_text("Ditjen Pemberdayaan Sosial")
    screenshot(page, "daftar-laporan")
    row.get_by_role("link", name="Surat rujukan PPKS").click()
    expect(page.get_by_role("heading", name="Surat rujukan PPKS")).to_be_visible()
    # The original carries full NIKs, which analysts never see: they download the masked copy.
    expect(page.get_by_role("link", name="Unduh PDF")).to_have_count(0)
    page.get_by_role("button", name="Buat salinan (NIK disamarkan)").click()
    expect(page.locator("#job-state")).to_have_text("Selesai")
    screenshot(page, "laporan-selesai")
    copy = ReportJob.objects.get(masked_copy_of=job)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh PDF").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()  # noqa: SIM115 (Playwright owns the temporary file)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    copy.refresh_from_db()
    assert len(reader.pages) == copy.page_count >= 1
    text = "\n".join(page_.extract_text() for page_ in reader.pages)
    assert "SITI AMINAH" in text
    assert "BUDI SANTOSO" in text
    assert "ORANG SITUBONDO" not in text
    assert job.batch.letter_number in text
    assert "3511015203850003" not in text
    assert "3511********0003" in text
    assert AuditEvent.objects.filter(action="reports.download", actor=users["analyst"]).count() == 1


def test_a_referral_closes_the_loop_with_the_receiving_unit(live_server, users, desktop, phone, login, screenshot):
    """Dinas Sosial sends (a double click sends once); the unit accepts one person and serves them, declines
    another with a reason; Dinas Sosial sees both answers, the registrations follow, the inboxes tell."""
    registrations = _submitted(users)[:2]
    for registration in registrations:
        ppks_services.registration_transition(registration=registration, action="verify", actor=users["regency"])

    # Dinas Sosial sends the letter; a nervous double click on "Kirim" still sends one letter.
    office = desktop
    login(office, "bondowoso")
    office.goto(live_server.url + "/reports/rujukan/")
    office.get_by_label("Direktorat tujuan").select_option(label="Ditjen Pemberdayaan Sosial")
    office.get_by_role("button", name="Pratinjau").click()
    expect(office.get_by_text("Surat diterbitkan oleh Dinas Sosial Kabupaten Bondowoso")).to_be_visible()
    expect(office.get_by_label("Penanda tangan")).to_contain_text("Kepala Uji 2")
    screenshot(office, "pratinjau-dengan-penanda-tangan")
    office.get_by_role("button", name="Kirim rujukan dan buat surat").dblclick()
    expect(office.locator("#job-state")).to_have_text("Selesai")
    expect(office.locator(".msg-error")).to_have_count(0)
    assert ReportJob.objects.filter(kind="referral").count() == 1
    batch = ReportJob.objects.get(kind="referral").batch
    assert batch.registrations.count() == 2
    screenshot(office, "surat-terkirim")

    # The unit officer, on a phone, finds both people in the inbox.
    unit = phone
    login(unit, "petugas.dayasos")
    expect(unit.locator(".nav-badge")).to_have_text("1")
    unit.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Rujukan").click()
    expect(unit.get_by_role("heading", name="Rujukan masuk")).to_be_visible()
    expect(unit.get_by_text("2 rujukan cocok.")).to_be_visible()
    assert_fits_phone(unit)
    screenshot(unit, "kotak-masuk-unit")

    unit.get_by_role("link", name="Siti Aminah").click()
    expect(unit.get_by_text("3511********0003")).to_be_visible()
    unit.get_by_role("button", name="Terima rujukan").click()
    expect(unit.get_by_text("Rujukan diterima. Siti Aminah (FM)")).to_be_visible()
    unit.get_by_label("Jenis layanan").select_option(label="Bantuan sosial")
    unit.get_by_label("Catatan (tidak wajib)").last.fill("Paket sembako dan pendampingan")
    unit.get_by_role("button", name="Simpan layanan").click()
    expect(unit.get_by_text("Layanan dicatat. Siti Aminah (FM)")).to_be_visible()
    expect(unit.get_by_role("cell", name="Bantuan sosial")).to_be_visible()
    assert_fits_phone(unit)
    screenshot(unit, "layanan-dicatat")

    unit.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Rujukan").click()
    unit.get_by_role("link", name="Budi Santoso").click()
    unit.get_by_role("button", name="Tolak rujukan").click()
    expect(unit.get_by_text("Alasan penolakan wajib diisi.")).to_be_visible()  # the reason is required
    unit.get_by_label("Alasan penolakan").fill("Sudah menerima bantuan serupa tahun ini")
    unit.get_by_role("button", name="Tolak rujukan").click()
    expect(unit.get_by_text("Rujukan ditolak; Dinas Sosial akan melihat alasannya. Budi Santoso (FM)")).to_be_visible()
    expect(unit.get_by_text("1 rujukan cocok.")).to_be_visible()  # the declined one left the inbox
    screenshot(unit, "rujukan-ditolak")

    # Dinas Sosial sees both answers, and the registrations followed them.
    office.goto(live_server.url + "/")
    expect(office.locator(".nav-badge")).to_have_text("3")
    office.get_by_role("link", name=re.compile("^Notifikasi")).click()
    inbox = office.locator(".notification-list")
    expect(inbox).to_contain_text("Ditjen Pemberdayaan Sosial menerima rujukan Siti Aminah (FM).")
    expect(inbox).to_contain_text("Ditjen Pemberdayaan Sosial mencatat layanan untuk Siti Aminah (FM).")
    expect(inbox).to_contain_text("Ditjen Pemberdayaan Sosial menolak rujukan Budi Santoso (FM); lihat alasannya.")
    screenshot(office, "notifikasi-dinsos")
    office.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Rujukan").click()
    expect(office.get_by_role("row").filter(has_text="Siti Aminah")).to_contain_text("Dilayani")
    expect(office.get_by_role("row").filter(has_text="Budi Santoso")).to_contain_text("Ditolak unit")
    screenshot(office, "tindak-lanjut-rujukan")
    office.get_by_role("link", name="Budi Santoso").click()
    expect(office.get_by_role("definition").filter(has_text="Sudah menerima bantuan serupa tahun ini")).to_be_visible()
    siti, budi = (Registration.objects.get(pk=registration.pk) for registration in registrations)
    assert (siti.status, budi.status) == ("served", "verified")
    office.goto(live_server.url + siti.get_absolute_url())
    expect(office.get_by_text("Dilayani").first).to_be_visible()
