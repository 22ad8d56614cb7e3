"""Smallest Plan Map page: one GeoJson polygon via st_folium, vendored assets.

Used by tests/browser/test_offline_assets.py. Streamlit serves the ``static/``
folder next to the main script, hence the ``static`` symlink in this folder
pointing at the repository's ``static/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this folder, not the repository root, on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from layers.assets import make_map  # noqa: E402

POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Dongcheng (demo)"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [116.37, 39.87],
                        [116.45, 39.87],
                        [116.45, 39.96],
                        [116.37, 39.96],
                        [116.37, 39.87],
                    ]
                ],
            },
        }
    ],
}

st.title("Offline map demo")
m = make_map(location=[39.915, 116.41], zoom_start=12)
folium.GeoJson(
    POLYGON,
    name="zone",
    style_function=lambda _f: {"color": "#c0392b", "fillColor": "#e74c3c", "weight": 3, "fillOpacity": 0.5},
    tooltip=folium.GeoJsonTooltip(fields=["name"]),
).add_to(m)
st_folium(m, key="offline_demo", height=420, width=700, returned_objects=[])
