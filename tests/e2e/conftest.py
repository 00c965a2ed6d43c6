"""Browser journeys: Playwright's sync API driving the system Chromium against pytest-django's live server.

Every test in this folder is marked ``e2e`` and skipped with a clear reason when the system
Chromium (/usr/bin/chromium) is missing, so the suite still passes on a laptop without it; CI
installs it (.ci/run). Playwright's own browser downloads are never used.

Screenshots of the key steps go to ``$SIDBS_E2E_SCREENSHOTS`` (default ``build/e2e-screenshots``).
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "rahasia-uji-123"  # the password make_user gives every test account
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _skip_reason() -> str:
    if not CHROMIUM.exists():
        return "tes e2e dilewati: Chromium sistem tidak ada di {} (apt-get install chromium)".format(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "tes e2e dilewati: paket pip playwright belum terpasang (make install)"
    return ""


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``e2e``; skip them all when the browser is not available."""
    reason = _skip_reason()
    for item in items:
        if E2E_DIR not in Path(str(item.path)).parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker):
    """The system Chromium, for the tests of this folder; closed after them so later tests see no event loop.

    Between its calls Playwright's sync API leaves its asyncio loop marked as running in this thread.
    Django then keeps database connections per asyncio context instead of per thread, and the test
    would open a second connection without the state the test database setup left on the first (the
    serialized reference data that ``serialized_rollback`` restores). So the connections of the test
    thread are handed over to that context as they are.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with django_db_blocker.unblock():
        thread_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, device: dict):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **device)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append("{} ({})".format(message.text, message.location.get("url")))
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.js_errors = errors
    return context, page


def _page_checked(browser, viewport):
    """Yield a page; when the test is done, fail it if the page logged a JavaScript or CSP error."""
    context, page = _page(browser, viewport)
    yield page
    context.close()
    assert not page.js_errors, "galat JavaScript atau CSP di halaman: {}".format(page.js_errors)


@pytest.fixture
def phone(browser):
    """A page on a phone-sized touch screen (390×844, like the Pensosmas' phones in the village)."""
    yield from _page_checked(browser, PHONE)


@pytest.fixture
def desktop(browser):
    """A page in an office browser window."""
    yield from _page_checked(browser, DESKTOP)


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "step")`` saves a full-page PNG named after the test and the step number."""
    folder = Path(os.environ.get("SIDBS_E2E_SCREENSHOTS") or REPO_ROOT / "build" / "e2e-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    counter = iter(range(1, 100))

    def take(page, step: str) -> Path:
        path = folder / "{}-{:02d}-{}.png".format(test_name, next(counter), step)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    """``login(page, username)`` signs in through the real login form and lands on the dashboard."""
    from playwright.sync_api import expect

    def sign_in(page, username: str) -> None:
        page.goto(live_server.url + "/akun/masuk/")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("navigation", name="Menu utama")).to_be_visible()

    return sign_in
