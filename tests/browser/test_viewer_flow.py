"""The planner's core flow in the real app (server.py) in headless Chromium, one test per defect of issue 13:
a selection outline never takes the mouse, a selection can be cleared (Esc, ✕, a click on no feature), every
clickable feature opens its details, a task is picked by id, online tiles show (and say when they cannot
load), and the view, filters and selection live in the link (reload, basemap switch, Back)."""
from __future__ import annotations

import re

import pytest

from layers.catalog import layer_frame, load_catalog
from tests.browser.test_app_browser import (
    CBD_POINT, FIND_MAP, HIGHLIGHT, HIT, MAP_IFRAME, SHAPES, TIMEOUT_S, VIEW, location, open_app, panel_text, screenshot,
    wait_until, zoom_to,
)

pytestmark = pytest.mark.browser
ON_APP = pytest.mark.parametrize("app_script", ["server.py"], indirect=True)


def param(page, name: str) -> str | None:
    return page.evaluate(f"() => new URLSearchParams(location.search).get({name!r})")


def click_at(page, frame, name: str, lat: float, lng: float) -> dict:
    hit = frame.evaluate(HIT, [name, lat, lng])
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    return hit


def highlighted(frame) -> int:
    return frame.locator(f'{SHAPES}[stroke="{HIGHLIGHT}"], path[stroke="{HIGHLIGHT}"]').count()


@ON_APP
def test_selected_zone_does_not_hide_the_core_inside_it(streamlit_server, page, page_errors, capsys):
    frame, name = open_app(page, streamlit_server, "?place=cbd_zone")
    wait_until(lambda: highlighted(frame) == 1, "the zone's outline")
    zoom_to(page, frame, name, *CBD_POINT, zoom=14)
    # The outline (also a shape of cbd_zone) is not what the mouse meets. Polled, re-reading the map frame and
    # re-centring each time: the view change reruns the page (the view goes into the link), which can redraw
    # the map frame under a slow machine (clean-clone runs met no shape there).
    def core_under_point() -> bool:
        nonlocal frame, name
        frame = page.locator(MAP_IFRAME).element_handle().content_frame()
        name = frame.evaluate(FIND_MAP)
        frame.evaluate(f"(n) => window[n].setView([{CBD_POINT[0]}, {CBD_POINT[1]}], 14, {{animate: false}})", name)
        return frame.evaluate(HIT, [name, *CBD_POINT])["fid"] == "cbd_core"

    wait_until(core_under_point, "the core under the point", settle=0.5)
    click_at(page, frame, name, *CBD_POINT)
    wait_until(lambda: param(page, "place") == "cbd_core", "place=cbd_core after clicking inside the zone")
    wait_until(lambda: "提升“一核”" in panel_text(page), "the core's tasks")
    assert page_errors == []


@ON_APP
def test_esc_cross_and_a_click_on_no_feature_clear_the_selection(streamlit_server, page, page_errors, capsys):
    # Without the district layer, most of the map is empty.
    frame, name = open_app(page, streamlit_server, "?layers=cbd_core&place=cbd_core")
    wait_until(lambda: highlighted(frame) == 1, "the core's outline")
    frame.evaluate("(n) => window[n].getContainer().focus()", name)
    page.keyboard.press("Escape")
    wait_until(lambda: param(page, "place") is None, "Esc cleared the place")
    wait_until(lambda: highlighted(frame) == 0, "no outline after Esc")

    frame.evaluate("(n) => window[n].setView([39.915, 116.466], 13, {animate: false})", name)
    click_at(page, frame, name, *CBD_POINT)
    wait_until(lambda: param(page, "place") == "cbd_core", "the core selected again")
    page.get_by_role("button", name=re.compile("✕")).click()
    wait_until(lambda: param(page, "place") is None, "✕ cleared the place")

    click_at(page, frame, name, *CBD_POINT)
    wait_until(lambda: param(page, "place") == "cbd_core", "the core selected again")
    page.get_by_role("heading", name="北京规划一张图").click()  # the focus leaves the map
    page.keyboard.press("Escape")
    wait_until(lambda: param(page, "place") is None, "Esc outside the map cleared the place")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"

    click_at(page, frame, name, *CBD_POINT)
    wait_until(lambda: param(page, "place") == "cbd_core", "the core selected a third time")
    empty = frame.evaluate(HIT, [name, 39.95, 116.44])
    assert empty["fid"] is None
    click_at(page, frame, name, 39.95, 116.44)
    wait_until(lambda: param(page, "place") is None, "a click on no feature cleared the place")
    wait_until(lambda: "点击地图上的区域或线路" in panel_text(page), "the details hint again")
    assert page_errors == []


