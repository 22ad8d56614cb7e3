"""Load and soak on loopback: many planners' sessions driven at the websocket level, as Streamlit's frontend
drives them, against a `streamlit run server.py` started here (or a running one: --url).

Each session opens the page (a first run), then every `--interval` seconds (±25 %) ticks or unticks one layer
box. Reported: sessions held, the time from the toggle to the map arriving with it and to the run's end
(p50/p95/max), errors (exceptions in the page, runs that never end, dropped connections), server CPU and
peak RSS, and RSS before and after `--churn` sessions opened and closed (a leak shows as growth).
A websocket client costs a fraction of a browser, so 2 cores can drive the server rather than starve it.

    python benchmarks/load.py --sessions 20 --interval 3 --duration 30 --churn 100

With `--workers N` (N > 1) the server is N processes behind nginx with sticky sessions, as `make serve` runs it
(deploy/serve_many.py); CPU and RSS are then the sum over its processes.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import tempfile

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from load_browsers import BrowserStats, drive

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import serve_many  # noqa: E402
MAP_COMPONENT = "streamlit_folium.st_folium"
LAYER_URL = re.compile(r'(/[^"\\]*?api/planmap/[^"\\]+)')
RUN_TIMEOUT_S = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Stats:
    """What every session measured; shared by all sessions of one run."""

    map_latency: list[float] = field(default_factory=list)
    run_latency: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: int = 0


class Session:
    """One page's websocket: sends reruns with the layer boxes' states, reads the page back."""

    def __init__(self, url: str, query: str = "") -> None:
        self.page = url.rstrip("/")
        self.url = self.page.replace("http://", "ws://") + "/_stcore/stream"
        self.query = query
        self.boxes: dict[str, tuple[str, bool]] = {}  # layer key → (widget id, ticked)
        self.layer_urls: set[str] = set()  # the layer data the map names (served by this session's process)
        self.cookie = ""
        self.socket: websockets.ClientConnection | None = None

    async def open(self) -> float:
        """Load the page (keeping its cookies, as a browser does: a sticky proxy routes on them), connect and
        run the page once; the seconds until its run finished."""
        self.cookie = await asyncio.to_thread(self._page_cookies)
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                               open_timeout=RUN_TIMEOUT_S,
                                               additional_headers={"Cookie": self.cookie} if self.cookie else None)
        started = time.perf_counter()
        await self._rerun([])
        await self._until_finished(started)
        if not self.boxes:  # the first run draws the map alone; a browser's map report asks for the rest
            await self._rerun([])  # (ui/first_page.py): a plain rerun asks for it here
            await self._until_finished(started)
        return time.perf_counter() - started

    async def toggle(self, key: str) -> tuple[float | None, float]:
        """Flip one layer box: seconds until the map arrived (None if it did not) and until the run ended."""
        widget_id, ticked = self.boxes[key]
        self.boxes[key] = (widget_id, not ticked)
        states = [{"id": wid, "bool_value": value} for wid, value in self.boxes.values()]
        started = time.perf_counter()
        await self._rerun(states)
        map_at = await self._until_finished(started)
        return map_at, time.perf_counter() - started

    def fetch(self, path: str) -> int:
        """HTTP status of a GET on this page's server with its cookies (e.g. a layer URL its map names)."""
        request = urllib.request.Request(self.page + path, headers={"Cookie": self.cookie} if self.cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=RUN_TIMEOUT_S) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def _page_cookies(self) -> str:
        with urllib.request.urlopen(self.page + "/", timeout=RUN_TIMEOUT_S) as response:
            return "; ".join(value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or [])

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def _rerun(self, states: list[dict]) -> None:
        message = BackMsg()
        message.rerun_script.query_string = self.query
        for state in states:
            widget = message.rerun_script.widget_states.widgets.add()
            widget.id, widget.bool_value = state["id"], state["bool_value"]
        await self.socket.send(message.SerializeToString())

    async def _until_finished(self, started: float) -> float | None:
        """Read messages until the run ends; note the layer boxes and when the map arrived."""
        map_at = None
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            data = await asyncio.wait_for(self.socket.recv(), timeout=max(0.1, deadline - time.monotonic()))
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                element_kind = element.WhichOneof("type")
                if element_kind == "checkbox" and "layer_" in element.checkbox.id:
                    box = element.checkbox  # the page's value once, then the client's, as the frontend keeps it
                    key = box.id.split("-", 2)[-1]
                    if key not in self.boxes or box.set_value:
                        self.boxes[key] = (box.id, box.value if box.set_value else box.default)
                elif element_kind == "component_instance" and element.component_instance.component_name == \
                        MAP_COMPONENT and map_at is None:
                    map_at = time.perf_counter() - started
                    self.layer_urls |= set(LAYER_URL.findall(element.component_instance.json_args))
                elif element_kind == "exception":
                    raise RuntimeError(f"exception in the page: {element.exception.message[:200]}")
            elif kind == "script_finished":
                return map_at


