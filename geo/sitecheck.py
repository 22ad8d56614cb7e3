"""Site check (审查, GB/T 39972): what do the plans say about a planner's own site?

For each feature of a planner's layer: the areas it lies in or crosses (streets, 核心区, CBD core and zone,
the sub-centre and its places, districts) with the share of the site inside each, the rail lines and
stations and the sub-centre's point places within `near_m` metres, and the tasks and indicators that apply
there. Tasks come from geo/describe.py — the one answer — for each place the site touches: those naming the
place itself, the CBD spatial-structure element it belongs to, or what it is part of. Tasks naming places
*inside* a touched area are not the site's unless the site touches them too, so they are not taken over.

Each task says why it applies to the site (`via`, the first that applies in SITE_VIA_ORDER):
"in" (names an area the site lies in), "crosses" (an area the site lies partly in), "near" (a line, station
or point place within near_m), "structure" (a spatial-structure element of a place the site touches),
"part_of" (what those places are part of: zone-, district-, 中心城区- or city-wide).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geo.describe import PlaceReport, describe
from geo.hierarchy import CONTAIN_SHARE, Hierarchy, hierarchy
from geo.plan import Plan
from geo.repair import report_table
from geo.userlayer import UserLayer

SITE_VIA_ORDER = ("in", "crosses", "near", "structure", "part_of")
DESCRIBE_TO_SITE = {"structure": "structure", "part_of": "part_of"}
AREA_LAYERS = ("cbd_core", "cbd_streets", "cbd_zone", "subcentre", "subcentre_places", "context")
NEAR_LAYERS = ("rail_lines", "rail_stations", "subcentre_places")
NEAR_M = 500.0
LOCAL_METRIC = "EPSG:32650"  # UTM 50N: metres true to < 0.1 % across Beijing
MIN_SHARE = 0.001  # less than this share of the site across a boundary is drawing noise, not a crossing
TASK_FIELDS = ("id", "doc_id", "section_path", "title_zh", "title_en", "quote", "status", "status_doc", "via",
               "via_places")


@dataclass
class SiteResult:
    """One feature's check: its attributes, the places it touches and the tasks and indicators that apply."""

    row: int
    attributes: dict
    geometry_type: str
    size: dict
    places: list[dict] = field(default_factory=list)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: list[dict] = field(default_factory=list)

    @property
    def place_ids(self) -> list[str]:
        return [place["id"] for place in self.places]

    def to_dict(self) -> dict:
        tasks = [{name: _plain(row[name]) for name in TASK_FIELDS} for _i, row in self.tasks.iterrows()]
        return {"row": self.row, "attributes": self.attributes, "geometry_type": self.geometry_type,
                "size": self.size, "place_ids": self.place_ids, "places": self.places, "tasks": tasks,
                "indicators": self.indicators}


def site_places(geometry: shapely.Geometry, places: gpd.GeoDataFrame, near_m: float = NEAR_M) -> list[dict]:
    """The areas the site lies in ('in', ≥ 95 % of it) or crosses, then what lies within near_m, smallest first."""
    site = gpd.GeoSeries([geometry], crs=4326).to_crs(LOCAL_METRIC).iloc[0]
    measure = _measure(site)
    found = []
    areas = places[places["layer"].isin(AREA_LAYERS) & places.geom_type.isin(["Polygon", "MultiPolygon"])]
    areas = areas[(areas["layer"] != "context") | (areas.get("kind", "") == "district")]
    candidates = areas[areas.intersects(geometry)]
    metric = candidates.to_crs(LOCAL_METRIC)
    for index, row in candidates.iterrows():
        share = 1.0 if measure(site) == 0 else measure(site.intersection(metric.geometry[index])) / measure(site)
        if share >= MIN_SHARE:
            found.append(_entry(row, "in" if share >= CONTAIN_SHARE else "crosses", share=round(share, 3),
                                size=float(metric.geometry[index].area)))
    near = places[places["layer"].isin(NEAR_LAYERS) & ~places.geom_type.isin(["Polygon", "MultiPolygon"])]
    near = near[near.intersects(geometry.buffer(near_m / 80_000))]  # a cheap pre-filter, generous in degrees
    distances = near.to_crs(LOCAL_METRIC).distance(site)
    for index, row in near.iterrows():
        if distances[index] <= near_m:
            found.append(_entry(row, "near", distance_m=round(float(distances[index]))))
    found.sort(key=lambda place: (SITE_VIA_ORDER.index(place["relation"]), place.get("size", 0),
                                  place.get("distance_m", 0), place["id"]))
    for place in found:
        place.pop("size", None)
    return found


