"""添加图层 in the app (AppTest): upload, choose a coordinate system when asked, repair report, style, draw,
site check of a feature — and another session never sees the layer."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from tests import upload_fixtures as fx
from tests.app_page import whole_page
from tests.test_app import map_args
from ui.upload import feature_colours

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _app() -> AppTest:
    at = whole_page(120)
    at.run()
    assert not at.exception
    return at


def _upload(at: AppTest, path) -> AppTest:
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _user_fids(at: AppTest) -> set[str]:
    return set(re.findall(r'"fid":"(user:[^"]+)"', map_args(at)["feature_group"]))


def test_a_dxf_asks_for_its_system_then_draws_and_checks_a_feature(tmp_path):
    at = _upload(_app(), fx.dxf_gk_cm117(tmp_path))
    assert any("coordinate system cannot be told" in w.value or "无法确定坐标系" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "upload_add"], "nothing to add before the system is chosen"
    at.selectbox(key="upload_crs").set_value("EPSG:4548").run()
    at.button(key="upload_add").click().run()
    assert not at.exception
    assert _user_fids(at) == {"user:red_line.dxf:1", "user:red_line.dxf:2"}
    at.selectbox(key="user_pick_box").set_value(("red_line.dxf", 1)).run()
    assert not at.exception
    places = at.dataframe[0].value
    assert list(places["id"][:5]) == ["cbd_core_central", "st_jianwai", "cbd_core", "cbd_zone", "district_chaoyang"]
    assert any("t002_001" in set(frame.value.get("id", [])) for frame in at.dataframe)
    assert {b.key for b in at.get("download_button")} >= {"user_pdf", "user_xlsx", "user_json"}

    other = _app()  # a second session
    assert _user_fids(other) == set()
    assert "user_layers" not in other.session_state or not other.session_state["user_layers"]


def test_gcj02_file_is_shifted_back_and_its_repair_report_is_shown(tmp_path):
    at = _upload(_app(), fx.geojson_gcj02(tmp_path))
    assert any("gcj02" in c.value or "GCJ-02" in c.value for c in at.caption)
    report = next(frame.value for frame in at.dataframe if "problem" in frame.value.columns)
    assert set(report["problem"]) == {"几何类型混杂"} and list(report["row"]) == [3, 4]  # "mixed geometry types"
    assert [b for b in at.get("download_button") if b.key == "upload_report_csv"]
    at.button(key="upload_add").click().run()
    red_line = next(f for f in _user_features(at) if f["properties"]["fid"].endswith(":1"))
    ring = red_line["geometry"]["coordinates"][0]
    west, south = min(x for x, _y in ring), min(y for _x, y in ring)
    assert abs(west - fx.RED_LINE.bounds[0]) < 5e-5 and abs(south - fx.RED_LINE.bounds[1]) < 5e-5  # ≈ 4–5 m


def _user_features(at: AppTest) -> list[dict]:
    script = map_args(at)["feature_group"]
    decoder, features = json.JSONDecoder(), []
    for match in re.finditer(r"planmap\.addGeoJson\(feature_group_feature_group_0, ", script):
        data, _end = decoder.raw_decode(script, match.end())
        features += [f for f in data["features"] if f["properties"]["fid"].startswith("user:")]
    return features


def test_colour_by_a_number_uses_mapclassify_classes():
    frame = gpd.GeoDataFrame({"far": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0]}, geometry=gpd.points_from_xy(range(6), range(6)))
    colours, legend = feature_colours(frame, "#000000", "far", "Quantiles", 3)
    assert len(legend) == 3 and len(set(colours)) == 3
    assert colours[0] == legend[0][0] and colours[-1] == legend[-1][0]
    _colours, categories = feature_colours(frame.assign(use=list("aabbcc")), "#000000", "use", None, 5)
    assert [value for _colour, value in categories] == ["a", "b", "c"]


def test_a_feature_with_no_value_in_the_colour_column_is_drawn_and_named():
    """pandas keeps a missing value missing when it makes a column text, so such a feature's tooltip was missing
    too, and the map could not be drawn (its tooltip is escaped as text)."""
    from geo.userlayer import load_user_layer

    layer = load_user_layer("parcels.geojson", fx.parcels().assign(用地=["商务", None]).to_json(drop_id=True).encode())
    at = _app()
    at.session_state["user_layers"] = {"parcels.geojson": {"layer": layer, "colour": "#e41a1c", "column": "用地",
                                                            "scheme": None, "k": 5}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    shown = map_args(at)["feature_group"]
    assert "⬚ parcels.geojson #1 · A-01 · 用地=商务" in shown and "⬚ parcels.geojson #2 · B-07 · 用地=–" in shown


def _app_with_a_layer_over_the_vector_limit() -> tuple[int, AppTest]:
    """The app with one more parcel than the vector limit, added to the session as the upload adds it."""
    from geo.userlayer import load_user_layer
    from ui.upload import VECTOR_LIMIT

    rows = VECTOR_LIMIT + 1
    table = "lon,lat,编号\n" + "\n".join(f"{116.45 + i * 1e-5:.5f},{39.91 + (i % 50) * 1e-4:.4f},P{i}"
                                          for i in range(rows))
    layer = load_user_layer("parcels.csv", table.encode(), crs="EPSG:4326")
    at = _app()
    at.session_state["user_layers"] = {"parcels.csv": {"layer": layer, "colour": "#e41a1c", "column": None,
                                                        "scheme": None, "k": 5}}
    return rows, at


def test_a_layer_above_the_vector_limit_is_drawn_as_an_image_and_says_so():
    rows, at = _app_with_a_layer_over_the_vector_limit()
    at.run()
    assert not at.exception
    assert "planmap.addImage(" in map_args(at)["feature_group"] and not _user_fids(at)
    assert any(f"{rows} 个要素" in caption.value for caption in at.sidebar.caption)


def test_the_site_check_list_of_a_big_layer_is_labelled_in_one_pass(monkeypatch):
    """The list offers a big layer's first PICK_LIST_LIMIT features; labelling them one pandas pass each cost
    every rerun with such a layer tens of seconds on the shared 2-core machine (seen in the 1 000 000-parcel bench)."""
    import ui.upload as upload_module

    rows, at = _app_with_a_layer_over_the_vector_limit()
    calls = []
    real = upload_module.tooltips
    monkeypatch.setattr(upload_module, "tooltips", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    at.run()
    assert not at.exception
    assert len(calls) <= 2, f"{len(calls)} passes over the layer in one rerun"
    box = at.selectbox(key="user_pick_box")
    assert len(box.options) == upload_module.PICK_LIST_LIMIT
    assert box.options[0] == "⬚ parcels.csv #1 · P0" and box.options[-1] == f"⬚ parcels.csv #{rows - 1} · P{rows - 2}"


def _headers(frame) -> list[str]:
    """The headers a table shows: its columns' labels where set (column config), else the column names."""
    labels = {name: config.get("label") for name, config in json.loads(frame.proto.columns or "{}").items()}
    return [labels.get(column) or column for column in frame.value.columns]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_site_check_tables_have_headers_in_the_chosen_language(lang, tmp_path):
    at = _app()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    at = _upload(at, fx.dxf_gk_cm117(tmp_path))
    at.selectbox(key="upload_crs").set_value("EPSG:4548").run()
    at.button(key="upload_add").click().run()
    at.selectbox(key="user_pick_box").set_value(("red_line.dxf", 1)).run()
    assert not at.exception
    raw = {"relation", "name_zh", "name_en", "id", "share", "distance_m", "layer", "title_zh", "title_en", "via",
           "via_places", "status", "doc_id", "quote"}
    tables = [frame for frame in at.dataframe if {"relation", "via"} & set(frame.value.columns)]
    assert len(tables) == 2, [list(frame.value.columns) for frame in at.dataframe]  # places, tasks
    for frame in tables:
        headers = _headers(frame)
        assert not raw & set(headers), headers
        if lang == "zh":
            assert all(re.search(r"[\u4e00-\u9fff]", header) for header in headers), headers
    assert "关系" in _headers(tables[0]) if lang == "zh" else "Relation" in _headers(tables[0])


