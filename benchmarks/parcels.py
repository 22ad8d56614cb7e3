"""Synthetic parcel layers for the scale benchmark: what a planner's own land-use layer looks like.

A seeded grid of slightly irregular quadrilaterals fills the CBD functional zone (the union of
data/cbd_streets.geojson). The cell size is chosen so that at least N cells fall inside the zone, and N
of them are taken at evenly spaced positions, so every scale covers the whole zone rather than one corner.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.paths import DATA_DIR

METRIC_CRS = 32650  # UTM 50N: metres around Beijing
LAND_USES = ("R2 二类居住", "B1 商业", "B2 商务办公", "A 公共服务", "G1 公园绿地", "S 道路与交通", "M 工业", "U 公用设施")
LAND_USE_WEIGHTS = (0.22, 0.14, 0.24, 0.1, 0.12, 0.08, 0.04, 0.06)
SEED = 20240601


def zone_outline() -> shapely.Geometry:
    """The CBD functional zone in metres: the union of its 17 streets."""
    streets = gpd.read_file(DATA_DIR / "cbd_streets.geojson").to_crs(METRIC_CRS)
    return streets.geometry.union_all()


def _cell_centres(zone: shapely.Geometry, n: int) -> tuple[np.ndarray, float]:
    """Centres of grid cells inside the zone (row-major) and the cell side, with at least n cells."""
    side = math.sqrt(zone.area / n)
    minx, miny, maxx, maxy = zone.bounds
    while True:
        xs = np.arange(minx + side / 2, maxx, side)
        ys = np.arange(miny + side / 2, maxy, side)
        grid_x, grid_y = (axis.ravel() for axis in np.meshgrid(xs, ys))
        inside = shapely.contains_xy(zone, grid_x, grid_y)
        if inside.sum() >= n:
            return np.column_stack((grid_x[inside], grid_y[inside])), side
        side *= 0.97


def parcels(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """n parcels with a land-use class, floor area ratio (FAR), height and area, in EPSG:4326."""
    rng = np.random.default_rng(seed)
    centres, side = _cell_centres(zone_outline(), n)
    picked = centres[np.linspace(0, len(centres) - 1, n).round().astype(int)]
    half = side * 0.42  # a street's width stays empty between neighbours
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)], dtype=float) * half
    jitter = rng.uniform(-0.12, 0.12, size=(n, 4, 2)) * side
    rings = picked[:, None, :] + corners[None, :, :] + jitter
    polygons = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))
    far = np.round(rng.lognormal(mean=0.9, sigma=0.55, size=n), 2)
    frame = gpd.GeoDataFrame({
        "id": [f"P{index:06d}" for index in range(n)],
        "land_use": rng.choice(LAND_USES, size=n, p=LAND_USE_WEIGHTS),
        "far": far,
        "height_m": np.round(far * rng.uniform(8, 20, size=n), 1),
        "area_m2": np.round(shapely.area(polygons), 1),
    }, geometry=polygons, crs=METRIC_CRS)
    return frame.to_crs(4326)


def write_parcels(n: int, folder: Path) -> Path:
    """The n-parcel layer as GeoJSON (7 decimals, ~1 cm) in folder; both apps read this same file."""
    path = folder / f"parcels_{n}.geojson"
    parcels(n).to_file(path, driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 7})
    return path


def write_extra_catalog(source: Path, folder: Path) -> Path:
    """The PLANMAP_EXTRA_LAYERS file that adds the parcels to Plan Map, visible at start."""
    path = folder / f"{source.stem}.toml"
    path.write_text(
        "[layers.parcels]\n"
        'group = "planning"\ntitle_zh = "地块"\ntitle_en = "Parcels"\n'
        f"source = {json.dumps(str(source))}\n"  # a JSON string is a valid TOML basic string
        'kind = "polygon"\ncolor = "#2b8cbe"\nfill_color = "#a6bddb"\nfill_opacity = 0.5\n'
        "weight = 0.5\nvisible = true\n",
        encoding="utf-8")
    return path
