"""`make bench`: Plan Map (app.py) against a naive baseline (benchmarks/baseline_app.py) and the floor of
the stack (benchmarks/floor_app.py), on the shipped layers and on 1 000 / 10 000 / 100 000 synthetic
parcels, and a planner's 1 000 000 parcels added as a file (benchmarks/big_layer.py). Prints the tables and
writes them, with the machine, date and commit, to benchmarks/RESULTS.md. BENCH_ONLY=big-layer runs only the
1 000 000-parcel rows.

Every app runs in a real `streamlit run` (through benchmarks/timed_app.py, which logs each script run's
duration) and is driven by headless Debian Chromium with every request to another host aborted. One
server at a time, one browser per server; every wait and loop is bounded.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_metrics import (MB, REPO_ROOT, CHROMIUM, CHROMIUM_ARGS, TOGGLE_LAYER, Server, Tab, Totals,  # noqa: E402
                             click_layer, completed_runs, map_state, open_tab, secs, size, start_server,
                             stop_server, table, wait_for, wait_quiet)
from big_layer import measure_big_layer, replace_section, section  # noqa: E402
from parcels import write_extra_catalog, write_parcels  # noqa: E402
import interactions  # noqa: E402

from layers.catalog import LayerSpec, layer_frame, load_catalog  # noqa: E402
from ui.accessible import layer_label  # noqa: E402
from layers.static_map import render_map  # noqa: E402

BENCH_DIR = REPO_ROOT / "benchmarks"
RESULTS = BENCH_DIR / "RESULTS.md"
WRAPPER = BENCH_DIR / "timed_app.py"
PLAN_MAP_SERVER = BENCH_DIR / "timed_server.py"  # server.py's st.App around the same wrapper
SCALES = (1_000, 10_000, 100_000)
VISITS, TOGGLES = 7, 20  # shipped layers: fresh-context visits, toggles (alternately off and on)
SCALE_VISITS, SCALE_TOGGLES = 3, 4
STATIC_RUNS = 3
VISIT_TIMEOUT_S = 60.0  # any app, any visit or toggle
BASELINE_LIMIT_S = 60.0  # the baseline's first visit at 100 000 parcels
VECTOR_LIMIT = next(f.default for f in fields(LayerSpec) if f.name == "vector_limit")  # the parcels keep it


# --- what is measured ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """One app on one data set, and what its map holds once drawn."""

    app: str  # "Plan Map", "baseline", "floor"
    script: Path
    env: dict[str, str]
    shapes: int  # vector shapes drawn (Leaflet paths)
    images: int = 0  # image overlays drawn (Plan Map's big layers)
    toggle_label: str | None = None  # the checkbox unticked and ticked again
    toggled: int = 0  # the shapes that checkbox's layer holds
    limit_s: float = VISIT_TIMEOUT_S
    served_by: Path = WRAPPER  # what `streamlit run` starts

    def drawn(self, state: dict[str, Any] | None, shapes: int | None = None) -> bool:
        if not state:
            return False
        if self.app == "floor":
            return state["ready"]
        return state["shapes"] == (self.shapes if shapes is None else shapes) and state["images"] == self.images


@dataclass
class Visit:
    drawn_s: float
    bytes: Totals
    build_s: float | None  # the server's script run that built the page


@dataclass
class Toggle:
    server_s: float | None  # the script run the click caused
    runs: int  # complete script runs between the click and a quiet page
    seen_s: float  # click until the map shows the change
    bytes: Totals


@dataclass
class Result:
    subject: Subject
    cold: Visit | None = None  # the server's first visit (file reads, caches)
    visits: list[Visit] = field(default_factory=list)
    toggles: list[Toggle] = field(default_factory=list)
    pan: dict[str, Any] | None = None
    unfinished: str | None = None
    blocked: int = 0  # requests to other hosts (all aborted)

    def median(self, pick: Callable[[Any], float | None], items: str = "visits") -> float | None:
        values = [value for value in map(pick, getattr(self, items)) if value is not None]
        return statistics.median(values) if values else None

    def mean(self, pick: Callable[[Any], float], items: str) -> float | None:
        values = [pick(item) for item in getattr(self, items)]
        return statistics.fmean(values) if values else None


# --- driving one app ----------------------------------------------------------------------------------

def visit(browser: Any, server: Server, subject: Subject, timings: Path, timeout: float) -> tuple[Tab, Visit]:
    """A fresh context opens the page; returns it (still open) with its time to map drawn and its bytes."""
    tab = open_tab(browser)
    since, start = time.time(), time.perf_counter()
    tab.page.goto(server.url, wait_until="commit")
    wait_for(tab.page, lambda: subject.drawn(map_state(tab.page)), timeout)
    drawn_s = time.perf_counter() - start
    wait_quiet(tab)
    runs = completed_runs(timings, since)
    return tab, Visit(drawn_s, tab.meter.snapshot(), runs[0] if runs else None)


def toggle(tab: Tab, subject: Subject, timings: Path, off: bool) -> Toggle:
    """Click the subject's checkbox; wait until its shapes are gone (or back) and the page is quiet."""
    before, since, start = tab.meter.snapshot(), time.time(), time.perf_counter()
    click_layer(tab.page, subject.toggle_label)
    target = subject.shapes - subject.toggled if off else subject.shapes
    wait_for(tab.page, lambda: subject.drawn(map_state(tab.page), target), subject.limit_s)
    seen_s = time.perf_counter() - start
    wait_quiet(tab, quiet_s=0.5)
    runs = completed_runs(timings, since)
    return Toggle(runs[0] if runs else None, len(runs), seen_s, tab.meter.snapshot().minus(before))


