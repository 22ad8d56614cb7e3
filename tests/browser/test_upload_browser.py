"""A planner uploads an AMap (GCJ-02) GeoJSON in headless Chromium: it is drawn where its WGS84 twin lies, a
click on the red line runs the site check, and a second browser session never sees the layer."""
from __future__ import annotations

import pytest

from tests import upload_fixtures as fx
from tests.browser.test_app_browser import (DRAWN_FIDS, FIND_MAP, HIT, MAP_IFRAME, ON_APP, VIEW, open_app, panel_text,
                                            screenshot, wait_until, zoom_to)

pytestmark = pytest.mark.browser
RED_LINE_CENTRE = (fx.RED_LINE.centroid.y, fx.RED_LINE.centroid.x)
SHOWN_IMAGE = """() => [...document.querySelectorAll('img.leaflet-image-layer')]
    .some(i => i.complete && i.naturalWidth > 0 && i.style.opacity !== '0')"""


def choose_file(page, path, timeout_ms: int = 90_000):
    """添加图层 → choose the file, as a planner does; the sidebar and its 加入地图 button once offered."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("添加图层").click()
    sidebar.locator('input[type="file"]').set_input_files(str(path))
    add = sidebar.get_by_role("button", name="加入地图")
    add.wait_for(timeout=timeout_ms)
    return sidebar, add


def _user_fids(frame, name) -> list[str]:
    return [fid for fid in frame.evaluate(DRAWN_FIDS, name) if fid.startswith("user:")]


@ON_APP
def test_upload_draws_the_layer_and_a_click_runs_the_site_check(streamlit_server, page, browser, tmp_path,
                                                                 external_requests, page_errors, capsys):
    path = fx.geojson_gcj02(tmp_path)
    frame, name = open_app(page, streamlit_server)
    sidebar, add = choose_file(page, path)
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


@ON_APP
def test_a_big_layer_is_tiled_and_a_parcel_click_reads_its_attributes(streamlit_server, page, tmp_path,
                                                                      external_requests, page_errors, capsys):
    from tests.test_tiles import _parcels

    frame_6000 = _parcels()
    path = tmp_path / "parcels.geojson"
    frame_6000.to_file(path, driver="GeoJSON")
    target = frame_6000.geometry.iloc[2550].centroid  # parcel P2550, row 2551
    tile_requests = []
    page.on("response", lambda r: tile_requests.append(r.status) if "/api/planmap/tiles/" in r.url else None)
    frame, name = open_app(page, streamlit_server)
    zoom_before = frame.evaluate(VIEW, name)["zoom"]
    sidebar, add = choose_file(page, path, timeout_ms=120_000)
    add.click()
    wait_until(lambda: "矢量切片" in sidebar.inner_text(), "the sidebar saying the layer is tiled", timeout=90)
    page.wait_for_timeout(2000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()  # the map as it is after the rerun
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")

    # Adding the layer leaves the map where the planner was: below the tiles' zoom its image stands in, and the
    # map still zooms out (the tile layer's first zoom does not become the map's least zoom).
    wait_until(lambda: frame.evaluate(SHOWN_IMAGE), "the layer's image at the zoom the planner was at", settle=1.0)
    assert frame.evaluate(VIEW, name)["zoom"] == zoom_before < 14
    frame.locator(".leaflet-control-zoom-out").click()
    wait_until(lambda: frame.evaluate(VIEW, name)["zoom"] == zoom_before - 1, "the map zoomed out once")
    page.wait_for_timeout(2000)  # the rerun the view change causes
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")

    frame.evaluate(f"(n) => window[n].setView([{target.y}, {target.x}], 17, {{animate: false}})", name)
    wait_until(lambda: frame.locator("svg.leaflet-tile path").count() > 50, "tiled parcels drawn", timeout=60,
               settle=1.0)
    point = frame.evaluate("""([n, lat, lng]) => { const m = window[n]; const p = m.latLngToContainerPoint([lat, lng]);
        const r = m.getContainer().getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }""",
                           [name, target.y, target.x])
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = wait_until(lambda: frame.locator(".leaflet-tooltip").inner_text(), "the parcel's tooltip on hover")
    assert tooltip == "⬚ parcels.geojson #2551 · P2550"
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    text = wait_until(lambda: "#2551" in (t := panel_text(page)) and "cbd_zone" in t and t,
                      "the clicked parcel's site check", timeout=90)
    assert "P2550" in text
    screenshot(page, "upload_tiled_parcel_clicked", capsys)
    assert set(tile_requests) == {200}
    assert external_requests == []
    assert page_errors == []


@ON_APP
def test_the_size_limit_is_said_beside_the_uploader_in_the_chosen_language(streamlit_server, page, external_requests,
                                                                           page_errors, capsys):
    """Streamlit refuses a file over its cap in the browser, in English only: the limit is said before a file is
    chosen, in the planner's language, and it is the number Streamlit's own drop zone and our check use."""
    from geo.archives import configured_upload_mb

    limit = f"{configured_upload_mb():g}"
    open_app(page, streamlit_server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("添加图层").click()
    said = sidebar.get_by_text(f"单个文件不超过 {limit} MB")
    said.wait_for(timeout=30_000)
    said.scroll_into_view_if_needed()
    dropzone = sidebar.locator('[data-testid="stFileUploaderDropzone"]').inner_text()
    assert f"{limit}MB per file" in dropzone  # Streamlit's own words, English only: the same number
    screenshot(page, "upload_limit_zh", capsys)
    sidebar.locator('[data-testid="stRadio"] label').filter(has_text="English").click()
    sidebar.get_by_text("Add layer").click()  # the section, relabelled, opens as a planner opens it
    said = sidebar.get_by_text(f"Files up to {limit} MB")
    said.wait_for(timeout=30_000)
    said.scroll_into_view_if_needed()
    screenshot(page, "upload_limit_en", capsys)
    assert external_requests == [] and page_errors == []
