"""Maps drawn on the server as SVG: the pages without JavaScript, print, and the PDF reports.

Coordinates are projected with spherical Web Mercator (as Leaflet does), so the server map and
the interactive one have the same shape. Everything is inline: no tiles, no fonts, no images.
"""

import json
import math
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from maps.measures import OUTSIDE

STROKE = "#ffffff"
OUTLINE = "#3b4a59"
HATCH_ID = "sidbs-map-outside"


def mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@dataclass(frozen=True)
class Frame:
    """A projection of a bounding box onto a viewBox of ``width`` × ``height`` (y grows downwards)."""

    min_x: float
    max_y: float
    scale: float
    width: float
    height: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = mercator(lon, lat)
        return (x - self.min_x) * self.scale, (self.max_y - y) * self.scale


def frame_for(bbox: tuple[float, float, float, float], *, width: int, max_height: int, margin: float = 0.02) -> Frame:
    """The largest frame of ``width`` (or less, for tall regions) and at most ``max_height`` holding ``bbox``."""
    min_x, min_y = mercator(bbox[0], bbox[1])
    max_x, max_y = mercator(bbox[2], bbox[3])
    span_x = max(max_x - min_x, 1e-6)
    span_y = max(max_y - min_y, 1e-6)
    pad_x, pad_y = span_x * margin, span_y * margin
    min_x, max_x, min_y, max_y = min_x - pad_x, max_x + pad_x, min_y - pad_y, max_y + pad_y
    scale = min(width / (max_x - min_x), max_height / (max_y - min_y))
    return Frame(min_x=min_x, max_y=max_y, scale=scale, width=round((max_x - min_x) * scale, 1),
                 height=round((max_y - min_y) * scale, 1))


# Projected path data by (geometry text, frame): boundaries never change between loads, and the
# same map is drawn with the same frame, so each process projects a region once.
_PATHS: dict[tuple, str] = {}
PATH_CACHE_SIZE = 20_000


def cached_path_data(geometry_text: str, frame: Frame) -> str:
    """``path_data`` of stored GeoJSON text, remembered per process (bounded)."""
    key = (hash(geometry_text), len(geometry_text), frame.min_x, frame.max_y, frame.scale)
    data = _PATHS.get(key)
    if data is None:
        if len(_PATHS) >= PATH_CACHE_SIZE:
            _PATHS.clear()
        data = _PATHS[key] = path_data(json.loads(geometry_text), frame)
    return data


def path_data(geometry: dict, frame: Frame) -> str:
    """SVG path data of a GeoJSON (Multi)Polygon in whole units (a thousandth of the map), repeats dropped.

    Points that fall on the same unit as the previous one are dropped, so a national map carries
    only the detail it can show (this is what keeps the 514 kab/kota page of a report fast).
    """
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = []
    project = frame.point
    for polygon in polygons:
        for ring in polygon:
            points, last = [], None
            for lon, lat in ring:
                x, y = project(lon, lat)
                text = "{:.0f} {:.0f}".format(x, y)
                if text != last:
                    points.append(text)
                    last = text
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def union_bbox(boxes) -> tuple[float, float, float, float] | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (min(box[0] for box in boxes), min(box[1] for box in boxes), max(box[2] for box in boxes),
            max(box[3] for box in boxes))


def _path(geometry, frame: Frame) -> str:
    return cached_path_data(geometry, frame) if isinstance(geometry, str) else path_data(geometry, frame)


def view_frame(view, *, width: int = 1000, max_height: int = 640) -> Frame | None:
    """The frame holding everything a map view draws (None when it draws nothing)."""
    bbox = union_bbox([area.bbox for area in view.areas] + [outline.bbox for outline in view.outlines])
    if bbox is None and view.points:
        lons = [point.lon for point in view.points]
        lats = [point.lat for point in view.points]
        bbox = (min(lons), min(lats), max(lons), max(lats))
    return frame_for(bbox, width=width, max_height=max_height) if bbox else None


def render(view, *, width: int = 1000, max_height: int = 640, links: bool = True) -> SafeString:
    """The SVG of a ``maps.selectors.MapView``: areas coloured by class, outlines, village points.

    With ``links`` each area and point carries a ``<title>`` (name and value) and a link to the
    next level or the village page. Regions outside the user's area are hatched, unnamed and unlinked.
    """
    frame = view_frame(view, width=width, max_height=max_height)
    if frame is None:
        return mark_safe("")
    parts = [
        '<defs><pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="{}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#9aa5b1" stroke-width="1.6"/></pattern></defs>'.format(
            HATCH_ID, OUTSIDE)
    ]
    stroke_width = max(0.4, min(1.2, width / 1200))
    parts.append('<g class="map-areas" stroke="{}" stroke-width="{}" stroke-linejoin="round">'.format(
        STROKE, stroke_width))
    for area in view.areas:
        data = _path(area.geometry, frame)
        if not data:
            continue
        if not area.in_scope:
            parts.append('<path class="map-area outside" d="{}" fill="url(#{})"/>'.format(data, HATCH_ID))
            continue
        title = escape("{}: {}".format(area.name, area.text))
        path = '<path class="map-area" data-code="{}" d="{}" fill="{}">{}</path>'.format(
            escape(area.code), data, area.colour, "<title>{}</title>".format(title) if links else "")
        if links and area.url:
            path = '<a href="{}" aria-label="{}">{}</a>'.format(escape(area.url), title, path)
        parts.append(path)
    parts.append("</g>")
    if view.outlines:
        parts.append('<g class="map-outlines" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round">'
                     .format(OUTLINE, round(stroke_width * 1.6, 2)))
        for outline in view.outlines:
            parts.append('<path d="{}"/>'.format(_path(outline.geometry, frame)))
        parts.append("</g>")
    if view.points:
        radius = round(max(3.0, min(frame.width, frame.height) / 90), 1)
        parts.append('<g class="map-points" stroke="{}" stroke-width="{}">'.format(OUTLINE, round(radius / 4, 2)))
        for point in view.points:
            x, y = frame.point(point.lon, point.lat)
            if not point.in_scope:
                parts.append('<circle class="map-point outside" cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}"/>'.format(
                    x, y, radius * 0.8, OUTSIDE))
                continue
            title = escape("{}: {}".format(point.name, point.text))
            circle = '<circle class="map-point{}" data-code="{}" cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}">{}</circle>'
            circle = circle.format(" highlight" if point.highlight else "", escape(point.code), x, y,
                                   radius * (1.6 if point.highlight else 1), point.colour,
                                   "<title>{}</title>".format(title) if links else "")
            if links and point.url:
                circle = '<a href="{}" aria-label="{}">{}</a>'.format(escape(point.url), title, circle)
            parts.append(circle)
            if point.highlight:
                label = '<text x="{:.1f}" y="{:.1f}" font-size="{}" font-weight="700" {}>{}</text>'
                position = (x + radius * 2.2, y + radius * 0.6, round(radius * 3.2, 1))
                parts.append(label.format(*position, 'fill="#ffffff" stroke="#ffffff" stroke-width="{}"'.format(
                    round(radius * 0.9, 2)), escape(point.name)))
                parts.append(label.format(*position, 'fill="#1d2733"', escape(point.name)))
        parts.append("</g>")
    return format_html(
        '<svg class="map-svg" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "{}</svg>",
        frame.width, frame.height, _("Peta {measure}, {region}").format(measure=view.measure.label,
                                                                        region=view.region_name),
        mark_safe("".join(parts)),
    )
