"""What a user's browser pays for Plan Map: time to a drawn map, bytes for the first page, bytes for a toggle.

Runs `streamlit run app.py` on a free port and drives headless Debian Chromium (every request to another
host aborted, as in the browser tests). Prints a small table:

* map drawn — navigation start until every shape of the default layers is in the map (median of N fresh
  browser contexts, so nothing comes from the HTTP cache);
* first page — HTTP bytes (CDP Network.loadingFinished encodedDataLength, page and map iframe) plus the
  websocket bytes Streamlit sent until the map was drawn;
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
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from layers.catalog import layer_frame, load_catalog  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, is_local_url  # noqa: E402

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHAPES = "path.leaflet-interactive"
TOGGLE_LAYER = "cbd_streets"


def start_server(app: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="planmap-bench-", suffix=".log")[1])
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url, log
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("streamlit did not become healthy")


def wait_for(check, timeout: float = 60.0, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # iframe not there yet
            value = None
        if value:
            return value
        time.sleep(step)
    raise TimeoutError("condition not met")


class Meter:
    """HTTP bytes via CDP and websocket frames via Playwright, for one page."""

    def __init__(self, context, page):
        self.http_bytes = 0
        self.http_responses = 0
        self.ws_frames = 0
        self.ws_bytes = 0
        self.external: list[str] = []
        self.sizes: dict[str, int] = {}  # url -> encoded bytes
        self._urls: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", lambda e: self._urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", self._finished)
        page.on("websocket", self._websocket)

    def _finished(self, event: dict) -> None:
        size = int(event.get("encodedDataLength", 0))
        self.http_bytes += size
        self.http_responses += 1
        url = self._urls.get(event["requestId"], "?")
        self.sizes[url] = self.sizes.get(url, 0) + size

    def _websocket(self, ws) -> None:
        if not is_local_url(ws.url):
            self.external.append(ws.url)
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.ws_frames += 1
        self.ws_bytes += len(payload.encode() if isinstance(payload, str) else payload)

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.http_bytes, self.http_responses, self.ws_frames, self.ws_bytes


def one_run(browser, url: str, expected: int, streets: int) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    external: list[str] = []

    def guard(route) -> None:
        if is_local_url(route.request.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    meter = Meter(context, page)
    shapes = lambda: page.frame_locator(MAP_IFRAME).locator(SHAPES).count()  # noqa: E731

    start = time.perf_counter()
    page.goto(url)
    wait_for(lambda: shapes() == expected)
    drawn_s = time.perf_counter() - start
    time.sleep(1.5)  # let the load's trailing messages (component value, query string) land
    http_bytes, http_n, ws_frames, ws_bytes = meter.snapshot()
    largest = sorted(meter.sizes.items(), key=lambda item: -item[1])[:5]

    before = meter.snapshot()
    start = time.perf_counter()
    page.locator('[data-testid="stSidebar"]').get_by_text(load_catalog().layers[TOGGLE_LAYER].title_zh,
                                                           exact=True).click()
    wait_for(lambda: shapes() == expected - streets)
    toggle_s = time.perf_counter() - start
    time.sleep(1.5)
    after = meter.snapshot()
    context.close()
    return {"drawn_s": drawn_s, "http_bytes": http_bytes, "http_n": http_n, "load_ws_frames": ws_frames,
            "load_ws_bytes": ws_bytes, "toggle_s": toggle_s, "toggle_ws_frames": after[2] - before[2],
            "toggle_ws_bytes": after[3] - before[3], "toggle_http_bytes": after[0] - before[0],
            "external": external + meter.external, "largest": largest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", default="app.py")
    args = parser.parse_args()

    catalog = load_catalog()
    counts = {layer_id: len(layer_frame(catalog.layers[layer_id])) for layer_id in catalog.default_visible()}
    expected = sum(counts.values())

    from playwright.sync_api import sync_playwright

    proc, url, log = start_server(REPO_ROOT / args.app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # One warm-up visit: the server's first session pays for imports and data caches.
            warm = one_run(browser, url, expected, counts[TOGGLE_LAYER])
            runs = [one_run(browser, url, expected, counts[TOGGLE_LAYER]) for _ in range(args.runs)]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.unlink(missing_ok=True)

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
