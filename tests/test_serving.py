"""The server parts of server.py: layer data at content-addressed URLs, Streamlit's frontend compressed once."""
from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from layers import interactive, serving
from layers.assets import STATIC_DIR
from layers.basemaps import available_basemaps
from layers.catalog import load_catalog
from ui.asgi import MAP_COMPONENT, CompressedFrontend, MapFramePreload
from ui.map_frame import frame_links


@pytest.fixture
def served(monkeypatch):
    """A test client for the layer-data route, with the map in served mode."""
    monkeypatch.setattr(serving, "_published", {})
    monkeypatch.setattr(serving, "_mounted", False)
    client = TestClient(Starlette(routes=serving.routes()))
    assert serving.is_mounted()
    for cache in (interactive._layer_source, interactive._layer_raster):
        cache.cache_clear()
    yield client
    for cache in (interactive._layer_source, interactive._layer_raster):
        cache.cache_clear()


def test_published_bytes_come_back_at_a_stable_cacheable_url(served):
    url = serving.publish(b'{"type":"FeatureCollection","features":[]}', "geojson")
    assert url == serving.publish(b'{"type":"FeatureCollection","features":[]}', "geojson")
    assert url != serving.publish(b'{"type":"FeatureCollection","features":[{}]}', "geojson")
    response = served.get(url)
    assert response.status_code == 200
    assert response.content == b'{"type":"FeatureCollection","features":[]}'
    assert response.headers["content-type"].startswith("application/geo+json")
    assert "immutable" in response.headers["cache-control"]


def test_unknown_layer_data_is_a_clear_404(served):
    response = served.get(serving.ROUTE + "0123456789abcdef0123.geojson")
    assert response.status_code == 404
    assert "reload the page" in response.text


def test_served_map_names_urls_whose_bytes_are_the_layers(served):
    basemap = available_basemaps({})["offline"]
    chosen = load_catalog().default_visible()
    overlays = interactive.build_overlays(chosen, "zh", basemap, highlight=("cbd_core",))
    drawn = overlays.layers
    assert len(drawn) == len(chosen) + 1  # every layer, and the highlight (which reuses the core's URL)
    for layer_id, (_call, source, _options) in zip(chosen, drawn):
        url = json.loads(source)
        assert url.startswith(serving.ROUTE)
        assert served.get(url).text == interactive._layer_geojson(layer_id, "zh", basemap.datum)
    assert drawn[-1][2]["only"] == ["cbd_core"]
    assert drawn[-1][1] == drawn[chosen.index("cbd_core")][1]


def frontend(body: bytes, media_type: str) -> TestClient:
    """Streamlit's frontend stand-in behind the middleware; counts how often it is compressed."""
    async def asset(_request):
        return Response(body, media_type=media_type, headers={"etag": '"v1"'})

    app = Starlette(routes=[Route("/static/js/{name}", asset), Route("/other.js", asset)],
                    middleware=[Middleware(CompressedFrontend)])
    return TestClient(app)


def test_frontend_bundles_are_gzipped_once_and_kept(monkeypatch):
    body = b"function planmap(){return 42}\n" * 2000
    client = frontend(body, "application/javascript")
    calls = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda data, **kw: calls.append(1) or real(data, **kw))
    first = client.get("/static/js/main.js", headers={"Accept-Encoding": "gzip, br"})
    second = client.get("/static/js/main.js", headers={"Accept-Encoding": "gzip"})
    for response in (first, second):
        assert response.headers["content-encoding"] == "gzip"
        assert response.content == body  # the client decodes it
        assert int(response.headers["content-length"]) < len(body) / 10
        assert "accept-encoding" in response.headers["vary"].lower()
    assert calls == [1]


@pytest.mark.parametrize("path, accept, media_type", [
    ("/static/js/main.js", "identity", "application/javascript"),  # client cannot decode gzip
    ("/other.js", "gzip", "application/javascript"),  # not Streamlit's frontend
    ("/static/js/logo.png", "gzip", "image/png"),  # already compressed
])
def test_frontend_compression_leaves_other_responses_alone(path, accept, media_type):
    body = b"x" * 5000
    response = frontend(body, media_type).get(path, headers={"Accept-Encoding": accept})
    assert "content-encoding" not in response.headers
    assert response.content == body


