"""Every write of the referral loop: sending a letter, and the receiving unit's answers.

Sending (``referral_letter_create``) marks verified registrations referred, numbers the letter from
the sender's office register and opens one ``Referral`` per registration at the addressed unit.
The unit (or Dinas Sosial, recording an answer it received on paper) then accepts, declines with a
reason, forwards to another unit, records services and closes. After every step the registration's
status is derived again from its referrals (``registration_follow_referrals``): referred while a
referral waits, served once a service is recorded, closed when every referral ended and one was
closed, back to verified when every unit declined. Each function runs in one transaction, locks the
rows it changes before reading their state, and records its audit event.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification, Signatory, User
from accounts.notifications import notify
from accounts.offices import (
    letter_number_next,
    office_missing_for_letters,
    office_of,
    office_snapshot,
    signatory_snapshot,
)
from accounts.scoping import scope_of, visible_to
from accounts.services import audit_record
from config.caching import aggregates_changed
from config.ratelimit import rate_consume
from ppks.history import history_actor
from ppks.models import (
    Directorate,
    Person,
    Referral,
    ReferralBatch,
    ReferralEvent,
    Registration,
    RegistrationEvent,
    ServiceRecord,
    ServiceUnit,
)
from ppks.permissions import UNIT_OFFICER, can_answer_referrals, can_verify, full_nik_allowed, role_of
from ppks.workflow import TIMESTAMP_FIELDS

# Registrations that may be referred (again, to another directorate, for shared routes).
REFERRABLE_STATUSES = frozenset({Registration.Status.VERIFIED, Registration.Status.REFERRED,
                                 Registration.Status.SERVED})
State = Referral.State


@dataclass(frozen=True)
class LetterRequest:
    """What the sender confirmed on the preview: where the letter goes, who signs, who gets copies."""

    region_code: str
    directorate: Directorate
    registration_ids: list[int]
    signatory: Signatory | None = None
    unit: ServiceUnit | None = None
    copies_to: tuple[str, ...] = ()


def head_unit(directorate: Directorate) -> ServiceUnit:
    """The Ditjen's own unit (its head office): the addressee when the sender names no unit."""
    unit = ServiceUnit.objects.filter(directorate=directorate, kind=ServiceUnit.Kind.DITJEN, parent=None,
                                      active=True).first()
    if unit is None:
        raise ValidationError(_("{name} belum memiliki unit penerima rujukan; hubungi administrator.").format(
            name=directorate.name))
    return unit


def routed_to(registration: Registration, directorate: Directorate, day: datetime.date) -> bool:
    """Whether the registration's category goes to ``directorate`` on ``day`` (routing with validity periods)."""
    return any(routed.pk == directorate.pk for routed in registration.category.directorates_on(day))


