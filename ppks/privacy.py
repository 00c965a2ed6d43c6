"""Personal-data protection (UU 27/2022): the subject's data export, anonymisation and retention.

- ``person_data_export``: everything held about one person (Pasal 32 access right, with the
  processing log), as a dict the view sends as JSON. The full NIK appears here, and only here,
  because it is the subject's own data; each export is an audit event.
- ``person_anonymise``: identity removed for good, statistics kept (village, sex, disability,
  DTSEN decile, birth year, registrations with category and status). Also removed: the same
  values in the field history, the free text of the registrations (needs, rejection reasons,
  event notes) and of their referrals (units' decline reasons, service and closing notes,
  event notes), values kept by merges, open duplicate pairs, and the people merged into this
  one (they are the same human being).
- ``retention_apply``: anonymises people whose last registration was closed or rejected more
  than ``SIDBS_RETENTION_YEARS`` years ago (daily Celery beat task and ``apply_retention``).

What stays: the audit trail is append-only and names people by number (``Orang #12``); the
notes staff typed into workflow steps stay in it, so forms ask staff not to put names there.
Deleted values may survive in database free pages until PostgreSQL autovacuum (or SQLite
``VACUUM``) reclaims them, and in backups until those expire.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.scoping import scope_of
from accounts.services import audit_record
from ppks.history import history_actor
from ppks.models import (
    BulkAction,
    DuplicateCandidate,
    Person,
    PersonHistory,
    PersonMerge,
    Referral,
    ReferralEvent,
    Registration,
    RegistrationEvent,
    ServiceRecord,
)
from ppks.permissions import can_force_anonymise, can_manage_personal_data, role_of

CLOSED_STATUSES = (Registration.Status.CLOSED, Registration.Status.REJECTED)
ANONYMOUS_NAME_PREFIX = "Anonim #"
IDENTIFYING_PERSON_COLUMNS = frozenset({
    "nik", "kk_number", "name", "name_key", "birth_place", "birth_date", "dusun", "rt", "rw", "street_address",
    "phone",
})
FREE_TEXT_REGISTRATION_COLUMNS = frozenset({"needs", "rejection_reason"})
REDACTED = {"old": None, "new": None, "redacted": True}


def _require_personal_data_role(actor, person: Person) -> None:
    if not can_manage_personal_data(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial atau administrator yang menangani permintaan data pribadi."))
    if not scope_of(actor).covers(person.village_id):
        raise PermissionDenied(_("Desa {village} di luar wilayah kerja Anda.").format(village=person.village_id))


# ---------------------------------------------------------------------------------------------
# Export (access right, Pasal 32)
# ---------------------------------------------------------------------------------------------


def _value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _person_dict(person: Person) -> dict:
    village = person.village
    return {
        "id": person.pk,
        "nik": person.nik,
        "status_nik": person.get_nik_status_display(),
        "no_kk": person.kk_number,
        "nama": person.name,
        "tempat_lahir": person.birth_place,
        "tanggal_lahir": _value(person.birth_date),
        "jenis_kelamin": person.get_sex_display(),
        "desa_kelurahan": {
            "kode": village.code, "nama": village.name, "kecamatan": village.district.name,
            "kabupaten_kota": village.district.regency.name, "provinsi": village.district.regency.province.name,
        },
        "dusun": person.dusun,
        "rt": person.rt,
        "rw": person.rw,
        "alamat_jalan": person.street_address,
        "telepon": person.phone,
        "disabilitas": person.get_disability_display(),
        "desil_dtsen": person.dtsen_decile,
        "desil_dtsen_per_tanggal": _value(person.dtsen_decile_as_of),
        "digabung_ke": person.merged_into_id,
        "dianonimkan": _value(person.anonymised_at),
        "dicatat": _value(person.created_at),
        "diperbarui": _value(person.updated_at),
    }


def _role_label(user) -> str:
    if user is None:
        return _("sistem")
    return str(user.get_role_display()) if user.role else (_("administrator") if user.is_superuser else "-")


def _registration_dict(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "kategori": {"kode": registration.category.code, "nama": registration.category.name},
        "desa_kelurahan": registration.village_id,
        "status": registration.get_status_display(),
        "kebutuhan": registration.needs,
        "tanggal_asesmen": _value(registration.assessed_on),
        "direktorat_tujuan": registration.directorate.name if registration.directorate else None,
        "alasan_penolakan": registration.rejection_reason,
        "didaftarkan": _value(registration.created_at),
        "diajukan": _value(registration.submitted_at),
        "diverifikasi": _value(registration.verified_at),
        "dirujuk": _value(registration.referred_at),
        "dilayani": _value(registration.served_at),
        "selesai": _value(registration.closed_at),
        "riwayat_status": [
            {
                "waktu": _value(event.occurred_at),
                "dari": event.from_status,
                "ke": event.to_status,
                "oleh_peran": _role_label(event.actor),
                "catatan": event.note,
            }
            for event in registration.events.all()
        ],
        "rujukan": [
            {
                "surat": referral.batch.letter_number if referral.batch_id else None,
                "unit_tujuan": referral.unit.name,
                "status": referral.get_state_display(),
                "dikirim": _value(referral.sent_at),
                "dijawab": _value(referral.answered_at),
                "alasan_penolakan": referral.decline_reason,
                "hasil_akhir": referral.get_outcome_display() if referral.outcome else None,
                "layanan": [
                    {"jenis": service.get_service_type_display(), "tanggal": _value(service.service_date),
                     "hasil": service.get_result_display(), "catatan": service.note}
                    for service in referral.services.all()
                ],
            }
            for referral in registration.referrals.select_related("batch", "unit").prefetch_related("services")
        ],
    }


def _related_person_ids(person: Person) -> list[int]:
    """``person`` and every record merged into it, directly or through a chain of merges."""
    ids = [person.pk]
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def person_data_export(*, person: Person, actor, request=None) -> dict:
    """Everything held about ``person`` (and records merged into it), for the subject; audited.

    Other people are never included: duplicate pairs name the other record by number only.
    Staff appear by role, not by name. The processing log is the audit trail about the person
    and their registrations (without addresses of the staff who acted).
    """
    _require_personal_data_role(actor, person)
    person_ids = _related_person_ids(person)
    persons = list(
        Person.objects.filter(pk__in=person_ids).select_related("village__district__regency__province")
        .order_by("pk")
    )
    registrations = list(
        Registration.objects.filter(person_id__in=person_ids)
        .select_related("category", "directorate")
        .prefetch_related("events__actor")
        .order_by("created_at", "pk")
    )
    registration_ids = [str(registration.pk) for registration in registrations]
    candidates = DuplicateCandidate.objects.filter(Q(person_id__in=person_ids) | Q(other_id__in=person_ids))
    merges = PersonMerge.objects.filter(Q(kept_id__in=person_ids) | Q(merged_id__in=person_ids)).select_related(
        "actor")
    history = PersonHistory.objects.filter(person_id__in=person_ids).select_related("actor").order_by("occurred_at",
                                                                                                        "pk")
    audit = (
        AuditEvent.objects.filter(
            Q(object_type="ppks.person", object_id__in=[str(pk) for pk in person_ids])
            | Q(object_type="ppks.registration", object_id__in=registration_ids)
        )
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
    audit_record(actor=actor, action="ppks.person.data_export", obj=person, request=request,
                 detail={"persons": person_ids, "registrations": len(registrations)})
    return {
        "jenis_dokumen": _("Salinan data pribadi (UU 27/2022 Pasal 32)"),
        "dibuat": _value(timezone.now()),
        "dibuat_oleh_peran": _role_label(actor),
        "pengendali_data": _("Kementerian Sosial RI dan Dinas Sosial setempat (SI-DBS)"),
        "masa_retensi": _("{years} tahun setelah registrasi terakhir selesai atau ditolak, lalu dianonimkan.").format(
            years=settings.SIDBS_RETENTION_YEARS),
        "orang": _person_dict(persons[0] if persons[0].pk == person.pk else person),
        "data_yang_digabungkan": [_person_dict(item) for item in persons if item.pk != person.pk],
        "registrasi": [_registration_dict(registration) for registration in registrations],
        "calon_duplikat": [
            {
                "data_lain": "#{}".format(candidate.other_id if candidate.person_id in person_ids
                                          else candidate.person_id),
                "alasan": candidate.get_reason_display(),
                "status": candidate.get_status_display(),
                "ditemukan": _value(candidate.found_at),
                "ditinjau": _value(candidate.resolved_at),
            }
            for candidate in candidates
        ],
        "penggabungan": [
            {
                "dipertahankan": merge.kept_id,
                "digabungkan": merge.merged_id,
                "nilai_berbeda": merge.conflicts,
                "waktu": _value(merge.merged_at),
                "oleh_peran": _role_label(merge.actor),
            }
            for merge in merges
        ],
        "riwayat_perubahan": [
            {
                "waktu": _value(entry.occurred_at),
                "data": "{} #{}".format(entry.table_name, entry.record_id),
                "tindakan": entry.get_action_display(),
                "perubahan": entry.changes,
                "oleh_peran": _role_label(entry.actor) if entry.actor_id else _("sistem"),
                "alasan": entry.reason,
            }
            for entry in history
        ],
        "log_pemrosesan": [
            {
                "waktu": _value(event.occurred_at),
                "tindakan": event.action,
                "objek": event.object_repr,
                "oleh_peran": _role_label(event.actor),
                "rincian": event.detail,
            }
            for event in audit
        ],
    }


# ---------------------------------------------------------------------------------------------
# Anonymisation
# ---------------------------------------------------------------------------------------------


def _anonymise_rows(person_ids: list[int], *, now: datetime.datetime) -> None:
    """Remove identity from these people and everything that repeats it; run inside ``history_actor``."""
    first_new_history = (PersonHistory.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    Person.objects.filter(pk__in=person_ids).update(
        name=Concat(Value(ANONYMOUS_NAME_PREFIX), Cast("pk", output_field=CharField())),
        name_key="",
        nik=None,
        nik_status=Person.NikStatus.UNKNOWN,
        kk_number="",
        birth_place="",
        birth_date=TruncYear("birth_date"),
        dusun="",
        rt="",
        rw="",
        street_address="",
        phone="",
        anonymised_at=now,
        updated_at=now,
    )
    registrations = Registration.objects.filter(person_id__in=person_ids)
    registrations.update(needs="", rejection_reason="", updated_at=now)
    RegistrationEvent.objects.filter(registration__in=registrations).exclude(note="").update(note="")
    # What units wrote about the person while answering referrals.
    referrals = Referral.objects.filter(registration__in=registrations)
    referrals.update(decline_reason="", closing_note="")
    ReferralEvent.objects.filter(referral__in=referrals).exclude(note="").update(note="")
    ServiceRecord.objects.filter(referral__in=referrals).exclude(note="").update(note="")
    # Every pair, dismissed ones too: a pair's reason ("same name and birth date", "same KK and name")
    # would re-identify the anonymised side through the other person.
    DuplicateCandidate.objects.filter(Q(person_id__in=person_ids) | Q(other_id__in=person_ids)).delete()
    merges = list(PersonMerge.objects.filter(Q(kept_id__in=person_ids) | Q(merged_id__in=person_ids)))
    for merge in merges:
        merge.conflicts = {name: None for name in merge.conflicts if name != "nik_merged"}
        merge.undo_state = {}  # old values kept for an undo (names, addresses); an anonymised merge is not undone
    PersonMerge.objects.bulk_update(merges, ["conflicts", "undo_state"])
    _bulk_actions_redact(registrations)
    _history_redact(person_ids, keep_reason_from=first_new_history)


def _bulk_actions_redact(registrations) -> None:
    """Blank what bulk actions typed about these registrations: the shared rejection reason (each registration
    of the selection keeps its own copy in its events) and the refusal reasons listed for them."""
    found = registrations.aggregate(first=Min("created_at"))["first"]
    if found is None:
        return
    registration_ids = set(registrations.values_list("pk", flat=True))
    changed = []
    for job in BulkAction.objects.filter(created_at__gte=found).only("pk", "note", "registration_ids", "failures"):
        if registration_ids.isdisjoint(job.registration_ids):
            continue
        job.note = ""
        job.failures = [{**failure, "reason": ""} if failure["id"] in registration_ids else failure
                        for failure in job.failures]
        changed.append(job)
    BulkAction.objects.bulk_update(changed, ["note", "failures"], batch_size=200)


def _history_redact(person_ids: list[int], *, keep_reason_from: int) -> None:
    """Blank identifying values (and the free-text reasons typed by staff) in the people's field history."""
    entries = list(PersonHistory.objects.filter(person_id__in=person_ids))
    for entry in entries:
        sensitive = IDENTIFYING_PERSON_COLUMNS if entry.table_name == "ppks_person" else FREE_TEXT_REGISTRATION_COLUMNS
        entry.changes = {
            column: dict(REDACTED) if column in sensitive else values for column, values in entry.changes.items()
        }
        if entry.pk < keep_reason_from:
            entry.reason = ""
    PersonHistory.objects.bulk_update(entries, ["changes", "reason"], batch_size=500)


