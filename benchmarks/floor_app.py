"""The floor of this stack: a bare Streamlit page holding an empty folium map (same local assets)."""
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import make_map

st.title("floor")
st_folium(make_map(location=(39.91, 116.575), zoom_start=11), height=640, use_container_width=True,
          returned_objects=[])