def test_site_check_values_read_in_chinese(tmp_path):
    """Not only the headers: the relation, reason, status and layer cells are words of the reader's language."""
    at = _upload(_app(), fx.dxf_gk_cm117(tmp_path))
    at.selectbox(key="upload_crs").set_value("EPSG:4548").run()
    at.button(key="upload_add").click().run()
    assert at.selectbox(key="user_pick_box").proto.placeholder == "选择要素，或在地图上点击"  # not "Choose an option"
    at.selectbox(key="user_pick_box").set_value(("red_line.dxf", 1)).run()
    places, tasks = [frame.value for frame in at.dataframe if {"relation", "via"} & set(frame.value.columns)]
    raw = {"in", "crosses", "near", "structure", "part_of", "not_reported", "in_progress", "completed", "opened"}
    for column in ("relation", "layer"):
        assert not raw & set(places[column]), places[column].tolist()
        assert all(re.search(r"[\u4e00-\u9fff]", value) for value in places[column]), places[column].tolist()
    for column in ("via", "status"):
        assert not raw & set(tasks[column]), tasks[column].unique().tolist()
    assert any(caption.value.startswith("EPSG:4548") and "面积" in caption.value and "area_m2" not in caption.value
               for caption in at.caption), [caption.value for caption in at.caption]


