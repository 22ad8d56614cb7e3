"""A planner uploads an AMap (GCJ-02) GeoJSON in headless Chromium: it is drawn where its WGS84 twin lies, a
click on the red line runs the site check, and a second browser session never sees the layer."""
from __future__ import annotations

import pytest

from tests import upload_fixtures as fx
from tests.browser.test_app_browser import (DRAWN_FIDS, HIT, MAP_IFRAME, ON_APP, open_app, panel_text, screenshot,
                                            wait_until, zoom_to)

pytestmark = pytest.mark.browser
RED_LINE_CENTRE = (fx.RED_LINE.centroid.y, fx.RED_LINE.centroid.x)


def _user_fids(frame, name) -> list[str]:
    return [fid for fid in frame.evaluate(DRAWN_FIDS, name) if fid.startswith("user:")]


@ON_APP
def test_upload_draws_the_layer_and_a_click_runs_the_site_check(streamlit_server, page, browser, tmp_path,
                                                                 external_requests, page_errors, capsys):
    path = fx.geojson_gcj02(tmp_path)
    frame, name = open_app(page, streamlit_server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("添加图层").click()
    sidebar.locator('input[type="file"]').set_input_files(str(path))
    add = sidebar.get_by_role("button", name="加入地图")
    add.wait_for(timeout=90_000)
    assert "GCJ-02" in sidebar.inner_text()
    add.click()
    fids = wait_until(lambda: _user_fids(frame, name), "the uploaded features drawn", timeout=60)
    assert sorted(fids) == [f"user:amap_site.geojson:{row}" for row in range(1, 5)]

    zoom_to(page, frame, name, *RED_LINE_CENTRE, zoom=16)
    hit = wait_until(lambda: (h := frame.evaluate(HIT, [name, *RED_LINE_CENTRE]))["fid"] == "user:amap_site.geojson:1"
                     and h, "the red line under its centre (drawn in the right place)")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + hit["x"], box["y"] + hit["y"])
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    text = wait_until(lambda: "cbd_core_central" in (t := panel_text(page)) and "t000_3_1_1" in t and t,
                      "the site check: places and tasks", timeout=90)
    screenshot(page, "upload_site_check", capsys)
    assert "st_jianwai" in text and "stn_guomao" in text

    other_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = other_context.new_page()
        other_frame, other_name = open_app(other, streamlit_server)
        other.wait_for_timeout(2000)
        assert _user_fids(other_frame, other_name) == []
        assert "amap_site.geojson" not in other.locator('[data-testid="stSidebar"]').inner_text()
    finally:
        other_context.close()
    assert external_requests == []
    assert page_errors == []
