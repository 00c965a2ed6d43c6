"""Issue 18: a Pensosmas works without signal on a 390×844 phone, and the lists are cards on that phone.

The service worker and the IndexedDB outbox run in the real Chromium; ``context.set_offline`` cuts the
network of the page and of its service worker. Screenshots of the phone pages go to the e2e folder.
"""

import pytest

from dimensions import services as dimension_services
from dimensions.models import Answer, Assessment
from ppks import services as ppks_services
from ppks.models import Person, Registration
from tests.e2e.test_journeys import SURVEY_VALUES, assert_fits_phone
from tests.ppks.factories import register
from villages.models import Village

expect = pytest.importorskip("playwright.sync_api", reason="paket pip playwright belum terpasang (make install)").expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TAKEN_NIK = "3511015203850003"  # Siti Aminah, registered before the journey (tests/ppks/factories.py)


def fill_registration(page, *, name: str, nik: str, sex: str, birth_date: str, category: str) -> None:
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("No. KK").fill("3511012005150003")
    page.get_by_role("radio", name=sex).check()
    page.get_by_label("Tempat lahir").fill("Bondowoso")
    page.get_by_label("Tanggal lahir").fill(birth_date)
    page.get_by_label("Desa/kelurahan").select_option("35.11.01.2001")
    page.get_by_label("Dusun/lingkungan").fill("Krajan")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("1")
    page.get_by_label("Kategori PPKS").select_option(label=category)
    page.get_by_label("Kebutuhan").fill("Bantuan pangan")


def outbox_item(page, label: str):
    return page.locator(".outbox-item").filter(has_text=label)


