"""A planner's 1 000 000 parcels added as a file (issue 14, item 7), measured in a real Chromium.

Three ways to put the same parcels on a map, in one run:

* Plan Map as `make run` serves it (server.py, with the tile route): the planner opens 添加图层, picks the
  file, presses 加入地图; the layer is served as vector tiles from the zoom the sidebar names, an image below.
* The image-overlay fallback: the same upload in app.py under a plain `streamlit run` (no tile route), where
  the sidebar says the layer is drawn as one image that cannot be clicked.
* The explore() baseline (benchmarks/baseline_app.py) on the same parcels, bounded in time and memory: its
  outcome is reported as measured ("did not finish in N s", "exceeded M GB"), never skipped.

The file is what a planner can send through the sidebar: the parcels as GeoJSON (6 decimals, ~0.1 m) in a
zip, under Streamlit's upload limit (the same parcels as a zipped Shapefile are ~73 MB, over it). It is made
once and kept under the system's temporary directory (not in the repository), so iterating costs no
regeneration. `make bench BENCH_ONLY=big-layer` runs these rows (and the floor they are compared to).
"""
from __future__ import annotations

import json
import re
import statistics
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser_metrics import (MB, REPO_ROOT, CHROMIUM, CHROMIUM_ARGS, Server, Tab, Totals, completed_runs,  # noqa: E402
                             map_state, open_tab, secs, size, start_server, stop_server, table, wait_for, wait_quiet)
from parcels import SEED, parcels  # noqa: E402

from tests.browser.test_app_browser import panel_text  # noqa: E402

COUNT = 1_000_000
PRECISION = 6  # decimals of a degree in the GeoJSON: ~0.1 m
CENTRE = (116.4587, 39.9107)  # CBD核心区, where the first view looks
CLICKS = 3  # parcels clicked, each a new pick
CLICK_ZOOM = 19  # a parcel of a million in the CBD zone is ~5 m wide: ~25 px at z19
READ_LIMIT_S = 900.0  # file chosen → the layer offered; add → the map drawn with it
VIEW_LIMIT_S = 60.0
BASELINE_LIMIT_S = 180.0
BASELINE_LIMIT_GB = 6.0
TILES_READY_TARGET_S = 120.0
FIRST_VIEW_TARGET = 2 * MB
CLICK_TARGET_S = 0.5
DRAWN_TARGET = 1.5  # × the floor's map drawn
TILE_ROUTE = "/api/planmap/tiles/"
SCREENSHOT = REPO_ROOT / "benchmarks" / "big_layer_clicked.png"
SECTION = "## A planner's 1 000 000 parcels added as a file"
# The map frame's state: its zoom, the tile layer's tiles at the current zoom and how many are loaded, the
# image overlays loaded, the vector shapes outside the tiles, and the tooltip shown.
VIEW_STATE = """() => {
    let map = null;
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { map = window[key]; break; } } catch (e) {}
    }
    if (!map) return null;
    let grid = null;
    map.eachLayer(l => { if (L.VectorGrid && l instanceof L.VectorGrid) grid = l; });
    const centre = map.getCenter();
    const tooltip = document.querySelector('.leaflet-tooltip');
    const state = {zoom: map.getZoom(), moving: !!map._animatingZoom, grid: !!grid, tiles: 0, loaded: 0,
        lng: centre.lng, paths: document.querySelectorAll('.leaflet-tile path').length,
        images: [...document.querySelectorAll('img.leaflet-image-layer')]
            .filter(i => i.complete && i.naturalWidth > 0 && i.style.opacity !== '0').length,
        tooltip: tooltip ? tooltip.innerText : ''};
    if (grid) {
        for (const key in grid._tiles) {
            const tile = grid._tiles[key];
            if (tile.current) { state.tiles++; if (tile.loaded) state.loaded++; }
        }
    }
    return state;
}"""
# Where a lat/lng lands on the page (the map's container inside its iframe), given the iframe's offset.
POINT = """([lat, lng]) => {
    let map = null;
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { map = window[key]; break; } } catch (e) {}
    }
    const p = map.latLngToContainerPoint([lat, lng]);
    const r = map.getContainer().getBoundingClientRect();
    return {x: r.left + p.x, y: r.top + p.y};
}"""
CLOSE_POPUP = """() => {
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { window[key].closePopup(); return true; } } catch (e) {}
    }
    return false;
}"""
SET_VIEW = """([lat, lng, zoom]) => {
    for (const key of Object.keys(window)) {
        try { if (window[key] instanceof L.Map) { window[key].setView([lat, lng], zoom, {animate: false}); return true; } }
        catch (e) {}
    }
    return false;
}"""


