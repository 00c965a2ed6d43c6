"""Kemendagri region codes: shape, level, parent and kind, derived from the dotted code alone."""

import re

# ASCII digits only: ``\d`` alone would also match Arabic-Indic or full-width digits.
CODE_PATTERN = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")

# The 38 province codes in force since the 2022 Papua split (Kemendagri code lists, as in the bundled
# villages/data/wilayah.csv.gz from idn-area-data; tests/villages checks that the file and this list agree).
CURRENT_PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
    "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
})
# Codes that NIKs and No. KK issued under earlier numbering still carry, with where they come from. Before the 2022
# split, Papua was 91 and Papua Barat 92 (Kemendagri), while cards printed from BPS-coded SIAK data carried 94
# (Papua) and 91 (Papua Barat); all of these are current codes again. Timor Timur (54, until 1999) predates the
# national NIK (UU 23/2006) and is not accepted. A code added here becomes valid at once for NIK and No. KK.
HISTORICAL_PROVINCE_CODES: dict[str, str] = {
    "91": "Papua (sebelum 2022) / Papua Barat (kode BPS)",
    "92": "Papua Barat (sebelum 2022)",
    "94": "Papua (kode BPS sebelum 2022)",
}
PROVINCE_CODES = CURRENT_PROVINCE_CODES | frozenset(HISTORICAL_PROVINCE_CODES)


def is_province_code(code: str) -> bool:
    """Whether ``code`` (two ASCII digits) is a province code that exists or existed when NIKs were issued."""
    return code in PROVINCE_CODES

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4


def region_level(code: str) -> int | None:
    """1 provinsi (``35``), 2 kab/kota (``35.11``), 3 kecamatan (``35.11.01``), 4 desa (``35.11.01.2001``).

    None when the code is not a well-formed dotted Kemendagri code.
    """
    if not CODE_PATTERN.match(code):
        return None
    return code.count(".") + 1


def parent_code(code: str) -> str | None:
    """The code one level up (``35.11.01.2001`` -> ``35.11.01``), None for a province."""
    head, dot, _tail = code.rpartition(".")
    return head if dot else None


def ancestor_codes(code: str) -> list[str]:
    """All codes above ``code``, nearest last: ``35.11.01`` -> ``["35", "35.11"]``."""
    parts = code.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts))]


def regency_kind(code: str) -> str:
    """``kota`` for kab/kota numbers 71-99, else ``kabupaten``."""
    return "kota" if int(code.split(".")[1]) >= 71 else "kabupaten"


def village_kind(code: str) -> str:
    """``kelurahan`` (1xxx), ``desa`` (2xxx) or ``desa_adat`` (3xxx); others count as desa."""
    return {"1": "kelurahan", "3": "desa_adat"}.get(code.rsplit(".", 1)[1][0], "desa")


def within(code: str, scope_code: str) -> bool:
    """True when ``code`` is ``scope_code`` itself or lies below it."""
    return code == scope_code or code.startswith(scope_code + ".")
