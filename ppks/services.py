"""Every write to the PPKS registry: registering, the workflow, duplicates and merges, NIK reveals.

Each function runs in one transaction and records its audit event. Validation errors are
raised as ``ValidationError`` with Indonesian messages keyed by field, so forms and the API
can show them next to the input that caused them.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notify
from accounts.scoping import scope_of, visible_to
from accounts.services import audit_record
from config.caching import aggregates_changed
from config.digits import digits_problem, foreign_digit, is_ascii_digits
from config.outage import ServiceUnavailable, enqueue_on_commit, task_queue_required
from config.ratelimit import rate_consume
from ppks.history import history_actor, records_history
from ppks.models import Category, DuplicateCandidate, Person, Registration, RegistrationEvent, age_on
from ppks.names import normalise_name
from ppks.nik import check_kk, check_nik
from ppks.permissions import can_register, can_reveal_nik, can_verify, role_of
from ppks.workflow import TIMESTAMP_FIELDS, TRANSITIONS
from villages.models import District, Regency, Village

# The form, the API and the services refuse birth dates before this (a typo in the year, usually).
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
PERSON_FIELDS = (
    "nik", "nik_status", "kk_number", "name", "birth_place", "birth_date", "sex", "village", "dusun", "rt", "rw",
    "street_address", "phone", "disability", "dtsen_decile", "dtsen_decile_as_of",
)


@dataclass
class IdentityCheck:
    """Hard errors (by field) and soft warnings about a person's identity data."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _district_exists(code: str) -> bool:
    return District.objects.filter(code=code).exists()


def _regency_exists(code: str) -> bool:
    return Regency.objects.filter(code=code).exists()


def birth_date_problem(birth_date: datetime.date | None, today: datetime.date | None = None) -> str | None:
    """The one plausibility rule for a birth date (form, API, import): not in the future, not before 1900.

    ``today`` defaults to the local date (an import passes the one date it checks every row against)."""
    if birth_date is None:
        return None
    if birth_date > (today or timezone.localdate()):
        return _("Tanggal lahir tidak boleh di masa depan.")
    if birth_date < EARLIEST_BIRTH_DATE:
        return _("Tanggal lahir terlalu lampau; periksa tahunnya.")
    return None


def rt_rw_problem(value: str, *, label: str) -> str | None:
    """RT and RW: one to three ASCII digits (``001``); the message for anything else."""
    if not value:
        return None
    if foreign_digit(value) or not is_ascii_digits(value) or len(value) > 3:
        return digits_problem(value, label=label, max_length=3) if foreign_digit(value) else _(
            "{label} harus angka 1–3 digit, misalnya 001.").format(label=label)
    return None


def identity_check(*, nik: str | None, kk_number: str, birth_date, sex: str, rt: str = "", rw: str = ""
                   ) -> IdentityCheck:
    """NIK and No. KK rules of DOMAIN.md §3, RT/RW and a plausible birth date: format errors block, mismatches warn.

    Every identity number is ASCII digits only (``config.digits``), on every path.
    """
    result = IdentityCheck()
    for name, value, label in (("rt", rt, "RT"), ("rw", rw, "RW")):
        problem = rt_rw_problem(value or "", label=label)
        if problem:
            result.errors[name] = [problem]
    problem = birth_date_problem(birth_date)
    if problem:
        result.errors["birth_date"] = [problem]
    if nik:
        nik_result = check_nik(
            nik, birth_date=birth_date, sex=sex, known_district=_district_exists, known_regency=_regency_exists
        )
        if nik_result.errors:
            result.errors["nik"] = list(nik_result.errors)
        result.warnings.extend(nik_result.warnings)
    if kk_number:
        kk_result = check_kk(kk_number)
        if kk_result.errors:
            result.errors["kk_number"] = list(kk_result.errors)
        result.warnings.extend(kk_result.warnings)
    return result


# Categories whose people are registered because of a disability: the type of disability belongs on the person.
DISABILITY_CATEGORIES = frozenset({"PD", "ADK"})


