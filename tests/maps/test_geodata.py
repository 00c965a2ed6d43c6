"""The bundled boundaries: simplification, the compact encoding, the build and the idempotent load."""

import gzip
import json

import pytest
from django.core.management import call_command

from maps import geodata
from maps.models import MapDataset, RegionShape
from maps.services import shapes_load


def test_simplification_keeps_corners_and_drops_points_on_a_line():
    ring = [(0, 0), (1, 0.0001), (2, 0), (2, 2), (0, 2), (0, 0)]
    assert geodata.simplify_ring(ring, 0.01) == [(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)]


def test_a_tiny_island_survives_simplification():
    island = [[[(0, 0), (0.001, 0), (0.001, 0.001), (0, 0.001), (0, 0)]]]
    assert geodata.simplify_polygons(island, 0.5)


def test_encoding_round_trips_to_the_scale():
    polygons = [[[[112.1234, -7.5678], [112.2, -7.5], [112.3, -7.6], [112.1234, -7.5678]]]]
    assert geodata.decode_polygons(geodata.encode_polygons(polygons, 10000), 10000) == polygons


def test_build_writes_a_bundle_the_loader_reads(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[112.0, -7.0], [112.5, -7.0], [112.5, -7.5], [112.0, -7.5],
                                                  [112.0, -7.0]]]}
    for name, code in (("prov", "35"), ("kab", "35.11"), ("kec", "35.11.01")):
        collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": square, "properties": {
            "code": code, "name": "X", "lat": -7.25, "lng": 112.25}}]}
        with gzip.open(tmp_path / "{}.geojson.gz".format(name), "wt") as handle:
            json.dump(collection, handle)
    with gzip.open(tmp_path / "desa_centroids.csv.gz", "wt") as handle:
        handle.write("code,name,lat,lng\n35.11.01.2001,Sucolor,-7.2,112.3\n")
    call_command("build_map_data", str(tmp_path), "--output", str(tmp_path / "out.jsonl.gz"))
    records = list(geodata.read_bundle(tmp_path / "out.jsonl.gz"))
    assert [(record.code, record.level) for record in records] == [("35", 1), ("35.11", 2), ("35.11.01", 3)]
    assert records[1].coarse is not None
    assert records[2].points == [("2001", 112.3, -7.2)]
    assert records[2].geometry["coordinates"][0][0][0] == [112.0, -7.0]


def test_the_bundle_holds_every_province_and_kab_kota():
    levels = {1: 0, 2: 0, 3: 0}
    with gzip.open(geodata.BUNDLE_PATH, "rt") as handle:
        for line in handle:
            levels[json.loads(line)["l"]] += 1
    assert levels == {1: 38, 2: 514, 3: 7284}


@pytest.mark.django_db
def test_loading_twice_changes_nothing_the_second_time(capsys):
    call_command("load_map_data")
    first = capsys.readouterr().out
    assert "7836 wilayah" in first
    assert "83233 titik desa" in first
    assert RegionShape.objects.filter(level=2).count() == 514
    sucolor = next(point for point in RegionShape.objects.get(code="35.11.01").village_points
                   if point[0] == "35.11.01.2001")
    assert 113.7 < sucolor[1] < 113.9
    assert -8.1 < sucolor[2] < -7.9
    call_command("load_map_data")
    assert "tidak ada perubahan" in capsys.readouterr().out
    RegionShape.objects.filter(code="35").delete()  # a partial table is loaded again
    assert not shapes_load().unchanged
    assert RegionShape.objects.filter(code="35").exists()
    assert MapDataset.objects.get().regions == 7836


@pytest.mark.django_db
def test_a_partial_load_is_not_remembered_as_the_whole_bundle():
    result = shapes_load(only=("35",))
    assert RegionShape.objects.exclude(code__startswith="35").count() == 0
    assert result.regions == RegionShape.objects.count()
    assert not MapDataset.objects.exists()
    assert RegionShape.objects.get(code="35").geometry.startswith('{"type":"MultiPolygon"')
