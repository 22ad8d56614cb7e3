"""Negative control: a stock folium map, which loads Leaflet etc. from CDNs.

The browser fixture must catch (and abort) those requests; if this page showed
no external request, the "zero external requests" assertions would prove
nothing. Used by tests/browser/test_offline_assets.py.
"""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

st.title("CDN control")
st_folium(folium.Map(tiles=None), key="cdn_control", height=300, width=500, returned_objects=[])
