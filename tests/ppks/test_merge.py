"""Issue 18, item 5: a merge staff confirm value by value, with consistent registrations and an undo."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from ppks import privacy, services
from ppks.models import DuplicateCandidate, Person, PersonMerge, Registration
from tests.ppks.factories import person_data, register
from villages.models import Village

pytestmark = pytest.mark.django_db

TEGALSARI = "35.11.02.2001"


def two_records(users):
    """Siti in Sucolor (FM, open) and 'Sitti Nur' in the other village (LUT open, FM open, and a closed PD)."""
    kept_registration = register(users["regency"], category="FM", nik=None, nik_status="belum_punya", phone="")
    other = register(users["regency"], category="LUT", name="Sitti Aminah", kk_number="3511010101200099",
                     village=Village.objects.get(code=TEGALSARI), dusun="Kidul", rt="4", rw="1", phone="0812")
    other_fm = register(users["regency"], category="FM", person=other.person)
    closed = register(users["regency"], category="PD", person=other.person)
    Registration.objects.filter(pk=closed.pk).update(status="closed", closed_at=timezone.now())
    return kept_registration.person, other.person, {"kept_fm": kept_registration, "lut": other, "fm": other_fm,
                                                    "closed": closed}


def state(*people):
    """Everything a merge touches and an undo must restore, as plain values."""
    rows = []
    for person in Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"):
        rows.append({field.attname: getattr(person, field.attname) for field in Person._meta.concrete_fields
                     if field.attname != "updated_at"})
    registrations = list(Registration.objects.filter(person__in=people).order_by("pk").values_list(
        "pk", "person_id", "village_id", "status", "closed_at"))
    return rows, registrations


def test_sitti_nur_aini_born_the_same_day_as_siti_nuraini_is_flagged(users):
    """Issue 18: spacing, doubled letters and a phone's apostrophe no longer hide a duplicate."""
    first = services.person_create(actor=users["pensosmas"], data=person_data(name="Siti Nur’aini", nik=None,
                                                                              nik_status="belum_punya"))
    second = services.person_create(actor=users["regency"], data=person_data(
        name="Sitti Nur Aini", nik=None, nik_status="belum_punya", kk_number="",
        village=Village.objects.get(code=TEGALSARI)))
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.person_id, candidate.other_id, candidate.reason) == (first.pk, second.pk, "name_birth")


def test_staff_choose_each_conflicting_value_and_the_address_comes_whole(users):
    kept, merged, _ = two_records(users)
    items = {item["group"]: item for item in services.merge_choices(kept, merged)}
    assert items["name"]["conflict"]
    assert items["address"]["conflict"]
    assert items["kk_number"]["conflict"]
    assert items["nik"]["conflict"] is False  # the kept record has none: filled
    assert items["phone"]["conflict"] is False
    services.persons_merge(kept=kept, merged=merged, actor=users["regency"],
                           choices={"address": "merged", "name": "kept", "kk_number": "merged"})
    kept.refresh_from_db()
    assert (kept.village_id, kept.dusun, kept.rt, kept.rw) == (TEGALSARI, "Kidul", "004", "001")
    assert (kept.name, kept.kk_number, kept.phone, kept.nik) == (
        "Siti Aminah", "3511010101200099", "0812", "3511015203850003")


def test_open_registrations_follow_the_kept_persons_final_village(users):
    """The bug of issue 18: after a merge one registration stayed in the merged person's old village."""
    kept, merged, registrations = two_records(users)
    services.persons_merge(kept=kept, merged=merged, actor=users["regency"], choices={"address": "kept"})
    kept.refresh_from_db()
    rows = {row.pk: row for row in Registration.objects.filter(person=kept)}
    assert len(rows) == 4
    open_rows = [row for row in rows.values() if row.status not in ("closed", "rejected")]
    assert {row.village_id for row in open_rows} == {kept.village_id}
    # The merged side's FM duplicated the kept FM: closed on merge (and it moved with the person).
    assert rows[registrations["fm"].pk].status == "closed"
    # A case decided before the merge stays where it was decided (documented in ppks/merge_services.py).
    assert rows[registrations["closed"].pk].village_id == TEGALSARI


