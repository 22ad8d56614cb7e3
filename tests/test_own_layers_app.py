"""A session's own layer joins the product (AppTest): in the export panel, in the link only by reference, and
the site check of a shape drawn on the map."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from layers.assets import VENDOR_DIR, offline_problems
from layers.basemaps import available_basemaps
from layers.draw import add_draw_tools
from layers.interactive import base_map
from layers.view_state import ViewState, parse_params
from tests import upload_fixtures as fx
from tests.app_page import whole_page

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
LAYER = "amap_site.geojson"
NOTICE_ZH = "这个链接里的自有图层只在添加它的会话中可用"
# A site drawn inside CBD核心区 (the fixtures' red line), as Leaflet.draw reports it through streamlit-folium.
DRAWN_SITE = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
    [116.4575, 39.9095], [116.4598, 39.9095], [116.4598, 39.9115], [116.4575, 39.9115], [116.4575, 39.9095]]]}}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _with_own_layer(tmp_path, **params: str) -> AppTest:
    at = whole_page(120)
    for key, value in params.items():
        at.query_params[key] = value
    _run(at)
    path = fx.geojson_gcj02(tmp_path)
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "application/geo+json"))
    _run(at)
    at.button(key="upload_add").click()
    return _run(at)


def test_own_layer_references_round_trip_and_anything_else_is_dropped():
    params = ViewState(mine=["Ab3_-x9Z", "q"], mine_pick="Ab3_-x9Z.2").to_params()
    assert params["mine"] == "Ab3_-x9Z,q" and params["mine_pick"] == "Ab3_-x9Z.2"
    state = parse_params(params, ["offline"])
    assert state.mine == ["Ab3_-x9Z", "q"] and state.mine_pick == "Ab3_-x9Z.2"
    hostile = parse_params({"mine": "<script>,ok," + "x" * 17 + ",ok", "mine_pick": "ok.0"}, ["offline"])
    assert hostile.mine == ["ok"] and hostile.mine_pick is None
    for pick in ("ok.x", "ok", ".3", "ok.3.4", "ok." + "9" * 10):
        assert parse_params({"mine_pick": pick}, ["offline"]).mine_pick is None, pick
    assert "mine" not in ViewState().to_params()


def test_the_link_names_the_own_layer_and_its_picked_feature_by_reference_only(tmp_path):
    at = _with_own_layer(tmp_path)
    at.selectbox(key="user_pick_box").set_value((LAYER, 1))
    _run(at)
    ref = at.session_state["user_layers"][LAYER]["ref"]
    assert at.query_params["mine"] == ref and at.query_params["mine_pick"] == f"{ref}.1"
    link = json.dumps(dict(at.query_params.items()), ensure_ascii=False)
    assert not any(word in link for word in ("项目红线", "A-01", "116.45", LAYER)), link


def test_the_same_session_restores_the_own_layer_from_its_link(tmp_path):
    at = _with_own_layer(tmp_path)
    ref = at.session_state["user_layers"][LAYER]["ref"]
    # Back/Forward seeds the session again from a URL: one without the layer, then one with it and a feature.
    at.session_state["_seeded"] = False
    at.query_params["mine"] = ""
    _run(at)
    assert at.session_state[f"user_shown_{LAYER}"] is False and "mine" not in at.query_params
    at.session_state["_seeded"] = False
    at.query_params["mine"], at.query_params["mine_pick"] = ref, f"{ref}.2"
    _run(at)
    assert at.session_state[f"user_shown_{LAYER}"] is True
    assert at.session_state["user_pick"] == (LAYER, 2)
    assert any(r"\#2 · B\-07" in markdown.value for markdown in at.markdown)  # its site check is shown
    assert not [info for info in at.info if NOTICE_ZH in info.value]


def test_another_session_ignores_the_reference_with_a_short_notice():
    at = whole_page(120)
    at.query_params["mine"], at.query_params["mine_pick"] = "Zz9_abcd", "Zz9_abcd.1"
    _run(at)
    assert [info for info in at.info if NOTICE_ZH in info.value]
    assert not at.session_state["user_layers"] and "user_pick" not in at.session_state
    assert "mine" not in at.query_params


def test_the_notice_in_english():
    at = whole_page(120)
    at.query_params["lang"], at.query_params["mine"] = "en", "Zz9_abcd"
    _run(at)
    assert [info for info in at.info if "available only in the session that added them" in info.value]


def test_the_export_panel_offers_the_own_layer_beside_the_shipped_ones(tmp_path):
    at = _with_own_layer(tmp_path, panel="export")
    layers_box = next(box for box in at.multiselect if box.proto.form_id == "export_layers_form")
    assert "mine_amap_site_geojson" in layers_box.options[-1:] or "⬚ amap_site.geojson" in layers_box.options
    assert "mine_amap_site_geojson" in layers_box.value  # shown on the map: ticked, as the shipped layers are
    layers_box.set_value(["cbd_core", "mine_amap_site_geojson"])
    submit = next(button for button in at.button if button.proto.form_id == "export_layers_form")
    submit.click()
    _run(at)
    data, name, media_type = at.session_state["export_layers"]
    collection = json.loads(data)
    assert name.endswith(".geojson") and media_type == "application/geo+json"
    mine = [f["properties"] for f in collection["features"] if f["properties"]["layer"] == "mine_amap_site_geojson"]
    assert [p["名称"] for p in mine] == ["项目红线", "行政办公区地块", "国贸", "呼家楼"]
    assert {f["properties"]["layer"] for f in collection["features"]} == {"cbd_core", "mine_amap_site_geojson"}


def test_a_shape_drawn_on_the_map_gets_the_site_check():
    at = whole_page(120)
    _run(at)
    at.session_state["planmap"] = {"all_drawings": [DRAWN_SITE]}
    _run(at)
    assert at.session_state["user_pick"] == ("", 1)
    places = at.dataframe[0].value
    assert list(places["id"][:5]) == ["cbd_core_central", "st_jianwai", "cbd_core", "cbd_zone", "district_chaoyang"]
    assert any("t002_001" in set(frame.value.get("id", [])) for frame in at.dataframe)
    assert {b.key for b in at.get("download_button")} >= {"user_pdf", "user_xlsx", "user_json"}
    assert any("绘制的范围 1" in markdown.value for markdown in at.markdown)
    # Deleting the shape (the toolbar's bin) takes its check away.
    at.session_state["planmap"] = {"all_drawings": []}
    _run(at)
    assert "user_pick" not in at.session_state
    # A broken shape from the browser is left out, the page keeps serving.
    at.session_state["planmap"] = {"all_drawings": [{"geometry": {"type": "Polygon", "coordinates": "x"}}]}
    _run(at)
    assert "user_pick" not in at.session_state
    # A polygon drawn crossing itself is made valid, as an uploaded one is, and checked.
    bow_tie = [[116.4575, 39.9095], [116.4598, 39.9115], [116.4598, 39.9095], [116.4575, 39.9115], [116.4575, 39.9095]]
    at.session_state["planmap"] = {"all_drawings": [{"geometry": {"type": "Polygon", "coordinates": [bow_tie]}}]}
    _run(at)
    assert at.session_state["user_pick"] == ("", 1) and at.session_state["user_drawn"][0]["type"] == "MultiPolygon"
    assert "cbd_core_central" in set(at.dataframe[0].value["id"])


def test_the_drawing_toolbar_loads_only_vendored_files():
    fmap = add_draw_tools(base_map(available_basemaps({})["offline"]))
    assert offline_problems(fmap) == []
    urls = [url for element in fmap._children.values() for _name, url in getattr(element, "default_js", [])
            + getattr(element, "default_css", []) if "leaflet.draw" in url]
    assert len(urls) == 2
    for url in urls:
        assert (VENDOR_DIR / url.split("/vendor/", 1)[1]).is_file(), url
    css = (VENDOR_DIR / "leaflet.draw" / "leaflet.draw.css").read_text()
    assert all((VENDOR_DIR / "leaflet.draw" / "images" / name).is_file()
               for name in ("spritesheet.svg", "spritesheet.png", "spritesheet-2x.png") if name in css)


def test_a_shape_drawn_on_the_amap_basemap_is_moved_back_from_gcj02():
    import geopandas as gpd
    import shapely

    from geo.crs import from_wgs84

    site = shapely.geometry.shape(DRAWN_SITE["geometry"])
    on_amap = from_wgs84(gpd.GeoDataFrame(geometry=[site], crs=4326), "gcj02").geometry.iloc[0]
    assert site.hausdorff_distance(on_amap) > 4e-3  # AMap's offset here: some 500 m
    at = whole_page(120)
    at.query_params["basemap"] = "amap"
    _run(at)
    at.session_state["planmap"] = {"all_drawings": [{"type": "Feature", "properties": {},
                                                     "geometry": shapely.geometry.mapping(on_amap)}]}
    _run(at)
    drawn = shapely.geometry.shape(at.session_state["user_drawn"][0])
    assert drawn.hausdorff_distance(site) < 1e-6
    assert list(at.dataframe[0].value["id"][:2]) == ["cbd_core_central", "st_jianwai"]