@transaction.atomic
def person_anonymise(*, person: Person, actor, reason: str, force: bool = False, request=None) -> Person:
    """Anonymise ``person`` (and records merged into it) at the subject's request or after retention.

    Refused while a registration is still open (not closed or rejected), unless an
    administrator forces it. ``reason`` is required and recorded; it must not repeat the identity.
    """
    _require_personal_data_role(actor, person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Alasan anonimisasi wajib diisi.")]})
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.anonymised_at is not None:
        raise ValidationError(_("Data orang ini sudah dianonimkan."))
    if locked.merged_into_id:
        raise ValidationError(_("Data ini sudah digabung; anonimkan data hasil gabungannya (#{pk}).").format(
            pk=locked.merged_into_id))
    person_ids = _related_person_ids(locked)
    open_count = Registration.objects.filter(person_id__in=person_ids).exclude(status__in=CLOSED_STATUSES).count()
    if open_count:
        if not force:
            raise ValidationError(_(
                "Masih ada {count} registrasi yang belum selesai atau ditolak. Selesaikan dulu, atau minta "
                "administrator memaksa anonimisasi.").format(count=open_count))
        if not can_force_anonymise(actor):
            raise PermissionDenied(_("Hanya administrator yang dapat memaksa anonimisasi saat registrasi masih aktif."))
    with history_actor(actor, reason=reason):
        _anonymise_rows(person_ids, now=timezone.now())
    locked.refresh_from_db()
    audit_record(actor=actor, action="ppks.person.anonymise", obj=locked, request=request,
                 detail={"persons": person_ids, "open_registrations": open_count, "forced": bool(open_count),
                         "role": role_of(actor)})
    return locked


# ---------------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------------


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """The moment before which a finished case has been kept long enough (``SIDBS_RETENTION_YEARS``)."""
    now = now or timezone.now()
    years = settings.SIDBS_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_candidates(*, now: datetime.datetime | None = None):
    """People past retention: not anonymised or merged, no open registration, last one finished before the cutoff.

    A closed registration ends at ``closed_at``, a rejected one at its last change. People
    without any registration (a draft deleted) count from their own last change.
    """
    cutoff = retention_cutoff(now)
    open_registrations = Registration.objects.filter(person=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
    return (
        Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .filter(~Exists(open_registrations))
        .annotate(finished=Max(Coalesce("registrations__closed_at", "registrations__updated_at")))
        .filter(Q(finished__lt=cutoff) | Q(finished__isnull=True, updated_at__lt=cutoff))
        .order_by("pk")
    )


def retention_apply(*, dry_run: bool = False, batch_size: int = 500, now: datetime.datetime | None = None) -> dict:
    """Anonymise every person past retention in batches of ``batch_size``, each batch in its own transaction.

    Returns ``{"eligible": n, "anonymised": m, "batches": b}``; with ``dry_run`` nothing changes.
    """
    eligible = retention_candidates(now=now).count()
    if dry_run or not eligible:
        return {"eligible": eligible, "anonymised": 0, "batches": 0, "dry_run": dry_run}
    reason = _("Masa retensi {years} tahun berakhir.").format(years=settings.SIDBS_RETENTION_YEARS)
    anonymised = batches = 0
    while True:
        with transaction.atomic():
            ids = list(retention_candidates(now=now).values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            locked = list(Person.objects.select_for_update().filter(pk__in=ids, anonymised_at__isnull=True)
                          .values_list("pk", flat=True))
            merged = list(Person.objects.filter(merged_into__in=locked).values_list("pk", flat=True))
            while merged:
                locked.extend(merged)
                merged = list(Person.objects.filter(merged_into__in=merged).exclude(pk__in=locked)
                              .values_list("pk", flat=True))
            with history_actor(None, reason=reason):
                _anonymise_rows(locked, now=timezone.now())
            audit_record(actor=None, action="ppks.person.retention_anonymise",
                         detail={"persons": len(locked), "retention_years": settings.SIDBS_RETENTION_YEARS})
        anonymised += len(ids)
        batches += 1
    return {"eligible": eligible, "anonymised": anonymised, "batches": batches, "dry_run": False}