def test_pensosmas_registers_and_surveys_offline_then_syncs_exactly_once(live_server, users, phone, login, screenshot):
    page = phone
    pensosmas = users["pensosmas"]
    register(pensosmas)  # Siti Aminah: her NIK is taken
    rejected = register(pensosmas, submit=True, name="Budi Santoso", nik="3511011006800001", sex="L",
                        birth_date=None, kk_number="")
    ppks_services.registration_transition(registration=rejected, action="reject", actor=users["regency"],
                                          note="Foto KTP tidak terbaca")

    login(page, "pensosmas")
    # The home is a task list: the draft, the rejection with its reason, the outbox.
    tasks = page.locator("section.tasks")
    expect(tasks.locator(".task-rejected")).to_contain_text("Foto KTP tidak terbaca")
    expect(tasks.locator(".task-draft")).to_contain_text("Siti Aminah")
    expect(tasks.locator("[data-outbox-counts]")).to_have_text("Kotak keluar kosong: semua isian sudah terkirim.")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1")  # the worker keeps the pages
    assert page.evaluate("!!navigator.serviceWorker.controller")
    assert_fits_phone(page)
    screenshot(page, "beranda-pensosmas")

    # No signal from here on.
    page.context.set_offline(True)
    page.goto(live_server.url + "/ppks/daftar/")
    expect(page.get_by_role("heading", name="Daftarkan PPKS")).to_be_visible()
    expect(page.locator(".offline-banner")).to_be_visible()
    fill_registration(page, name="Sri Wahyuni", nik="3511016107900002", sex="Perempuan", birth_date="1990-07-21",
                      category="Fakir Miskin (FM)")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Tersimpan di kotak keluar perangkat (menunggu dikirim).")).to_be_visible()
    expect(page.get_by_label("Nama lengkap")).to_have_value("")

    # The second person is typed halfway, the page reloads: what was typed is still there.
    fill_registration(page, name="Sitti Aminah", nik=TAKEN_NIK, sex="Perempuan", birth_date="1985-03-12",
                      category="Fakir Miskin (FM)")
    page.wait_for_timeout(400)  # the draft is kept a moment after the last keystroke
    page.reload()
    expect(page.get_by_text("Isian yang belum disimpan dipulihkan dari perangkat.")).to_be_visible()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Sitti Aminah")
    expect(page.get_by_label("NIK", exact=True)).to_have_value(TAKEN_NIK)
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Tersimpan di kotak keluar perangkat (menunggu dikirim).")).to_be_visible()

    # A village survey with one respondent.
    page.goto(live_server.url + "/luring/survei/")
    page.get_by_label("Desa/kelurahan").select_option("35.11.01.2001")
    page.get_by_label("Tahap").select_option(label="Baseline (Look)")
    page.get_by_role("textbox", name="Nama", exact=True).fill("Ibu Sumiati")
    page.get_by_role("textbox", name="Lembaga").fill("PKK Desa Sucolor")
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(20)
    for index in range(groups.count()):
        group = groups.nth(index)
        group.get_by_role("radio", name=SURVEY_VALUES[group.get_attribute("aria-label")[0]], exact=True).check()
    assert_fits_phone(page)
    page.get_by_role("button", name="Simpan ke kotak keluar").click()
    expect(page.get_by_text("Tersimpan di kotak keluar perangkat (menunggu dikirim).")).to_be_visible()

    # The outbox, reloaded without signal: all three wait.
    page.goto(live_server.url + "/luring/kotak-keluar/")
    page.reload()
    expect(page.locator(".outbox-item")).to_have_count(3)
    expect(page.locator(".outbox-item.state-menunggu")).to_have_count(3)
    expect(page.locator("[data-outbox-counts]")).to_have_text("3 menunggu, 0 perlu perbaikan, 0 terkirim")
    assert Registration.objects.filter(person__name__in=["Sri Wahyuni", "Sitti Aminah"]).count() == 0
    assert_fits_phone(page)
    screenshot(page, "kotak-keluar-tanpa-sinyal")

    # Signal again: send. Sitti Aminah comes back, her NIK is taken.
    page.context.set_offline(False)
    page.get_by_role("button", name="Kirim sekarang").click()
    expect(page.locator(".outbox-item.state-terkirim")).to_have_count(2)
    fix = outbox_item(page, "Sitti Aminah")
    expect(fix.locator(".outbox-state")).to_have_text("Perlu perbaikan")
    expect(fix).to_contain_text("NIK ini sudah terdaftar")
    expect(outbox_item(page, "Sri Wahyuni")).to_contain_text("Terkirim")
    screenshot(page, "kotak-keluar-perlu-perbaikan")

    # Correct it on the form (the error is beside the NIK field), save: sent again with the same UUID.
    fix.get_by_role("link", name="Perbaiki").click()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Sitti Aminah")
    expect(page.locator(".has-error").filter(has=page.get_by_label("NIK", exact=True))).to_contain_text(
        "NIK ini sudah terdaftar")
    screenshot(page, "perbaiki-nik")
    page.get_by_label("NIK", exact=True).fill("3511014107850005")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page).to_have_url(live_server.url + "/luring/kotak-keluar/")
    expect(page.locator(".outbox-item.state-terkirim")).to_have_count(3)
    expect(page.locator("[data-outbox-counts]")).to_have_text("0 menunggu, 0 perlu perbaikan, 3 terkirim")
    screenshot(page, "kotak-keluar-terkirim")

    # Everything is on the server exactly once; sending again changes nothing.
    page.get_by_role("button", name="Kirim sekarang").click()
    page.wait_for_timeout(300)
    assert Registration.objects.filter(person__name="Sri Wahyuni").count() == 1
    assert Registration.objects.filter(person__name="Sitti Aminah").count() == 1
    assert Person.objects.get(nik="3511014107850005").name == "Sitti Aminah"
    assert Person.objects.filter(nik=TAKEN_NIK).get().name == "Siti Aminah"
    assert Registration.objects.filter(client_uuid__isnull=False).count() == 2
    sri = Registration.objects.get(person__name="Sri Wahyuni")
    assert (sri.status, sri.person.rt, sri.person.village_id) == (Registration.Status.SUBMITTED, "003", "35.11.01.2001")
    assessment = Assessment.objects.get()
    assert assessment.client_uuid is not None
    assert assessment.status == Assessment.Status.DRAFT
    assert Answer.objects.filter(respondent__assessment=assessment).count() == 20
    assert page.evaluate("SidbsOutbox.all().then(items => items.every(item => !item.payload && !item.form))")
    # The browser logs the refused entry's answer (400) as a failed resource; that one is expected.
    page.js_errors[:] = [error for error in page.js_errors
                         if not ("status of 400" in error and "/api/v1/registrations/" in error)]


