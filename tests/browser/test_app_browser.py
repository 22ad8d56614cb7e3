"""The real app.py in headless Chromium, with every other host blocked.

The map draws every shape of the default layers, a layer toggle swaps only the overlays (the Leaflet map,
its view and anything set on its window survive), a click on the CBD core lists its tasks, the English
toggle relabels the page, and data text never turns into markup. Screenshots go to
tests/browser/screens/ (git-ignored); each test prints the paths it wrote.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from layers.catalog import layer_frame, load_catalog
from layers.interactive import HIGHLIGHT_STYLE

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENS_DIR = Path(__file__).resolve().parent / "screens"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHAPES = "path.leaflet-interactive"
TIMEOUT_S = 45.0
WHOLE_PAGE = '[data-testid="stSidebar"] [data-testid="stRadio"]'  # drawn once the map has reported
# server.py is how `make run` serves the app (layer data at URLs); plain app.py sends the data inline.
ON_APP = pytest.mark.parametrize("app_script", ["server.py"], indirect=True)
LAYER_DATA = "/api/planmap/"
CBD_POINT = (39.915, 116.466)  # inside the CBD core, >100 m from any drawn line
EVIL = "<img src=x onerror=alert(1)>"
HIGHLIGHT = HIGHLIGHT_STYLE["color"]

# The Leaflet map folium created (it names it map_<hash>; streamlit-folium renames it map_div): found by
# scanning the iframe's window for an L.Map rather than by name.
FIND_MAP = """() => {
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) return key; } catch (e) {}
    }
    return null;
}"""
DRAWN_FIDS = """(name) => {
    const fids = [];
    window[name].eachLayer(l => { if (l.feature && l._path && !l.planmapCasing) fids.push(l.feature.properties.fid); });
    return fids.sort();
}"""
VIEW = """(name) => { const m = window[name]; const c = m.getCenter();
    return {zoom: m.getZoom(), lat: +c.lat.toFixed(6), lng: +c.lng.toFixed(6)}; }"""
# Where a lat/lng lands in page coordinates of the iframe, and which feature is on top there.
HIT = """([name, lat, lng]) => {
    const m = window[name];
    const p = m.latLngToContainerPoint([lat, lng]);
    const r = m.getContainer().getBoundingClientRect();
    const el = document.elementFromPoint(r.left + p.x, r.top + p.y);
    let fid = null;
    m.eachLayer(l => { if (l._path && l._path === el && l.feature) fid = l.feature.properties.fid; });
    return {x: r.left + p.x, y: r.top + p.y, fid};
}"""


# --- helpers -------------------------------------------------------------------------------------------

def wait_until(check: Callable[[], object], what: str, timeout: float = TIMEOUT_S, settle: float = 0.0):
    """Poll until check() is truthy (and still is after `settle` seconds); return its value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except Exception as exc:  # frame swapped mid-check, element detached, …
            last = exc
        if last and not isinstance(last, Exception):
            if not settle:
                return last
            time.sleep(settle)
            again = check()
            if again:
                return again
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def screenshot(page, name: str, capsys) -> Path:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def default_shapes() -> dict[str, set[str]]:
    """Feature ids of each default-visible layer. Every feature is one SVG path: Leaflet draws a
    (Multi)Polygon or (Multi)LineString as one path and a point as one CircleMarker."""
    catalog = load_catalog()
    shapes = {}
    for layer_id in catalog.default_visible():
        frame = layer_frame(catalog.layers[layer_id])
        kinds = set(frame.geom_type)
        assert kinds <= {"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"}, (layer_id, kinds)
        shapes[layer_id] = set(frame["id"].astype(str))
    return shapes


