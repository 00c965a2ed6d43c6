"""Reads of the maps app: what a user sees on a map, scoped; figures always come from ``RegionFigures``.

A region's figures are shown only when the user's scope covers the whole region
(``RegionScope.covers``): a kab/kota user sees the provinces and other kab/kota of the country
as hatched shapes without name or figure, and their own kab/kota coloured. The figures of the
villages of one kecamatan are counted live (one kecamatan's registrations, by index).
"""

import datetime
import json
from dataclasses import dataclass, field

from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.scoping import can_see_region, scope_of
from dimensions.models import Band
from maps import definitions
from maps.measures import (
    BAND_COLOURS,
    NO_DATA,
    LegendClass,
    Measure,
    band_of,
    band_thresholds,
    classes_for,
    colour_of,
    measure_get,
)
from maps.models import FiguresRefresh, RegionFigures, RegionPopulation, RegionShape
from maps.services import registration_counts
from ppks.models import Registration
from villages import codes
from villages.models import District, Province, Regency, Village

LEVEL_MODELS = {codes.PROVINCE: Province, codes.REGENCY: Regency, codes.DISTRICT: District, codes.VILLAGE: Village}
LEVEL_NAMES = {0: _lazy("Indonesia"), codes.PROVINCE: _lazy("provinsi"), codes.REGENCY: _lazy("kabupaten/kota"),
               codes.DISTRICT: _lazy("kecamatan"), codes.VILLAGE: _lazy("desa/kelurahan")}
NEUTRAL = "#f4f6f8"


@dataclass
class MapArea:
    code: str
    name: str
    in_scope: bool
    geometry: str
    bbox: tuple[float, float, float, float]
    value: float | str | None = None
    text: str = ""
    colour: str = NO_DATA
    url: str = ""


@dataclass
class MapOutline:
    geometry: str
    bbox: tuple[float, float, float, float]


@dataclass
class MapPoint:
    code: str
    name: str
    in_scope: bool
    lon: float
    lat: float
    text: str = ""
    colour: str = NO_DATA
    band: str = ""
    url: str = ""
    highlight: bool = False


@dataclass
class MapRow:
    """A line of the figures table under the map (only regions inside the user's scope)."""

    code: str
    name: str
    value: float | str | None
    text: str
    url: str = ""
    has_shape: bool = True
    band: str = ""
    band_label: str = ""


@dataclass
class MapView:
    """Everything one map shows: the page, the API, the CSV and the PDF pages all read it."""

    region_code: str
    region_name: str
    level: int
    unit_level: int
    measure: Measure
    areas: list[MapArea] = field(default_factory=list)
    outlines: list[MapOutline] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    legend: list[LegendClass] = field(default_factory=list)
    point_legend: list[LegendClass] = field(default_factory=list)
    rows: list[MapRow] = field(default_factory=list)
    total: float | str | None = None
    total_text: str = ""
    covers_region: bool = False
    has_outside: bool = False
    has_no_data: bool = False
    refreshed_at: datetime.datetime | None = None

    @property
    def unit_name(self) -> str:
        return str(LEVEL_NAMES[self.unit_level])


def region_name(code: str) -> str:
    if not code:
        return _("Indonesia")
    level = codes.region_level(code)
    row = LEVEL_MODELS[level].objects.filter(code=code).values_list("name", flat=True).first() if level else None
    if row is None:
        raise Http404
    return row


def breadcrumbs(code: str) -> list[tuple[str, str]]:
    """[("", "Indonesia"), ("35", "JAWA TIMUR"), ...] down to ``code`` (names in one query per level)."""
    trail = [("", str(_("Indonesia")))]
    for ancestor in [*codes.ancestor_codes(code), code] if code else []:
        trail.append((ancestor, region_name(ancestor)))
    return trail


def default_region(user) -> str:
    """Where a user's map starts: Indonesia, the parent of a Dinas Sosial region, a Pensosmas' kecamatan."""
    scope = scope_of(user)
    if scope.national or scope.is_empty:
        return ""
    if scope.region_code:
        return codes.parent_code(scope.region_code) or ""
    if scope.village_codes:
        return sorted(scope.village_codes)[0][:8]
    return ""  # a unit officer has no region: the map of Indonesia, every region grey


