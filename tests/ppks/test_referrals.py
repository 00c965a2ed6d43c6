"""The referral loop through its services: letters, the unit's answers, the registration following, routes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Signatory
from accounts.scoping import visible_to
from ppks import privacy, referral_services, services
from ppks.models import (
    Category,
    CategoryDirectorate,
    Directorate,
    Person,
    Referral,
    ReferralEvent,
    Registration,
    ServiceRecord,
    ServiceUnit,
)
from ppks.referral_selectors import referral_candidates, referral_state_counts
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def verified(users, *, category="FM", nik="3511015203850003", name="Siti Aminah", sex="P"):
    registration = register(users["pensosmas"], category=category, nik=nik, name=name, sex=sex, submit=True)
    return services.registration_transition(registration=registration, action="verify", actor=users["regency"])


def send(users, registrations, directorate="dayasos", *, actor="regency", unit=None) -> list[Referral]:
    sender = users[actor]
    batch = referral_services.referral_letter_create(actor=sender, request=referral_services.LetterRequest(
        region_code=sender.region_code, directorate=Directorate.objects.get(code=directorate),
        registration_ids=[registration.pk for registration in registrations],
        signatory=Signatory.objects.get(office__region_code=sender.region_code, mode="kepala"), unit=unit))
    return list(batch.referrals.order_by("pk"))


def status_of(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def test_letter_marks_referred_and_opens_one_referral_per_person_at_the_ditjen(users):
    registrations = [verified(users), verified(users, nik="3511011006800001", name="Budi Santoso", sex="L")]
    referrals = send(users, registrations)
    assert [referral.unit.kind for referral in referrals] == ["ditjen", "ditjen"]
    assert {referral.state for referral in referrals} == {"sent"}
    assert {status_of(registration) for registration in registrations} == {"referred"}
    batch = referrals[0].batch
    assert batch.office.region_code == "35.11"
    assert batch.signed_by["name"] == "Kepala Uji 2"
    assert batch.copies_to == []
    assert ReferralEvent.objects.filter(action="sent").count() == 2
    # the unit officer is told once per letter, without naming anyone
    notification = Notification.objects.get(recipient=users["unit"])
    assert notification.kind == "referral_received"
    assert "Siti" not in str(notification.params)


def test_accept_serve_close_flows_back_to_the_registration(users):
    registration = verified(users)
    referral = send(users, [registration])[0]
    referral_services.referral_accept(referral=referral, actor=users["unit"], note="Kami tangani.")
    assert status_of(registration) == "referred"
    record = referral_services.referral_service_record(
        referral=referral, actor=users["unit"], service_type=ServiceRecord.ServiceType.SOCIAL_ASSISTANCE,
        service_date=TODAY, note="Paket sembako")
    assert record.recorded_by == users["unit"]
    assert status_of(registration) == "served"
    referral_services.referral_close(referral=referral, actor=users["unit"], outcome="completed")
    registration.refresh_from_db()
    assert (registration.status, registration.closed_at is not None) == ("closed", True)
    assert [event.to_status for event in registration.events.all()] == [
        "draft", "submitted", "verified", "referred", "served", "closed"]
    kinds = list(Notification.objects.filter(recipient=users["regency"]).values_list("kind", flat=True))
    assert sorted(kinds) == ["referral_accepted", "referral_closed", "referral_served"]
    assert AuditEvent.objects.filter(action__startswith="ppks.referral.").count() == 4  # send + 3 answers


def test_decline_needs_a_reason_and_returns_the_registration_to_dinas_sosial(users):
    registration = verified(users)
    referral = send(users, [registration])[0]
    with pytest.raises(ValidationError) as error:
        referral_services.referral_decline(referral=referral, actor=users["unit"], reason="  ")
    assert error.value.message_dict == {"reason": ["Alasan penolakan wajib diisi."]}
    referral_services.referral_decline(referral=referral, actor=users["unit"], reason="Di luar kewenangan unit")
    assert status_of(registration) == "verified"
    referral.refresh_from_db()
    assert (referral.state, referral.decline_reason) == ("declined", "Di luar kewenangan unit")
    # it can be referred again, and the declined referral left the unit's inbox
    assert referral_candidates(user=users["regency"], region_code="", directorate_code="dayasos").filter(
        pk=registration.pk).exists()
    assert not visible_to(users["unit"], Referral.objects.all()).exists()


def test_forward_ends_this_referral_and_opens_one_at_the_other_unit(users):
    registration = verified(users)
    referral = send(users, [registration])[0]
    linjamsos = ServiceUnit.objects.get(directorate__code="linjamsos", kind="ditjen")
    officer = users["unit"].__class__.objects.create_user(username="petugas.linjamsos", password="x" * 12,
                                                          role="unit_officer")
    linjamsos.officers.add(officer)
    referral_services.referral_forward(referral=referral, actor=users["unit"], unit=linjamsos, note="Bansos")
    referral.refresh_from_db()
    onward = referral.forwards.get()
    assert (referral.state, onward.state, onward.unit, onward.directorate.code) == (
        "forwarded", "sent", linjamsos, "linjamsos")
    assert status_of(registration) == "referred"
    assert list(visible_to(users["unit"], Referral.objects.all())) == []
    assert list(visible_to(officer, Referral.objects.all())) == [onward]
    assert Notification.objects.filter(recipient=officer, kind="referral_received").exists()
    assert Notification.objects.filter(recipient=users["regency"], kind="referral_forwarded").exists()


def test_forward_to_the_same_unit_or_a_closed_referral_is_refused(users):
    referral = send(users, [verified(users)])[0]
    with pytest.raises(ValidationError):
        referral_services.referral_forward(referral=referral, actor=users["unit"], unit=referral.unit)
    referral_services.referral_decline(referral=referral, actor=users["unit"], reason="Kuota penuh")
    with pytest.raises(PermissionDenied):  # a declined referral has left the unit's inbox
        referral_services.referral_accept(referral=referral, actor=users["unit"])
    with pytest.raises(ValidationError) as error:
        referral_services.referral_accept(referral=referral, actor=users["regency"])
    assert error.value.messages == ["Rujukan berstatus 'Ditolak unit' tidak dapat diterima."]


def test_services_cannot_be_dated_in_the_future_and_closing_as_completed_needs_one(users):
    referral = send(users, [verified(users)])[0]
    referral_services.referral_accept(referral=referral, actor=users["unit"])
    with pytest.raises(ValidationError) as error:
        referral_services.referral_service_record(referral=referral, actor=users["unit"], service_type="bansos",
                                                  service_date=TODAY + datetime.timedelta(days=1))
    assert error.value.message_dict == {"service_date": ["Tanggal layanan tidak boleh di masa depan."]}
    with pytest.raises(ValidationError) as error:
        referral_services.referral_close(referral=referral, actor=users["unit"], outcome="completed")
    assert "Catat dahulu layanan" in error.value.messages[0]
    referral_services.referral_close(referral=referral, actor=users["unit"], outcome="unreachable",
                                     note="Pindah ke luar kota")
    assert status_of(referral.registration) == "closed"


def test_only_the_addressed_unit_and_the_region_may_answer(users):
    referral = send(users, [verified(users)])[0]
    other_unit_officer = users["unit"].__class__.objects.create_user(
        username="petugas.rehsos", password="x" * 12, role="unit_officer")
    ServiceUnit.objects.get(directorate__code="rehsos", kind="ditjen").officers.add(other_unit_officer)
    for outsider in (other_unit_officer, users["other_regency"]):
        with pytest.raises(PermissionDenied):
            referral_services.referral_accept(referral=referral, actor=outsider)
    for reader in (users["analyst"], users["pensosmas"]):
        with pytest.raises(PermissionDenied):
            referral_services.referral_accept(referral=referral, actor=reader)
    # Dinas Sosial records an answer received on paper, marked as such on the registration
    referral_services.referral_accept(referral=referral, actor=users["province"], note="Surat jawaban 12/X")
    event = referral.events.get(action="accepted")
    assert (event.actor, event.note) == (users["province"], "Surat jawaban 12/X (dicatat oleh Dinas Sosial)")


def test_unit_officers_see_only_referrals_not_people_or_regions(users):
    registration = verified(users)
    send(users, [registration])
    unit = users["unit"]
    assert visible_to(unit, Referral.objects.all()).count() == 1
    assert not visible_to(unit, Registration.objects.all()).exists()
    assert not visible_to(unit, Person.objects.all()).exists()


def test_nik_reveal_only_for_units_that_need_it_and_audited(users):
    referral = send(users, [verified(users)])[0]
    head = referral.unit
    head.needs_full_nik = False
    head.save()
    with pytest.raises(PermissionDenied):
        referral_services.referral_nik_reveal(referral=referral, actor=users["unit"])
    head.needs_full_nik = True
    head.save()
    assert referral_services.referral_nik_reveal(referral=referral, actor=users["unit"]) == "3511015203850003"
    event = AuditEvent.objects.get(action="ppks.person.nik_reveal")
    assert (event.actor, event.detail) == (users["unit"], {"referral": referral.pk})
    with pytest.raises(PermissionDenied):
        referral_services.referral_nik_reveal(referral=referral, actor=users["analyst"])


def test_shared_routes_refer_fakir_miskin_to_dayasos_and_linjamsos(users):
    registration = verified(users)
    fm = Category.objects.get(code="FM")
    assert [directorate.code for directorate in fm.directorates_on(TODAY)] == ["dayasos", "linjamsos"]
    assert fm.directorate_on(TODAY).code == "dayasos"
    send(users, [registration], "dayasos")

    def candidates(code):
        return set(referral_candidates(user=users["regency"], region_code="", directorate_code=code)
                   .values_list("pk", flat=True))

    assert registration.pk not in candidates("dayasos")  # already open there
    assert registration.pk in candidates("linjamsos")  # the second route still waits
    assert registration.pk not in candidates("rehsos")  # FM does not go to Rehsos
    send(users, [registration], "linjamsos")
    assert registration.referrals.count() == 2
    # once every route is open, nothing is left to send, and sending again is refused as stale
    with pytest.raises(ValidationError):
        send(users, [registration], "linjamsos")


def test_routes_follow_their_validity_period(users):
    registration = verified(users, category="KBSP")
    route = CategoryDirectorate.objects.get(category__code="KBSP")
    route.valid_to = TODAY - datetime.timedelta(days=1)
    route.save()
    assert not referral_candidates(user=users["regency"], region_code="", directorate_code="dayasos").filter(
        pk=registration.pk).exists()
    with pytest.raises(ValidationError):
        send(users, [registration])


def test_overlapping_route_periods_are_refused():
    route = CategoryDirectorate.objects.get(category__code="FM", directorate__code="dayasos")
    twin = CategoryDirectorate(category=route.category, directorate=route.directorate,
                               valid_from=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        twin.full_clean()


def test_overdue_is_derived_and_notified_once_per_letter(users, settings):
    settings.SIDBS_REFERRAL_ANSWER_DAYS = 14
    referrals = send(users, [verified(users), verified(users, nik="3511011006800001", name="Budi", sex="L")])
    later = timezone.now() + datetime.timedelta(days=15)
    assert referrals[0].is_overdue(later)
    assert Referral.objects.overdue(now=later).count() == 2
    assert referral_services.referrals_overdue_notify(now=later) == 1
    assert referral_services.referrals_overdue_notify(now=later) == 0  # told once
    notification = Notification.objects.get(kind="referral_overdue")
    assert notification.params == {"count": 2, "letter": referrals[0].batch.letter_number, "days": 14}
    referral_services.referral_accept(referral=referrals[0], actor=users["unit"])
    assert Referral.objects.overdue(now=later).count() == 1  # an answer ends it; nothing stored to reset
    assert referral_state_counts(users["regency"])["sent"] == 1


def test_anonymised_person_referral_free_text_is_removed_and_answers_refused(users):
    registration = verified(users)
    referral = send(users, [registration])[0]
    referral_services.referral_accept(referral=referral, actor=users["unit"], note="Ibu Siti di rumah anaknya")
    referral_services.referral_service_record(referral=referral, actor=users["unit"], service_type="bansos",
                                              service_date=TODAY, note="Diterima Siti sendiri")
    privacy.person_anonymise(person=registration.person, actor=users["admin"], reason="Permintaan subjek",
                             force=True)
    assert not ReferralEvent.objects.exclude(note="").filter(note__icontains="Siti").exists()
    assert not ServiceRecord.objects.filter(note__icontains="Siti").exists()
    with pytest.raises(ValidationError):
        referral_services.referral_close(referral=referral, actor=users["unit"], outcome="completed")


def test_inbox_page_and_answer_forms_for_the_unit(client, users):
    referral = send(users, [verified(users)])[0]
    client.force_login(users["unit"])
    inbox = client.get(reverse("ppks:referral-list"))
    assert inbox.status_code == 200
    assert "Siti Aminah" in inbox.content.decode()
    assert "3511015203850003" not in inbox.content.decode()
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "3511********0003" in page
    declined = client.post(reverse("ppks:referral-action", args=[referral.pk, "tolak"]), {"tolak-reason": ""})
    assert declined.status_code == 200
    assert "Alasan penolakan wajib diisi." in declined.content.decode()
    accepted = client.post(reverse("ppks:referral-action", args=[referral.pk, "terima"]), {"terima-note": ""})
    assert accepted.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "accepted"


def test_referral_api_answers_and_lists_for_the_unit(api_client, users):
    referral = send(users, [verified(users)])[0]
    api_client.force_authenticate(users["unit"])
    listed = api_client.get("/api/v1/referrals/").json()["results"]
    assert [(row["id"], row["state"], row["nik_masked"]) for row in listed] == [
        (referral.pk, "sent", "3511********0003")]
    response = api_client.post("/api/v1/referrals/{}/services/".format(referral.pk),
                               {"service_type": "bansos", "service_date": TODAY.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["registration_status"]) == ("in_service", "served")
    missing = api_client.post("/api/v1/referrals/{}/close/".format(referral.pk), {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"outcome": ["Wajib diisi."]}
    api_client.force_authenticate(users["analyst"])
    assert api_client.post("/api/v1/referrals/{}/accept/".format(referral.pk)).status_code == 403
    assert api_client.get("/api/v1/referrals/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_letters_sent_at_once_for_the_same_people_send_one(users):
    """Issue 15, item 11: two officers send the same people at the same moment (PostgreSQL): one letter
    goes out, the other is told to reload its preview; no deadlock, no shared letter number, no 500."""
    from django.db import transaction

    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    registrations = [verified(users), verified(users, nik="3511011006800001", name="Budi Santoso", sex="L")]

    def send_once(order):
        with transaction.atomic():
            return send(users, order)[0].batch.letter_number

    outcomes = at_once(lambda: send_once(registrations), lambda: send_once(list(reversed(registrations))))
    sent = [outcome for outcome in outcomes if isinstance(outcome, str)]
    refused = [outcome.messages[0] for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(sent) == 1, outcomes  # a deadlock or a unique violation would be an outcome of its own
    assert refused == ["2 registrasi berubah sejak pratinjau (status, tujuan atau wilayah). Muat ulang pratinjau."]
    assert Referral.objects.count() == 2
    assert {status_of(registration) for registration in registrations} == {"referred"}


def test_landing_page_referral_counts_are_cached_yet_follow_each_answer_and_the_deadline(users, settings):
    """referral_state_counts is cached per scope: an answer marks it stale, and the deadline is read per minute."""
    from unittest import mock

    settings.SIDBS_REFERRAL_ANSWER_DAYS = 14
    referrals = send(users, [verified(users), verified(users, nik="3511011006800001", name="Budi", sex="L")])
    counts = referral_state_counts(users["regency"])
    assert (counts["sent"], counts["accepted"], counts["overdue"]) == (2, 0, 0)
    with CaptureQueriesContext(connection) as cached:
        assert referral_state_counts(users["regency"]) == counts
    assert not cached.captured_queries
    referral_services.referral_accept(referral=referrals[0], actor=users["unit"])
    counts = referral_state_counts(users["regency"])
    assert (counts["sent"], counts["accepted"]) == (1, 1)
    later = timezone.now() + datetime.timedelta(days=15)
    with mock.patch("ppks.referral_selectors.timezone.now", return_value=later):
        assert referral_state_counts(users["regency"])["overdue"] == 1
