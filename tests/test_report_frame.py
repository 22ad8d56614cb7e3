"""Framing a report map on an area (the app's "current map view", `render --bbox`): the page shows the whole area
at the page's aspect, every layer is cut at the frame's edge and nothing inside it is lost."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest
from pyproj import Transformer
from shapely.geometry import box

from geo.map_view import NOMINAL_MAP_PX, to_wgs84, view_bbox, zoom_bbox
from geo.paths import ROOT
from layers.catalog import layer_frame, load_catalog
from layers.static_map import MAP_CRS, RenderError, compose_map

FAST_DPI = 80
AREA = (116.43, 39.895, 116.49, 39.935)  # west, south, east, north: the CBD around 国贸
TO_MERCATOR = Transformer.from_crs(4326, MAP_CRS, always_xy=True)


@pytest.fixture(scope="module")
def area_page():
    return compose_map(bbox=AREA, orientation="portrait", dpi=FAST_DPI)


def mercator_box(bbox):
    (x0, x1), (y0, y1) = TO_MERCATOR.transform([bbox[0], bbox[2]], [bbox[1], bbox[3]])
    return box(x0, y0, x1, y1)


def test_the_page_frames_the_whole_area_at_its_aspect(area_page):
    plan, ax = area_page.panel.plan, area_page.panel.ax
    extent = box(*plan.extent)
    asked = mercator_box(AREA)
    assert extent.buffer(1e-6).contains(asked)
    assert [*ax.get_xlim(), *ax.get_ylim()] == pytest.approx([plan.extent[0], plan.extent[2], plan.extent[1],
                                                              plan.extent[3]])
    position = ax.get_position()
    page_w, page_h = area_page.figure.get_size_inches()
    box_aspect = position.width * page_w / (position.height * page_h)
    assert (plan.extent[2] - plan.extent[0]) / (plan.extent[3] - plan.extent[1]) == pytest.approx(box_aspect)
    # Widened along one axis only: the other spans the area exactly.
    assert math.isclose(extent.bounds[0], asked.bounds[0]) or math.isclose(extent.bounds[1], asked.bounds[1])
    assert extent.centroid.distance(asked.centroid) < 1


def test_layers_are_cut_at_the_frame_and_kept_whole_inside_it(area_page):
    plan = area_page.panel.plan
    extent = box(*plan.extent)
    assert {"cbd_streets", "rail_operating", "cbd_core"} <= {spec.id for spec in plan.visible}
    for spec in plan.drawn:
        clipped = plan.frames[spec.id]
        assert clipped.geometry.within(extent.buffer(1)).all(), spec.id
        full = layer_frame(spec).to_crs(MAP_CRS)
        inside = full.geometry.intersection(extent)
        if (full.geom_type.str.contains("Polygon")).all():
            assert clipped.area.sum() == pytest.approx(inside.area.sum(), rel=1e-6), spec.id
        elif (full.geom_type.str.contains("LineString")).all():
            assert clipped.length.sum() == pytest.approx(inside.length.sum(), rel=1e-6), spec.id


def test_without_layers_an_area_shows_the_default_layers_and_a_title(area_page):
    catalog = load_catalog()
    chosen = {spec.id for spec in area_page.panel.plan.chosen}
    drawn = {spec.id for spec in area_page.panel.plan.drawn}
    assert set(catalog.default_visible()) <= drawn
    assert {spec.id for spec in catalog.layers.values() if spec.visible and spec.group != "context"} <= chosen
    assert "rail_stations" in chosen  # 1:25 000 or so: stations are drawn at this scale
    assert "城市副中心" not in area_page.title  # not in the frame, so not in the title
    assert "CBD" in area_page.title


def test_a_bad_area_or_two_frames_are_refused():
    with pytest.raises(RenderError, match="west,south,east,north"):
        compose_map(bbox=(116.5, 39.9, 116.4, 39.95), dpi=FAST_DPI)
    with pytest.raises(RenderError, match="not both"):
        compose_map(focus="cbd_core", bbox=AREA, dpi=FAST_DPI)


def test_the_cli_frames_on_an_area(tmp_path):
    target = tmp_path / "area.png"
    result = subprocess.run([sys.executable, "-m", "layers", "render", "--bbox", ",".join(map(str, AREA)),
                             "--dpi", "60", "-o", str(target)], cwd=ROOT, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
    refused = subprocess.run([sys.executable, "-m", "layers", "render", "--bbox", "116.5,39.9,116.4",
                              "-o", str(tmp_path / "bad.png")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "west,south,east,north" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_area_of_a_view_from_its_centre_and_zoom():
    west, south, east, north = zoom_bbox((39.91, 116.46, 14), NOMINAL_MAP_PX)
    assert east - west == pytest.approx(NOMINAL_MAP_PX[0] * 360 / (256 * 2 ** 14))
    assert (west + east) / 2 == pytest.approx(116.46)
    # Web Mercator: the y span in projected metres is the map's height in pixels at the zoom's resolution.
    (_, _), (y0, y1) = TO_MERCATOR.transform([west, east], [south, north])
    metres_per_px = 2 * math.pi * 6378137 / (256 * 2 ** 14)
    assert y1 - y0 == pytest.approx(NOMINAL_MAP_PX[1] * metres_per_px, rel=1e-9)


def test_the_map_reported_bounds_win_when_they_belong_to_the_view():
    view = (39.91, 116.46, 14)
    reported = {"_southWest": {"lat": 39.89, "lng": 116.41}, "_northEast": {"lat": 39.93, "lng": 116.51}}
    assert view_bbox(view, reported) == (116.41, 39.89, 116.51, 39.93)
    elsewhere = {"_southWest": {"lat": 40.0, "lng": 116.6}, "_northEast": {"lat": 40.04, "lng": 116.7}}
    assert view_bbox(view, elsewhere) == zoom_bbox(view, NOMINAL_MAP_PX)  # stale bounds of an earlier view
    assert view_bbox(view, {"_southWest": {"lat": None, "lng": None}}) == zoom_bbox(view, NOMINAL_MAP_PX)


def test_a_view_on_amap_tiles_is_moved_back_to_wgs84():
    view = (39.91, 116.46, 14)
    gcj = zoom_bbox(view, NOMINAL_MAP_PX)
    wgs = view_bbox(view, None, datum="gcj02")
    assert wgs == to_wgs84(gcj)
    # In Beijing GCJ-02 lies some 100-700 m north-east of WGS84: the WGS84 frame is south-west of the map's numbers.
    assert 0.001 < gcj[0] - wgs[0] < 0.01 and 0.0005 < gcj[1] - wgs[1] < 0.01


def test_a_theme_on_an_area_colours_the_areas_that_cover_it():
    from layers.static_map import bbox_extent, default_theme_layer

    catalog = load_catalog()
    assert default_theme_layer(None, bbox_extent(AREA, 1.4), catalog) == "cbd_streets"
    tongzhou = (116.68, 39.88, 116.76, 39.93)  # the sub-centre's administrative office area
    assert default_theme_layer(None, bbox_extent(tongzhou, 1.4), catalog) == "subcentre_places"
