"""What server.py adds to Streamlit's ASGI app: the layer-data route and a compressed frontend.

Streamlit's own frontend bundles are served gzip-compressed, each file compressed once per server.

Streamlit sends its ~3 MB of JavaScript uncompressed and leaves compression to a reverse proxy. Planning
intranets often run the app with no proxy in front, over slow links, so Plan Map compresses the bundles
itself. The bundles are content-hashed and immutable, so each one is compressed on its first request and
kept in memory: later requests cost a dictionary lookup, not the CPU Streamlit's comment warns about.
"""
from __future__ import annotations

import gzip
from typing import Any, Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from layers import serving, tiles

FRONTEND_PREFIX: Final = "/static/"
COMPRESSIBLE: Final = ("javascript", "text/css", "json", "svg", "text/html", "text/plain")


class CompressedFrontend:
    """ASGI middleware: gzip the responses under Streamlit's `/static/` once, then serve them from memory."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        """`base_path`: "" or "/<prefix>", as `serving.base_path()` gives it."""
        self.app = app
        self.prefix = f"{base_path}{FRONTEND_PREFIX}"
        self.cache: dict[tuple[str, str], bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Headers(scope=scope) if scope["type"] == "http" else Headers()
        if (scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix)
                or "gzip" not in request.get("accept-encoding", "") or "range" in request):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None, "the frontend handler sent no response"
        body = b"".join(chunks)
        headers = MutableHeaders(raw=list(start["headers"]))
        if start["status"] == 200 and "content-encoding" not in headers and self._compressible(headers):
            key = (scope["path"], headers.get("etag", "") + headers.get("last-modified", ""))
            if key not in self.cache:
                self.cache[key] = gzip.compress(body, compresslevel=9, mtime=0)
            body = self.cache[key]
            headers["content-encoding"] = "gzip"
            headers["content-length"] = str(len(body))
            headers.add_vary_header("Accept-Encoding")
        await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _compressible(headers: MutableHeaders) -> bool:
        content_type = headers.get("content-type", "")
        return any(kind in content_type for kind in COMPRESSIBLE)


def app_options() -> dict[str, Any]:
    """Keyword arguments for `st.App`: Plan Map's routes and middleware (server.py, and the benchmark's copy)."""
    return {"routes": serving.routes() + tiles.routes(),
            "middleware": [Middleware(CompressedFrontend, base_path=serving.base_path())]}
