"""Browser journey through the DBS programme on the seeded demo village (Sucolor, the make run data).

A Pensosmas on a phone reads the village hub (phase derived from records, honest stage states), asks
to move a stage's planned end and maps a village asset; a Dinas Sosial officer on a desktop reads the
programme dashboard, approves the change, and downloads the village profile PDF. Screenshots of the
hub, the asset map, the dashboard and the PDF pages land in ``build/e2e-screenshots``.
"""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from actionplans.models import Asset, ProgrammeStage, StageChangeRequest
from config.demo import demo_year

expect = pytest.importorskip("playwright.sync_api", reason="paket pip playwright belum terpasang (make install)").expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SUCOLOR = "35.11.01.2001"
WIDE = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def demo(regions, settings):
    """The make run demo data (accounts with the demo password, Sucolor's programme)."""
    settings.DEBUG = True
    for command in ("seed_demo", "seed_demo_ppks", "seed_demo_assessments", "seed_demo_plans"):
        call_command(command)
    settings.DEBUG = False
    return demo_year()


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("navigation", name="Menu utama")).to_be_visible()


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "halaman {} lebih lebar dari layar: {}px".format(page.url, width)


def test_pensosmas_asks_for_a_schedule_change_and_maps_an_asset_then_dinsos_decides(
        live_server, demo, phone, browser, screenshot, tmp_path):
    year = demo
    # A Pensosmas on a phone opens Sucolor's programme hub.
    page = phone
    sign_in(page, live_server, "pensosmas.maesan")
    page.goto("{}/rencana/desa/{}/".format(live_server.url, SUCOLOR))
    expect(page.get_by_role("heading", name=re.compile("Tahap DBS: Act: pelaksanaan rencana aksi"))).to_be_visible()
    expect(page.get_by_text("dari catatan", exact=True)).to_be_visible()
    collection = page.locator("article.stage-row").filter(has_text="Pengumpulan data")
    expect(collection.locator(".badge").first).to_have_text("Selesai terlambat · 10 hari")
    monitoring = page.locator("article.stage-row").filter(has_text="Monitoring")
    expect(monitoring).to_contain_text("Terlambat")
    expect(monitoring).to_contain_text("berisiko")
    expect(page.locator("article.stage-row").filter(has_text="Pelaksanaan")).to_contain_text(
        "Pengajuan perubahan menunggu keputusan")
    fits(page)
    screenshot(page, "hub-telepon")

    # The monitoring stage cannot start on time: she asks to move its planned end.
    monitoring.get_by_text("Ajukan perubahan jadwal").click()
    monitoring.get_by_label("Rencana selesai baru").fill("{}-12-20".format(year))
    monitoring.get_by_label("Alasan perubahan").fill("Monitoring menunggu pelaksanaan lumbung selesai.")
    monitoring.get_by_role("button", name="Kirim pengajuan").click()
    expect(page.get_by_text("Pengajuan perubahan jadwal Monitoring dikirim ke Dinas Sosial.")).to_be_visible()
    stage = ProgrammeStage.objects.get(village_id=SUCOLOR, year=year, stage="monitoring")
    assert stage.planned_end == datetime.date(year, 11, 15)  # unchanged until Dinas Sosial decides
    change = StageChangeRequest.objects.get(stage=stage)
    expect(page.locator("#tahap-{}".format(stage.pk))).to_contain_text("Monitoring menunggu pelaksanaan lumbung")
    # Still late while pending: the flag does not vanish with the request.
    expect(page.locator("#tahap-{}".format(stage.pk)).locator(".badge").first).to_contain_text("Terlambat")

    # Asset mapping: a leaky bucket the Pokja found in its ABCD session.
    page.get_by_role("link", name="Peta aset desa").click()
    expect(page.get_by_role("heading", name="Peta aset desa Sucolor")).to_be_visible()
    page.get_by_label("Jenis aset").select_option(label="Ekonomi")
    page.get_by_label("Nama aset").fill("Jajanan pabrikan dibeli dari kota")
    page.get_by_label("Pemilik/pengelola").fill("Warung-warung desa")
    page.get_by_label("Lokasi").fill("Dusun Krajan, dekat SD")
    page.get_by_label("Ember bocor (uang mengalir keluar desa)").check()
    page.get_by_label("Perkiraan uang keluar per bulan (Rp)").fill("5000000")
    page.get_by_role("button", name="Simpan aset").click()
    expect(page.get_by_text("Aset Jajanan pabrikan dibeli dari kota disimpan.")).to_be_visible()
    economic = page.get_by_role("region", name="Ekonomi")
    expect(economic).to_contain_text("Jajanan pabrikan dibeli dari kota")
    expect(economic.locator(".asset").filter(has_text="Jajanan pabrikan")).to_contain_text(
        "ember bocor: Rp 5.000.000/bulan")
    expect(page.get_by_text("Rp 80.000.000 per bulan mengalir keluar desa")).to_be_visible()
    page.get_by_role("link", name="Ember bocor", exact=True).click()
    expect(page.locator(".asset")).to_have_count(3)
    fits(page)
    screenshot(page, "peta-aset-telepon")
    asset = Asset.objects.get(name="Jajanan pabrikan dibeli dari kota")
    assert (asset.leaky_bucket, asset.monthly_outflow, asset.village_id) == (True, 5_000_000, SUCOLOR)
    # Her own programme dashboard (her two villages) fits the phone too.
    page.goto("{}/rencana/dasbor/".format(live_server.url))
    expect(page.locator(".stat").filter(has_text="Desa lokus")).to_contain_text("2")
    fits(page)
    screenshot(page, "dasbor-telepon")

    # Dinas Sosial at the office: the dashboard, then the decision.
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **WIDE)
    desk = context.new_page()
    try:
        sign_in(desk, live_server, "dinsos.bondowoso")
        desk.goto("{}/rencana/dasbor/".format(live_server.url))
        expect(desk.get_by_role("heading", name="Dasbor program DBS {}".format(year))).to_be_visible()
        stats = desk.locator(".stat")
        expect(stats.filter(has_text="Desa lokus")).to_contain_text("3")
        expect(stats.filter(has_text="Tahapan terlambat (belum selesai)")).to_contain_text("2")
        expect(stats.filter(has_text="Perubahan jadwal menunggu")).to_contain_text("2")
        expect(desk.get_by_role("heading", name="Tahapan selesai (dari 3 desa)")).to_be_visible()
        desk.get_by_label("Angkatan").select_option(label="Desa Melesat Bondowoso ({})".format(year))
        desk.get_by_role("button", name="Tampilkan").click()
        expect(desk.get_by_text("Desa angkatan (target 10)")).to_be_visible()
        screenshot(desk, "dasbor-desktop")

        desk.get_by_role("link", name="2").click()  # the pending changes
        card = desk.locator("section.card").filter(has_text="Monitoring menunggu pelaksanaan lumbung")
        card.get_by_role("button", name="Setujui").click()
        expect(desk.locator(".messages")).to_contain_text("Pengajuan perubahan jadwal Monitoring")
        expect(desk.locator(".messages")).to_contain_text("disetujui.")
        change.refresh_from_db()
        stage.refresh_from_db()
        assert (change.status, change.decided_by.username, stage.planned_end) == (
            "approved", "dinsos.bondowoso", datetime.date(year, 12, 20))
        desk.goto("{}/rencana/desa/{}/?year={}".format(live_server.url, SUCOLOR, year))
        row = desk.locator("#tahap-{}".format(stage.pk))
        expect(row.locator(".badge").first).to_have_text("Direncanakan")  # no longer late: the plan moved
        expect(row).to_contain_text("berisiko")  # still after a late stage
        screenshot(desk, "hub-desktop")

        # The village profile PDF says the same.
        desk.goto("{}/wilayah/desa/{}/".format(live_server.url, SUCOLOR))
        desk.get_by_role("button", name="Buat laporan profil desa (PDF)").click()
        expect(desk.locator("#job-state")).to_have_text("Selesai")
        with desk.expect_download() as download_info:
            desk.get_by_role("link", name="Unduh PDF").click()
        pdf_path = tmp_path / "profil.pdf"
        download_info.value.save_as(pdf_path)
    finally:
        context.close()
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = " ".join(" ".join(page_.extract_text() for page_ in reader.pages).split())
    assert "Act: pelaksanaan rencana aksi (dari catatan desa)" in text
    assert "Jajanan pabrikan dibeli dari kota (Warung-warung desa; Dusun Krajan, dekat SD) [ember bocor" in text
    assert "Rp 80.000.000 per bulan" in text
    if shutil.which("pdftoppm"):
        folder = screenshot(page, "akhir").parent
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf_path), str(folder / "profil-desa-pdf")], check=True)