@dataclass(frozen=True)
class ParcelFile:
    """The planner's file, the same GeoJSON unzipped (for the baseline), and parcels to click."""

    zipped: Path
    geojson: Path
    targets: list[dict]  # row (1-based, as the app numbers features), id, lon, lat of a point inside


def parcel_file(count: int = COUNT) -> ParcelFile:
    """Make the file once per count and seed under the temporary directory; later runs reuse it."""
    folder = Path(tempfile.gettempdir()) / f"planmap-bench-parcels-{count}-{SEED}"
    folder.mkdir(exist_ok=True)
    geojson, zipped, meta = (folder / f"parcels_{count}.{ext}" for ext in ("geojson", "zip", "targets.json"))
    if not meta.exists():
        frame = parcels(count)
        if not geojson.exists():
            partial = geojson.with_suffix(".partial")
            frame.to_file(partial, driver="GeoJSON", layer_options={"COORDINATE_PRECISION": PRECISION})
            partial.rename(geojson)
        meta.write_text(json.dumps(targets_near(frame, CENTRE, CLICKS)), encoding="utf-8")
    if not zipped.exists():
        partial = zipped.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(geojson, geojson.name)
        partial.rename(zipped)
    return ParcelFile(zipped, geojson, json.loads(meta.read_text(encoding="utf-8")))


def targets_near(frame, centre: tuple[float, float], count: int) -> list[dict]:
    """The `count` parcels whose inner points lie nearest `centre`: their row (1-based), id and that point."""
    points = frame.geometry.representative_point()
    distance = (points.x - centre[0]) ** 2 + (points.y - centre[1]) ** 2
    return [{"row": int(position) + 1, "id": str(frame["id"].iloc[position]),
             "lon": float(points.iloc[position].x), "lat": float(points.iloc[position].y)}
            for position in distance.to_numpy().argsort()[:count]]


class MemoryWatch:
    """Samples a server's resident memory every 0.5 s; kills it above `limit_gb` (when given)."""

    def __init__(self, server: Server, limit_gb: float | None = None) -> None:
        self.server, self.limit_gb = server, limit_gb
        self.peak_gb, self.exceeded_at = 0.0, None
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        status = Path(f"/proc/{self.server.proc.pid}/status")
        while not self._stop.wait(0.5):
            try:
                kib = next(int(line.split()[1]) for line in status.read_text().splitlines()
                           if line.startswith("VmRSS"))
            except (OSError, StopIteration):
                return
            self.peak_gb = max(self.peak_gb, kib / 1024 ** 2)
            if self.limit_gb is not None and self.peak_gb > self.limit_gb:
                self.exceeded_at = time.perf_counter() - self._started
                self.server.proc.kill()
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class Step:
    """A measured step: seconds, and the bytes the browser received meanwhile (HTTP and websocket)."""

    seconds: float | None = None
    bytes: Totals | None = None
    tiles: int = 0  # tile responses among them
    tile_bytes: int = 0


