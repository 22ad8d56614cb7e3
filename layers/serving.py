"""Layer data at cacheable URLs, so a layer toggle sends the browser a layer list, not the layers again.

The interactive map publishes each layer's slim GeoJSON (and the PNG of a big layer) here under the hash of
its bytes; the page fetches it once and the browser keeps it. `routes()` serves what was published when
the app runs through `server.py` (Streamlit's `st.App`). Under a plain `streamlit run app.py` nothing
serves the route, so `is_mounted()` is false and the map falls back to sending the data inline.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROUTE: Final = "/api/planmap/"
MEDIA_TYPES: Final = {"geojson": "application/geo+json", "png": "image/png"}


@dataclass(frozen=True)
class Published:
    body: bytes
    media_type: str


_published: dict[str, Published] = {}
_mounted = False


def base_path() -> str:
    """Where the app is mounted (`server.baseUrlPath`): "" or "/<prefix>", for every URL the server adds."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def publish(body: bytes, extension: str) -> str:
    """Keep `body` for serving and return its URL; the same bytes always get the same URL."""
    name = f"{hashlib.sha256(body).hexdigest()[:20]}.{extension}"
    _published.setdefault(name, Published(body, MEDIA_TYPES[extension]))
    return f"{base_path()}{ROUTE}{name}"


def is_mounted() -> bool:
    """True when this process serves `routes()` (the app was started through server.py)."""
    return _mounted


async def _serve(request: Request) -> Response:
    item = _published.get(request.path_params["name"])
    if item is None:
        return Response("unknown layer data (the server restarted? reload the page)", status_code=404,
                        media_type="text/plain")
    # Content-addressed: a URL's bytes never change, so the browser may keep them for good.
    return Response(item.body, media_type=item.media_type,
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


def routes() -> list[Route]:
    """The route serving published layer data; building it marks this process as serving it."""
    global _mounted
    _mounted = True
    return [Route(f"{base_path()}{ROUTE}{{name}}", _serve, methods=["GET"])]
