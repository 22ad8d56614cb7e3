"""Big layers stay clickable: Mapbox Vector Tiles cut from a layer on request, cached, served by the app's route.

Above the vector limit a layer is too heavy to send whole as GeoJSON, and an image cannot be clicked. From
MIN_VECTOR_ZOOM on (a z14 tile is about 1.9 km wide in Beijing) the page asks this route for the tiles in
view; each tile is cut once (an STR-tree query, clip to the tile plus a margin, encode) and kept. Below that
zoom the layer's image overlay stands in (layers/raster.py), since no one reads one parcel out of a
hundred thousand at city scale.

A tile set is registered under a random token that only the session holding the layer knows; the registry
keeps it weakly, so when that session ends and drops its layer the tiles go with it.
"""
from __future__ import annotations

import math
import secrets
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Final

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from layers import serving
from layers.mercator import MercatorShapes

TILE_ROUTE: Final = "/api/planmap/tiles/"
LAYER_NAME: Final = "features"
MIN_VECTOR_ZOOM: Final = 14  # the lowest zoom served as tiles; denser layers start higher (vector_min_zoom)
MAX_NATIVE_ZOOM: Final = 18
EXTENT: Final = 4096
MARGIN: Final = 64 / 4096  # a tile's features reach this share beyond its edge, so outlines do not break there
CACHE_TILES: Final = 4096
MAX_FEATURES_PER_TILE: Final = 1000  # about 60 KB a tile: a 1400 × 1000 px first view stays under 2 MB
WORLD_M: Final = 20037508.342789244
MEDIA_TYPE: Final = "application/vnd.mapbox-vector-tile"


class TileSet:
    """One layer's geometry in Web Mercator with an STR-tree, its per-feature properties, and the tiles cut so far.

    `properties` is a list (one dict per feature) or a function giving the dicts of the features at some
    positions: a function makes only those a tile holds, when it is cut (a dict per feature of 1 000 000
    parcels took seconds to make up front)."""

    def __init__(self, shapes: gpd.GeoDataFrame | MercatorShapes,
                 properties: Sequence[dict] | Callable[[np.ndarray], list[dict]]) -> None:
        shapes = shapes if isinstance(shapes, MercatorShapes) else MercatorShapes(shapes)
        self.geometry = shapes.geometry
        self.tree = shapes.tree
        self.properties_of = properties if callable(properties) else \
            (lambda positions: [properties[position] for position in positions])
        self.cache: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()
        self.min_zoom = vector_min_zoom(len(self.geometry), shapes.bounds)
        self.token = secrets.token_urlsafe(16)
        _registry[self.token] = self

    def url_template(self) -> str:
        return f"{serving.base_path()}{TILE_ROUTE}{self.token}/{{z}}/{{x}}/{{y}}.pbf"

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The tile's MVT bytes (empty below min_zoom), cut on first request and kept."""
        key = (z, x, y)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        data = self._cut(z, x, y) if z >= self.min_zoom else b""
        self.cache[key] = data
        if len(self.cache) > CACHE_TILES:
            self.cache.popitem(last=False)
        return data

    def _cut(self, z: int, x: int, y: int) -> bytes:
        bounds = tile_bounds(z, x, y)
        size = bounds[2] - bounds[0]
        margin = size * MARGIN
        wide = (bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin)
        hits = self.tree.query(shapely.box(*wide))
        if hits.size == 0:
            return b""
        clipped = shapely.clip_by_rect(self.geometry[hits], *wide)
        kept = ~shapely.is_empty(clipped)
        hits, clipped = hits[kept], clipped[kept]
        features = [{"geometry": geometry, "properties": properties, "id": index + 1}
                    for index, geometry, properties in zip(hits.tolist(), clipped, self.properties_of(hits))]
        return mapbox_vector_tile.encode([{"name": LAYER_NAME, "features": features}],
                                         default_options={"quantize_bounds": bounds, "extents": EXTENT})


def vector_min_zoom(count: int, bounds: np.ndarray) -> int:
    """The first zoom (from MIN_VECTOR_ZOOM) whose tiles hold on average at most MAX_FEATURES_PER_TILE features:
    a million parcels in the CBD zone are tiled from z17, a few thousand from z14."""
    area = max((bounds[2] - bounds[0]) * (bounds[3] - bounds[1]), 1.0)
    for zoom in range(MIN_VECTOR_ZOOM, MAX_NATIVE_ZOOM):
        if count * (2 * WORLD_M / 2 ** zoom) ** 2 / area <= MAX_FEATURES_PER_TILE:
            return zoom
    return MAX_NATIVE_ZOOM


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A slippy-map tile's Web Mercator bounds (minx, miny, maxx, maxy)."""
    size = 2 * WORLD_M / 2 ** z
    minx = -WORLD_M + x * size
    maxy = WORLD_M - y * size
    return minx, maxy - size, minx + size, maxy


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile holding a WGS84 point at zoom z."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


_registry: weakref.WeakValueDictionary[str, TileSet] = weakref.WeakValueDictionary()


async def _serve(request: Request) -> Response:
    tiles = _registry.get(request.path_params["token"])
    if tiles is None:
        return Response("unknown tile set (the session ended? reload the page)", status_code=404,
                        media_type="text/plain")
    z, x, y = (int(request.path_params[name]) for name in ("z", "x", "y"))
    if not (0 <= z <= 24 and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
        return Response("no such tile", status_code=404, media_type="text/plain")
    # Private to the session that knows the token: the browser may keep a tile, no shared cache may.
    return Response(tiles.tile(z, x, y), media_type=MEDIA_TYPE, headers={"Cache-Control": "private, max-age=3600"})


def routes() -> list[Route]:
    return [Route(f"{serving.base_path()}{TILE_ROUTE}{{token}}/{{z:int}}/{{x:int}}/{{y:int}}.pbf", _serve,
                  methods=["GET"])]


def decode(data: bytes) -> list[dict]:
    """A tile's features (for tests and the benchmark): geometry in tile units, properties, id."""
    if not data:
        return []
    return mapbox_vector_tile.decode(data)[LAYER_NAME]["features"]
