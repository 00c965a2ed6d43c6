"""Browser journeys on the maps: an analyst drills from Indonesia down to a village, a kabupaten officer on a
phone sees only their kabupaten coloured, and the server-drawn map works without JavaScript.

Boundaries of provinces 35 and 33 are loaded from the bundle; the figures are counted from registrations,
an assessment and lokus years made through the services (``tests/maps/conftest.py``).
"""

import re

import pytest

from maps.services import shapes_load
from tests.e2e.test_journeys import assert_fits_phone
from tests.maps.conftest import build_map_data

expect = pytest.importorskip("playwright.sync_api", reason="paket pip playwright belum terpasang (make install)").expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def map_data(users):
    """Boundaries of Jawa Timur and Jawa Tengah, registrations, an assessment and lokus villages (tests/maps)."""
    shapes_load(only=("35", "33"))
    return build_map_data(users)


@pytest.fixture
def wide(browser):
    """An office screen of 1366 × 900."""
    from tests.e2e.conftest import _page_checked

    yield from _page_checked(browser, {"viewport": {"width": 1366, "height": 900}})


def wait_for_map(page) -> None:
    expect(page.locator("#peta[data-ready='1']")).to_have_count(1)


def click_inside(page, selector: str) -> None:
    """Click a point that lies inside the shape itself (not just its bounding box), as a user aims."""
    page.locator(selector).first.scroll_into_view_if_needed()
    point = page.evaluate("""(selector) => {
        const element = document.querySelector(selector);
        const box = element.getBoundingClientRect();
        for (let row = 1; row < 40; row++) {
          for (let column = 1; column < 40; column++) {
            const x = box.left + box.width * column / 40, y = box.top + box.height * row / 40;
            if (document.elementFromPoint(x, y) === element) { return {x: x, y: y}; }
          }
        }
        return null;
    }""", selector)
    assert point, "tidak ada titik di dalam {}".format(selector)
    page.mouse.click(point["x"], point["y"])


def test_analyst_drills_from_indonesia_to_a_village(live_server, map_data, wide, login, screenshot):
    page = wide
    login(page, "analis")
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Peta & Grafik").click()
    expect(page.get_by_role("heading", name="Peta Indonesia")).to_be_visible()
    wait_for_map(page)
    expect(page.locator(".map-total")).to_contain_text("12")
    screenshot(page, "indonesia")

    click_inside(page, "path.map-area.kode-35")
    expect(page.get_by_role("heading", name="Peta JAWA TIMUR")).to_be_visible()
    wait_for_map(page)
    expect(page.get_by_role("row").filter(has_text="KAB. BONDOWOSO")).to_contain_text("9")
    screenshot(page, "jawa-timur")

    page.get_by_label("Ukuran yang dipetakan").select_option(label="Menunggu verifikasi")
    expect(page).to_have_url(re.compile(r"measure=submitted"))
    wait_for_map(page)
    expect(page.get_by_role("row").filter(has_text="KAB. BONDOWOSO")).to_contain_text("5")
    click_inside(page, "path.map-area.kode-35-11")
    expect(page.get_by_role("heading", name="Peta KAB. BONDOWOSO")).to_be_visible()
    wait_for_map(page)
    screenshot(page, "bondowoso")

    click_inside(page, "path.map-area.kode-35-11-01")
    expect(page.get_by_role("heading", name="Peta Maesan")).to_be_visible()
    wait_for_map(page)
    trail = page.get_by_role("navigation", name="Jejak wilayah")
    expect(trail).to_have_text(re.compile(r"Indonesia\s*›\s*JAWA TIMUR\s*›\s*KAB. BONDOWOSO\s*›\s*Maesan"))
    expect(page.locator(".map-side")).to_contain_text("Rendah")
    screenshot(page, "maesan")

    trail.get_by_role("link", name="KAB. BONDOWOSO").click()  # back up by the breadcrumbs
    expect(page.get_by_role("heading", name="Peta KAB. BONDOWOSO")).to_be_visible()
    page.go_back()
    wait_for_map(page)
    page.locator("path.map-point.kode-35-11-01-2001").click()
    expect(page.get_by_role("heading", name=re.compile("Sucolor"))).to_be_visible()
    assert page.url.endswith("/wilayah/desa/35.11.01.2001/")
    screenshot(page, "desa-sucolor")


def test_kabupaten_officer_sees_only_their_kabupaten_coloured_on_a_phone(live_server, map_data, phone, login,
                                                                        screenshot):
    page = phone
    login(page, "bondowoso")
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Peta & Grafik").click()
    expect(page.get_by_role("heading", name="Peta JAWA TIMUR")).to_be_visible()
    wait_for_map(page)
    coloured = page.locator("path.map-area.kode-35-11")
    expect(coloured).to_have_count(1)
    assert coloured.get_attribute("fill") not in {"#e3e3e3", "#ffffff"}
    expect(page.locator("#peta path.map-area.outside")).to_have_count(37)
    expect(page.locator("#peta path.map-area:not(.outside)")).to_have_count(1)
    assert "SITUBONDO" not in page.content().upper()
    expect(page.locator(".map-side")).to_contain_text("Di luar wilayah kerja Anda")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and Bondowoso; no Jawa Timur total (not theirs)
    assert_fits_phone(page)
    screenshot(page, "jawa-timur-kabupaten")

    page.get_by_role("link", name="Grafik wilayah ini").click()
    expect(page.get_by_role("heading", name="Grafik KAB. BONDOWOSO")).to_be_visible()
    chart = page.locator("#kategori")
    chart.get_by_text("Tabel angka").click()
    expect(chart.get_by_role("row").filter(has_text="Fakir Miskin (FM)")).to_contain_text("6")
    assert_fits_phone(page)
    screenshot(page, "grafik-bondowoso")


def test_the_server_drawn_map_works_without_javascript(live_server, map_data, browser, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/akun/masuk/")
        page.get_by_label("Nama pengguna").fill("analis")
        page.get_by_label("Kata sandi").fill("rahasia-uji-123")
        page.get_by_role("button", name="Masuk").click()
        page.goto(live_server.url + "/peta/")
        expect(page.locator("#peta")).to_be_hidden()
        page.locator("svg.map-svg a[aria-label^='JAWA TIMUR']").click()
        expect(page.get_by_role("heading", name="Peta JAWA TIMUR")).to_be_visible()
        expect(page.locator("svg.map-svg path.map-area[data-code]")).to_have_count(2)
        page.get_by_label("Ukuran yang dipetakan").select_option(label="Menunggu verifikasi")
        page.get_by_role("button", name="Tampilkan").click()
        expect(page.locator("svg.map-svg a[aria-label='KAB. BONDOWOSO: 5']")).to_have_count(1)
        screenshot(page, "tanpa-javascript")
    finally:
        context.close()
