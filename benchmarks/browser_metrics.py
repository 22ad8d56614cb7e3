"""What a user's browser pays for a Streamlit map page: time to a drawn map, bytes for the first page,
bytes for a toggle. The helpers here are shared with benchmarks/run.py; run alone, this measures server.py.

Runs `streamlit run <app>` on a free port and drives headless Debian Chromium (every request to another
host aborted, as in the browser tests). Prints a small table:

* map drawn — navigation start until every shape of the default layers is in the map (median of N fresh
  browser contexts, so nothing comes from the HTTP cache);
* first page — HTTP bytes (CDP Network.loadingFinished encodedDataLength, page and map iframe) plus the
  websocket bytes Streamlit sent until the page was quiet;
* one toggle — unticking a layer: websocket frames and payload bytes received, and time until its shapes
  are gone.

    .venv/bin/python benchmarks/browser_metrics.py [--runs 3] [--app app.py]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from google.protobuf.message import DecodeError  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from layers.catalog import layer_frame, load_catalog  # noqa: E402
from ui.accessible import layer_label  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, is_local_url  # noqa: E402

MAP_COMPONENT = "streamlit_folium.st_folium"
TOGGLE_LAYER = "cbd_streets"
STARTUP_TIMEOUT_S = 90.0
VIEWPORT = {"width": 1400, "height": 1000}
MB = 1_000_000
# What the map iframe holds right now: Leaflet ready, vector shapes, loaded image overlays, the pane's offset.
MAP_STATE = """() => {
    const pane = document.querySelector('.leaflet-container .leaflet-map-pane');
    const images = [...document.querySelectorAll('img.leaflet-image-layer')];
    return {ready: !!pane, shapes: document.querySelectorAll('path.leaflet-interactive').length,
            images: images.filter(i => i.complete && i.naturalWidth > 0).length,
            pane: pane ? pane.style.transform : ''};
}"""
T = TypeVar("T")


def secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def size(value: float | None) -> str:
    return "–" if value is None else f"{value / 1024:,.0f} KiB" if value < MB else f"{value / MB:,.2f} MB"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


@dataclass
class Server:
    """One `streamlit run` subprocess and where its output goes."""

    proc: subprocess.Popen
    url: str
    log: Path


def start_server(app: Path, env: dict[str, str] | None = None) -> Server:
    """Serve `app` headless on a free port from the repository root (its .streamlit/config.toml applies)."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="planmap-bench-", suffix=".log")[1])
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"streamlit did not become healthy in {STARTUP_TIMEOUT_S:.0f} s")


def stop_server(server: Server) -> None:
    """Terminate this server (kill it if a long script run keeps it from stopping) and drop its log."""
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=15)
    server.log.unlink(missing_ok=True)


def is_map_message(payload: bytes) -> bool:
    """True if a websocket frame is the delta that carries the folium map (to split the map's bytes out)."""
    try:
        message = ForwardMsg.FromString(payload)
    except DecodeError:
        return False
    delta = message.delta if message.WhichOneof("type") == "delta" else None
    element = delta.new_element if delta is not None and delta.WhichOneof("type") == "new_element" else None
    return (element is not None and element.WhichOneof("type") == "component_instance"
            and element.component_instance.component_name == MAP_COMPONENT)


@dataclass
class Totals:
    """Bytes received so far by one page."""

    http_bytes: int = 0
    http_responses: int = 0
    ws_frames: int = 0
    ws_bytes: int = 0
    map_bytes: int = 0  # the websocket bytes of the map component's messages

    def minus(self, earlier: Totals) -> Totals:
        return Totals(*(now - before for now, before in zip(self.as_tuple(), earlier.as_tuple())))

    def as_tuple(self) -> tuple[int, ...]:
        return self.http_bytes, self.http_responses, self.ws_frames, self.ws_bytes, self.map_bytes

    @property
    def total(self) -> int:
        return self.http_bytes + self.ws_bytes


class Meter:
    """HTTP bytes via CDP and websocket frames via Playwright, for one page."""

    def __init__(self, context: Any, page: Any):
        self.totals = Totals()
        self.external: list[str] = []
        self.sizes: dict[str, int] = {}  # url -> encoded bytes
        self.last_frame = time.monotonic()
        self._urls: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", lambda e: self._urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", self._finished)
        page.on("websocket", self._websocket)

    def _finished(self, event: dict) -> None:
        size = int(event.get("encodedDataLength", 0))
        self.totals.http_bytes += size
        self.totals.http_responses += 1
        url = self._urls.get(event["requestId"], "?")
        self.sizes[url] = self.sizes.get(url, 0) + size

    def _websocket(self, ws: Any) -> None:
        if not is_local_url(ws.url):
            self.external.append(ws.url)
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.totals.ws_frames += 1
        self.totals.ws_bytes += len(data)
        if is_map_message(data):
            self.totals.map_bytes += len(data)
        self.last_frame = time.monotonic()

    def snapshot(self) -> Totals:
        return Totals(*self.totals.as_tuple())


@dataclass
class Tab:
    """A page in its own fresh browser context (empty HTTP cache), with its meter and blocked requests."""

    context: Any
    page: Any
    meter: Meter
    blocked: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()