@transaction.atomic
def referral_letter_create(*, actor, request: LetterRequest) -> ReferralBatch:
    """Send the previewed registrations to a directorate in one letter of the actor's own office.

    Refused as a whole (nothing sent) when the office cannot issue letters yet, the signatory is not
    one of its own, or any registration changed since the preview (status, route, scope, an open
    referral to the same directorate).
    """
    if not can_verify(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat mengirim rujukan."))
    office = office_of(actor)
    missing = office_missing_for_letters(office)
    if office is None:
        raise ValidationError(missing)
    if missing:
        raise ValidationError(_("Surat belum dapat diterbitkan. Lengkapi data kantor: {missing}.").format(
            missing=", ".join(missing)))
    signatory = request.signatory
    if signatory is None or signatory.office_id != office.pk or not signatory.active:
        raise ValidationError({"signatory": [_("Pilih penanda tangan yang aktif dari kantor Anda.")]})
    unit = request.unit or head_unit(request.directorate)
    if unit.directorate_id != request.directorate.pk or not unit.active:
        raise ValidationError({"unit": [_("Unit tujuan harus unit aktif dari {name}.").format(
            name=request.directorate.name)]})
    ids = sorted(set(request.registration_ids))
    if not ids:
        raise ValidationError(_("Tidak ada registrasi terverifikasi untuk dirujuk."))
    registrations = list(
        Registration.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        .select_related("category", "village")
    )
    today = timezone.localdate()
    scope = scope_of(actor)
    already = set(Referral.objects.open().filter(registration_id__in=ids, directorate=request.directorate)
                  .values_list("registration_id", flat=True))
    anonymised = set(Person.objects.filter(registrations__pk__in=ids, anonymised_at__isnull=False)
                     .values_list("registrations__pk", flat=True))
    stale = [
        registration for registration in registrations
        if registration.status not in REFERRABLE_STATUSES
        or not routed_to(registration, request.directorate, today)
        or not scope.covers(registration.village_id)
        or registration.pk in already or registration.pk in anonymised
    ]
    if stale or len(registrations) != len(ids):
        raise ValidationError(
            _("{count} registrasi berubah sejak pratinjau (status, tujuan atau wilayah). Muat ulang pratinjau.").format(
                count=len(stale) or len(ids) - len(registrations))
        )
    year, sequence, number = letter_number_next(office=office, day=today)
    batch = ReferralBatch.objects.create(
        region_code=request.region_code, directorate=request.directorate, unit=request.unit, office=office,
        year=year, sequence=sequence, letter_number=number, office_snapshot=office_snapshot(office),
        signed_by=signatory_snapshot(signatory), created_by=actor,
        copies_to=[line.strip() for line in request.copies_to if line.strip()],
    )
    batch.registrations.set(registrations)
    now = timezone.now()
    Referral.objects.bulk_create([
        Referral(registration=registration, batch=batch, directorate=request.directorate, unit=unit,
                 sent_at=now, created_by=actor)
        for registration in registrations
    ])
    referrals = list(Referral.objects.filter(batch=batch))
    note = _("Dikirim dengan surat {number}").format(number=number)
    ReferralEvent.objects.bulk_create([
        ReferralEvent(referral=referral, action=ReferralEvent.Action.SENT, actor=actor, note=note)
        for referral in referrals
    ])
    _registrations_follow(registrations, actor=actor, reason=number, note=_(
        "Dirujuk ke {unit}, surat {number}").format(unit=unit.name, number=number))
    notify(recipients=unit.officers.all(), kind=Notification.Kind.REFERRAL_RECEIVED, obj=batch,
           url=_inbox_url(batch), params={"letter": number, "office": str(office), "count": len(registrations),
                                          "unit": unit.name})
    audit_record(actor=actor, action="ppks.referral.send", obj=batch,
                 detail={"registrations": len(registrations), "directorate": request.directorate.code,
                         "unit": unit.pk, "office": office.pk, "signatory": signatory.pk})
    return batch


def _inbox_url(batch: ReferralBatch) -> str:
    return "{}?letter={}".format(reverse("ppks:referral-list"), batch.pk)


def registration_status_from_referrals(referrals: list[Referral], has_service: bool) -> str | None:
    """The status a referred registration has, given its referrals; None when it has none.

    Referred while a referral waits or is accepted; served once any service was recorded and a
    referral is still open; closed when every referral ended and one was closed; verified again
    (ready for another referral) when every unit declined.
    """
    if not referrals:
        return None
    if any(referral.state in Referral.OPEN_STATES for referral in referrals):
        if has_service or any(referral.state == State.IN_SERVICE for referral in referrals):
            return Registration.Status.SERVED
        return Registration.Status.REFERRED
    if any(referral.state == State.CLOSED for referral in referrals):
        return Registration.Status.CLOSED
    return Registration.Status.VERIFIED


def _registrations_follow(registrations: list[Registration], *, actor, reason: str, note: str) -> None:
    """Set each (locked) registration's status from its referrals, with an event when it changes."""
    ids = [registration.pk for registration in registrations]
    referrals: dict[int, list[Referral]] = {pk: [] for pk in ids}
    for referral in Referral.objects.filter(registration_id__in=ids):
        referrals[referral.registration_id].append(referral)
    served = set(ServiceRecord.objects.filter(referral__registration_id__in=ids)
                 .values_list("referral__registration_id", flat=True))
    now = timezone.now()
    events = []
    with history_actor(actor, reason=reason):
        for registration in registrations:
            target = registration_status_from_referrals(referrals[registration.pk], registration.pk in served)
            if target is None or target == registration.status:
                continue
            from_status = registration.status
            registration.status = target
            fields = ["status", "updated_at"]
            if target in TIMESTAMP_FIELDS and target != Registration.Status.VERIFIED:
                setattr(registration, TIMESTAMP_FIELDS[target], now)
                fields.append(TIMESTAMP_FIELDS[target])
            registration.save(update_fields=fields)
            events.append(RegistrationEvent(registration=registration, from_status=from_status, to_status=target,
                                            actor=actor, note=note))
    RegistrationEvent.objects.bulk_create(events)
    if events:
        aggregates_changed("ppks")


def registration_follow_referrals(*, registration: Registration, actor, note: str) -> Registration:
    """Lock ``registration`` and derive its status from its referrals again (see the module docstring)."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    _registrations_follow([locked], actor=actor, reason=note, note=note)
    return locked


# ---------------------------------------------------------------------------------------------
# The receiving side
# ---------------------------------------------------------------------------------------------


def _lock(referral: Referral, actor) -> Referral:
    """The referral as it is now, locked, if ``actor`` may answer it; its state is read only after the lock."""
    if not can_answer_referrals(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat menjawab rujukan."))
    locked = (visible_to(actor, Referral.objects.select_for_update(of=("self",)))
              .select_related("unit", "directorate", "batch__created_by", "registration__category")
              .filter(pk=referral.pk).first())
    if locked is None:
        raise PermissionDenied(_("Rujukan ini tidak ditujukan ke unit Anda atau di luar wilayah kerja Anda."))
    if Person.objects.filter(registrations__referrals=locked, anonymised_at__isnull=False).exists():
        raise ValidationError(_("Data orang ini sudah dianonimkan; rujukannya tidak dapat diubah lagi."))
    return locked


def _require_state(referral: Referral, allowed: set[str], action: str) -> None:
    if referral.state not in allowed:
        raise ValidationError(_("Rujukan berstatus '{state}' tidak dapat {action}.").format(
            state=referral.get_state_display(), action=action))


def _on_behalf(actor) -> str:
    """A note for answers that Dinas Sosial records for a unit (answer received on paper)."""
    return "" if role_of(actor) == UNIT_OFFICER else _(" (dicatat oleh Dinas Sosial)")


def _step(referral: Referral, *, actor, action: str, note: str, kind: str, params: dict | None = None,
          registration_note: str) -> Referral:
    """Record the event, tell the sender, audit, and let the registration follow."""
    ReferralEvent.objects.create(referral=referral, action=action, actor=actor, note=(note + _on_behalf(actor)).strip())
    sender = referral.batch.created_by if referral.batch_id else referral.created_by
    if sender.pk != actor.pk:
        notify(recipients=[sender], kind=kind, obj=referral, params={"unit": referral.unit.name, **(params or {})})
    audit_record(actor=actor, action="ppks.referral.{}".format(action), obj=referral,
                 detail={"unit": referral.unit_id, "state": referral.state})
    registration_follow_referrals(registration=referral.registration, actor=actor,
                                  note=registration_note + _on_behalf(actor))
    aggregates_changed("ppks")  # the referral counts of the landing pages (referral_state_counts)
    return referral


@transaction.atomic
def referral_accept(*, referral: Referral, actor, note: str = "") -> Referral:
    """The unit accepts the referral (it will serve the person)."""
    referral = _lock(referral, actor)
    _require_state(referral, {State.SENT}, _("diterima"))
    referral.state, referral.answered_at = State.ACCEPTED, timezone.now()
    referral.save(update_fields=["state", "answered_at"])
    return _step(referral, actor=actor, action=ReferralEvent.Action.ACCEPTED, note=note.strip(),
                 kind=Notification.Kind.REFERRAL_ACCEPTED,
                 registration_note=_("Rujukan diterima {unit}").format(unit=referral.unit.name))


@transaction.atomic
def referral_decline(*, referral: Referral, actor, reason: str) -> Referral:
    """The unit declines, with a reason; the registration returns to Dinas Sosial when no referral is left open."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Alasan penolakan wajib diisi.")]})
    referral = _lock(referral, actor)
    _require_state(referral, {State.SENT, State.ACCEPTED}, _("ditolak"))
    referral.state, referral.decline_reason = State.DECLINED, reason
    referral.answered_at = referral.answered_at or timezone.now()
    referral.closed_at = timezone.now()
    referral.save(update_fields=["state", "decline_reason", "answered_at", "closed_at"])
    return _step(referral, actor=actor, action=ReferralEvent.Action.DECLINED, note=reason,
                 kind=Notification.Kind.REFERRAL_DECLINED,
                 registration_note=_("Rujukan ditolak {unit}").format(unit=referral.unit.name))


