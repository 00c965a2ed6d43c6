"""The measures an analyst can map, their values from a region's figures, and their colour classes.

Colours are ColorBrewer's sequential YlGnBu (light = little, dark = much): it stays ordered when
printed in greyscale and reads for the common forms of colour blindness. Regions without data
are white; regions outside the user's area are hatched grey and carry no figure.
"""

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from dimensions.models import Band, Instrument
from ppks.models import Category, Directorate

PALETTES = {
    1: ("#2c7fb8",),
    2: ("#a1dab4", "#2c7fb8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
}
NO_DATA = "#ffffff"
OUTSIDE = "#e3e3e3"
BAND_COLOURS = {Band.LOW: "#edf8b1", Band.MEDIUM: "#7fcdbb", Band.HIGH: "#2c7fb8"}
INDEX_BREAKS = (0.25, 0.5, 0.625, 0.75)  # upper bounds of the first four index classes (band limits 0.5, 0.75)
MAX_CLASSES = 5


def format_number(value, decimals: int = 0) -> str:
    """``1234.5`` -> ``1.234,5`` in Indonesian (the active language's separators, always grouped)."""
    if value is None:
        return ""
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if decimals == 0:
        value = int(value)
    return number_format(value, decimals, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Measure:
    """One mappable figure. ``value(figures, population)`` is None where the figure is unknown."""

    key: str
    label: str
    group: str
    value: Callable[[dict, int | None], float | None]
    kind: str = "count"  # count | rate | share | index | band
    decimals: int = 0
    suffix: str = ""
    note: str = ""

    def text(self, value) -> str:
        if value is None:
            return str(_("tidak ada data"))
        if self.kind == "band":
            return str(Band(value).label)
        return format_number(value, self.decimals) + self.suffix


def _status(figures: dict, status: str) -> int:
    return figures.get("status", {}).get(status, 0)


def _recorded(figures: dict, _population) -> int:
    from maps.definitions import RECORDED_STATUSES

    return sum(_status(figures, status) for status in RECORDED_STATUSES)


def _per_thousand(figures: dict, population: int | None) -> float | None:
    if not population:
        return None
    return figures.get("persons", 0) * 1000 / population


def mean_index(figures: dict) -> float | None:
    index = figures.get("index") or {}
    return index["sum"] / index["n"] if index.get("n") else None


def band_thresholds() -> tuple[float, float]:
    """The band limits of the instrument in use (sedang from, tinggi from)."""
    instrument = Instrument.objects.filter(is_active=True).order_by("-valid_from", "-pk").first()
    if instrument is None:
        return 0.5, 0.75
    return float(instrument.band_sedang_from), float(instrument.band_tinggi_from)


def band_of(index: float | None, thresholds: tuple[float, float]) -> str | None:
    if index is None:
        return None
    if index >= thresholds[1]:
        return Band.HIGH
    return Band.MEDIUM if index >= thresholds[0] else Band.LOW


def _share(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


def measures() -> list[Measure]:
    """Every measure, in picker order (categories and directorates from the reference tables)."""
    thresholds = band_thresholds()
    status_group = _("Registrasi PPKS menurut status")
    items = [
        Measure("registered", _("PPKS tercatat (semua status kecuali draf dan ditolak)"), status_group, _recorded),
        Measure("submitted", _("Menunggu verifikasi"), status_group,
                lambda figures, _p: _status(figures, "submitted")),
        Measure("verified", _("Terverifikasi, belum dirujuk"), status_group,
                lambda figures, _p: _status(figures, "verified")),
        Measure("referred-open", _("Dirujuk, belum dijawab"), status_group,
                lambda figures, _p: (figures.get("unanswered") or {}).get("total", 0)),
    ]
    category_group = _("PPKS tercatat menurut kategori")
    for category in Category.objects.current().order_by("order_no", "code"):
        items.append(Measure("category-" + category.code, "{} ({})".format(category.label, category.code),
                             category_group, _lookup("category", category.code)))
    directorate_group = _("PPKS tercatat menurut direktorat tujuan")
    for directorate in Directorate.objects.order_by("code"):
        items.append(Measure("directorate-" + directorate.code, directorate.name, directorate_group,
                             _lookup("directorate", directorate.code)))
    items.append(Measure("directorate-none", _("Belum ada direktorat tujuan"), directorate_group,
                         _lookup("directorate", "")))
    other = _("Kependudukan, ketahanan dan program")
    items += [
        Measure("per-1000", _("PPKS per 1.000 penduduk"), other, _per_thousand, kind="rate", decimals=1,
                note=_("Hanya untuk wilayah yang jumlah penduduknya diketahui.")),
        Measure("index", _("Indeks ketahanan sosial (rata-rata asesmen tervalidasi terakhir)"), other,
                lambda figures, _p: mean_index(figures), kind="index", decimals=2),
        Measure("band", _("Kategori ketahanan sosial (dari rata-rata indeks)"), other,
                lambda figures, _p: band_of(mean_index(figures), thresholds), kind="band"),
        Measure("low-share", _("Desa berketahanan rendah (% dari desa yang dinilai)"), other,
                lambda figures, _p: _share((figures.get("bands") or {}).get(Band.LOW, 0),
                                           (figures.get("index") or {}).get("n", 0)),
                kind="share", decimals=1, suffix=" %"),
        Measure("programme-share", _("Desa dalam program DBS (% dari desa/kelurahan)"), other,
                lambda figures, _p: _share(figures.get("programme", 0), figures.get("villages", 0)),
                kind="share", decimals=1, suffix=" %"),
        Measure("overdue", _("Tahap program terlambat"), other, lambda figures, _p: figures.get("overdue", 0)),
    ]
    return items


def _lookup(key: str, code: str) -> Callable[[dict, int | None], int]:
    return lambda figures, _population: (figures.get(key) or {}).get(code, 0)


def measure_get(key: str, available: list[Measure] | None = None) -> Measure | None:
    for measure in available if available is not None else measures():
        if measure.key == key:
            return measure
    return None


DEFAULT_MEASURE = "registered"


@dataclass(frozen=True)
class LegendClass:
    colour: str
    label: str
    upper: float | None = None
    band: str = ""
    count: int = 0


def _quantile(values: list[float], fraction: float) -> float:
    """The nearest-rank quantile of sorted ``values``: always one of the values, never between two."""
    return values[max(math.ceil(fraction * len(values)) - 1, 0)]


def classes_for(measure: Measure, values: list[float]) -> list[LegendClass]:
    """The colour classes of a map: fixed for the index and bands, quantiles of ``values`` otherwise.

    Quantile limits are rounded to the measure's decimals and made distinct, so a map with few
    different values gets fewer classes (a single value gets one class).
    """
    if measure.kind == "band":
        return [LegendClass(BAND_COLOURS[band], str(band.label), band=band) for band in Band]
    if measure.kind == "index":
        palette = PALETTES[5]
        uppers = [*INDEX_BREAKS, 1.0]
        lower, result = 0.0, []
        for colour, upper in zip(palette, uppers, strict=True):
            label = "{}–{}".format(format_number(lower, 2), format_number(upper, 2))
            result.append(LegendClass(colour, label, upper))
            lower = upper
        return result
    values = sorted(value for value in values if value is not None)
    if not values:
        return []
    factor = 10 ** measure.decimals
    uppers = []
    for step in range(1, MAX_CLASSES + 1):
        upper = round(_quantile(values, step / MAX_CLASSES) * factor) / factor
        if not uppers or upper > uppers[-1]:
            uppers.append(upper)
    uppers[-1] = max(uppers[-1], values[-1])
    palette = PALETTES[len(uppers)]
    result, lower = [], values[0]
    for index, (colour, upper) in enumerate(zip(palette, uppers, strict=True)):
        if measure.decimals == 0:
            start = int(lower) if index == 0 else int(uppers[index - 1]) + 1
            label = format_number(upper) if start >= upper else "{}–{}".format(format_number(start),
                                                                                 format_number(upper))
        else:
            start = lower if index == 0 else uppers[index - 1]
            prefix = "" if index == 0 else "> "
            label = "{}{}–{}".format(prefix, format_number(start, measure.decimals),
                                     format_number(upper, measure.decimals))
        result.append(LegendClass(colour, label + measure.suffix, upper))
    return result


def colour_of(value, classes: list[LegendClass]) -> str:
    """The fill of ``value`` (white when unknown)."""
    if value is None or not classes:
        return NO_DATA
    if classes[0].band:
        return BAND_COLOURS.get(value, NO_DATA)
    uppers = [legend.upper for legend in classes]
    index = bisect.bisect_left(uppers, value - 1e-9)
    return classes[min(index, len(classes) - 1)].colour
