"""The server-drawn map: projection, path data and what the SVG shows inside and outside the user's area."""

import pytest

from maps import svg
from maps.selectors import checked_region, map_view


def test_the_frame_keeps_the_aspect_and_fits_the_width():
    frame = svg.frame_for((95.0, -11.0, 141.0, 6.0), width=1000, max_height=800, margin=0)
    assert frame.width == pytest.approx(1000, abs=0.5)
    assert 300 < frame.height < 400  # Indonesia is about 2.7 times wider than tall
    x, y = frame.point(95.0, 6.0)
    assert (round(x), round(y)) == (0, 0)


def test_path_data_drops_points_on_the_same_unit():
    frame = svg.frame_for((0.0, 0.0, 1.0, 1.0), width=100, max_height=100, margin=0)
    geometry = {"type": "Polygon", "coordinates": [[[0, 0], [0.001, 0.001], [1, 0], [1, 1], [0, 0]]]}
    assert svg.path_data(geometry, frame).count(" ") == 4  # the near-duplicate second point is gone


@pytest.mark.django_db
def test_outside_regions_are_hatched_without_title_or_link(map_data):
    user = map_data["regency"]
    drawing = str(svg.render(map_view(user=user, region_code=checked_region(user, "35"), measure_key="submitted")))
    assert drawing.count('fill="url(#sidbs-map-outside)"') == 37
    assert drawing.count("<a href=") == 1
    assert "KAB. BONDOWOSO: 5" in drawing
    assert "SITUBONDO" not in drawing
    printed = str(svg.render(map_view(user=user, region_code="35", measure_key="submitted"), links=False))
    assert "<a " not in printed
    assert "<title>" not in printed
