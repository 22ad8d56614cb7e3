"""Adjacent areas built from one set of shared edges, so neighbours can neither overlap nor leave a gap.

Every boundary is drawn once as a line (the reference outlines' edges plus the edges that evidence moved),
the lines are noded and polygonised into faces, and each face is given to one area. Two neighbours then
share the very same edge, and moving an edge moves both of them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

# Faces covered by a reference outline for less than this share are outside every area (gaps at the rim).
MIN_COVER_SHARE = 0.5


def faces(outlines: Iterable[BaseGeometry], extra_edges: Iterable[LineString] = ()) -> list[BaseGeometry]:
    """Polygonise the outlines' boundaries together with extra edges into non-overlapping faces."""
    lines = [outline.boundary for outline in outlines] + list(extra_edges)
    noded = shapely.union_all(lines)
    return list(shapely.polygonize(shapely.get_parts(noded)).geoms)


def assign_faces(face_list: list[BaseGeometry], outlines: Mapping[str, BaseGeometry],
                 overrides: Mapping[str, Iterable[Point]] | None = None) -> dict[str, BaseGeometry]:
    """Give each face to the outline that covers most of it, unless an override point in it names another area.

    A face that no outline covers for at least MIN_COVER_SHARE lies outside every area and is dropped, so the
    result covers exactly what the outlines (as amended by the extra edges) cover.
    """
    pinned: dict[int, str] = {}
    for area_id, points in (overrides or {}).items():
        for point in points:
            for index, face in enumerate(face_list):
                if face.contains(point):
                    pinned[index] = area_id
    parts: dict[str, list[BaseGeometry]] = {area_id: [] for area_id in outlines}
    for area_id in (overrides or {}):
        parts.setdefault(area_id, [])
    for index, face in enumerate(face_list):
        if index in pinned:
            parts[pinned[index]].append(face)
            continue
        covers = {area_id: face.intersection(outline).area for area_id, outline in outlines.items()}
        best = max(covers, key=covers.get)
        if covers[best] >= MIN_COVER_SHARE * face.area:
            parts[best].append(face)
    return {area_id: shapely.union_all(pieces) for area_id, pieces in parts.items() if pieces}


def overlap_and_gap(areas: Iterable[BaseGeometry]) -> tuple[float, float]:
    """Total pairwise overlap and the area of holes inside the union (both in the geometries' units)."""
    area_list = list(areas)
    overlap = sum(a.intersection(b).area for i, a in enumerate(area_list) for b in area_list[i + 1:])
    union = shapely.union_all(area_list)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    return overlap, sum(hole.area for hole in holes)
