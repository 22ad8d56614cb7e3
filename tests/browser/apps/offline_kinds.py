"""Every map element kind Plan Map uses, on vendored assets only.

GeoJson with tooltip and popup, CircleMarker with a folium.Popup (built with
jQuery's ``$(...)``), a default-icon Marker (Leaflet's marker images) and a
LayerControl (Leaflet's layers.png). Proves Bootstrap/awesome-markers/Font
Awesome can be dropped. Used by tests/browser/test_offline_assets.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from layers.assets import make_map  # noqa: E402

ZONES = {  # GeoJsonPopup/GeoJsonTooltip need a FeatureCollection
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "zone-a"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[116.40, 39.88], [116.46, 39.88], [116.46, 39.92], [116.40, 39.92], [116.40, 39.88]]
                ],
            },
        }
    ],
}

st.title("Offline map kinds")
m = make_map(location=[39.915, 116.41], zoom_start=12)
zones = folium.FeatureGroup(name="zones").add_to(m)
folium.GeoJson(
    ZONES,
    style_function=lambda _f: {"color": "#1f6feb", "fillOpacity": 0.4},
    tooltip=folium.GeoJsonTooltip(fields=["name"]),
    popup=folium.GeoJsonPopup(fields=["name"]),
).add_to(zones)
points = folium.FeatureGroup(name="points").add_to(m)
folium.CircleMarker(
    [39.905, 116.39],
    radius=12,
    color="#2ea043",
    fill=True,
    popup=folium.Popup("<b>circle-popup</b>"),
).add_to(points)
folium.Marker([39.93, 116.43], tooltip="marker-tooltip").add_to(points)
folium.LayerControl(collapsed=False).add_to(m)
st_folium(m, key="offline_kinds", height=420, width=700, returned_objects=[])