def test_site_check_places_show_a_share_or_a_distance_and_never_none(tmp_path):
    """A place the site lies in has a share and no distance; one nearby the other way round: the cell with
    no value is empty (Streamlit drew it as a grey "None"), and the value reads as a reader writes it."""
    at = _upload(_app(), fx.dxf_gk_cm117(tmp_path))
    at.selectbox(key="upload_crs").set_value("EPSG:4548").run()
    at.button(key="upload_add").click().run()
    at.selectbox(key="user_pick_box").set_value(("red_line.dxf", 1)).run()
    places = next(frame.value for frame in at.dataframe if "relation" in frame.value.columns)
    assert places[["share", "distance_m"]].notna().all().all(), places
    assert all(re.fullmatch(r"(\d+%)?", value) for value in places["share"]), places["share"].tolist()
    assert all(re.fullmatch(r"([\d,]+ m)?", value) for value in places["distance_m"]), places["distance_m"].tolist()
    assert (places["share"] != "").any() and (places["distance_m"] != "").any()


def test_a_big_layer_is_prepared_while_it_is_read_and_added_without_drawing_it_again(tmp_path, monkeypatch):
    """Its shapes are projected, indexed and drawn once, while the sidebar reads it; 加入地图 only colours them
    (drawing 1 000 000 parcels after the press took most of the planner's wait for the map)."""
    from layers.mercator import MercatorShapes
    from ui.upload import VECTOR_LIMIT

    made = []
    real_init = MercatorShapes.__init__
    monkeypatch.setattr(MercatorShapes, "__init__", lambda self, frame: made.append(len(frame)) or real_init(self, frame))
    rows = VECTOR_LIMIT + 1
    path = tmp_path / "parcels.csv"
    path.write_text("lon,lat,编号\n" + "\n".join(f"{116.45 + i * 1e-5:.5f},{39.91 + (i % 50) * 1e-4:.4f},P{i}"
                                                 for i in range(rows)), encoding="utf-8")
    at = _upload(_app(), path)
    assert made == []  # lon/lat without a label: the system is asked for first
    at.selectbox(key="upload_crs").set_value("EPSG:4326").run()
    assert made == [rows]
    at.button(key="upload_add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    entry = at.session_state["user_layers"]["parcels.csv"]
    assert made == [rows] and "_image_wgs84" in entry and isinstance(entry["_shapes_wgs84"], MercatorShapes)
    assert "planmap.addImage(" in map_args(at)["feature_group"]


ENGLISH_WORDS = re.compile(r"\b(features?|coordinate|system|the|file|from|layers?|encoding|read|chosen|named|matched|"
                           r"offset|approximate|dropped|heights?|text|points?|columns?|says|choose|published)\b", re.I)


def _upload_captions(at: AppTest) -> list[str]:
    """What the 添加图层 section says about the file read (its captions and warnings)."""
    section = next(e for e in at.sidebar.expander if e.label in ("添加图层", "Add layer"))
    return [c.value for c in section.caption] + [w.value for w in section.warning]


@pytest.mark.parametrize("fixture, crs", [(fx.shapefile_gbk_xian80, None), (fx.geojson_gcj02, None),
                                          (fx.dxf_gk_cm117, None), (fx.dxf_gk_cm117, "EPSG:4548")])
def test_what_was_read_and_decided_reads_in_chinese(fixture, crs, tmp_path):
    """Issue 13 item 6: the lines on the format, features, coordinate system, encoding and offsets were English
    only in Chinese mode; so was the question for a system that cannot be told."""
    at = _upload(_app(), fixture(tmp_path))
    if crs is not None:
        at.selectbox(key="upload_crs").set_value(crs).run()
    captions = _upload_captions(at)
    assert len(captions) >= (1 if at.sidebar.warning else 2), captions
    english = [caption for caption in captions if ENGLISH_WORDS.search(caption)]
    assert not english, english
    assert all(re.search(r"[\u4e00-\u9fff]", caption) for caption in captions), captions


@pytest.mark.parametrize("fixture", [fx.shapefile_gbk_xian80, fx.geojson_gcj02])
def test_what_was_read_and_decided_reads_in_english(fixture, tmp_path):
    at = _app()
    at.radio(key="lang").set_value("en").run()
    captions = _upload_captions(_upload(at, fixture(tmp_path)))
    assert any(re.search(r"\d+ features", caption) for caption in captions), captions
    assert any(caption.startswith("coordinate system: ") for caption in captions), captions
    names = r"地块|高德/腾讯|百度"  # the file's layer name; the offset systems' makers, named as they are known
    assert not [caption for caption in captions if re.search(r"[\u4e00-\u9fff]", re.sub(names, "", caption))], captions


def test_a_file_that_cannot_be_read_says_so_in_chinese(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip")
    at = _upload(_app(), path)
    assert [e.value for e in at.sidebar.error] == ["broken.zip：不是 zip 压缩文件"]


def _upload_bytes(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_path_traversal_zip_is_refused_naming_file_and_entry(tmp_path):
    at = _upload_bytes(_app(), "site.zip", fx.zip_traversal(fx.kml_wgs84(tmp_path)))
    assert [e.value for e in at.sidebar.error] == [
        "site.zip：条目 '../../etc/site.kml'：条目会写到压缩包目录之外（路径穿越）；已拒绝"]


def test_a_zip_bomb_and_an_oversized_file_are_refused_in_one_unit(monkeypatch):
    at = _upload_bytes(_app(), "parcels.zip", fx.zip_bomb())
    [message] = [e.value for e in at.sidebar.error]
    assert message.startswith("parcels.zip：由 0.02 MB 解压后为 20.0 MB（疑似压缩炸弹）；已拒绝"), message
    monkeypatch.setenv("PLANMAP_MAX_LAYER_MB", "0.01")
    at.run()  # the uploader is made anew for its new limit (the browser's check), as on a server started so
    at = _upload_bytes(at, "big.zip", fx.zip_bomb())
    assert [e.value for e in at.sidebar.error] == ["big.zip：文件大小 0.0 MB，超过上限 0.0 MB（PLANMAP_MAX_LAYER_MB）；未读取"]


def test_malformed_json_names_the_file_and_line_not_a_temporary_path():
    data = fx.geojson_text([fx.twin_feature()]).replace(b'"id": "A-01"', b'"id": }')
    at = _upload_bytes(_app(), "红线.geojson", data)
    assert [e.value for e in at.sidebar.error] == ["红线.geojson：JSON 格式错误，第 2 行第 42 列（Expecting value）"]


def test_a_geometry_collection_is_in_the_repair_report_and_drawn_as_its_parts():
    at = _upload_bytes(_app(), "红线.geojson", fx.geojson_text([fx.collection_feature()]))
    assert "未发现问题" not in [c.value for c in at.caption]
    report = next(frame.value for frame in at.dataframe if "problem" in frame.value.columns)
    assert list(report["problem"]) == ["几何集合", "几何类型混杂"] and set(report["feature_id"]) == {"bag"}
    at.button(key="upload_add").click().run()
    assert not at.exception
    assert sorted(f["geometry"]["type"] for f in _user_features(at)) == ["Point", "Polygon"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_size_limit_is_said_in_the_chosen_language_before_a_file_is_chosen(lang):
    """One number: the server's upload cap (.streamlit/config.toml), the browser's refusal and our own check."""
    import tomllib

    from geo.archives import MB, max_layer_bytes
    from geo.paths import ROOT

    configured = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = configured["server"]["maxUploadSize"]
    at = _app()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    assert max_layer_bytes() == limit * MB
    assert at.file_uploader(key="upload_file").proto.max_upload_size_mb == limit
    said = "单个文件不超过 {} MB" if lang == "zh" else "Files up to {} MB"
    assert said.format(limit) in [c.value for c in at.sidebar.caption]


def test_a_configured_limit_is_the_one_the_browser_and_the_caption_use(monkeypatch):
    monkeypatch.setenv("PLANMAP_MAX_LAYER_MB", "20")
    at = _app()
    assert at.file_uploader(key="upload_file").proto.max_upload_size_mb == 20
    assert "单个文件不超过 20 MB" in [c.value for c in at.sidebar.caption]


def test_the_servers_upload_cap_follows_a_configured_layer_limit(monkeypatch):
    from streamlit import config

    from ui.asgi import follow_layer_limit

    before = config.get_option("server.maxUploadSize")
    monkeypatch.setenv("PLANMAP_MAX_LAYER_MB", "20")
    try:
        follow_layer_limit()
        assert config.get_option("server.maxUploadSize") == 20
    finally:
        config.set_option("server.maxUploadSize", before)
