"""Vector tiles of a big layer: cut on request with each feature's properties, served by token, gone with the session."""
from __future__ import annotations

import gc

import geopandas as gpd
import numpy as np
import shapely
from starlette.applications import Starlette
from starlette.testclient import TestClient

from layers import tiles

COLUMNS = 100


def _parcels(count: int = 6000) -> gpd.GeoDataFrame:
    index = np.arange(count)
    xs, ys = 116.44 + index % COLUMNS * 0.0006, 39.90 + index // COLUMNS * 0.0005
    return gpd.GeoDataFrame({"编号": [f"P{i}" for i in index]}, geometry=shapely.box(xs, ys, xs + 0.0004, ys + 0.0003),
                            crs=4326)


def _tile_set(frame: gpd.GeoDataFrame) -> tiles.TileSet:
    return tiles.TileSet(frame, [{"row": i + 1, "label": f" · {code}"} for i, code in enumerate(frame["编号"])])


def test_a_tile_holds_the_parcels_in_it_with_their_properties():
    frame = _parcels()
    tile_set = _tile_set(frame)
    centre = frame.geometry.iloc[2550].centroid
    x, y = tiles.tile_of(centre.x, centre.y, 16)
    features = tiles.decode(tile_set.tile(16, x, y))
    minx, miny, maxx, maxy = tiles.tile_bounds(16, x, y)
    inside = frame.to_crs(3857).intersects(shapely.box(minx, miny, maxx, maxy))
    assert {f["properties"]["row"] for f in features} >= {i + 1 for i in np.flatnonzero(inside)}
    parcel = next(f for f in features if f["properties"]["row"] == 2551)
    assert parcel["properties"]["label"] == " · P2550" and parcel["geometry"]["type"] == "Polygon"


def test_below_the_vector_zoom_tiles_are_empty_and_tiles_are_cut_once():
    tile_set = _tile_set(_parcels(200))
    x, y = tiles.tile_of(116.45, 39.905, tiles.MIN_VECTOR_ZOOM - 1)
    assert tile_set.tile(tiles.MIN_VECTOR_ZOOM - 1, x, y) == b""
    x, y = tiles.tile_of(116.4503, 39.9002, 15)
    first = tile_set.tile(15, x, y)
    assert first and tile_set.tile(15, x, y) is first


def test_the_route_serves_a_known_token_only_and_forgets_a_dropped_layer():
    tile_set = _tile_set(_parcels(200))
    client = TestClient(Starlette(routes=tiles.routes()))
    x, y = tiles.tile_of(116.4503, 39.9002, 15)
    url = tile_set.url_template().format(z=15, x=x, y=y)
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == tiles.MEDIA_TYPE
    assert "private" in response.headers["cache-control"] and tiles.decode(response.content)
    assert client.get(url.replace(tile_set.token, "guessed-token")).status_code == 404
    del tile_set
    gc.collect()
    assert client.get(url).status_code == 404


def test_properties_can_be_made_per_tile_for_the_features_it_holds():
    frame = _parcels()
    listed = _tile_set(frame)
    asked = []

    def properties(positions: np.ndarray) -> list[dict]:
        asked.append(positions.tolist())
        return [{"row": position + 1, "label": f" · {frame['编号'].iloc[position]}"} for position in positions.tolist()]

    made = tiles.TileSet(frame, properties)
    centre = frame.geometry.iloc[2550].centroid
    x, y = tiles.tile_of(centre.x, centre.y, 16)
    assert made.tile(16, x, y) == listed.tile(16, x, y)
    assert len(asked) == 1 and 0 < len(asked[0]) < len(frame)
    assert {f["properties"]["row"] - 1 for f in tiles.decode(made.tile(16, x, y))} == set(asked[0])
