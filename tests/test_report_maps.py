"""Report maps a reviewer accepts: framed on the subject, clipped, labelled without overlaps, legend of what is
in the frame, marks (审图号, sources, 示意 note), themes classed by mapclassify."""
from __future__ import annotations

import io
import itertools

import mapclassify
import pytest
from pypdf import PdfReader
from shapely.geometry import box

from layers.catalog import load_catalog
from layers.labels import boxes_overlap
from layers.place_facts import local_task_count
from layers.static_map import CHROME_TEXT, compose_map, render_map, round_scale_length
from layers.thematic import measure_values

FAST_DPI = 80


@pytest.fixture(scope="module")
def zone_page():
    return compose_map(focus="cbd_zone", orientation="portrait", dpi=FAST_DPI)


@pytest.fixture(scope="module")
def subcentre_page():
    return compose_map(focus="subcentre", orientation="portrait", dpi=FAST_DPI, lang="en")


def label_boxes(page):
    renderer = page.figure.canvas.get_renderer()
    return [text.get_window_extent(renderer) for text in page.panel.labels.texts]


@pytest.mark.parametrize("page_name", ["zone_page", "subcentre_page"])
def test_labels_do_not_overlap(page_name, request):
    page = request.getfixturevalue(page_name)
    boxes = [(b.x0, b.y0, b.x1, b.y1) for b in label_boxes(page)]
    assert len(boxes) >= 10
    for first, second in itertools.combinations(boxes, 2):
        assert not boxes_overlap(first, second), (first, second)
    for label in boxes:
        for obstacle in page.panel.obstacles:
            assert not boxes_overlap(label, obstacle)


def test_every_street_in_the_zone_is_labelled_once(zone_page):
    streets = zone_page.panel.plan.frames["cbd_streets"]
    drawn = [text.get_text() for text in zone_page.panel.labels.texts]
    indexed = [name for _number, name in zone_page.panel.labels.index]
    for name in streets["name_zh"]:
        assert drawn.count(name) + indexed.count(name) == 1, name


def test_the_subject_fills_a_fair_share_of_the_frame(zone_page, subcentre_page):
    for page in (zone_page, subcentre_page):
        frame = box(*page.panel.plan.extent)
        subject = page.panel.plan.subject
        width_share = (subject.bounds[2] - subject.bounds[0]) / (frame.bounds[2] - frame.bounds[0])
        height_share = (subject.bounds[3] - subject.bounds[1]) / (frame.bounds[3] - frame.bounds[1])
        assert max(width_share, height_share) >= 0.7
        assert subject.area / frame.area >= 0.2


def test_layers_are_clipped_to_the_frame(zone_page):
    frame = box(*zone_page.panel.plan.extent).buffer(1)
    for layer_id, features in zone_page.panel.plan.frames.items():
        assert features.geometry.within(frame).all(), layer_id


def test_legend_lists_what_is_in_the_frame_and_nothing_else(subcentre_page):
    catalog = load_catalog()
    plan = subcentre_page.panel.plan
    legend = set(subcentre_page.legend_texts)
    for spec in plan.drawn:
        assert (spec.title("en") in legend) == (not plan.frames[spec.id].empty), spec.id
    assert catalog.layers["cbd_core"].title_en not in legend
    assert "    Line 1" not in legend and all("Line 10" not in text for text in legend)


def test_schematic_layers_carry_a_badge_and_the_page_the_note(zone_page):
    assert zone_page.legend_texts.count(CHROME_TEXT["zh"]["schematic"]) == len(zone_page.panel.plan.schematic) >= 3
    page_text = " ".join(text.get_text() for text in zone_page.figure.texts)
    assert "边界为示意，非法定界线" in page_text
    assert "GS(2024)0650" in page_text and "ODbL" in page_text and "GPL" in page_text


def test_land_beyond_beijing_is_filled_and_said(subcentre_page, zone_page):
    assert subcentre_page.panel.plan.outside_beijing
    assert CHROME_TEXT["en"]["outside"] in subcentre_page.legend_texts
    assert not zone_page.panel.plan.outside_beijing


def test_scale_bar_is_round_and_fits():
    for width, expected in ((12_300, 2000), (9_000, 2000), (41_000, 10_000), (1_900, 200), (790, 100)):
        assert round_scale_length(width) == expected
    assert round_scale_length(12_300) <= 0.25 * 12_300


def test_station_names_only_at_large_scales(zone_page):
    street = compose_map(focus="st_jianwai", dpi=FAST_DPI)
    named = [text.get_text() for text in street.panel.labels.texts if text.get_gid() == "rail_stations"]
    assert "国贸" in named and len(named) >= 5
    assert not [text for text in zone_page.panel.labels.texts if text.get_gid() == "rail_stations"]


def test_labels_follow_the_language(subcentre_page):
    texts = {text.get_text() for text in subcentre_page.panel.labels.texts}
    assert "Administrative Office Area" in texts or any("Administrative" in text for text in texts)
    assert not any(ord(char) > 0x2E80 for text in texts for char in text)


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_thematic_legend_classes_are_mapclassify_bins():
    page = compose_map(focus="cbd_zone", theme="tasks", dpi=FAST_DPI)
    theme = page.panel.plan.theme
    values = measure_values("tasks", page.panel.plan.frames["cbd_streets"]).dropna()
    k = min(5, values.nunique())
    expected = mapclassify.FisherJenks(values.to_numpy(), k=k).bins
    assert list(theme.bins) == pytest.approx(list(expected))
    labels = theme.class_labels()
    assert labels == [text for text in page.legend_texts if text in labels]
    assert len(labels) == len(expected)
    assert labels[-1].endswith(f", {expected[-1]:.0f}]")


