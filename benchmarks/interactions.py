"""What a planner waits for after each action, in Plan Map served as `make run` serves it (server.py around
benchmarks/timed_app.py), in headless Debian Chromium with every other host blocked:

* click inside a place on the map → its details shown (alternately the CBD core and the sub-centre);
* pick a task in the tasks panel, after changing the keyword filter → the map framed on its places;
* language switch → page relabelled (title, details heading, the map's labels), alternately 中文 / English;
* open the indicators panel → Table 1 and the index chart drawn;
* pan (a mouse drag) → the address bar holds the new view (`view=lat,lng,zoom`);
* first map drawn, Plan Map against the floor (benchmarks/floor_app.py), in three consecutive rounds of
  interleaved fresh visits: each round's ratio of medians.

Each action is timed from the input event until the page shows its effect; the end of the script run the
action caused is seen in the address bar (the app writes the link last), so "shown" means the run finished
and the browser drew what it sent. The script runs the action caused are read from the timing log, to tell
server time from websocket and browser time. `benchmarks/run.py` includes these rows in `make bench`;
run alone, this module is the quick mode (about 3 minutes):

    .venv/bin/python benchmarks/interactions.py [--reps 7] [--rounds 3] [--only click,task,lang,indicators,pan,first]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_metrics import (REPO_ROOT, CHROMIUM, CHROMIUM_ARGS, MAP_COMPONENT, Server, Tab,  # noqa: E402
                             completed_runs, drawn_with, map_state, open_tab, start_server, stop_server, wait_for,
                             wait_quiet)

from layers.catalog import layer_frame, load_catalog  # noqa: E402
from layers.i18n import t  # noqa: E402

BENCH_DIR = REPO_ROOT / "benchmarks"
MAP_IFRAME = f'iframe[title="{MAP_COMPONENT}"]'
REPS, ROUNDS, ROUND_VISITS = 7, 3, 5
ACTION_TIMEOUT_S = 30.0
TARGET_S = 0.5  # click, task, language and indicators
FLOOR_RATIO = 1.2
ROWS = ("click", "task", "lang", "indicators", "pan", "first")
KEYWORDS = ("一核", "文化", "交通", "国际", "生态", "商务", "创新", "轨道", "服务")
NEUTRAL_VIEW = (39.6, 116.0, 9)  # away from every task's places: picking a task must move the map
FIND_MAP = """() => { for (const key of Object.keys(window)) {
    try { if (window[key] instanceof L.Map) return key; } catch (e) {} } return null; }"""
VIEW = """(name) => { const m = window[name]; const c = m.getCenter();
    return {zoom: m.getZoom(), lat: c.lat, lng: c.lng, moving: !!(m._animatingZoom || m._panAnim && m._panAnim._inProgress)}; }"""
HIT = """([name, lat, lng]) => { const m = window[name];
    const p = m.latLngToContainerPoint([lat, lng]); const r = m.getContainer().getBoundingClientRect();
    const el = document.elementFromPoint(r.left + p.x, r.top + p.y); let fid = null;
    m.eachLayer(l => { if (l._path && l._path === el && l.feature) fid = l.feature.properties.fid; });
    return {x: r.left + p.x, y: r.top + p.y, fid}; }"""
LABELS = "() => [...document.querySelectorAll('.planmap-label')].map(e => e.textContent)"


@dataclass
class Sample:
    seconds: float  # input event until the effect is shown
    runs: list[float]  # complete script runs of the whole page the action caused (server seconds each)
    linked: float | None = None  # input event until the address bar had the run's link (the run was over)


@dataclass
class Interactions:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    rounds: list[tuple[float, float]] = field(default_factory=list)  # (Plan Map, floor) median map drawn
    problems: list[str] = field(default_factory=list)

    def median(self, row: str) -> float | None:
        values = [s.seconds for s in self.samples.get(row, [])]
        return statistics.median(values) if values else None

    def server(self, row: str) -> tuple[float | None, float | None]:
        """Median script runs per action and median server seconds per action (all its runs)."""
        samples = self.samples.get(row, [])
        if not samples:
            return None, None
        return statistics.median(len(s.runs) for s in samples), statistics.median(sum(s.runs) for s in samples)


# --- the page ----------------------------------------------------------------------------------------

class App:
    """One tab on Plan Map, with the map frame and its L.Map found again whenever the frame is replaced."""

    def __init__(self, tab: Tab, server: Server, timings: Path):
        self.tab, self.page, self.server, self.timings = tab, tab.page, server, timings

    def open(self, query: str = "") -> None:
        self.page.goto(self.server.url + query, wait_until="commit")
        wait_for(self.page, lambda: (state := map_state(self.page)) and state["shapes"] > 0, 60.0)
        wait_for(self.page, self.map_name, 20.0)
        self.settle()

    def frame(self) -> Any:
        return self.page.locator(MAP_IFRAME).element_handle().content_frame()

    def map_name(self) -> str | None:
        return self.frame().evaluate(FIND_MAP)

    def on_map(self, script: str, arg: Any = None) -> Any:
        frame = self.frame()
        name = frame.evaluate(FIND_MAP)
        return frame.evaluate(script, [name, *arg] if isinstance(arg, list) else name)

    def param(self, name: str) -> str | None:
        return self.page.evaluate(f"() => new URLSearchParams(location.search).get({name!r})")

    def details_text(self) -> str:
        column = self.page.locator('[data-testid="stColumn"]').filter(has=self.page.locator(".st-key-details")).last
        return column.evaluate("e => e.textContent")

    def settle(self, quiet_s: float = 1.0) -> None:
        wait_quiet(self.tab, quiet_s=quiet_s)

    def wait(self, check: Callable[[], object], what: str) -> None:
        try:
            wait_for(self.page, check, ACTION_TIMEOUT_S)
        except TimeoutError:
            raise TimeoutError(f"no {what} in {ACTION_TIMEOUT_S:.0f} s") from None

    def timed(self, act: Callable[[], None], shown: Callable[[], object], what: str,
              linked: Callable[[], object] | None = None) -> Sample:
        """Do the action, wait until shown() holds, then until the page is quiet (trailing runs counted).
        linked(): the address bar carries the run's link, noted on the way (the server's run is over)."""
        since, start = time.time(), time.perf_counter()
        seen: list[float] = []

        def check() -> object:
            if linked is not None and not seen and linked():
                seen.append(time.perf_counter() - start)
            return shown()

        act()
        self.wait(check, what)
        seconds = time.perf_counter() - start
        self.settle(0.8)
        return Sample(seconds, completed_runs(self.timings, since), seen[0] if seen else seconds)

    def set_view(self, lat: float, lng: float, zoom: int) -> None:
        self.on_map(f"(n) => window[n].setView([{lat}, {lng}], {zoom}, {{animate: false}})")
        self.settle()

    def point_on(self, fid: str, geometry: Any) -> tuple[float, float]:
        """A point of the geometry where the shape on top is that feature (the first of a few candidates)."""
        candidates = [geometry.representative_point()]
        minx, miny, maxx, maxy = geometry.bounds
        candidates += [type(candidates[0])(minx + (maxx - minx) * i / 6, miny + (maxy - miny) * j / 6)
                       for i in range(1, 6) for j in range(1, 6)]
        for point in candidates:
            if geometry.contains(point) and self.on_map(HIT, [point.y, point.x])["fid"] == fid:
                return point.y, point.x
        raise RuntimeError(f"no point where {fid} is on top")

    def click_at(self, lat: float, lng: float) -> None:
        hit = self.on_map(HIT, [lat, lng])
        box = self.page.locator(MAP_IFRAME).bounding_box()
        self.page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])


# --- the actions ---------------------------------------------------------------------------------------

def _feature(layer_id: str, fid: str) -> Any:
    frame = layer_frame(load_catalog().layers[layer_id])
    return frame.set_index(frame["id"].astype(str)).loc[fid]


def click_details(app: App, reps: int) -> list[Sample]:
    """Click inside the core, then inside the sub-centre, … (home view): the details column names the place."""
    app.open()
    targets = []
    for layer_id, fid in (("cbd_core", "cbd_core"), ("subcentre", "subcentre")):
        row = _feature(layer_id, fid)
        targets.append((fid, row["name_zh"], app.point_on(fid, row.geometry)))
    samples = []
    for index in range(reps):
        fid, name, (lat, lng) = targets[index % 2]
        samples.append(app.timed(lambda: app.click_at(lat, lng),
                                 lambda: app.param("place") == fid and name in app.details_text(),
                                 f"details of {fid}", lambda: app.param("place") == fid))
    return samples


def _task_grid(app: App) -> Any:
    return app.page.locator('[data-testid="stDataFrame"]').last


def framable_keywords() -> list[str]:
    """The keywords whose first task (the task table's first row, as ui/panels.filtered_tasks filters) names
    places with an outline: picking it must frame the map (a task naming only Beijing-wide or undrawn
    places is not framed). Consecutive keywords frame different places, so each pick frames somewhere new
    (a pick of the same framing again is covered by tests/browser/test_viewer_flow.py)."""
    from geo.plan import load_plan
    from layers.interactive import bounds_of

    tasks = load_plan().tasks
    text = (tasks["title_zh"] + " " + tasks["title_en"] + " " + tasks["quote"] + " " + tasks["section_path"]
            + " " + tasks["targets"]).str.lower()
    keep, last = [], None
    for word in KEYWORDS:
        hits = tasks[text.str.contains(word.lower(), regex=False)]
        bounds = bounds_of([p for p in hits["places"].iloc[0].split(";") if p]) if not hits.empty else None
        if bounds and bounds != last:
            keep.append(word)
            last = bounds
    return keep


def task_framing(app: App, reps: int) -> list[Sample]:
    """Type a keyword (the table's rows change), put the map far away, tick the first row: the map frames it
    (the same task as before may come first again: picked anew, it is framed anew)."""
    app.open("?panel=tasks")
    keyword = app.page.get_by_label(t("keyword", "zh"))
    words = framable_keywords()
    samples = []
    for index in range(reps):
        word = words[index % len(words)]
        keyword.fill(word)
        keyword.press("Enter")
        app.wait(lambda: app.param("q") == word, f"keyword {word} in the link")
        app.set_view(*NEUTRAL_VIEW)
        grid = _task_grid(app)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()

        def framed() -> bool:
            view = app.on_map(VIEW)
            moved = abs(view["lat"] - NEUTRAL_VIEW[0]) + abs(view["lng"] - NEUTRAL_VIEW[1]) > 0.05
            return app.param("task") is not None and moved and not view["moving"]

        samples.append(app.timed(lambda: app.page.mouse.click(box["x"] + 18, box["y"] + 35 + 17), framed,
                                 f"map framed on the first task for {word}"))
    return samples


def language_switch(app: App, reps: int) -> list[Sample]:
    """English, 中文, English, …: title, details heading and the core's label on the map in that language."""
    app.open()
    core = _feature("cbd_core", "cbd_core")
    sidebar = app.page.locator('[data-testid="stSidebar"]')
    samples = []
    for index in range(reps):
        lang = "en" if index % 2 == 0 else "zh"
        label = "English" if lang == "en" else "中文"
        title, heading = t("app_title", lang), t("details", lang)
        core_label = core["name_en"] if lang == "en" else core["name_zh"]

        def relabelled() -> bool:
            return (app.param("lang") in ((lang,) if lang == "en" else (None, "zh"))
                    and app.page.locator("h1").first.inner_text().strip() == title
                    and app.page.locator(".st-key-details h3").first.inner_text().strip() == heading
                    and core_label in app.frame().evaluate(LABELS))

        samples.append(app.timed(lambda: sidebar.locator('[data-testid="stRadio"] label')
                                 .filter(has_text=label).click(), relabelled, f"page relabelled in {lang}",
                                 lambda: app.param("lang") in ((lang,) if lang == "en" else (None, "zh"))))
    return samples


def indicators_panel(app: App, reps: int) -> list[Sample]:
    """Open the indicators panel: Table 1 and the chart drawn. Closed again (not timed) between openings."""
    app.open()
    button = app.page.locator('[data-testid="stButtonGroup"] button').filter(has_text=t("tab_indicators", "zh"))
    chart = '[data-testid="stVegaLiteChart"]'

    def shown() -> bool:
        return app.param("panel") == "indicators" and app.page.evaluate(
            """(chart) => { const c = document.querySelector(chart);
                const drawn = c && c.querySelector('canvas, svg.marks');
                const r = drawn && drawn.getBoundingClientRect();
                return !!(r && r.width > 50 && r.height > 50) &&
                       document.querySelectorAll('[data-testid="stDataFrame"]').length > 0; }""", chart)

    samples = []
    for _ in range(reps):
        samples.append(app.timed(button.click, shown, "indicators table and chart",
                                 lambda: app.param("panel") == "indicators"))
        button.click()
        app.wait(lambda: app.param("panel") is None and app.page.locator(chart).count() == 0, "panel closed")
        app.settle()
    return samples


def pan_to_link(app: App, reps: int) -> list[Sample]:
    """Drag the map by 160×90 px (alternately back): from the mouse release until `view=` holds its centre."""
    app.open()
    samples = []
    for index in range(reps):
        box = app.page.locator(MAP_IFRAME).bounding_box()
        x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
        step = (160, 90) if index % 2 == 0 else (-160, -90)
        app.page.mouse.move(x, y)
        app.page.mouse.down()
        app.page.mouse.move(x + step[0], y + step[1], steps=8)

        def in_link() -> bool:
            view, link = app.on_map(VIEW), app.param("view")
            if not link:
                return False
            lat, lng, zoom = link.split(",")
            return (int(zoom) == view["zoom"] and abs(float(lat) - view["lat"]) < 1e-4
                    and abs(float(lng) - view["lng"]) < 1e-4)

        samples.append(app.timed(app.page.mouse.up, in_link, "view in the link"))
    return samples


ACTIONS: dict[str, Callable[[App, int], list[Sample]]] = {
    "click": click_details, "task": task_framing, "lang": language_switch, "indicators": indicators_panel,
    "pan": pan_to_link,
}


def first_maps(browser: Any, plan: Server, floor: Server, rounds: int, visits: int) -> list[tuple[float, float]]:
    """Rounds of fresh visits, Plan Map and floor in turn; each round's medians of navigation → map drawn."""
    catalog = load_catalog()
    shapes = sum(len(layer_frame(catalog.layers[layer_id])) for layer_id in catalog.default_visible())
    plan_drawn, floor_drawn = drawn_with(shapes), lambda state: bool(state) and state["ready"]
    results = []
    for _ in range(rounds):
        times: dict[str, list[float]] = {"plan": [], "floor": []}
        for _ in range(visits):
            for key, server, drawn in (("plan", plan, plan_drawn), ("floor", floor, floor_drawn)):
                tab = open_tab(browser)
                start = time.perf_counter()
                tab.page.goto(server.url, wait_until="commit")
                wait_for(tab.page, lambda: drawn(map_state(tab.page)), 60.0)
                times[key].append(time.perf_counter() - start)
                wait_quiet(tab)
                tab.close()
        results.append((statistics.median(times["plan"]), statistics.median(times["floor"])))
    return results


def others_running() -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    return [line for line in listing if "streamlit" in line or "chromium" in line]


# --- running and reporting -----------------------------------------------------------------------------

def measure(reps: int = REPS, rounds: int = ROUNDS, only: tuple[str, ...] = ROWS,
            progress: Callable[[str], None] = print) -> Interactions:
    """Serve Plan Map (and the floor for the first-map rounds) and time every chosen interaction."""
    from playwright.sync_api import sync_playwright

    result = Interactions()
    timings = Path(tempfile.mkstemp(prefix="planmap-interactions-", suffix=".log")[1])
    plan = start_server(BENCH_DIR / "timed_server.py", {"BENCH_APP": str(REPO_ROOT / "app.py"),
                                                         "BENCH_TIMINGS": str(timings)})
    floor_timings = Path(tempfile.mkstemp(prefix="planmap-floor-", suffix=".log")[1])
    floor = start_server(BENCH_DIR / "timed_app.py", {"BENCH_APP": str(BENCH_DIR / "floor_app.py"),
                                                      "BENCH_TIMINGS": str(floor_timings)}) if "first" in only else None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                warm = App(open_tab(browser), plan, timings)  # the server's first session: imports, data caches
                warm.open("?panel=indicators")
                warm.tab.close()
                for row in only:
                    if row not in ACTIONS:
                        continue
                    progress(f"interactions: {row}…")
                    app = App(open_tab(browser), plan, timings)
                    try:
                        app.page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
                        result.samples[row] = ACTIONS[row](app, reps)
                    except Exception as error:  # a timeout or a missing element: reported, the rest still run
                        result.problems.append(f"{row}: {type(error).__name__}: {str(error)[:200]}")
                    finally:
                        app.tab.close()
                if floor is not None:
                    progress("interactions: first map vs floor…")
                    result.rounds = first_maps(browser, plan, floor, rounds, ROUND_VISITS)
            finally:
                browser.close()
    finally:
        stop_server(plan)
        if floor is not None:
            stop_server(floor)
        timings.unlink(missing_ok=True)
        floor_timings.unlink(missing_ok=True)
    return result


LABELS_ROW = {
    "click": "click inside a place → its details shown",
    "task": "pick a task (after a filter change) → map framed",
    "lang": "language switch → page relabelled",
    "indicators": "open the indicators panel → table and chart shown",
    "pan": "pan → address bar holds the new view",
}


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def table(result: Interactions) -> str:
    """The interaction rows: median, each sample, script runs per action and their server time."""
    lines = ["| action | median | each | run's link in the address bar (median) | whole-page script runs per action "
             "(median) | their server time (median) |", "|---|---|---|---|---|---|"]
    for row, label in LABELS_ROW.items():
        samples = result.samples.get(row)
        if not samples:
            continue
        runs, server = result.server(row)
        each = ", ".join(f"{s.seconds:.2f}" for s in samples)
        link = statistics.median(s.linked for s in samples)
        lines.append(f"| {label} | {_secs(result.median(row))} | {each} | {_secs(link)} | {runs:g} | {_secs(server)} |")
    for index, (ours, floor) in enumerate(result.rounds, 1):
        lines.append(f"| first map drawn, round {index} (median of {ROUND_VISITS}) | {_secs(ours)} vs floor "
                     f"{_secs(floor)} ({ours / floor:.2f}×) | – | – | – | – |")
    return "\n".join(lines)


def target_rows(result: Interactions) -> list[list[str]]:
    """Rows for the targets table: [target, measured, verdict]."""
    rows = []
    for row in ("click", "task", "lang", "indicators"):
        value = result.median(row)
        rows.append([f"{LABELS_ROW[row]} ≤ {TARGET_S} s (median of {len(result.samples.get(row, []))})",
                     _secs(value), "n/a" if value is None else "PASS" if value <= TARGET_S else "FAIL"])
    pan = result.median("pan")
    rows.append([f"{LABELS_ROW['pan']} (no target; median of {len(result.samples.get('pan', []))})", _secs(pan),
                 "–"])
    if result.rounds:
        ratios = [ours / floor for ours, floor in result.rounds]
        shown = "; ".join(f"{ours:.2f} s vs {floor:.2f} s ({ours / floor:.2f}×)" for ours, floor in result.rounds)
        rows.append([f"first map drawn ≤ {FLOOR_RATIO}× the floor in each of {len(ratios)} consecutive rounds",
                     shown, "PASS" if all(r <= FLOOR_RATIO for r in ratios) else "FAIL"])
    for problem in result.problems:
        rows.append([f"interaction not measured: {problem}", "–", "FAIL"])
    return rows


METHOD = f"""\
Interactions (benchmarks/interactions.py; `BENCH_ONLY=interactions make bench` runs these alone):
- Plan Map served as `make run` serves it (timed_server.py), one fresh page per kind of action, {REPS} actions
  each after a warm-up visit; the floor served beside it for the first-map rounds.
- Timed from the input event (Playwright mouse or click) until the page shows the effect and the address bar
  carries the run's link (the app writes it last, so the run is over): click → the details column names the
  place (alternately the CBD core and the sub-centre, home view); task → after typing a keyword, with the
  map moved away, ticking the first row until the map has moved onto the task's places and is still;
  language → the title, the details heading and the core's label on the map in the other language;
  indicators → Table 1 and the index chart drawn (closed again between openings, not timed); pan → a
  160×90 px drag, from the mouse release until `view=` holds the map's centre and zoom.
- Where the time goes: the moment the address bar got the run's link (the server's run is over and its
  messages delivered) against the moment the page showed the effect (the browser drew them); the page's
  script runs per action and their server time from the timing log (every complete run that started after
  the input, until the page was quiet 0.8 s). A rerun of the map alone (a Streamlit fragment: a pan) does
  not run the script file, so it is not in the log.
- First map drawn: {ROUNDS} rounds, each {ROUND_VISITS} fresh visits to Plan Map and to the floor in turn,
  compared by their medians; the target holds only if every round is within {FLOOR_RATIO}×."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=REPS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", default=",".join(ROWS), help="comma-separated: " + ",".join(ROWS))
    args = parser.parse_args(argv)
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    result = measure(args.reps, args.rounds, only)
    print(table(result))
    print()
    print(f"({len(others_running())} other Streamlit/Chromium processes running now; load average "
          f"{os.getloadavg()[0]:.1f})")
    for target, measured, verdict in target_rows(result):
        print(f"{verdict:>4}  {target}: {measured}")


if __name__ == "__main__":
    main()
