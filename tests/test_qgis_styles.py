"""The GeoPackage export opened in QGIS itself (issue 12, item 7): each layer comes up with the colours, widths,
dashes, per-feature colours and labels the app draws. Runs where QGIS's Python is installed (Debian's
python3-qgis); skipped elsewhere, since QGIS is not one of the app's dependencies."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from matplotlib.colors import to_rgba

from layers.catalog import load_catalog
from layers.export import export
from layers.qml import MM_PER_PX

QGIS_PYTHON = "/usr/bin/python3"
READER = Path(__file__).with_name("qgis_reader.py")
LAYERS = ["cbd_core", "cbd_streets", "cbd_zone", "rail_operating", "rail_construction", "rail_stations"]
SCREENS_DIR = Path(__file__).resolve().parent / "browser" / "screens"


def _qgis_available() -> bool:
    if not shutil.which(QGIS_PYTHON):
        return False
    return subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _qgis_available(), reason="QGIS's Python (python3-qgis) is not installed")


@pytest.fixture(scope="module")
def opened_in_qgis(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("qgis")
    path = folder / "planmap.gpkg"
    export("gpkg", LAYERS, path)
    SCREENS_DIR.mkdir(exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(folder))
    done = subprocess.run([QGIS_PYTHON, str(READER), str(path), str(SCREENS_DIR / "qgis_gpkg_styles.png"), *LAYERS],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(round(channel * 255) for channel in to_rgba(colour)[:3])


def _qgis_rgb(value: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in value.split(",")[:3])


@pytest.mark.parametrize("layer_id", LAYERS)
def test_qgis_applies_the_declared_look(opened_in_qgis: dict, layer_id: str):
    spec = load_catalog().layers[layer_id]
    style = opened_in_qgis[layer_id]
    assert style["valid"] and style["features"] > 0
    strokes = [sl for sl in style["symbol_layers"] if sl["type"] in ("SimpleLine", "SimpleMarker")]
    assert strokes, style
    drawn = strokes[-1]  # the casing, when declared, lies under the line
    colour = drawn["props"].get("line_color") or drawn["props"].get("outline_color")
    if spec.color_field:
        assert drawn["stroke_colour_field"] == spec.color_field
    else:
        assert _qgis_rgb(colour) == _rgb(spec.color)
    if spec.kind in ("polygon", "line"):
        assert float(drawn["props"]["line_width"]) == pytest.approx(spec.weight * MM_PER_PX, abs=0.01)
        assert drawn["props"]["use_custom_dash"] == ("1" if spec.is_dashed else "0")
    if spec.casing:
        assert _qgis_rgb(strokes[0]["props"]["line_color"]) == _rgb(spec.casing)
    if spec.label:
        assert style["label_field"] == f"{spec.label}_zh"


def test_polygon_fills_keep_their_colour_and_opacity(opened_in_qgis: dict):
    for layer_id in ("cbd_zone", "cbd_streets", "cbd_core"):
        spec = load_catalog().layers[layer_id]
        fill = next(sl for sl in opened_in_qgis[layer_id]["symbol_layers"] if sl["type"] == "SimpleFill")
        red, green, blue, alpha = (int(part) for part in fill["props"]["color"].split(","))
        assert (red, green, blue) == _rgb(spec.fill_color or spec.color)
        assert alpha == pytest.approx(spec.fill_opacity * 255, abs=1)


def test_every_labelled_layer_is_labelled_on_the_map_qgis_draws(opened_in_qgis: dict):
    """All the layers drawn together, as a planner opens them: polygons under labels must not block them."""
    for layer_id in LAYERS:
        if load_catalog().layers[layer_id].label:
            assert opened_in_qgis[layer_id].get("labels_drawn"), f"QGIS placed no label of {layer_id}"


def test_qgis_names_every_street_whatever_the_station_names_crowd(opened_in_qgis: dict):
    """Station names are optional and rank last, as on the static map: all 17 street names find a place (with
    equal priorities QGIS dropped 6 streets, and in 1 of 6 runs the core's name, for station names)."""
    streets = opened_in_qgis["cbd_streets"]
    assert len(set(streets.get("labels_drawn", []))) == streets["features"] == 17
