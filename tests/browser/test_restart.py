"""Faults: the server restarted, or paused for 5 s, under an open page. The page reconnects by itself and keeps
its view, and the first click after it counts (after a restart it was lost: the new session seeded its layer
boxes from the link over the click)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from layers.catalog import layer_frame, load_catalog
from tests.browser.conftest import _free_port
from tests.browser.test_app_browser import MAP_IFRAME, SHAPES, default_shapes, open_app, shape_count, wait_until

pytestmark = pytest.mark.browser
REPO_ROOT = Path(__file__).resolve().parents[2]
STREETS_BOX = '[data-testid="stCheckbox"] label'  # its label ends in a 示意 badge, so match by "has text"


class Server:
    """`streamlit run server.py` on a fixed loopback port, so it can be stopped and started again there."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._healthy, "the server to answer", timeout=90)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False


@pytest.fixture
def server():
    running = Server()
    running.start()
    yield running
    running.stop()


@pytest.mark.parametrize("first_click", ["layer box", "language"])
def test_first_click_after_a_server_restart_counts(server, page, external_requests, page_errors, first_click):
    expected = default_shapes()
    total = sum(len(ids) for ids in expected.values())
    streets = set(layer_frame(load_catalog().layers["cbd_streets"])["id"].astype(str))
    frame, _name = open_app(page, server.url)
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)
    view = page.evaluate("() => new URLSearchParams(location.search).get('view')")

    server.stop()
    time.sleep(1)
    server.start()
    status = page.locator('[data-testid="stStatusWidget"]')
    wait_until(lambda: status.count() == 0 or "Connecting" not in status.inner_text(), "the page to reconnect",
               settle=2.0)
    # The view survived the restart: every shape on the map and the same view in the link. The new session may
    # draw the map in a new frame, so count in whichever frame holds it.
    shapes = page.frame_locator(MAP_IFRAME).locator(SHAPES)
    wait_until(lambda: shapes.count() == total, f"{total} shapes after the restart", settle=1.0)
    assert page.evaluate("() => new URLSearchParams(location.search).get('view')") == view

    sidebar = page.locator('[data-testid="stSidebar"]')
    if first_click == "layer box":
        sidebar.locator(STREETS_BOX).filter(has_text="功能区17个街乡").click()
        wait_until(lambda: shapes.count() == total - len(streets), "the streets to go", settle=1.0)
        assert "cbd_streets" not in page.evaluate("() => new URLSearchParams(location.search).get('layers')")
    else:
        sidebar.get_by_text("English", exact=True).click()
        wait_until(lambda: page.get_by_role("heading", name="Details").count() == 1, "the English page",
                   settle=1.0)
        assert page.evaluate("() => new URLSearchParams(location.search).get('lang')") == "en"
    assert external_requests == []


def test_a_click_during_a_five_second_pause_counts_once_the_server_resumes(server, page, external_requests):
    expected = default_shapes()
    total = sum(len(ids) for ids in expected.values())
    streets = set(layer_frame(load_catalog().layers["cbd_streets"])["id"].astype(str))
    frame, _name = open_app(page, server.url)
    wait_until(lambda: shape_count(frame) == total, f"{total} shapes", settle=1.0)

    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        page.locator('[data-testid="stSidebar"]').locator(STREETS_BOX).filter(has_text="功能区17个街乡").click()
        time.sleep(5)
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    shapes = page.frame_locator(MAP_IFRAME).locator(SHAPES)
    wait_until(lambda: shapes.count() == total - len(streets), "the streets to go", settle=1.0)
    assert "cbd_streets" not in page.evaluate("() => new URLSearchParams(location.search).get('layers')")
    assert external_requests == []