def open_app(page, url: str, query: str = ""):
    """Navigate, wait for the first shape and for the rest of the page, which follows the map (ui/first_page.py);
    return (map frame, name of its L.Map)."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url + query)
    page.frame_locator(MAP_IFRAME).locator(SHAPES).first.wait_for(timeout=TIMEOUT_S * 1000)
    page.locator(WHOLE_PAGE).first.wait_for(state="attached", timeout=TIMEOUT_S * 1000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the Leaflet map object")
    return frame, name


def shape_count(frame) -> int:
    return frame.locator(SHAPES).count()


def details(page):
    """The column under the 详情 / Details heading."""
    return page.locator('[data-testid="stColumn"]').filter(
        has=page.get_by_role("heading", name="详情").or_(page.get_by_role("heading", name="Details"))
    ).last


def location(page) -> str:
    """The address bar (Streamlit rewrites it with history.replaceState, which page.url may not track)."""
    return page.evaluate("() => location.href")


def panel_text(page) -> str:
    """The details column's text, tables included (textContent: a folded expander's table too)."""
    return details(page).evaluate("e => e.textContent")


def zoom_to(page, frame, name: str, lat: float, lng: float, zoom: int) -> dict:
    """Centre the map, then zoom in once with the + control, as a user would."""
    frame.evaluate(f"(n) => window[n].setView([{lat}, {lng}], {zoom - 1}, {{animate: false}})", name)
    frame.locator(".leaflet-control-zoom-in").click()
    return wait_until(lambda: (v := frame.evaluate(VIEW, name))["zoom"] == zoom
                      and not frame.evaluate("(n) => window[n]._animatingZoom", name) and v,
                      f"zoom {zoom}", settle=0.3)


# --- the real app --------------------------------------------------------------------------------------

@pytest.mark.parametrize("app_script", ["server.py", "app.py"], indirect=True)
def test_map_draws_every_default_shape(app_script, streamlit_server, page, external_requests, page_errors, capsys):
    expected = default_shapes()
    fetched, bundles = [], []
    page.on("response", lambda r: fetched.append(r.status) if LAYER_DATA in r.url else None)
    page.on("response", lambda r: bundles.append(r.headers.get("content-encoding"))
            if "/static/js/" in r.url and "/component/" not in r.url else None)
    frame, name = open_app(page, streamlit_server)
    total = sum(len(ids) for ids in expected.values())
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)
    assert frame.evaluate(DRAWN_FIDS, name) == sorted(i for ids in expected.values() for i in ids)
    assert page.get_by_role("heading", name="北京规划一张图").is_visible()
    # The first map carries its layers' data (server.py also keeps it under each layer's URL): no fetches.
    assert fetched == []
    # server.py also sends Streamlit's own JavaScript gzip-compressed (plain `streamlit run` does not).
    assert bundles and set(bundles) == ({"gzip"} if app_script.name == "server.py" else {None})
    screenshot(page, f"app_default_{app_script.stem}", capsys)
    assert external_requests == []
    assert page_errors == []


@ON_APP
def test_toggle_swaps_only_its_shapes_and_keeps_the_map(streamlit_server, page, external_requests, page_errors,
                                                        capsys):
    expected = default_shapes()
    streets = expected["cbd_streets"]
    total = sum(len(ids) for ids in expected.values())
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if LAYER_DATA in r.url else None)
    frame, name = open_app(page, streamlit_server)
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)
    before = set(frame.evaluate(DRAWN_FIDS, name))
    fetched_first = len(fetched)
    view = zoom_to(page, frame, name, *CBD_POINT, zoom=14)
    # Anything a reload would wipe: a global on the iframe's window and a mark on the map container.
    frame.evaluate("(n) => { window.__planmapMarker = 'kept'; window[n].getContainer().dataset.planmapMarker = 'kept'; }",
                   name)
    markers = "(n) => [window.__planmapMarker, window[n].getContainer().dataset.planmapMarker]"

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stCheckbox"] label').filter(has_text="功能区17个街乡").click()  # label ends in a 示意 badge
    wait_until(lambda: shape_count(frame) == total - len(streets), f"{total - len(streets)} shapes", settle=1.0)
    assert set(frame.evaluate(DRAWN_FIDS, name)) == before - streets
    assert frame.evaluate(markers, name) == ["kept", "kept"], "the map was rebuilt"
    assert frame.evaluate(VIEW, name) == view, "the toggle moved the map"
    assert "cbd_streets" not in page.evaluate("() => new URLSearchParams(location.search).get('layers')")
    screenshot(page, "app_streets_off", capsys)

    sidebar.locator('[data-testid="stCheckbox"] label').filter(has_text="功能区17个街乡").click()  # label ends in a 示意 badge
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes again", settle=1.0)
    assert set(frame.evaluate(DRAWN_FIDS, name)) == before
    assert frame.evaluate(markers, name) == ["kept", "kept"], "the map was rebuilt"
    assert frame.evaluate(VIEW, name) == view, "the toggle moved the map"
    assert len(fetched) == fetched_first == 0, "a layer the page already had was fetched again"

    # A layer that was off comes from its URL, once; the others stay as they were.
    stations = set(layer_frame(load_catalog().layers["rail_stations"])["id"].astype(str))
    sidebar.get_by_text("车站", exact=True).click()
    wait_until(lambda: shape_count(frame) == total + len(stations), f"{total + len(stations)} shapes", settle=1.0)
    assert set(frame.evaluate(DRAWN_FIDS, name)) == before | stations
    assert len(fetched) == 1 and LAYER_DATA in fetched[0]
    assert external_requests == []
    assert page_errors == []


def hover_cbd_core(page, frame, name):
    """Hover the CBD core's shape (found through Leaflet, not guessed); return the iframe box, hit and tooltip."""
    # Polled: a view change reruns the page (the view goes into the link), so the shapes can be mid-redraw.
    hit = wait_until(lambda: (h := frame.evaluate(HIT, [name, *CBD_POINT]))["fid"] == "cbd_core" and h,
                     "the core under the point")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + hit["x"], box["y"] + hit["y"])
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=TIMEOUT_S * 1000)
    return box, hit, tooltip


