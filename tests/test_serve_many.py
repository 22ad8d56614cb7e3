"""Several Streamlit processes behind nginx (deploy/serve_many.py): each browser stays on one process, so the
layer data its map names (published by that process only) is always found, and sessions spread."""
from __future__ import annotations

import asyncio
import shutil
import socket
import sys
from pathlib import Path

import pytest

from geo.paths import ROOT
from tests.load_runs import short_load_run
from tests.threads import off_the_main_thread

sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "deploy"))
import load  # noqa: E402  (scripts beside the code, not packages)
import serve_many  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path(serve_many.NGINX).exists(),
                                reason="Debian's nginx is not installed")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [probe.getsockname()[1] for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


def test_sessions_stick_to_their_process_and_spread_over_processes(tmp_path):
    port, first = free_ports(1)[0], 40000 + free_ports(1)[0] % 20000
    processes = serve_many.start(2, "127.0.0.1", port, first, None, tmp_path)
    proxy = f"http://127.0.0.1:{port}"
    try:
        async def stations_url(session: load.Session) -> str:
            await session.open()
            before = set(session.layer_urls)
            await session.toggle("layer_rail_stations")  # off at first: its data is published now, by one process
            await session.close()
            [url] = session.layer_urls - before
            return url

        session = load.Session(proxy)
        url = off_the_main_thread(asyncio.run, stations_url(session))
        assert session.cookie.startswith("planmap_backend=")
        direct = {backend: load.Session(f"http://127.0.0.1:{backend}").fetch(url) for backend in (first, first + 1)}
        assert sorted(direct.values()) == [200, 404]  # published by the session's process only
        assert [session.fetch(url) for _ in range(5)] == [200] * 5  # and always found through the proxy

        browsers = []
        for number in range(16):
            browser = load.Session(proxy)
            browser.cookie = f"planmap_backend={number:032x}"
            browsers.append(browser)
        routed = [browser.fetch(url) for browser in browsers]
        assert set(routed) == {200, 404}  # the browsers are spread over both processes…
        assert [browser.fetch(url) for browser in browsers] == routed  # …each always to the same one
    finally:
        serve_many.stop(processes)


def test_make_load_can_drive_several_processes_behind_nginx(tmp_path, capsys):
    """`make load LOAD_WORKERS=2`: the load starts the processes and nginx itself and sums their CPU and RSS."""
    out = short_load_run(capsys, 4, "--workers", "2", "--duration", "4", "--churn", "2")
    assert "the sum over 2 processes and nginx" in out