@dataclass
class UploadRun:
    """One path (vector tiles or image overlay) from file chosen to a parcel clicked."""

    how: str
    file_mb: float = 0.0
    read_s: float | None = None  # file chosen → the layer read, checked and offered (加入地图)
    ready_s: float | None = None  # file chosen → the sidebar says how it is drawn (tiles ready, or image)
    add: Step = field(default_factory=Step)  # 加入地图 → the map drawn with the layer
    add_server_s: float | None = None  # the script run that drew the map with the layer
    min_zoom: int | None = None
    first_view: Step = field(default_factory=Step)
    pan: Step = field(default_factory=Step)
    hovers: list[float] = field(default_factory=list)  # pointer on a parcel → its tooltip
    clicks: list[float] = field(default_factory=list)  # click → its row and id in the details column
    click_server: list[float] = field(default_factory=list)  # the script runs the clicks caused
    click_note: str = ""
    peak_gb: float = 0.0
    failed: str | None = None


@dataclass
class BaselineRun:
    seconds: float
    outcome: str
    peak_gb: float


@dataclass
class BigLayer:
    file: ParcelFile
    tiles: UploadRun
    image: UploadRun
    baseline: BaselineRun
    floor_drawn_s: float | None
    screenshot: Path | None


def view(page: Any) -> dict | None:
    for frame in page.frames:
        if "streamlit_folium.st_folium" in frame.url:
            return frame.evaluate(VIEW_STATE)
    return None


def on_page(page: Any, lat: float, lng: float) -> dict:
    """Page coordinates of a lat/lng on the map (the iframe's offset added)."""
    frame = next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)
    point = frame.evaluate(POINT, [lat, lng])
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    return {"x": box["x"] + point["x"], "y": box["y"] + point["y"]}


def set_view(page: Any, lat: float, lng: float, zoom: int) -> None:
    frame = next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)
    frame.evaluate(SET_VIEW, [lat, lng, zoom])


def measured(tab: Tab, action, done, timeout: float = VIEW_LIMIT_S) -> Step:
    """Run action(), wait until done() and the websocket is quiet: seconds to done, bytes to quiet."""
    before, tile_urls = tab.meter.snapshot(), dict(tab.meter.sizes)
    start = time.perf_counter()
    action()
    wait_for(tab.page, done, timeout)
    seconds = time.perf_counter() - start
    wait_quiet(tab)
    new_tiles = {url: n for url, n in tab.meter.sizes.items() if TILE_ROUTE in url and url not in tile_urls}
    return Step(seconds, tab.meter.snapshot().minus(before), len(new_tiles), sum(new_tiles.values()))


def tiles_drawn(page: Any, zoom: int, moved_from: float | None = None) -> bool:
    state = view(page)
    return bool(state and state["zoom"] == zoom and not state["moving"] and state["grid"] and state["tiles"]
                and state["loaded"] == state["tiles"] and (moved_from is None or state["lng"] != moved_from))


