"""Personal data (UU 27/2022): field history by trigger, correction, export, anonymisation, retention."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from ppks import history, privacy, services
from ppks.models import DuplicateCandidate, Person, PersonHistory, Registration, RegistrationEvent
from ppks.names import normalise_name
from ppks.tasks import apply_retention_task
from tests.ppks.factories import person_data, register

pytestmark = pytest.mark.django_db

NIK = "3511015203850003"
KK = "3511010101200001"


def person_rows(person) -> list[PersonHistory]:
    return list(PersonHistory.objects.filter(person_id=person.pk).order_by("pk"))


def close(registration, *, when: datetime.datetime) -> None:
    Registration.objects.filter(pk=registration.pk).update(status="closed", closed_at=when)


# Triggers -------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers list their columns")
@pytest.mark.parametrize("model", [Person, Registration])
def test_sqlite_triggers_cover_every_column(model):
    """A new column (or a migration that rebuilt the table) fails here until the triggers are regenerated."""
    table = model._meta.db_table
    triggers = history.installed_sqlite_triggers(connection)
    _person_column, excluded, _masked = history.TRACKED_TABLES[table]
    for action, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        sql = triggers.get("{}_history_{}".format(table, action))
        assert sql is not None, "trigger {}_history_{} is missing".format(table, action)
        missing = [
            field.column for field in model._meta.concrete_fields
            if field.column not in excluded and '{}."{}"'.format(row, field.column) not in sql
        ]
        assert missing == [], "columns not recorded by {}_history_{}: {}".format(table, action, missing)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgres_triggers_are_installed_statement_level():
    """Three statement-level triggers with transition tables per table, no per-row trigger left."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, (tgtype & 1) = 1 AS per_row FROM pg_trigger "
            "WHERE tgname LIKE 'ppks\\_%%history%%' AND NOT tgisinternal AND tgenabled = 'O'"
        )
        found = cursor.fetchall()
    assert sorted((table, name) for table, name, _per_row in found) == sorted(
        (table, name) for table in history.TRACKED_TABLES for name in history.postgres_trigger_names(table))
    assert not any(per_row for _table, _name, per_row in found)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_one_statement_records_a_history_row_per_changed_record(users):
    """A set-based UPDATE of three people, one of them unchanged, writes exactly two update rows."""
    village = register(users["pensosmas"]).village
    people = Person.objects.bulk_create([
        Person(name=name, name_key=name.upper(), sex="L", village=village, nik=None, nik_status="belum_punya",
               phone=phone)
        for name, phone in (("Adi", ""), ("Budi", ""), ("Citra", "0811"))
    ])
    assert PersonHistory.objects.filter(record_id__in=[p.pk for p in people], table_name="ppks_person",
                                        action="insert").count() == 3
    Person.objects.filter(pk__in=[p.pk for p in people]).update(phone="0811")
    updates = PersonHistory.objects.filter(table_name="ppks_person", action="update").order_by("record_id")
    assert [(entry.record_id, entry.changes) for entry in updates] == [
        (people[0].pk, {"phone": {"old": "", "new": "0811"}}),
        (people[1].pk, {"phone": {"old": "", "new": "0811"}}),
    ]
    Person.objects.filter(pk__in=[people[0].pk, people[1].pk]).delete()
    assert set(PersonHistory.objects.filter(table_name="ppks_person", action="delete").values_list(
        "record_id", flat=True)) == {people[0].pk, people[1].pk}


def test_kk_number_is_stored_masked(users):
    person = register(users["pensosmas"]).person
    Person.objects.filter(pk=person.pk).update(kk_number="3511010101200009")
    entry = PersonHistory.objects.get(person_id=person.pk, action="update")
    assert entry.changes["kk_number"]["new"] == "3511********0009"
    assert "3511010101200009" not in json.dumps([row.changes for row in PersonHistory.objects.all()])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgres_trigger_covers_a_new_column_by_itself(users):
    person = register(users["pensosmas"]).person
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ppks_person ADD COLUMN religion varchar(20) NOT NULL DEFAULT ''")
        cursor.execute("UPDATE ppks_person SET religion = 'Islam' WHERE id = %s", [person.pk])
    entry = PersonHistory.objects.get(person_id=person.pk, action="update")
    assert entry.changes == {"religion": {"old": "", "new": "Islam"}}


