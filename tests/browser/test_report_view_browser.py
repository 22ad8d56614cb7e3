"""A planner frames a report map on what the map shows: the report panel's "current map view" follows the
map's own bounds, and a page rendered after a pan frames the moved view."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.test_app_browser import FIND_MAP, MAP_IFRAME, SHAPES, TIMEOUT_S

pytestmark = pytest.mark.browser

SCREENS_DIR = Path(__file__).resolve().parent / "screens"
BOUNDS = """(name) => { const b = window[name].getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"""
AREA = re.compile(r"(\d+\.\d{4}),(\d+\.\d{4}),(\d+\.\d{4}),(\d+\.\d{4})")


def _frame_area(page: Page) -> tuple[float, ...] | None:
    caption = page.get_by_text(re.compile("图幅范围（WGS84"))
    if not caption.count():
        return None
    match = AREA.search(caption.first.inner_text())
    return tuple(float(value) for value in match.groups()) if match else None


def _map_bounds(page: Page) -> tuple[float, ...]:
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(SHAPES).first.wait_for(timeout=TIMEOUT_S * 1000)
    handle = page.query_selector(MAP_IFRAME).content_frame()
    return tuple(handle.evaluate(BOUNDS, handle.evaluate(FIND_MAP)))


def _settled_bounds(page: Page) -> tuple[float, ...]:
    """The map's bounds once its frame has stopped changing size (the page lays out its columns after the first
    map is drawn, which narrows the map)."""
    bounds = _map_bounds(page)
    for _ in range(int(TIMEOUT_S * 2)):
        page.wait_for_timeout(500)
        again = _map_bounds(page)
        if again == bounds:
            return bounds
        bounds = again
    return bounds


def _generate_and_wait_for_area(page: Page) -> tuple[float, ...]:
    """Click 生成 until the panel's area is what the map shows now (the map reports its bounds 250 ms after a
    move or resize, then the page reruns)."""
    area = bounds = None
    for _ in range(int(TIMEOUT_S)):
        page.get_by_role("button", name="生成", exact=True).last.click()
        page.wait_for_timeout(1000)
        area, bounds = _frame_area(page), _map_bounds(page)
        if area and all(abs(a - b) < 1e-4 for a, b in zip(area, bounds)):
            return area
    raise AssertionError(f"the report panel's area {area} never matched the map's bounds {bounds}")


@pytest.mark.parametrize("app_script", ["server.py"], indirect=True)
def test_the_report_panel_frames_the_current_map_view(page: Page, streamlit_server: str, capsys):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{streamlit_server}/?panel=export&view=39.91,116.46,14")
    bounds = _settled_bounds(page)
    # Pan: drag the map some 200 px to the left; the panel follows the map's new bounds.
    box = page.query_selector(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 200, y, steps=10)
    page.mouse.up()
    page.wait_for_timeout(1000)
    moved = _map_bounds(page)
    assert moved[0] > bounds[0] + 1e-3
    assert page.get_by_role("radio", name="当前地图视图").is_checked()
    # A pan reruns only the map (ui/map_frame.py); the page made by the next click frames the moved view.
    area = _generate_and_wait_for_area(page)
    assert area[0] > bounds[0] + 1e-3
    # A narrower window narrows the map: the frame follows its new width, not the width it first reported.
    page.set_viewport_size({"width": 1100, "height": 1000})
    narrowed = _generate_and_wait_for_area(page)
    assert narrowed[2] - narrowed[0] < (area[2] - area[0]) * 0.95
    image = page.locator("img[src*='media']").last
    image.wait_for(timeout=TIMEOUT_S * 4000)
    image.scroll_into_view_if_needed()
    SCREENS_DIR.mkdir(exist_ok=True)
    path = SCREENS_DIR / "report_current_view.png"
    page.screenshot(path=str(path), full_page=False)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
