"""A big layer's shapes in Web Mercator, made once for both its image (layers/raster.py) and its vector tiles
(layers/tiles.py): the projection, the STR-tree and the image's coverage each cost seconds for 1 000 000
parcels, and the image and the tiles each made their own projection before.

`prepare()` makes all of them at once, so that a layer read and checked in the sidebar can be drawn the
moment the planner adds it (ui/upload.py).
"""
from __future__ import annotations

from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely

from layers import raster


class MercatorShapes:
    """One layer's geometry in EPSG:3857 (one shape per feature, in the frame's order) and what is cut from it."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.geometry: np.ndarray = frame.to_crs(3857).geometry.to_numpy()

    def __len__(self) -> int:
        return len(self.geometry)

    @cached_property
    def bounds(self) -> np.ndarray:
        return shapely.total_bounds(self.geometry)

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometry)

    @cached_property
    def coverage(self) -> raster.Coverage:
        return raster.coverage(self.geometry)

    def prepare(self) -> MercatorShapes:
        """Make the tree and the image's coverage now rather than when the layer is first drawn."""
        _ = self.bounds, self.tree, self.coverage
        return self