def pan(tab: Tab) -> dict[str, Any]:
    """Drag the map by (160, 90) px in 8 steps: does Leaflet follow, and how long did the drag take?"""
    page = tab.page
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    x, y = box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5
    before = map_state(page)["pane"]
    start = time.perf_counter()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 160, y + 90, steps=8)
    page.mouse.up()
    moved = wait_for(page, lambda: map_state(page)["pane"] != before, 10.0)
    return {"moved": bool(moved), "drag_s": time.perf_counter() - start, "pane": map_state(page)["pane"]}


def measure(subject: Subject, visits: int, toggles: int, with_pan: bool = False) -> Result:
    """Serve the subject, then: a cold first visit, fresh-context visits, toggles (and a drag) in the last."""
    from playwright.sync_api import sync_playwright

    result = Result(subject)
    timings = Path(tempfile.mkstemp(prefix="planmap-runs-", suffix=".log")[1])
    env = {**subject.env, "BENCH_APP": str(subject.script), "BENCH_TIMINGS": str(timings)}
    server = start_server(subject.served_by, env)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                _drive(browser, server, subject, timings, result, visits, toggles, with_pan)
            finally:
                browser.close()
    finally:
        stop_server(server)
        timings.unlink(missing_ok=True)
    return result


def measure_interleaved(subjects: list[Subject], visits: int, toggles: int) -> list[Result]:
    """Serve the subjects side by side and alternate their visits (A B C A B C …), so a slow spell of this
    2-core machine falls on every app alike; then each app's toggles, in one more visit's page."""
    from playwright.sync_api import sync_playwright

    results = [Result(subject) for subject in subjects]
    timings = [Path(tempfile.mkstemp(prefix="planmap-runs-", suffix=".log")[1]) for _ in subjects]
    servers: list[Server] = []
    try:
        for subject, log in zip(subjects, timings):
            env = {**subject.env, "BENCH_APP": str(subject.script), "BENCH_TIMINGS": str(log)}
            servers.append(start_server(subject.served_by, env))
        runs = list(zip(subjects, servers, timings, results))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for subject, server, log, result in runs:
                    tab, result.cold = visit(browser, server, subject, log, subject.limit_s)
                    _close(tab, result)
                for _ in range(visits):
                    for subject, server, log, result in runs:
                        tab, measured = visit(browser, server, subject, log, subject.limit_s)
                        result.visits.append(measured)
                        _close(tab, result)
                for subject, server, log, result in runs:
                    if subject.toggle_label and toggles:
                        tab, _visit = visit(browser, server, subject, log, subject.limit_s)
                        for index in range(toggles):
                            result.toggles.append(toggle(tab, subject, log, off=index % 2 == 0))
                        _close(tab, result)
            finally:
                browser.close()
    finally:
        for server in servers:
            stop_server(server)
        for log in timings:
            log.unlink(missing_ok=True)
    return results


