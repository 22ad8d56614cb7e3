"""Every named place the plans can point at, and what the plans say about each one.

Places come from the curated layers, the gazetteer, the planned lines that have no published
alignment, and the city itself. `describe` answers the planner's question "what does the plan say
about this place?" by joining direct mentions, the spatial-structure elements a street belongs to,
and the task places that lie inside an area.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.load import read_layer
from geo.measure import area_km2
from geo.paths import DATA_DIR
from geo.plan import Plan, load_gazetteer
from geo.zone import dissolve_zone

AREA_LAYERS = ("cbd_core", "cbd_streets", "subcentre", "subcentre_places")
OTHER_LAYERS = ("rail_lines", "rail_stations", "context")
CITY = {"id": "beijing", "name_zh": "北京市", "name_en": "Beijing", "layer": "city"}
# An area "spans" a street when at least this share of the street lies inside it (tolerates drawing error).
SPAN_SHARE = 0.05
VIA_ORDER = {"direct": 0, "structure": 1, "inside": 2}  # tasks naming the place itself come first


class UnknownPlace(KeyError):
    """A place id that no layer, gazetteer or table defines."""


def load_places() -> gpd.GeoDataFrame:
    """All places with geometry (WGS84), one row each, with the layer they come from."""
    frames = []
    for name in AREA_LAYERS + OTHER_LAYERS:
        frames.append(read_layer(DATA_DIR / f"{name}.geojson").assign(layer=name))
    streets = frames[AREA_LAYERS.index("cbd_streets")]
    frames.append(dissolve_zone(streets.drop(columns="layer")).assign(layer="cbd_zone"))
    frames.append(load_gazetteer().assign(layer="gazetteer"))
    places = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    polygonal = places.geom_type.isin(["Polygon", "MultiPolygon"])
    places["area_km2"] = area_km2(places).round(2).where(polygonal)
    return places


def load_unplaced_lines() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "rail_unplaced.csv", dtype=str, keep_default_na=False)


def load_declared_places() -> pd.DataFrame:
    """Places the plans name that have no geometry of their own (中心城区, 北三县, …), with their members."""
    return pd.read_csv(DATA_DIR / "places_declared.csv", dtype=str, keep_default_na=False)


def known_place_ids(places: gpd.GeoDataFrame) -> set[str]:
    declared = set(load_declared_places()["id"])
    return set(places["id"]) | set(load_unplaced_lines()["id"]) | declared | {CITY["id"]}


@dataclass
class PlaceReport:
    """What the plans say about one place, ready for a details panel or an export."""

    id: str
    name_zh: str
    name_en: str
    layer: str
    area_km2: float | None
    streets: list[str] = field(default_factory=list)
    structure: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    line: dict | None = None


def describe(place_id: str, plan: Plan, places: gpd.GeoDataFrame) -> PlaceReport:
    """Join a place to its structure elements, tasks and indicators; UnknownPlace if no such id."""
    unplaced = load_unplaced_lines().set_index("id")
    if place_id == CITY["id"]:
        row = pd.Series({**CITY, "geometry": None, "area_km2": None})
    elif place_id in set(places["id"]):
        row = places.loc[places["id"] == place_id].iloc[0]
    elif place_id in unplaced.index:
        line = unplaced.loc[place_id]
        row = pd.Series({"id": place_id, "name_zh": line["name_zh"], "name_en": line["name_en"],
                         "layer": "rail_unplaced", "geometry": None, "area_km2": None})
    else:
        raise UnknownPlace(f"unknown place id {place_id!r}")

    streets = _streets_spanned(row, places)
    structure = pd.concat([plan.structure_containing(street) for street in streets]).drop_duplicates("id") \
        if streets else plan.structure.iloc[0:0]
    mentions = [place_id] + structure["id"].tolist() + _places_inside(row, places)
    mentions += unplaced.index[unplaced["within"] == place_id].tolist()
    tasks = plan.tasks_for(mentions).copy()
    tasks["via"] = tasks["places"].apply(lambda cell: _via(cell.split(";"), place_id, structure["id"].tolist()))
    tasks = tasks.sort_values("via", key=lambda via: via.map(VIA_ORDER), kind="stable")
    line = None
    if row["layer"] in ("rail_lines", "rail_unplaced"):
        source = row if row["layer"] == "rail_lines" else unplaced.loc[place_id]
        line = {key: source.get(key, "") for key in ("status", "status_as_of", "stations", "note")}
    return PlaceReport(
        id=place_id, name_zh=row["name_zh"], name_en=row["name_en"], layer=row["layer"],
        area_km2=None if pd.isna(row["area_km2"]) else float(row["area_km2"]),
        streets=streets if row["layer"] != "cbd_streets" else [], structure=structure, tasks=tasks,
        indicators=plan.indicators_for([place_id]), line=line,
    )


def _streets_spanned(row: pd.Series, places: gpd.GeoDataFrame) -> list[str]:
    geometry = row["geometry"]
    if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return []
    streets = places[places["layer"] == "cbd_streets"]
    shares = area_km2(streets.geometry.intersection(geometry)) / area_km2(streets.geometry)
    return streets.loc[shares >= SPAN_SHARE, "id"].tolist()


def _places_inside(row: pd.Series, places: gpd.GeoDataFrame) -> list[str]:
    """Gazetteer places (stations, junctions, sites) that lie inside an area."""
    geometry = row["geometry"]
    if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return []
    gazetteer = places[places["layer"] == "gazetteer"]
    return gazetteer.loc[gazetteer.geometry.representative_point().within(geometry), "id"].tolist()


def _via(task_places: list[str], place_id: str, structure_ids: list[str]) -> str:
    """Why a task is listed: it names the place itself, a structure element through it, or a place inside it."""
    if place_id in task_places:
        return "direct"
    if set(task_places) & set(structure_ids):
        return "structure"
    return "inside"