def category_criteria_warnings(*, category: Category, age: int | None, sex: str, disability: str | None = None
                               ) -> list[str]:
    """The category's criteria for a person of ``age`` (at the assessment date) and ``sex`` (warnings, not blocks).

    The one rule for every path: the web forms, the API, the bulk import and the demo data generator.
    ``disability`` None means "not known here" (no disability warning); "" means the person has none recorded.
    """
    warnings = []
    if age is not None:
        if category.min_age is not None and age < category.min_age:
            warnings.append(
                _("Usia {age} tahun di bawah batas kategori {category} (minimal {limit} tahun).").format(
                    age=age, category=category.code, limit=category.min_age
                )
            )
        if category.max_age is not None and age > category.max_age:
            warnings.append(
                _("Usia {age} tahun di atas batas kategori {category} (maksimal {limit} tahun).").format(
                    age=age, category=category.code, limit=category.max_age
                )
            )
    if category.required_sex and sex and sex != category.required_sex:
        warnings.append(_("Kategori {category} hanya untuk perempuan.").format(category=category.code))
    if disability is not None and not disability and category.code in DISABILITY_CATEGORIES:
        warnings.append(_("Kategori {category}: jenis disabilitas belum diisi pada data orang.").format(
            category=category.code))
    return warnings


def category_warnings(*, category: Category, birth_date, sex: str, on: datetime.date,
                      disability: str | None = None) -> list[str]:
    """Age and sex criteria of the category, checked at the assessment date (warnings, not blocks)."""
    age = age_on(birth_date, on)
    return category_criteria_warnings(category=category, age=age, sex=sex, disability=disability)


def registration_warnings(*, person: Person, category: Category, on: datetime.date) -> list[str]:
    """What a registration of ``person`` in ``category`` assessed ``on`` should be checked for."""
    return category_warnings(category=category, birth_date=person.birth_date, sex=person.sex, on=on,
                             disability=person.disability)


def duplicates_find(
    *, nik: str | None, name: str, birth_date, kk_number: str, exclude_pk: int | None = None
) -> list[tuple[Person, str]]:
    """People across all villages that look like this one: same NIK, same name + birth date, or same KK + name.

    Names are compared after Indonesian normalisation (Muhammad/Moh./M., honorifics, old spelling).
    """
    key = normalise_name(name)
    conditions = Q(name_key=key, birth_date=birth_date) if birth_date else Q(pk__in=[])
    if nik:
        conditions |= Q(nik=nik)
    if kk_number:
        conditions |= Q(kk_number=kk_number, name_key=key)
    candidates = Person.objects.filter(conditions, merged_into__isnull=True, anonymised_at__isnull=True
                                       ).select_related("village")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    matches = []
    for person in candidates[:20]:
        if nik and person.nik == nik:
            reason = DuplicateCandidate.Reason.SAME_NIK
        elif birth_date and person.name_key == key and person.birth_date == birth_date:
            reason = DuplicateCandidate.Reason.NAME_BIRTH
        else:
            reason = DuplicateCandidate.Reason.SAME_KK_NAME
        matches.append((person, reason))
    return matches


def _record_duplicate_candidates(person: Person) -> int:
    """Queue every likely duplicate of ``person`` (other than exact NIK, which the database forbids)."""
    created = 0
    for other, reason in duplicates_find(
        nik=None, name=person.name, birth_date=person.birth_date, kk_number=person.kk_number, exclude_pk=person.pk
    ):
        first, second = sorted([person.pk, other.pk])
        _candidate, was_created = DuplicateCandidate.objects.get_or_create(
            person_id=first, other_id=second, defaults={"reason": reason}
        )
        created += was_created
    return created


def _require_in_scope(actor, village: Village) -> None:
    if not scope_of(actor).covers(village.code):
        raise PermissionDenied(_("Desa {village} di luar wilayah kerja Anda.").format(village=village.code))