def default_chart_region(user) -> str:
    """Where a user's charts start: their own region (Indonesia for national roles, a Pensosmas' kecamatan)."""
    scope = scope_of(user)
    if scope.region_code:
        return scope.region_code
    if scope.village_codes:
        return sorted(scope.village_codes)[0][:8]
    return ""


def checked_region(user, code: str) -> str:
    """``code`` if it is Indonesia or a provinsi, kab/kota or kecamatan the user may open; else Http404."""
    code = (code or "").strip()
    if code and codes.region_level(code) not in {codes.PROVINCE, codes.REGENCY, codes.DISTRICT}:
        raise Http404
    if code and not can_see_region(user, code):
        raise Http404
    region_name(code)
    return code


def figures_refreshed_at() -> datetime.datetime | None:
    return FiguresRefresh.objects.filter(pk=1).values_list("finished_at", flat=True).first()


def map_url(code: str, measure_key: str) -> str:
    return "{}?{}".format(reverse("maps:map"), urlencode({"region": code, "measure": measure_key}))


def children_names(level: int, prefix: str) -> dict[str, str]:
    """{code: name} of the active regions of ``level`` under ``prefix`` (all of the level when empty)."""
    model = LEVEL_MODELS[level]
    queryset = model.objects.filter(active=True)
    if prefix:
        queryset = queryset.filter(code__startswith=prefix + ".")
    return dict(queryset.order_by("code").values_list("code", "name"))


def _shapes(level: int, prefix: str, *, national: bool = False) -> dict[str, RegionShape]:
    queryset = RegionShape.objects.filter(level=level)
    if prefix:
        queryset = queryset.filter(code__startswith=prefix + ".")
    fields = ["code", "min_lon", "min_lat", "max_lon", "max_lat", "geometry_national" if national else "geometry"]
    return {shape.code: shape for shape in queryset.only(*fields)}


def _figures(level: int, prefix: str) -> dict[str, dict]:
    queryset = RegionFigures.objects.filter(level=level)
    if prefix:
        queryset = queryset.filter(code__startswith=prefix + ".")
    return dict(queryset.values_list("code", "figures"))


def _populations(region_codes) -> dict[str, int]:
    return dict(RegionPopulation.objects.filter(code__in=list(region_codes)).values_list("code", "population"))


def map_view(*, user, region_code: str, measure_key: str, measure_list: list[Measure] | None = None) -> MapView:
    """The map of ``region_code``'s children (its villages' points for a kecamatan) for one measure.

    ``region_code`` must have passed ``checked_region``. Unknown ``measure_key`` raises KeyError.
    """
    measure = measure_get(measure_key, measure_list)
    if measure is None:
        raise KeyError(measure_key)
    level = codes.region_level(region_code) if region_code else 0
    scope = scope_of(user)
    if level == codes.DISTRICT:
        view = _district_view(user=user, district_code=region_code, measure=measure)
    else:
        child_level = level + 1
        figures = _figures(child_level, region_code)
        names = children_names(child_level, region_code)
        covered = [code for code in names if scope.covers(code)]
        populations = _populations(covered) if measure.kind == "rate" else {}
        values = {code: measure.value(figures.get(code, {}), populations.get(code)) for code in covered}
        view = areas_view(user=user, region_code=region_code, unit_level=child_level, measure=measure,
                          values=values, names=names)
    view.covers_region = scope.national if not region_code else scope.covers(region_code)
    if view.covers_region:
        own = RegionFigures.objects.filter(code=region_code).values_list("figures", flat=True).first() or {}
        population = _populations([region_code]).get(region_code) if measure.kind == "rate" else None
        view.total = measure.value(own, population)
        view.total_text = measure.text(view.total)
    view.refreshed_at = figures_refreshed_at()
    return view


