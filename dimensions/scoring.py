"""How an assessment is scored (IKSM-Desa, DOMAIN.md §2.2), as pure functions.

1. Indicator mean: the mean of the respondents' answers for that indicator.
2. Dimension index, normalised to 0–1 with the indicators' weights and scales:

       D = Σ wᵢ (meanᵢ − minᵢ) / Σ wᵢ (maxᵢ − minᵢ)

   For five equally weighted indicators on 1–5 this is the instrument's (Σ scores − 5) / 20.
3. Overall index: the mean of the dimension indices (equal weights).
4. Band: rendah below ``band_sedang_from``, tinggi from ``band_tinggi_from``, sedang between;
   a dimension below ``weak_point_below`` is a weak point (titik lemah).

All arithmetic is Decimal, rounded half-up to four places at the end of each step.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class IndicatorSpec:
    key: object
    dimension: object
    scale_min: int
    scale_max: int
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Thresholds:
    sedang_from: Decimal
    tinggi_from: Decimal
    weak_point_below: Decimal


@dataclass(frozen=True)
class Result:
    indicator_means: dict
    dimension_scores: dict
    overall: Decimal
    band: str
    weakest: object
    weak_points: tuple


def quantize(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def indicator_mean(values: Iterable[int]) -> Decimal:
    values = list(values)
    return quantize(Decimal(sum(values)) / Decimal(len(values)))


def dimension_index(specs: Iterable[IndicatorSpec], means: Mapping[object, Decimal]) -> Decimal:
    numerator = denominator = Decimal(0)
    for spec in specs:
        numerator += spec.weight * (means[spec.key] - spec.scale_min)
        denominator += spec.weight * (spec.scale_max - spec.scale_min)
    return quantize(numerator / denominator)


def band_of(index: Decimal, thresholds: Thresholds) -> str:
    if index >= thresholds.tinggi_from:
        return "tinggi"
    if index >= thresholds.sedang_from:
        return "sedang"
    return "rendah"


def score(specs: Iterable[IndicatorSpec], answers: Mapping[object, list[int]], thresholds: Thresholds) -> Result:
    """Score complete answers ({indicator key: [values…]}); every indicator must have at least one value."""
    specs = list(specs)
    means = {spec.key: indicator_mean(answers[spec.key]) for spec in specs}
    by_dimension: dict[object, list[IndicatorSpec]] = {}
    for spec in specs:
        by_dimension.setdefault(spec.dimension, []).append(spec)
    dimension_scores = {dimension: dimension_index(members, means) for dimension, members in by_dimension.items()}
    overall = quantize(sum(dimension_scores.values(), Decimal(0)) / Decimal(len(dimension_scores)))
    weakest = min(dimension_scores, key=lambda dimension: dimension_scores[dimension])
    weak_points = tuple(dimension for dimension, value in dimension_scores.items()
                        if value < thresholds.weak_point_below)
    return Result(means, dimension_scores, overall, band_of(overall, thresholds), weakest, weak_points)