def test_pdf_and_svg_keep_text_as_text():
    pdf = render_map(focus="cbd_core", fmt="pdf", dpi=FAST_DPI)
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "建外街道" in text and "边界为示意" in text
    fonts = PdfReader(io.BytesIO(pdf.data)).pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    svg = render_map(focus="cbd_core", fmt="svg", dpi=FAST_DPI).data.decode("utf-8")
    assert "<text" in svg and "建外街道" in svg


@pytest.mark.parametrize("paper,orientation", [("A4", "portrait"), ("A3", "landscape")])
def test_pdf_pages_have_the_paper_size(paper, orientation):
    rendered = render_map(focus="st_jianwai", fmt="pdf", paper=paper, orientation=orientation, dpi=FAST_DPI)
    page = PdfReader(io.BytesIO(rendered.data)).pages[0]
    short, long = {"A4": (210, 297), "A3": (297, 420)}[paper]
    width, height = (short, long) if orientation == "portrait" else (long, short)
    assert float(page.mediabox.width) == pytest.approx(width / 25.4 * 72, abs=1)
    assert float(page.mediabox.height) == pytest.approx(height / 25.4 * 72, abs=1)
    assert "建外街道" in page.extract_text()


def test_a_column_theme_and_an_unknown_theme():
    page = compose_map(focus="cbd_zone", theme="official_km2", dpi=FAST_DPI, lang="en")
    assert page.panel.plan.theme.title == "official_km2"
    with pytest.raises(ValueError, match="unknown theme"):
        compose_map(focus="cbd_zone", theme="no_such_column", dpi=FAST_DPI)


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_every_offered_scheme_classifies_and_large_layers_stay_quick():
    import time

    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Point

    from layers.thematic import JENKS_SAMPLE, SCHEMES, classify

    values = np.random.default_rng(7).gamma(2.0, 2.0, 20_000)
    frame = gpd.GeoDataFrame({"far": values}, geometry=[Point(0, 0)] * len(values), crs=4326)
    for scheme in SCHEMES:
        started = time.perf_counter()
        theme = classify("far", "own:parcels", frame, "en", scheme=scheme, classes=5)
        assert time.perf_counter() - started < 15, scheme
        assert theme.bins[-1] == pytest.approx(values.max()) and (theme.feature_class >= 0).all(), scheme
    small = frame.iloc[:JENKS_SAMPLE]
    exact = classify("far", "own:parcels", small, "en", scheme="FisherJenks")
    assert list(exact.bins) == pytest.approx(list(mapclassify.FisherJenks(small["far"].to_numpy(), k=5).bins))


def test_local_tasks_count_only_what_the_plans_say_of_the_place_itself():
    """A street's own tasks (named there, inside or crossing it): zone-, district- and city-wide tasks count for
    every street alike, so the all-tasks theme hardly varies; this one must."""
    from geo.describe import describe_dict

    for place_id in ("st_jianwai", "st_shuangjing", "st_pingfang"):
        tasks = describe_dict(place_id)["tasks"]
        own = [task for task in tasks if task["via"] not in ("part_of", "structure")]
        assert local_task_count(place_id) == len(own) < len(tasks)
    streets = compose_map(focus="cbd_zone", theme="local_tasks", dpi=FAST_DPI).panel.plan.frames["cbd_streets"]
    local, every = measure_values("local_tasks", streets), measure_values("tasks", streets)
    assert (local.max() - local.min()) / local.max() > (every.max() - every.min()) / every.max()


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("place", ["st_jianwai", "st_nanmofang", "cbd_core", "st_taiyanggong"])
def test_the_locator_hides_as_little_of_the_subject_as_a_free_corner_allows(place, orientation):
    """The locator sat at the lower right whatever lay there (太阳宫's outline reaches into that corner, and
    建外's on its atlas page)."""
    page = compose_map(focus=place, orientation=orientation, dpi=FAST_DPI)
    panel = page.panel
    assert panel.inset is not None
    renderer = page.figure.canvas.get_renderer()
    extent = panel.inset.get_window_extent(renderer)
    (x0, y0), (x1, y1) = panel.ax.transData.inverted().transform([(extent.x0, extent.y0), (extent.x1, extent.y1)])
    hidden = panel.plan.subject.intersection(box(x0, y0, x1, y1)).area
    xmin, ymin, xmax, ymax = panel.plan.extent
    right, bottom = xmax - 0.012 * (xmax - xmin), ymin + 0.015 * (ymax - ymin)
    lower_right = box(right - (x1 - x0), bottom, right, bottom + (y1 - y0))
    assert hidden <= panel.plan.subject.intersection(lower_right).area + 1.0
    assert hidden <= 0.02 * panel.plan.subject.area, f"{place}: the locator hides {hidden / panel.plan.subject.area:.0%}"


def test_a_page_is_not_drawn_once_per_layer_while_it_is_composed(monkeypatch):
    """geopandas asks the canvas to redraw after each layer it plots; on a page canvas that drew the whole
    page (300 dpi, every layer so far) 13 times before it was saved, half of an A4 PNG's time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda canvas, *a, **k: draws.append(1) or real(canvas, *a, **k))
    compose_map(focus="cbd_zone", dpi=FAST_DPI)
    assert len(draws) <= 1, f"the page was drawn {len(draws)} times while it was composed"
