"""How far a drawn boundary lies from independent evidence of where it runs, in metres.

Two kinds of evidence are public for the CBD's streets: points known to lie on a road that bounds a street
(a metro station under that road) and published bounding boxes (经纬度四至). The curation build turns these
measurements into each street's claimed accuracy, and the tests check the claim still holds, so the
figure a planner reads is one that was measured, never typed.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.measure import distance_m

# Claimed accuracy is the worst measured deviation rounded up to this step: no false precision.
ACCURACY_STEP_M = 50


@dataclass(frozen=True)
class Check:
    """One piece of evidence for one street: a point on a bounding road, or a published bounding box."""

    street_id: str
    kind: str  # "edge_point" or "bbox"
    what: str
    values: tuple[float, ...]  # lon, lat for edge_point; west, south, east, north for bbox
    source: str


def read_checks(path: Path) -> list[Check]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Check(row["street_id"], row["kind"], row["what"], tuple(map(float, row["values"].split())),
                      row["source"]) for row in csv.DictReader(handle)]


def deviation_m(check: Check, geometry: BaseGeometry) -> float:
    """Metres between the evidence and the drawn street: to its boundary, or the worst side of its box."""
    if check.kind == "edge_point":
        return distance_m(Point(check.values), geometry.boundary)
    if check.kind == "bbox":
        return bbox_deviation_m(check.values, geometry.bounds)
    raise ValueError(f"unknown evidence kind {check.kind!r} for {check.street_id}")


def bbox_deviation_m(published: tuple[float, ...], drawn: tuple[float, ...]) -> float:
    """The largest gap between a published and a drawn side of a bounding box (west, south, east, north)."""
    lat = math.radians((published[1] + published[3]) / 2)
    metres_per_degree_lat = 111_132.0
    metres_per_degree_lon = 111_320.0 * math.cos(lat)
    west, south, east, north = (abs(p - d) for p, d in zip(published, drawn))
    return max(west * metres_per_degree_lon, east * metres_per_degree_lon,
               south * metres_per_degree_lat, north * metres_per_degree_lat)


def claimed_accuracy_m(deviations: list[float]) -> int:
    """The worst deviation, rounded up to the accuracy step."""
    return int(math.ceil(max(deviations) / ACCURACY_STEP_M) * ACCURACY_STEP_M)