@ON_APP
def test_click_on_cbd_core_lists_its_tasks(streamlit_server, page, external_requests, page_errors, capsys):
    frame, name = open_app(page, streamlit_server)
    assert "提升“一核”" not in panel_text(page)
    view = zoom_to(page, frame, name, *CBD_POINT, zoom=14)
    frame.evaluate("() => { window.__planmapMarker = 'kept'; }")
    box, hit, tooltip = hover_cbd_core(page, frame, name)
    assert tooltip.inner_text().startswith("CBD中心区")
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])

    wait_until(lambda: "place=cbd_core" in location(page), "place=cbd_core in the URL (the rerun finished)")
    text = wait_until(lambda: "提升“一核”" in (text := panel_text(page)) and text, "the CBD core's tasks")
    assert "CBD中心区" in text and "强化“两轴”" in text
    # The clicked place is outlined on the same map, which kept its view.
    highlight = frame.locator(f'path[stroke="{HIGHLIGHT}"]')  # not interactive: it never takes the mouse
    highlight.first.wait_for(timeout=TIMEOUT_S * 1000)
    assert highlight.count() == 1
    assert frame.evaluate("() => window.__planmapMarker") == "kept", "the map was rebuilt"
    assert frame.evaluate(VIEW, name) == view
    screenshot(page, "app_cbd_core_clicked", capsys)
    assert external_requests == []
    assert page_errors == []


