"""The Streamlit app driven headless with AppTest (no browser): layer toggles, place details, language,
URL state, bad URL values, and the escaping that keeps data text from becoming markup.

The map itself is a custom component; AppTest exposes it as an ``UnknownElement`` whose proto carries the
arguments st_folium sent (``json_args``). ``feature_group`` there is the JavaScript that adds the overlay
groups, with each group's GeoJSON inlined, so the tests read the feature ids the map would draw from it.
"""
from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.describe import describe
from geo.monitoring import FLAGS as FLAGS_ORDER
from geo.places import load_places
from geo.plan import load_manifest, load_plan
from layers import interactive
from layers.basemaps import available_basemaps
from layers.catalog import layer_frame, load_catalog
from layers.i18n import FLAGS, STATUS, pick, t
from layers.safe_text import markdown_inert
from tests.html_tables import read_tables, shown_tables
from ui.panels import GROUP_KEY, _listed_task_rows, _plain, task_rows
from tests.app_page import whole_page

MAP_COMPONENT = "streamlit_folium.st_folium"
EVIL = "<img src=x onerror=alert(1)>"


def run_app(**params: str) -> AppTest:
    at = whole_page(60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def map_args(at: AppTest) -> dict:
    maps = [el for el in at.get("component_instance") if el.proto.component_name == MAP_COMPONENT]
    assert len(maps) == 1, "expected exactly one st_folium map"
    return json.loads(maps[0].proto.json_args)


def drawn_layers(at: AppTest) -> tuple[list[set[str]], set[str]]:
    """Feature ids of each layer in the order the map draws them, and the ids drawn highlighted on top
    (AppTest has no server, so the data is inline in the script)."""
    script = map_args(at)["feature_group"]
    decoder = json.JSONDecoder()
    layers, highlighted = [], set()
    # one call per layer: `planmap.addGeoJson(feature_group_feature_group_0, {...collection}, {...options});`
    for match in re.finditer(r"planmap\.addGeoJson\(feature_group_feature_group_0, ", script):
        data, end = decoder.raw_decode(script, match.end())
        options, _end = decoder.raw_decode(script, end + len(", "))
        fids = {f["properties"]["fid"] for f in data["features"]}
        if "only" in options:
            highlighted |= fids & set(options["only"])
        else:
            assert not highlighted, "a layer drawn above the highlight"
            layers.append(fids)
    return layers, highlighted


def expected_groups(layer_ids: list[str]) -> list[set[str]]:
    return [set(layer_frame(spec)["id"].astype(str)) for spec in load_catalog().resolve(layer_ids)]


def panel_labels(at: AppTest) -> list[str]:
    """The labels of the panel switch below the map (tasks, indicators, export)."""
    switch = [el for el in at.get("button_group") if el.proto.id.endswith("-panel")]
    return [option.content for option in switch[0].proto.options]


def ticked(at: AppTest) -> set[str]:
    return {box.key.removeprefix("layer_") for box in at.checkbox if box.key.startswith("layer_") and box.value}


def open_task_groups(at: AppTest) -> None:
    """Open every task group of the details panel, as a planner clicks each (a folded group's table is drawn
    once it is opened)."""
    for key in [key for key in at.session_state if str(key).startswith(GROUP_KEY + "_")]:
        at.session_state[key] = True
    at.run()


def details_tasks(at: AppTest) -> pd.DataFrame:
    """The details panel's tasks: every group's table (the HTML tables with a "why it is listed" column), all
    groups opened."""
    open_task_groups(at)
    tables = [frame for frame in shown_tables(at) if {"关联", "Link"} & set(frame.columns)]
    assert tables, "details panel shows no task table"
    return pd.concat(tables, ignore_index=True)


def facts(at: AppTest) -> dict[str, str]:
    """The details panel's fact table: the first two-column table (label, value)."""
    for frame in shown_tables(at):
        if frame.shape[1] == 2:
            return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1]))
    raise AssertionError("details panel shows no fact table")


# (a) toggling a layer ---------------------------------------------------------------------------------

