"""manage.py build_map_data DIR: rebuild maps/data/wilayah-geo.jsonl.gz from the wilayah-geo extract.

DIR holds ``prov.geojson.gz``, ``kab.geojson.gz``, ``kec.geojson.gz`` and ``desa_centroids.csv.gz``
(simplified boundaries and village centroids keyed by dotted Kemendagri codes, derived from
cahyadsn/wilayah_boundaries, MIT; see maps/data/README.md). Provinces are simplified further for
the national map (0.02°), kab/kota get a second, national-scale outline (0.02°) next to their
source detail (0.005°), kecamatan keep theirs (0.002°) and carry their villages' centroids.
"""

import csv
import gzip
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maps import geodata

LEVEL_FILES = ((1, "prov.geojson.gz"), (2, "kab.geojson.gz"), (3, "kec.geojson.gz"))
CENTROIDS = "desa_centroids.csv.gz"
PROVINCE_TOLERANCE = 0.02
NATIONAL_TOLERANCE = 0.02


class Command(BaseCommand):
    help = "Bangun berkas batas wilayah bawaan (maps/data/wilayah-geo.jsonl.gz) dari ekstrak wilayah-geo."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder berisi prov/kab/kec.geojson.gz dan desa_centroids.csv.gz.")
        parser.add_argument("--output", default=str(geodata.BUNDLE_PATH), help="Berkas .jsonl.gz keluaran.")

    def handle(self, *args, directory, output, **options):
        folder = Path(directory)
        missing = [name for _level, name in LEVEL_FILES if not (folder / name).is_file()]
        if not (folder / CENTROIDS).is_file():
            missing.append(CENTROIDS)
        if missing:
            raise CommandError("Berkas tidak ada di {}: {}".format(folder, ", ".join(missing)))
        points: dict[str, list] = {}
        with gzip.open(folder / CENTROIDS, "rt", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                district, _dot, suffix = row["code"].rpartition(".")
                points.setdefault(district, []).append(
                    [suffix, round(float(row["lng"]) * 10000), round(float(row["lat"]) * 10000)])
        buffer = io.StringIO()
        counts = {}
        for level, name in LEVEL_FILES:
            with gzip.open(folder / name, "rt", encoding="utf-8") as handle:
                features = json.load(handle)["features"]
            features.sort(key=lambda feature: feature["properties"]["code"])
            counts[level] = len(features)
            for feature in features:
                buffer.write(json.dumps(self._row(level, feature, points), separators=(",", ":")) + "\n")
        with gzip.open(output, "wt", encoding="utf-8", compresslevel=9) as handle:
            handle.write(buffer.getvalue())
        self.stdout.write(self.style.SUCCESS(
            "{} provinsi, {} kab/kota, {} kecamatan, {} titik desa ditulis ke {}.".format(
                counts[1], counts[2], counts[3], sum(len(rows) for rows in points.values()), output)))

    @staticmethod
    def _row(level: int, feature: dict, points: dict) -> dict:
        properties = feature["properties"]
        polygons = geodata.polygons_of(feature["geometry"])
        scale = 1000 if level == 1 else 10000
        if level == 1:
            polygons = geodata.simplify_polygons(polygons, PROVINCE_TOLERANCE)
        row = {"c": properties["code"], "l": level, "s": scale,
               "p": [round(properties["lng"] * scale), round(properties["lat"] * scale)],
               "g": geodata.encode_polygons(polygons, scale)}
        if level == 2:
            row["k"] = geodata.encode_polygons(geodata.simplify_polygons(polygons, NATIONAL_TOLERANCE), 1000)
        if level == 3:
            row["v"] = sorted(points.get(properties["code"], []))
        return row
