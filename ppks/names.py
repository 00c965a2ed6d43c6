"""Indonesian name normalisation: one comparison key for every way a name is written.

Two spellings of one name give the same key (``normalise_name``, stored as ``Person.name_key``
and used by duplicate detection, the import's matching, list search and the header search):

- case, accents and punctuation are ignored; apostrophes and quotes of every keyboard (``'``,
  ``’ ‘ ʼ ` ´``, ``" “ ”``) are *removed*, never turned into a space (Nur'aini = Nur’aini = Nuraini);
- titles and honorifics are dropped (Bapak, H., Hj., Dr., Drs., S.Pd., Alm. …);
- the spellings of Muhammad are unified (Muhamad, Mohammad, Moch., Moh., Muh., Mhd., M.);
- pre-1972 spelling is mapped to EYD (oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh, and a lone j→y in
  a word that shows old spelling, so Tjahjono and Cahyono match while the modern Joko stays Joko);
- the key has no spaces, so spacing variants meet (Nur Aini = Nuraini, Abdul Rahman = Abdurrahman
  after the Arabic article is unified);
- a doubled letter counts once (Sitti = Siti, Muhammad = Muhamad, Anna = Ana), and a few
  letter pairs with one sound are unified: kh/h (Achmad = Ahmad), dh/d (Ramadhan), th/t, sh/s,
  ph/f/p/v (Yusuf = Yusup, as Sundanese writes it), q/k (Rofiq = Rofik), y/i at the end of a word
  (Rizky = Rizki), the glides iy/uw before a vowel (Sumiyati = Sumiati, Juwariyah = Juariah) and
  a final d after a vowel (Rahmad = Rahmat).

A final *h* is kept: Aminah and Amina, Fatimah and Fatima are distinct registered names, and a
pair that differs only there is not flagged (tests/ppks/data/name_pairs.csv labels them so). When
these rules change, stored keys are recomputed with ``manage.py recompute_name_keys`` (the
migration that ships a change runs the same function).
"""

import functools
import re
import unicodedata

HONORIFICS = frozenset(
    {
        "bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "tn", "tuan", "ny", "nyonya", "nn",
        "nona", "hj", "haji", "hajjah", "h", "kh", "ust", "ustadz", "ustad", "ustadzah", "alm", "almarhum",
        "almarhumah", "almh", "ir", "dr", "drs", "dra", "prof", "spd", "se", "sh", "skom", "amd", "ssos",
        "sag", "sip", "mm", "msi", "mpd", "ama", "amk", "skep", "sked", "ssi", "mh", "mt", "spdi", "st",
    }
)
# "St." before the name is the common short form of Siti (a title, S.T., only after it); "H." after the
# first word may be an initial (Budi H.), before it it is Haji.
TITLES_KEPT_FIRST = frozenset({"st"})
TITLES_KEPT_LATER = frozenset({"h"})
MUHAMMAD_VARIANTS = frozenset(
    {"muhammad", "muhamad", "muhammat", "muhamat", "mohammad", "mohamad", "mohamed", "mochammad", "mochamad",
     "moehammad", "moh", "mhd", "muh", "mohd", "mukhammad", "muchammad", "muchamad", "moch", "mochamat",
     "muhammed", "mohammed"}
)
OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
OLD_SPELLING_MARKERS = re.compile(r"oe|dj|tj|nj|sj")
OLD_SPELLING_ANY = re.compile("|".join(old for old, _new in OLD_SPELLING))
LONE_J = re.compile(r"(?<![dtns])j")
# Every apostrophe and quote a phone or desktop keyboard produces (and their look-alikes).
APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\u201b\"\u201c\u201d\u201e\u00ab\u00bb"
_DROP_APOSTROPHES = str.maketrans("", "", APOSTROPHES)
_NON_LETTERS = re.compile(r"[^a-z\s]")
# Degrees written with dots ("S.Pd.", "A.Md.", "S.Pd.I.") become one token before punctuation is dropped.
_DOTTED_DEGREE = re.compile(r"\b([a-z])\.([a-z]{1,3})\.?(?:([a-z])\.)?")
# Letters that sound alike within a word (applied after old spelling, before doubled letters).
SOUND_ALIKE = (("kh", "h"), ("dh", "d"), ("th", "t"), ("sh", "s"), ("ph", "f"), ("f", "p"), ("v", "p"), ("q", "k"),
               ("hj", "hy"))
