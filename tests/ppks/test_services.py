"""Registering, workflow, duplicates and merges through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Signatory
from ppks import referral_services, services
from ppks.models import (
    Category,
    Directorate,
    DuplicateCandidate,
    Person,
    PersonMerge,
    Registration,
    RegistrationEvent,
)
from tests.ppks.factories import person_data, register
from villages.models import Village

pytestmark = pytest.mark.django_db


def test_26_categories_are_seeded_with_their_directorates():
    categories = Category.objects.current().prefetch_related("assignments__directorate")
    assert categories.count() == 26
    today = datetime.date(2026, 11, 22)
    by_code = {category.code: category.directorate_on(today).code for category in categories}
    assert by_code["ABT"] == "rehsos"
    assert by_code["KBS"] == "linjamsos"
    assert by_code["KAT"] == "dayasos"
    assert Category.objects.get(code="PRSE").required_sex == "P"


def test_pensosmas_registers_and_submits_in_own_village(users):
    # when
    registration = register(users["pensosmas"], submit=True)
    # then
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.village_id == "35.11.01.2001"
    assert registration.directorate.code == "dayasos"
    person = registration.person
    assert (person.rt, person.rw, person.name_key) == ("001", "002", "sitiaminah")
    assert list(registration.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "submitted")]
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "ppks.person.create", "ppks.registration.create", "ppks.registration.submit"
    }


def test_registering_outside_the_scope_is_refused(users):
    with pytest.raises(PermissionDenied):
        register(users["pensosmas"], village=Village.objects.get(code="35.11.01.2002"))
    with pytest.raises(PermissionDenied):
        register(users["other_regency"])
    with pytest.raises(PermissionDenied):
        register(users["analyst"])
    assert not Person.objects.exists()


def test_duplicate_nik_is_refused_across_villages(users):
    register(users["regency"])
    with pytest.raises(ValidationError) as error:
        register(users["regency"], village=Village.objects.get(code="35.11.02.2001"), name="Siti A.")
    assert error.value.message_dict == {
        "nik": ["NIK ini sudah terdaftar. Tambahkan registrasi pada data orang tersebut."]
    }
    assert Person.objects.count() == 1


def test_invalid_nik_is_refused_with_field_error(users):
    with pytest.raises(ValidationError) as error:
        register(users["regency"], nik="3511011303850")
    assert error.value.message_dict == {"nik": ["NIK harus 16 digit angka (sekarang 13 karakter)."]}


def test_missing_nik_needs_a_reason(users):
    person = services.person_create(
        actor=users["regency"], data=person_data(nik=None, nik_status=Person.NikStatus.NONE_YET)
    )
    assert person.nik is None
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=users["regency"], data=person_data(nik=None, name="Tanpa Alasan"))
    assert error.value.messages == ["Isi NIK, atau pilih alasan NIK tidak ada."]


def test_likely_duplicates_across_villages_are_queued(users):
    first = register(users["regency"]).person
    second = register(
        users["regency"], nik="3511025203850004", name="Hj. Siti Aminah",
        village=Village.objects.get(code="35.11.02.2001"),
    ).person
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.person_id, candidate.other_id, candidate.reason) == (first.pk, second.pk, "name_birth")
    found = services.duplicates_find(nik=None, name="SITI AMINAH", birth_date=datetime.date(1985, 3, 12),
                                     kk_number="")
    assert {person.pk for person, _reason in found} == {first.pk, second.pk}


def test_full_workflow_with_history(users):
    """Registration steps up to verification, then the referral loop: the status follows the referral."""
    registration = register(users["pensosmas"], submit=True)
    registration = services.registration_transition(registration=registration, action="verify",
                                                    actor=users["regency"])
    batch = referral_services.referral_letter_create(actor=users["regency"], request=referral_services.LetterRequest(
        region_code="35.11", directorate=Directorate.objects.get(code="dayasos"), registration_ids=[registration.pk],
        signatory=Signatory.objects.get(office__region_code="35.11")))
    referral = batch.referrals.get()
    referral_services.referral_accept(referral=referral, actor=users["unit"])
    referral_services.referral_service_record(referral=referral, actor=users["unit"], service_type="bansos",
                                              service_date=datetime.date.today())
    referral_services.referral_close(referral=referral, actor=users["unit"], outcome="completed")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CLOSED
    assert registration.verified_by == users["regency"]
    assert registration.referred_at is not None
    assert registration.served_at is not None
    assert registration.closed_at is not None
    assert list(RegistrationEvent.objects.filter(registration=registration).values_list("to_status", flat=True)) == [
        "draft", "submitted", "verified", "referred", "served", "closed"
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("reopen", "Registrasi berstatus 'Diajukan' tidak dapat di-'Perbaiki (kembali ke draf)'."),
        ("refer", "Tindakan 'refer' tidak dikenal."),  # referring is a letter (ppks.referral_services)
        ("submit", "Registrasi berstatus 'Diajukan' tidak dapat di-'Ajukan'."),
        ("terbang", "Tindakan 'terbang' tidak dikenal."),
    ],
)
def test_illegal_transitions_are_refused(users, action, message):
    registration = register(users["pensosmas"], submit=True)
    with pytest.raises(ValidationError) as error:
        services.registration_transition(registration=registration, action=action, actor=users["regency"])
    assert error.value.messages == [message]
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED


def test_pensosmas_cannot_verify_and_other_regency_cannot_see(users):
    registration = register(users["pensosmas"], submit=True)
    with pytest.raises(PermissionDenied):
        services.registration_transition(registration=registration, action="verify", actor=users["pensosmas"])
    with pytest.raises(PermissionDenied):
        services.registration_transition(registration=registration, action="verify", actor=users["other_regency"])
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED


def test_reject_needs_a_reason_and_can_be_reopened(users):
    registration = register(users["pensosmas"], submit=True)
    with pytest.raises(ValidationError) as error:
        services.registration_transition(registration=registration, action="reject", actor=users["regency"])
    assert error.value.message_dict == {"note": ["Alasan wajib diisi."]}
    registration = services.registration_transition(
        registration=registration, action="reject", actor=users["regency"], note="Bukan warga desa ini"
    )
    assert registration.rejection_reason == "Bukan warga desa ini"
    registration = services.registration_transition(registration=registration, action="reopen",
                                                    actor=users["pensosmas"])
    assert registration.status == Registration.Status.DRAFT


def test_one_open_registration_per_person_and_category(users):
    registration = register(users["regency"])
    with pytest.raises(ValidationError) as error:
        register(users["regency"], person=registration.person)
    assert "Orang ini sudah terdaftar aktif pada kategori tersebut." in error.value.messages


def test_client_uuid_makes_create_idempotent(users):
    import uuid

    key = uuid.uuid4()
    person = services.person_create(actor=users["regency"], data=person_data())
    category = Category.objects.get(code="FM")
    first = services.registration_create(actor=users["regency"], person=person, category=category, client_uuid=key)
    again = services.registration_create(actor=users["regency"], person=person, category=category, client_uuid=key)
    assert first.pk == again.pk
    assert Registration.objects.count() == 1


def test_category_warnings_use_the_assessment_date():
    lut = Category.objects.get(code="LUT")
    warnings = services.category_warnings(category=lut, birth_date=datetime.date(1966, 12, 1), sex="L",
                                          on=datetime.date(2026, 11, 22))
    assert warnings == ["Usia 59 tahun di bawah batas kategori LUT (minimal 60 tahun)."]
    prse = Category.objects.get(code="PRSE")
    assert services.category_warnings(category=prse, birth_date=None, sex="L", on=datetime.date(2026, 1, 1)) == [
        "Kategori PRSE hanya untuk perempuan."
    ]


def test_merge_moves_registrations_fills_blanks_and_records_conflicts(users):
    kept = register(users["regency"], category="FM", nik=None, nik_status="belum_punya", phone="").person
    merged_registration = register(
        users["regency"], category="LUT", name="Siti Aminah", kk_number="3511010101200099",
        village=Village.objects.get(code="35.11.02.2001"), phone="081234567890",
    )
    duplicate_fm = register(users["regency"], category="FM", person=merged_registration.person)
    merged = merged_registration.person
    # when
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"])
    # then
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert kept.nik == "3511015203850003"
    assert kept.phone == "081234567890"
    assert record.conflicts["kk_number"] == {"kept": "3511010101200001", "merged": "3511010101200099"}
    assert record.conflicts["village"] == {"kept": "35.11.01.2001", "merged": "35.11.02.2001"}
    assert set(kept.registrations.values_list("category__code", "status")) == {
        ("FM", "draft"), ("LUT", "draft"), ("FM", "closed")
    }
    duplicate_fm.refresh_from_db()
    assert duplicate_fm.status == Registration.Status.CLOSED
    assert PersonMerge.objects.count() == 1
    assert DuplicateCandidate.objects.filter(status="open").count() == 0


def test_nik_reveal_is_audited_and_refused_for_analysts(users):
    person = register(users["pensosmas"]).person
    assert services.person_nik_reveal(person=person, actor=users["regency"]) == "3511015203850003"
    assert AuditEvent.objects.filter(action="ppks.person.nik_reveal", actor=users["regency"]).count() == 1
    with pytest.raises(PermissionDenied):
        services.person_nik_reveal(person=person, actor=users["analyst"])
    with pytest.raises(PermissionDenied):
        services.person_nik_reveal(person=person, actor=users["other_regency"])
