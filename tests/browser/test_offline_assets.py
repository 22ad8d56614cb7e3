"""The map renders from app-served assets with every other host blocked.

Screenshots go to $PLANMAP_SCREENS_DIR (default /tmp/planmap-screens); each
test prints the path it wrote.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import folium
import pytest
from playwright.sync_api import expect

from layers.assets import make_map, offline_problems, standalone_html

pytestmark = pytest.mark.browser  # marker declared in pyproject.toml

SCREENS_DIR = Path(os.environ.get("PLANMAP_SCREENS_DIR", "/tmp/planmap-screens"))
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 30_000
VENDOR_PREFIX = "/app/static/vendor/"


def _screenshot(page, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def _wait_popup_opaque(popup_pane) -> None:
    """Leaflet fades popups in; wait so the screenshot shows them solid."""
    expect(popup_pane).to_have_css("opacity", "1", timeout=TIMEOUT_MS)


def _track_local_responses(page) -> tuple[list[str], list[str]]:
    """(urls served, urls that failed) — to prove assets came from the app."""
    served: list[str] = []
    failed: list[str] = []
    page.on("response", lambda r: (served if r.ok else failed).append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    return served, failed


def _open_map(page, url: str):
    """Load the page and wait until Leaflet has set up the map in streamlit-folium's iframe."""
    page.goto(url)
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=TIMEOUT_MS)
    return frame


def test_demo_polygon_renders_offline(
    streamlit_server, page, external_requests, page_errors, capsys
):
    served, failed = _track_local_responses(page)
    frame = _open_map(page, streamlit_server)
    paths = frame.locator("path.leaflet-interactive")
    paths.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert paths.count() == 1
    assert paths.first.get_attribute("d"), "polygon path has no geometry"
    box = paths.first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50, box

    _screenshot(page, "offline_demo", capsys)
    assert any(VENDOR_PREFIX + "leaflet/leaflet.js" in u for u in served), served
    assert not [u for u in failed if "/app/static/" in u], failed
    assert external_requests == []
    assert page_errors == []


@pytest.mark.parametrize(
    "app_script", ["tests/browser/apps/offline_kinds.py"], indirect=True
)
def test_all_map_kinds_work_without_dropped_libs(
    streamlit_server, page, external_requests, page_errors, capsys
):
    _served, failed = _track_local_responses(page)
    frame = _open_map(page, streamlit_server)
    # polygon + circle marker
    frame.locator("path.leaflet-interactive").nth(1).wait_for(timeout=TIMEOUT_MS)
    assert frame.locator("path.leaflet-interactive").count() == 2

    # Default marker icon resolves to the vendored image via leaflet.css.
    icon = frame.locator("img.leaflet-marker-icon")
    icon.wait_for(timeout=TIMEOUT_MS)
    assert VENDOR_PREFIX + "leaflet/images/marker-icon" in icon.get_attribute("src")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")

    # LayerControl lists both overlays.
    control = frame.locator(".leaflet-control-layers-overlays label")
    assert control.count() == 2

    # folium.Popup content is built with jQuery: opening it proves jQuery works.
    circle = frame.locator("path.leaflet-interactive[stroke='#2ea043']")
    circle.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "circle-popup" in popup.inner_text()
    _wait_popup_opaque(frame.locator(".leaflet-popup"))

    _screenshot(page, "offline_kinds", capsys)
    assert not [u for u in failed if "/app/static/" in u], failed
    assert external_requests == []
    assert page_errors == []


@pytest.mark.parametrize(
    "app_script", ["tests/browser/apps/cdn_control.py"], indirect=True
)
def test_guard_catches_stock_folium_cdns(streamlit_server, page, external_requests):
    """Negative control: without layers.assets the map reaches for CDNs."""
    page.goto(streamlit_server)
    page.frame_locator(MAP_IFRAME).locator("#map_div").wait_for(
        state="attached", timeout=TIMEOUT_MS
    )
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not external_requests and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert any("cdn.jsdelivr.net/npm/leaflet" in u for u in external_requests)


def _export_map() -> folium.Map:
    m = make_map(location=[39.915, 116.41], zoom_start=12)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "export"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[116.38, 39.89], [116.44, 39.89], [116.44, 39.94], [116.38, 39.89]]
                        ],
                    },
                }
            ],
        },
        popup=folium.GeoJsonPopup(fields=["name"]),
    ).add_to(m)
    folium.CircleMarker(
        [39.88, 116.46], radius=12, fill=True, popup=folium.Popup("exported")
    ).add_to(m)
    folium.Marker([39.93, 116.40]).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_standalone_export_needs_no_server(
    page, external_requests, page_errors, tmp_path, capsys
):
    html = standalone_html(_export_map())
    assert "/app/static/" not in html
    (tmp_path / "map.html").write_text(html, encoding="utf-8")

    page.set_content(html, wait_until="load")
    page.locator("path.leaflet-interactive").nth(1).wait_for(timeout=TIMEOUT_MS)
    icon = page.locator("img.leaflet-marker-icon")
    assert icon.get_attribute("src").startswith("data:image/png")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("path.leaflet-interactive").nth(1).click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "exported" in popup.inner_text()
    _wait_popup_opaque(page.locator(".leaflet-popup"))

    _screenshot(page, "standalone_export", capsys)
    assert external_requests == []
    assert page_errors == []


def test_offline_problems_flags_cdn_and_tiles():
    assert offline_problems(_export_map()) == []
    stock = folium.Map()  # folium defaults: CDNs + OpenStreetMap tiles
    problems = offline_problems(stock)
    assert any("cdn.jsdelivr.net" in p for p in problems)
    assert any("TileLayer" in p for p in problems)
    with pytest.raises(ValueError, match="not offline-safe"):
        standalone_html(stock)
    # make_map must not leak into folium's class-level defaults.
    assert folium.Map.default_js[0][1].startswith("https://")
