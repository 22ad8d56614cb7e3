"""A planner's own layer on report maps, thematic maps and atlas pages, handed over as data.

The app keeps uploaded layers in the session (ui/upload.py); the renderers never read the session. The
caller gives the features, the layer's name and each feature's colour as the app's map draws it (one colour,
or mapclassify classes or categories of a column, with their legend rows), so the printed map shows the
planner's layer exactly as the screen does. Inside a map plan the layer is a LayerSpec of group "own"
whose per-feature colour sits in a column, so framing, clipping, labels and the legend treat it like
any declared layer.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import pandas as pd

from layers.catalog import LayerSpec

OWN_GROUP = "own"
OWN_PREFIX = "own:"
WEB_MERCATOR = 3857  # the report maps' projection (layers/static_map.py MAP_CRS)
OWN_COLOUR = "_own_colour"  # the column carrying each feature's colour in the frame a plan draws
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
        families = set(self.frame.geom_type.map(FAMILIES).dropna())
        kind = families.pop() if len(families) == 1 else "mixed"
        return LayerSpec(id=self.id, group=OWN_GROUP, title_zh=self.name, title_en=self.name, source="", kind=kind,
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
