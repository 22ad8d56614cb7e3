"""What report maps and the atlas take from this session: the current map view as a frame, and the planner's
own layers as data. The renderers (layers/static_map.py, layers/atlas.py) never read the session."""
from __future__ import annotations

import streamlit as st

from geo.map_view import BBox, view_bbox
from layers.basemaps import CATALOG
from layers.own_layers import OwnLayer, numeric_columns
from ui.upload import feature_colours, user_layers


def current_view_bbox() -> BBox | None:
    """The area the map shows now, in WGS84 (moved back from GCJ-02 on AMap); none before the map has a view."""
    view = st.session_state.get("view")
    if not view:
        return None
    datum = next((basemap.datum for basemap in CATALOG if basemap.id == st.session_state.get("basemap")), "wgs84")
    return view_bbox(tuple(view), st.session_state.get("view_bounds"), datum)


def own_layer_names() -> list[str]:
    return list(user_layers())


def own_layers(names: list[str]) -> list[OwnLayer]:
    """The named layers with each feature's colour and the legend as the app's map draws them (one answer)."""
    layers = user_layers()
    chosen = []
    for name in names:
        entry = layers.get(name)
        if entry is None:  # removed since it was ticked
            continue
        frame = entry["layer"].frame
        colours, legend = feature_colours(frame, entry["colour"], entry["column"], entry["scheme"], entry["k"])
        chosen.append(OwnLayer(name, frame, tuple(colours), tuple(legend), label=entry["layer"].id_field))
    return chosen


def own_measures(names: list[str]) -> list[tuple[str, str]]:
    """(layer, column) for each numeric column of the named layers: what a thematic map can colour them by."""
    layers = user_layers()
    return [(name, column) for name in names if name in layers
            for column in numeric_columns(layers[name]["layer"].frame)]