def test_unticking_a_layer_changes_the_layers_handed_to_the_map():
    catalog = load_catalog()
    defaults = catalog.default_visible()
    at = run_app()
    assert ticked(at) == set(defaults)
    assert at.query_params["layers"] == ",".join(defaults)
    before = map_args(at)
    assert drawn_layers(at) == (expected_groups(defaults), set())

    at.checkbox(key="layer_cbd_streets").uncheck().run()
    assert not at.exception
    remaining = [layer_id for layer_id in defaults if layer_id != "cbd_streets"]
    assert at.query_params["layers"] == ",".join(remaining)
    after = map_args(at)
    assert drawn_layers(at) == (expected_groups(remaining), set())
    street_ids = set(layer_frame(catalog.layers["cbd_streets"])["id"])
    assert not street_ids & set().union(*drawn_layers(at)[0])
    # Only the overlays changed: the base map script (what makes st_folium rebuild the map) is identical.
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"feature_group"}, changed
    # The overlay builder agrees with what was sent.
    basemap = available_basemaps({})["offline"]
    assert len(interactive.build_overlays(remaining, "zh", basemap).layers) == len(remaining)

    at.checkbox(key="layer_cbd_streets").check().run()
    assert at.query_params["layers"] == ",".join(defaults)
    assert drawn_layers(at) == (expected_groups(defaults), set())


# (b) a selected area lists its tasks ------------------------------------------------------------------

@pytest.mark.parametrize(("place", "task_id", "title"), [
    ("cbd_core", "t000_3_1_1", "提升“一核”"),
    ("st_shuangjing", "t000_3_1_2", "强化“两轴”"),
])
def test_selected_area_lists_its_tasks(place, task_id, title):
    at = run_app(place=place)
    assert at.session_state["place"] == place
    tasks = details_tasks(at)
    assert task_id in set(tasks["id"])
    assert title in set(tasks[t("tasks", "zh")])
    name_zh = load_places().set_index("id").loc[place, "name_zh"]
    assert any(md.value.startswith(f"**{_plain(name_zh)}**") for md in at.markdown)
    assert at.query_params["place"] == place
    # The map draws the default layers and, last, the selected place highlighted.
    assert drawn_layers(at) == (expected_groups(load_catalog().default_visible()), {place})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_details_show_measured_beside_official_area_and_that_the_outline_is_schematic(lang):
    at = run_app(place="cbd_zone", lang=lang)
    facts = shown_tables(at)[0]
    values = dict(zip(facts.iloc[:, 0], facts.iloc[:, 1]))
    note = values[t("official", lang)]
    assert ("实测" in note and "官方 84 km²" in note) if lang == "zh" else ("measured" in note and "official 84 km²" in note)
    assert values[t("schematic", lang)] in ("边界为示意，非法定界线", "Boundaries are schematic, not legal boundaries")
    assert "GPL" in values[t("licence", lang)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_details_tables_are_html_tables_a_screen_reader_reads(lang):
    """The details column's tables are real HTML tables (no canvas grid): each named by a caption, its column
    headers (and the facts' row labels) announced with each cell, the same rows and columns as before."""
    at = run_app(place="st_shuangjing", lang=lang)
    assert not at.dataframe  # no st.dataframe in the details (the task panel is closed)
    opened = [expander.proto.expanded for expander in at.main.expander]
    drawn = [frame for frame in shown_tables(at) if "id" in frame.columns]
    assert 0 < len(drawn) == sum(opened) < len(opened)  # the folded groups' rows are not sent until opened
    open_task_groups(at)
    tables = [(caption, frame, element.value) for element in at.get("html")
              for caption, frame in read_tables(element.value)]
    report = describe("st_shuangjing")
    name = report.name_zh if lang == "zh" else report.name_en
    facts_caption, facts_frame, facts_html = tables[0]
    assert facts_caption == name and list(facts_frame.columns) == (["项目", "内容"] if lang == "zh" else ["Item", "Value"])
    assert facts_html.count('<th scope="row">') == len(facts_frame)
    groups = [(caption, frame) for caption, frame, _ in tables if "id" in frame.columns]
    assert [caption for caption, _ in groups] == [expander.label for expander in at.main.expander]
    listed = _listed_task_rows(report, report.tasks, load_manifest(), lang)
    assert all(list(frame.columns) == list(listed.columns) for _, frame in groups)
    shown = pd.concat([frame for _, frame in groups]).sort_values("id").reset_index(drop=True)
    as_text = listed.map(lambda value: "" if value is None or value != value else str(value))
    pd.testing.assert_frame_equal(shown, as_text.sort_values("id").reset_index(drop=True), check_dtype=False)
    assert all('<th scope="col">' in html and "<caption>" in html for _, _, html in tables)


def _feature_details_page() -> None:
    from geo.places import load_places
    from geo.plan import load_manifest, load_plan
    from ui.feature_details import feature_details

    assert feature_details("circle_chaowai", "cbd_circles", load_plan(), load_places(), load_manifest(), "zh")


def test_a_features_details_are_html_tables_too():
    """The details of a drawn feature outside the plan's places: its facts and the tasks naming it, as HTML."""
    at = AppTest.from_function(_feature_details_page, default_timeout=60).run()
    assert not at.exception and not at.dataframe
    (facts_caption, facts), (tasks_caption, tasks) = [found for element in at.get("html")
                                                      for found in read_tables(element.value)]
    assert facts_caption == "朝外商圈" and facts.iloc[0].tolist() == ["图层", load_catalog().layers["cbd_circles"].title("zh")]
    named = load_plan().tasks["places"].str.split(";").map(lambda places: "circle_chaowai" in places)
    assert tasks_caption == f"{t('tasks', 'zh')} ({named.sum()})"
    assert set(tasks["id"]) == set(load_plan().tasks.loc[named, "id"])


def test_details_group_tasks_by_reason_specific_first():
    """双井: its own tasks open first, then the (short) group of lines crossing it, then zone-, district- and
    city-wide groups folded away, each with its count."""
    at = run_app(place="st_shuangjing")
    report = describe("st_shuangjing")
    labels = [expander.label for expander in at.main.expander]
    expanded = [expander.proto.expanded for expander in at.main.expander]
    own = report.tasks["via"].isin(["direct", "inside"]).sum()
    assert labels[0] == f"{t('own_and_inside', 'zh')} ({own})" and expanded[0]
    crossing = (report.tasks["via"] == "crossing").sum()
    assert labels[1] == f"{t('via_crossing', 'zh')} ({crossing})" and expanded[1] == (crossing <= 10)
    zone_wide = t("wide_tasks", "zh").format(place="CBD功能区")
    assert any(label.startswith(zone_wide + " (") for label in labels)
    wide_prefixes = tuple(t("wide_tasks", "zh").split("{place}")[1:]) or ("范围的任务",)
    assert not any(open_ for label, open_ in zip(labels, expanded) if any(w in label for w in wide_prefixes))
    assert sum(int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels) == len(report.tasks)
    tasks = details_tasks(at)
    assert len(tasks) == len(report.tasks)
    line28 = tasks[tasks["关联"].str.contains("地铁28号线")]
    assert not line28.empty and line28["关联"].str.startswith("任务提及穿越本地的").all()
    at.radio(key="lang").set_value("en").run()
    assert any(label.startswith("Tasks for all of CBD functional zone (") for label in (e.label for e in at.main.expander))
    assert details_tasks(at)["Link"].str.startswith("the task names").all()


def test_details_show_indicator_flags_and_the_indicators_panel_sorts_by_them():
    at = run_app(place="cbd_core")
    flags = [frame for frame in shown_tables(at) if "预警" in frame.columns]
    assert flags and set(flags[0]["预警"]) <= {pick(pair, "zh") for pair in FLAGS.values()}
    assert {"基期", "最新", "目标", "完成进度"} <= set(flags[0].columns)
    at = run_app(panel="indicators")
    at.radio(key="ind_sort").set_value("flag").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "预警" in df.value.columns)
    order = {pick(pair, "zh"): rank for rank, pair in enumerate(FLAGS[flag] for flag in FLAGS_ORDER)}
    ranks = table["预警"].map(order).tolist()
    assert ranks == sorted(ranks) and len(set(ranks)) > 1