# The generic per-row aggregate the insert branch replaced (migration 0019): the reference it must equal.
REFERENCE_INSERT_CHANGES = """
SELECT coalesce(jsonb_object_agg(field.key, jsonb_build_object('old', NULL, 'new',
           CASE WHEN field.key = ANY(%(masked)s) THEN ppks_history_mask(field.value) ELSE field.value END)),
       '{}'::jsonb)
  FROM {table} AS row_value CROSS JOIN LATERAL jsonb_each(to_jsonb(row_value)) AS field
 WHERE row_value.id = %(pk)s AND NOT (field.key = ANY(%(excluded)s))
   AND field.value NOT IN ('null'::jsonb, '""'::jsonb)
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgres_insert_history_equals_the_generic_row_diff(users):
    """Per-column fragments (fast path) give the same changes as aggregating ``to_jsonb`` of the row: masked
    NIK and No. KK, dates, numbers, empty strings and NULLs left out; a column added later is covered."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ppks_person ADD COLUMN religion varchar(20) NOT NULL DEFAULT 'Islam'")
    registration = register(users["pensosmas"], nik=NIK, kk_number=KK, birth_date=datetime.date(1985, 3, 12),
                            dtsen_decile=3, phone="", street_address='Jl. "Melati" 5')
    person = registration.person
    for table, record in (("ppks_person", person), ("ppks_registration", registration)):
        _person_column, excluded, masked = history.TRACKED_TABLES[table]
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_INSERT_CHANGES.replace("{table}", table),
                           {"pk": record.pk, "excluded": list(excluded), "masked": list(masked)})
            expected = cursor.fetchone()[0]
        if isinstance(expected, str):
            expected = json.loads(expected)
        entry = PersonHistory.objects.get(table_name=table, record_id=record.pk, action="insert")
        assert entry.changes == expected
    changes = PersonHistory.objects.get(table_name="ppks_person", record_id=person.pk, action="insert").changes
    assert changes["nik"] == {"old": None, "new": "3511********0003"}
    assert changes["kk_number"]["new"] == "3511********0001"
    assert changes["religion"] == {"old": None, "new": "Islam"}
    assert changes["dtsen_decile"] == {"old": None, "new": 3}
    assert not {"phone", "merged_into_id", "name_key"} & set(changes)


def test_queryset_update_is_recorded_without_an_actor(users):
    person = register(users["pensosmas"]).person
    Person.objects.filter(pk=person.pk).update(phone="081234567890", dusun="Krajan Kidul")
    entry = PersonHistory.objects.filter(person_id=person.pk, action="update").get()
    assert entry.table_name == "ppks_person"
    assert entry.record_id == person.pk
    assert entry.changes == {
        "phone": {"old": "", "new": "081234567890"},
        "dusun": {"old": "Krajan", "new": "Krajan Kidul"},
    }
    assert entry.actor_id is None


