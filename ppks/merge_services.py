"""Merging two records of one person, and undoing it within ``SIDBS_MERGE_UNDO_HOURS``.

A merge keeps one person (``kept``) and folds the other (``merged``) into it:

- staff choose, for each value the two records hold differently, which one the kept person keeps
  (``merge_choices`` lists them for the confirmation page); the address (desa, dusun, RT/RW, street)
  is one choice, so it never ends half from each record; empty values are filled from the other;
- every registration of both people ends on the kept person, and every *open* one (not rejected or
  closed) in the kept person's final village: a case follows the person. Rejected and closed
  registrations keep the village they were decided in (that is where the work was done and counted);
- an open registration of a category both people hold is closed on the merged side, with a note;
- the merged row stays, pointing at the kept one (``merged_into``), so links and history survive;
  its NIK moves to the kept person when that one has none, is swapped when staff choose it, and
  otherwise stays on the merged row (so an undo can give it back without a copy anywhere else).

``PersonMerge.undo_state`` keeps what the merge changed (old values, registrations' person, village
and status, the pairs it closed) so ``persons_unmerge`` restores both people and their registrations
exactly. The undo is refused once the window has passed, when either person is anonymised, or when
the kept person or a moved registration was changed after the merge (restoring then would undo that
later work too: the staff correct by hand instead). Anonymisation empties ``undo_state``.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.services import audit_record
from config.caching import aggregates_changed
from ppks.history import records_history
from ppks.models import DuplicateCandidate, Person, PersonMerge, Registration, RegistrationEvent
from ppks.nik import mask_nik
from ppks.services import PERSON_FIELDS, _add_event, _clean_person, _require_in_scope

MERGE_FIELDS = tuple(name for name in PERSON_FIELDS if name not in {"nik_status"})
ADDRESS_FIELDS = ("village", "dusun", "rt", "rw", "street_address")
# What staff choose on the confirmation page: one choice per field, the address and the DTSEN decile
# (with its date) each as one.
CHOICE_GROUPS = {"address": ADDRESS_FIELDS, "dtsen_decile": ("dtsen_decile", "dtsen_decile_as_of")}
CLOSED = (Registration.Status.REJECTED, Registration.Status.CLOSED)
KEPT, MERGED = "kept", "merged"


def _group_of(name: str) -> str:
    return next((group for group, names in CHOICE_GROUPS.items() if name in names), name)


def _groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name in MERGE_FIELDS:
        groups.setdefault(_group_of(name), CHOICE_GROUPS.get(_group_of(name), (name,)))
    return groups


def choice_label(group: str) -> str:
    """The Indonesian label of a choice (a field's own label; the address and decile as a whole)."""
    if group == "address":
        return _("alamat (desa/kelurahan, dusun, RT/RW, jalan)")
    return str(Person._meta.get_field(group).verbose_name)


def _empty(value) -> bool:
    return value in (None, "")


def merge_choices(kept: Person, merged: Person) -> list[dict]:
    """The values that differ between two people, for the confirmation page, in form order.

    Each item: ``group`` (the form field's name), ``label``, ``kept`` and ``merged`` (the fields of
    the group with their values) and ``conflict`` (both hold a value and they differ: staff choose;
    otherwise the kept person's value stays, or an empty one is filled from the other).
    """
    items = []
    for group, names in _groups().items():
        kept_values = {name: getattr(kept, name) for name in names}
        merged_values = {name: getattr(merged, name) for name in names}
        if kept_values == merged_values or all(_empty(value) for value in merged_values.values()):
            continue
        conflict = not all(_empty(value) for value in kept_values.values())
        items.append({"group": group, "label": choice_label(group), "kept": kept_values, "merged": merged_values,
                      "conflict": conflict})
    return items


def merge_undo_deadline(merge: PersonMerge) -> datetime.datetime:
    return merge.merged_at + datetime.timedelta(hours=settings.SIDBS_MERGE_UNDO_HOURS)


def _lock_people(*pks: int) -> dict[int, Person]:
    """Lock the people in one fixed order (by pk), so two merges or a merge and an undo never deadlock."""
    return {person.pk: person for person in Person.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _stamp(value: datetime.datetime) -> str:
    return value.isoformat()


def _snapshot(person: Person) -> dict:
    return {field.attname: getattr(person, field.attname) for field in Person._meta.concrete_fields}


def _changed(person: Person, before: dict) -> list[str]:
    return [name for name, value in before.items() if getattr(person, name) != value and name != "updated_at"]


@records_history
@transaction.atomic
def persons_merge(*, kept: Person, merged: Person, actor, choices: dict[str, str] | None = None) -> PersonMerge:
    """Fold ``merged`` into ``kept``; ``choices`` maps a conflicting group to ``"kept"`` or ``"merged"``.

    A group left out keeps the kept person's value. Raises ValidationError (Indonesian) when a person
    was merged or anonymised meanwhile, or is the same person.
    """
    if kept.pk == merged.pk:
        raise ValidationError(_("Tidak dapat menggabungkan data dengan dirinya sendiri."))
    choices = choices or {}
    # Lock both rows and decide on them as they are now: the caller's copies may predate an
    # anonymisation, another merge or a correction.
    locked = _lock_people(kept.pk, merged.pk)
    kept, merged = locked[kept.pk], locked[merged.pk]
    for person in (kept, merged):
        _require_in_scope(actor, person.village)
        if person.merged_into_id:
            raise ValidationError(_("Data {name} sudah digabung sebelumnya.").format(name=person.name))
        if person.anonymised_at is not None:
            raise ValidationError(_("Data {name} sudah dianonimkan dan tidak dapat digabung.").format(name=person.name))
    kept_before, merged_before = _snapshot(kept), _snapshot(merged)
    conflicts, filled, taken = {}, [], []
    for item in merge_choices(kept, merged):
        group = item["group"]
        if not item["conflict"]:
            filled.append(group)
            take = True
        else:
            take = choices.get(group) == MERGED
            for name in CHOICE_GROUPS.get(group, (group,)):
                kept_value, merged_value = item["kept"][name], item["merged"][name]
                if kept_value != merged_value and not _empty(merged_value) and not _empty(kept_value):
                    if name == "nik":  # the full NIK lives only on the person rows
                        kept_value, merged_value = mask_nik(kept_value), mask_nik(merged_value)
                    conflicts[name] = {"kept": _json_value(kept_value), "merged": _json_value(merged_value)}
            if take:
                taken.append(group)
        if take and group != "nik":
            for name in CHOICE_GROUPS.get(group, (group,)):
                if group in taken or _empty(getattr(kept, name)):
                    setattr(kept, name, item["merged"][name])
    nik_move = _merge_nik(kept, merged, swap="nik" in taken)
    merged.merged_into = kept
    merged.save(update_fields=["nik", "nik_status", "merged_into", "updated_at"])
    if nik_move == "swapped":
        kept.nik = merged_before["nik"]
    elif nik_move == "moved":
        kept.nik, kept.nik_status = merged_before["nik"], Person.NikStatus.RECORDED
    _clean_person(kept)
    kept_changes = _changed(kept, kept_before)
    if kept_changes:
        kept.save(update_fields=[*kept_changes, "updated_at"])
    if nik_move == "swapped":  # the kept person's old NIK goes to the merged row once it is free
        merged.nik, merged.nik_status = kept_before["nik"], Person.NikStatus.RECORDED
        merged.save(update_fields=["nik", "nik_status", "updated_at"])
    moved, events = _registrations_follow(kept, merged, actor)
    candidates = list(
        DuplicateCandidate.objects.filter(Q(person__in=[kept, merged], other__in=[kept, merged]),
                                          status=DuplicateCandidate.Status.OPEN).values_list("pk", flat=True)
    )
    DuplicateCandidate.objects.filter(pk__in=candidates).update(
        status=DuplicateCandidate.Status.MERGED, resolved_by=actor, resolved_at=timezone.now())
    undo_state = {
        "kept": {name: _json_value(kept_before[name]) for name in kept_changes if name != "nik"},
        "merged": {"nik_status": merged_before["nik_status"]},
        "nik": nik_move,
        "registrations": moved,
        "events": events,
        "candidates": candidates,
        "kept_stamp": _stamp(kept.updated_at),
    }
    record = PersonMerge.objects.create(
        kept=kept, merged=merged, actor=actor, undo_state=undo_state,
        conflicts=conflicts | ({"nik_merged": mask_nik(merged_before["nik"])} if merged_before["nik"] else {}),
    )
    aggregates_changed("ppks")
    audit_record(
        actor=actor, action="ppks.person.merge", obj=kept,
        detail={"merged": merged.pk, "filled": sorted(filled), "conflicts": sorted(conflicts),
                "taken_from_merged": sorted(taken), "registrations": sorted(int(pk) for pk in moved)},
    )
    return record


def _merge_nik(kept: Person, merged: Person, *, swap: bool) -> str:
    """Free the merged row's NIK when it moves to the kept person; returns ``moved``, ``swapped`` or ``""``."""
    if not merged.nik:
        return ""
    if kept.nik and not swap:
        return ""  # two different NIKs: the merged row keeps its own
    merged.nik, merged.nik_status = None, Person.NikStatus.UNKNOWN
    return "swapped" if kept.nik else "moved"


def _registrations_follow(kept: Person, merged: Person, actor) -> tuple[dict, list[int]]:
    """Move the merged person's registrations to ``kept`` and every open one of both into ``kept``'s village.

    Returns (registration pk → its person, village, status and closing time before, with the time of
    the change) and the pks of the history events written (an open duplicate closed).
    """
    moved, events = {}, []
    registrations = list(Registration.objects.select_for_update().filter(person__in=[kept, merged]).order_by("pk"))
    open_categories = {registration.category_id for registration in registrations
                       if registration.person_id == kept.pk and registration.status not in CLOSED}
    now = timezone.now()
    for registration in registrations:
        before = {"person": registration.person_id, "village": registration.village_id,
                  "status": registration.status, "closed_at": _json_value(registration.closed_at)}
        fields = []
        if registration.person_id == merged.pk:
            registration.person = kept
            fields.append("person")
            if registration.category_id in open_categories and registration.status not in CLOSED:
                from_status = registration.status
                registration.status, registration.closed_at = Registration.Status.CLOSED, now
                fields += ["status", "closed_at"]
                _add_event(registration, from_status=from_status, actor=actor,
                           note=_("Ditutup karena duplikat saat penggabungan data orang."))
                events.append(RegistrationEvent.objects.filter(registration=registration).latest("pk").pk)
        if before["status"] not in CLOSED and registration.village_id != kept.village_id:
            registration.village_id = kept.village_id
            fields.append("village")
        if fields:
            registration.save(update_fields=[*fields, "updated_at"])
            moved[str(registration.pk)] = before | {"stamp": _stamp(registration.updated_at)}
    return moved, events


@records_history
@transaction.atomic
def persons_unmerge(*, merge: PersonMerge, actor) -> PersonMerge:
    """Undo ``merge`` within ``SIDBS_MERGE_UNDO_HOURS``: both people and their registrations as they were.

    Audited (``ppks.person.unmerge``); a second request finds the merge undone and is refused.
    """
    record = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if record.undone_at is not None:
        raise ValidationError(_("Penggabungan ini sudah dibatalkan."))
    if timezone.now() > merge_undo_deadline(record):
        raise ValidationError(_("Batas waktu pembatalan ({hours} jam setelah penggabungan) sudah lewat.").format(
            hours=settings.SIDBS_MERGE_UNDO_HOURS))
    locked = _lock_people(record.kept_id, record.merged_id)
    kept, merged = locked[record.kept_id], locked[record.merged_id]
    for person in (kept, merged):
        _require_in_scope(actor, person.village)
        if person.anonymised_at is not None:
            raise ValidationError(_("Data orang ini sudah dianonimkan; penggabungan tidak dapat dibatalkan."))
    state = record.undo_state
    if not state or merged.merged_into_id != kept.pk or kept.merged_into_id is not None:
        raise ValidationError(_("Penggabungan ini tidak dapat dibatalkan otomatis: data sudah berubah."))
    registrations = {str(registration.pk): registration for registration in Registration.objects.select_for_update()
                     .filter(pk__in=[int(pk) for pk in state["registrations"]]).order_by("pk")}
    changed_later = _stamp(kept.updated_at) != state["kept_stamp"] or any(
        pk not in registrations or _stamp(registrations[pk].updated_at) != before["stamp"]
        for pk, before in state["registrations"].items()
    )
    if changed_later:
        raise ValidationError(_(
            "Data orang atau registrasinya sudah diubah setelah penggabungan; pembatalan otomatis akan "
            "menghapus perubahan itu. Perbaiki data secara manual."))
    _restore_people(kept, merged, state)
    for pk, before in state["registrations"].items():
        registration = registrations[pk]
        from_status = registration.status
        registration.person_id, registration.village_id = before["person"], before["village"]
        registration.status = before["status"]
        registration.closed_at = parse_datetime(before["closed_at"]) if before["closed_at"] else None
        registration.save(update_fields=["person", "village", "status", "closed_at", "updated_at"])
        if from_status != registration.status:
            _add_event(registration, from_status=from_status, actor=actor,
                       note=_("Dibuka kembali karena penggabungan data orang dibatalkan."))
    DuplicateCandidate.objects.filter(pk__in=state["candidates"]).update(
        status=DuplicateCandidate.Status.OPEN, resolved_by=None, resolved_at=None)
    record.undone_at, record.undone_by, record.undo_state = timezone.now(), actor, {}
    record.save(update_fields=["undone_at", "undone_by", "undo_state"])
    aggregates_changed("ppks")
    audit_record(actor=actor, action="ppks.person.unmerge", obj=kept,
                 detail={"merge": record.pk, "merged": merged.pk,
                         "registrations": sorted(int(pk) for pk in state["registrations"])})
    return record


def _restore_people(kept: Person, merged: Person, state: dict) -> None:
    """Give both rows their values from before the merge (NIKs freed first: the column is unique)."""
    kept_nik, merged_nik = kept.nik, merged.nik
    if state["nik"]:
        kept_nik, merged_nik = (merged.nik, kept.nik) if state["nik"] == "swapped" else (None, kept.nik)
        Person.objects.filter(pk__in=[kept.pk, merged.pk]).update(nik=None, nik_status=Person.NikStatus.UNKNOWN)
    for name, value in state["kept"].items():
        field = Person._meta.get_field(name)  # an attname (village_id) finds its field too
        setattr(kept, field.attname, None if value is None else field.to_python(value))
    kept.nik = kept_nik
    kept.save()
    merged.merged_into = None
    merged.nik, merged.nik_status = merged_nik, state["merged"]["nik_status"]
    merged.save(update_fields=["nik", "nik_status", "merged_into", "updated_at"])


def merge_undo_states_expire(*, now: datetime.datetime | None = None) -> int:
    """Empty the saved values of merges past the undo window (daily): old names and addresses are kept
    no longer than they can be used. Returns how many merges were emptied."""
    limit = (now or timezone.now()) - datetime.timedelta(hours=settings.SIDBS_MERGE_UNDO_HOURS)
    return PersonMerge.objects.filter(merged_at__lt=limit).exclude(undo_state={}).update(undo_state={})
