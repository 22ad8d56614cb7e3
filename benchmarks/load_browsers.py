"""A few real browsers beside the websocket sessions of `make load`: what a planner at a screen meets while
the server is under load. Each is a headless Chromium page (Debian's /usr/bin/chromium) that opens the app,
waits for the map, then unticks or ticks the 17 streets every interval and times the click until the map
shows the change. Errors: a script error in the page, an exception box, a toggle the map never shows.

Driven round-robin from one thread, so the few browsers cost the machine little beyond their rendering.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHAPES = "path.leaflet-interactive"
STREETS_BOX = '[data-testid="stSidebar"] [data-testid="stCheckbox"] label'
STREETS_TITLE = "功能区17个街乡"
WAIT_S = 30.0


@dataclass
class BrowserStats:
    latency: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    opened: int = 0


def drive(url: str, browsers: int, interval: float, stop: threading.Event, stats: BrowserStats) -> None:
    """Open `browsers` pages and toggle in turn until `stop` is set (run in a thread)."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pages = []
        try:
            for _ in range(browsers):
                page = chromium.new_context(viewport={"width": 1440, "height": 900}).new_page()
                page.on("pageerror", lambda error: stats.errors.append(f"page error: {str(error)[:120]}"))
                page.goto(url)
                page.frame_locator(MAP_IFRAME).locator(SHAPES).first.wait_for(timeout=WAIT_S * 1000)
                pages.append(page)
                stats.opened += 1
            while not stop.is_set():
                for page in pages:
                    if stop.is_set():
                        break
                    try:
                        stats.latency.append(_toggle(page))
                    except (Error, TimeoutError) as error:
                        stats.errors.append(f"toggle: {str(error).splitlines()[0][:120]}")
                    if page.locator('[data-testid="stException"]').count():
                        stats.errors.append("an exception box in the page")
                stop.wait(interval / max(1, len(pages)))
        finally:
            chromium.close()


def _toggle(page) -> float:
    """Click the streets' box; seconds until the map's shape count changes."""
    shapes = page.frame_locator(MAP_IFRAME).locator(SHAPES)
    before = shapes.count()
    started = time.monotonic()
    page.locator(STREETS_BOX).filter(has_text=STREETS_TITLE).click()
    while time.monotonic() - started < WAIT_S:
        if shapes.count() != before:
            return time.monotonic() - started
        page.wait_for_timeout(20)
    raise TimeoutError("the map never showed the toggle")