def test_raw_sql_and_bulk_writes_are_recorded(users):
    registration = register(users["pensosmas"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ppks_registration SET needs = %s WHERE id = %s", ["Rehabilitasi rumah", registration.pk])
    entry = PersonHistory.objects.filter(table_name="ppks_registration", action="update").get()
    assert (entry.record_id, entry.person_id) == (registration.pk, registration.person_id)
    assert entry.changes == {"needs": {"old": "Bantuan pangan", "new": "Rehabilitasi rumah"}}

    village = registration.village
    Person.objects.bulk_create([
        Person(name="Adi", name_key="ADI", sex="L", village=village, nik=None, nik_status="belum_punya"),
        Person(name="Budi", name_key="BUDI", sex="L", village=village, nik=None, nik_status="belum_punya"),
    ])
    inserted = PersonHistory.objects.filter(table_name="ppks_person", action="insert", changes__name__new__in=[
        "Adi", "Budi"])
    assert inserted.count() == 2


def test_a_save_without_real_changes_records_nothing(users):
    person = register(users["pensosmas"]).person
    before = PersonHistory.objects.count()
    person.save()
    assert PersonHistory.objects.count() == before


def test_insert_and_delete_are_recorded_with_actor(users):
    registration = register(users["pensosmas"])
    insert = PersonHistory.objects.get(table_name="ppks_registration", record_id=registration.pk, action="insert")
    assert insert.actor == users["pensosmas"]
    assert insert.changes["status"] == {"old": None, "new": "draft"}
    assert insert.changes["needs"] == {"old": None, "new": "Bantuan pangan"}
    registration_pk = registration.pk
    services.registration_delete(registration=registration, actor=users["pensosmas"])
    delete = PersonHistory.objects.get(table_name="ppks_registration", record_id=registration_pk, action="delete")
    assert delete.actor == users["pensosmas"]
    assert delete.changes["needs"] == {"old": "Bantuan pangan", "new": None}
    assert delete.person_id == registration.person_id


def test_nik_is_stored_masked(users):
    person = register(users["pensosmas"]).person
    services.person_update(person=person, actor=users["regency"], data={"nik": "3511015203850007"},
                           reason="Salah ketik NIK")
    entry = PersonHistory.objects.get(person_id=person.pk, action="update")
    assert entry.changes["nik"] == {"old": "3511********0003", "new": "3511********0007"}
    assert (entry.actor, entry.reason) == (users["regency"], "Salah ketik NIK")
    stored = json.dumps([row.changes for row in PersonHistory.objects.all()])
    assert NIK not in stored
    assert "3511015203850007" not in stored


def test_actor_does_not_outlive_its_block(users):
    person = register(users["pensosmas"]).person
    with history.history_actor(users["regency"], reason="Perbaikan"):
        Person.objects.filter(pk=person.pk).update(phone="0811")
    Person.objects.filter(pk=person.pk).update(phone="0822")
    first, second = PersonHistory.objects.filter(person_id=person.pk, action="update").order_by("pk")
    assert (first.actor_id, first.reason) == (users["regency"].pk, "Perbaikan")
    assert (second.actor_id, second.reason) == (None, "")


def test_actor_is_rolled_back_with_a_failed_block(users):
    person = register(users["pensosmas"]).person

    def failing_correction():
        with history.history_actor(users["regency"], reason="Gagal"):
            Person.objects.filter(pk=person.pk).update(phone="0811")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_correction()
    Person.objects.filter(pk=person.pk).update(phone="0822")
    entries = list(PersonHistory.objects.filter(person_id=person.pk, action="update"))
    assert [(entry.changes["phone"]["new"], entry.actor_id, entry.reason) for entry in entries] == [("0822", None, "")]


def test_person_page_shows_the_history_with_masked_nik(client, users):
    person = register(users["pensosmas"]).person
    services.person_update(person=person, actor=users["regency"], data={"phone": "081234567890"},
                           reason="Nomor baru dari KK")
    client.force_login(users["pensosmas"])
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riwayat perubahan data" in html
    assert "Nomor baru dari KK" in html
    assert "081234567890" in html
    assert "3511********0003" in html
    assert NIK not in html
    assert [field["label"] for field in response.context["history"][0]["fields"]] == ["telepon"]


def test_history_names_linked_users_and_people_not_their_ids(users):
    registration = register(users["pensosmas"], submit=True)
    services.registration_transition(registration=registration, actor=users["regency"], action="verify")
    users["regency"].first_name, users["regency"].last_name = "Dinsos", "Bondowoso"
    users["regency"].save(update_fields=["first_name", "last_name"])
    rows = history.describe(list(PersonHistory.objects.filter(person_id=registration.person_id)))
    values = {(field["label"], field["new"]) for row in rows for field in row["fields"]}
    assert ("diverifikasi oleh", "Dinsos Bondowoso") in values
    assert ("didaftarkan oleh", "pensosmas") in values
    assert ("orang", "Orang #{}".format(registration.person_id)) in values


# Correction -------------------------------------------------------------------------------------


def test_correction_needs_a_reason(users):
    person = register(users["pensosmas"]).person
    with pytest.raises(ValidationError) as error:
        services.person_update(person=person, actor=users["pensosmas"], data={"phone": "0811"}, reason="  ")
    assert error.value.message_dict == {"correction_reason": ["Alasan koreksi wajib diisi."]}
    person.refresh_from_db()
    assert person.phone == ""


def test_correction_page_records_the_reason(client, users):
    person = register(users["pensosmas"]).person
    client.force_login(users["pensosmas"])
    url = reverse("ppks:person-edit", args=[person.pk])
    form = {**person_data(), "village": "35.11.01.2001", "phone": "081299990000", "dtsen_decile": "",
            "dtsen_decile_as_of": "", "birth_date": "1985-03-12"}
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Alasan koreksi wajib diisi." in response.content.decode()
    response = client.post(url, {**form, "correction_reason": "Telepon baru"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="ppks.person.update")
    assert event.detail == {"fields": ["phone"], "reason_in_history": True}, "free text stays out of the audit trail"
    assert event.object_repr == "Orang #{}".format(person.pk)
    entry = PersonHistory.objects.get(person_id=person.pk, action="update")
    assert (entry.changes, entry.reason) == ({"phone": {"old": "", "new": "081299990000"}}, "Telepon baru")


# Export -----------------------------------------------------------------------------------------


def export(client, user, person):
    client.force_login(user)
    return client.post(reverse("ppks:person-data-export", args=[person.pk]))


def test_export_holds_everything_about_the_person(client, users):
    registration = register(users["pensosmas"], submit=True)
    person = registration.person
    services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                     note="Dokumen belum lengkap")
    other = services.person_create(actor=users["pensosmas"], data=person_data(nik=None, nik_status="belum_punya",
                                                                              kk_number="", phone="0899"))
    response = export(client, users["regency"], person)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="data-pribadi-orang-{}-'.format(
        person.pk))
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["orang"]["nik"] == NIK
    assert data["orang"]["desa_kelurahan"]["kabupaten_kota"] == "KAB. BONDOWOSO"
    assert [item["status"] for item in data["registrasi"]] == ["Ditolak"]
    assert [(step["ke"], step["catatan"]) for step in data["registrasi"][0]["riwayat_status"]][-1] == (
        "rejected", "Dokumen belum lengkap")
    assert data["calon_duplikat"] == [{"data_lain": "#{}".format(other.pk), "alasan": "Nama dan tanggal lahir sama",
                                       "status": "Perlu ditinjau", "ditemukan": data["calon_duplikat"][0]["ditemukan"],
                                       "ditinjau": None}]
    assert "0899" not in response.content.decode()
    assert {entry["tindakan"] for entry in data["riwayat_perubahan"]} == {"dibuat", "diubah"}
    assert "ppks.registration.reject" in [entry["tindakan"] for entry in data["log_pemrosesan"]]
    event = AuditEvent.objects.get(action="ppks.person.data_export")
    assert (event.actor, event.object_id) == (users["regency"], str(person.pk))


