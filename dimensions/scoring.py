"""How an assessment is scored (IKSM-Desa, DOMAIN.md §2.2), as pure functions.

1. Indicator mean: the mean of the respondents' answers for that indicator.
2. Dimension index, normalised to 0–1 with the indicators' weights and scales:

       D = Σ wᵢ (meanᵢ − minᵢ) / Σ wᵢ (maxᵢ − minᵢ)

   For five equally weighted indicators on 1–5 this is the instrument's (Σ scores − 5) / 20.
3. Overall index: the mean of the (unrounded) dimension indices (equal weights).
4. Band: rendah below ``band_sedang_from``, tinggi from ``band_tinggi_from``, sedang between;
   a dimension below ``weak_point_below`` is a weak point (titik lemah).

All arithmetic is exact Decimal. Each published figure (indicator mean, dimension index,
overall index) is rounded once, half-up to four places, from the exact value; no rounded
figure feeds another, so the overall index is the rounded mean of the exact dimension indices
(0.6510, never 0.6511 from averaging four already-rounded indices). Band and weak points are
read from the published (rounded) figures, so what a page shows and its band never disagree.

An indicator scored from the app's own records (``record_means``) takes that score in place of
the respondents' mean.
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
    """Published figures, each rounded once to four places from its exact value."""

    indicator_means: dict
    dimension_scores: dict
    overall: Decimal
    band: str
    weakest: object
    weak_points: tuple


def quantize(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def indicator_mean(values: Iterable[int]) -> Decimal:
    """The exact mean of the answers (not rounded)."""
    values = list(values)
    return Decimal(sum(values)) / Decimal(len(values))


def dimension_index(specs: Iterable[IndicatorSpec], means: Mapping[object, Decimal]) -> Decimal:
    """The exact, unrounded index of one dimension from exact indicator means."""
    numerator = denominator = Decimal(0)
    for spec in specs:
        numerator += spec.weight * (means[spec.key] - spec.scale_min)
        denominator += spec.weight * (spec.scale_max - spec.scale_min)
    return numerator / denominator


def band_of(index: Decimal, thresholds: Thresholds) -> str:
    if index >= thresholds.tinggi_from:
        return "tinggi"
    if index >= thresholds.sedang_from:
        return "sedang"
    return "rendah"


def score(specs: Iterable[IndicatorSpec], answers: Mapping[object, list[int]], thresholds: Thresholds,
          record_means: Mapping[object, Decimal] | None = None) -> Result:
    """Score complete answers ({indicator key: [values…]}); every indicator must have at least one value.

    ``record_means`` ({indicator key: score}) replaces the respondents' mean of the indicators the
    instrument scores from the app's records.
    """
    specs = list(specs)
    record_means = record_means or {}
    means = {spec.key: Decimal(record_means[spec.key]) if spec.key in record_means
             else indicator_mean(answers[spec.key]) for spec in specs}
    by_dimension: dict[object, list[IndicatorSpec]] = {}
    for spec in specs:
        by_dimension.setdefault(spec.dimension, []).append(spec)
    exact = {dimension: dimension_index(members, means) for dimension, members in by_dimension.items()}
    overall = quantize(sum(exact.values(), Decimal(0)) / Decimal(len(exact)))
    dimension_scores = {dimension: quantize(value) for dimension, value in exact.items()}
    weakest = min(exact, key=lambda dimension: exact[dimension])
    weak_points = tuple(dimension for dimension, value in dimension_scores.items()
                        if value < thresholds.weak_point_below)
    return Result({key: quantize(value) for key, value in means.items()}, dimension_scores, overall,
                  band_of(overall, thresholds), weakest, weak_points)
