"""Offices that issue letters, who signs for them, and their number registers.

A Dinas Sosial user's office is the office of their own region code (``dinsos.jatim`` → Dinas Sosial
Provinsi Jawa Timur), whatever region a letter is about; other users may be attached to an office
(``User.office``), e.g. a Kemensos unit. Letter numbers come from one register per office per year
(``letter_number_next``), taken under a row lock so concurrent letters never share a number.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.utils.translation import gettext as _

from accounts.models import LetterSequence, Office, Signatory
from accounts.services import audit_record
from villages import codes
from villages.models import Province, Regency

# Who signs when the sender does not choose: the head, then an acting head, then someone on the head's behalf.
SIGNING_PRECEDENCE = (Signatory.Mode.HEAD, Signatory.Mode.ACTING, Signatory.Mode.DAILY, Signatory.Mode.ON_BEHALF)
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _region_defaults(region_code: str) -> dict[str, str]:
    """Kop lines derived from the region's name, for an office nobody has filled in yet."""
    if codes.region_level(region_code) == codes.PROVINCE:
        name = Province.objects.get(code=region_code).name.upper()
        return {"kind": Office.Kind.DINSOS_PROVINSI, "government_name": "PEMERINTAH PROVINSI {}".format(name),
                "city": name.title(), "copies_to": "Gubernur {} (sebagai laporan)".format(name.title())}
    name = Regency.objects.get(code=region_code).name.upper()
    if name.startswith("KAB. "):
        name = "KABUPATEN " + name[5:]
    elif not name.startswith(("KABUPATEN ", "KOTA ")):
        name = ("KOTA " if codes.regency_kind(region_code) == "kota" else "KABUPATEN ") + name
    place = name.split(" ", 1)[1].title()
    province = Province.objects.get(code=region_code.split(".")[0]).name.title()
    head = "Wali Kota" if name.startswith("KOTA ") else "Bupati"
    return {"kind": Office.Kind.DINSOS_KABUPATEN, "government_name": "PEMERINTAH {}".format(name), "city": place,
            "copies_to": "{} {} (sebagai laporan)\nKepala Dinas Sosial Provinsi {}".format(head, place, province)}


def office_for_region(region_code: str) -> Office:
    """The Dinas Sosial office of a province or kab/kota, created from the region's name the first time."""
    if codes.region_level(region_code) not in {codes.PROVINCE, codes.REGENCY}:
        raise ValidationError(_("Kantor Dinas Sosial hanya ada untuk provinsi atau kabupaten/kota."))
    office = Office.objects.filter(region_code=region_code).exclude(kind=Office.Kind.KEMENSOS).first()
    if office is not None:
        return office
    try:
        with transaction.atomic():
            return Office.objects.create(region_code=region_code, name="DINAS SOSIAL", letter_code="DINSOS",
                                         **_region_defaults(region_code))
    except IntegrityError:
        return Office.objects.exclude(kind=Office.Kind.KEMENSOS).get(region_code=region_code)


def office_of(user) -> Office | None:
    """The office whose letters ``user`` issues: ``User.office``, else their Dinas Sosial region's office."""
    if getattr(user, "office_id", None):
        return user.office
    if getattr(user, "is_dinsos", False) and user.region_code and codes.region_level(user.region_code) in {
            codes.PROVINCE, codes.REGENCY}:
        return office_for_region(user.region_code)
    return None


def office_missing_for_letters(office: Office | None) -> list[str]:
    """What an office still lacks before it can issue a letter (Indonesian, for the form and the page)."""
    if office is None:
        return [_("Akun Anda belum terhubung dengan kantor penerbit surat; hubungi administrator.")]
    missing = []
    if not office.address.strip():
        missing.append(_("alamat kantor"))
    if not office.city.strip():
        missing.append(_("tempat (kota) surat"))
    if not office.signatories.filter(active=True).exists():
        missing.append(_("penanda tangan (kepala dinas atau pejabat a.n./Plt.)"))
    return missing


