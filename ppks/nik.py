"""NIK and No. KK rules (DOMAIN.md §3.1–3.2): strict on format, soft on meaning.

A NIK is ``PPRRSSDDMMYYXXXX``: province, kab/kota and kecamatan where it was first registered,
day of birth (plus 40 for women), month, two-digit year, and a serial. It has no check digit.
Hard errors: not 16 ASCII digits (``config.digits``), a province code that does not exist and never
existed (``villages.codes.PROVINCE_CODES``), a date segment that is not a date.
Warnings only (real NIKs carry such mismatches and are never reissued): serial 0000, encoded
sex or birth date differing from the entered ones, a kecamatan or kab/kota code that is not in
the region table (codes change with pemekaran, so an old prefix is no error).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from config.digits import digits_problem, is_ascii_digits
from villages.codes import is_province_code


@dataclass(frozen=True)
class NikParts:
    province_code: str
    regency_code: str
    district_code: str
    birth_date: datetime.date | None
    sex: str
    serial: str


@dataclass
class NikCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _sixteen_digits(value: str) -> bool:
    """True for 16 ASCII digits: the shape of a NIK and a No. KK (``digits_problem`` words anything else)."""
    return len(value) == 16 and is_ascii_digits(value)


def _birth_date(day: int, month: int, year: int, today: datetime.date) -> datetime.date | None:
    """The latest of 20yy / 19yy that is a real date not after ``today``."""
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikParts:
    """Split a 16-digit NIK into its parts (call ``check_nik`` first; no validation here)."""
    today = today or timezone.localdate()
    day = int(value[6:8])
    sex = "P" if day > 40 else "L"
    return NikParts(
        province_code=value[0:2],
        regency_code="{}.{}".format(value[0:2], value[2:4]),
        district_code="{}.{}.{}".format(value[0:2], value[2:4], value[4:6]),
        birth_date=_birth_date(day - 40 if day > 40 else day, int(value[8:10]), int(value[10:12]), today),
        sex=sex,
        serial=value[12:16],
    )


def check_nik(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    known_district: Callable[[str], bool] | None = None,
    known_regency: Callable[[str], bool] | None = None,
    today: datetime.date | None = None,
) -> NikCheck:
    """Check a NIK; ``known_district``/``known_regency`` answer whether a dotted code exists."""
    result = NikCheck()
    value = (value or "").strip()
    if not _sixteen_digits(value):
        result.errors.append(digits_problem(value, label=_("NIK"), length=16))
        return result
    if not is_province_code(value[0:2]):
        result.errors.append(_("Dua digit pertama NIK ({code}) bukan kode provinsi.").format(code=value[0:2]))
    day, month = int(value[6:8]), int(value[8:10])
    if not (1 <= day <= 31 or 41 <= day <= 71) or not 1 <= month <= 12:
        result.errors.append(
            _("Digit 7–12 NIK ({segment}) bukan tanggal lahir yang sah (tanggal 01–31, perempuan 41–71; bulan 01–12).")
            .format(segment=value[6:12])
        )
        return result
    parts = parse_nik(value, today=today)
    if parts.birth_date is None:
        result.errors.append(
            _("Digit 7–12 NIK ({segment}) bukan tanggal yang ada di kalender.").format(segment=value[6:12])
        )
        return result
    if result.errors:
        return result
    if parts.serial == "0000":
        result.warnings.append(_("Nomor urut NIK 0000 tidak lazim; periksa kembali empat digit terakhir."))
    if sex and sex != parts.sex:
        result.warnings.append(
            _("NIK menandakan jenis kelamin {nik_sex}, sedangkan yang diisi {entered}.").format(
                nik_sex=_("perempuan") if parts.sex == "P" else _("laki-laki"),
                entered=_("perempuan") if sex == "P" else _("laki-laki"),
            )
        )
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        parts.birth_date.day, parts.birth_date.month, parts.birth_date.year % 100
    ):
        result.warnings.append(
            _("Tanggal lahir di NIK ({nik_date}) berbeda dengan yang diisi ({entered}).").format(
                nik_date=parts.birth_date.strftime("%d-%m-%y"), entered=birth_date.strftime("%d-%m-%Y")
            )
        )
    if known_district is not None and not known_district(parts.district_code):
        if known_regency is not None and not known_regency(parts.regency_code):
            result.warnings.append(
                _("Kode kabupaten/kota NIK ({code}) tidak ada di daftar wilayah.").format(code=parts.regency_code)
            )
        else:
            result.warnings.append(
                _("Kode kecamatan NIK ({code}) tidak ada di daftar wilayah; mungkin kode lama sebelum pemekaran.")
                .format(code=parts.district_code)
            )
    return result


def check_kk(value: str) -> NikCheck:
    """No. KK: 16 ASCII digits starting with a province code that exists or existed (as for NIK)."""
    result = NikCheck()
    value = (value or "").strip()
    if not _sixteen_digits(value):
        result.errors.append(digits_problem(value, label=_("No. KK"), length=16))
    elif not is_province_code(value[0:2]):
        result.errors.append(_("Dua digit pertama No. KK ({code}) bukan kode provinsi.").format(code=value[0:2]))
    return result


def mask_nik(value: str | None) -> str:
    """``3511********0003``: the region and serial stay readable, the birth segment is hidden."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