@ON_APP
@pytest.mark.parametrize("layer_id", ["cbd_structure", "cbd_circles"])
def test_every_clickable_feature_opens_its_details(layer_id, streamlit_server, page, page_errors, capsys):
    frame, name = open_app(page, streamlit_server, f"?layers={layer_id}")
    features = layer_frame(load_catalog().layers[layer_id])
    polygons = features[features.geom_type.isin(["Polygon", "MultiPolygon"])]
    feature = polygons.iloc[0]
    point = feature.geometry.representative_point()
    frame.evaluate(f"(n) => window[n].setView([{point.y}, {point.x}], 14, {{animate: false}})", name)
    hit = wait_until(lambda: (h := frame.evaluate(HIT, [name, point.y, point.x]))["fid"] and h, "a feature there")
    click_at(page, frame, name, point.y, point.x)
    wait_until(lambda: param(page, "place") == hit["fid"], "the feature selected")
    wait_until(lambda: (t := panel_text(page)) and "链接中的地点编号不存在" not in t
               and features.set_index("id").loc[hit["fid"], "name_zh"] in t, "the feature's details")
    screenshot(page, f"viewer_details_{layer_id}", capsys)
    assert page_errors == []


def task_grid(page):
    return page.locator('[data-testid="stDataFrame"]').last


def tick_row(page, row: int) -> None:
    """Tick a row of the task table: its row marker is the canvas's first column."""
    grid = task_grid(page)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * row + 17)


@ON_APP
def test_a_task_is_picked_by_id_not_by_row(streamlit_server, page, page_errors, capsys):
    open_app(page, streamlit_server, "?panel=tasks")
    wait_until(lambda: task_grid(page).is_visible(), "the task table")
    tick_row(page, 1)
    task = wait_until(lambda: param(page, "task"), "a task in the URL")
    keyword = page.get_by_label("关键词")
    keyword.fill("文化")
    keyword.press("Enter")
    wait_until(lambda: param(page, "q") == "文化", "the keyword in the URL")
    page.wait_for_timeout(1500)
    assert param(page, "task") == task, "changing the keyword switched the task"
    keyword.fill("")
    keyword.press("Enter")
    wait_until(lambda: param(page, "q") is None, "the keyword cleared")
    tick_row(page, 3)
    other = wait_until(lambda: (p := param(page, "task")) != task and p, "another task")
    tick_row(page, 3)  # untick
    wait_until(lambda: param(page, "task") is None, "unticking deselects")
    assert other
    assert page_errors == []


@ON_APP
def test_online_tiles_show_through_and_say_when_offline(streamlit_server, page, external_requests, capsys):
    frame, name = open_app(page, streamlit_server, "?basemap=osm")
    notice = frame.locator(".planmap-notice")
    notice.wait_for(timeout=TIMEOUT_S * 1000)
    assert "tiles unavailable — offline?" in notice.inner_text()
    fills = frame.evaluate("""(n) => { const out = [];
        window[n].eachLayer(l => { if (l.feature && l.feature.properties.fid.startsWith('ctx_') && l._path)
            out.push(l.options.fillOpacity); }); return out; }""", name)
    assert fills and set(fills) == {0}, fills
    assert external_requests and all("tile" in url for url in external_requests)
    screenshot(page, "viewer_tiles_offline", capsys)