def _drive(browser: Any, server: Server, subject: Subject, timings: Path, result: Result, visits: int,
           toggles: int, with_pan: bool) -> None:
    """The cold visit, then fresh visits; the last page stays open for the drag and the toggles."""
    try:
        tab, result.cold = visit(browser, server, subject, timings, subject.limit_s)
    except TimeoutError:
        result.unfinished = f"did not finish in {subject.limit_s:.0f} s"
        return
    for _ in range(visits):
        _close(tab, result)
        tab, measured = visit(browser, server, subject, timings, subject.limit_s)
        result.visits.append(measured)
    try:
        if with_pan:
            result.pan = pan(tab)
        for index in range(toggles if subject.toggle_label else 0):
            result.toggles.append(toggle(tab, subject, timings, off=index % 2 == 0))
        if with_pan:  # after the drag and the toggles the big layer is still drawn
            result.pan["image_after_toggles"] = map_state(tab.page)["images"] == subject.images
    except TimeoutError:
        result.unfinished = f"the map did not follow a drag or toggle within {subject.limit_s:.0f} s"
    _close(tab, result)


def _close(tab: Tab, result: Result) -> None:
    result.blocked += len(tab.blocked) + len(tab.meter.external)
    tab.close()


# --- the subjects ------------------------------------------------------------------------------------

def shipped_shapes() -> tuple[int, int]:
    """Shapes Plan Map draws at start, and those of the toggled layer (the baseline draws the same)."""
    catalog = load_catalog()
    counts = {layer_id: len(layer_frame(catalog.layers[layer_id])) for layer_id in catalog.default_visible()}
    return sum(counts.values()), counts[TOGGLE_LAYER]


def plan_map(parcels: Path | None = None, n: int = 0) -> Subject:
    shapes, toggled = shipped_shapes()
    env = {}
    if parcels is not None:
        env["PLANMAP_EXTRA_LAYERS"] = str(write_extra_catalog(parcels, parcels.parent))
    raster = n > VECTOR_LIMIT
    return Subject("Plan Map", REPO_ROOT / "app.py", env, shapes + (0 if raster else n), int(raster),
                   layer_label(load_catalog().layers[TOGGLE_LAYER], "zh"), toggled, served_by=PLAN_MAP_SERVER)


def baseline(parcels: Path | None = None, n: int = 0, limit_s: float = VISIT_TIMEOUT_S) -> Subject:
    shapes, toggled = shipped_shapes()
    env = {"BENCH_PARCELS": str(parcels)} if parcels is not None else {}
    return Subject("baseline", BENCH_DIR / "baseline_app.py", env, shapes + n, 0, TOGGLE_LAYER, toggled, limit_s)


def floor() -> Subject:
    return Subject("floor", BENCH_DIR / "floor_app.py", {}, 0)


def static_maps() -> dict[str, float]:
    """Median seconds to render the default layers as an A4 PNG at 300 dpi and an A4 PDF (after a warm-up)."""
    layers = load_catalog().default_visible()
    render_map(layers, fmt="png", dpi=72)  # fonts, data and matplotlib loaded once
    times = {}
    for fmt in ("png", "pdf"):
        runs = []
        for _ in range(STATIC_RUNS):
            start = time.perf_counter()
            render_map(layers, fmt=fmt, paper="A4", dpi=300)
            runs.append(time.perf_counter() - start)
        times[fmt] = statistics.median(runs)
    return times


# --- report ------------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True).stdout
    return {"nproc": str(os.cpu_count()), "memory": f"{mem_kib / 1024 ** 2:.1f} GiB", "cpu": cpu,
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": commit + (" (with uncommitted changes)" if dirty.strip() else ""),
            "python": platform.python_version()}


