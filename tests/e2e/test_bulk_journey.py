"""Bulk work in a real browser: Dinas Sosial imports 500 drafts, submits them all from the import result page
and verifies all of them from the queue with "select all", each exactly once with its history."""

import pytest
from django.db.models import Count

from accounts.models import AuditEvent
from ppks.models import BulkAction, ImportJob, PersonHistory, Registration, RegistrationEvent
from tests.ppks.test_import import csv_file, person_row

expect = pytest.importorskip("playwright.sync_api", reason="paket pip playwright belum terpasang (make install)").expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DRAFTS = 500
# Submitting or verifying 500 registrations one service call each takes a while on a shared 2-core machine; with
# Celery eager (no REDIS_URL) the task runs when the request commits, so the request itself takes that long.
BULK_TIMEOUT_MS = 240_000


def test_dinsos_bulk_verifies_500_imported_drafts(live_server, users, desktop, login, screenshot, tmp_path):
    page = desktop
    upload = tmp_path / "impor-500.csv"
    upload.write_bytes(csv_file([person_row(index) for index in range(1, DRAFTS + 1)]).read())
    login(page, "bondowoso")

    # Import 500 rows as drafts through the upload form.
    page.goto(live_server.url + "/ppks/impor/")
    page.get_by_label("Berkas CSV atau XLSX").set_input_files(str(upload))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_text("500 registrasi dari impor ini disimpan sebagai draf.")).to_be_visible(timeout=60_000)
    job = ImportJob.objects.get()
    assert job.registrations.filter(status="draft").count() == DRAFTS
    screenshot(page, "hasil-impor")

    # "Ajukan semua": one bulk action over the import's drafts (above the sync limit: a Celery task).
    page.get_by_role("button", name="Ajukan semua draf impor ini").click(timeout=BULK_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Ajukan: 500 registrasi")).to_be_visible(timeout=BULK_TIMEOUT_MS)
    expect(page.locator("#bulk-status [data-field=state_label]")).to_have_text("Selesai", timeout=BULK_TIMEOUT_MS)
    expect(page.locator("[data-field=succeeded]")).to_have_text("500")
    assert Registration.objects.filter(status="submitted").count() == DRAFTS

    # The queue: tick the page, then "select all 500 matching" and verify them all at once.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Verifikasi").click()
    expect(page.get_by_text("500 registrasi menunggu verifikasi.")).to_be_visible()
    page.get_by_label("Pilih semua di halaman ini").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("50")
    page.get_by_label("Pilih semua 500 yang cocok (semua halaman)").check()
    screenshot(page, "pilih-semua")
    page.locator("#bulk-form").get_by_role("button", name="Verifikasi").click(timeout=BULK_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Verifikasi: 500 registrasi")).to_be_visible(timeout=BULK_TIMEOUT_MS)
    expect(page.locator("#bulk-status [data-field=state_label]")).to_have_text("Selesai", timeout=BULK_TIMEOUT_MS)
    expect(page.locator("[data-field=succeeded]")).to_have_text("500")
    expect(page.locator("[data-field=failed]")).to_have_text("0")
    expect(page.get_by_text("Semua registrasi terpilih berhasil diproses.")).to_be_visible()
    screenshot(page, "verifikasi-selesai")

    # Every one verified exactly once, by this officer, with its event, audit and field history.
    assert Registration.objects.filter(status="verified", verified_by=users["regency"]).count() == DRAFTS
    per_registration = (RegistrationEvent.objects.filter(to_status="verified").values("registration")
                        .annotate(times=Count("pk")).values_list("times", flat=True))
    assert sorted(set(per_registration)) == [1]
    assert len(per_registration) == DRAFTS
    assert AuditEvent.objects.filter(action="ppks.registration.verify").count() == DRAFTS
    verified_history = [entry for entry in PersonHistory.objects.filter(table_name="ppks_registration",
                                                                        action="update")
                        if entry.changes.get("status", {}).get("new") == "verified"]
    assert len(verified_history) == DRAFTS
    assert {entry.actor_id for entry in verified_history} == {users["regency"].pk}
    assert list(BulkAction.objects.order_by("pk").values_list("action", "succeeded", "processed")) == [
        ("submit", DRAFTS, DRAFTS), ("verify", DRAFTS, DRAFTS)]

    # The queue is empty afterwards.
    page.get_by_role("link", name="Kembali ke daftar").click()
    expect(page.get_by_text("Tidak ada registrasi yang menunggu.")).to_be_visible()
