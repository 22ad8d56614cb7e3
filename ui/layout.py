"""The page's layout: the map takes the window's height beside the details column, the title is one compact
line, and on a phone (columns stacked) the map comes first at most of the screen's height, details below. The
details' HTML tables (ui/accessible.py html_table) are compact; lists of rows scroll in a box when long and keep
their header in view; their caption is for screen readers (the title is shown above each table).

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
.planmap-table {{ position: relative; overflow: auto; border: 1px solid rgba(49, 51, 63, 0.15); border-radius: 0.3rem; }}
.planmap-rows {{ max-height: 24rem; }}
.planmap-table table {{ border-collapse: collapse; width: 100%; font-size: 0.8rem; line-height: 1.35; }}
.planmap-rows table {{ width: max-content; min-width: 100%; }}
.planmap-table caption {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }}
.planmap-table th, .planmap-table td {{ padding: 0.2rem 0.45rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid rgba(49, 51, 63, 0.1); max-width: 16em; overflow-wrap: anywhere; }}
.planmap-rows td {{ min-width: 5em; }}
.planmap-table thead th {{ position: sticky; top: 0; z-index: 1; background: #f0f2f6; font-weight: 600;
  white-space: nowrap; }}
.planmap-table tbody th {{ font-weight: 600; white-space: nowrap; background: #fafafc; }}
.planmap-table tbody tr:last-child > * {{ border-bottom: none; }}
.planmap-table:focus-visible {{ outline: 2px solid #1c63d5; outline-offset: 1px; }}
@media (max-width: 640px) {{
  {MAP_FRAME} {{ height: 62vh !important; }}
  .st-key-details {{ max-height: none; overflow-y: visible; }}
}}
</style>"""


def page_layout() -> None:
    st.html(CSS)