def _clean_person(person: Person) -> None:
    person.name = " ".join(person.name.split())
    person.name_key = normalise_name(person.name)
    person.nik = person.nik or None
    person.rt = person.rt.zfill(3) if person.rt else ""
    person.rw = person.rw.zfill(3) if person.rw else ""
    if person.nik:
        person.nik_status = Person.NikStatus.RECORDED
    person.full_clean()


def nik_check_message() -> str:
    """What a user is told about a NIK held by someone outside their region: nothing about that person."""
    return _("NIK ini perlu diperiksa Dinas Sosial. Data disimpan tanpa NIK; Dinas Sosial akan mencocokkannya.")


def nik_holder_elsewhere(*, actor, nik: str | None) -> Person | None:
    """The person outside ``actor``'s region who holds ``nik``, counting the look-up (issue 15 item 3).

    Every answer that depends on such a person is a look-up of identity data in another region, so it is
    counted against the ``nik_search`` limit (``RateLimitExceeded`` past it) before anything is decided.
    The caller tells the user only ``nik_check_message()``, never whether or where the NIK is registered.
    """
    if not nik:
        return None
    holder = Person.objects.filter(nik=nik).select_related("village").first()
    if holder is None or scope_of(actor).covers(holder.village_id):
        return None
    rate_consume("nik_search", user=actor)
    return holder


def _queue_nik_check(person: Person, holder: Person) -> None:
    """Put the new person (saved without the NIK) and the NIK's holder in the duplicate queue for Dinas Sosial."""
    first, second = sorted([person.pk, holder.pk])
    DuplicateCandidate.objects.get_or_create(person_id=first, other_id=second,
                                             defaults={"reason": DuplicateCandidate.Reason.SAME_NIK})


