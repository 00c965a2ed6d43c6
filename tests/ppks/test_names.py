import pytest

from ppks.names import names_match, normalise_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Muhammad Rizki", "muhammad rizki"),
        ("MOH. RIZKI", "muhammad rizki"),
        ("M. Rizki", "muhammad rizki"),
        ("Mhd Rizki", "muhammad rizki"),
        ("Hj. Siti Aminah, S.Pd.", "siti aminah"),
        ("Bapak  Soekarno", "sukarno"),
        ("Djoko Tjahjono", "joko cahyono"),
        ("Ibu Nyoman", "nyoman"),
        ("St. Aminah", "st aminah"),
        ("Made Wirawan", "made wirawan"),
    ],
)
def test_normalise_name(name, key):
    assert normalise_name(name) == key


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Muhammad Rizki", "Moh. Rizki", True),
        ("A. Rahman", "Abdul Rahman", True),
        ("Siti Aminah", "Siti Aminah Hj", True),
        ("Siti Aminah", "Siti Amina", False),
        ("Rizki", "Muhammad Rizki", False),
    ],
)
def test_names_match(first, second, expected):
    assert names_match(first, second) is expected