def check_site(geometry: shapely.Geometry, places: gpd.GeoDataFrame, plan: Plan | None = None,
               tree: Hierarchy | None = None, near_m: float = NEAR_M, row: int = 1,
               attributes: dict | None = None, answers: dict[str, PlaceReport] | None = None) -> SiteResult:
    """Everything the plans say about one site (a WGS84 geometry); `answers` keeps describe's answers between
    sites of one layer (neighbouring parcels touch the same places)."""
    tree = tree or hierarchy()
    answers = answers if answers is not None else {}
    touched = [place for place in site_places(geometry, places, near_m) if place["id"] in tree]
    relation = {place["id"]: place["relation"] for place in touched}
    reports = {place_id: _answer(place_id, answers, plan, places, tree) for place_id in relation}
    containers = {p for report in reports.values() for p in report.part_of if p not in relation}
    best: dict[str, tuple[int, pd.Series, set[str]]] = {}
    for place_id, report in reports.items():
        for _index, task in report.tasks.iterrows():
            via = relation[place_id] if task["via"] == "direct" else DESCRIBE_TO_SITE.get(task["via"])
            if via is None:
                continue
            rank = SITE_VIA_ORDER.index(via)
            through = set(task["via_places"])
            if task["id"] not in best or rank < best[task["id"]][0]:
                best[task["id"]] = (rank, task, through)
            elif rank == best[task["id"]][0]:
                best[task["id"]][2].update(through)
    rows = [task.drop(["via", "via_places"]).to_dict() | {"via": SITE_VIA_ORDER[rank], "via_places": sorted(through)}
            for rank, task, through in best.values()]
    tasks = pd.DataFrame(rows, columns=list(dict.fromkeys(list(TASK_FIELDS) + (list(rows[0]) if rows else []))))
    if not tasks.empty:
        # Within a reason, the tasks of the smallest place first: 核心区 before the core before the zone.
        order = {place["id"]: position for position, place in enumerate(touched)}
        specific = tasks["via_places"].map(lambda ids: min(order.get(p, len(order)) for p in ids))
        tasks = tasks.assign(_rank=tasks["via"].map(SITE_VIA_ORDER.index), _specific=specific).sort_values(
            ["_rank", "_specific", "doc_id", "id"], kind="stable").drop(columns=["_rank", "_specific"]).reset_index(
            drop=True)
    indicator_places = [p for p in relation if relation[p] != "near"] + sorted(containers)
    indicators = _indicators(indicator_places, answers, plan, places, tree)
    metric = gpd.GeoSeries([geometry], crs=4326).to_crs(LOCAL_METRIC).iloc[0]
    return SiteResult(row=row, attributes=attributes or {}, geometry_type=geometry.geom_type,
                      size=_size(metric), places=touched, tasks=tasks, indicators=indicators)


def check_layer(frame: gpd.GeoDataFrame, places: gpd.GeoDataFrame, plan: Plan | None = None,
                near_m: float = NEAR_M) -> list[SiteResult]:
    """check_site for every feature of a WGS84 layer, with its attributes as plain values."""
    tree = hierarchy()
    answers: dict[str, PlaceReport] = {}
    attributes = frame.drop(columns=frame.geometry.name)
    return [check_site(geometry, places, plan, tree, near_m, row=position + 1,
                       attributes={k: _plain(v) for k, v in attributes.iloc[position].items()}, answers=answers)
            for position, geometry in enumerate(frame.geometry)]


def _answer(place_id: str, answers: dict[str, PlaceReport], plan: Plan | None, places: gpd.GeoDataFrame,
            tree: Hierarchy) -> PlaceReport:
    if place_id not in answers:
        answers[place_id] = _shipped_answer(place_id) if plan is None else describe(place_id, plan, places, tree)
    return answers[place_id]


@lru_cache(maxsize=512)
def _shipped_answer(place_id: str) -> PlaceReport:
    """describe() on the shipped data, once per place per process: batches and app reruns reuse it."""
    return describe(place_id)


def _indicators(place_ids: list[str], answers: dict[str, PlaceReport], plan: Plan | None,
                places: gpd.GeoDataFrame, tree: Hierarchy) -> list[dict]:
    """The indicators set for the areas the site touches and what they are part of (not for places inside them)."""
    records, seen = [], set()
    for place_id in place_ids:
        report = _answer(place_id, answers, plan, places, tree)
        for record in report.indicators:
            key = (record["id"], record["place"])
            if record["place"] == place_id and key not in seen:
                seen.add(key)
                records.append(record)
    return records


def _entry(row: pd.Series, relation: str, **extra) -> dict:
    return {"id": row["id"], "name_zh": row["name_zh"], "name_en": _plain(row.get("name_en")),
            "layer": row["layer"], "relation": relation, **extra}


def _measure(site: shapely.Geometry):
    """Area for polygons, length for lines, a count for points: the share of the site inside an area."""
    if site.geom_type in ("Polygon", "MultiPolygon"):
        return lambda g: g.area
    if site.geom_type in ("LineString", "MultiLineString"):
        return lambda g: g.length
    return lambda g: 0.0 if g.is_empty else 1.0


def _size(metric: shapely.Geometry) -> dict:
    if metric.geom_type in ("Polygon", "MultiPolygon"):
        return {"area_m2": round(metric.area), "perimeter_m": round(metric.length)}
    if metric.geom_type in ("LineString", "MultiLineString"):
        return {"length_m": round(metric.length)}
    return {}


def _plain(value: object) -> object:
    if isinstance(value, (list, dict)):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def site_check_dict(user: UserLayer, results: list[SiteResult], near_m: float) -> dict:
    """The check of a whole file as JSON-ready data: the file, its system, the repair report, one entry per site."""
    return {"file": user.name, "format": user.source.format, "layer": user.source.layer, "crs": user.crs,
            "crs_source": user.decision.source, "notes": [note.en for note in user.source.notes + user.decision.notes],
            "near_m": near_m, "repair_report": report_table(user.report).to_dict(orient="records"),
            "features": [result.to_dict() for result in results]}