def upload(browser: Any, server: Server, timings: Path, file: ParcelFile, shapes: int, tiled: bool,
           screenshot: Path | None) -> UploadRun:
    """The planner's steps, timed: open the app, add the file, zoom to the first view, pan, click parcels."""
    run = UploadRun("vector tiles" if tiled else "image overlay", file.zipped.stat().st_size / MB)
    tab = open_tab(browser)
    page = tab.page
    try:
        page.goto(server.url, wait_until="commit")
        wait_for(page, lambda: (s := map_state(page)) and s["shapes"] == shapes, VIEW_LIMIT_S)
        wait_quiet(tab)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("添加图层").click()
        chosen = time.perf_counter()
        sidebar.locator('input[type="file"]').set_input_files(str(file.zipped))
        add = sidebar.get_by_role("button", name="加入地图")
        add.wait_for(timeout=READ_LIMIT_S * 1000)
        run.read_s = time.perf_counter() - chosen
        wait_quiet(tab)
        says = "矢量切片" if tiled else "以图片显示"
        since = time.time()

        def drawn_with_layer() -> bool:
            state = view(page)
            return bool(state and state["images"] >= 1 and (state["grid"] or not tiled))

        run.add = measured(tab, add.click, drawn_with_layer, READ_LIMIT_S)
        wait_for(page, lambda: says in sidebar.inner_text(), READ_LIMIT_S)
        run.ready_s = time.perf_counter() - chosen
        runs = wait_for(page, lambda: completed_runs(timings, since), 30.0)  # logged as the run ends
        run.add_server_s = max(runs)
        if tiled:
            found = re.search(r"(\d+) 级及以上以矢量切片", sidebar.inner_text())
            run.min_zoom = int(found.group(1)) if found else None
        zoom = run.min_zoom or 17

        # The first view: centred on the CBD core one zoom out, then one click on "+" as a planner zooms in.
        set_view(page, CENTRE[1], CENTRE[0], zoom - 1)
        wait_for(page, lambda: (s := view(page)) and s["zoom"] == zoom - 1 and not s["moving"])
        wait_quiet(tab)
        frame = next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)
        at_zoom = (lambda: tiles_drawn(page, zoom)) if tiled else \
            (lambda: (s := view(page)) and s["zoom"] == zoom and not s["moving"])
        run.first_view = measured(tab, lambda: frame.locator(".leaflet-control-zoom-in").click(), at_zoom)

        # A pan by half the map's width, dragged with the mouse.
        box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        before = view(page)["lng"]

        def drag() -> None:
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x - box["width"] / 2, y, steps=10)
            page.mouse.up()

        panned = (lambda: tiles_drawn(page, zoom, before)) if tiled else \
            (lambda: (s := view(page)) and s["lng"] != before and not s["moving"])
        run.pan = measured(tab, drag, panned)

        first = file.targets[0]
        set_view(page, first["lat"], first["lon"], CLICK_ZOOM)
        wait_for(page, (lambda: tiles_drawn(page, CLICK_ZOOM)) if tiled else
                 (lambda: (s := view(page)) and s["zoom"] == CLICK_ZOOM))
        wait_quiet(tab)
        for target in file.targets:
            _click(tab, timings, target, tiled, run)
        if screenshot is not None and run.clicks:
            _save_screenshot(page, screenshot)
    except Exception as error:  # a step that never came: reported as measured, the other rows still run
        run.failed = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        tab.close()
    return run


def _click(tab: Tab, timings: Path, target: dict, tiled: bool, run: UploadRun) -> None:
    """Point at a parcel (its tooltip), click it, and time until its row and id are in the details column."""
    page = tab.page
    frame = next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)
    frame.evaluate(CLOSE_POPUP)  # the last click's list of the places under it, closed as with its ✕
    point = on_page(page, target["lat"], target["lon"])
    label = f"#{target['row']} · {target['id']}"
    page.mouse.move(point["x"] - 3, point["y"])
    start = time.perf_counter()
    page.mouse.move(point["x"], point["y"])
    if tiled:
        try:
            wait_for(page, lambda: label in ((view(page) or {}).get("tooltip") or ""), 10.0)
            run.hovers.append(time.perf_counter() - start)
        except TimeoutError:
            pass
    since, start = time.time(), time.perf_counter()
    page.mouse.click(point["x"], point["y"])
    try:
        wait_for(page, lambda: label in panel_text(page), 10.0 if tiled else 5.0)
    except TimeoutError:
        shown = panel_text(page)
        run.click_note = (f"a click on the parcel does not name it: the details column shows "
                          f"“{' '.join(shown.split())[:40]}…”")
        return
    run.clicks.append(time.perf_counter() - start)
    wait_quiet(tab)
    try:  # a run is logged as it ends, after the sidebar (drawn after the details column)
        run.click_server.append(wait_for(page, lambda: completed_runs(timings, since), 30.0)[0])
    except TimeoutError:
        pass