def test_lists_are_cards_and_the_menu_scrolls_on_a_phone(live_server, users, phone, login, screenshot):
    page = phone
    for index in range(3):
        register(users["pensosmas"], submit=True, name="Warga {}".format(index), nik="351101520385001{}".format(index),
                 kk_number="")
    dimension_services.assessment_create(actor=users["pensosmas"], village=Village.objects.get(code="35.11.01.2001"),
                                         year=2026, phase=Assessment.Phase.BASELINE)
    login(page, "bondowoso")
    nav = page.get_by_role("navigation", name="Menu utama")
    assert nav.evaluate("nav => nav.scrollWidth > nav.clientWidth"), "menu muat tanpa gulir: uji ini tidak berguna"
    assert nav.evaluate("nav => getComputedStyle(nav).overflowX") == "auto"
    for path, name, rows in (("/ppks/", "daftar-ppks", 3), ("/ppks/verifikasi/", "antrean-verifikasi", 3),
                             ("/asesmen/", "asesmen", 1)):
        page.goto(live_server.url + path)
        assert_fits_phone(page)
        cards = page.locator("table.cards tbody tr")
        expect(cards).to_have_count(rows)
        last_cell = cards.first.locator("td").last  # the status or the actions, off-screen in a desktop table
        box = last_cell.bounding_box()
        assert box["x"] >= 0, "{}: kolom terakhir di luar layar: {}".format(path, box)
        assert box["x"] + box["width"] <= 390, "{}: kolom terakhir di luar layar: {}".format(path, box)
        assert cards.first.locator("td").nth(1).get_attribute("data-label")
        assert cards.first.evaluate("row => getComputedStyle(row).display") != "table-row"
        screenshot(page, name)
    # The current entry of the menu is scrolled into view.
    expect(nav.locator("a[aria-current=page]")).to_be_in_viewport()


def cached_pages_kept(page) -> bool:
    """Whether the service worker still holds the user's working pages (polled: the worker deletes them)."""
    for _ in range(20):
        if not page.evaluate("caches.has('sidbs-pages')"):
            return False
        page.wait_for_timeout(100)
    return True


def test_outbox_and_drafts_survive_session_expiry_and_sign_out(live_server, users, phone, login):
    from django.contrib.sessions.models import Session

    page = phone
    login(page, "pensosmas")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1")
    assert cached_pages_kept(page)

    page.context.set_offline(True)
    page.goto(live_server.url + "/ppks/daftar/")
    fill_registration(page, name="Sri Wahyuni", nik="3511016107900002", sex="Perempuan", birth_date="1990-07-21",
                      category="Fakir Miskin (FM)")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Tersimpan di kotak keluar perangkat (menunggu dikirim).")).to_be_visible()
    page.get_by_label("Nama lengkap").fill("Rahmat Hidayat")  # typed, not saved
    page.wait_for_timeout(400)
    page.goto(live_server.url + "/luring/kotak-keluar/")

    # The session ends on the server while the phone has no signal; then the signal returns.
    Session.objects.all().delete()
    page.context.set_offline(False)
    page.get_by_role("button", name="Kirim sekarang").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Sesi berakhir. Isian tetap aman di perangkat")
    expect(page.locator(".outbox-item.state-menunggu")).to_have_count(1)
    assert not Registration.objects.exists()

    # Signing in again (the link returns to the outbox) sends it.
    page.get_by_role("link", name="Masuk lagi").click()
    assert not cached_pages_kept(page), "halaman pribadi masih tersimpan setelah sesi berakhir"
    page.get_by_label("Nama pengguna").fill("pensosmas")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.url + "/luring/kotak-keluar/")
    expect(page.locator(".outbox-item.state-terkirim")).to_have_count(1)
    assert Registration.objects.get().person.name == "Sri Wahyuni"

    # Signing out deletes the cached pages but keeps the outbox and the draft.
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_label("Nama pengguna")).to_be_visible()
    assert not cached_pages_kept(page), "halaman pribadi masih tersimpan setelah keluar"
    login(page, "pensosmas")
    page.goto(live_server.url + "/ppks/daftar/")
    expect(page.get_by_text("Isian yang belum disimpan dipulihkan dari perangkat.")).to_be_visible()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Rahmat Hidayat")
    page.goto(live_server.url + "/luring/kotak-keluar/")
    expect(page.locator(".outbox-item.state-terkirim")).to_contain_text("Sri Wahyuni")
    # The browser logs the session check's 401 as a failed resource; that one is expected.
    page.js_errors[:] = [error for error in page.js_errors
                         if not ("status of 401" in error and "/luring/sesi/" in error)]