def test_a_big_layer_is_served_as_one_png_under_the_vector_layers(served, monkeypatch):
    basemap = available_basemaps({})["offline"]
    limit = load_catalog().layers["cbd_streets"].vector_limit
    monkeypatch.setattr(interactive, "_feature_count", lambda layer_id: limit + 1 if layer_id == "cbd_streets" else 1)
    drawn = interactive.build_overlays(["cbd_zone", "cbd_streets"], "zh", basemap).layers
    assert [call for call, _source, _options in drawn] == ["addGeoJson", "addImage"]
    _call, source, options = drawn[1]
    response = served.get(json.loads(source))
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    (south, west), (north, east) = options["bounds"]
    assert 39.8 < south < north < 40.1 and 116.3 < west < east < 116.8


def test_the_first_map_carries_its_data_and_keeps_it_under_the_url(served):
    basemap = available_basemaps({})["offline"]
    later = interactive.build_overlays(["cbd_core"], "zh", basemap).layers[0][1]
    first = interactive.build_overlays(["cbd_core"], "zh", basemap, first=True).layers[0][1]
    assert first.startswith(f"planmap.keep({later}, ")
    data = json.loads(first.removeprefix(f"planmap.keep({later}, ").removesuffix(")"))
    assert data == json.loads(served.get(json.loads(later)).text)


def test_the_overlay_scripts_are_files_named_by_their_content():
    """layers.js and tools.js rode in the map's script: 43 kB in every map message, the first and each toggle's.
    As files they are fetched once, beside Leaflet (the frame's page names them), and a new version has a new URL."""
    fmap = interactive.base_map(available_basemaps({})["offline"])
    page = fmap.get_root().render()
    assert "window.planmap" not in page
    scripts, _sheets = frame_links()
    ours = [src for src in scripts if "/planmap/" in src]
    assert [src.split("?")[0].rsplit("/", 1)[1] for src in ours] == list(interactive.OVERLAY_SCRIPTS)
    for src in ours:
        name, version = src.split("/planmap/")[1].split("?v=")
        assert version == hashlib.blake2b((STATIC_DIR / "planmap" / name).read_bytes(), digest_size=6).hexdigest()
    assert scripts.index(ours[0]) > 0 and "leaflet.js" in scripts[0], "after Leaflet, which they use"


def test_a_big_layer_is_never_sent_feature_by_feature_for_a_highlight(served, monkeypatch):
    basemap = available_basemaps({})["offline"]
    limit = load_catalog().layers["cbd_streets"].vector_limit
    monkeypatch.setattr(interactive, "_feature_count", lambda layer_id: limit + 1 if layer_id == "cbd_streets" else 1)
    drawn = interactive.build_overlays(["cbd_streets"], "zh", basemap, highlight=("st_shuangjing", "cbd_core")).layers
    highlighted = [options["only"] for call, _source, options in drawn if "only" in options]
    assert highlighted == [["cbd_core"]]  # the core from its vector layer; the street's layer is an image


FRAME_PAGE = (b'<!doctype html><html><head><title>Streamlit Folium Component</title>'
              b'<script defer="defer" src="./static/js/main.js"></script></head><body></body></html>')


def test_the_map_frame_asks_for_every_script_of_the_map_at_once():
    """streamlit-folium loads the map's scripts one after the other (each once the one before has run): the
    frame's page names them all up front, so the browser fetches them beside the frame's own code."""
    async def page(_request):
        return Response(FRAME_PAGE, media_type="text/html")

    path = f"/component/{MAP_COMPONENT}/index.html"
    app = Starlette(routes=[Route(path, page), Route("/component/other/index.html", page)],
                    middleware=[Middleware(MapFramePreload)])
    client = TestClient(app)
    html = client.get(path + "?streamlitUrl=http%3A%2F%2F127.0.0.1").text
    scripts, sheets = frame_links()
    assert "leaflet.draw.js" in " ".join(scripts) and "leaflet.css" in " ".join(sheets)
    head = html.split("</head>")[0]
    for src in scripts:
        assert f'<link rel="preload" as="script" href="{src}">' in head
    for href in sheets:
        assert f'<link rel="preload" as="style" href="{href}">' in head
    assert head.index("preload") < head.index("main.js"), "the hints come before the frame's own code"
    assert html.endswith("</body></html>")
    assert client.get("/component/other/index.html").content == FRAME_PAGE