@pytest.mark.parametrize(("user_key", "status"), [
    ("other_regency", 404), ("pensosmas", 403), ("analyst", 403), ("no_role", 404),
])
def test_export_is_refused_outside_scope_or_role(client, users, user_key, status):
    person = register(users["pensosmas"]).person
    assert export(client, users[user_key], person).status_code == status
    assert not AuditEvent.objects.filter(action="ppks.person.data_export").exists()


def test_export_is_post_only(client, users):
    person = register(users["pensosmas"]).person
    client.force_login(users["regency"])
    assert client.get(reverse("ppks:person-data-export", args=[person.pk])).status_code == 405


# Anonymisation ----------------------------------------------------------------------------------


def test_anonymise_removes_identity_everywhere(users):
    registration = register(users["pensosmas"], phone="081234567890", street_address="Jl. Mawar 5")
    person = registration.person
    services.person_update(person=person, actor=users["regency"], data={"birth_place": "Jember"},
                           reason="Sesuai akta Siti Aminah")
    services.registration_transition(registration=registration, action="submit", actor=users["pensosmas"])
    services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                     note="Tidak memenuhi kriteria")

    result = privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek data")

    person.refresh_from_db()
    assert person.name == "Anonim #{}".format(person.pk)
    assert (person.nik, person.kk_number, person.phone, person.street_address, person.birth_place, person.dusun,
            person.rt, person.rw, person.name_key) == (None, "", "", "", "", "", "", "", "")
    assert person.birth_date == datetime.date(1985, 1, 1)
    assert (person.village_id, person.sex, person.nik_status) == ("35.11.01.2001", "P", "tidak_diketahui")
    assert result.anonymised_at is not None
    registration.refresh_from_db()
    assert (registration.status, registration.category.code, registration.needs, registration.rejection_reason) == (
        "rejected", "FM", "", "")
    assert not RegistrationEvent.objects.filter(registration=registration).exclude(note="").exists()
    stored = json.dumps([[row.changes, row.reason] for row in person_rows(person)])
    for secret in ("Siti", "Aminah", NIK, "3511********0003", KK, "081234567890", "Mawar", "Jember", "Bondowoso",
                   "Krajan", "1985-03-12", "Bantuan pangan", "Tidak memenuhi kriteria"):
        assert secret not in stored, secret
    assert person_rows(person)[-1].reason == "Permintaan subjek data"
    assert not AuditEvent.objects.filter(object_repr__icontains="Siti").exists()
    event = AuditEvent.objects.get(action="ppks.person.anonymise")
    assert event.detail["forced"] is False