async def planner(url: str, stats: Stats, stop_at: float, interval: float, rng: random.Random) -> None:
    """One session acting every `interval` seconds until `stop_at`."""
    session = Session(url)
    try:
        await session.open()
        stats.held += 1
        await asyncio.sleep(rng.uniform(0, interval))  # sessions do not act in step
        while time.monotonic() < stop_at:
            key = rng.choice(sorted(session.boxes))
            map_at, run = await session.toggle(key)
            stats.run_latency.append(run)
            if map_at is None:
                stats.errors.append(f"toggle of {key}: no map in the run")
            else:
                stats.map_latency.append(map_at)
            await asyncio.sleep(interval * rng.uniform(0.75, 1.25))
    except Exception as error:  # any failure of a session is a measured error, not the end of the run
        stats.errors.append(f"{type(error).__name__}: {error}")
    finally:
        await session.close()


async def churn(url: str, count: int, concurrency: int = 10) -> list[str]:
    """Open and close `count` sessions, `concurrency` at a time; the errors met."""
    errors: list[str] = []
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            session = Session(url)
            try:
                await session.open()
            except Exception as error:  # measured, as above
                errors.append(f"{type(error).__name__}: {error}")
            finally:
                await session.close()

    await asyncio.gather(*(one() for _ in range(count)))
    return errors


class ServerProbe:
    """RSS and CPU time of the server's processes (one, or the workers and nginx), summed, sampled from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak_rss = pids, 0

    def rss_mb(self) -> float:
        kb = 0
        for pid in self.pids:
            status = Path(f"/proc/{pid}/status").read_text()
            kb += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        self.peak_rss = max(self.peak_rss, kb)
        return kb / 1024

    def cpu_s(self) -> float:
        total = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / CLOCK_TICKS

    async def sample(self, every: float = 0.5) -> None:
        while True:
            self.rss_mb()
            await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_many(workers: int, scratch: Path) -> tuple[list[subprocess.Popen], str]:
    """`workers` Streamlit processes behind nginx on free loopback ports (deploy/serve_many.py); URL once healthy."""
    port, first_backend = free_port(), free_port()
    while any(not _port_free(first_backend + number) for number in range(workers)):
        first_backend = free_port()
    return serve_many.start(workers, "127.0.0.1", port, first_backend, None, scratch), f"http://127.0.0.1:{port}"


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_server() -> tuple[subprocess.Popen, str]:
    """`streamlit run server.py` on a free loopback port; its process and URL once healthy."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not become healthy in 90 s")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, url: str, probe: ServerProbe | None) -> dict:
    sampler = asyncio.create_task(probe.sample()) if probe else None
    warm = Session(url)  # the first run of a server reads every layer: not a planner's wait
    await warm.open()
    await warm.close()
    rss_start = probe.rss_mb() if probe else None
    cpu_start, wall_start = (probe.cpu_s() if probe else 0.0), time.monotonic()
    client_start = time.process_time()
    stats, rng = Stats(), random.Random(args.seed)
    seen, stop_browsers = BrowserStats(), threading.Event()
    browsers = threading.Thread(target=drive, args=(url, args.browsers, args.interval, stop_browsers, seen),
                                daemon=True)
    if args.browsers:
        browsers.start()
    stop_at = time.monotonic() + args.duration
    await asyncio.gather(*(planner(url, stats, stop_at, args.interval, random.Random(rng.random()))
                           for _ in range(args.sessions)))
    stop_browsers.set()
    if args.browsers:
        await asyncio.to_thread(browsers.join, 120)
    wall = time.monotonic() - wall_start
    client_cpu = time.process_time() - client_start
    cpu = (probe.cpu_s() - cpu_start) if probe else None
    rss_before_churn = probe.rss_mb() if probe else None
    churn_errors = await churn(url, args.churn) if args.churn else []
    await asyncio.sleep(2)
    result = {
        "sessions": args.sessions, "held": stats.held, "interval_s": args.interval, "duration_s": args.duration,
        "toggles": len(stats.run_latency),
        "map_p50_s": percentile(stats.map_latency, 0.5), "map_p95_s": percentile(stats.map_latency, 0.95),
        "map_max_s": max(stats.map_latency, default=float("nan")),
        "run_p50_s": percentile(stats.run_latency, 0.5), "run_p95_s": percentile(stats.run_latency, 0.95),
        "reruns_per_s": len(stats.run_latency) / wall,
        "errors": len(stats.errors), "error_examples": sorted(set(stats.errors))[:5],
        "browsers": args.browsers, "browsers_opened": seen.opened, "browser_toggles": len(seen.latency),
        "browser_p50_s": percentile(seen.latency, 0.5), "browser_p95_s": percentile(seen.latency, 0.95),
        "browser_errors": len(seen.errors), "browser_error_examples": sorted(set(seen.errors))[:5],
        "server_cpu_share": cpu / wall if cpu is not None else None, "client_cpu_share": client_cpu / wall,
        "rss_start_mb": rss_start, "rss_peak_mb": probe.peak_rss / 1024 if probe else None,
        "churn_sessions": args.churn, "churn_errors": len(churn_errors),
        "rss_before_churn_mb": rss_before_churn, "rss_after_churn_mb": probe.rss_mb() if probe else None,
    }
    if sampler:
        sampler.cancel()
    return result


