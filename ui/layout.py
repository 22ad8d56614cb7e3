"""The page's layout: the map takes the window's height beside the details column, the title is one compact
line, and on a phone (columns stacked) the map comes first at most of the screen's height, details below.

Streamlit sizes the map's frame in pixels (st_folium's `height`); these rules size it from the window
instead, and static/planmap/layers.js makes the map fill its frame and follow its size.
"""
from __future__ import annotations

import streamlit as st

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding: 3.2rem 1.5rem 1rem 1.5rem; max-width: none; }}
[data-testid="stMainBlockContainer"] h1 {{ font-size: 1.45rem; padding: 0 0 0.1rem 0; }}
.st-key-details h3 {{ font-size: 1.2rem; padding-top: 0; }}
{MAP_FRAME} {{ height: max(420px, calc(100vh - 12rem)) !important; }}
.st-key-details {{ max-height: calc(100vh - 7rem); overflow-y: auto; }}
@media (max-width: 640px) {{
  {MAP_FRAME} {{ height: 62vh !important; }}
  .st-key-details {{ max-height: none; overflow-y: visible; }}
}}
</style>"""


def page_layout() -> None:
    st.html(CSS)
