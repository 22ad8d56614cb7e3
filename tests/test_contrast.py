"""Map colours stand out from the offline basemap: WCAG non-text contrast ≥ 3:1 (issue 13, item 7)."""
from __future__ import annotations

import pytest

from layers.catalog import load_catalog
from layers.contrast import MIN_RATIO, SCREEN_BARE_MAP, contrast_ratio, grounds, line_contrast, over, shortfalls
from layers.interactive import _layer_options
from layers.static_map import LAND

BARE = (SCREEN_BARE_MAP, LAND)  # the bare map on screen and on report maps


def drawn_opacity() -> float:
    """The stroke opacity the interactive map draws every layer at (lower than the static maps')."""
    return min(_layer_options(spec)["style"]["opacity"] for spec in load_catalog().layers.values())


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the known 4.5:1 grey
    assert over("#000000", 0.5, "#ffffff") == "#808080"


def test_layers_are_checked_on_the_grounds_they_lie_on():
    catalog = load_catalog().layers
    district_fill = catalog["context_districts"].fill_color
    assert grounds(catalog["cbd_core"], BARE) == [district_fill, *BARE]  # the districts can be switched off


def test_every_declared_stroke_colour_has_3_to_1_against_the_offline_basemap():
    assert [str(problem) for problem in shortfalls(drawn_opacity(), BARE)] == []


def test_every_official_line_colour_has_3_to_1_against_the_offline_basemap():
    """Lines 6, 7, 10, 14 and 17 keep their official colours (data/curation/rail_lines.csv) and stand out on
    their casing."""
    assert [str(problem) for problem in shortfalls(drawn_opacity(), BARE, per_feature=True)] == []


def test_a_pale_line_stands_out_on_its_casing_and_a_dark_one_on_its_own():
    ground = load_catalog().layers["context_districts"].fill_color
    casing = load_catalog().layers["rail_operating"].casing
    line_7, line_1 = "#FFC56E", "#C23A30"
    assert line_contrast(line_7, 0.95, ground) < MIN_RATIO <= line_contrast(line_7, 0.95, ground, casing)
    assert line_contrast(line_1, 0.95, ground, casing) == line_contrast(line_1, 0.95, ground) >= MIN_RATIO
    # a casing as pale as the ground does not help
    assert line_contrast(line_7, 0.95, ground, ground) == line_contrast(line_7, 0.95, ground)


def test_the_rail_lines_coloured_per_feature_are_cased():
    cased = {spec.id for spec in load_catalog().layers.values() if spec.casing}
    assert cased == {spec.id for spec in load_catalog().layers.values() if spec.color_field and spec.kind == "line"}