def test_anonymise_refuses_open_registrations_unless_an_admin_forces(users):
    person = register(users["pensosmas"], submit=True).person
    with pytest.raises(ValidationError, match="Masih ada 1 registrasi"):
        privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek")
    with pytest.raises(PermissionDenied):
        privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek", force=True)
    person.refresh_from_db()
    assert person.anonymised_at is None
    privacy.person_anonymise(person=person, actor=users["admin"], reason="Perintah pengadilan", force=True)
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert AuditEvent.objects.get(action="ppks.person.anonymise").detail["forced"] is True


def test_anonymise_needs_a_reason_and_is_done_once(users):
    person = register(users["pensosmas"]).person
    Registration.objects.filter(person=person).update(status="closed", closed_at=timezone.now())
    with pytest.raises(ValidationError):
        privacy.person_anonymise(person=person, actor=users["regency"], reason="")
    privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek")
    with pytest.raises(ValidationError, match="sudah dianonimkan"):
        privacy.person_anonymise(person=person, actor=users["regency"], reason="Lagi")
    with pytest.raises(ValidationError, match="sudah dianonimkan"):
        services.person_update(person=person, actor=users["regency"], data={"phone": "08"}, reason="Koreksi")


@pytest.mark.parametrize(("user_key", "status"), [("other_regency", 404), ("pensosmas", 403), ("analyst", 403)])
def test_anonymise_view_is_refused_outside_scope_or_role(client, users, user_key, status):
    person = register(users["pensosmas"]).person
    client.force_login(users[user_key])
    response = client.post(reverse("ppks:person-anonymise", args=[person.pk]), {"reason": "Permintaan"})
    assert response.status_code == status
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_anonymise_view(client, users):
    person = register(users["pensosmas"]).person
    Registration.objects.filter(person=person).update(status="closed", closed_at=timezone.now())
    client.force_login(users["regency"])
    url = reverse("ppks:person-anonymise", args=[person.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Alasan anonimisasi wajib diisi." in response.content.decode()
    response = client.post(url, {"reason": "Permintaan subjek data", "force": "on"}, follow=True)
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.anonymised_at is not None
    html = response.content.decode()
    assert "Dianonimkan" in html
    assert "Siti" not in html


def test_anonymised_people_are_left_out_of_duplicate_checks(users):
    person = register(users["pensosmas"]).person
    Registration.objects.filter(person=person).update(status="closed", closed_at=timezone.now())
    privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek")
    Person.objects.filter(pk=person.pk).update(name_key=normalise_name("Siti Aminah"),
                                               birth_date=datetime.date(1985, 3, 12))
    assert services.duplicates_find(nik=None, name="Siti Aminah", birth_date=datetime.date(1985, 3, 12),
                                    kk_number="") == []


def test_anonymise_also_clears_people_merged_into_the_person(users):
    kept = register(users["pensosmas"]).person
    twin = services.person_create(actor=users["pensosmas"], data=person_data(nik=None, nik_status="belum_punya",
                                                                             phone="0877"))
    candidate = DuplicateCandidate.objects.get()
    services.persons_merge(kept=kept, merged=twin, actor=users["regency"])
    Registration.objects.filter(person=kept).update(status="closed", closed_at=timezone.now())
    privacy.person_anonymise(person=kept, actor=users["regency"], reason="Permintaan subjek")
    twin.refresh_from_db()
    assert twin.name == "Anonim #{}".format(twin.pk)
    assert twin.phone == ""
    assert twin.anonymised_at is not None
    assert not DuplicateCandidate.objects.filter(pk=candidate.pk).exists(), "resolved pairs go too"
    assert "Siti" not in json.dumps([merge.conflicts for merge in kept.merges_kept.all()])


# Retention --------------------------------------------------------------------------------------


@pytest.fixture
def retention_people(users):
    long_ago = timezone.now() - datetime.timedelta(days=365 * settings.SIDBS_RETENTION_YEARS + 30)
    old = register(users["pensosmas"])
    close(old, when=long_ago)
    recent = register(users["pensosmas"], nik="3511015203850011", name="Rini", kk_number="")
    close(recent, when=timezone.now() - datetime.timedelta(days=30))
    still_open = register(users["pensosmas"], nik="3511015203850027", name="Sri", kk_number="")
    still_open_closed = register(users["pensosmas"], person=still_open.person, category="PRSE")
    close(still_open_closed, when=long_ago)
    return {"old": old.person, "recent": recent.person, "open": still_open.person}


def test_retention_dry_run_changes_nothing(retention_people, capsys):
    call_command("apply_retention", "--dry-run")
    assert "1 orang akan dianonimkan" in capsys.readouterr().out
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()


def test_retention_anonymises_only_people_past_the_period(retention_people, capsys):
    call_command("apply_retention", "--batch-size", "1")
    assert "1 orang dianonimkan dalam 1 batch" in capsys.readouterr().out
    assert set(Person.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)) == {
        retention_people["old"].pk}
    assert AuditEvent.objects.get(action="ppks.person.retention_anonymise").detail["persons"] == 1
    entry = PersonHistory.objects.filter(person_id=retention_people["old"].pk).order_by("pk").last()
    assert entry.reason == "Masa retensi 5 tahun berakhir."
    assert apply_retention_task.delay().get() == {"eligible": 0, "anonymised": 0, "batches": 0, "dry_run": False}


def test_retention_task_is_scheduled():
    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE["ppks-apply-retention"]
    assert schedule["task"] in app.tasks


def test_retention_with_zero_batch_size_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apply_retention", "--batch-size", "0")


def test_history_purge_runs_in_the_anonymise_transaction(users):
    """A failure after the rows were anonymised rolls everything back, history redaction included."""
    person = register(users["pensosmas"]).person
    Registration.objects.filter(person=person).update(status="closed", closed_at=timezone.now())

    def anonymise_then_fail():
        with transaction.atomic():
            privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        anonymise_then_fail()
    person.refresh_from_db()
    assert person.name == "Siti Aminah"
    assert "Siti Aminah" in json.dumps([row.changes for row in person_rows(person)])


# Found in review: identity must not come back after anonymisation --------------------------------


def test_an_anonymised_persons_rejected_case_cannot_be_reopened_or_edited(users):
    registration = register(users["pensosmas"], submit=True)
    services.registration_transition(registration=registration, action="reject", actor=users["regency"], note="x")
    privacy.person_anonymise(person=registration.person, actor=users["regency"], reason="Permintaan subjek")
    registration.refresh_from_db()
    with pytest.raises(ValidationError, match="tidak dapat dibuka kembali"):
        services.registration_transition(registration=registration, action="reopen", actor=users["pensosmas"])
    with pytest.raises(ValidationError, match="dianonimkan"):
        services.registration_update(registration=registration, actor=users["pensosmas"],
                                     data={"needs": "Siti Aminah, Jl. Mawar 5"})


def test_a_forced_anonymisation_keeps_new_notes_out_of_the_open_case(users):
    registration = register(users["pensosmas"], submit=True)
    privacy.person_anonymise(person=registration.person, actor=users["admin"], reason="Permintaan subjek", force=True)
    registration.refresh_from_db()
    services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                     note="Pindah domisili ke luar kabupaten")
    registration.refresh_from_db()
    assert registration.status == "rejected"
    assert "Siti" not in registration.rejection_reason
    assert not RegistrationEvent.objects.filter(note__contains="Siti").exists()