@transaction.atomic
def referral_forward(*, referral: Referral, actor, unit: ServiceUnit, note: str = "") -> Referral:
    """Pass the referral to another unit: this one ends as forwarded, a new one waits at ``unit``."""
    referral = _lock(referral, actor)
    _require_state(referral, {State.SENT, State.ACCEPTED}, _("diteruskan"))
    if unit.pk == referral.unit_id or not unit.active:
        raise ValidationError({"unit": [_("Pilih unit aktif lain sebagai tujuan.")]})
    now = timezone.now()
    referral.state, referral.closed_at = State.FORWARDED, now
    referral.answered_at = referral.answered_at or now
    referral.save(update_fields=["state", "answered_at", "closed_at"])
    try:
        with transaction.atomic():
            forwarded = Referral.objects.create(
                registration=referral.registration, batch=referral.batch, directorate=unit.directorate, unit=unit,
                forwarded_from=referral, sent_at=now, created_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError({"unit": [_("Registrasi ini sudah memiliki rujukan aktif ke {name}.").format(
            name=unit.directorate.name)]}) from error
    ReferralEvent.objects.create(referral=forwarded, action=ReferralEvent.Action.SENT, actor=actor,
                                 note=_("Diteruskan dari {unit}").format(unit=referral.unit.name))
    notify(recipients=unit.officers.all(), kind=Notification.Kind.REFERRAL_RECEIVED, obj=forwarded,
           params={"letter": referral.batch.letter_number if referral.batch_id else "-",
                   "office": referral.unit.name, "count": 1, "unit": unit.name})
    return _step(referral, actor=actor, action=ReferralEvent.Action.FORWARDED,
                 note=(_("Ke {unit}").format(unit=unit.name) + (". " + note.strip() if note.strip() else "")),
                 kind=Notification.Kind.REFERRAL_FORWARDED, params={"target": unit.name},
                 registration_note=_("Rujukan diteruskan dari {source} ke {target}").format(
                     source=referral.unit.name, target=unit.name))


@transaction.atomic
def referral_service_record(*, referral: Referral, actor, service_type: str, service_date: datetime.date,
                            result: str = ServiceRecord.Result.GIVEN, note: str = "") -> ServiceRecord:
    """Record a service given to the referred person; the first one makes the registration "dilayani"."""
    referral = _lock(referral, actor)
    _require_state(referral, {State.SENT, State.ACCEPTED, State.IN_SERVICE}, _("dicatat layanannya"))
    if service_date > timezone.localdate():
        raise ValidationError({"service_date": [_("Tanggal layanan tidak boleh di masa depan.")]})
    if service_date < timezone.localtime(referral.sent_at).date():
        raise ValidationError({"service_date": [_("Tanggal layanan tidak boleh sebelum rujukan dikirim.")]})
    record = ServiceRecord(referral=referral, service_type=service_type, service_date=service_date, result=result,
                           note=note.strip(), recorded_by=actor)
    record.full_clean()
    record.save()
    referral.state = State.IN_SERVICE
    referral.answered_at = referral.answered_at or timezone.now()
    referral.save(update_fields=["state", "answered_at"])
    _step(referral, actor=actor, action=ReferralEvent.Action.SERVICE,
          note="{}, {}: {}".format(record.get_service_type_display(), service_date.strftime("%d-%m-%Y"),
                                   record.get_result_display()),
          kind=Notification.Kind.REFERRAL_SERVED,
          registration_note=_("Layanan dicatat oleh {unit}").format(unit=referral.unit.name))
    return record


@transaction.atomic
def referral_close(*, referral: Referral, actor, outcome: str, note: str = "") -> Referral:
    """Close the referral with its outcome; "layanan selesai" needs at least one service given."""
    referral = _lock(referral, actor)
    _require_state(referral, {State.ACCEPTED, State.IN_SERVICE}, _("ditutup"))
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": [_("Pilih hasil akhir rujukan.")]})
    if outcome in {Referral.Outcome.COMPLETED, Referral.Outcome.PARTIAL} and not referral.services.exclude(
            result=ServiceRecord.Result.NOT_GIVEN).exists():
        raise ValidationError({"outcome": [_("Catat dahulu layanan yang diberikan sebelum menutup sebagai selesai.")]})
    referral.state, referral.outcome, referral.closing_note = State.CLOSED, outcome, note.strip()
    referral.closed_at = timezone.now()
    referral.answered_at = referral.answered_at or referral.closed_at
    referral.save(update_fields=["state", "outcome", "closing_note", "closed_at", "answered_at"])
    return _step(referral, actor=actor, action=ReferralEvent.Action.CLOSED, note=referral.get_outcome_display(),
                 kind=Notification.Kind.REFERRAL_CLOSED,
                 registration_note=_("Rujukan ditutup oleh {unit}: {outcome}").format(
                     unit=referral.unit.name, outcome=referral.get_outcome_display()))


def can_reveal_referral_nik(referral: Referral, user) -> bool:
    """Unit officers reveal a referred person's NIK only for units that need it; Dinas Sosial as elsewhere."""
    if not full_nik_allowed(user, "reveal"):
        return False
    if role_of(user) == UNIT_OFFICER:
        return referral.unit.needs_full_nik
    return True


@transaction.atomic
def referral_nik_reveal(*, referral: Referral, actor, request=None) -> str:
    """The full NIK of a referred person, for a unit that needs it; every reveal is an audit event."""
    referral = (visible_to(actor, Referral.objects.all()).select_related("unit", "registration__person")
                .filter(pk=referral.pk).first())
    if referral is None or not can_reveal_referral_nik(referral, actor):
        raise PermissionDenied(_("Anda tidak dapat melihat NIK lengkap orang ini."))
    person = referral.registration.person
    rate_consume("nik", user=actor)
    audit_record(actor=actor, action="ppks.person.nik_reveal", obj=person, request=request,
                 detail={"referral": referral.pk})
    return person.nik or ""


def referrals_overdue_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell each sender, once per letter, how many of its referrals still wait past the answer deadline."""
    counts: dict[int, int] = {}
    batches = {}
    for referral in Referral.objects.overdue(now=now).filter(batch__isnull=False).select_related(
            "batch__created_by"):
        counts[referral.batch_id] = counts.get(referral.batch_id, 0) + 1
        batches[referral.batch_id] = referral.batch
    told = 0
    for batch_id, count in counts.items():
        batch = batches[batch_id]
        told += len(notify(
            recipients=[batch.created_by], kind=Notification.Kind.REFERRAL_OVERDUE, obj=batch,
            url=_overdue_url(batch), dedupe_key="overdue:batch:{}".format(batch_id),
            params={"count": count, "letter": batch.letter_number, "days": settings.SIDBS_REFERRAL_ANSWER_DAYS},
        ))
    return told


def _overdue_url(batch: ReferralBatch) -> str:
    return "{}?letter={}&overdue=true".format(reverse("ppks:referral-list"), batch.pk)


def unit_officers_assign(*, unit: ServiceUnit, users: list[User], actor) -> None:
    """Attach unit officers to a unit (administrators only); their role must be "petugas unit layanan"."""
    if role_of(actor) != "admin":
        raise PermissionDenied(_("Hanya administrator yang mengatur petugas unit."))
    wrong = [user.username for user in users if user.role != User.Role.UNIT_OFFICER]
    if wrong:
        raise ValidationError(_("Peran akun berikut bukan petugas unit layanan: {names}.").format(
            names=", ".join(wrong)))
    unit.officers.add(*users)
    audit_record(actor=actor, action="ppks.unit.officers", obj=unit, detail={"users": [user.pk for user in users]})