def test_a_map_click_selects_the_shape_in_the_same_run():
    """streamlit-folium stores the clicked shape's tooltip under the map's key before the run it triggers."""
    at = run_app()
    basemap = available_basemaps({})["offline"]
    tip = dict((fid, tip) for tip, fid in interactive._tooltip_index("cbd_streets", "zh", basemap.datum))
    at.session_state["planmap"] = {"last_object_clicked_tooltip": tip["st_shuangjing"] + " "}
    at.run()
    assert not at.exception
    assert at.query_params["place"] == "st_shuangjing"
    assert drawn_layers(at)[1] == {"st_shuangjing"}
    at.session_state["planmap"] = {"last_object_clicked_tooltip": "nothing drawn has this tooltip"}
    at.run()
    assert at.query_params["place"] == "st_shuangjing"  # an unknown tooltip changes nothing


# (c) language toggle ----------------------------------------------------------------------------------

def layer_labels(at: AppTest) -> dict[str, str]:
    """Each layer checkbox's label: the layer's name only (its swatch is CSS, unseen by screen readers)."""
    labels = {}
    for box in at.checkbox:
        assert "data:" not in box.label, box.label
        labels[box.key] = box.label
    return labels


def test_language_toggle_changes_labels():
    catalog = load_catalog()
    at = run_app()
    assert at.title[0].value == "北京规划一张图"
    badge = {"zh": "（示意）", "en": " (schematic)"}  # plain words: the label is also the box's aria-label
    assert layer_labels(at) == {f"layer_{i}": s.title_zh + (badge["zh"] if s.schematic else "")
                                for i, s in catalog.layers.items()}

    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Plan Map — Beijing planning zones"
    assert layer_labels(at) == {f"layer_{i}": s.title_en + (badge["en"] if s.schematic else "")
                                for i, s in catalog.layers.items()}
    assert panel_labels(at) == ["Tasks", "Indicators", "Compare", "Export"]
    assert at.query_params["lang"] == "en"


