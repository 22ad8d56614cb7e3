"""Server side of a planner's big layer (issue 14, item 7): 1 000 000 synthetic parcels added as a file.

Measures, on this machine: the file read into a layer (a zipped Shapefile → WGS84, checked and repaired), tiles
ready (the STR-tree the tiles are cut from), the image-overlay path beside it, the bytes of the first view
(the tiles a 1400 × 1000 px map needs at the layer's first vector zoom, over the CBD core) and of a pan by
half a screen, and click → attributes (the tile under the click cut and read, its feature found). The map
drawn in a browser and the explore() baseline are `make bench`'s (benchmarks/run.py), not measured here.

Run: `PYTHONPATH=. .venv/bin/python benchmarks/tiles_bench.py [N]`; prints a Markdown table.
"""
from __future__ import annotations

import math
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parcels import parcels  # noqa: E402

from geo.userlayer import load_user_layer  # noqa: E402
from layers import tiles  # noqa: E402
from layers.raster import raster_overlay  # noqa: E402

VIEW_PX = (1400, 1000)
CENTRE = (116.4587, 39.9107)  # CBD核心区
TARGETS = {"first view": 2_000_000, "click → attributes": 0.5, "tiles ready": 120.0}


def view_tiles(lon: float, lat: float, zoom: int) -> set[tuple[int, int, int]]:
    """The tiles a VIEW_PX map centred on (lon, lat) shows at zoom."""
    n = 2 ** zoom
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    half_x, half_y = VIEW_PX[0] / 512, VIEW_PX[1] / 512
    return {(zoom, tx, ty) for tx in range(int(x - half_x), int(x + half_x) + 1)
            for ty in range(int(y - half_y), int(y + half_y) + 1)}


def timed(action):
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def main(count: int) -> None:
    frame = parcels(count)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        # A zipped Shapefile: a million parcels as a GeoPackage (~260 MB) would pass the upload limit.
        frame.to_file(Path(folder) / "parcels.shp", encoding="UTF-8")
        path = Path(folder) / "parcels.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in Path(folder).glob("parcels.*"):
                if member.suffix != ".zip":
                    archive.write(member, member.name)
        size = path.stat().st_size
        layer, read_s = timed(lambda: load_user_layer(path.name, path.read_bytes()))
    rows.append(("file read, checked and repaired", f"{read_s:.1f} s",
                 f"{count:,} parcels, zipped Shapefile {size / 1e6:.0f} MB"))
    properties = [{"row": row, "label": f" · {code}"} for row, code in enumerate(layer.frame["id"], start=1)]
    tile_set, ready_s = timed(lambda: tiles.TileSet(layer.frame, properties))
    rows.append(("tiles ready (STR-tree; tiles cut on request)", f"{ready_s:.1f} s",
                 f"target ≤ {TARGETS['tiles ready']:.0f} s; vector from z{tile_set.min_zoom}"))
    (png, _bounds), image_s = timed(lambda: raster_overlay(layer.frame, "#e41a1c", "#e41a1c", 0.35))
    rows.append(("image overlay drawn (fallback, below the vector zoom)", f"{image_s:.1f} s", f"{len(png) / 1e6:.2f} MB PNG"))
    first = view_tiles(*CENTRE, tile_set.min_zoom)
    first_bytes, first_s = timed(lambda: sum(len(tile_set.tile(*key)) for key in first))
    rows.append(("first view: tiles cut and sent", f"{first_bytes / 1e6:.2f} MB",
                 f"{len(first)} tiles in {first_s:.1f} s; target ≤ {TARGETS['first view'] / 1e6:.0f} MB"))
    lon_step = VIEW_PX[0] / 2 / 256 * 360 / 2 ** tile_set.min_zoom
    panned = view_tiles(CENTRE[0] + lon_step, CENTRE[1], tile_set.min_zoom) - first
    pan_bytes = sum(len(tile_set.tile(*key)) for key in panned)
    rows.append(("pan by half a screen: new tiles", f"{pan_bytes / 1e6:.2f} MB", f"{len(panned)} tiles"))
    click_zoom = tile_set.min_zoom + 1
    parcel = layer.frame.geometry.iloc[int(tile_set.tree.nearest(shapely.Point(*_mercator(*CENTRE))))]
    target = parcel.representative_point()
    x, y = tiles.tile_of(target.x, target.y, click_zoom)

    def click() -> str | None:
        features = tiles.decode(tile_set.tile(click_zoom, x, y))
        hit = tile_set.tree.query(shapely.Point(*_mercator(target.x, target.y)), predicate="intersects")
        wanted = {properties["row"] for properties in tile_set.properties_of(hit)}
        return next((f"#{f['properties']['row']}{f['properties']['label']}" for f in features
                     if f["properties"]["row"] in wanted), None)

    tip, click_s = timed(click)
    rows.append(("click → attributes (tile cut, read, feature found)", f"{click_s * 1000:.0f} ms",
                 f"target ≤ {TARGETS['click → attributes'] * 1000:.0f} ms; {tip or 'between parcels'}"))
    print("| measure | value | note |\n| --- | ---: | --- |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    return (lon * tiles.WORLD_M / 180,
            math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * tiles.WORLD_M / math.pi)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
