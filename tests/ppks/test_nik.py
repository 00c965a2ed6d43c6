"""The NIK rules of DOMAIN.md §3.1: format errors block, mismatches only warn."""

import datetime

import pytest

from ppks.nik import check_kk, check_nik, mask_nik, parse_nik

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("nik", "birth_date", "sex"),
    [
        pytest.param("3511011203850003", datetime.date(1985, 3, 12), "L", id="male"),
        pytest.param("3511015203850003", datetime.date(1985, 3, 12), "P", id="female-day-plus-40"),
        pytest.param("3511012902000001", datetime.date(2000, 2, 29), "L", id="29-feb-leap-2000"),
        pytest.param("3511010101050001", datetime.date(2005, 1, 1), "L", id="century-2005"),
        pytest.param("3511010101300001", datetime.date(1930, 1, 1), "L", id="century-1930"),
        pytest.param("3511017112990001", datetime.date(1999, 12, 31), "P", id="female-31-dec"),
    ],
)
def test_valid_niks_decode_birth_date_and_sex(nik, birth_date, sex):
    result = check_nik(nik, birth_date=birth_date, sex=sex, today=TODAY)
    assert (result.errors, result.warnings) == ([], [])
    parts = parse_nik(nik, today=TODAY)
    assert (parts.birth_date, parts.sex, parts.district_code) == (birth_date, sex, "35.11.01")


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        pytest.param("351101120385000", "NIK harus 16 digit angka (sekarang 15 karakter).", id="15-digits"),
        pytest.param("35110112038500031", "NIK harus 16 digit angka (sekarang 17 karakter).", id="17-digits"),
        pytest.param("35110112038A0003", "NIK harus 16 digit angka (sekarang 16 karakter).", id="letter"),
        pytest.param("", "NIK harus 16 digit angka (sekarang 0 karakter).", id="empty"),
        pytest.param("0511011203850003", "Dua digit pertama NIK (05) bukan kode provinsi.", id="bad-province"),
        pytest.param(
            "3511010003850003",
            "Digit 7–12 NIK (000385) bukan tanggal lahir yang sah (tanggal 01–31, perempuan 41–71; bulan 01–12).",
            id="day-00",
        ),
        pytest.param(
            "3511017203850003",
            "Digit 7–12 NIK (720385) bukan tanggal lahir yang sah (tanggal 01–31, perempuan 41–71; bulan 01–12).",
            id="day-72",
        ),
        pytest.param(
            "3511011213850003",
            "Digit 7–12 NIK (121385) bukan tanggal lahir yang sah (tanggal 01–31, perempuan 41–71; bulan 01–12).",
            id="month-13",
        ),
        pytest.param("3511012902010001", "Digit 7–12 NIK (290201) bukan tanggal yang ada di kalender.",
                     id="29-feb-non-leap"),
        pytest.param("3511013104850001", "Digit 7–12 NIK (310485) bukan tanggal yang ada di kalender.", id="31-april"),
    ],
)
def test_invalid_niks_are_refused_with_a_clear_message(nik, message):
    assert check_nik(nik, today=TODAY).errors == [message]


@pytest.mark.parametrize(
    ("nik", "kwargs", "warning"),
    [
        pytest.param("3511011203850000", {}, "Nomor urut NIK 0000 tidak lazim; periksa kembali empat digit terakhir.",
                     id="serial-0000"),
        pytest.param("3511011203850003", {"sex": "P"},
                     "NIK menandakan jenis kelamin laki-laki, sedangkan yang diisi perempuan.", id="sex-mismatch"),
        pytest.param("3511011203850003", {"birth_date": datetime.date(1985, 3, 13)},
                     "Tanggal lahir di NIK (12-03-85) berbeda dengan yang diisi (13-03-1985).", id="date-mismatch"),
        pytest.param("3511991203850003", {"known_district": lambda code: False, "known_regency": lambda code: True},
                     "Kode kecamatan NIK (35.11.99) tidak ada di daftar wilayah; mungkin kode lama sebelum pemekaran.",
                     id="unknown-kecamatan"),
        pytest.param("3599011203850003", {"known_district": lambda code: False, "known_regency": lambda code: False},
                     "Kode kabupaten/kota NIK (35.99) tidak ada di daftar wilayah.", id="unknown-kabupaten"),
    ],
)
def test_soft_mismatches_are_warnings_not_errors(nik, kwargs, warning):
    result = check_nik(nik, today=TODAY, **kwargs)
    assert result.errors == []
    assert result.warnings == [warning]


@pytest.mark.parametrize(
    ("kk", "errors"),
    [
        ("3511010101200001", []),
        ("351101010120000", ["No. KK harus 16 digit angka (sekarang 15 karakter)."]),
        ("0011010101200001", ["Dua digit pertama No. KK (00) bukan kode provinsi."]),
    ],
)
def test_kk_number(kk, errors):
    assert check_kk(kk).errors == errors


def test_mask_nik():
    assert mask_nik("3511011203850003") == "3511********0003"
    assert mask_nik(None) == ""
