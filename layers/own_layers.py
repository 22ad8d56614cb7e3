"""A planner's own layer as a layer like the shipped ones, for report maps, thematic maps, the atlas and exports.

The app keeps uploaded layers in the session (ui/upload.py); nothing here reads the session. Each own layer
gets its features' colours (one colour, or mapclassify classes or categories of a column, with their legend
rows) and a declaration made from the style the planner picked, so the printed map draws it as the screen
does and the exports (GeoPackage with its QGIS style, zipped shapefile, KML, GeoJSON) go through the very
exporter the shipped layers do. Inside a map plan the layer is a LayerSpec of group "own" whose per-feature
colour sits in a column, so framing, clipping, labels and the legend treat it like any declared layer.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import pandas as pd

from layers.catalog import LayerSpec

PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999")
CLASS_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15", "#67000d", "#3b0007")
NO_VALUE_COLOUR = "#bbbbbb"
OWN_GROUP = "own"
OWN_PREFIX = "own:"
EXPORT_ID_PREFIX = "mine_"
WEB_MERCATOR = 3857  # the report maps' projection (layers/static_map.py MAP_CRS)
# The column each feature's drawn colour goes into: the declaration's color_field, so report maps, QGIS
# (data-defined stroke) and KML colour each feature as the map does.
OWN_COLOUR = "planmap_colour"
# How the app's map draws a planner's layer (ui/upload.py add_to_map): stroke 2.5 px, fill at 0.35, points radius 6.
OWN_WEIGHT = 2.5
OWN_FILL_OPACITY = 0.35
OWN_RADIUS = 6.0
OWN_LABEL_LIMIT = 40  # more features than this in the frame are not named on the page: the names would crowd it
NUMERIC_SHARE = 0.9  # a column is a measure when this share of its filled cells are numbers
FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
            "Polygon": "polygon", "MultiPolygon": "polygon"}


class OwnLayerError(ValueError):
    """An own layer handed over inconsistently (no CRS, a colour count that does not match the features)."""


@dataclass(frozen=True)
class OwnLayer:
    """One planner's layer as a report map draws it."""

    name: str
    frame: gpd.GeoDataFrame  # any CRS, as long as it has one
    colours: tuple[str, ...]  # one per feature, as the app's map draws it
    legend: tuple[tuple[str, str], ...] = ()  # (colour, text) per class or category when coloured by a column
    label: str | None = None  # the column that names each feature on the page

    def __post_init__(self) -> None:
        if self.frame.crs is None:
            raise OwnLayerError(f"own layer {self.name!r} has no coordinate system")
        if len(self.colours) != len(self.frame):
            raise OwnLayerError(f"own layer {self.name!r}: {len(self.colours)} colours for {len(self.frame)} features")

    @property
    def id(self) -> str:
        return own_layer_id(self.name)

    def spec(self) -> LayerSpec:
        """A declaration for the renderer: the planner's name as title, the app's stroke, fill and radius."""
        colour = self.colours[0] if self.colours else "#e41a1c"
        return LayerSpec(id=self.id, group=OWN_GROUP, title_zh=self.name, title_en=self.name, source="",
                         kind=geometry_kind(self.frame),
                         color=colour, weight=OWN_WEIGHT, fill_color=colour, fill_opacity=OWN_FILL_OPACITY,
                         color_field=OWN_COLOUR, radius=OWN_RADIUS, label=self.label)

    @cached_property
    def mercator(self) -> gpd.GeoDataFrame:
        """The features in Web Mercator with their colours in OWN_COLOUR, numbered from 0; projected once (an
        atlas draws the layer on every page). Callers must not change it."""
        frame = self.frame.to_crs(WEB_MERCATOR).reset_index(drop=True)
        frame[OWN_COLOUR] = list(self.colours)
        return frame


def own_layer_id(name: str) -> str:
    return OWN_PREFIX + name


def numeric_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """The columns a thematic map can colour by: nearly all of their filled cells are numbers."""
    columns = []
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        filled = frame[column].dropna()
        filled = filled[filled.astype(str).str.strip() != ""]
        numbers = pd.to_numeric(filled, errors="coerce").notna().sum()
        if len(filled) and numbers >= NUMERIC_SHARE * len(filled):
            columns.append(str(column))
    return columns


def by_id(layers: Sequence[OwnLayer]) -> dict[str, OwnLayer]:
    """The layers keyed by their plan id; two layers of one name are an error (the legend could not tell them)."""
    keyed: dict[str, OwnLayer] = {}
    for layer in layers:
        if layer.id in keyed:
            raise OwnLayerError(f"two own layers are named {layer.name!r}")
        keyed[layer.id] = layer
    return keyed


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
    picked: one colour, or each feature's class or category colour in OWN_COLOUR."""
    features = frame.to_crs(4326) if frame.crs is not None and not frame.crs.equals(4326) else frame
    features = features.reset_index(drop=True)
    if column is not None:
        colours, _legend = feature_colours(features, colour, column, scheme, k)
        features = features.assign(**{OWN_COLOUR: colours})
    # Every export names each feature's layer in a `layer` property: a column of that name keeps its values.
    features = features.rename(columns={"layer": "source_layer"})
    spec = LayerSpec(id=layer_id, group=OWN_GROUP, title_zh=name, title_en=name, source="",
                     kind=geometry_kind(features), color=colour, weight=OWN_WEIGHT,
                     fill_color=colour if column is None else None,
                     fill_opacity=OWN_FILL_OPACITY if column is None else 0.0,
                     color_field=OWN_COLOUR if column is not None else None, external=True)
    return spec, features
