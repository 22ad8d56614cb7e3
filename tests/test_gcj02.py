"""The display shift to GCJ-02 against published reference points."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.gcj02 import shift_frame, wgs84_to_gcj02
from geo.measure import distance_m


def test_eviltransform_reference_vector():
    # eviltransform's own Beijing test vector: WGS84 (39.911954, 116.377817) → GCJ-02 (39.913345, 116.384047)
    lon, lat = wgs84_to_gcj02(116.377817, 39.911954)
    assert (lon, lat) == pytest.approx((116.384047, 39.913345), abs=2e-6)


def test_guomao_station_moves_about_550_m_north_east():
    lon, lat = wgs84_to_gcj02(116.45565, 39.90702)
    assert lon > 116.45565 and lat > 39.90702
    assert distance_m(Point(116.45565, 39.90702), Point(lon, lat)) == pytest.approx(550, abs=60)


def test_shift_frame_moves_every_vertex_and_keeps_shape():
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(116.44, 39.90, 116.49, 39.92)], crs=4326)
    shifted = shift_frame(frame)
    assert shifted.geometry.iloc[0].area == pytest.approx(frame.geometry.iloc[0].area, rel=1e-2)
    assert not shifted.geometry.iloc[0].equals(frame.geometry.iloc[0])
    assert frame.geometry.iloc[0].bounds[0] == 116.44  # the original is untouched