def others_running() -> list[str]:
    """Streamlit or Chromium processes already running (none is ours: it is called before any is started)."""
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    return [line.strip() for line in listing if "streamlit" in line or "chromium" in line]


def lower_by(ours: float | None, theirs: float | None) -> str:
    return "–" if not ours or not theirs else f"baseline ÷ Plan Map = {theirs / ours:.1f}×"


def first_page(result: Result, part: str = "total") -> float | None:
    """Median bytes of the fresh visits (the same every visit; the first visit's when it was the only one)."""
    visits = result.visits or ([result.cold] if result.cold else [])
    return statistics.median(getattr(v.bytes, part) for v in visits) if visits else None


def one_toggle(result: Result, part: str = "total") -> float | None:
    """Bytes of the first untick: a layer combination the browser has not seen. Streamlit sends an element
    it sent in the last two runs as a short reference, so later toggles back and forth cost less."""
    return getattr(result.toggles[0].bytes, part) if result.toggles else None


def mean_toggle(result: Result) -> float | None:
    return result.mean(lambda t: t.bytes.total, "toggles")


def shipped_table(plan: Result, base: Result, flr: Result) -> str:
    results = (plan, base, flr)
    rows = [
        [f"toggle: server script run (median of {TOGGLES})", *(secs(r.median(lambda t: t.server_s, "toggles"))
                                                               for r in results)],
        ["toggle: complete script runs per toggle", *(f"{r.mean(lambda t: t.runs, 'toggles'):.1f}" if r.toggles
                                                      else "–" for r in results)],
        ["toggle: click until the map shows it (median)", *(secs(r.median(lambda t: t.seen_s, "toggles"))
                                                            for r in results)],
        ["one toggle (first untick): bytes received, HTTP + websocket", *(size(one_toggle(r)) for r in results)],
        ["one toggle: of which the map component", *(size(one_toggle(r, "map_bytes")) for r in results)],
        [f"toggle bytes, mean of {TOGGLES} (repeats partly sent as references)", *(size(mean_toggle(r))
                                                                                   for r in results)],
        [f"first page: bytes received (median of {VISITS})", *(size(first_page(r)) for r in results)],
        ["first page: HTTP (Streamlit frontend, Leaflet)", *(size(first_page(r, "http_bytes")) for r in results)],
        ["first page: websocket (the app's output)", *(size(first_page(r, "ws_bytes")) for r in results)],
        ["first page: of which the map component", *(size(first_page(r, "map_bytes")) for r in results)],
        ["first page: server script run (median)", *(secs(r.median(lambda v: v.build_s)) for r in results)],
        [f"navigation to map drawn (median of {VISITS})", *(secs(r.median(lambda v: v.drawn_s)) for r in results)],
        ["navigation to map drawn, server's first visit", *(secs(r.cold.drawn_s if r.cold else None) for r in results)],
        ["requests to other hosts (aborted)", *(str(r.blocked) for r in results)],
    ]
    return table(["shipped layers", "Plan Map", "baseline", "floor"], rows)


def scale_table(results: list[tuple[int, Result]]) -> str:
    rows = []
    for n, r in results:
        how = ("image overlay" if r.subject.images else "vector") if r.subject.app == "Plan Map" else "explore()"
        if r.cold is None:
            rows.append([f"{n:,}", r.subject.app, how, r.unfinished or "–", *["–"] * 7])
            continue
        rows.append([f"{n:,}", r.subject.app, how, secs(r.cold.build_s), secs(r.median(lambda v: v.build_s)),
                     size(first_page(r)), size(first_page(r, "ws_bytes")), size(one_toggle(r)),
                     secs(r.median(lambda t: t.server_s, "toggles")), secs(r.cold.drawn_s),
                     secs(r.median(lambda v: v.drawn_s))])
    header = ["parcels", "app", "drawn as", "page build, server: first visit",
              f"page build, server: median of {SCALE_VISITS}", "first page bytes", "of which websocket",
              "one toggle bytes", f"toggle server run (median of {SCALE_TOGGLES})", "map drawn: first visit",
              f"map drawn: median of {SCALE_VISITS}"]
    return table(header, rows)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def at_most(value: float | None, bound: float | None) -> bool | None:
    return None if value is None or bound is None else value <= bound