def test_dismissed_duplicate_pairs_go_with_the_anonymisation(users):
    person = register(users["pensosmas"]).person
    services.person_create(actor=users["pensosmas"], data=person_data(nik=None, nik_status="belum_punya", dusun="Lor"))
    services.duplicate_dismiss(candidate=DuplicateCandidate.objects.get(), actor=users["regency"])
    Registration.objects.filter(person=person).update(status="closed", closed_at=timezone.now())
    privacy.person_anonymise(person=person, actor=users["regency"], reason="Permintaan subjek")
    assert not DuplicateCandidate.objects.exists()


def test_correction_reasons_stay_out_of_the_audit_trail(users):
    registration = register(users["pensosmas"])
    services.person_update(person=registration.person, actor=users["regency"], data={"birth_place": "Jember"},
                           reason="Sesuai akta Siti Aminah")
    Registration.objects.filter(pk=registration.pk).update(status="closed", closed_at=timezone.now())
    privacy.person_anonymise(person=registration.person, actor=users["regency"], reason="Permintaan subjek")
    assert "Siti" not in json.dumps([event.detail for event in AuditEvent.objects.all()])


def test_a_stale_copy_neither_undoes_a_merge_nor_loses_a_concurrent_correction(users):
    person = register(users["pensosmas"]).person
    first, second = Person.objects.get(pk=person.pk), Person.objects.get(pk=person.pk)
    services.person_update(person=first, actor=users["regency"], data={"phone": "0811"}, reason="HP baru")
    services.person_update(person=second, actor=users["pensosmas"], data={"dusun": "Lor"}, reason="pindah dusun")
    person.refresh_from_db()
    assert (person.phone, person.dusun) == ("0811", "Lor")
    twin = services.person_create(actor=users["pensosmas"], data=person_data(nik=None, nik_status="belum_punya",
                                                                             name="Siti Aminah", dusun="Lor"))
    stale = Person.objects.get(pk=twin.pk)
    services.persons_merge(kept=person, merged=twin, actor=users["regency"])
    with pytest.raises(ValidationError, match="sudah digabung"):
        services.person_update(person=stale, actor=users["regency"], data={"phone": "0899"}, reason="koreksi")
    twin.refresh_from_db()
    assert twin.merged_into_id == person.pk