def open_tab(browser: Any) -> Tab:
    """A fresh context whose every request to another host is aborted and recorded."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    tab = Tab(context, page, Meter(context, page))

    def guard(route: Any) -> None:
        if is_local_url(route.request.url):
            route.continue_()
        else:
            tab.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    return tab


def map_state(page: Any) -> dict[str, Any] | None:
    """MAP_STATE evaluated in the map's iframe, or None while there is no map iframe yet."""
    for frame in page.frames:
        if MAP_COMPONENT in frame.url:
            return frame.evaluate(MAP_STATE)
    return None


def wait_for(page: Any, check: Callable[[], T], timeout: float = 60.0, step_ms: int = 25) -> T:
    """Poll check() until truthy. Waits with page.wait_for_timeout so Playwright keeps delivering events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # iframe not there yet, or swapped mid-check
            value = None
        if value:
            return value
        page.wait_for_timeout(step_ms)
    raise TimeoutError(f"condition not met in {timeout:.0f} s")


def wait_quiet(tab: Tab, quiet_s: float = 1.0, timeout: float = 30.0) -> None:
    """Wait until no websocket frame has arrived for quiet_s (trailing component values, query string)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and time.monotonic() - tab.meter.last_frame < quiet_s:
        tab.page.wait_for_timeout(50)


def completed_runs(timings: Path, since: float) -> list[float]:
    """Durations of the complete script runs that started after `since` (wall clock), in order."""
    runs = []
    for line in timings.read_text(encoding="utf-8").splitlines() if timings.exists() else []:
        wall, seconds, outcome = line.split()
        if float(wall) >= since and outcome == "ok":
            runs.append(float(seconds))
    return runs


def click_layer(page: Any, label: str) -> None:
    """Tick or untick the sidebar checkbox with this label."""
    page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()


def drawn_with(shapes: int, images: int = 0) -> Callable[[dict[str, Any] | None], bool]:
    """A test on map_state(): every expected vector shape and image overlay is on the map."""
    return lambda state: bool(state) and state["shapes"] == shapes and state["images"] == images


def one_run(browser: Any, url: str, expected: int, streets: int) -> dict[str, Any]:
    """One fresh visit to app.py: time to drawn map, first-page bytes, then untick TOGGLE_LAYER."""
    tab = open_tab(browser)
    start = time.perf_counter()
    tab.page.goto(url, wait_until="commit")
    wait_for(tab.page, lambda: drawn_with(expected)(map_state(tab.page)))
    drawn_s = time.perf_counter() - start
    wait_quiet(tab)
    load = tab.meter.snapshot()
    largest = sorted(tab.meter.sizes.items(), key=lambda item: -item[1])[:5]

    start = time.perf_counter()
    click_layer(tab.page, layer_label(load_catalog().layers[TOGGLE_LAYER], "zh"))
    wait_for(tab.page, lambda: drawn_with(expected - streets)(map_state(tab.page)))
    toggle_s = time.perf_counter() - start
    wait_quiet(tab)
    toggle = tab.meter.snapshot().minus(load)
    tab.close()
    return {"drawn_s": drawn_s, "http_bytes": load.http_bytes, "http_n": load.http_responses,
            "load_ws_frames": load.ws_frames, "load_ws_bytes": load.ws_bytes, "toggle_s": toggle_s,
            "toggle_ws_frames": toggle.ws_frames, "toggle_ws_bytes": toggle.ws_bytes,
            "toggle_http_bytes": toggle.http_bytes, "external": tab.blocked + tab.meter.external,
            "largest": largest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", default="server.py")
    args = parser.parse_args()

    catalog = load_catalog()
    counts = {layer_id: len(layer_frame(catalog.layers[layer_id])) for layer_id in catalog.default_visible()}
    expected = sum(counts.values())

    from playwright.sync_api import sync_playwright

    server = start_server(REPO_ROOT / args.app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # One warm-up visit: the server's first session pays for imports and data caches.
            warm = one_run(browser, server.url, expected, counts[TOGGLE_LAYER])
            runs = [one_run(browser, server.url, expected, counts[TOGGLE_LAYER]) for _ in range(args.runs)]
            browser.close()
    finally:
        stop_server(server)

    med = lambda key: statistics.median(run[key] for run in runs)  # noqa: E731
    each = ", ".join(f"{run['drawn_s']:.2f}" for run in runs)
    kib = lambda n: f"{n / 1024:,.1f} KiB"  # noqa: E731
    rows = [
        ("shapes drawn (default layers)", f"{expected}"),
        ("server's first visit: map drawn", f"{warm['drawn_s']:.2f} s"),
        (f"map drawn, median of {len(runs)}", f"{med('drawn_s'):.2f} s  ({each})"),
        ("first page: HTTP (encoded)", f"{kib(med('http_bytes'))} in {med('http_n'):.0f} responses"),
        ("first page: websocket received", f"{kib(med('load_ws_bytes'))} in {med('load_ws_frames'):.0f} frames"),
        (f"toggle {TOGGLE_LAYER}: shapes gone", f"{med('toggle_s'):.2f} s"),
        (f"toggle {TOGGLE_LAYER}: websocket received", f"{kib(med('toggle_ws_bytes'))} in {med('toggle_ws_frames'):.0f} frames"),
        (f"toggle {TOGGLE_LAYER}: HTTP", kib(med("toggle_http_bytes"))),
        ("requests to other hosts", str(sum(len(run["external"]) for run in [warm, *runs]))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("\nlargest first-page responses (last run):")
    for url, size in runs[-1]["largest"]:
        print(f"  {kib(size):>12}  {url.replace(url.split('/')[2], '…', 1)[:100]}")


if __name__ == "__main__":
    main()
