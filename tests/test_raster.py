"""Big layers are drawn server-side as one image in the declared colours."""
from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image, ImageColor
from shapely.geometry import box

from layers.raster import raster_overlay


def grid(n_side: int) -> gpd.GeoDataFrame:
    step = 0.001
    cells = [box(116.45 + i * step, 39.90 + j * step, 116.45 + (i + 0.8) * step, 39.90 + (j + 0.8) * step)
             for i in range(n_side) for j in range(n_side)]
    return gpd.GeoDataFrame({"id": range(len(cells))}, geometry=cells, crs=4326)


def test_raster_has_declared_colour_and_true_bounds():
    frame = grid(40)
    png, bounds = raster_overlay(frame, "#2b8cbe", "#a6bddb", 1.0)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    fill = ImageColor.getrgb("#a6bddb")
    assert (np.abs(image[..., :3].astype(int) - fill).sum(axis=2) < 10).mean() > 0.2
    assert (image[..., 3] == 0).any()  # gaps between parcels stay transparent
    minx, miny, maxx, maxy = frame.total_bounds
    assert [*bounds[0], *bounds[1]] == pytest.approx([miny, minx, maxy, maxx], abs=1e-9)
