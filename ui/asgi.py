"""What server.py adds to Streamlit's ASGI app: the layer-data route, a compressed frontend, a map frame that
asks for all its code at once, and security headers.

Streamlit's own frontend bundles are served gzip-compressed, each file compressed once per server.
Every response carries headers that keep a missed escape harmless: no MIME sniffing, and a
Content-Security-Policy that loads nothing from another origin except the tiles of the offered basemaps.

Streamlit sends its ~3 MB of JavaScript uncompressed and leaves compression to a reverse proxy. Planning
intranets often run the app with no proxy in front, over slow links, so Plan Map compresses the bundles
itself. The bundles are content-hashed and immutable, so each one is compressed on its first request and
kept in memory: later requests cost a dictionary lookup, not the CPU Streamlit's comment warns about.
The memory is bounded (least recently used files go first), and keyed by content, not path: Streamlit
answers any unknown /static/ path with its index page, so a client asking for endless new paths adds nothing.

streamlit-folium's frame loads the map's scripts one after another, each asked for once the one before has
run (Leaflet, then each plugin), and draws nothing until the last is in. The frame's page is therefore sent
with a preload hint for each of them: the browser fetches them side by side with the frame's own code.
"""
from __future__ import annotations

import gzip
import hashlib
import math
import os
from collections import OrderedDict
from html import escape
from typing import Any, Final
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from streamlit import config
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo.archives import MAX_LAYER_MB_ENV, MB, max_layer_bytes
from layers import serving, tiles
from layers.basemaps import CATALOG as BASEMAPS

FRONTEND_PREFIX: Final = "/static/"
MAP_COMPONENT: Final = "streamlit_folium.st_folium"
COMPRESSIBLE: Final = ("javascript", "text/css", "json", "svg", "text/html", "text/plain")
# Streamlit's bundles gzip to about 1 MB in all; the bound leaves room for a new release beside the old.
CACHE_BYTES: Final = 16 * 2**20


def tile_origins() -> list[str]:
    """The origins of the online basemaps' tiles (a templated host such as t{s}.x.cn becomes *.x.cn)."""
    origins = set()
    for basemap in BASEMAPS:
        for url in filter(None, (basemap.url, basemap.overlay_url)):
            parts = urlsplit(url)
            host = parts.netloc
            if "{" in host:
                host = "*." + host.split(".", 1)[1]
            origins.add(f"{parts.scheme}://{host}")
    return sorted(origins)


def content_security_policy() -> str:
    """Only the app's own origin, except map tiles; inline and evaluated scripts stay allowed because Streamlit's
    page and the folium map (an iframe written by streamlit-folium) are built from them."""
    tiles = " ".join(tile_origins())
    return "; ".join((
        "default-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}", "font-src 'self' data:", "connect-src 'self'", "frame-src 'self'",
        "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'self'"))


SECURITY_HEADERS: Final = {
    "x-content-type-options": "nosniff",
    "content-security-policy": content_security_policy(),
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
}


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response the server sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message["headers"]))
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, with_headers)


class LruBytes:
    """Compressed bodies by key, least recently used dropped first once the total passes `limit` bytes."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        if key in self.entries:
            self.entries.move_to_end(key)
        return self.entries.get(key)

    def put(self, key: str, body: bytes) -> None:
        if key in self.entries or len(body) > self.limit:
            return
        self.entries[key] = body
        self.size += len(body)
        while self.size > self.limit:
            _key, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped)


class CompressedFrontend:
    """ASGI middleware: gzip the responses under Streamlit's `/static/` once, then serve them from memory."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        """`base_path`: "" or "/<prefix>", as `serving.base_path()` gives it."""
        self.app = app
        self.prefix = f"{base_path}{FRONTEND_PREFIX}"
        self.cache = LruBytes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Headers(scope=scope) if scope["type"] == "http" else Headers()
        if (scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix)
                or "gzip" not in request.get("accept-encoding", "") or "range" in request):
            await self.app(scope, receive, send)
            return
        start, body = await _captured(self.app, scope, receive)
        headers = MutableHeaders(raw=list(start["headers"]))
        if start["status"] == 200 and "content-encoding" not in headers and self._compressible(headers):
            key = hashlib.blake2b(body, digest_size=16).hexdigest()  # ~1 ms for Streamlit's largest bundle
            compressed = self.cache.get(key)
            if compressed is None:
                compressed = gzip.compress(body, compresslevel=9, mtime=0)
                self.cache.put(key, compressed)
            body = compressed
            headers["content-encoding"] = "gzip"
            headers["content-length"] = str(len(body))
            headers.add_vary_header("Accept-Encoding")
        await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _compressible(headers: MutableHeaders) -> bool:
        content_type = headers.get("content-type", "")
        return any(kind in content_type for kind in COMPRESSIBLE)


async def _captured(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    """The app's response to one request: its start message and its whole body."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    assert start is not None, "the handler sent no response"
    return start, b"".join(chunks)


class MapFramePreload:
    """ASGI middleware: the map frame's page (streamlit-folium's index.html) carries a preload hint for each
    script and stylesheet the map will load (ui/map_frame.py frame_links)."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        self.app = app
        self.path = f"{base_path}/component/{MAP_COMPONENT}/index.html"
        self._hints: bytes | None = None

    def hints(self) -> bytes:
        if self._hints is None:
            # Imported at the first request, never with server.py: streamlit_folium declares its component when
            # first imported, which must happen inside Streamlit's runtime, or the frame is "not found".
            from ui.map_frame import frame_links

            scripts, sheets = frame_links()
            self._hints = "".join(
                [f'<link rel="preload" as="script" href="{escape(src)}">' for src in scripts]
                + [f'<link rel="preload" as="style" href="{escape(href)}">' for href in sheets]).encode()
        return self._hints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        start, body = await _captured(self.app, scope, receive)
        headers = MutableHeaders(raw=list(start["headers"]))
        if start["status"] == 200 and "content-encoding" not in headers and b"<head>" in body:
            body = body.replace(b"<head>", b"<head>" + self.hints(), 1)
            headers["content-length"] = str(len(body))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


def follow_layer_limit() -> None:
    """Streamlit's upload cap follows PLANMAP_MAX_LAYER_MB when that is set (config.toml's maxUploadSize is
    both's default), so a planner's file is refused at one size whichever check meets it first."""
    if MAX_LAYER_MB_ENV in os.environ:
        config.set_option("server.maxUploadSize", math.ceil(max_layer_bytes() / MB), MAX_LAYER_MB_ENV)


def app_options() -> dict[str, Any]:
    """Keyword arguments for `st.App`: Plan Map's routes and middleware (server.py, and the benchmark's copy)."""
    follow_layer_limit()
    return {"routes": serving.routes() + tiles.routes(),
            "middleware": [Middleware(SecurityHeaders),
                           Middleware(CompressedFrontend, base_path=serving.base_path()),
                           Middleware(MapFramePreload, base_path=serving.base_path())]}