@ON_APP
def test_english_toggle_relabels_the_page(streamlit_server, page, external_requests, page_errors, capsys):
    catalog = load_catalog()
    frame, name = open_app(page, streamlit_server)
    total = sum(len(ids) for ids in default_shapes().values())
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)
    frame.evaluate("() => { window.__planmapMarker = 'kept'; }")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stRadio"] label').filter(has_text="English").click()

    page.get_by_role("heading", name="Plan Map — Beijing planning zones").wait_for(timeout=TIMEOUT_S * 1000)
    wait_until(lambda: "lang=en" in location(page), "lang=en in the URL (the rerun finished)")
    order = [spec.title_en + (" (schematic)" if spec.schematic else "")  # curated boundaries say so
             for group in catalog.groups for spec in catalog.in_group(group)]
    labels = wait_until(lambda: (texts := [" ".join(text.split()) for text in
                                           sidebar.locator('[data-testid="stCheckbox"]').all_inner_texts()])
                        and texts[0] in order and texts, "English layer labels")
    assert labels == order
    wait_until(lambda: page.locator('[data-testid="stButtonGroup"] button').all_inner_texts()
               == ["Tasks", "Indicators", "Compare", "Export"], "English panel switch")
    assert sidebar.get_by_role("radio", name="Offline basemap").is_checked()
    assert details(page).get_by_role("heading", name="Details").is_visible()
    # Tooltips are rebuilt in English; the map itself is not.
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)
    assert frame.evaluate("() => window.__planmapMarker") == "kept"
    screenshot(page, "app_english", capsys)
    assert external_requests == []
    assert page_errors == []


@ON_APP
def test_chosen_filters_survive_the_language_toggle(streamlit_server, page, external_requests, page_errors):
    """A select box keeps its choices in the browser as their labels; after the language changes they must
    still match (they used to go stale: the next rerun filtered every task out)."""
    open_app(page, streamlit_server, "?panel=tasks")
    theme = page.locator('[data-testid="stMultiSelect"]').nth(1)  # document, theme, place, status
    count = lambda: [c for c in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts() if "/ " in c]

    def pick_economy():
        theme.scroll_into_view_if_needed()
        theme.locator("input").click(force=True)
        page.get_by_role("option", name="经济", exact=True).click(timeout=3000)
        return True

    wait_until(pick_economy, "the theme filter's options")
    page.keyboard.press("Escape")
    filtered = wait_until(lambda: (c := count()) and not c[0].startswith(f"{len_tasks()} /") and c[0].split(" ·")[0],
                          "the filtered task count")
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text="English").click()
    wait_until(lambda: "lang=en" in location(page), "lang=en in the URL")
    page.locator('[data-testid="stSidebar"]').get_by_text("Stations", exact=True).click()  # any later rerun
    wait_until(lambda: "rail_stations" in location(page), "the layer toggle's rerun")
    wait_until(lambda: (c := count()) and "Pick a task row" in c[0], "the English caption")
    assert count()[0].split(" ·")[0] == filtered
    assert "economy" in theme.inner_text()
    assert external_requests == []
    assert page_errors == []


def len_tasks() -> int:
    from geo.plan import load_plan

    return len(load_plan().tasks)


# --- data text stays text ------------------------------------------------------------------------------
# app.py run with a script-injection string as the CBD core's name (map + details) and in a task title,
# patched in before app.py runs: nothing on disk changes.

XSS_DIR = Path(tempfile.gettempdir()) / f"planmap-xss-{os.getpid()}"
XSS_APP = XSS_DIR / "xss_app.py"
XSS_SOURCE = f'''"""app.py with injected markup in its data (written by tests/browser/test_app_browser.py)."""
import runpy

import geo.places
import geo.plan
import layers.interactive

EVIL = {EVIL!r}
if not getattr(layers.interactive, "_planmap_evil", False):
    real_frame, real_places, real_plan = layers.interactive.layer_frame, geo.places.load_places, geo.plan.load_plan

    def layer_frame(spec):
        frame = real_frame(spec)
        frame.loc[frame["id"] == "cbd_core", ["name_zh", "name_en"]] = EVIL
        return frame

    def load_places():
        places = real_places()
        places.loc[places["id"] == "cbd_core", ["name_zh", "name_en"]] = EVIL
        return places

    def load_plan():
        plan = real_plan()
        hit = plan.tasks["id"] == "t000_3_1_1"
        plan.tasks.loc[hit, "title_zh"] = EVIL + plan.tasks.loc[hit, "title_zh"]
        return plan

    layers.interactive.layer_frame, geo.places.load_places, geo.plan.load_plan = layer_frame, load_places, load_plan
    layers.interactive._planmap_evil = True
runpy.run_path({str(REPO_ROOT / "app.py")!r}, run_name="__main__")
'''


