"""benchmarks/big_layer.py: its section replaces only itself in RESULTS.md, and the parcels it clicks are the
ones nearest the point, numbered as the app numbers features (1-based rows)."""
from __future__ import annotations

import sys

import geopandas as gpd
import shapely

from geo.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import big_layer  # noqa: E402  (a script beside the benchmarks, not a package)


def test_the_section_is_replaced_in_place_or_appended():
    old = f"# Plan Map benchmark\n\n## Targets\n\nt\n\n{big_layer.SECTION}\n\nold rows\n\n## Method\n\nm\n"
    new = f"{big_layer.SECTION}\n\nnew rows"
    assert big_layer.replace_section(old, new) == (f"# Plan Map benchmark\n\n## Targets\n\nt\n\n{new}\n"
                                                   "\n## Method\n\nm\n")
    assert big_layer.replace_section("# Plan Map benchmark\n", new) == f"# Plan Map benchmark\n\n{new}\n"
    at_end = f"# B\n\n{big_layer.SECTION}\n\nold\n### sub\n\nold too\n"
    assert big_layer.replace_section(at_end, new) == f"# B\n\n{new}\n\n"


def test_targets_are_the_nearest_parcels_with_one_based_rows():
    squares = [shapely.box(x, 0, x + 1, 1) for x in range(5)]
    frame = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(5)]}, geometry=squares, crs=4326)
    targets = big_layer.targets_near(frame, (3.4, 0.5), 2)
    assert [(t["row"], t["id"]) for t in targets] == [(4, "P3"), (3, "P2")]
    assert shapely.box(3, 0, 4, 1).contains(shapely.Point(targets[0]["lon"], targets[0]["lat"]))


def test_the_layer_the_bench_toggles_is_a_box_of_the_sidebar():
    """make bench clicked "功能区17个街乡" by its exact text after the box's label gained "（示意）", and stopped."""
    import run  # benchmarks/run.py

    from tests.app_page import whole_page

    at = whole_page().run()
    assert run.plan_map().toggle_label in [box.label for box in at.sidebar.checkbox]