# (d) the URL restores a view --------------------------------------------------------------------------

def test_url_parameters_restore_a_view():
    at = run_app(lang="en", basemap="offline", layers="cbd_core,rail_operating", place="rail_28")
    assert at.radio(key="lang").value == "en"
    assert at.radio(key="basemap").value == "offline"
    assert ticked(at) == {"cbd_core", "rail_operating"}
    # The chosen layers, then the highlight of the selected place.
    assert drawn_layers(at) == (expected_groups(["cbd_core", "rail_operating"]), {"rail_28"})
    assert at.title[0].value == "Plan Map — Beijing planning zones"

    line = load_places().set_index("id").loc["rail_28"]
    shown = facts(at)
    assert shown[t("status", "en")] == pick(STATUS.get(line["status"]), "en", line["status"])
    assert shown[t("status_as_of", "en")] == str(line["status_as_of"])
    assert any(md.value.startswith(f"**{_plain(line['name_en'])}**") for md in at.markdown)
    assert len(details_tasks(at)) > 0
    # The view round-trips: the app writes back what it read.
    assert dict(at.query_params) == {"lang": "en", "basemap": "offline", "layers": "cbd_core,rail_operating",
                                         "place": "rail_28"}


# (e) bad URL values -----------------------------------------------------------------------------------

def test_unknown_place_and_layers_are_reported_and_the_page_still_renders():
    at = run_app(place="no_such_place", layers="cbd_core,bogus_layer,rail_operating,zzz")
    errors = [e.value for e in at.error]
    assert errors == [t("unknown_place", "zh") + markdown_inert("no_such_place")]
    warnings = [w.value for w in at.warning]
    assert warnings == [t("unknown_layer", "zh") + markdown_inert("bogus_layer, zzz")]
    # Known layers kept, unknown ones ignored everywhere (and nothing highlighted for the unknown place).
    assert ticked(at) == {"cbd_core", "rail_operating"}
    assert at.query_params["layers"] == "cbd_core,rail_operating"
    assert drawn_layers(at) == (expected_groups(["cbd_core", "rail_operating"]), set())
    # The rest of the page is there.
    assert at.title[0].value == "北京规划一张图"
    assert panel_labels(at) == ["任务", "指标", "对比分析", "导出"]
    assert not any((df.key or "").startswith("task_table") for df in at.dataframe)  # no panel open until asked


def test_unknown_language_and_basemap_fall_back_to_defaults():
    at = run_app(lang="xx", basemap="nope")
    assert at.radio(key="lang").value == "zh"
    assert at.radio(key="basemap").value == "offline"
    assert at.query_params["lang"] == "zh" and at.query_params["basemap"] == "offline"


# (f) data text stays text -----------------------------------------------------------------------------

@pytest.fixture
def evil_cbd_core(monkeypatch, request):
    """cbd_core's features renamed to a script-injection string, or to the text given by indirect
    parametrisation (the layer caches are cleared around it)."""
    name = getattr(request, "param", EVIL)
    real = interactive.layer_frame

    def fake(spec):
        frame = real(spec)
        if spec.id == "cbd_core":
            frame["name_zh"] = name
            frame["name_en"] = name
        return frame

    caches = (interactive._layer_geojson, interactive._layer_source, interactive._tooltip_index)
    for cache in caches:
        cache.cache_clear()
    monkeypatch.setattr(interactive, "layer_frame", fake)
    yield name
    for cache in caches:
        cache.cache_clear()


def test_tooltips_are_escaped_before_reaching_the_page(evil_cbd_core):
    basemap = available_basemaps({})["offline"]
    raw = interactive._layer_geojson("cbd_core", "zh", basemap.datum)
    assert "<" not in raw and ">" not in raw
    tips = [f["properties"]["tip"] for f in json.loads(raw)["features"]]
    assert tips and all(tip.startswith(html.escape(EVIL)) for tip in tips)

    overlays = interactive.build_overlays(["cbd_core"], "zh", basemap)
    fmap = interactive.base_map(basemap)
    overlays.add_to(fmap)
    page = fmap.get_root().render()
    assert EVIL not in page and "<img" not in page
    # A click reports the tooltip's innerText (the unescaped text); it still finds the feature.
    clicked = html.unescape(tips[0])
    assert interactive.feature_by_tooltip(clicked, ["cbd_core"], "zh", basemap.datum) == ("cbd_core", "cbd_core")


