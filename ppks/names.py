"""Indonesian name normalisation for duplicate detection.

Two spellings of one name should give the same key: case and punctuation are ignored,
titles and honorifics dropped (Bapak, Hj., Dr., S.Pd., Alm. …), the many spellings of
Muhammad unified (Muhamad, Mohammad, Moh., Mhd., M.), and pre-1972 spelling mapped to EYD
(oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh, and a lone j→y in a word that shows old spelling,
so Tjahjono and Cahyono match while the modern Joko stays Joko).
"""

import re
import unicodedata

HONORIFICS = frozenset(
    {
        "bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "tn", "tuan", "ny", "nyonya", "nn",
        "nona", "hj", "haji", "hajjah", "h", "kh", "ust", "ustadz", "ustad", "ustadzah", "alm", "almarhum",
        "almarhumah", "almh", "ir", "dr", "drs", "dra", "prof", "spd", "se", "sh", "skom", "amd", "ssos",
        "sag", "sip", "mm", "msi", "mpd", "ama", "amk", "skep", "sked", "ssi", "mh", "mt",
    }
)
MUHAMMAD_VARIANTS = frozenset(
    {"muhammad", "muhamad", "muhammat", "muhamat", "mohammad", "mohamad", "mohamed", "mochammad", "mochamad",
     "moehammad", "moh", "mhd", "muh", "mohd", "mukhammad", "muchammad", "muchamad"}
)
OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
OLD_SPELLING_MARKERS = re.compile(r"oe|dj|tj|nj|sj")
LONE_J = re.compile(r"(?<![dtns])j")
_NON_LETTERS = re.compile(r"[^a-z\s]")


def _strip_accents(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _modern_spelling(token: str) -> str:
    if OLD_SPELLING_MARKERS.search(token):
        token = LONE_J.sub("y", token)
    for old, new in OLD_SPELLING:
        token = token.replace(old, new)
    return token


def name_tokens(name: str) -> list[str]:
    """Normalised words of ``name``, titles removed, Muhammad unified, old spelling modernised."""
    text = _strip_accents(name or "").casefold()
    # Degrees written with dots ("S.Pd.", "A.Md.") become one token before punctuation is dropped.
    text = re.sub(r"\b([a-z])\.([a-z]{1,3})\.?", r"\1\2", text)
    text = _NON_LETTERS.sub(" ", text.replace("'", ""))
    tokens = []
    for position, token in enumerate(text.split()):
        if token in HONORIFICS and not (token == "h" and position > 0):
            continue
        if token in MUHAMMAD_VARIANTS or (token == "m" and position == 0):
            tokens.append("muhammad")
            continue
        tokens.append(_modern_spelling(token))
    return tokens


def normalise_name(name: str) -> str:
    """The comparison key: normalised words joined by single spaces (order kept)."""
    return " ".join(name_tokens(name))[:150]


def names_match(first: str, second: str) -> bool:
    """True when two names are the same after normalisation, or differ only by initials (``A. Rahman``)."""
    a, b = name_tokens(first), name_tokens(second)
    if a == b:
        return True
    if len(a) != len(b) or not a:
        return False
    return all(
        x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
        for x, y in zip(a, b, strict=True)
    )