def signatories_for(office: Office | None):
    """Active signatories of ``office``, the head first."""
    if office is None:
        return Signatory.objects.none()
    precedence = Case(*(When(mode=mode, then=rank) for rank, mode in enumerate(SIGNING_PRECEDENCE)), default=9)
    return office.signatories.filter(active=True).order_by(precedence, "name")


def can_manage_office(user, office: Office) -> bool:
    """Administrators manage every office; a Dinas Sosial head (``is_head``) manages their own."""
    if user.is_superuser or user.role == user.Role.ADMIN:
        return True
    return bool(user.is_head and office_of(user) == office)


@transaction.atomic
def office_update(*, office: Office, actor, data: dict) -> Office:
    """Change an office's kop surat and numbering data; audited by field."""
    if not can_manage_office(actor, office):
        raise PermissionDenied(_("Hanya administrator atau kepala dinas yang dapat mengubah data kantor."))
    office = Office.objects.select_for_update().get(pk=office.pk)
    changed = []
    for name, value in data.items():
        if getattr(office, name) != value:
            setattr(office, name, value)
            changed.append(name)
    office.full_clean()
    office.save()
    audit_record(actor=actor, action="accounts.office.update", obj=office, detail={"fields": sorted(changed)})
    return office


@transaction.atomic
def signatory_save(*, office: Office, actor, data: dict, signatory: Signatory | None = None) -> Signatory:
    """Add a signatory to ``office`` (or change one); a new active head replaces the previous one."""
    if not can_manage_office(actor, office):
        raise PermissionDenied(_("Hanya administrator atau kepala dinas yang dapat mengubah penanda tangan."))
    signatory = signatory or Signatory(office=office)
    for name, value in data.items():
        setattr(signatory, name, value)
    signatory.nip = "".join((signatory.nip or "").split())
    if signatory.mode == Signatory.Mode.HEAD and signatory.active:
        office.signatories.filter(mode=Signatory.Mode.HEAD, active=True).exclude(pk=signatory.pk).update(active=False)
    signatory.full_clean()
    signatory.save()
    audit_record(actor=actor, action="accounts.signatory.save", obj=signatory,
                 detail={"office": office.pk, "mode": signatory.mode, "active": signatory.active})
    return signatory


def letter_number_next(*, office: Office, day: datetime.date) -> tuple[int, int, str]:
    """Take the next number of ``office``'s register for ``day``'s year: ``(year, sequence, letter number)``.

    Must run inside the transaction that stores the letter: the register row stays locked until it
    commits, so a concurrent letter of the same office waits and gets the next number. The number
    reads ``400.9/0007/DINSOS/XI/2026``: kode klasifikasi, sequence, kode unit, month, year.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("letter_number_next harus dipanggil di dalam transaksi.")
    try:
        with transaction.atomic():
            LetterSequence.objects.get_or_create(office=office, year=day.year)
    except IntegrityError:
        pass  # another transaction created this year's register first: use it
    updated = LetterSequence.objects.filter(office=office, year=day.year).update(last_number=F("last_number") + 1)
    if updated != 1:
        raise RuntimeError("Register nomor surat tidak ditemukan.")
    sequence = LetterSequence.objects.get(office=office, year=day.year).last_number
    number = "{}/{:04d}/{}/{}/{}".format(office.classification_code, sequence, office.letter_code,
                                        ROMAN_MONTHS[day.month - 1], day.year)
    return day.year, sequence, number


def office_snapshot(office: Office) -> dict:
    """What a letter prints about its office, kept with the letter so a later re-render reads the same."""
    return {
        "government": office.government_name, "name": office.name, "address": office.address,
        "city": office.city, "postal_code": office.postal_code, "phone": office.phone, "email": office.email,
        "website": office.website, "emblem": office.emblem.name if office.emblem else "",
        "head_title": office.head_title,
    }


def signatory_snapshot(signatory: Signatory) -> dict:
    """The signature block as printed on the day: jabatan lines, name, pangkat/golongan and NIP."""
    return {
        "id": signatory.pk, "mode": signatory.mode, "title_lines": signatory.block_title_lines(),
        "name": signatory.name, "rank": signatory.get_rank_display(), "nip": signatory.nip_display,
    }