JINJA = "{{ 7*7 }} {% if %} {# x"


@pytest.mark.parametrize("evil_cbd_core", [JINJA], indirect=True)
def test_template_syntax_in_data_is_kept_as_text(evil_cbd_core):
    """folium passes rendered scripts through Jinja again; inline data must survive that unchanged."""
    basemap = available_basemaps({})["offline"]
    overlays = interactive.build_overlays(["cbd_core"], "zh", basemap)
    fmap = interactive.base_map(basemap)
    overlays.add_to(fmap)
    page = fmap.get_root().render()  # raised TemplateSyntaxError before the data was escaped for Jinja
    start = page.index("planmap.addGeoJson(") + len("planmap.addGeoJson(")
    data, _end = json.JSONDecoder().raw_decode(page, page.index(", ", start) + 2)
    assert data["features"][0]["properties"]["tip"].startswith(html.escape(JINJA))  # not evaluated: no "49"


def test_panel_text_is_markdown_inert():
    plain = _plain(EVIL)
    assert re.search(r"(?<!\\)[<>()]", plain) is None, plain
    assert plain.replace("\\", "") == EVIL
    assert _plain("CBD中心区") == "CBD中心区"


def test_task_titles_reach_the_table_as_plain_strings():
    tasks = pd.DataFrame({"id": ["x1"], "title_zh": [EVIL], "title_en": [EVIL], "doc_id": ["d"],
                          "section_path": ["s"], "theme": ["spatial"], "status": ["planned"], "deadline": [""],
                          "quote": [EVIL], "places": ["cbd_core"]})
    rows = task_rows(tasks, {"cbd_core": "CBD"}, pd.DataFrame({"short_zh": {}, "short_en": {}}), "zh")
    assert rows[t("tasks", "zh")].tolist() == [EVIL]


def test_panel_opens_from_the_url_and_lists_every_task():
    at = run_app(panel="tasks")
    table = [df.value for df in at.dataframe if (df.key or "").startswith("task_table")]
    assert len(table) == 1 and len(table[0]) == len(load_plan().tasks)
    assert at.query_params["panel"] == "tasks"
    other = run_app(panel="indicators")
    assert not any((df.key or "").startswith("task_table") for df in other.dataframe)
    assert any("表1" in md.value for md in other.markdown)


def test_task_filters_survive_closing_the_panel():
    at = run_app(panel="tasks")
    at.multiselect(key="f_status").set_value(["in_progress"]).run()
    filtered = len(next(df.value for df in at.dataframe if (df.key or "").startswith("task_table")))
    assert 0 < filtered < len(load_plan().tasks)
    at.button_group(key="panel").set_value(None).run()
    assert not any((df.key or "").startswith("task_table") for df in at.dataframe)
    at.button_group(key="panel").set_value("tasks").run()
    assert not at.exception
    assert at.multiselect(key="f_status").value == ["in_progress"]
    assert len(next(df.value for df in at.dataframe if (df.key or "").startswith("task_table"))) == filtered


def test_a_task_in_the_link_is_named_and_highlighted():
    at = run_app(panel="tasks", task="t000_5_2_1")  # 构建绿色畅行交通网络: lines 17, 28, 22 and the NE ring
    assert any(md.value.startswith("**已选任务**: 构建绿色畅行交通网络") for md in at.markdown)
    _layers, highlighted = drawn_layers(at)
    assert {"rail_17", "rail_28", "rail_22", "rail_ne_ring"} <= highlighted
    # The map opens on the task's places (a plain link keeps the home view).
    assert map_args(at)["center"] is not None and map_args(at)["zoom"] >= 9
    assert map_args(run_app())["center"] is None


def test_details_offer_the_same_answer_as_the_command_line():
    """One answer for one question: the panel's download is describe_dict, as `python -m layers describe` prints."""
    at = run_app(place="st_shuangjing")
    button = at.get("download_button")[0]
    assert button.proto.label == t("download_answer", "zh") and button.proto.url


def test_compare_puts_two_places_side_by_side():
    at = run_app(panel="compare")
    frames = [df.value for df in at.dataframe]
    facts = frames[0]
    assert list(facts.columns) == ["项目", "CBD中心区", "城市副中心"]
    themes = frames[1]
    assert len(themes) > 3 and all("/" in cell for cell in themes["CBD中心区"])
