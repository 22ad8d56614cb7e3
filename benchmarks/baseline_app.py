"""The baseline every analyst can write in ten lines: GeoDataFrame.explore() handed to st_folium on every
rerun, the same layers and toggles as Plan Map, data reads cached (being fair to the baseline).
The layers are the ones Plan Map shows at start, feature for feature (the CBD zone is the union of the
streets, as in Plan Map); BENCH_PARCELS=<path> adds a parcel layer.
Its map loads folium's default CDN assets; the benchmark serves those from the app (static/vendor), so
both pages load the same Leaflet from localhost and the comparison is about the map itself."""
from __future__ import annotations

import os

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import use_local_assets

FILES = {"context": "data/context.geojson", "cbd_zone": "data/cbd_streets.geojson",
         "cbd_streets": "data/cbd_streets.geojson", "cbd_core": "data/cbd_core.geojson",
         "subcentre": "data/subcentre.geojson", "subcentre_places": "data/subcentre_places.geojson",
         "rail_lines": "data/rail_lines.geojson"}
if os.environ.get("BENCH_PARCELS"):
    FILES["parcels"] = os.environ["BENCH_PARCELS"]


@st.cache_data
def read(name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(FILES[name])
    return frame.dissolve().assign(id=name)[["id", "geometry"]] if name == "cbd_zone" else frame


chosen = [name for name in FILES if st.sidebar.checkbox(name, value=True, key=f"layer_{name}")]
fmap = folium.Map(location=(39.91, 116.575), zoom_start=11, tiles=None)
for name in chosen:
    read(name).explore(m=fmap, name=name, tooltip=["id"])
use_local_assets(fmap)
st_folium(fmap, height=640, use_container_width=True)
