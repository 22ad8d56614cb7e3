"""Write RFC 7946 GeoJSON: WGS84 lon/lat, at most 6 decimals (about 0.1 m), UTF-8, no CRS member."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

COORDINATE_DECIMALS = 6


def round_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    """Round coordinates to the RFC 7946 precision we promise."""
    return shapely.transform(geometry, lambda xy: np.round(xy, COORDINATE_DECIMALS))


def feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A FeatureCollection dict with rounded WGS84 coordinates and JSON-safe properties."""
    wgs84 = frame.to_crs(4326) if frame.crs is not None else frame
    features = []
    for row in wgs84.itertuples(index=False):
        record = row._asdict()
        geometry = record.pop(wgs84.geometry.name)
        properties = {key: _json_value(value) for key, value in record.items()}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": mapping(round_geometry(geometry)) if geometry is not None else None})
    return {"type": "FeatureCollection", "features": features}


def geojson_text(frame: gpd.GeoDataFrame) -> str:
    """RFC 7946 GeoJSON text, one feature per line for readable diffs."""
    collection = feature_collection(frame)
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in collection["features"]]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.write_text(geojson_text(frame), encoding="utf-8")


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
