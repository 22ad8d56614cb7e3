"""Safe by default: the server's settings and headers, a bounded frontend cache, bounded and atomic exports,
and a command line that does not overwrite files or accept any number."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tomllib

import pytest
import simplekml
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from geo.paths import ROOT
from layers import export, safe_files
from tests.threads import off_the_main_thread
from ui import asgi

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_config_hides_developer_chrome_and_error_details_and_listens_locally():
    assert CONFIG["server"]["address"] == "localhost"
    assert CONFIG["server"]["allowedHosts"] == ["localhost", "127.0.0.1", "::1"]
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert 0 < CONFIG["server"]["maxUploadSize"] <= 100
    assert CONFIG["server"]["enableAgentApi"] is False
    assert CONFIG["client"] == {"toolbarMode": "viewer", "showErrorDetails": "none", "showErrorLinks": False}
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_no_outbound_call_for_the_external_address_at_start(monkeypatch):
    """Streamlit asks an outside service for the machine's external IP at start unless the address is set."""
    from streamlit import config, net_util
    from streamlit.web import bootstrap

    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    monkeypatch.setattr(net_util, "get_external_ip", lambda: pytest.fail("looked up the external IP"))
    config.set_option("server.headless", True)
    try:
        bootstrap._print_url(False)
    finally:
        config.get_config_options(force_reparse=True)


def app_with_middleware(body: bytes = b"<html>index</html>", media_type: str = "text/html") -> TestClient:
    """Streamlit's server stand-in (index page for any path, as Streamlit answers) behind Plan Map's middleware."""
    async def page(_request):
        return Response(body, media_type=media_type)

    middleware = [Middleware(asgi.SecurityHeaders), Middleware(asgi.CompressedFrontend)]
    return TestClient(Starlette(routes=[Route("/{path:path}", page)], middleware=middleware))


@pytest.mark.parametrize("path", ["/", "/static/js/index.js", "/app/static/planmap/layers.js", "/_planmap/x"])
def test_every_response_carries_the_security_headers(path):
    response = app_with_middleware().get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy and "object-src 'none'" in policy
    images = next(part for part in policy.split("; ") if part.startswith("img-src"))
    assert all(source in ("img-src", "'self'", "data:", "blob:") or source in asgi.tile_origins()
               for source in images.split())  # the offered basemaps' tile servers, nothing else


def test_the_policy_allows_the_offered_tile_servers_only():
    assert asgi.tile_origins() == ["http://webrd01.is.autonavi.com", "https://*.tianditu.gov.cn",
                                   "https://a.basemaps.cartocdn.com", "https://tile.openstreetmap.org"]


def test_unknown_static_paths_do_not_grow_the_frontend_cache():
    client = app_with_middleware(b"<html>" + b"index " * 3000 + b"</html>")
    for number in range(300):
        response = client.get(f"/static/nothing_{number}.js", headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"
    layer = client.app.middleware_stack
    while not isinstance(layer, asgi.CompressedFrontend):
        layer = layer.app
    cache = layer.cache
    assert len(cache.entries) == 1


def test_the_frontend_cache_keeps_to_its_byte_limit():
    cache = asgi.LruBytes(limit=10_000)
    for number in range(100):
        cache.put(f"k{number}", bytes(1000))
    assert cache.size <= 10_000 and len(cache.entries) == 10 and cache.get("k99") is not None
    assert cache.get("k0") is None


def test_an_oversized_export_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setenv(export.MAX_EXPORT_MB_ENV, "0.01")
    monkeypatch.setattr(simplekml, "Kml", lambda **_: pytest.fail("built before the size was checked"))
    with pytest.raises(export.ExportTooLarge, match="over the 0 MB limit"):
        export.export("kml", ["cbd_streets", "context_districts"])


def test_the_estimate_is_close_to_the_export_it_guards():
    layers = ["cbd_streets", "rail_operating", "context_districts"]
    frames = [frame for _spec, frame in export.chosen_layers(layers)]
    for fmt in ("geojson", "kml"):
        ratio = len(export.export(fmt, layers)) / export.estimated_bytes(fmt, frames)
        assert 0.5 < ratio < 2, (fmt, ratio)


def test_an_interrupted_export_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "layers.geojson"
    target.write_text("the previous export", encoding="utf-8")
    monkeypatch.setattr(safe_files.os, "fsync", lambda _fd: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        export.export("geojson", ["cbd_core"], target)
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [path.name for path in tmp_path.iterdir()] == ["layers.geojson"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "layers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_command_line_does_not_overwrite_without_force(tmp_path):
    target = tmp_path / "core.geojson"
    target.write_text("keep me", encoding="utf-8")
    refused = run_cli("export", "--layers", "cbd_core", "--format", "geojson", "-o", str(target))
    assert refused.returncode == 2 and "exists; add --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    forced = run_cli("export", "--layers", "cbd_core", "--format", "geojson", "-o", str(target), "--force")
    assert forced.returncode == 0 and target.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("dpi", ["0", "49", "1201", "100000", "3e2"])
def test_the_command_line_bounds_the_resolution(tmp_path, dpi):
    result = run_cli("render", "--layers", "cbd_core", "--dpi", dpi, "-o", str(tmp_path / "map.png"))
    assert result.returncode == 2 and "from 50 to 1200" in result.stderr
    assert not (tmp_path / "map.png").exists()


def test_gzip_still_round_trips_through_both_middlewares():
    body = b"function planmap(){return 42}\n" * 2000
    response = app_with_middleware(body, "application/javascript").get("/static/js/x.js",
                                                                       headers={"Accept-Encoding": "gzip"})
    assert response.content == body and response.headers["x-content-type-options"] == "nosniff"
    assert len(gzip.compress(body)) < len(body)


def test_a_foreign_host_name_cannot_reach_the_websocket():
    """DNS rebinding: a page on another domain pointed at this machine is refused; localhost is served."""
    import asyncio
    import sys as system

    import websockets

    system.path.insert(0, str(ROOT / "benchmarks"))
    import load

    async def status(server_url: str, name: str) -> int:
        port = server_url.rsplit(":", 1)[1]
        try:
            async with websockets.connect(f"ws://{name}:{port}/_stcore/stream", host="127.0.0.1",
                                          subprotocols=["streamlit"], open_timeout=30):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    server, url = load.start_server()
    try:
        assert off_the_main_thread(asyncio.run, status(url, "localhost")) == 101
        assert off_the_main_thread(asyncio.run, status(url, "evil.example")) == 403
    finally:
        server.terminate()
        server.wait(timeout=30)
