"""What keeps a layer file from being read, said where GDAL would not: the line and column of broken JSON,
the feature with an open ring, the parts a shapefile lacks. One wording for the upload (geo/readers.py) and
the validator (geo/validate.py), which reads every layer through the upload's reader.
"""
from __future__ import annotations

import json
from typing import Any

from geo.notes import Note


def feature_label(feature: Any, number: int) -> Note:
    """A GeoJSON feature as a planner finds it again: by its id, else by its place in the file (1-based)."""
    identifier = ((feature.get("properties") or {}).get("id") if isinstance(feature, dict) else None)
    if identifier not in (None, ""):
        return Note(f"要素 {identifier!r}", f"feature {identifier!r}")
    return Note(f"第 {number} 个要素", f"feature #{number}")


def unclosed_rings(geometry: dict[str, Any]) -> list[int]:
    """Numbers (1-based, across parts) of polygon rings whose first and last points differ."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    rings = [ring for polygon in polygons for ring in polygon]
    return [number for number, ring in enumerate(rings, start=1) if len(ring) >= 2 and ring[0] != ring[-1]]


def json_syntax_note(error: json.JSONDecodeError) -> Note:
    return Note(f"JSON 格式错误，第 {error.lineno} 行第 {error.colno} 列（{error.msg}）",
                f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}")


def unclosed_ring_note(ring: int) -> Note:
    return Note(f"面的第 {ring} 个环未闭合（末点与起点不同）",
                f"polygon ring {ring} is not closed (its last point differs from its first)")


def missing_parts_note(missing: list[str]) -> Note:
    return Note(f"缺少 {'、'.join(missing)}（Shapefile 需要 .shp、.shx、.dbf 和 .prj 一起：请全部打包）",
                f"missing {', '.join(missing)} (a shapefile needs .shp, .shx, .dbf and .prj together; "
                "zip all of them)")


def geojson_problem(data: bytes) -> tuple[Note, Note | None] | None:
    """The first thing that keeps a GeoJSON from being read, as the validator finds it, and where (the feature,
    when it is one): for a reader whose own error (GDAL's) names neither line nor feature."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None
    except json.JSONDecodeError as error:
        return json_syntax_note(error), None
    features = document.get("features") if isinstance(document, dict) else None
    for number, feature in enumerate(features if isinstance(features, list) else [], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        rings = unclosed_rings(geometry) if isinstance(geometry, dict) else []
        if rings:
            return unclosed_ring_note(rings[0]), feature_label(feature, number)
    return None