def test_a_merge_keeps_conflicting_niks_masked(users):
    kept = register(users["pensosmas"]).person
    other = services.person_create(actor=users["pensosmas"], data=person_data(nik="3511015203850011"))
    merge = services.persons_merge(kept=kept, merged=other, actor=users["regency"])
    stored = json.dumps(merge.conflicts)
    assert "3511015203850011" not in stored
    assert NIK not in stored
    assert "3511********0011" in stored


def test_the_admin_cannot_delete_people(users, rf):
    from django.contrib.admin.sites import site

    request = rf.get("/")
    request.user = users["admin"]
    assert site._registry[Person].has_delete_permission(request) is False


def test_a_finished_import_drops_its_upload(users, django_capture_on_commit_callbacks):
    from tests.ppks.test_import import row, run_import

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(users["regency"], [row()])
    job.refresh_from_db()
    assert job.state == "done", job.message
    assert not job.file
    assert job.sha256
    assert job.original_name


def test_an_import_planned_before_an_anonymisation_is_refused(users):
    from ppks import imports
    from ppks.models import ImportJob
    from tests.ppks.test_import import csv_file, row

    registration = register(users["pensosmas"])
    Registration.objects.filter(pk=registration.pk).update(status="closed", closed_at=timezone.now())
    job = ImportJob(original_name="x.csv", sha256="0", size=1, format="csv", requested_by=users["regency"])
    job.file.save("x.csv", csv_file([row(kategori="PRSE")]), save=False)
    job.save()
    with job.file.open("rb") as handle:
        table = imports.read_table(handle, "csv")
    plan = imports.plan_rows(imports.validate_rows(table, user=users["regency"]), user=users["regency"])
    privacy.person_anonymise(person=registration.person, actor=users["regency"], reason="Permintaan subjek")
    with pytest.raises(IntegrityError), transaction.atomic():
        imports.write_plan(plan, job=job)
    assert not Registration.objects.filter(category__code="PRSE").exists()


def test_no_free_text_about_the_person_stays_in_the_audit_after_anonymisation(users):
    """Reject notes and the anonymisation reason never reach the append-only audit (issue 15, item 2)."""
    import json

    from accounts.models import AuditEvent
    from ppks import privacy as privacy_services
    from ppks import services as ppks_services
    from tests.ppks.factories import register as register_person

    registration = register_person(users["pensosmas"], submit=True, phone="081298765432")
    ppks_services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                          note="Siti Aminah, telp 081298765432, pindah ke Surabaya")
    privacy_services.person_anonymise(person=registration.person, actor=users["regency"],
                                      reason="Permintaan Siti Aminah lewat telepon 081298765432")
    trail = json.dumps([[event.object_repr, event.detail] for event in AuditEvent.objects.all()])
    assert "Siti" not in trail
    assert "081298765432" not in trail
    assert "Surabaya" not in trail


