"""The one rule for identity numbers typed by people: ASCII digits 0–9 only (NIK, No. KK, RT/RW, region codes).

``str.isdigit()`` is true for superscript (``²``), Arabic-Indic (``٣``), full-width (``３``) and other
Unicode digits, which ``int()`` then refuses or the database stores as something no other system
reads. Every form, serializer, import and command checks identity fields with these helpers.
"""

import unicodedata

from django.utils.translation import gettext as _

ASCII_DIGITS = frozenset("0123456789")


def is_ascii_digits(value: str | None) -> bool:
    """True when ``value`` is non-empty and every character is one of ``0``–``9``."""
    return bool(value) and value.isascii() and value.isdigit()


def foreign_digit(value: str | None) -> str | None:
    """The first character of ``value`` that is a digit of another script or form (``²``, ``٣``, ``３``)."""
    if not value or value.isascii():
        return None
    for character in value:
        if character not in ASCII_DIGITS and (character.isdigit() or unicodedata.category(character) == "Nd"):
            return character
    return None


def digits_problem(value: str, *, label: str, length: int | None = None, max_length: int | None = None) -> str | None:
    """The Indonesian message for ``value`` that is not made of ASCII digits of the right length, else None.

    ``length`` asks for exactly that many digits (NIK, No. KK: 16); ``max_length`` for at most that many (RT/RW: 3).
    """
    value = value or ""
    odd = foreign_digit(value)
    if odd is not None:
        message = _("{label} hanya boleh berisi angka 0–9 biasa; karakter '{character}' adalah angka "
                    "bentuk lain (misalnya angka pangkat, Arab, atau lebar penuh). Ketik ulang dengan angka biasa.")
        return message.format(label=label, character=odd)
    if not is_ascii_digits(value):
        if length is not None:
            return _("{label} harus {length} digit angka (sekarang {count} karakter).").format(
                label=label, length=length, count=len(value))
        return _("{label} hanya boleh berisi angka 0–9.").format(label=label)
    if length is not None and len(value) != length:
        return _("{label} harus {length} digit angka (sekarang {count} karakter).").format(
            label=label, length=length, count=len(value))
    if max_length is not None and len(value) > max_length:
        return _("{label} paling banyak {limit} digit angka (sekarang {count}).").format(
            label=label, limit=max_length, count=len(value))
    return None
