"""Big layers are drawn server-side as one image in the declared colours."""
from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image, ImageColor, ImageDraw
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


def test_colouring_a_coverage_gives_the_pixels_of_drawing_in_colour():
    """The coverage is drawn once and coloured after; PIL draws without blending, so this must be the image of
    drawing each shape in its colours (overlapping shapes, a line, a bow tie)."""
    from shapely.geometry import LineString, Polygon

    from layers.raster import MAX_SIDE_PX, coloured, coverage

    shapes = [box(116.450, 39.900, 116.460, 39.908), box(116.455, 39.904, 116.466, 39.912),
              LineString([(116.449, 39.899), (116.467, 39.913)]),
              Polygon([(116.451, 39.909), (116.459, 39.913), (116.451, 39.913), (116.459, 39.909)])]
    mercator = gpd.GeoSeries(shapes, crs=4326).to_crs(3857)
    minx, miny, maxx, maxy = mercator.total_bounds
    scale = MAX_SIDE_PX / max(maxx - minx, maxy - miny)
    cover = coverage(mercator.to_numpy())
    expected = Image.new("RGBA", cover.pixels.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(expected)
    line, fill = ImageColor.getrgb("#2b8cbe") + (230,), ImageColor.getrgb("#a6bddb") + (int(255 * 0.4),)
    for shape in mercator:
        ring = shape.exterior.coords if shape.geom_type == "Polygon" else shape.coords
        points = [((x - minx) * scale, (maxy - y) * scale) for x, y in ring]
        if shape.geom_type == "Polygon":
            draw.polygon(points, fill=fill, outline=line)
        else:
            draw.line(points, fill=line, width=1)
    png, _bounds = coloured(cover, "#2b8cbe", "#a6bddb", 0.4)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), np.asarray(expected))
    assert png == raster_overlay(gpd.GeoDataFrame(geometry=shapes, crs=4326), "#2b8cbe", "#a6bddb", 0.4)[0]