SOUND_ALIKE_PATTERNS = (
    (re.compile(r"(?<=i)y(?=[aeou])"), ""),  # Sumiyati → sumiati
    (re.compile(r"(?<=u)w(?=[aeio])"), ""),  # Juwariyah → juariah
)
# Applied to the joined key, so "Rizky Pratama" and "Rizkypratama" still meet: a y or a d that ends a
# syllable (before a consonant or at the end) sounds as i and t (Rizky = Rizki, Rahmad = Rahmat).
KEY_PATTERNS = (
    (re.compile(r"(?<=[^aeiou])y(?=[^aeiou]|$)"), "i"),
    (re.compile(r"(?<=[aeiou])d(?=[^aeiouy]|$)"), "t"),
)
_DOUBLED = re.compile(r"(.)\1+")
# The Arabic article before a sun letter: Abdur-rahman, Abdus-salam, Abdul Rahman → abdul…
_ABDU_ARTICLE = re.compile(r"^abdu(?=[rsnzdt])")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


@functools.lru_cache(maxsize=65536)
def _modern_spelling(token: str) -> str:
    if OLD_SPELLING_MARKERS.search(token):
        token = LONE_J.sub("y", token)
    elif not OLD_SPELLING_ANY.search(token):
        return token
    for old, new in OLD_SPELLING:
        token = token.replace(old, new)
    return token


def name_tokens(name: str) -> list[str]:
    """Normalised words of ``name``: titles removed, Muhammad unified, old spelling modernised."""
    text = _strip_accents(name or "").casefold().translate(_DROP_APOSTROPHES)
    if "." in text:
        text = _DOTTED_DEGREE.sub(r"\1\2\3", text)
    words = _NON_LETTERS.sub(" ", text).split()
    tokens = []
    for token in words:
        first = not tokens  # no word of the name itself yet (only titles before it)
        if token in HONORIFICS and not (token in TITLES_KEPT_FIRST and first) \
                and not (token in TITLES_KEPT_LATER and not first):
            continue
        if token == "st" and first:
            tokens.append("siti")
            continue
        if token in MUHAMMAD_VARIANTS or (token == "m" and first):
            tokens.append("muhammad")
            continue
        tokens.append(_modern_spelling(token))
    return tokens


@functools.lru_cache(maxsize=65536)
def _sound_key(token: str) -> str:
    """One word as it sounds: letter pairs with one sound unified, doubled letters once, final y as i."""
    for pair, single in SOUND_ALIKE:
        token = token.replace(pair, single)
    for pattern, replacement in SOUND_ALIKE_PATTERNS:
        token = pattern.sub(replacement, token)
    return token


def normalise_name(name: str) -> str:
    """The stored comparison key (``Person.name_key``): the normalised words as they sound, without spaces."""
    return _joined_key([_sound_key(token) for token in name_tokens(name)])


def _joined_key(sounds: list[str]) -> str:
    key = _DOUBLED.sub(r"\1", "".join(sounds))
    for pattern, replacement in KEY_PATTERNS:
        key = pattern.sub(replacement, key)
    return _ABDU_ARTICLE.sub("abdul", _DOUBLED.sub(r"\1", key))[:150]


def search_key(text: str) -> str:
    """What a typed search is compared with: the same key as a name (so "nur'aini" finds "Siti Nur Aini")."""
    return normalise_name(text)


def names_match(first: str, second: str) -> bool:
    """True when two names have the same key, or differ only by initials (``A. Rahman`` = ``Abdul Rahman``)."""
    if normalise_name(first) == normalise_name(second) != "":
        return True
    a, b = name_tokens(first), name_tokens(second)
    if len(a) != len(b) or not a or not any(len(token) == 1 for token in a + b):
        return False
    return all(
        _joined_key([_sound_key(x)]) == _joined_key([_sound_key(y)])
        or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
        for x, y in zip(a, b, strict=True)
    )
