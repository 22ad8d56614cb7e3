"""A planner's own layer (added in the app) as a layer like the shipped ones: its colours and a declaration.

The exports take a layer as (declaration, features); a session's own layer gets a declaration here, made
from the style the planner picked, so it goes through the very exporter the shipped layers do (GeoPackage
with its QGIS style, zipped shapefile, KML, GeoJSON) and looks in QGIS or Google Earth as it does on screen.
No Streamlit here: the session's layers are passed in.
"""
from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from layers.catalog import LayerSpec

PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999")
CLASS_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15", "#67000d", "#3b0007")
NO_VALUE_COLOUR = "#bbbbbb"
OWN_GROUP = "own"
EXPORT_ID_PREFIX = "mine_"
# The column each feature's drawn colour goes into when the layer is coloured by a column: the declaration's
# color_field, so QGIS (data-defined stroke) and KML colour each feature as the map does.
COLOUR_COLUMN = "planmap_colour"
FILL_OPACITY = 0.35  # as the map fills an own layer's polygons
WEIGHT = 2.5
FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
            "Polygon": "polygon", "MultiPolygon": "polygon"}


def feature_colours(frame: gpd.GeoDataFrame, colour: str, column: str | None, scheme: str | None,
                    k: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Each feature's colour and the legend: one colour, mapclassify classes of a number, or one colour per value."""
    if column is None:
        return [colour] * len(frame), []
    if scheme is not None:
        import mapclassify

        values = pd.to_numeric(frame[column], errors="coerce")
        valid = values.dropna()
        k = max(1, min(k, valid.nunique()))
        classifier = getattr(mapclassify, scheme)(valid.to_numpy(), k=k)
        palette = [CLASS_COLOURS[round(i * (len(CLASS_COLOURS) - 1) / max(1, k - 1))] for i in range(k)]
        by_index = dict(zip(valid.index, (palette[c] for c in classifier.yb)))
        lower = [float(valid.min())] + [float(b) for b in classifier.bins[:-1]]
        legend = [(palette[i], f"{lower[i]:,.6g} – {float(classifier.bins[i]):,.6g}") for i in range(k)]
        return [by_index.get(index, NO_VALUE_COLOUR) for index in frame.index], legend
    values = frame[column].astype(str)
    categories = list(dict.fromkeys(values))
    lookup = {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(categories)}
    legend = [(lookup[value], value) for value in categories[: len(PALETTE)]]
    return [lookup[value] for value in values], legend


def export_ids(names: list[str]) -> dict[str, str]:
    """A distinct layer id per name, for file names (a GeoPackage table, a shapefile's stem): the name with
    anything but letters, digits and underscores replaced, so no name can reach outside its folder; prefixed,
    so it never takes a shipped layer's id; numbered when two names come out the same."""
    ids: dict[str, str] = {}
    for name in names:
        stem = EXPORT_ID_PREFIX + (re.sub(r"\W+", "_", name).strip("_")[:48] or "layer")
        candidate, number = stem, 2
        while candidate in ids.values():
            candidate, number = f"{stem}_{number}", number + 1
        ids[name] = candidate
    return ids


def geometry_kind(frame: gpd.GeoDataFrame) -> str:
    """polygon, line or point when every feature is of one family, else mixed (as a declaration says it)."""
    families = set(frame.geom_type.map(FAMILIES).dropna())
    return families.pop() if len(families) == 1 else "mixed"


def own_export_layer(layer_id: str, name: str, frame: gpd.GeoDataFrame, colour: str, column: str | None = None,
                     scheme: str | None = None, k: int = 5) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    """The declaration and features (WGS84) the exporter takes for one own layer, in the style the planner
    picked: one colour, or each feature's class or category colour in COLOUR_COLUMN."""
    features = frame.to_crs(4326) if frame.crs is not None and not frame.crs.equals(4326) else frame
    features = features.reset_index(drop=True)
    if column is not None:
        colours, _legend = feature_colours(features, colour, column, scheme, k)
        features = features.assign(**{COLOUR_COLUMN: colours})
    # Every export names each feature's layer in a `layer` property: a column of that name keeps its values.
    features = features.rename(columns={"layer": "source_layer"})
    spec = LayerSpec(id=layer_id, group=OWN_GROUP, title_zh=name, title_en=name, source="",
                     kind=geometry_kind(features), color=colour, weight=WEIGHT,
                     fill_color=colour if column is None else None,
                     fill_opacity=FILL_OPACITY if column is None else 0.0,
                     color_field=COLOUR_COLUMN if column is not None else None, external=True)
    return spec, features
