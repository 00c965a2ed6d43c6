"""Scoring, hand-checked (formula in dimensions/scoring.py)."""

from decimal import Decimal

import pytest

from dimensions import scoring
from dimensions.models import DimensionScore

pytestmark = pytest.mark.django_db
THRESHOLDS = scoring.Thresholds(Decimal("0.50"), Decimal("0.75"), Decimal("0.40"))


def test_seeded_instrument_has_four_dimensions_of_five_indicators(instrument):
    assert [dimension.code for dimension in instrument.dimensions.all()] == ["D1", "D2", "D3", "D4"]
    assert [dimension.indicators.count() for dimension in instrument.dimensions.all()] == [5, 5, 5, 5]
    assert instrument.dimensions.get(number=3).name == "Pengendalian konflik sosial dan tindak kekerasan"


def test_hand_checked_example(make_assessment):
    # given: D1 means 4,4,4,4,4 -> (20-5)/20 = 0.75; D2 means 1..5 -> (15-5)/20 = 0.5;
    #        D3 all 1 -> 0; D4 means 2.5,2.5,2.5,2.5,3 -> (13-5)/20 = 0.4
    # when
    assessment = make_assessment(submit=True)
    # then
    scores = {score.dimension.code: score for score in DimensionScore.objects.filter(assessment=assessment)}
    assert {code: score.score for code, score in scores.items()} == {
        "D1": Decimal("0.7500"), "D2": Decimal("0.5000"), "D3": Decimal("0.0000"), "D4": Decimal("0.4000"),
    }
    assert assessment.overall_index == Decimal("0.4125")  # (0.75 + 0.5 + 0 + 0.4) / 4
    assert assessment.band == "rendah"
    assert assessment.weakest_dimension.code == "D3"
    assert [code for code, score in scores.items() if score.is_weak_point] == ["D3"]  # 0.40 is not below 0.40
    assert scores["D4"].indicator_means == {"4.1": "2.5000", "4.2": "2.5000", "4.3": "2.5000", "4.4": "2.5000",
                                            "4.5": "3.0000"}


@pytest.mark.parametrize(
    ("index", "band"),
    [(Decimal("0.4999"), "rendah"), (Decimal("0.5000"), "sedang"), (Decimal("0.7499"), "sedang"),
     (Decimal("0.7500"), "tinggi"), (Decimal("1"), "tinggi")],
)
def test_band_cut_offs(index, band):
    assert scoring.band_of(index, THRESHOLDS) == band


def test_weights_and_scales_are_honoured():
    specs = [scoring.IndicatorSpec("a", "D", 1, 5, Decimal(2)), scoring.IndicatorSpec("b", "D", 1, 5, Decimal(1))]
    result = scoring.score(specs, {"a": [5], "b": [1]}, THRESHOLDS)
    assert result.dimension_scores == {"D": Decimal("0.6667")}  # (2*4 + 1*0) / (2*4 + 1*4)
    three_point = [scoring.IndicatorSpec("c", "E", 0, 2)]
    assert scoring.score(three_point, {"c": [1, 2]}, THRESHOLDS).dimension_scores == {"E": Decimal("0.7500")}


def test_chart_rounds_half_up_in_the_active_language():
    from django.utils import translation

    from dimensions.charts import grouped_bars

    with translation.override("id"):
        svg = grouped_bars(groups=["D1"], series=[("Baseline 2026", [Decimal("0.6375")])])
    assert ">0,64</text>" in svg  # label rounded half-up, Indonesian decimal comma
    assert "<title>D1: 0,6375</title>" in svg
    assert "<script" not in svg
    assert "http://www.w3.org/2000/svg" in svg
