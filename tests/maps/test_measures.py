"""Colour classes, colours and Indonesian number formatting of the map measures."""

import itertools

import pytest
from django.utils import translation

from maps.measures import BAND_COLOURS, NO_DATA, PALETTES, Measure, band_of, classes_for, colour_of, format_number

COUNT = Measure("count", "jumlah", "", lambda figures, population: None)
SHARE = Measure("share", "persen", "", lambda figures, population: None, kind="share", decimals=1, suffix=" %")
INDEX = Measure("index", "indeks", "", lambda figures, population: None, kind="index", decimals=2)
BAND = Measure("band", "kategori", "", lambda figures, population: None, kind="band")


def test_numbers_are_written_the_indonesian_way():
    with translation.override("id"):
        assert format_number(1234567) == "1.234.567"
        assert format_number(12.345, 1) == "12,3"
        assert format_number(0.5, 2) == "0,50"
        assert format_number(None) == ""


def test_quantile_classes_use_values_that_occur_and_cover_the_maximum():
    with translation.override("id"):
        classes = classes_for(COUNT, [0, 0, 0, 3, 7, 12, 40, 1200])
    assert [item.label for item in classes] == ["0", "1–3", "4–7", "8–40", "41–1.200"]
    assert classes[-1].upper == 1200
    assert [item.colour for item in classes] == list(PALETTES[5])


def test_few_distinct_values_give_few_classes():
    assert [item.label for item in classes_for(COUNT, [4, 4, 4])] == ["4"]
    assert classes_for(COUNT, []) == []
    assert [item.label for item in classes_for(COUNT, [0, 9])] == ["0", "1–9"]


def test_decimal_classes_and_colours():
    with translation.override("id"):
        classes = classes_for(SHARE, [10.0, 20.0, 35.5, 50.0, 90.25])
    assert classes[0].label == "10,0–10,0 %"
    assert classes[-1].label == "> 50,0–90,3 %"
    assert colour_of(90.25, classes) == classes[-1].colour
    assert colour_of(10.0, classes) == classes[0].colour
    assert colour_of(None, classes) == NO_DATA


def test_index_and_band_classes_are_fixed():
    with translation.override("id"):
        assert [item.label for item in classes_for(INDEX, [0.3])] == [
            "0,00–0,25", "0,25–0,50", "0,50–0,63", "0,63–0,75", "0,75–1,00"]
    assert colour_of(0.74, classes_for(INDEX, [])) == PALETTES[5][3]
    bands = classes_for(BAND, [])
    assert [item.band for item in bands] == ["rendah", "sedang", "tinggi"]
    assert colour_of("sedang", bands) == BAND_COLOURS["sedang"]
    assert band_of(0.5, (0.5, 0.75)) == "sedang"
    assert band_of(0.49, (0.5, 0.75)) == "rendah"
    assert band_of(None, (0.5, 0.75)) is None


@pytest.mark.parametrize("palette", list(PALETTES.values()))
def test_palettes_get_darker_class_by_class_so_they_read_in_greyscale(palette):
    def luminance(colour: str) -> float:
        red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    lightness = [luminance(colour) for colour in palette]
    assert lightness == sorted(lightness, reverse=True)
    assert all(first - second > 25 for first, second in itertools.pairwise(lightness))
