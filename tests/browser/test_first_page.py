"""A fresh visit in Chromium: the map is drawn first, then the rest of the page arrives by itself, and the
map does not move when it does (ui/first_page.py, static/planmap/layers.js `reportDrawn`)."""
from __future__ import annotations

import time

import pytest

from tests.browser.test_app_browser import MAP_IFRAME, SHAPES, TIMEOUT_S, screenshot, wait_until

pytestmark = pytest.mark.browser
SIDEBAR_BOXES = '[data-testid="stSidebar"] input[type="checkbox"]'


def _watch_until_whole(page, url: str) -> list[tuple[int, tuple | None, int]]:
    """Open the page and note, every 50 ms until the sidebar's boxes are there: shapes drawn, the map's box
    on the page and the sidebar's boxes."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url, wait_until="commit")
    seen, deadline = [], time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        frame = page.locator(MAP_IFRAME)
        box = frame.bounding_box() if frame.count() else None
        shapes = page.frame_locator(MAP_IFRAME).locator(SHAPES).count() if box else 0
        boxes = page.locator(SIDEBAR_BOXES).count()
        seen.append((shapes, box and tuple(round(v) for v in box.values()), boxes))
        if boxes:
            return seen
        page.wait_for_timeout(50)
    raise AssertionError(f"the rest of the page never came; last: {seen[-1:]}")


@pytest.mark.parametrize("app_script", ["server.py"], indirect=True)
def test_the_map_comes_first_and_the_page_follows_without_moving_it(streamlit_server, page, page_errors, capsys):
    seen = _watch_until_whole(page, streamlit_server)
    drawn = [index for index, (shapes, _box, _boxes) in enumerate(seen) if shapes]
    assert drawn and drawn[0] < len(seen) - 1, f"the sidebar came before the map's shapes: {seen[-3:]}"
    wait_until(lambda: page.locator('.st-key-details h3').count(), "the details column")
    page.wait_for_timeout(500)
    final = tuple(round(v) for v in page.locator(MAP_IFRAME).bounding_box().values())
    boxes = {box for _shapes, box, _boxes in seen[drawn[0]:]} | {final}
    assert len(boxes) == 1, f"the map moved as the page arrived: {boxes}"
    screenshot(page, "first_page_whole", capsys)
    assert not page_errors


@pytest.mark.parametrize("app_script", ["server.py"], indirect=True)
def test_a_map_with_no_layer_still_brings_the_rest_of_the_page(streamlit_server, page, page_errors):
    """No layer ticked: nothing is drawn, so the map never reports; the fallback timer brings the page."""
    seen = _watch_until_whole(page, streamlit_server + "/?layers=")
    assert seen[-1][2] > 0
    assert page.locator('[data-testid="stSidebar"] input[type="checkbox"]:checked').count() == 0
    assert not page_errors


@pytest.mark.parametrize("app_script", ["tests/browser/apps/busy_first_run.py"], indirect=True)
def test_a_report_that_comes_while_the_first_run_is_still_going_brings_the_page(streamlit_server, page, page_errors):
    """The map drawn and reported before the server has finished the first run (a busy server; CI once waited
    45 s for the sidebar): the report is kept, not dropped when the run ends. The fallback timer is off here."""
    seen = _watch_until_whole(page, streamlit_server)
    assert seen[-1][2] > 0
    assert not page_errors
