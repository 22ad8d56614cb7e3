"""Load a curated layer and refuse it, with a message naming the file and the feature, when it is wrong.

A planner who drops a broken file into data/ must learn what is broken and where, not meet a blank map.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyproj import CRS
from shapely.validation import explain_validity

PROVENANCE_FIELDS = ("id", "name_zh", "name_en", "source", "method", "accuracy_m")
WGS84 = CRS.from_epsg(4326)
# RFC 7946 coordinates are lon/lat: anything outside this box is a swapped axis or a projected file.
_LON_RANGE = (-180.0, 180.0)
_LAT_RANGE = (-90.0, 90.0)


class LayerError(ValueError):
    """A layer file that cannot be used as it is; the message names the file and the feature."""


def read_layer(path: Path, required: tuple[str, ...] = PROVENANCE_FIELDS) -> gpd.GeoDataFrame:
    """Read a GeoJSON layer and validate schema, CRS, geometry and ids."""
    path = Path(path)
    if not path.exists():
        raise LayerError(f"{path}: file not found")
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as error:  # pyogrio raises several GDAL error types for unreadable files
        if path.suffix.lower() in (".geojson", ".json"):
            _explain_unreadable_json(path)
        raise LayerError(f"{path}: not a readable vector file ({error})") from error
    validate_layer(frame, str(path), required)
    return frame


def validate_layer(frame: gpd.GeoDataFrame, label: str, required: tuple[str, ...] = PROVENANCE_FIELDS) -> None:
    """Raise LayerError for the first problem found: missing fields, wrong CRS, bad geometry, duplicate ids."""
    missing = [field for field in required if field not in frame.columns]
    if missing:
        raise LayerError(f"{label}: missing properties {', '.join(missing)}")
    if frame.crs is None or not CRS.from_user_input(frame.crs).equals(WGS84, ignore_axis_order=True):
        raise LayerError(f"{label}: CRS is {frame.crs}, expected EPSG:4326 (WGS84 lon/lat, RFC 7946)")
    ids = frame["id"] if "id" in frame.columns else frame.index.to_series()
    geometry = frame.geometry
    empty = geometry.isna() | geometry.is_empty
    if empty.any():
        raise LayerError(f"{_where(label, ids, empty)}: empty geometry")
    invalid = ~geometry.is_valid
    if invalid.any():
        first = invalid.idxmax()
        raise LayerError(f"{_where(label, ids, invalid)}: invalid geometry ({explain_validity(geometry[first])})")
    bounds = geometry.bounds
    outside = ((bounds["minx"] < _LON_RANGE[0]) | (bounds["maxx"] > _LON_RANGE[1])
               | (bounds["miny"] < _LAT_RANGE[0]) | (bounds["maxy"] > _LAT_RANGE[1]))
    if outside.any():
        raise LayerError(f"{_where(label, ids, outside)}: coordinates outside lon/lat range — projected data or swapped axes?")
    for field in required:
        blank = frame[field].isna() | (frame[field].astype(str) == "")
        if blank.any():
            raise LayerError(f"{_where(label, ids, blank)}: property {field!r} is empty")
    if "id" in frame.columns:
        duplicated = frame["id"][frame["id"].duplicated()].unique().tolist()
        if duplicated:
            raise LayerError(f"{label}: duplicate ids {', '.join(map(str, duplicated))}")


def _where(label: str, ids, mask) -> str:
    """'file: feature <id>' for the first feature the mask flags."""
    return f"{label}: feature {ids[mask.idxmax()]!r}"


def _explain_unreadable_json(path: Path) -> None:
    """Say where a GeoJSON file that GDAL refused is broken (encoding, syntax or shape), when JSON can tell."""
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise LayerError(f"{path}: not UTF-8 text ({error})") from error
    except json.JSONDecodeError as error:
        raise LayerError(f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
    if not isinstance(head, dict) or head.get("type") not in ("FeatureCollection", "Feature"):
        raise LayerError(f"{path}: expected a GeoJSON FeatureCollection")
