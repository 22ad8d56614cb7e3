"""The static report map: page size and dpi, content, formats, CJK font, and agreement with the declarations."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import requests
from matplotlib import font_manager, patheffects
from matplotlib.colors import to_hex, to_rgb, to_rgba
from matplotlib.figure import Figure
from PIL import Image
from pyproj import Geod, Transformer
from pypdf import PdfReader

from layers import static_map
from layers.catalog import CASING_WIDTH, layer_frame, load_catalog
from layers.static_map import (MAP_CRS, CJKFontNotFound, RenderError, TilesUnavailable, cjk_font, draw_layer,
                               ground_metres_per_unit, legend_entries, line_style, map_extent, render_map)

LAYERS = ["cbd_core", "cbd_streets", "rail_operating", "rail_construction"]
FAST_DPI = 100
A4_MM = (210, 297)


def pixels(width_mm: float, dpi: int) -> int:
    return round(width_mm / 25.4 * dpi)


@pytest.fixture(scope="module")
def png():
    return render_map(LAYERS, fmt="png", paper="A4", orientation="landscape", dpi=FAST_DPI)


@pytest.fixture(scope="module")
def frames():
    catalog = load_catalog()
    return {spec.id: layer_frame(spec).to_crs(MAP_CRS) for spec in catalog.layers.values()}


def test_png_has_the_page_size_and_dpi_asked_for(png):
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG"
    assert abs(image.size[0] - pixels(A4_MM[1], FAST_DPI)) <= 1
    assert abs(image.size[1] - pixels(A4_MM[0], FAST_DPI)) <= 1
    assert image.info["dpi"] == pytest.approx((FAST_DPI, FAST_DPI), abs=0.5)


def test_png_at_300_dpi_portrait():
    rendered = render_map(["cbd_core"], fmt="png", orientation="portrait", dpi=300)
    image = Image.open(io.BytesIO(rendered.data))
    assert abs(image.size[0] - pixels(A4_MM[0], 300)) <= 1
    assert abs(image.size[1] - pixels(A4_MM[1], 300)) <= 1
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_png_is_drawn_in_the_declared_colours(png):
    rgb = np.asarray(Image.open(io.BytesIO(png.data)).convert("RGB")).astype(int)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 50, "the map looks blank"
    for layer_id in ("cbd_core", "cbd_streets"):
        target = np.array(to_rgb(load_catalog().layers[layer_id].color)) * 255
        close = np.abs(rgb - target).max(axis=2) <= 12
        assert close.sum() > 30, f"{layer_id}'s declared colour is missing from the map"


def test_a3_is_larger_than_a4():
    rendered = render_map(["cbd_core"], paper="A3", orientation="landscape", dpi=50, context=False)
    image = Image.open(io.BytesIO(rendered.data))
    assert abs(image.size[0] - pixels(420, 50)) <= 1 and abs(image.size[1] - pixels(297, 50)) <= 1


def test_pdf_is_one_page_with_the_title_as_text():
    title = "CBD中心区与轨道交通 test map"
    rendered = render_map(LAYERS, fmt="pdf", title=title, dpi=FAST_DPI)
    reader = PdfReader(io.BytesIO(rendered.data))
    assert len(reader.pages) == 1
    assert title in reader.pages[0].extract_text()
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(297 / 25.4 * 72, abs=1)
    assert float(box.height) == pytest.approx(210 / 25.4 * 72, abs=1)
    assert rendered.media_type == "application/pdf"


def test_svg_parses():
    rendered = render_map(["cbd_core"], fmt="svg", orientation="portrait", context=False)
    root = ET.fromstring(rendered.data)
    assert root.tag.endswith("svg")
    assert float(root.get("width").removesuffix("pt")) == pytest.approx(210 / 25.4 * 72, abs=1)


def test_renderer_reports_a_cjk_font(png):
    assert "CJK" in png.font or "Han" in png.font or "WenQuanYi" in png.font
    assert png.font == cjk_font()[0]


def test_missing_cjk_font_is_a_clear_error(monkeypatch):
    latin_only = [entry for entry in font_manager.fontManager.ttflist
                  if "CJK" not in entry.name and entry.name not in static_map.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    with pytest.raises(CJKFontNotFound, match="fonts-noto-cjk"):
        render_map(["cbd_core"], dpi=FAST_DPI)


def test_legend_follows_the_declarations(frames):
    catalog = load_catalog()
    specs = catalog.resolve(LAYERS)
    entries = dict((text, handle) for handle, text in legend_entries(specs, frames, "zh"))
    streets, core = catalog.layers["cbd_streets"], catalog.layers["cbd_core"]
    construction = catalog.layers["rail_construction"]
    assert to_hex(entries[streets.title_zh].get_edgecolor()) == streets.color
    assert entries[streets.title_zh].get_linestyle() not in ("-", "solid")
    assert entries[core.title_zh].get_linestyle() in ("-", "solid")
    assert to_hex(entries[core.title_zh].get_facecolor(), keep_alpha=True) == to_hex(
        to_rgba(core.fill_color, core.fill_opacity), keep_alpha=True)
    assert entries[construction.title_zh].get_linestyle() not in ("-", "solid")
    for row in frames["rail_operating"].itertuples():
        assert to_hex(entries[f"    {row.name_zh}"].get_color()) == row.colour.lower()


def test_drawn_layers_use_declared_stroke_and_dash(frames):
    catalog = load_catalog()
    for layer_id in ("cbd_streets", "rail_construction", "cbd_core"):
        spec = catalog.layers[layer_id]
        ax = Figure().add_subplot()
        draw_layer(ax, spec, frames[layer_id], zorder=2)
        collection = ax.collections[0]
        offset, dashes = collection.get_linestyle()[0]
        assert (dashes is not None) == spec.is_dashed
        if spec.is_dashed:
            declared = line_style(spec)[1]
            scaled = [length / collection.get_linewidth()[0] for length in dashes]
            assert scaled == pytest.approx(declared)
    rail = catalog.layers["rail_operating"]
    ax = Figure().add_subplot()
    draw_layer(ax, rail, frames["rail_operating"], zorder=2)
    drawn = [to_hex(color) for color in ax.collections[0].get_edgecolor()]
    assert drawn == [colour.lower() for colour in frames["rail_operating"]["colour"]]


def test_scale_bar_factor_is_true_at_the_map_latitude():
    for latitude in (39.9, 40.3):
        y = Transformer.from_crs(4326, MAP_CRS, always_xy=True).transform(116.4, latitude)[1]
        west, east = Transformer.from_crs(MAP_CRS, 4326, always_xy=True).transform([12_950_000, 12_951_000], [y, y])
        ground = Geod(ellps="WGS84").line_length(west, [latitude, latitude])
        assert ground_metres_per_unit(latitude) * 1000 == pytest.approx(ground, rel=0.005)


def test_extent_holds_every_chosen_layer_with_a_margin(frames):
    chosen = [frames[layer_id] for layer_id in LAYERS]
    xmin, ymin, xmax, ymax = map_extent(chosen, aspect=1.5)
    for frame in chosen:
        fx0, fy0, fx1, fy1 = frame.total_bounds
        assert xmin < fx0 and ymin < fy0 and fx1 < xmax and fy1 < ymax
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(1.5)


def test_unreachable_tiles_fail_clearly(monkeypatch):
    import contextily

    def offline(*args, **kwargs):
        raise requests.ConnectionError("Failed to resolve 'tile.openstreetmap.org'")

    monkeypatch.setattr(contextily, "add_basemap", offline)
    with pytest.raises(TilesUnavailable, match="OpenStreetMap.Mapnik"):
        render_map(["cbd_core"], tiles="OpenStreetMap.Mapnik", dpi=FAST_DPI)
    with pytest.raises(TilesUnavailable, match="unknown tile provider"):
        render_map(["cbd_core"], tiles="No.Such.Provider", dpi=FAST_DPI)


def test_bad_requests_are_render_errors():
    with pytest.raises(RenderError, match="paper"):
        render_map(["cbd_core"], paper="B5")
    with pytest.raises(RenderError, match="format"):
        render_map(["cbd_core"], fmt="jpg")
    with pytest.raises(KeyError, match="no_such_layer"):
        render_map(["no_such_layer"])


def test_official_line_colours_are_drawn_and_listed_on_their_casing(frames):
    """Pale official colours (7号线 #FFC56E) keep their colour on a darker outline, on the map and in the legend;
    layers without a declared casing have none."""
    catalog = load_catalog()
    for layer_id in ("rail_operating", "rail_construction", "rail_planned"):
        spec = catalog.layers[layer_id]
        ax = Figure().add_subplot()
        draw_layer(ax, spec, frames[layer_id], zorder=2)
        effects = ax.collections[0].get_path_effects()
        handle = legend_entries([spec], frames, "zh")[0][0]
        if not spec.casing:
            assert effects == [] and handle.get_path_effects() == []
            continue
        for drawn in (effects, handle.get_path_effects()):
            casing, line = drawn
            assert isinstance(casing, patheffects.Stroke) and isinstance(line, patheffects.Normal)
            assert to_hex(casing._gc["foreground"]) == spec.casing
            assert casing._gc["linewidth"] == pytest.approx((spec.weight + CASING_WIDTH) * 72 / 96)
