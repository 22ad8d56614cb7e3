"""A planner's own site in headless Chromium: a polygon drawn on the map with the (vendored) drawing toolbar
gets the site check; and a reloaded page, which Streamlit serves as a new session, says the link's own layer
is not here rather than showing another session's data."""
from __future__ import annotations

import pytest

from tests import upload_fixtures as fx
from tests.browser.test_upload_browser import choose_file
from tests.browser.test_app_browser import (DRAWN_FIDS, FIND_MAP, MAP_IFRAME, ON_APP, location, open_app, panel_text,
                                            screenshot, wait_until, zoom_to)

pytestmark = pytest.mark.browser
# Corners of a site inside CBD核心区, in 建外街道 (the fixtures' red line, drawn a little inside it).
SITE = [(39.9097, 116.4577), (39.9097, 116.4596), (39.9113, 116.4596), (39.9113, 116.4577)]
POINT_ON_PAGE = """([n, lat, lng]) => { const m = window[n]; const p = m.latLngToContainerPoint([lat, lng]);
    const r = m.getContainer().getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }"""
NOTICE = "这个链接里的自有图层只在添加它的会话中可用"


@ON_APP
def test_a_polygon_drawn_in_the_cbd_core_gets_the_site_check(streamlit_server, page, external_requests,
                                                              page_errors, capsys):
    draw_files = []
    page.on("response", lambda r: draw_files.append((r.url.rsplit("/", 1)[1], r.status))
            if "/vendor/leaflet.draw/" in r.url else None)
    frame, name = open_app(page, streamlit_server)
    zoom_to(page, frame, name, 39.9105, 116.4587, zoom=16)
    page.wait_for_timeout(1500)  # the view change reruns the page; the map frame stays
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = page.locator(MAP_IFRAME).bounding_box()
    for lat, lng in SITE + SITE[:1]:  # a click on the first corner again closes the polygon
        point = frame.evaluate(POINT_ON_PAGE, [name, lat, lng])
        # Moved to, then clicked, with a pause: Leaflet.draw takes two quick clicks for a double-click.
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=5)
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        page.wait_for_timeout(700)
    corners = frame.evaluate("() => drawnItems.toGeoJSON().features.map(f => f.geometry.coordinates[0])")
    assert [len(c) for c in corners] == [5], corners  # one polygon, four corners and the closing one
    text = wait_until(lambda: "cbd_core_central" in (t := panel_text(page)) and "t000_3_1_1" in t and t,
                      "the drawn site's check: places and tasks", timeout=180)
    assert "绘制的范围 1" in text
    for place in ("st_jianwai", "建外", "cbd_core", "CBD核心区", "cbd_zone"):
        assert place in text, place
    # The picture once the run has finished (Streamlit greys the page while a run is going on).
    wait_until(lambda: page.locator('[data-testid="stStatusWidget"]').count() == 0, "the run to finish", timeout=120)
    screenshot(page, "drawn_site_check", capsys)
    assert {"leaflet.draw.js", "leaflet.draw.css", "spritesheet.svg"} <= {file for file, _status in draw_files}
    assert {status for _file, status in draw_files} == {200}, draw_files
    assert external_requests == []  # Leaflet.draw and its icons come from the app itself
    assert page_errors == []


@ON_APP
def test_a_reload_is_a_new_session_that_says_the_own_layer_is_not_here(streamlit_server, page, tmp_path,
                                                                        external_requests, page_errors, capsys):
    path = fx.geojson_gcj02(tmp_path)
    frame, name = open_app(page, streamlit_server)
    _sidebar, add = choose_file(page, path)
    add.click()
    wait_until(lambda: [fid for fid in frame.evaluate(DRAWN_FIDS, name) if fid.startswith("user:")],
               "the uploaded features drawn", timeout=60)
    url = wait_until(lambda: "mine=" in (u := location(page)) and u, "the link naming the own layer")
    assert "amap_site" not in url and "116.45" not in url and "%E9%A1%B9" not in url  # a reference, no data

    page.reload()  # the same address, mine=… included
    page.get_by_text(NOTICE).wait_for(timeout=60_000)
    wait_until(lambda: "mine=" not in location(page), "the new session's link without the reference")
    page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")
    assert [fid for fid in frame.evaluate(DRAWN_FIDS, name) if fid.startswith("user:")] == []
    assert "amap_site.geojson" not in page.locator('[data-testid="stSidebar"]').inner_text()
    screenshot(page, "own_layer_link_in_a_new_session", capsys)
    assert external_requests == []
    assert page_errors == []