def report(result: dict) -> str:
    def seconds(key: str) -> str:
        return f"{result[key]:.2f} s"

    lines = [
        f"sessions held        {result['held']} / {result['sessions']}, each acting every {result['interval_s']} s "
        f"for {result['duration_s']} s",
        f"toggles              {result['toggles']} ({result['reruns_per_s']:.1f} reruns/s)",
        f"toggle → map         p50 {seconds('map_p50_s')}, p95 {seconds('map_p95_s')}, max {seconds('map_max_s')}",
        f"toggle → run ended   p50 {seconds('run_p50_s')}, p95 {seconds('run_p95_s')}",
        f"errors               {result['errors']} {result['error_examples'] or ''}",
        f"load client CPU      {100 * result['client_cpu_share']:.0f} % of one core (it shares the machine)",
    ]
    if result["browsers"]:
        lines.append(f"real browsers        {result['browsers_opened']} / {result['browsers']} opened; "
                     f"{result['browser_toggles']} toggles, click → map p50 {seconds('browser_p50_s')}, "
                     f"p95 {seconds('browser_p95_s')}; errors {result['browser_errors']} "
                     f"{result['browser_error_examples'] or ''}")
    if result["rss_peak_mb"] is not None:
        lines += [
            f"server CPU           {100 * result['server_cpu_share']:.0f} % of one core"
            + (f" (the sum over {result['workers']} processes and nginx)" if result.get("workers", 1) > 1 else ""),
            f"server RSS           {result['rss_start_mb']:.0f} MB at start, peak {result['rss_peak_mb']:.0f} MB",
            f"churn                {result['churn_sessions']} sessions opened and closed "
            f"({result['churn_errors']} errors): RSS {result['rss_before_churn_mb']:.0f} → "
            f"{result['rss_after_churn_mb']:.0f} MB",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between a session's toggles")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--churn", type=int, default=100, help="sessions opened and closed after the load")
    parser.add_argument("--browsers", type=int, default=0,
                        help="real Chromium pages toggling beside the sessions (benchmarks/load_browsers.py)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--url", help="a running server on this machine (default: start one)")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes; above 1, behind nginx with sticky sessions (deploy/serve_many.py)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("load runs on loopback only: --url must be http://127.0.0.1:… or http://localhost:…")
    scratch = tempfile.TemporaryDirectory(prefix="planmap-load-")
    if args.url:
        servers, url = [], args.url
    elif args.workers > 1:
        servers, url = start_many(args.workers, Path(scratch.name))
    else:
        server, url = start_server()
        servers = [server]
    try:
        probe = ServerProbe([server.pid for server in servers]) if servers else None
        budget = args.duration + RUN_TIMEOUT_S * 2 + args.churn * 2 + 60
        result = asyncio.run(asyncio.wait_for(run(args, url, probe), timeout=budget))
        result["workers"] = args.workers
    finally:
        serve_many.stop(servers)
        scratch.cleanup()
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    failed = result["errors"] or result["held"] < result["sessions"] or result["browser_errors"] \
        or result["browsers_opened"] < result["browsers"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