@records_history
def person_create(*, actor, data: dict) -> Person:
    """Create a person after the identity rules; raises ValidationError by field.

    A NIK already held by a person in the actor's region is refused (the user can open that person).
    A NIK held by someone outside it is not confirmed: the person is saved without the NIK, the pair
    goes to the duplicate queue, and ``warnings`` carries only ``nik_check_message()``.
    """
    if not can_register(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat mendaftarkan PPKS."))
    person = Person(**{name: value for name, value in data.items() if name in PERSON_FIELDS}, created_by=actor)
    _require_in_scope(actor, person.village)
    check = identity_check(nik=person.nik, kk_number=person.kk_number, birth_date=person.birth_date, sex=person.sex,
                           rt=person.rt, rw=person.rw)
    if check.errors:
        raise ValidationError(check.errors)
    holder = nik_holder_elsewhere(actor=actor, nik=person.nik)
    if holder is not None:
        person.nik, person.nik_status = None, Person.NikStatus.UNKNOWN
        check.warnings.append(nik_check_message())
    elif person.nik and Person.objects.filter(nik=person.nik).exists():
        raise ValidationError({"nik": [_("NIK ini sudah terdaftar. Tambahkan registrasi pada data orang tersebut.")]})
    _clean_person(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise ValidationError({"nik": [_("NIK ini sudah terdaftar. Tambahkan registrasi pada data orang tersebut.")]}) \
            from error
    if holder is not None:
        _queue_nik_check(person, holder)
    _record_duplicate_candidates(person)
    audit_record(actor=actor, action="ppks.person.create", obj=person,
                 detail={"village": person.village_id, **({"nik_check": holder.pk} if holder is not None else {})})
    person.warnings = check.warnings
    return person


@transaction.atomic
def person_update(*, person: Person, actor, data: dict, reason: str = "") -> Person:
    """Correct (rectify) a person's data for a stated reason; audited by field, history by value.

    The names of the changed fields go into the audit event; the old and new values and
    ``reason`` go into the field history (NIK masked), which anonymisation can redact. Records
    merged into another person are corrected on the person they were merged into.
    """
    if not can_register(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat mengubah data PPKS."))
    stored = Person.objects.select_for_update().get(pk=person.pk)
    _require_in_scope(actor, stored.village)
    if stored.anonymised_at is not None:
        raise ValidationError(_("Data orang ini sudah dianonimkan dan tidak dapat diubah."))
    if stored.merged_into_id is not None:
        raise ValidationError(_("Data orang ini sudah digabung ke data lain; ubah data tersebut."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"correction_reason": [_("Alasan koreksi wajib diisi.")]})
    with history_actor(actor, reason=reason):
        return _person_update(person=person, stored=stored, actor=actor, data=data, reason=reason)


def _person_update(*, person: Person, stored: Person, actor, data: dict, reason: str) -> Person:
    """Apply ``data`` to ``stored`` (the row as locked now) and save it; returns the saved person.

    ``person`` is the caller's copy (a ModelForm has already set the new values on it); saving the
    locked row instead means a concurrent correction or merge is never overwritten with stale values.
    The reason stays in the field history (which anonymisation redacts), not in the append-only audit.
    """
    changes = []
    for name, value in data.items():
        if name in PERSON_FIELDS:
            if getattr(stored, name) != value:
                changes.append(name)
            setattr(stored, name, value)
    if "village" in data:
        _require_in_scope(actor, stored.village)
    check = identity_check(nik=stored.nik, kk_number=stored.kk_number, birth_date=stored.birth_date, sex=stored.sex,
                           rt=stored.rt, rw=stored.rw)
    if check.errors:
        raise ValidationError(check.errors)
    if "nik" in changes and stored.nik and Person.objects.filter(nik=stored.nik).exclude(pk=stored.pk).exists():
        if nik_holder_elsewhere(actor=actor, nik=stored.nik) is not None:
            raise ValidationError({"nik": [_("NIK ini perlu diperiksa Dinas Sosial sebelum dapat dipakai; hubungi "
                                             "Dinas Sosial untuk koreksi ini.")]})
        raise ValidationError({"nik": [_("NIK ini sudah terdaftar pada orang lain; gabungkan datanya bila orang "
                                         "yang sama.")]})
    _clean_person(stored)
    stored.save()
    _record_duplicate_candidates(stored)
    audit_record(actor=actor, action="ppks.person.update", obj=stored,
                 detail={"fields": sorted(changes), "reason_in_history": True})
    return stored


def _add_event(registration: Registration, *, from_status: str, actor, note: str = "") -> None:
    RegistrationEvent.objects.create(
        registration=registration, from_status=from_status, to_status=registration.status, actor=actor, note=note
    )


@records_history
@transaction.atomic
def registration_create(
    *,
    actor,
    person: Person,
    category: Category,
    needs: str = "",
    assessed_on: datetime.date | None = None,
    submit: bool = False,
    client_uuid: uuid.UUID | None = None,
) -> Registration:
    """Register ``person`` as PPKS of ``category`` in the person's village, as a draft or submitted.

    With ``client_uuid``, a resend of the same request returns the registration made the first time.
    The returned registration carries ``warnings``: the category criteria the person does not meet
    (``registration_warnings``), which every caller shows (page, API answer).
    """
    if client_uuid is not None:
        existing = Registration.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.created_by_id != actor.pk:
                raise ValidationError({"client_uuid": [_("ID klien ini sudah dipakai pengguna lain.")]})
            existing.warnings = registration_warnings(person=existing.person, category=existing.category,
                                                      on=existing.assessed_on)
            return existing
    if not can_register(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat mendaftarkan PPKS."))
    _require_in_scope(actor, person.village)
    if person.merged_into_id:
        raise ValidationError(_("Data orang ini sudah digabung ke data lain; daftarkan pada data hasil gabungan."))
    if person.anonymised_at is not None:
        raise ValidationError(_("Data orang ini sudah dianonimkan; daftarkan sebagai orang baru."))
    day = assessed_on or timezone.localdate()
    registration = Registration(
        person=person,
        category=category,
        village=person.village,
        needs=needs.strip(),
        assessed_on=day,
        directorate=category.directorate_on(day),
        client_uuid=client_uuid,
        created_by=actor,
    )
    registration.full_clean()
    registration.save()
    aggregates_changed("ppks")
    _add_event(registration, from_status="", actor=actor, note=_("Didaftarkan"))
    warnings = registration_warnings(person=person, category=category, on=day)
    audit_record(
        actor=actor,
        action="ppks.registration.create",
        obj=registration,
        detail={"person": person.pk, "category": category.code, "village": person.village_id},
    )
    if submit:
        registration = registration_transition(registration=registration, action="submit", actor=actor)
    registration.warnings = warnings
    return registration


EDITABLE_STATUSES = frozenset({Registration.Status.DRAFT, Registration.Status.REJECTED})


@records_history
@transaction.atomic
def registration_update(*, registration: Registration, actor, data: dict) -> Registration:
    """Correct a draft or rejected registration (category, needs, assessment date); audited by field."""
    if not can_register(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat mengubah registrasi."))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)  # decide on it as it is now
    _require_in_scope(actor, registration.village)
    if Person.objects.filter(pk=registration.person_id, anonymised_at__isnull=False).exists():
        raise ValidationError(_("Data orang ini sudah dianonimkan; registrasinya tidak dapat diubah."))
    if registration.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Registrasi berstatus '{status}' tidak dapat diubah; hanya draf atau yang ditolak.").format(
                status=registration.get_status_display())
        )
    changed = []
    for name in ("category", "needs", "assessed_on"):
        if name in data and getattr(registration, name) != data[name]:
            setattr(registration, name, data[name])
            changed.append(name)
    if "category" in changed:
        registration.directorate = registration.category.directorate_on(registration.assessed_on)
    registration.full_clean()
    registration.save()
    audit_record(actor=actor, action="ppks.registration.update", obj=registration, detail={"fields": changed})
    registration.warnings = registration_warnings(person=registration.person, category=registration.category,
                                                  on=registration.assessed_on)
    return registration


@records_history
@transaction.atomic
def registration_delete(*, registration: Registration, actor) -> None:
    """Delete a draft that was never submitted (a mistaken entry); anything later stays for the record."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _require_in_scope(actor, registration.village)
    if registration.status != Registration.Status.DRAFT or registration.submitted_at is not None:
        raise ValidationError(_("Hanya draf yang belum pernah diajukan yang dapat dihapus."))
    if registration.created_by_id != actor.pk and not can_verify(actor):
        raise PermissionDenied(_("Hanya pembuat draf atau Dinas Sosial yang dapat menghapusnya."))
    audit_record(actor=actor, action="ppks.registration.delete", obj=registration,
                 detail={"person": registration.person_id, "category": registration.category.code})
    registration.delete()
    aggregates_changed("ppks")


@records_history
@transaction.atomic
def registration_transition(*, registration: Registration, action: str, actor, note: str = "") -> Registration:
    """Move a registration along the workflow; illegal steps and roles are refused with a clear message."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Tindakan '{action}' tidak dikenal.").format(action=action))
    # The category comes along for the audit label; only the registration row is locked.
    locked = visible_to(actor, Registration.objects.select_for_update(of=("self",)).select_related("category")
                        ).filter(pk=registration.pk).first()
    if locked is None:
        raise PermissionDenied(_("Registrasi ini di luar wilayah kerja Anda."))
    if role_of(actor) not in transition.roles:
        raise PermissionDenied(
            _("Peran Anda tidak dapat melakukan '{action}' pada registrasi.").format(action=transition.label)
        )
    if locked.status not in transition.sources:
        raise ValidationError(
            _("Registrasi berstatus '{status}' tidak dapat di-'{action}'.").format(
                status=locked.get_status_display(), action=transition.label
            )
        )
    note = note.strip()
    if transition.needs_note and not note:
        raise ValidationError({"note": [_("Alasan wajib diisi.")]})
    if Person.objects.filter(pk=locked.person_id, anonymised_at__isnull=False).exists():
        # A force-anonymised person's open case may still move forward, but never back to editing,
        # and no new free text (which could name them again) is stored.
        if action == "reopen":
            raise ValidationError(_("Data orang ini sudah dianonimkan; registrasinya tidak dapat dibuka kembali."))
        note = _("(catatan tidak disimpan: data orang dianonimkan)") if note else ""
    from_status = locked.status
    locked.status = transition.target
    now = timezone.now()
    if transition.target in TIMESTAMP_FIELDS:
        setattr(locked, TIMESTAMP_FIELDS[transition.target], now)
    if transition.target == Registration.Status.VERIFIED:
        locked.verified_by = actor
    if transition.target == Registration.Status.REJECTED:
        locked.rejection_reason = note
    locked.save()
    aggregates_changed("ppks")
    _add_event(locked, from_status=from_status, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="ppks.registration.{}".format(action),
        obj=locked,
        # The note (a rejection reason may describe the person) stays on the registration's event, which
        # anonymisation clears; the append-only audit keeps only that there was one.
        detail={"from": from_status, "to": locked.status, "with_note": bool(note)},
    )
    if transition.target == Registration.Status.REJECTED and locked.created_by_id not in (None, actor.pk):
        notify(recipients=[locked.created_by], kind=Notification.Kind.REGISTRATION_REJECTED, obj=locked)
    return locked


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, actor) -> DuplicateCandidate:
    """Staff decide a candidate pair is two different people (only a pair still open: not merged meanwhile)."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("Pasangan ini sudah ditinjau sebelumnya."))
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.resolved_by = actor
    candidate.resolved_at = timezone.now()
    candidate.save()
    audit_record(actor=actor, action="ppks.duplicate.dismiss", obj=candidate)
    return candidate


@transaction.atomic
def person_nik_reveal(*, person: Person, actor, request=None) -> str:
    """Return the full NIK for an authorised role and record that it was seen.

    Every path that shows a full NIK comes here (the reveal button, the correction form, the API),
    so all of them share one limit (``nik``, SIDBS_THROTTLE_NIK, 60/hour by default).
    """
    if not can_reveal_nik(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat melihat NIK lengkap."))
    _require_in_scope(actor, person.village)
    rate_consume("nik", user=actor)
    audit_record(actor=actor, action="ppks.person.nik_reveal", obj=person, request=request)
    return person.nik or ""


def registration_import_create(*, actor, upload, all_or_nothing: bool = True, submit_rows: bool = False):
    """Store an uploaded CSV/XLSX as an ``ImportJob`` and import it now (small files) or in a Celery task.

    Raises ValidationError on the ``file`` field when the file is refused (size, type, unsafe archive).
    Files of up to ``SYNC_ROW_LIMIT`` rows are imported inside this call; larger ones are queued
    when the surrounding transaction commits and the job page follows their progress.
    """
    from ppks import imports
    from ppks.models import ImportJob
    from ppks.tasks import registrations_import_task

    if not can_register(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat mendaftarkan PPKS."))
    try:
        info = imports.inspect_upload(upload)
    except imports.ImportFileError as error:
        raise ValidationError({"file": [error.message]}) from error
    original_name = (upload.name or "impor").replace("\\", "/").rsplit("/", 1)[-1][:255]
    job = ImportJob(
        original_name=original_name, sha256=info.sha256, size=info.size, format=info.format, requested_by=actor,
        all_or_nothing=all_or_nothing, submit_rows=submit_rows,
    )
    job.file.save("{}.{}".format(uuid.uuid4().hex, info.format), upload, save=False)
    job.save()
    audit_record(actor=actor, action="ppks.registration.import_upload", obj=job,
                 detail={"file": original_name, "sha256": info.sha256, "size": info.size})
    with job.file.open("rb") as handle:
        rows = imports.count_rows(handle, job.format)
    if rows <= imports.SYNC_ROW_LIMIT:
        return registrations_import(job=job)
    try:
        task_queue_required()
    except ServiceUnavailable:
        job.file.delete(save=False)  # the job row goes with the transaction; the stored upload would stay
        raise
    enqueue_on_commit(registrations_import_task, job.pk)
    return job


def registrations_import(*, job):
    """Import one stored job (from the request or the Celery task); a finished job is left as it is."""
    from ppks import imports

    if job.is_finished:
        return job
    job = imports.import_execute(job)
    aggregates_changed("ppks")
    if job.is_finished and job.file:
        job_pk = job.pk
        transaction.on_commit(lambda: import_upload_discard(job_pk))
    return job


def import_upload_discard(job_pk: int) -> None:
    """Delete a finished job's uploaded file: it holds identities (NIK, KK, names, addresses) that
    anonymisation could not reach. The job keeps its name, size, SHA-256, counts and error list."""
    from ppks.models import ImportJob

    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is None or not job.is_finished or not job.file:
        return
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job_pk).update(file="")


def imports_watchdog(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run again the import jobs that stalled (a worker lost mid-file, a task lost with Redis).

    An import is all-or-nothing in one transaction, so a run that died left nothing behind and the
    job can simply be queued again. Without its uploaded file, or after SIDBS_JOB_MAX_ATTEMPTS watchdog
    runs, it is marked failed with a message that says what to do.
    """
    from ppks.models import ImportJob
    from ppks.tasks import registrations_import_task

    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.SIDBS_REPORT_STALL_MINUTES)
    stalled = ImportJob.objects.filter(
        Q(state=ImportJob.State.QUEUED, created_at__lt=limit) | Q(state=ImportJob.State.RUNNING, started_at__lt=limit)
    ).values_list("pk", flat=True)
    outcome = {"requeued": 0, "failed": 0}
    for job_pk in list(stalled):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_pk).first()
            if job is None or job.is_finished:
                continue
            runs = int(job.timings.get("watchdog_runs", 0))
            if not job.file or runs >= settings.SIDBS_JOB_MAX_ATTEMPTS:
                job.state, job.finished_at = ImportJob.State.FAILED, now
                job.message = _("Impor berhenti tanpa selesai dan tidak dapat dilanjutkan; unggah ulang berkasnya.")
                job.save(update_fields=["state", "finished_at", "message"])
                outcome["failed"] += 1
                continue
            job.state, job.started_at, job.timings = ImportJob.State.QUEUED, None, {**job.timings,
                                                                                    "watchdog_runs": runs + 1}
            job.save(update_fields=["state", "started_at", "timings"])
            enqueue_on_commit(registrations_import_task, job.pk)
            audit_record(actor=None, action="ppks.import_watchdog_requeue", obj=job, detail={"runs": runs + 1})
            outcome["requeued"] += 1
    return outcome


def name_keys_recompute(*, person_model=None, batch_size: int = 2000) -> int:
    """Store the current ``normalise_name`` key on every person whose key differs; returns how many changed.

    Run after the normaliser's rules change (``manage.py recompute_name_keys``; the migration that
    ships a change calls it with its historical model). Anonymised people keep their empty key.
    """
    model = person_model or Person
    changed = 0
    rows = model.objects.filter(anonymised_at__isnull=True).order_by("pk").values_list("pk", "name", "name_key")
    pending = []
    for pk, name, stored in rows.iterator(chunk_size=batch_size):
        key = normalise_name(name)
        if key != stored:
            pending.append(model(pk=pk, name_key=key))
        if len(pending) >= batch_size:
            changed += _name_keys_write(model, pending)
            pending = []
    return changed + _name_keys_write(model, pending)


def _name_keys_write(model, people: list) -> int:
    if people:
        with transaction.atomic():
            model.objects.bulk_update(people, ["name_key"])
    return len(people)


# The merge and its undo live in their own module; re-exported so every caller finds them here.
from ppks.merge_services import (  # noqa: E402, F401
    MERGE_FIELDS,
    choice_label,
    merge_choices,
    merge_undo_deadline,
    persons_merge,
    persons_unmerge,
)