def areas_view(*, user, region_code: str, unit_level: int, measure: Measure, values: dict, names: dict | None = None,
               national: bool = False, outline_level: int | None = None, links: bool = True) -> MapView:
    """A choropleth of the ``unit_level`` regions under ``region_code`` coloured by ``values`` (codes in scope).

    ``national`` draws kab/kota with their national-scale outlines; ``outline_level`` adds the
    borders of a higher level (provinces on a national map of kab/kota). Used by the map pages
    and by the PDF reports (which pass the report's own counts as ``values``).
    """
    scope = scope_of(user)
    names = names if names is not None else children_names(unit_level, region_code)
    shapes = _shapes(unit_level, region_code, national=national)
    legend = classes_for(measure, [value for value in values.values() if value is not None])
    view = MapView(region_code=region_code, region_name=region_name(region_code),
                   level=codes.region_level(region_code) if region_code else 0, unit_level=unit_level,
                   measure=measure, legend=legend)
    counts = dict.fromkeys(range(len(legend)), 0)
    for code in sorted(set(names) | set(shapes)):
        shape = shapes.get(code)
        in_scope = code in names and scope.covers(code)
        value = values.get(code) if in_scope else None
        colour = colour_of(value, legend) if in_scope else ""
        url = map_url(code, measure.key) if links and in_scope and unit_level < codes.VILLAGE else ""
        if in_scope:
            text = measure.text(value)
            view.rows.append(MapRow(code=code, name=names[code], value=value, text=text, url=url,
                                    has_shape=shape is not None))
            view.has_no_data |= value is None
            for index, legend_class in enumerate(legend):
                if legend_class.colour == colour:
                    counts[index] += 1
        else:
            text = ""
            view.has_outside |= shape is not None
        if shape is not None:
            geometry = shape.geometry_national if national and shape.geometry_national else shape.geometry
            view.areas.append(MapArea(
                code=code if in_scope else "", name=names.get(code, "") if in_scope else "", in_scope=in_scope,
                geometry=geometry, bbox=(shape.min_lon, shape.min_lat, shape.max_lon, shape.max_lat),
                value=value, text=text, colour=colour, url=url))
    view.legend = [LegendClass(legend_class.colour, legend_class.label, legend_class.upper, legend_class.band,
                               counts[index]) for index, legend_class in enumerate(legend)]
    sort_rows(view)
    if outline_level is not None:
        for shape in _shapes(outline_level, region_code).values():
            view.outlines.append(MapOutline(geometry=shape.geometry,
                                            bbox=(shape.min_lon, shape.min_lat, shape.max_lon, shape.max_lat)))
    return view


def village_figures(district_code: str, *, today: datetime.date | None = None) -> dict[str, dict]:
    """{village code: figures} for the villages of one kecamatan, counted live (same keys as ``RegionFigures``)."""
    today = today or timezone.localdate()
    villages = dict(Village.objects.filter(district_id=district_code).values_list("code", "active"))
    result = registration_counts(Registration.objects.filter(village_id__in=list(villages)), today=today,
                                 group=F("village_id"))
    result = {code: dict(result.get(code, {})) for code in villages}
    for code, active in villages.items():
        result[code]["villages"] = 1 if active else 0
        result[code]["programme"] = 0
    for code in definitions.villages_in_programme(village_codes=villages):
        result[code]["programme"] = 1
    rows = definitions.validated_assessments().filter(village_id__in=list(villages)).values_list(
        "village_id", "phase", "year", "validated_at", "pk", "overall_index", "band")
    for code, latest in definitions.latest_by_village(rows).items():
        result[code]["index"] = {"sum": latest["index"], "n": 1}
        if latest["band"]:
            result[code]["bands"] = {latest["band"]: 1}
    for code, count in definitions.overdue_stages(today, village_codes=villages).items():
        result[code]["overdue"] = count
    return result


