"""Kemendagri region codes: shape, level, parent and kind, derived from the dotted code alone."""

import re

CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")

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
