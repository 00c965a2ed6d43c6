"""Indonesian wording for official letters: numbers in words (terbilang), as in "2 (dua) berkas"."""

UNITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas")


def terbilang(number: int) -> str:
    """``123`` → ``seratus dua puluh tiga`` (non-negative integers below one trillion)."""
    if number < 0:
        raise ValueError("terbilang: bilangan negatif")
    if number == 0:
        return "nol"
    return " ".join(_words(number).split())


def _words(number: int) -> str:
    if number < 12:
        return UNITS[number]
    if number < 20:
        return _words(number - 10) + " belas"
    if number < 100:
        return _words(number // 10) + " puluh " + _words(number % 10)
    if number < 200:
        return "seratus " + _words(number - 100)
    if number < 1000:
        return _words(number // 100) + " ratus " + _words(number % 100)
    if number < 2000:
        return "seribu " + _words(number - 1000)
    for size, name in ((10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if number >= size:
            return _words(number // size) + " " + name + " " + _words(number % size)
    return ""


def count_with_words(number: int) -> str:
    """``2 (dua)``, ``1.250 (seribu dua ratus lima puluh)``."""
    return "{} ({})".format("{:,}".format(number).replace(",", "."), terbilang(number))