def _district_view(*, user, district_code: str, measure: Measure, highlight: str = "") -> MapView:
    """A kecamatan: its outline and its villages' centroids coloured by resilience band."""
    scope = scope_of(user)
    shape = RegionShape.objects.filter(code=district_code).first()
    view = MapView(region_code=district_code, region_name=region_name(district_code), level=codes.DISTRICT,
                   unit_level=codes.VILLAGE, measure=measure)
    if shape is not None:
        view.areas.append(MapArea(code=district_code, name=view.region_name, in_scope=scope.covers(district_code),
                                  geometry=shape.geometry,
                                  bbox=(shape.min_lon, shape.min_lat, shape.max_lon, shape.max_lat),
                                  text="", colour=NEUTRAL))
    names = dict(Village.objects.filter(district_id=district_code, active=True).order_by("code")
                 .values_list("code", "name"))
    covered = [code for code in names if scope.covers(code)]
    figures = village_figures(district_code) if covered else {}
    populations = _populations(covered) if measure.kind == "rate" else {}
    values = {code: measure.value(figures.get(code, {}), populations.get(code)) for code in covered}
    view.legend = classes_for(measure, [value for value in values.values() if value is not None])
    thresholds = band_thresholds()
    positions = {code: (lon, lat) for code, lon, lat in (shape.village_points if shape else [])}
    bands_seen = set()
    for code, name in names.items():
        in_scope = code in values
        position = positions.get(code)
        if in_scope:
            band = band_of(_index_of(figures.get(code, {})), thresholds) or ""
            bands_seen.add(band)
            url = reverse("villages:village-detail", kwargs={"code": code})
            text = measure.text(values[code])
            view.rows.append(MapRow(code=code, name=name, value=values[code], text=text, url=url,
                                    has_shape=position is not None, band=band,
                                    band_label=str(Band(band).label) if band else ""))
            view.has_no_data |= values[code] is None
        else:
            band, url, text = "", "", ""
            view.has_outside |= position is not None
        if position is not None:
            view.points.append(MapPoint(
                code=code if in_scope else "", name=name if in_scope else "", in_scope=in_scope,
                lon=position[0], lat=position[1], text=text, band=band, url=url,
                colour=BAND_COLOURS.get(band, NO_DATA) if in_scope else "", highlight=code == highlight))
    sort_rows(view)
    view.point_legend = [LegendClass(colour, label, band=band, count=sum(1 for row in view.rows if row.band == band))
                         for band, colour, label in _band_legend()]
    if "" in bands_seen:
        view.point_legend.append(LegendClass(NO_DATA, _("belum dinilai"), band="",
                                             count=sum(1 for row in view.rows if not row.band)))
    return view


BAND_ORDER = {Band.LOW: 0, Band.MEDIUM: 1, Band.HIGH: 2}


def sort_rows(view: MapView) -> None:
    """Most first for counts and shares; lowest first for the index and bands (the most vulnerable on top)."""
    ascending = view.measure.kind in {"index", "band"}

    def key(row: MapRow):
        value = BAND_ORDER.get(row.value, 9) if view.measure.kind == "band" and row.value else row.value
        if value is None:
            return (1, 0, row.name)
        return (0, value if ascending else -value, row.name)

    view.rows.sort(key=key)


def _index_of(figures: dict) -> float | None:
    index = figures.get("index") or {}
    return index["sum"] / index["n"] if index.get("n") else None


def _band_legend():
    return [(band, BAND_COLOURS[band], str(band.label)) for band in Band]


def village_map_view(*, user, village_code: str, measure_key: str = "band") -> MapView:
    """The kecamatan of a village with its villages' points and the village highlighted (village profile)."""
    measure = measure_get(measure_key)
    view = _district_view(user=user, district_code=village_code[:8], measure=measure, highlight=village_code)
    view.refreshed_at = timezone.now()
    return view


def geojson(view: MapView) -> str:
    """The map as a GeoJSON FeatureCollection (text), with the legend and region as foreign members.

    Geometries are copied from the stored GeoJSON text without parsing it again.
    """
    features = []
    for area in view.areas:
        properties = {"kind": "area", "in_scope": area.in_scope}
        if area.in_scope:
            properties.update(code=area.code, name=area.name, value=_plain(area.value), text=area.text,
                              colour=area.colour, url=area.url)
        features.append('{"type":"Feature","properties":' + json.dumps(properties) + ',"geometry":'
                        + area.geometry + "}")
    for point in view.points:
        properties = {"kind": "point", "in_scope": point.in_scope}
        if point.in_scope:
            properties.update(code=point.code, name=point.name, text=point.text, colour=point.colour,
                              band=point.band, url=point.url)
        features.append(json.dumps({"type": "Feature", "properties": properties,
                                    "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]}}))
    meta = {
        "region": {"code": view.region_code, "name": view.region_name, "level": view.level},
        "measure": {"key": view.measure.key, "label": str(view.measure.label), "kind": view.measure.kind},
        "unit": view.unit_name,
        "total": _plain(view.total) if view.covers_region else None,
        "total_text": view.total_text if view.covers_region else "",
        "legend": [{"colour": item.colour, "label": item.label, "count": item.count} for item in view.legend],
        "point_legend": [{"colour": item.colour, "label": item.label, "count": item.count}
                         for item in view.point_legend],
        "refreshed_at": view.refreshed_at.isoformat() if view.refreshed_at else None,
    }
    body = json.dumps(meta)[1:-1]
    return '{"type":"FeatureCollection",' + body + ',"features":[' + ",".join(features) + "]}"


def _plain(value):
    if value is None or isinstance(value, str):
        return value
    return round(float(value), 4)
