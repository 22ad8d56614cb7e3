"""The link's view state and the map-click identity, without a browser (issue 13)."""
from __future__ import annotations

import re

import pandas as pd

from layers.interactive import CLICK_ID_MARK, feature_by_tooltip
from layers.view_state import ViewState, parse_params
from ui import panels


def test_a_click_names_the_shape_even_when_names_repeat():
    chosen = ["context_roads", "rail_stations"]
    # 广渠路 is an avenue and a station: the text alone finds the avenue first.
    assert feature_by_tooltip("广渠路", chosen, "zh", "wgs84") == ("context_roads", "ctx_guangqulu")
    assert feature_by_tooltip(f"广渠路{CLICK_ID_MARK}rail_stations/stn_guangqulu", chosen, "zh", "wgs84") == \
        ("rail_stations", "stn_guangqulu")
    # An id of a layer not drawn, or unknown, falls back to the text.
    assert feature_by_tooltip(f"广渠路{CLICK_ID_MARK}cbd_core/stn_guangqulu", chosen, "zh", "wgs84") == \
        ("context_roads", "ctx_guangqulu")


def test_view_and_filters_round_trip_through_the_link():
    state = ViewState(view=(39.915, 116.466, 14), filters={"f_theme": ["economy", "culture"], "f_keyword": "文化"})
    params = state.to_params()
    assert params["view"] == "39.91500,116.46600,14" and params["theme"] == "economy,culture" and params["q"] == "文化"
    back = parse_params(params, ["offline"])
    assert back.view == (39.915, 116.466, 14)
    assert back.filters == {"f_theme": ["economy", "culture"], "f_keyword": "文化"}


def test_a_bad_view_opens_the_home_extent():
    for bad in ("", "1,2", "a,b,c", "95,116,10", "39.9,116.4,40"):
        assert parse_params({"view": bad}, ["offline"]).view is None


def test_a_task_is_picked_by_id_and_kept_when_the_filters_change():
    view = pd.DataFrame({"id": ["t1", "t2", "t3"]})
    session: dict = {}
    assert panels.task_pick(view, session) is panels.UNCHANGED
    session[panels.table_key(session)] = {"selection": {"rows": [1]}}
    assert panels.task_pick(view, session) == "t2"
    assert panels.task_pick(view, session) is panels.UNCHANGED  # the same selection reported again
    session["f_keyword"] = "x"  # other rows: a new table with no selection, the task stays
    assert panels.task_pick(view.iloc[::-1], session) is panels.UNCHANGED
    session[panels.table_key(session)] = {"selection": {"rows": [0]}}
    assert panels.task_pick(view, session) == "t1"
    session[panels.table_key(session)] = {"selection": {"rows": []}}
    assert panels.task_pick(view, session) is None  # unticked


def test_rail_swatches_show_the_colours_the_lines_are_drawn_in():
    from layers.catalog import feature_color, layer_frame, load_catalog
    from layers.interactive import legend_svg

    spec = load_catalog().layers["rail_operating"]
    drawn = {feature_color(spec, record) for record in layer_frame(spec).drop(columns="geometry").to_dict("records")}
    swatch = legend_svg(spec)
    shown = set(re.findall(r'stroke="(#[0-9A-Fa-f]{6})"', swatch))
    assert spec.casing in shown  # drawn under the line colours, as on the map
    shown -= {spec.casing}
    assert len(shown) > 1 and shown <= drawn and spec.color not in shown - drawn


def test_layer_opacity_round_trips_through_the_link_and_bad_values_are_dropped():
    from layers.view_state import parse_opacity

    params = ViewState(opacity={"cbd_zone": 30, "rail_operating": 65}).to_params()
    assert params["op"] == "cbd_zone:30,rail_operating:65"
    assert parse_params(params, ["offline"]).opacity == {"cbd_zone": 30, "rail_operating": 65}
    assert "op" not in ViewState().to_params()
    assert parse_opacity("cbd_zone:5,cbd_core:100,nope:50,rail_planned:x,subcentre:55") == {"subcentre": 55}


def test_the_maps_reported_opacity_is_kept_and_a_new_frame_starts_with_it():
    from ui import link_state

    session = {"_frame_basemap": "offline", "_frame_opacity": {}}
    link_state.take_map_opacity(session, {"selected_tags": ["cbd_zone:30", "evil:<b>"]})
    assert session["opacity"] == {"cbd_zone": 30}
    link_state.take_map_opacity(session, {"center": None})  # no report: unchanged
    assert session["opacity"] == {"cbd_zone": 30}
    link_state.frame_view(session, "offline")
    assert link_state.frame_opacity(session) == {}  # the same frame: the sliders changed it in place
    link_state.frame_view(session, "osm")
    assert link_state.frame_opacity(session) == {"cbd_zone": 30}  # a rebuilt frame starts as the user left it


def test_a_link_with_layer_opacity_builds_the_map_with_it_and_keeps_it():
    from tests.test_app import map_args, run_app

    at = run_app(op="cbd_zone:30,bogus:50")
    assert at.query_params["op"] == "cbd_zone:30"
    assert '"opacity": {"cbd_zone": 30}' in map_args(at)["script"]  # the map frame starts with it
    at.checkbox(key="layer_rail_stations").check().run()
    assert at.query_params["op"] == "cbd_zone:30"  # a rerun keeps it
