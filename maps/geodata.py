"""The bundled region boundaries: their compact file format, reading it, and line simplification.

``maps/data/wilayah-geo.jsonl.gz`` (built by ``manage.py build_map_data`` from the shared
cahyadsn/wilayah_boundaries extract, MIT) holds one JSON object per region::

    {"c": "35.11", "l": 2, "s": 10000, "p": [1137960, -79410],
     "g": [[[lon, lat, dlon, dlat, ...]]], "k": [...], "v": [["2001", lon, lat], ...]}

``c`` is the dotted Kemendagri code and ``l`` its level (1 provinsi, 2 kab/kota, 3 kecamatan).
Coordinates are integers at ``1 / s`` degree: ``p`` the label point (the source's centroid), ``g``
the polygons (a list of polygons, each a list of rings, each ring a flat list whose first pair is
absolute and the following pairs are deltas) at the detail used on a map of the parent region,
``k`` the same polygons simplified for a national map (kab/kota only, at 1/1000 degree), ``v`` the centroids of a
kecamatan's desa/kelurahan by the last part of their code (at 1/10000 degree). The database keeps plain GeoJSON
(``RegionShape``); this encoding only keeps the bundled file small (about 2 MB).
"""

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BUNDLE_PATH = Path(__file__).resolve().parent / "data" / "wilayah-geo.jsonl.gz"
SOURCE_NAME = "cahyadsn/wilayah_boundaries"
SOURCE_URL = "https://github.com/cahyadsn/wilayah_boundaries"
SOURCE_LICENCE = "MIT"


@dataclass
class ShapeRecord:
    """One region of the bundle, decoded: GeoJSON geometries and (lon, lat) points in degrees."""

    code: str
    level: int
    geometry: dict
    coarse: dict | None = None
    label: tuple[float, float] | None = None
    points: list[tuple[str, float, float]] = field(default_factory=list)


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification of a closed ring (first point == last point kept)."""
    count = len(ring)
    if count < 4 or tolerance <= 0:
        return list(ring)
    keep = [False] * count
    keep[0] = keep[-1] = True
    limit = tolerance * tolerance
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        ax, ay = ring[first]
        bx, by = ring[last]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        worst, worst_index = -1.0, -1
        for index in range(first + 1, last):
            px, py = ring[index]
            if length == 0:
                distance = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
                distance = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if distance > worst:
                worst, worst_index = distance, index
        if worst > limit:
            keep[worst_index] = True
            stack.append((first, worst_index))
            stack.append((worst_index, last))
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def simplify_polygons(polygons: list, tolerance: float) -> list:
    """Simplify every ring; rings that collapse are dropped, and a region never vanishes.

    When every polygon of a small region (a kota, an island kecamatan) would collapse at
    ``tolerance``, it is simplified again at a quarter of it until something remains.
    """
    while True:
        result = []
        for polygon in polygons:
            rings = []
            for index, ring in enumerate(polygon):
                simplified = simplify_ring(ring, tolerance)
                if len(simplified) >= 4:
                    rings.append(simplified)
                elif index == 0:
                    break
            if rings:
                result.append(rings)
        if result or tolerance < 1e-6:
            return result or polygons
        tolerance /= 4


def polygons_of(geometry: dict) -> list:
    """The polygons of a GeoJSON Polygon or MultiPolygon as a MultiPolygon coordinate list."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError("geometri {} tidak didukung".format(geometry["type"]))


def encode_polygons(polygons: list, scale: int) -> list:
    """Polygons in degrees -> rings of integer deltas at ``1 / scale`` degree (repeated points dropped)."""
    encoded = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            flat, previous_x, previous_y = [], 0, 0
            for lon, lat in ring:
                x, y = round(lon * scale), round(lat * scale)
                if flat and x == previous_x and y == previous_y:
                    continue
                flat += [x - previous_x, y - previous_y]
                previous_x, previous_y = x, y
            if len(flat) >= 8:
                rings.append(flat)
        if rings:
            encoded.append(rings)
    return encoded


def decode_polygons(encoded: list, scale: int) -> list:
    """The inverse of ``encode_polygons``: rings of [lon, lat] in degrees, closed."""
    digits = len(str(scale)) - 1
    polygons = []
    for polygon in encoded:
        rings = []
        for flat in polygon:
            x = y = 0
            ring = []
            for index in range(0, len(flat), 2):
                x += flat[index]
                y += flat[index + 1]
                ring.append([round(x / scale, digits), round(y / scale, digits)])
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
            rings.append(ring)
        polygons.append(rings)
    return polygons


def multipolygon(polygons: list) -> dict:
    return {"type": "MultiPolygon", "coordinates": polygons}


def read_bundle(path: Path = BUNDLE_PATH, *, only: tuple[str, ...] = ()) -> Iterator[ShapeRecord]:
    """The regions of a bundle file, decoded, in file order; ``only`` keeps codes under those provinces."""
    prefixes = tuple('{{"c":"{}'.format(code) for code in only)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or (prefixes and not line.startswith(prefixes)):
                continue
            row = json.loads(line)
            scale = row["s"]
            digits = len(str(scale)) - 1
            label = row.get("p")
            yield ShapeRecord(
                code=row["c"],
                level=row["l"],
                geometry=multipolygon(decode_polygons(row["g"], scale)),
                coarse=multipolygon(decode_polygons(row["k"], 1000)) if row.get("k") else None,
                label=(round(label[0] / scale, digits), round(label[1] / scale, digits)) if label else None,
                points=[(suffix, round(lon / 10000, 4), round(lat / 10000, 4))
                        for suffix, lon, lat in row.get("v", ())],
            )


def bbox_of(geometry: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a (Multi)Polygon."""
    xs, ys = [], []
    for polygon in polygons_of(geometry):
        for ring in polygon:
            for lon, lat in ring:
                xs.append(lon)
                ys.append(lat)
    return min(xs), min(ys), max(xs), max(ys)