def targets(plan: Result, base: Result, flr: Result, scale: dict[tuple[str, int], Result],
            static: dict[str, float], acts: interactions.Interactions) -> str:
    toggle_plan = plan.median(lambda t: t.server_s, "toggles")
    toggle_base = base.median(lambda t: t.server_s, "toggles")
    drawn_plan, drawn_floor = plan.median(lambda v: v.drawn_s), flr.median(lambda v: v.drawn_s)
    p10, b10, p100 = scale[("Plan Map", 10_000)], scale[("baseline", 10_000)], scale[("Plan Map", 100_000)]
    toggle_p10, toggle_b10 = (r.median(lambda t: t.server_s, "toggles") for r in (p10, b10))
    pan_ok = bool(p100.pan and p100.pan["moved"] and p100.pan.get("image_after_toggles")
                  and len(p100.toggles) == SCALE_TOGGLES)
    rows = [
        ["toggle server time ≥ 5× lower than baseline", f"{secs(toggle_plan)} vs {secs(toggle_base)}: "
         f"{lower_by(toggle_plan, toggle_base)} (at 10 000 parcels {secs(toggle_p10)} vs {secs(toggle_b10)}: "
         f"{lower_by(toggle_p10, toggle_b10)})", verdict(at_most(toggle_plan, toggle_base and toggle_base / 5))],
        ["first map drawn ≤ 1.2× the floor", f"{secs(drawn_plan)} vs floor {secs(drawn_floor)} "
         f"({drawn_plan / drawn_floor:.2f}×)", verdict(at_most(drawn_plan, 1.2 * drawn_floor))],
    ]
    for label, pick, ours, theirs, share in (
            ("shipped layers: first page bytes ≤ ½ baseline", first_page, plan, base, 0.5),
            ("shipped layers: one toggle bytes ≤ ½ baseline", one_toggle, plan, base, 0.5),
            ("10 000 parcels: first page bytes ≤ ¼ baseline", first_page, p10, b10, 0.25),
            ("10 000 parcels: one toggle bytes ≤ ¼ baseline", one_toggle, p10, b10, 0.25)):
        mine, their = pick(ours), pick(theirs)
        ws_mine, ws_their = pick(ours, "ws_bytes"), pick(theirs, "ws_bytes")
        shown = (f"{size(mine)} vs {size(their)} ({mine / their:.2f}×); websocket alone {size(ws_mine)} vs "
                 f"{size(ws_their)} ({ws_mine / ws_their:.2f}×)") if mine and their else "–"
        rows.append([label, shown, verdict(at_most(mine, their and their * share))])
    rows += [
        ["A4 PNG at 300 dpi ≤ 2 s", secs(static["png"]), verdict(static["png"] <= 2)],
        ["A4 PDF ≤ 2 s", secs(static["pdf"]), verdict(static["pdf"] <= 2)],
        ["100 000 parcels: first page ≤ 8 MB sent", size(first_page(p100)), verdict(at_most(first_page(p100), 8 * MB))],
        ["100 000 parcels: map drawn ≤ 5 s", secs(p100.median(lambda v: v.drawn_s)),
         verdict(at_most(p100.median(lambda v: v.drawn_s), 5.0))],
        ["100 000 parcels: pans and answers a toggle", _pan_text(p100), verdict(pan_ok)],
        *interactions.target_rows(acts),
    ]
    return table(["target", "measured", "verdict"], rows)


def _pan_text(result: Result) -> str:
    if not result.pan:
        return "–"
    seen = result.median(lambda t: t.seen_s, "toggles")
    return (f"drag moved the map: {'yes' if result.pan['moved'] else 'no'} ({secs(result.pan['drag_s'])} for the "
            f"drag); {len(result.toggles)} toggles, streets gone/back on the map in {secs(seen)} (median); "
            f"parcel image still drawn: {'yes' if result.pan['image_after_toggles'] else 'no'}")


