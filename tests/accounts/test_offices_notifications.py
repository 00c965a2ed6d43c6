"""Issuing offices and their signatories, and the notification inbox (with its mail)."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent, Notification, Office, Signatory
from accounts.notifications import notify
from accounts.offices import office_for_region, office_missing_for_letters, office_of
from ppks import privacy
from ppks import services as ppks_services
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db


def png(size=(40, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_offices_follow_the_users_region_and_start_from_its_name(users):
    province, regency = office_of(users["province"]), office_of(users["regency"])
    assert (province.kind, province.government_name) == ("dinsos_provinsi", "PEMERINTAH PROVINSI JAWA TIMUR")
    assert (regency.kind, regency.government_name, regency.city) == (
        "dinsos_kabupaten", "PEMERINTAH KABUPATEN BONDOWOSO", "Bondowoso")
    assert regency.head_title == "KEPALA DINAS SOSIAL KABUPATEN BONDOWOSO"
    assert office_of(users["pensosmas"]) is None
    assert office_of(users["analyst"]) is None
    salatiga = office_for_region("33.73")
    assert (salatiga.government_name, salatiga.copies_to_lines()) == ("PEMERINTAH KOTA SALATIGA", [
        "Wali Kota Salatiga (sebagai laporan)", "Kepala Dinas Sosial Provinsi Jawa Tengah"])


def test_head_edits_the_office_others_read_it(client, users):
    office = office_of(users["regency"])
    client.force_login(users["regency"])
    page = client.get(reverse("accounts:office")).content.decode()
    assert "Hanya kepala dinas atau administrator" in page
    assert client.post(reverse("accounts:office"), {"form": "office"}).status_code == 403
    users["regency"].is_head = True
    users["regency"].save()
    response = client.post(reverse("accounts:office"), {
        "form": "office", "office-government_name": "PEMERINTAH KABUPATEN BONDOWOSO", "office-name": "DINAS SOSIAL",
        "office-address": "Jalan Raya Situbondo Nomor 1", "office-city": "Bondowoso", "office-postal_code": "68211",
        "office-phone": "", "office-email": "", "office-website": "", "office-classification_code": "460",
        "office-letter_code": "DINSOS.2", "office-copies_to": "Bupati Bondowoso",
        "office-emblem": SimpleUploadedFile("lambang.png", png(), content_type="image/png"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    office.refresh_from_db()
    assert (office.classification_code, office.letter_code, office.postal_code) == ("460", "DINSOS.2", "68211")
    assert re.fullmatch(r"offices/[0-9a-f]{32}\.png", office.emblem.name)  # a random name, never the uploaded one
    assert AuditEvent.objects.filter(action="accounts.office.update").exists()


def test_a_fake_emblem_is_refused(client, users):
    users["regency"].is_head = True
    users["regency"].save()
    client.force_login(users["regency"])
    response = client.post(reverse("accounts:office"), {
        "form": "office", "office-government_name": "PEMERINTAH KABUPATEN BONDOWOSO", "office-name": "DINAS SOSIAL",
        "office-address": "Jalan", "office-city": "Bondowoso", "office-classification_code": "400.9",
        "office-letter_code": "DINSOS",
        "office-emblem": SimpleUploadedFile("lambang.png", b"<svg onload=alert(1)>", content_type="image/png"),
    })
    assert response.status_code == 200
    assert response.context["office_form"].errors["emblem"]


def test_signatories_are_added_with_a_valid_nip_and_one_active_head(client, users):
    users["regency"].is_head = True
    users["regency"].save()
    client.force_login(users["regency"])
    bad = client.post(reverse("accounts:office"), {"form": "signatory", "signatory-mode": "an",
                                                    "signatory-name": "Sri", "signatory-nip": "1978",
                                                    "signatory-rank": "IV/a", "signatory-position": ""})
    errors = bad.context["signatory_form"].errors
    assert errors["nip"] == ["NIP harus 18 digit angka (spasi boleh)."]
    assert errors["position"] == ["Untuk a.n., isi jabatan penanda tangan (mis. Sekretaris)."]
    new_head = client.post(reverse("accounts:office"), {
        "form": "signatory", "signatory-mode": "kepala", "signatory-name": "Drs. Baru",
        "signatory-nip": "19700315 199503 1 002", "signatory-rank": "IV/c", "signatory-position": ""})
    assert new_head.status_code == 302, new_head.context["signatory_form"].errors
    office = office_of(users["regency"])
    assert list(office.signatories.filter(mode="kepala", active=True).values_list("name", flat=True)) == ["Drs. Baru"]
    assert Signatory.objects.get(name="Drs. Baru").nip == "197003151995031002"


def test_what_an_office_lacks_before_it_can_issue_letters(users):
    office = Office.objects.create(kind="kemensos", name="PUSAT DATA", government_name="KEMENTERIAN SOSIAL",
                                   city="Jakarta", letter_code="PUSDATIN")
    assert office_missing_for_letters(office) == [
        "alamat kantor", "penanda tangan (kepala dinas atau pejabat a.n./Plt.)"]
    assert office_missing_for_letters(None) == [
        "Akun Anda belum terhubung dengan kantor penerbit surat; hubungi administrator."]


def test_rejected_registration_notifies_its_registrar_by_inbox_and_mail(client, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users["pensosmas"].email = "rina@contoh.go.id"
    users["pensosmas"].save()
    registration = register(users["pensosmas"], submit=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        ppks_services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                              note="KK tidak terbaca")
    notification = Notification.objects.get(recipient=users["pensosmas"])
    assert notification.kind == "registration_rejected"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rina@contoh.go.id"]
    assert "Siti" not in message.body + message.subject  # mail says only that something waits
    assert "https://sidbs.uji.go.id/akun/notifikasi/" in message.body or notification.url in message.body
    client.force_login(users["pensosmas"])
    home = client.get(reverse("dashboard")).content.decode()
    assert 'class="nav-badge">1<' in home
    inbox = client.get(reverse("accounts:notifications")).content.decode()
    assert "Registrasi Siti Aminah (FM) ditolak Dinas Sosial" in inbox
    opened = client.get(reverse("accounts:notification-open", args=[notification.pk]))
    assert opened.url == registration.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'class="nav-badge"' not in client.get(reverse("dashboard")).content.decode()


def test_inbox_names_people_as_they_are_now(client, users):
    registration = register(users["pensosmas"], submit=True)
    ppks_services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                          note="Data salah")
    privacy.person_anonymise(person=registration.person, actor=users["regency"], reason="Permintaan subjek")
    client.force_login(users["pensosmas"])
    inbox = client.get(reverse("accounts:notifications")).content.decode()
    assert "Siti Aminah" not in inbox
    assert "Anonim #" in inbox


def test_notifications_are_told_once_per_key_and_only_to_their_recipient(client, users):
    for _ in range(2):
        notify(recipients=[users["regency"]], kind=Notification.Kind.REFERRAL_OVERDUE, dedupe_key="overdue:1",
               params={"count": 3, "letter": "400.9/0001", "days": 14})
    assert Notification.objects.filter(recipient=users["regency"]).count() == 1
    notification = Notification.objects.get()
    client.force_login(users["province"])
    assert client.get(reverse("accounts:notification-open", args=[notification.pk])).status_code == 404
    client.force_login(users["regency"])
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "3 rujukan dari surat 400.9/0001 belum dijawab setelah 14 hari." in page