def _save_screenshot(page: Any, path: Path) -> None:
    """The page as a planner sees it (the clicked parcel's tooltip and its site check), as a small PNG."""
    from PIL import Image

    try:  # the click's run finished: its site check shown, the sidebar no longer greyed
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
    except Exception:  # still running after a minute: the picture shows it so
        pass
    raw = Path(tempfile.mkstemp(suffix=".png")[1])
    page.screenshot(path=str(raw))
    with Image.open(raw) as image:
        image.convert("RGB").quantize(colors=128).save(path, optimize=True)
    raw.unlink()


def baseline(browser: Any, file: ParcelFile, shapes: int) -> BaselineRun:
    """explore() of the parcels beside the shipped layers: navigation until every shape is drawn, bounded by
    BASELINE_LIMIT_S and BASELINE_LIMIT_GB of server memory (the server is killed above it)."""
    timings = Path(tempfile.mkstemp(prefix="planmap-runs-", suffix=".log")[1])
    env = {"BENCH_PARCELS": str(file.geojson), "BENCH_APP": str(REPO_ROOT / "benchmarks" / "baseline_app.py"),
           "BENCH_TIMINGS": str(timings)}
    server = start_server(REPO_ROOT / "benchmarks" / "timed_app.py", env)
    watch = MemoryWatch(server, BASELINE_LIMIT_GB)
    tab = open_tab(browser)
    start = time.perf_counter()
    try:
        tab.page.goto(server.url, wait_until="commit")
        deadline = start + BASELINE_LIMIT_S
        while time.perf_counter() < deadline and watch.exceeded_at is None:
            try:
                state = map_state(tab.page) if server.proc.poll() is None else None
            except Exception:  # the map's frame swapped mid-check
                state = None
            if state and state["shapes"] >= shapes + COUNT:
                return BaselineRun(time.perf_counter() - start, "drawn", watch.peak_gb)
            if server.proc.poll() is not None and watch.exceeded_at is None:
                return BaselineRun(time.perf_counter() - start, "the server exited", watch.peak_gb)
            tab.page.wait_for_timeout(500)
        if watch.exceeded_at is not None:
            return BaselineRun(watch.exceeded_at, f"exceeded {BASELINE_LIMIT_GB:.0f} GB of server memory after "
                               f"{watch.exceeded_at:.0f} s (stopped)", watch.peak_gb)
        errors = tab.page.locator('[data-testid="stException"], [data-testid="stAlert"]')
        shown = " ".join(errors.all_inner_texts()).strip() if errors.count() else ""
        return BaselineRun(BASELINE_LIMIT_S, f"did not finish in {BASELINE_LIMIT_S:.0f} s"
                           + (f" (the page showed: {shown[:80]})" if shown else ""), watch.peak_gb)
    finally:
        tab.close()
        watch.stop()
        stop_server(server)
        timings.unlink(missing_ok=True)


def serve_and_upload(browser: Any, file: ParcelFile, shapes: int, tiled: bool,
                     screenshot: Path | None) -> UploadRun:
    """Serve app.py (through server.py's routes when tiled, plain `streamlit run` otherwise) and upload."""
    timings = Path(tempfile.mkstemp(prefix="planmap-runs-", suffix=".log")[1])
    env = {"BENCH_APP": str(REPO_ROOT / "app.py"), "BENCH_TIMINGS": str(timings)}
    served_by = "timed_server.py" if tiled else "timed_app.py"
    server = start_server(REPO_ROOT / "benchmarks" / served_by, env)
    watch = MemoryWatch(server)
    try:
        run = upload(browser, server, timings, file, shapes, tiled, screenshot)
    finally:
        watch.stop()
        stop_server(server)
        timings.unlink(missing_ok=True)
    run.peak_gb = watch.peak_gb
    return run


