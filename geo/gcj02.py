"""WGS84 → GCJ-02 for display on AMap (高德) tiles only.

AMap draws its tiles in GCJ-02, about 550 m north-east of WGS84 in Beijing; our data stays WGS84 and is
shifted only when it is drawn on those tiles. The published polynomial comes from eviltransform.
"""
from __future__ import annotations

import eviltransform
import geopandas as gpd
import numpy as np
import shapely


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    lat_gcj, lon_gcj = eviltransform.wgs2gcj(lat, lon)
    return lon_gcj, lat_gcj


def shift_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    def shift(coords: np.ndarray) -> np.ndarray:
        return np.array([wgs84_to_gcj02(x, y) for x, y in coords]).reshape(coords.shape)

    return shapely.transform(geometry, shift)


def shift_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of the frame with every coordinate moved to GCJ-02 (CRS label kept: Leaflet treats it as lon/lat)."""
    shifted = frame.copy()
    shifted.geometry = frame.geometry.apply(shift_geometry)
    return shifted
