"""A planner's own layer on report maps, thematic maps and atlas pages (issue 14 item 3): drawn in the colours the
planner picked, named in the legend and the sources, coloured by one of its numeric columns in mapclassify's
classes, and drawn on atlas pages. The renderers take it as data; nothing here touches Streamlit."""
from __future__ import annotations

import io

import geopandas as gpd
import mapclassify
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import box

from layers.atlas import build_atlas
from layers.own_layers import OWN_COLOUR, OwnLayer, OwnLayerError, numeric_columns
from layers.static_map import compose_map, render_map
from ui.upload import feature_colours

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")

FAST_DPI = 90
GREEN = "#4daf4a"  # one of the app's own-layer colours (ui/upload.py PALETTE)
NAME = "地块红线.geojson"


def parcels() -> gpd.GeoDataFrame:
    """Six parcels in and around CBD核心区, with a plot ratio (容积率) and a use."""
    cells = [box(116.4540 + 0.0030 * (i % 3), 39.9070 + 0.0035 * (i // 3),
                 116.4565 + 0.0030 * (i % 3), 39.9098 + 0.0035 * (i // 3)) for i in range(6)]
    return gpd.GeoDataFrame({"编号": [f"P-{i + 1:02d}" for i in range(6)],
                             "容积率": [1.5, 2.8, 4.0, 6.5, 8.0, 12.0],
                             "用地": ["商务", "商务", "居住", "绿地", "商务", "居住"]}, geometry=cells, crs=4326)


def one_colour() -> OwnLayer:
    frame = parcels()
    return OwnLayer(NAME, frame, (GREEN,) * len(frame), label="编号")


def by_column(column: str, scheme: str | None) -> OwnLayer:
    frame = parcels()
    colours, legend = feature_colours(frame, GREEN, column, scheme, 4)
    return OwnLayer(NAME, frame, tuple(colours), tuple(legend), label="编号")


def colour_pixels(png: bytes, colour: str) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(rgb - np.array(to_rgb(colour)) * 255).max(axis=2) <= 10).sum())


def test_an_own_layer_is_drawn_in_its_colour_and_named_in_legend_and_sources():
    page = compose_map(focus="cbd_core", own_layers=[one_colour()], dpi=FAST_DPI)
    plan = page.panel.plan
    own = next(spec for spec in plan.visible if spec.group == "own")
    assert own.title("zh") == NAME and len(plan.frames[own.id]) == 6
    assert NAME in page.legend_texts
    page_text = " ".join(text.get_text() for text in page.figure.texts)
    assert f"规划人员自有图层：{NAME}" in page_text
    labels = {text.get_text() for text in page.panel.labels.texts}
    assert {"P-01", "P-06"} <= labels | {name for _number, name in page.panel.labels.index}
    with_layer = render_map(focus="cbd_core", own_layers=[one_colour()], dpi=FAST_DPI).data
    without = render_map(focus="cbd_core", dpi=FAST_DPI).data
    assert colour_pixels(with_layer, GREEN) > colour_pixels(without, GREEN) + 200


def test_colour_by_a_column_draws_and_lists_the_app_classes():
    layer = by_column("容积率", "Quantiles")
    page = compose_map(focus="cbd_core", own_layers=[layer], dpi=FAST_DPI, lang="en")
    plan = page.panel.plan
    assert list(plan.frames[layer.id][OWN_COLOUR]) == list(layer.colours)
    for _colour, text in layer.legend:
        assert f"    {text}" in page.legend_texts
    drawn = next(collection for collection in page.panel.ax.collections
                 if [to_hex(c) for c in collection.get_edgecolor()] == [to_hex(c) for c in layer.colours])
    assert drawn is not None
    categories = by_column("用地", None)
    page = compose_map(focus="cbd_core", own_layers=[categories], dpi=FAST_DPI)
    assert {"    商务", "    居住", "    绿地"} <= set(page.legend_texts)


def test_a_thematic_map_of_an_own_column_uses_mapclassify_bins():
    layer = one_colour()
    page = compose_map(focus="cbd_core", own_layers=[layer], theme="容积率", theme_layer=layer.id, classes=4,
                       dpi=FAST_DPI)
    theme = page.panel.plan.theme
    values = page.panel.plan.frames[layer.id]["容积率"].to_numpy(dtype=float)
    assert sorted(values) == [1.5, 2.8, 4.0, 6.5, 8.0, 12.0]
    assert list(theme.bins) == pytest.approx(list(mapclassify.FisherJenks(values, k=4).bins))
    assert theme.title == f"{NAME} · 容积率" and theme.title in page.legend_texts
    assert theme.class_labels() == [text for text in page.legend_texts if text in theme.class_labels()]
    assert NAME in page.title and "容积率" in page.title


def test_own_layers_alone_frame_the_whole_layers_map():
    page = compose_map(own_layers=[one_colour()], dpi=FAST_DPI)
    extent = box(*page.panel.plan.extent)
    parcels_box = box(*parcels().to_crs(3857).total_bounds)
    assert extent.contains(parcels_box)
    assert parcels_box.area / extent.area > 0.2  # framed on the parcels, not on Beijing


def test_atlas_pages_draw_the_own_layer():
    result = build_atlas(["cbd_core"], own_layers=[one_colour()])
    text = PdfReader(io.BytesIO(result.data)).pages[0].extract_text()
    assert NAME in text and "规划人员自有图层" in text


def test_an_inconsistent_own_layer_is_refused():
    frame = parcels()
    with pytest.raises(OwnLayerError, match="colours"):
        OwnLayer(NAME, frame, (GREEN,))
    with pytest.raises(OwnLayerError, match="coordinate system"):
        OwnLayer(NAME, frame.set_crs(None, allow_override=True), (GREEN,) * len(frame))
    with pytest.raises(OwnLayerError, match="two own layers"):
        compose_map(own_layers=[one_colour(), one_colour()], dpi=FAST_DPI)


def test_numeric_columns_are_the_measures():
    frame = parcels().assign(容积率文本=["1.5", "2", "", None, "3", "4"], 备注=["a", "1", "2", "3", "4", "5"])
    assert numeric_columns(frame) == ["容积率", "容积率文本"]


def test_many_small_parcels_get_fine_outlines_and_a_site_keeps_the_app_stroke():
    from layers.own_layers import OWN_WEIGHT
    from layers.static_map import OWN_MIN_WEIGHT, bbox_extent, fine_outline

    extent = bbox_extent((116.42, 39.89, 116.50, 39.94), aspect=1.4)
    site = one_colour()
    assert fine_outline(site.spec(), site.mercator, extent, 200).weight == OWN_WEIGHT
    tiny = gpd.GeoDataFrame(geometry=[box(116.45 + i * 1e-4, 39.91, 116.45 + i * 1e-4 + 8e-5, 39.91008)
                                      for i in range(50)], crs=4326)
    small = OwnLayer("small", tiny, ("#377eb8",) * 50)
    weight = fine_outline(small.spec(), small.mercator, extent, 200).weight
    assert OWN_MIN_WEIGHT <= weight < OWN_WEIGHT / 5
