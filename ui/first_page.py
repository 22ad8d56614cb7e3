"""A session's first page: the map first, the rest of the page once the map is drawn.

On a fresh visit the browser loads the map's frame (Leaflet, the layers' data) and Streamlit's code for every
widget of the page on one main thread: sent together, the map was drawn 1.4–1.5× later than a bare folium
map (make bench, issue 13). So the session's first run sends the title and the map only, and ends. The map
reports its view once its layers are drawn (static/planmap/layers.js, `reportDrawn`); that report reruns the
whole page. Should no report come (no layer ticked, the map's script failed), or the run it asked for be lost,
a timer asks for the whole page after FALLBACK_S, and again every FALLBACK_S until the page has been drawn.

The first run ends by returning, never by st.stop(): st.stop() drops a rerun already asked for, so a report
that came while the first run was still going (a busy server) was lost, and the page waited for the timer.

Phases: none (a fresh session) → MAP (the map sent or being sent, the rest pending) → REST (the whole page asked for) → DONE.
"""
from __future__ import annotations

import time

import streamlit as st

from ui.reconnect import browser_values

PHASE = "_first_page"
MAP, REST, DONE = "map", "rest", "done"
FALLBACK_S = 2.0
SEARCH_BOX_PX = 40  # the search box's height (a Streamlit select box)
_SENT_AT = "_first_page_map_sent_at"


def map_only() -> bool:
    """Called once per page run, before the map: True on the first run of a fresh page, which draws the map,
    calls wait_for_report() and returns. The page waits for the map's report from here on, before the map is sent: a
    busy server may still be in this run when the report comes. A page that reconnected after a server restart
    already shows the whole page (and sends its widgets' values): a new session there draws everything at once,
    else its map, long drawn, would never report."""
    if st.session_state.get(PHASE) is not None:
        return False
    if browser_values():
        st.session_state[PHASE] = REST
        return False
    st.session_state[PHASE] = MAP
    st.session_state[_SENT_AT] = time.monotonic()
    return True


def inline_map() -> bool:
    """The map carries its layers' data inline until the whole page has been drawn once: the page's run after
    the map's report then sends the very map the browser drew (same text, nothing redrawn)."""
    return st.session_state.get(PHASE) != DONE


def hold_places(search_slot) -> None:
    """Keep the room the rest of the page will take beside and above the map, so that the map does not move
    when it arrives (a planner clicking at once would hit another place): the sidebar, and the search box."""
    st.sidebar.html("<div></div>")
    with search_slot:
        st.html(f'<div style="height:{SEARCH_BOX_PX}px"></div>')


def wait_for_report() -> None:
    """The last call of the first run: the map's report (or the fallback timer) brings the rest."""
    _fallback()


def take_report() -> None:
    """Called by the map's own rerun: the first report of a map drawn on the first page asks for the page."""
    if st.session_state.get(PHASE) == MAP:
        st.session_state[PHASE] = REST
        st.rerun(scope="app")


def drawn() -> None:
    """The whole page has been drawn: from now on, runs are as usual."""
    st.session_state[PHASE] = DONE


@st.fragment(run_every=FALLBACK_S)
def _fallback() -> None:
    """Asks for the whole page when it has not been drawn FALLBACK_S after the map was sent (it draws
    nothing): the map did not report, or the run its report asked for was lost."""
    late = time.monotonic() - st.session_state.get(_SENT_AT, time.monotonic()) >= FALLBACK_S * 0.9
    if st.session_state.get(PHASE) in (MAP, REST) and late:
        st.session_state[PHASE] = REST
        st.rerun(scope="app")
