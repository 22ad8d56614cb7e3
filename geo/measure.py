"""Areas and lengths in metres, never in degrees.

Areas use an Albers equal-area projection fitted to China (standard parallels 25°N and 47°N), so a
km² on screen is a km² on the ground whatever the latitude. Lengths are geodesic on the WGS84
ellipsoid, which needs no projection at all.
"""
from __future__ import annotations

import geopandas as gpd
from pyproj import CRS, Geod
from shapely.geometry.base import BaseGeometry

EQUAL_AREA_CRS = CRS.from_proj4(
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
_GEOD = Geod(ellps="WGS84")


def area_km2(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.pd.Series:
    """Area of each feature in km², computed in the equal-area projection."""
    _require_crs(frame)
    return frame.to_crs(EQUAL_AREA_CRS).area / 1e6


def geometry_area_km2(geometry: BaseGeometry) -> float:
    """Area in km² of one WGS84 geometry."""
    return float(area_km2(gpd.GeoSeries([geometry], crs=4326)).iloc[0])


def length_km(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.pd.Series:
    """Geodesic length of each feature in km (polygons: their perimeter)."""
    _require_crs(frame)
    wgs84 = frame.to_crs(4326)
    series = wgs84.geometry if isinstance(wgs84, gpd.GeoDataFrame) else wgs84
    return series.apply(lambda g: _GEOD.geometry_length(g) / 1000 if g is not None else 0.0)


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Shortest distance in metres between two WGS84 geometries (in a local transverse Mercator)."""
    centre = a.centroid
    local = CRS.from_proj4(f"+proj=tmerc +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    pair = gpd.GeoSeries([a, b], crs=4326).to_crs(local)
    return float(pair.iloc[0].distance(pair.iloc[1]))


def area_note(measured: float, official: float | None, official_source: tuple[str, str],
              why: tuple[str, str]) -> tuple[str, str]:
    """The measured area beside the official one, and why they differ (zh, en): never one without the other.
    `official_source` is where the official figure is published, (zh, en): proper names kept in both."""
    if official is None:
        return (f"实测 {measured:.2f} km²；未见官方面积。", f"measured {measured:.2f} km²; no official figure found.")
    return (f"实测 {measured:.2f} km²；官方 {official:g} km²（{official_source[0]}）。差异原因：{why[0]}",
            f"measured {measured:.2f} km²; official {official:g} km² ({official_source[1]}). Why they differ: {why[1]}")


def _require_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    if frame.crs is None:
        raise ValueError("cannot measure a layer without a CRS: declare EPSG:4326 or reproject first")