@pytest.fixture(scope="module", autouse=True)
def xss_app_files():
    XSS_DIR.mkdir(exist_ok=True)
    if not (XSS_DIR / "static").exists():
        (XSS_DIR / "static").symlink_to(REPO_ROOT / "static")
    XSS_APP.write_text(XSS_SOURCE, encoding="utf-8")
    yield XSS_APP
    shutil.rmtree(XSS_DIR, ignore_errors=True)


@pytest.mark.parametrize("app_script", [str(XSS_APP)], indirect=True)
def test_injected_markup_stays_text(streamlit_server, page, external_requests, page_errors, capsys):
    dialogs, img_requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: img_requests.append(r.url) if r.url.rstrip("/").endswith("/x") else None)
    frame, name = open_app(page, streamlit_server)
    zoom_to(page, frame, name, *CBD_POINT, zoom=14)
    box, hit, tooltip = hover_cbd_core(page, frame, name)
    assert tooltip.inner_text().startswith(EVIL)  # shown as text …
    screenshot(page, "app_injected_tooltip", capsys)
    assert frame.locator(".leaflet-tooltip img, .leaflet-tooltip-pane img").count() == 0  # … not as an element
    assert frame.locator("img").count() == 0

    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    wait_until(lambda: "place=cbd_core" in location(page), "place=cbd_core in the URL (the rerun finished)")
    wait_until(lambda: EVIL + "提升“一核”" in panel_text(page), "the injected task title in the details panel")
    assert details(page).locator('[data-testid="stMarkdown"]').first.inner_text().startswith(EVIL)
    # The details' HTML tables: the name is the facts table's caption, the title a cell, both as text.
    caption = details(page).locator(".planmap-table caption").first
    assert caption.evaluate("e => e.textContent") == EVIL
    cell = details(page).locator(".planmap-table td", has_text=EVIL + "提升“一核”")
    assert cell.count() == 1 and cell.evaluate("e => e.textContent").startswith(EVIL)
    assert details(page).locator(".planmap-table img").count() == 0
    assert page.locator('img[src="x"]').count() == 0
    screenshot(page, "app_injected_markup", capsys)
    assert dialogs == [] and img_requests == []
    assert external_requests == []
    assert page_errors == []


@ON_APP
def test_the_seventeen_streets_at_zoom_13_over_the_offline_basemap(streamlit_server, page, external_requests, capsys):
    """Issue 10's look: every street outline drawn and labelled schematic, nothing fetched from elsewhere."""
    streets = layer_frame(load_catalog().layers["cbd_streets"])
    frame, name = open_app(page, streamlit_server, "?layers=context_districts,context_rivers,context_roads,cbd_streets,"
                                                   "cbd_core")
    centre = streets.geometry.union_all().centroid
    frame.evaluate(f"(name) => window[name].setView([{centre.y}, {centre.x}], 13, {{animate: false}})", name)
    drawn = wait_until(lambda: set(frame.evaluate(DRAWN_FIDS, name)) >= set(streets["id"]) and
                       set(frame.evaluate(DRAWN_FIDS, name)), "all 17 streets drawn")
    assert set(streets["id"]) <= drawn
    assert frame.evaluate(VIEW, name)["zoom"] == 13
    captions = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts()
    assert any("边界为示意，非法定界线" in caption for caption in captions)
    time.sleep(1.0)
    screenshot(page, "app_streets_zoom13", capsys)
    assert external_requests == []
