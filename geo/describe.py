"""What do the plans say about this place? One answer for the details panel, the exports and the CLI.

`describe` joins a place to every task that names it or a place related to it, each with the reason it
is listed (`via`, the first that applies, in VIA_ORDER) and the places through which it is listed
(`via_places`): the place itself, the places inside it (geo/hierarchy.py decides which roll up), the
lines crossing it (or, for a line, the areas it crosses), the CBD spatial-structure elements it belongs
to, and what it is part of (zone-, district-, 中心城区- and city-wide tasks). Indicators come with their
monitoring flag (geo/monitoring.py). `describe_dict` is the same answer as plain JSON-ready data, the
shape `python -m layers describe ID --json` prints.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo.hierarchy import Hierarchy, hierarchy
from geo.measure import area_km2
from geo.monitoring import monitor
from geo.places import UnknownPlace, load_places, load_unplaced_lines
from geo.plan import Plan, load_manifest, load_plan

VIA_ORDER = ("direct", "inside", "crossing", "structure", "part_of")
TASK_FIELDS = ("id", "doc_id", "section_path", "title_zh", "title_en", "quote", "status", "status_doc",
               "status_evidence", "via", "via_places")
PLACE_FIELDS = ("id", "name_zh", "name_en", "layer", "area_km2", "official_km2", "part_of", "contains", "crossed_by")
# An area "spans" a street when at least this share of the street lies inside it (a fact for the panel).
SPAN_SHARE = 0.05
LINE_FACTS = ("status", "status_as_of", "stations", "note_zh", "note_en")


@dataclass
class PlaceReport:
    """What the plans say about one place: its facts, relations, tasks with reasons and indicators."""

    id: str
    name_zh: str
    name_en: str
    layer: str
    area_km2: float | None
    official_km2: float | None
    part_of: list[str] = field(default_factory=list)
    contains: list[str] = field(default_factory=list)
    crossed_by: list[str] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: list[dict] = field(default_factory=list)
    line: dict | None = None
    is_line: bool = False

    def to_dict(self) -> dict:
        """The contract's JSON shape: place, tasks (with via and via_places), indicators."""
        place = {name: getattr(self, name) for name in PLACE_FIELDS}
        tasks = [{name: _plain(row[name]) for name in TASK_FIELDS} for _index, row in self.tasks.iterrows()]
        return {"place": place, "tasks": tasks, "indicators": self.indicators}


@lru_cache(maxsize=1)
def _shipped_plan() -> Plan:
    return load_plan()


@lru_cache(maxsize=1)
def _shipped_places() -> gpd.GeoDataFrame:
    return load_places()


@lru_cache(maxsize=1)
def _doc_dates() -> dict[str, str]:
    """Each document's issue date: the date of a reported figure whose year the text does not state."""
    return load_manifest()["date_issued"].to_dict()


def describe(place_id: str, plan: Plan | None = None, places: gpd.GeoDataFrame | None = None,
             tree: Hierarchy | None = None) -> PlaceReport:
    """Everything the plans say about a place, with reasons; UnknownPlace if no layer or table defines it.

    Without arguments it reads the shipped data once per process; the app passes the tables it holds."""
    plan = plan if plan is not None else _shipped_plan()
    places = places if places is not None else _shipped_places()
    tree = tree or hierarchy()
    if place_id not in tree:
        raise UnknownPlace(f"unknown place id {place_id!r}")
    info = tree.info[place_id]
    part_of, contains = tree.part_of(place_id), tree.contains(place_id)
    crossed_by, structure = tree.crossed_by(place_id), tree.structure_of(place_id)
    related = {"direct": {place_id}, "inside": set(contains), "crossing": set(crossed_by),
               "structure": set(structure), "part_of": set(part_of)}
    return PlaceReport(
        id=place_id, name_zh=info.name_zh, name_en=info.name_en, layer=info.layer, area_km2=info.area_km2,
        official_km2=info.official_km2, part_of=part_of, contains=contains, crossed_by=crossed_by,
        structure=structure, streets=_streets_spanned(place_id, info.layer, places),
        tasks=_tasks_with_reasons(plan.tasks, related),
        indicators=monitor(plan, [place_id] + contains, _doc_dates()),  # its own and those of places inside it
        line=_line_facts(place_id, places), is_line=tree.is_line(place_id),
    )


def answer_json(report: PlaceReport) -> str:
    """The answer as the JSON text the command line prints and the details panel offers for download."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=1)


def describe_dict(place_id: str, plan: Plan | None = None) -> dict:
    """`describe` as plain data: what `python -m layers describe ID --json` prints."""
    return describe(place_id, plan).to_dict()


def _tasks_with_reasons(tasks: pd.DataFrame, related: dict[str, set[str]]) -> pd.DataFrame:
    """The tasks naming any related place, each with its first reason and the places giving it, by reason."""
    reasons, through, keep = [], [], []
    for index, cell in tasks["places"].items():
        named = [place for place in str(cell).split(";") if place]
        for via in VIA_ORDER:
            hits = [place for place in named if place in related[via]]
            if hits:
                keep.append(index)
                reasons.append(via)
                through.append(hits)
                break
    listed = tasks.loc[keep].copy()
    listed["status_evidence"] = listed.get("status_quote", pd.Series("", index=listed.index))
    listed["via"] = reasons
    listed["via_places"] = through
    rank = listed["via"].map(VIA_ORDER.index)
    return listed.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def _streets_spanned(place_id: str, layer: str, places: gpd.GeoDataFrame) -> list[str]:
    """The CBD streets an area covers at least SPAN_SHARE of (not shown for a street itself)."""
    row = places.loc[places["id"] == place_id]
    if layer == "cbd_streets" or row.empty or row.geom_type.iloc[0] not in ("Polygon", "MultiPolygon"):
        return []
    streets = places[places["layer"] == "cbd_streets"]
    shares = area_km2(streets.geometry.intersection(row.geometry.iloc[0])) / area_km2(streets.geometry)
    return streets.loc[shares >= SPAN_SHARE, "id"].tolist()


def _line_facts(place_id: str, places: gpd.GeoDataFrame) -> dict | None:
    """Status, status date, stations and note of a rail line (drawn or not)."""
    drawn = places.loc[(places["id"] == place_id) & (places["layer"] == "rail_lines")]
    unplaced = load_unplaced_lines()
    source = drawn if not drawn.empty else unplaced.loc[unplaced["id"] == place_id]
    if source.empty:
        return None
    row = source.iloc[0]
    return {key: _plain(row.get(key, "")) for key in LINE_FACTS}


def _plain(value: object) -> object:
    """JSON-ready: NaN becomes None, numpy scalars plain Python, lists stay lists."""
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def place_name(place_id: str, lang: str, tree: Hierarchy | None = None) -> str:
    """A place's name in the language asked (Chinese when no English name is kept); the id when unknown."""
    info = (tree or hierarchy()).info.get(place_id)
    if info is None:
        return place_id
    return info.name_zh if lang == "zh" else info.name_en or info.name_zh