def test_the_message_names_fields_in_indonesian(client, users):
    kept, _merged, _ = two_records(users)
    candidate = DuplicateCandidate.objects.get()  # Sitti = Siti with the same birth date: found on registering
    client.force_login(users["regency"])
    url = reverse("ppks:duplicate-merge", args=[candidate.pk])
    page = client.get(url, {"simpan": kept.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sitti Aminah" in body
    assert 'name="choice_address"' in body
    assert 'name="choice_name"' in body
    response = client.post(url, {"kept": kept.pk, "choice_name": "merged", "choice_address": "kept",
                                 "choice_kk_number": "kept", "form_token": "3f0c8a8e-9d55-4b55-9e5b-1a2b3c4d5e6f"},
                           follow=True)
    text = " ".join(str(message) for message in response.context["messages"])
    assert "nama lengkap" in text
    assert "No. KK" in text
    assert "name" not in text.replace("nama", "")
    assert "village" not in text
    kept.refresh_from_db()
    assert kept.name == "Sitti Aminah"


def test_undo_restores_both_people_and_their_registrations_exactly_and_is_audited(users):
    kept, merged, _ = two_records(users)
    assert DuplicateCandidate.objects.get().status == "open"
    before = state(kept, merged)
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"],
                                    choices={"address": "merged", "name": "merged", "kk_number": "merged"})
    assert state(kept, merged) != before
    services.persons_unmerge(merge=record, actor=users["regency"])
    assert state(kept, merged) == before
    assert DuplicateCandidate.objects.get().status == "open"
    record.refresh_from_db()
    assert record.undone_at is not None
    assert record.undo_state == {}
    assert AuditEvent.objects.filter(action="ppks.person.unmerge", object_id=str(kept.pk)).count() == 1
    with pytest.raises(ValidationError, match="sudah dibatalkan"):
        services.persons_unmerge(merge=record, actor=users["regency"])


def test_undo_gives_back_swapped_niks(users):
    kept = register(users["regency"]).person
    other = services.person_create(actor=users["regency"], data=person_data(nik="3511015203850011", dusun="Lor"))
    before = state(kept, other)
    record = services.persons_merge(kept=kept, merged=other, actor=users["regency"], choices={"nik": "merged"})
    kept.refresh_from_db()
    other.refresh_from_db()
    assert (kept.nik, other.nik) == ("3511015203850011", "3511015203850003")
    services.persons_unmerge(merge=record, actor=users["regency"])
    assert state(kept, other) == before


def test_undo_is_refused_after_the_window_and_after_later_changes(users):
    kept, merged, _ = two_records(users)
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"])
    services.person_update(person=kept, actor=users["regency"], data={"phone": "0899"}, reason="HP baru")
    with pytest.raises(ValidationError, match="sudah diubah setelah penggabungan"):
        services.persons_unmerge(merge=record, actor=users["regency"])
    PersonMerge.objects.filter(pk=record.pk).update(merged_at=timezone.now() - datetime.timedelta(hours=73))
    with pytest.raises(ValidationError, match="72 jam"):
        services.persons_unmerge(merge=record, actor=users["regency"])
    with override_settings(SIDBS_MERGE_UNDO_HOURS=100), pytest.raises(ValidationError, match="sudah diubah"):
        services.persons_unmerge(merge=record, actor=users["regency"])


def test_saved_values_are_forgotten_once_the_undo_window_has_passed(users):
    from ppks.tasks import merge_undo_expire_task

    kept, merged, _ = two_records(users)
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"])
    assert merge_undo_expire_task.delay().get() == 0
    PersonMerge.objects.filter(pk=record.pk).update(merged_at=timezone.now() - datetime.timedelta(hours=73))
    assert merge_undo_expire_task.delay().get() == 1
    record.refresh_from_db()
    assert record.undo_state == {}


def test_merging_or_undoing_an_anonymised_person_is_refused(users):
    kept, merged, _ = two_records(users)
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"])
    Registration.objects.filter(person=kept).update(status="closed", closed_at=timezone.now())
    privacy.person_anonymise(person=kept, actor=users["regency"], reason="Permintaan subjek")
    record.refresh_from_db()
    assert record.undo_state == {}  # the old names and addresses went with the anonymisation
    with pytest.raises(ValidationError, match="dianonimkan"):
        services.persons_unmerge(merge=record, actor=users["regency"])
    third = services.person_create(actor=users["regency"], data=person_data(nik=None, nik_status="belum_punya"))
    with pytest.raises(ValidationError, match="dianonimkan"):
        services.persons_merge(kept=third, merged=kept, actor=users["regency"])


def test_the_kept_persons_page_offers_the_undo_and_it_restores_the_pair(client, users):
    kept, merged, _ = two_records(users)
    before = state(kept, merged)
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"], choices={"address": "merged"})
    client.force_login(users["regency"])
    page = client.get(kept.get_absolute_url()).content.decode()
    assert reverse("ppks:merge-undo", args=[kept.pk]) in page
    assert 'name="merge" value="{}"'.format(record.pk) in page
    response = client.post(reverse("ppks:merge-undo", args=[kept.pk]), {"merge": record.pk})
    assert response.status_code == 302
    assert state(kept, merged) == before
    assert reverse("ppks:merge-undo", args=[kept.pk]) not in client.get(kept.get_absolute_url()).content.decode()


def test_the_confirmation_sent_twice_merges_once(client, users):
    kept, _merged, _ = two_records(users)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(users["regency"])
    body = {"kept": kept.pk, "choice_address": "merged", "form_token": "0b7a5b0e-52a4-4a53-8d63-0c1f7e3f2a11"}
    first = client.post(reverse("ppks:duplicate-merge", args=[candidate.pk]), body)
    second = client.post(reverse("ppks:duplicate-merge", args=[candidate.pk]), body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == kept.get_absolute_url()
    assert PersonMerge.objects.count() == 1
    # Without the token (another tab), the second merge is refused in Indonesian, not a 500.
    third = client.post(reverse("ppks:duplicate-merge", args=[candidate.pk]), {"kept": kept.pk}, follow=True)
    assert third.status_code in {200, 404}
    assert PersonMerge.objects.count() == 1


def test_the_pensosmas_may_neither_merge_nor_undo(client, users):
    kept, merged, _ = two_records(users)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(users["pensosmas"])
    assert client.get(reverse("ppks:duplicate-merge", args=[candidate.pk])).status_code == 403
    assert client.post(reverse("ppks:duplicate-merge", args=[candidate.pk]), {"kept": kept.pk}).status_code == 403
    merged.refresh_from_db()
    assert merged.merged_into_id is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_opposite_merges_of_one_pair_at_once_merge_once(users):
    """Merge A into B and B into A at the same moment (PostgreSQL): one wins, the other is told the pair
    is merged already; no deadlock, and the registrations end consistent with the winner."""
    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    first, second, _ = two_records(users)

    def merge(kept, merged):
        return lambda: services.persons_merge(kept=kept, merged=merged, actor=users["regency"],
                                              choices={"address": "merged"})

    outcomes = at_once(merge(first, second), merge(second, first))
    records = [outcome for outcome in outcomes if isinstance(outcome, PersonMerge)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert (len(records), len(refused)) == (1, 1), outcomes
    assert "sudah digabung" in refused[0].messages[0]
    kept = Person.objects.get(pk=records[0].kept_id)
    assert Person.objects.get(pk=records[0].merged_id).merged_into_id == kept.pk
    assert kept.merged_into_id is None
    open_villages = set(Registration.objects.filter(person=kept).exclude(status__in=["closed", "rejected"])
                        .values_list("village_id", flat=True))
    assert open_villages == {kept.village_id}
    assert PersonMerge.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_undo_racing_a_new_merge_into_the_kept_person_leaves_one_consistent_state(users):
    """Undo a merge while the kept person is merged with a third record (PostgreSQL): either the undo
    runs first and the new merge follows, or the new merge wins and the undo is refused (the kept person
    changed); never both half-applied, never a deadlock."""
    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    kept, merged, _ = two_records(users)
    third = services.person_create(actor=users["regency"], data=person_data(
        name="Siti Aminah", nik="3511015203850011", kk_number="", dusun="Tengah"))
    record = services.persons_merge(kept=kept, merged=merged, actor=users["regency"])

    outcomes = at_once(lambda: services.persons_unmerge(merge=record, actor=users["regency"]),
                       lambda: services.persons_merge(kept=kept, merged=third, actor=users["regency"],
                                                      choices={"address": "merged"}))
    assert isinstance(outcomes[1], PersonMerge), outcomes  # the new merge always goes through
    assert Person.objects.get(pk=third.pk).merged_into_id == kept.pk
    record.refresh_from_db()
    if isinstance(outcomes[0], PersonMerge):  # the undo ran first
        assert record.undone_at is not None
        assert Person.objects.get(pk=merged.pk).merged_into_id is None
        assert Registration.objects.filter(person=merged).count() == 3
    else:  # the new merge changed the kept person first: the undo is refused, nothing half-done
        assert isinstance(outcomes[0], ValidationError), outcomes
        assert "sudah diubah" in outcomes[0].messages[0]
        assert record.undone_at is None
        assert Person.objects.get(pk=merged.pk).merged_into_id == kept.pk
    kept.refresh_from_db()
    open_villages = set(Registration.objects.filter(person=kept).exclude(status__in=["closed", "rejected"])
                        .values_list("village_id", flat=True))
    assert open_villages <= {kept.village_id}