def measure_big_layer(shapes: int, floor_drawn_s: float | None) -> BigLayer:
    """The three paths, one server at a time; `shapes` is what Plan Map draws at start (the shipped layers)."""
    from playwright.sync_api import sync_playwright

    file = parcel_file()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            print("  Plan Map: vector tiles…", flush=True)
            tiled = serve_and_upload(browser, file, shapes, True, SCREENSHOT)
            print("  Plan Map: image overlay (no tile route)…", flush=True)
            image = serve_and_upload(browser, file, shapes, False, None)
            print("  explore() baseline…", flush=True)
            base = baseline(browser, file, shapes)
        finally:
            browser.close()
    return BigLayer(file, tiled, image, base, floor_drawn_s, SCREENSHOT if tiled.clicks else None)


# --- report ------------------------------------------------------------------------------------------

def _bytes(step: Step) -> str:
    if step.bytes is None:
        return "–"
    tiles = f"; {step.tiles} tiles, {size(step.tile_bytes)}" if step.tiles else ""
    return f"{size(step.bytes.total)} (websocket {size(step.bytes.ws_bytes)}{tiles})"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def targets_rows(result: BigLayer) -> list[list[str]]:
    """The issue's targets for this machine, PASS or FAIL (n/a when the step was not reached)."""
    tiles, floor = result.tiles, result.floor_drawn_s

    def verdict(value: float | None, bound: float | None) -> str:
        return "n/a" if value is None or bound is None else "PASS" if value <= bound else "FAIL"

    first = tiles.first_view.bytes.total if tiles.first_view.bytes else None
    click = _median(tiles.clicks)
    drawn = tiles.add.seconds
    return [
        ["1 000 000 parcels: tiles ready ≤ 2 min (file chosen → tiles served)", secs(tiles.ready_s),
         verdict(tiles.ready_s, TILES_READY_TARGET_S)],
        ["1 000 000 parcels: first view ≤ 2 MB", size(first), verdict(first, FIRST_VIEW_TARGET)],
        ["1 000 000 parcels: click → attributes ≤ 0.5 s", f"{secs(click)} (median of {len(tiles.clicks)})",
         verdict(click, CLICK_TARGET_S)],
        ["1 000 000 parcels: map drawn ≤ 1.5× the floor (加入地图 → map drawn with the layer)",
         f"{secs(drawn)} vs floor {secs(floor)}" + (f" ({drawn / floor:.1f}×)" if drawn and floor else ""),
         verdict(drawn, floor and DRAWN_TARGET * floor)],
    ]


def measures_table(result: BigLayer) -> str:
    tiles, image, base = result.tiles, result.image, result.baseline
    runs = (tiles, image)
    not_clickable = image.click_note or "not clickable (image)"

    def clicks(run: UploadRun) -> str:
        if not run.clicks:
            return run.click_note or "–"
        return (f"{secs(_median(run.clicks))} (each: {', '.join(secs(c) for c in run.clicks)}; server run "
                f"{secs(_median(run.click_server))})")

    rows = [
        ["file (what the planner picks)", *(f"{r.file_mb:.0f} MB zipped GeoJSON" for r in runs), "the same GeoJSON, "
         f"{result.file.geojson.stat().st_size / MB:.0f} MB, read by the app"],
        ["file chosen → read, checked and offered (加入地图)", *(secs(r.read_s) for r in runs), "–"],
        ["file chosen → the sidebar says how it is drawn (tiles ready / image)", *(secs(r.ready_s) for r in runs),
         "–"],
        ["加入地图 → map drawn with the layer", *(secs(r.add.seconds) for r in runs),
         f"navigation → map drawn: {base.outcome}" if base.outcome != "drawn" else secs(base.seconds)],
        ["of which the server's script run", *(secs(r.add_server_s) for r in runs), "–"],
        ["加入地图: bytes received", *(_bytes(r.add) for r in runs), "–"],
        [f"first view (zoom in to z{tiles.min_zoom or 17} over the CBD core): bytes", *(_bytes(r.first_view)
                                                                                      for r in runs), "–"],
        ["first view: zoom click → drawn", *(secs(r.first_view.seconds) for r in runs), "–"],
        ["pan by half the map's width: bytes", *(_bytes(r.pan) for r in runs), "–"],
        ["pan: drag start → drawn", *(secs(r.pan.seconds) for r in runs), "–"],
        [f"pointer on a parcel → its tooltip (z{CLICK_ZOOM})", secs(_median(tiles.hovers)), "no tooltip (image)", "–"],
        [f"click → the parcel's row and id in the details column (median of {CLICKS})", clicks(tiles),
         not_clickable, "–"],
        ["server's peak memory (RSS)", *(f"{r.peak_gb:.1f} GB" for r in runs), f"{base.peak_gb:.1f} GB"],
    ]
    failures = [f"- {r.how}: stopped at a step: {r.failed}" for r in runs if r.failed]
    return table(["1 000 000 parcels", "Plan Map: vector tiles", "Plan Map: image overlay (fallback)",
                  "explore() baseline"], rows) + ("\n\n" + "\n".join(failures) if failures else "")