@ON_APP
def test_view_filters_and_selection_survive_reload_basemap_switch_and_back(streamlit_server, page, page_errors,
                                                                            capsys):
    frame, name = open_app(page, streamlit_server, "?panel=tasks&theme=economy")
    view = zoom_to(page, frame, name, *CBD_POINT, zoom=14)
    wait_until(lambda: (param(page, "view") or "").endswith(",14"), "the view in the URL")
    lat, lng, zoom = param(page, "view").split(",")
    assert abs(float(lat) - view["lat"]) < 1e-4 and abs(float(lng) - view["lng"]) < 1e-4
    # A basemap switch keeps the view.
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text="OpenStreetMap").click()
    wait_until(lambda: param(page, "basemap") == "osm", "basemap=osm")
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate("() => Object.keys(window).find(k => { try { return window[k] instanceof L.Map } catch (e) { return false } })"), "the map")
    after = wait_until(lambda: (v := frame.evaluate(VIEW, name))["zoom"] == 14 and v, "zoom 14 after the switch")
    assert abs(after["lat"] - view["lat"]) < 1e-3 and abs(after["lng"] - view["lng"]) < 1e-3
    # A reload keeps the view and the filter.
    page.reload()
    frame, name = open_app(page, streamlit_server.split("?")[0], "?" + location(page).split("?", 1)[1])
    reloaded = wait_until(lambda: (v := frame.evaluate(VIEW, name))["zoom"] == 14 and v, "zoom 14 after reload")
    assert abs(reloaded["lat"] - view["lat"]) < 1e-3
    assert param(page, "theme") == "economy"
    assert "经济" in page.locator('[data-testid="stMultiSelect"]').nth(1).inner_text()
    # Back returns to the view before the last action.
    click_at(page, frame, name, *CBD_POINT)
    wait_until(lambda: param(page, "place") == "cbd_core", "the core selected")
    page.go_back()
    wait_until(lambda: param(page, "place") is None, "Back: no place")
    wait_until(lambda: "点击地图上的区域或线路" in panel_text(page), "Back: the details hint again")
    page.go_forward()
    wait_until(lambda: "提升“一核”" in panel_text(page), "Forward: the core's tasks again")
    assert page_errors == []


