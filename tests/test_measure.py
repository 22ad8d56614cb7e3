"""Areas and lengths come from projections in metres, not from degrees."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from geo.measure import area_km2, distance_m, geometry_area_km2, length_km


def test_one_degree_box_area_matches_spherical_formula():
    # 1°×1° at 39.5–40.5°N: R²·Δλ·(sin φ2 − sin φ1) on the authalic sphere ≈ 9,491 km²
    assert geometry_area_km2(box(116, 39.5, 117, 40.5)) == pytest.approx(9491, rel=0.005)


def test_length_of_a_degree_of_latitude():
    frame = gpd.GeoSeries([LineString([(116.4, 39.5), (116.4, 40.5)])], crs=4326)
    assert length_km(frame).iloc[0] == pytest.approx(111.05, rel=0.002)


def test_distance_between_points_in_metres():
    # 0.001° of latitude ≈ 111 m
    assert distance_m(Point(116.4, 39.9), Point(116.4, 39.901)) == pytest.approx(111, abs=1)


def test_measuring_without_crs_is_refused():
    with pytest.raises(ValueError, match="without a CRS"):
        area_km2(gpd.GeoSeries([box(0, 0, 1, 1)]))