METHOD = f"""\
How it was measured (benchmarks/big_layer.py):
- The file: benchmarks/parcels.py's seeded parcels ({COUNT:,}) as GeoJSON with {PRECISION} decimals, zipped; the
  planner's path is the sidebar's 添加图层 (a Playwright file chooser on Streamlit's uploader), then 加入地图.
- Vector tiles: app.py served as `make run` serves it (server.py's routes, through benchmarks/timed_server.py).
  Image overlay: the same app.py under a plain `streamlit run` (benchmarks/timed_app.py), where no tile route
  is mounted and the upload falls back to one image (data URI), as the sidebar then says.
- Tiles ready: file chosen until the sidebar says the layer is served as vector tiles (the upload, the read,
  check and repair, the 加入地图 click, the image and the tile index built). Map drawn: the 加入地图 click
  until the map shows the layer (its image loaded, the tile layer in place); the floor is the same run's
  floor app, navigation to map drawn (median of its visits).
- First view: the map set one zoom out of the layer's first vector zoom over the CBD core, then "+" clicked;
  bytes from the click until every tile in view is drawn and the websocket has been quiet for 1 s (tiles,
  plus the rerun the view change causes). Pan: a mouse drag by half the map's width, same accounting.
- Click → attributes: at z{CLICK_ZOOM}, the pointer on each of the {CLICKS} parcels nearest the CBD core's centre
  (its tooltip: row and id), then a click, timed until the details column names the parcel (row and id, with
  its site check). Bytes and times from Chromium (CDP encodedDataLength, websocket payloads).
- Baseline: benchmarks/baseline_app.py with BENCH_PARCELS set to the unzipped GeoJSON, one navigation, bounded
  to {BASELINE_LIMIT_S:.0f} s and {BASELINE_LIMIT_GB:.0f} GB of server memory (sampled every 0.5 s, server killed above it).
- Screenshot: {SCREENSHOT.relative_to(REPO_ROOT)}, the tiled layer at z{CLICK_ZOOM} after the last click."""


def section(result: BigLayer, measured_line: str) -> str:
    """The Markdown section for RESULTS.md: when and where, targets, the three paths, method."""
    return "\n\n".join([SECTION, measured_line, table(["target", "measured", "verdict"], targets_rows(result)),
                        measures_table(result), METHOD])


def replace_section(document: str, new_section: str) -> str:
    """`document` with its big-layer section replaced by `new_section` (appended when it has none)."""
    start = document.find(SECTION)
    if start < 0:
        return document.rstrip("\n") + "\n\n" + new_section.rstrip("\n") + "\n"
    end = document.find("\n## ", start + len(SECTION))
    rest = document[end:] if end >= 0 else "\n"
    return document[:start] + new_section.rstrip("\n") + "\n" + rest