@ON_APP
def test_a_station_named_like_a_road_opens_the_station(streamlit_server, page, page_errors, capsys):
    """广渠路 is a station and an avenue: the click names the shape clicked, not the first with that name."""
    stations = layer_frame(load_catalog().layers["rail_stations"]).set_index("id")
    point = stations.loc["stn_guangqulu"].geometry
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{streamlit_server}?layers=context_roads,rail_stations&view={point.y},{point.x},15")
    page.locator(MAP_IFRAME).wait_for(timeout=TIMEOUT_S * 1000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")
    wait_until(lambda: frame.evaluate(HIT, [name, point.y, point.x])["fid"] == "stn_guangqulu", "the station there")
    click_at(page, frame, name, point.y, point.x)
    wait_until(lambda: param(page, "place") == "stn_guangqulu", "the station selected, not the avenue")
    assert page_errors == []


@ON_APP
@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_map_fills_the_screen_beside_the_details(size, streamlit_server, page, page_errors, capsys):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(streamlit_server + "?place=cbd_core")
    page.frame_locator(MAP_IFRAME).locator(SHAPES).first.wait_for(timeout=TIMEOUT_S * 1000)
    wait_until(lambda: "提升“一核”" in panel_text(page), "the core's details")
    page.wait_for_timeout(800)
    box = page.locator(MAP_IFRAME).bounding_box()
    heading = page.get_by_role("heading", name="详情").bounding_box()
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")
    inner = frame.evaluate("(n) => { const r = window[n].getContainer().getBoundingClientRect();"
                           " return [r.width, r.height]; }", name)
    screenshot(page, f"viewer_layout_{width}x{height}", capsys)
    assert abs(inner[1] - box["height"]) < 4, (inner, box)  # the map fills its frame
    if width > 640:
        assert box["y"] + box["height"] <= height + 1 and box["height"] >= height - 200, box  # the window height, less title and search
        assert heading["x"] >= box["x"] + box["width"] - 1 and heading["y"] < box["y"] + 100  # details beside
    else:
        assert box["y"] < 200 and box["width"] >= width - 60 and box["height"] >= 0.55 * height, box  # map first
        assert heading["y"] > box["y"] + box["height"] - 1  # details below
    assert page_errors == []


def shown_labels(frame) -> list[dict]:
    return frame.evaluate("""() => [...document.querySelectorAll('.planmap-label')].map(e => {
        const r = e.getBoundingClientRect();
        return {text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""")


@ON_APP
def test_labels_follow_the_zoom_and_do_not_overlap(streamlit_server, page, page_errors, capsys):
    frame, name = open_app(page, streamlit_server, "?layers=cbd_zone,cbd_streets,cbd_core,rail_operating,rail_stations")
    frame.evaluate("(n) => window[n].setView([39.915, 116.466], 11, {animate: false})", name)
    at11 = wait_until(lambda: {label["text"] for label in shown_labels(frame)} or None, "labels at zoom 11",
                      settle=0.5)
    assert "CBD中心区" in at11 and "建外街道" not in at11 and "国贸" not in at11
    frame.evaluate("(n) => window[n].setView([39.915, 116.466], 13, {animate: false})", name)
    at13 = wait_until(lambda: (t := {label["text"] for label in shown_labels(frame)}) and "建外街道" in t and t,
                      "street labels at zoom 13", settle=0.5)
    assert "国贸" not in at13
    frame.evaluate("(n) => window[n].setView([39.907, 116.4556], 15, {animate: false})", name)
    wait_until(lambda: "国贸" in {label["text"] for label in shown_labels(frame)}, "station labels at zoom 15",
               settle=0.5)
    boxes = shown_labels(frame)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]), min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            assert overlap[0] <= 2 or overlap[1] <= 2, (a, b)
    screenshot(page, "viewer_labels_z15", capsys)
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text="English").click()
    wait_until(lambda: "CBD core area" in {label["text"] for label in shown_labels(frame)} or
               "Guomao" in {label["text"] for label in shown_labels(frame)}, "English labels")
    assert page_errors == []


@ON_APP
def test_english_indicators_are_english_and_the_chart_does_not_stack(streamlit_server, page, page_errors, capsys):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_server + "?lang=en&panel=indicators")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=TIMEOUT_S * 1000)
    text = wait_until(lambda: (t := table.evaluate("e => e.textContent")) and "Zone 2020" in t and t, "Table 1")
    for chinese in ("提质增效", "国际影响", "功能区", "亿元", "预期性", "左右", "达到朝阳区要求"):
        assert chinese not in text, chinese
    assert "Quality and efficiency" in text and "100 m yuan" in text and "about 5.50" in text
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=TIMEOUT_S * 1000)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    # Vega draws on a canvas; its accessible summary names the axes.
    labels = wait_until(lambda: chart.evaluate("e => [...e.querySelectorAll('[aria-label], [aria-roledescription]')]"
                                               ".map(n => n.getAttribute('aria-label') || '').join(' | ')"),
                        "the chart's description")
    assert "2025 target (2020 = 100)" in labels, labels
    screenshot(page, "viewer_indicators_en", capsys)
    assert page_errors == []


