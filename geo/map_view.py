"""The area the planner's map shows, as a report map's frame: (west, south, east, north) in WGS84 degrees.

The map reports its bounds after each pan or zoom; those are exact. Before it has reported (a link just
opened, Back/Forward just moved it) only the centre and zoom are known, and the area is worked out from
them for a map of the app's usual size. On AMap tiles the map's coordinates are GCJ-02 and are moved back
to WGS84 here, as every layer is drawn from WGS84.
"""
from __future__ import annotations

import math
from typing import Any

import eviltransform

TILE_PX = 256
# The app's map: 640 px high (app.py) in a column some 900 px wide on a laptop screen.
NOMINAL_MAP_PX = (900, 640)
# Reported bounds belong to the view when their centre is this close to the view's (as a share of their span).
SAME_CENTRE_SHARE = 0.05

BBox = tuple[float, float, float, float]


def view_bbox(view: tuple[float, float, int], reported: dict[str, Any] | None = None, datum: str = "wgs84",
              map_px: tuple[int, int] = NOMINAL_MAP_PX) -> BBox:
    """The area shown: the map's reported bounds when they belong to this view, else the centre and zoom's area
    for a map of `map_px` pixels; in WGS84 whatever the map's datum."""
    bbox = _reported_bbox(reported)
    if bbox is None or not _same_centre(bbox, view):
        bbox = zoom_bbox(view, map_px)
    return to_wgs84(bbox) if datum == "gcj02" else bbox


def zoom_bbox(view: tuple[float, float, int], map_px: tuple[int, int]) -> BBox:
    """The area a Web Mercator map of `map_px` pixels shows at this centre and zoom (as Leaflet computes it)."""
    lat, lng, zoom = view
    world_px = TILE_PX * 2 ** zoom
    x = (lng + 180) / 360 * world_px
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * world_px
    half_w, half_h = map_px[0] / 2, map_px[1] / 2
    west = (x - half_w) / world_px * 360 - 180
    east = (x + half_w) / world_px * 360 - 180
    north = _latitude(y - half_h, world_px)
    south = _latitude(y + half_h, world_px)
    return west, south, east, north


def to_wgs84(bbox: BBox) -> BBox:
    """A GCJ-02 area's corners moved back to WGS84 (about 550 m south-west in Beijing)."""
    west, south, east, north = bbox
    south_w, west_w = eviltransform.gcj2wgs_exact(south, west)
    north_w, east_w = eviltransform.gcj2wgs_exact(north, east)
    return west_w, south_w, east_w, north_w


def _latitude(y: float, world_px: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / world_px))))


def _reported_bbox(reported: dict[str, Any] | None) -> BBox | None:
    """Leaflet's bounds as st_folium returns them ({"_southWest": {lat, lng}, "_northEast": {…}}), if whole."""
    try:
        south_west, north_east = reported["_southWest"], reported["_northEast"]
        bbox = (float(south_west["lng"]), float(south_west["lat"]), float(north_east["lng"]), float(north_east["lat"]))
    except (KeyError, TypeError, ValueError):
        return None
    west, south, east, north = bbox
    return bbox if west < east and south < north else None


def _same_centre(bbox: BBox, view: tuple[float, float, int]) -> bool:
    west, south, east, north = bbox
    lat, lng, _zoom = view
    return (abs((west + east) / 2 - lng) <= SAME_CENTRE_SHARE * (east - west)
            and abs((south + north) / 2 - lat) <= SAME_CENTRE_SHARE * (north - south))
