"""Every named place the plans can point at.

Places come from the curated layers, the gazetteer, the planned lines that have no published
alignment, and the places declared without geometry (the city, 中心城区, 首都功能核心区, 北三县).
What the plans say about a place is geo/describe.py's answer; how places nest is geo/hierarchy.py's.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.load import read_layer
from geo.measure import area_km2
from geo.paths import DATA_DIR
from geo.plan import load_gazetteer
from geo.zone import dissolve_zone

AREA_LAYERS = ("cbd_core", "cbd_streets", "subcentre", "subcentre_places")
OTHER_LAYERS = ("rail_lines", "rail_stations", "context")
CITY = {"id": "beijing", "name_zh": "北京市", "name_en": "Beijing", "layer": "city"}


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


def load_declared() -> pd.DataFrame:
    """The places declared without geometry of their own (data/places_declared.csv), with their members."""
    return pd.read_csv(DATA_DIR / "places_declared.csv", dtype=str, keep_default_na=False)


def known_place_ids(places: gpd.GeoDataFrame) -> set[str]:
    return set(places["id"]) | set(load_unplaced_lines()["id"]) | set(load_declared()["id"]) | {CITY["id"]}