@ON_APP
def test_map_tools_search_identify_measure_coordinates(streamlit_server, page, page_errors, capsys):
    frame, name = open_app(page, streamlit_server)
    # Search by pinyin, pick with the keyboard: the place is selected and framed.
    search = page.locator(".st-key-place_search input")
    search.click()
    search.type("sanlitun")
    page.get_by_role("option", name=re.compile("三里屯街道")).first.wait_for(timeout=5000)
    page.keyboard.press("Enter")
    wait_until(lambda: param(page, "place") == "st_sanlitun", "place=st_sanlitun from the search box")
    wait_until(lambda: frame.evaluate(VIEW, name)["zoom"] >= 13, "the map framed the street")
    # Identify: a click inside the core lists the core, the street and the zone under it.
    frame.evaluate("(n) => window[n].setView([39.915, 116.466], 14, {animate: false})", name)
    click_at(page, frame, name, *CBD_POINT)
    popup = frame.locator(".planmap-identify")
    popup.wait_for(timeout=TIMEOUT_S * 1000)
    listed = popup.inner_text()
    assert "CBD中心区" in listed and "CBD功能区" in listed and "呼家楼街道" in listed and "朝阳区" in listed, listed
    popup.locator("a", has_text="CBD功能区").first.click()
    wait_until(lambda: param(page, "place") == "cbd_zone", "the zone picked from the list")
    # Coordinates under the pointer.
    box = page.locator(MAP_IFRAME).bounding_box()
    hit = frame.evaluate(HIT, [name, *CBD_POINT])
    page.mouse.move(box["x"] + hit["x"], box["y"] + hit["y"])
    coords = frame.locator(".planmap-coords").inner_text()
    lat, lng = (float(part) for part in coords.split("WGS84 ")[1].split(", "))
    assert abs(lat - CBD_POINT[0]) < 1e-3 and abs(lng - CBD_POINT[1]) < 1e-3, coords
    # Measure a distance: two clicks 0.01° of longitude apart at 39.915° N ≈ 853 m; no selection changes.
    place = param(page, "place")
    frame.locator(".planmap-tool[aria-label='量距离']").click()
    click_at(page, frame, name, 39.915, 116.466)
    click_at(page, frame, name, 39.915, 116.476)
    readout = frame.locator(".planmap-measure-readout").inner_text()
    metres = float(re.search(r"距离 (\d+) m", readout).group(1))
    assert 840 <= metres <= 866, readout
    page.wait_for_timeout(800)
    assert param(page, "place") == place, "a measuring click selected a feature"
    page.keyboard.press("Escape")
    assert frame.locator(".leaflet-control-fullscreen, .leaflet-control-zoom-fullscreen").count() >= 1
    screenshot(page, "viewer_tools", capsys)
    frame.locator(".planmap-tool[aria-label='回到初始范围']").click()
    wait_until(lambda: frame.evaluate(VIEW, name)["zoom"] <= 12, "the home extent")
    assert page_errors == []


@ON_APP
def test_picking_a_task_again_after_a_pan_frames_its_places_again(streamlit_server, page, page_errors, capsys):
    """streamlit-folium moves the map only to a centre and zoom that differ from the last ones it was sent: a task
    picked again (or another task with the same places) after the planner panned away used to leave the map
    where it was."""
    frame, name = open_app(page, streamlit_server, "?panel=tasks")
    wait_until(lambda: task_grid(page).is_visible(), "the task table")
    tick_row(page, 1)
    wait_until(lambda: param(page, "task"), "a task in the URL")

    def settled_view() -> dict | None:  # the map's view once the link has it (the framing is over)
        view = frame.evaluate(VIEW, name)
        return view if (param(page, "view") or "").endswith(f",{view['zoom']}") and view["zoom"] != 11 else None

    framed = wait_until(settled_view, "the task's framing in the link", settle=0.8)
    frame.evaluate("(n) => window[n].setView([39.80, 116.20], 11, {animate: false})", name)  # the planner pans away
    wait_until(lambda: (param(page, "view") or "").endswith(",11"), "the panned view in the link", settle=0.5)
    tick_row(page, 1)  # untick
    wait_until(lambda: param(page, "task") is None, "the task unticked")
    tick_row(page, 1)  # and pick it again
    wait_until(lambda: param(page, "task"), "the task picked again")
    again = wait_until(lambda: (v := frame.evaluate(VIEW, name))["zoom"] == framed["zoom"] and v,
                       "the map framed the task's places again")
    # Within a pixel at that zoom (Leaflet rounds a pan to whole pixels); the pan went 0.1° and more away.
    pixel = 360 / (256 * 2 ** framed["zoom"])
    assert abs(again["lat"] - framed["lat"]) < pixel and abs(again["lng"] - framed["lng"]) < pixel, (again, framed)
    assert page_errors == []
