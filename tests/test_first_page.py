"""A session's first run draws the map alone; the run the map's report asks for draws the whole page
(ui/first_page.py). The browser side, that the report comes by itself, is in tests/browser/test_first_page.py."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app_page import APP
from tests.test_app import MAP_COMPONENT
from ui import first_page


def _maps(at: AppTest) -> int:
    return sum(el.proto.component_name == MAP_COMPONENT for el in at.get("component_instance"))


def test_the_first_run_sends_the_map_and_holds_the_rest():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert _maps(at) == 1
    assert at.title[0].value == "北京规划一张图"
    assert not at.sidebar.radio and not at.sidebar.checkbox, "the sidebar's widgets wait for the map"
    assert not at.subheader, "the details column waits for the map"
    assert at.session_state[first_page.PHASE] == first_page.MAP


def test_the_run_after_the_maps_report_draws_the_whole_page():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.run()  # what the map's report (or the fallback timer) asks for: a run of the whole page
    assert not at.exception
    assert _maps(at) == 1
    assert at.sidebar.radio and at.sidebar.checkbox
    assert [header.value for header in at.subheader][:1] == ["详情"]
    assert at.session_state[first_page.PHASE] == first_page.DONE


def test_the_page_waits_for_the_report_before_the_map_is_sent():
    """The map may report before the first run has finished (a busy server): the report must then find the
    page waiting for it, or no one asks for the rest (two browsers waited 30 s for the sidebar in a load run)."""
    at = AppTest.from_function(_phase_when_the_map_is_sent, default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["phase_when_sent"] == first_page.MAP


def _phase_when_the_map_is_sent() -> None:
    """app.py, with the map's sender noting the phase at the moment the map leaves the server."""
    import runpy

    import streamlit as st

    import ui.map_frame
    from tests.app_page import APP
    from ui import first_page as phases

    def noting(*args, **kwargs):
        st.session_state["phase_when_sent"] = st.session_state.get(phases.PHASE)
        return sending(*args, **kwargs)

    sending = ui.map_frame.st_folium
    ui.map_frame.st_folium = noting
    try:
        runpy.run_path(str(APP), run_name="__main__")
    finally:
        ui.map_frame.st_folium = sending
