"""The map as a Streamlit fragment: a pan or zoom reruns only the map, not the page.

The map reports its centre and zoom after every move (streamlit-folium), and the view goes into the link.
Without a fragment each move reran the whole page — details, panels, sidebar — and re-sent it, for a value
only the address bar shows. Now a move reruns this function alone: it takes the view, re-sends the same
map (the same overlays, so nothing is redrawn) and writes the link. A click on a shape still needs the
whole page (the details column shows it), so a rerun that brings a new click asks for a full one at once.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit_folium import st_folium

from layers.assets import asset_links
from layers.basemaps import OFFLINE, Basemap
from layers.catalog import load_catalog
from layers.draw import add_draw_tools
from layers.interactive import base_map, build_overlays
from ui import first_page, link_state, upload

MAP_KEY = "planmap"
FULL_RUN = "_map_full_run"  # set by the page before it draws the map; absent when the map reruns alone
# selected_tags carries the layers' opacity (static/planmap/tools.js; ui/link_state.py take_map_opacity).
RETURNED = ["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom", "bounds", "all_drawings",
            "selected_tags"]


def reported_click(value: object) -> tuple[str | None, object]:
    """(tooltip, click count) of the map's last click: the count tells a second click on the same shape
    from the same click reported again."""
    if not isinstance(value, dict):
        return None, None
    return value.get("last_object_clicked_tooltip"), value.get("last_object_clicked_count")


def new_click(value: object, session) -> bool:
    clicked = reported_click(value)
    return bool(clicked[0]) and clicked != session.get("_last_click")


def frame_links() -> tuple[list[str], list[str]]:
    """(scripts, stylesheets) the map's frame loads before it draws anything: the same for every basemap (an
    online one adds tiles, not code)."""
    return asset_links(add_draw_tools(base_map(OFFLINE)))


def drawing_page() -> None:
    """Called by the page before the map: this run draws everything (the map's own reruns do not)."""
    st.session_state[FULL_RUN] = True


@st.fragment
def map_frame(chosen: list[str], lang: str, basemap: Basemap, highlight: tuple[str, ...], first: bool,
              center: tuple[float, float] | None, zoom: int | None, write_link: Callable[[], None]) -> None:
    """The map and its attribution. On the map's own rerun (a move or a click) Streamlit calls this again
    with the arguments of the page's last run: the overlays are then the same text, so the browser keeps
    every shape; only the framing asked for by that run (a task picked) is not repeated."""
    alone = not st.session_state.pop(FULL_RUN, False)
    if alone:
        first_page.take_report()
        value = st.session_state.get(MAP_KEY)
        if new_click(value, st.session_state) or upload.new_drawing(value):
            st.rerun(scope="app")  # the page's run takes the click or the drawn site (the details column shows it)
        link_state.take_map_view(st.session_state, value)
        link_state.take_map_opacity(st.session_state, value)
        center = zoom = None
    overlays = build_overlays(chosen, lang, basemap, highlight, first=first)
    upload.add_to_map(overlays, basemap.datum)
    catalog = load_catalog()
    drawn = catalog.resolve(chosen)
    attribution = " · ".join(filter(None, [catalog.attribution_text(drawn, lang), catalog.schematic_note(drawn, lang)]))
    frame = add_draw_tools(base_map(basemap, link_state.frame_view(st.session_state, basemap.id),
                                    link_state.frame_opacity(st.session_state)))
    st_folium(frame, key=MAP_KEY, height=640, use_container_width=True, feature_group_to_add=overlays, center=center,
              zoom=zoom, returned_objects=RETURNED)
    st.caption(attribution)
    if alone:  # the page's own run writes the link once, at its end
        write_link()
