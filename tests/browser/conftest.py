"""Browser fixtures: a real `streamlit run` and a Chromium that may not leave the box.

* ``app_script`` — the Streamlit script to serve. Defaults to the offline demo;
  point it elsewhere with indirect parametrization, e.g.::

      @pytest.mark.parametrize("app_script", ["app.py"], indirect=True)

  (relative paths are taken from the repository root).
* ``streamlit_server`` — runs the script on a free port and yields its base URL.
  The subprocess's cwd is the repository root so ``.streamlit/config.toml``
  (static serving, no telemetry) is what gets tested.
* ``page`` — a Playwright page in headless Debian Chromium. Every request to a
  host other than the app's own is aborted and appended to
  ``external_requests``, so a test can ``assert external_requests == []``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Let the tests import the app's modules (layers.assets) however pytest is run.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
DEFAULT_APP = REPO_ROOT / "tests" / "browser" / "apps" / "offline_demo.py"
CHROMIUM = os.environ.get("PLANMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}
STARTUP_TIMEOUT_S = 90.0
LOG_TAIL_CHARS = 3000
SERVER_LOGS: dict[str, str] = {}  # a running server's URL -> its log file, for failure reports


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local_url(url: str) -> bool:
    """True if loading ``url`` stays on this machine."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def app_script(request: pytest.FixtureRequest) -> Path:
    """Path of the Streamlit script under test (indirect-parametrizable)."""
    raw = getattr(request, "param", None) or os.environ.get("PLANMAP_APP_SCRIPT")
    path = Path(raw) if raw else DEFAULT_APP
    if not path.is_absolute():
        path = REPO_ROOT / path
    assert path.is_file(), f"app script not found: {path}"
    static = path.parent / "static"
    assert static.is_dir(), (
        f"Streamlit serves ./static next to the script; {static} is missing "
        "(symlink it to the repository's static/)"
    )
    return path


@pytest.fixture(scope="module")
def streamlit_server(app_script: Path) -> Iterator[str]:
    """Run ``streamlit run app_script`` headless on a free port; yield its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    log = tempfile.NamedTemporaryFile(
        prefix="planmap-streamlit-", suffix=".log", delete=False
    )
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app_script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )

    def log_tail() -> str:
        return Path(log.name).read_text(errors="replace")[-LOG_TAIL_CHARS:]

    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_tail()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {STARTUP_TIMEOUT_S:.0f}s:\n{log_tail()}"
                )
            time.sleep(0.3)
        SERVER_LOGS[url] = log.name
        yield url
    finally:
        SERVER_LOGS.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()
        os.unlink(log.name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium via Playwright (no downloaded browser build)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def external_requests() -> list[str]:
    """URLs the page tried to load from other hosts (all were aborted)."""
    return []


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JS errors from the page and its frames."""
    return []


@pytest.fixture
def console_messages() -> list[str]:
    """What the page and its frames wrote to the console (shown when a test fails)."""
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test reports what the server logged, what the page wrote to its console and the
    page's text: a failure seen only in CI can then be read from CI's output."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        if call.when == "call" and funcargs.get("page") is not None:
            report.sections.append(("page text", _page_text(funcargs["page"])))
        log = SERVER_LOGS.get(funcargs.get("streamlit_server", ""))
        if log and Path(log).exists():
            report.sections.append(("streamlit server log", Path(log).read_text(errors="replace")[-LOG_TAIL_CHARS:]))
        if funcargs.get("console_messages"):
            report.sections.append(("browser console", "\n".join(funcargs["console_messages"])[-LOG_TAIL_CHARS:]))
    return report


def _page_text(page) -> str:
    """The visible text of a page and of its frames, as far as it can be read."""
    texts = []
    for frame in page.frames:
        try:
            texts.append(f"[{frame.url[:80]}] " + frame.locator("body").inner_text(timeout=2000)[:1000])
        except Exception as error:  # the page may be closed or still loading: say so, and carry on
            texts.append(f"[{frame.url[:80]}] unreadable: {error.__class__.__name__}")
    return "\n".join(texts)[-LOG_TAIL_CHARS:]


@pytest.fixture
def page(
    browser: object, external_requests: list[str], page_errors: list[str], console_messages: list[str]
) -> Iterator[object]:
    """A fresh page whose context aborts every non-local request."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if is_local_url(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            external_requests.append(url)
            route.abort("blockedbyclient")  # type: ignore[attr-defined]

    context.route("**/*", guard)
    pg = context.new_page()
    # page.route does not see WebSockets; record any that leave the box.
    pg.on(
        "websocket",
        lambda ws: None if is_local_url(ws.url) else external_requests.append(ws.url),
    )
    pg.on("pageerror", lambda exc: page_errors.append(str(exc)))
    pg.on("console", lambda message: console_messages.append(f"{message.type}: {message.text}"))
    try:
        yield pg
    finally:
        context.close()