METHOD = f"""\
How it was measured (benchmarks/run.py):
- Each app runs in a real `streamlit run` from the repository root, through benchmarks/timed_app.py, which
  times every script run inside the server (`exec` of the app, wall clock); a toggle's server time is the
  script run the click caused, a page build the first run of a new session. Same wrapper for every app.
  Plan Map is served as `make run` serves it: benchmarks/timed_server.py is server.py's `st.App` (the
  layer-data route and the compressed frontend, ui/asgi.py) around that wrapper; the baseline and the
  floor run under plain `streamlit run`, Streamlit's defaults.
- Headless Debian Chromium (Playwright), viewport 1400×1000, a fresh context per visit (empty HTTP cache),
  every request to another host aborted. Bytes: CDP `Network.loadingFinished` encodedDataLength (HTTP) plus
  the payload of every websocket frame received, until the websocket has been quiet for 1 s (0.5 s after a
  toggle); the map component's share is found by decoding the frames as Streamlit ForwardMsgs. Plain
  Streamlit serves its frontend uncompressed; Plan Map's server gzips it (encodedDataLength counts the
  gzipped bytes). The websocket is uncompressed for every app (Streamlit's default).
- One toggle's bytes: the first untick, a layer combination the page has not seen (Streamlit replaces an
  element ≥ 10 kB that it sent in the last two runs by a reference, so toggling back and forth costs less).
- Map drawn: navigation start until every expected shape (Leaflet paths) and image overlay is in the map
  iframe (floor: until Leaflet has set up the empty map). The server's first visit is reported apart.
- Shipped layers: the three apps are served side by side and visited in turn (Plan Map, baseline, floor,
  Plan Map, …), so a slow spell of the machine falls on all three; each app's first visit is its cold one.
  Scale: one app at a time.
- Toggle: untick, then tick, "{TOGGLE_LAYER}" (17 streets), alternately, {TOGGLES} times on the shipped layers
  (in one more visit's page), {SCALE_TOGGLES} times at scale (in the last visit's page); the server time is the
  median over those toggles.
- Baseline: benchmarks/baseline_app.py, `GeoDataFrame.explore()` of the same layers (same features) on every
  rerun, reads cached with st.cache_data, the same vendored Leaflet; floor: benchmarks/floor_app.py.
- Parcels: benchmarks/parcels.py, a seeded grid of quadrilaterals filling the CBD functional zone (union of
  data/cbd_streets.geojson), N cells taken evenly from the grid; attributes land use, FAR, height, area.
  Plan Map gets them through PLANMAP_EXTRA_LAYERS (above `vector_limit` = {VECTOR_LIMIT} features drawn as
  one image), the baseline through BENCH_PARCELS. At 100 000 the baseline gets one visit, bounded to
  {BASELINE_LIMIT_S:.0f} s. At 100 000 Plan Map's map is also dragged (Playwright mouse, 8 steps) and toggled.
- Static maps: layers.static_map.render_map of the default layers, median of {STATIC_RUNS} after a warm-up.
- MB = 10^6 bytes, KiB = 1024 bytes."""


def report(info: dict[str, str], others: list[str], shipped: str, scale: str, static: dict[str, float],
           verdicts: str, acts: str, elapsed_s: float) -> str:
    busy = ("\n\nOther Streamlit/Chromium processes were running during the measurement:\n"
            + "\n".join(f"- `{line[:120]}`" for line in others)) if others else ""
    return "\n\n".join([
        "# Plan Map benchmark", machine_line(info, elapsed_s) + busy, "## Targets", verdicts,
        "## Shipped layers", shipped, "## Interactions (benchmarks/interactions.py)", acts,
        "## Scale: synthetic parcels in the CBD functional zone", scale,
        "## Static report maps (default layers)",
        table(["map", "median"], [["A4 PNG, 300 dpi", secs(static["png"])], ["A4 PDF", secs(static["pdf"])]]),
        "## Method", METHOD + "\n" + interactions.METHOD]) + "\n"