def test_a_merge_decided_on_stale_copies_cannot_undo_an_anonymisation(users):
    """Issue 15, item 1: the merge re-reads both people under a lock; an anonymised one is refused."""
    from django.core.exceptions import ValidationError

    from ppks import privacy as privacy_services
    from ppks import services as ppks_services
    from ppks.models import Person
    from tests.ppks.factories import person_data

    kept = ppks_services.person_create(actor=users["regency"], data=person_data(nik=None, nik_status="belum_punya"))
    gone = ppks_services.person_create(actor=users["regency"], data=person_data(
        nik="3511011006800001", name="Budi Santoso", sex="L", birth_date=None, kk_number="3511012005150003"))
    stale_kept, stale_gone = Person.objects.get(pk=kept.pk), Person.objects.get(pk=gone.pk)  # loaded before
    privacy_services.person_anonymise(person=gone, actor=users["regency"], reason="Permintaan subjek")
    with pytest.raises(ValidationError) as error:
        ppks_services.persons_merge(kept=stale_kept, merged=stale_gone, actor=users["regency"])
    assert "sudah dianonimkan" in error.value.messages[0]
    kept.refresh_from_db()
    assert (kept.nik, kept.kk_number) == (None, "3511010101200001")  # nothing of Budi came back


def test_a_merge_keeps_a_correction_made_after_its_caller_loaded_the_person(users):
    """A merge saves only what it changes on the kept person: a concurrent correction is not overwritten."""
    from ppks import services as ppks_services
    from ppks.models import Person
    from tests.ppks.factories import person_data

    kept = ppks_services.person_create(actor=users["regency"], data=person_data(phone=""))
    other = ppks_services.person_create(actor=users["regency"], data=person_data(
        nik="3511011006800001", name="Siti Aminah", kk_number="", phone="081234567890"))
    stale_kept = Person.objects.get(pk=kept.pk)
    ppks_services.person_update(person=kept, actor=users["regency"], data={"dusun": "Karanganyar"},
                                reason="Pindah dusun")
    ppks_services.persons_merge(kept=stale_kept, merged=other, actor=users["regency"])
    kept.refresh_from_db()
    assert (kept.dusun, kept.phone) == ("Karanganyar", "081234567890")


def test_anonymise_blanks_what_bulk_actions_typed_about_the_person(users):
    """A bulk rejection's shared reason and a refusal listed for the person go with the identity; a bulk action
    that did not touch the person keeps its reason."""
    from ppks.bulk import bulk_action_create
    from ppks.models import BulkAction

    rejected = register(users["pensosmas"])
    other = register(users["pensosmas"], nik="3511015203850004", name="Dewi Lestari")
    untouched = register(users["pensosmas"], nik="3511015203850005", name="Rina Wati")
    for registration in (rejected, other, untouched):
        services.registration_transition(registration=registration, action="submit", actor=users["pensosmas"])
    job = bulk_action_create(actor=users["regency"], action="reject", registration_ids=[rejected.pk, other.pk],
                             note="Pindah domisili ke luar kabupaten")
    refused = bulk_action_create(actor=users["regency"], action="verify", registration_ids=[rejected.pk, other.pk])
    kept = bulk_action_create(actor=users["regency"], action="reject", registration_ids=[untouched.pk],
                              note="Data ganda dengan desa tetangga")
    assert BulkAction.objects.get(pk=refused.pk).failures[0]["reason"]

    privacy.person_anonymise(person=rejected.person, actor=users["regency"], reason="Permintaan subjek data")

    job.refresh_from_db()
    refused.refresh_from_db()
    kept.refresh_from_db()
    assert job.note == ""
    assert [failure["reason"] for failure in refused.failures if failure["id"] == rejected.pk] == [""]
    assert all(failure["reason"] for failure in refused.failures if failure["id"] == other.pk)
    assert kept.note == "Data ganda dengan desa tetangga"
    other.refresh_from_db()
    assert other.rejection_reason == "Pindah domisili ke luar kabupaten"  # its own copy stays