def machine_line(info: dict[str, str], elapsed_s: float) -> str:
    return (f"{info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python {info['python']}; "
            f"{info['date']}; commit {info['commit']}; the whole run took {elapsed_s / 60:.1f} min.")


def big_layer_only(info: dict[str, str], others: list[str], started: float) -> None:
    """BENCH_ONLY=big-layer: the 1 000 000-parcel rows and the floor they are compared to; their section of
    RESULTS.md is replaced (the rest of the file stays as the last full run wrote it)."""
    print("floor…", flush=True)
    flr = measure(floor(), SCALE_VISITS, 0)
    print("1 000 000 parcels added as a file…", flush=True)
    result = measure_big_layer(shipped_shapes()[0], flr.median(lambda v: v.drawn_s))
    busy = f" Other Streamlit/Chromium processes were running: {len(others)}." if others else ""
    busy += " Load average (1, 5, 15 min) at the end: {:.1f}, {:.1f}, {:.1f}.".format(*os.getloadavg())
    measured = ("Measured alone (`make bench BENCH_ONLY=big-layer`, the floor measured in the same run): "
                + machine_line(info, time.perf_counter() - started) + busy)
    text = section(result, measured)
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Plan Map benchmark\n"
    RESULTS.write_text(replace_section(previous, text), encoding="utf-8")
    print(text)
    print(f"written to {RESULTS.relative_to(REPO_ROOT)} (its section only)")


def main() -> None:
    """The whole benchmark. Quick modes for working on some rows: BENCH_ONLY=interactions prints only the
    interaction rows (RESULTS.md is left as it is); BENCH_ONLY=big-layer measures only the 1 000 000-parcel rows
    (and the floor they are compared to) and replaces their section of RESULTS.md."""
    started = time.perf_counter()
    info, others = machine(), others_running()
    if others:
        print("warning: other Streamlit/Chromium processes are running; figures may be noisy:\n  "
              + "\n  ".join(others), flush=True)
    if os.environ.get("BENCH_ONLY") == "interactions":
        interactions.main([])
        return
    if os.environ.get("BENCH_ONLY") == "big-layer":
        big_layer_only(info, others, started)
        return
    print("static maps…", flush=True)
    static = static_maps()
    with tempfile.TemporaryDirectory(prefix="planmap-parcels-") as folder:
        files = {n: write_parcels(n, Path(folder)) for n in SCALES}
        print("shipped layers: Plan Map, baseline, floor…", flush=True)
        plan, base, flr = measure_interleaved([plan_map(), baseline(), floor()], VISITS, TOGGLES)
        scale: dict[tuple[str, int], Result] = {}
        for n in SCALES:
            print(f"{n:,} parcels…", flush=True)
            scale[("Plan Map", n)] = measure(plan_map(files[n], n), SCALE_VISITS, SCALE_TOGGLES,
                                             with_pan=n == max(SCALES))
            if n == max(SCALES):  # one bounded visit: a finished one is already minutes of browser work
                scale[("baseline", n)] = measure(baseline(files[n], n, BASELINE_LIMIT_S), 0, 0)
            else:
                scale[("baseline", n)] = measure(baseline(files[n], n), SCALE_VISITS, SCALE_TOGGLES)
    print("interactions…", flush=True)
    acts = interactions.measure(progress=lambda text: print(text, flush=True))
    print("1 000 000 parcels added as a file…", flush=True)
    big = measure_big_layer(shipped_shapes()[0], flr.median(lambda v: v.drawn_s))
    shipped = shipped_table(plan, base, flr)
    scaled = scale_table([(n, scale[(app, n)]) for n in SCALES for app in ("Plan Map", "baseline")])
    verdicts = targets(plan, base, flr, scale, static, acts)
    text = report(info, others, shipped, scaled, static, verdicts, interactions.table(acts),
                  time.perf_counter() - started)
    text = replace_section(text, section(big, "Measured in the run above; the floor is its shipped-layers floor."))
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
