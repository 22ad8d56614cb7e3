"""Every export read back by GDAL (pyogrio, and ogrinfo when installed): counts, CRS, Chinese text, geometry."""
from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from matplotlib.colors import to_rgb

from layers.catalog import CASING_WIDTH, LayerSpec, layer_frame, load_catalog
from layers.qml import layer_qml
from layers.export import (ExportError, export, plan_tables, short_field_names, to_geojson, to_geopackage, to_kml,
                           to_shapefile_zip)

# Polygons, lines, and two mixed layers (points + polygons, points + lines) to exercise the shapefile split.
LAYERS = ["cbd_core", "cbd_streets", "rail_operating", "subcentre_places", "task_places"]
TOLERANCE_DEG = 1e-7
OGRINFO = shutil.which("ogrinfo")


@pytest.fixture(scope="module")
def expected() -> dict[str, gpd.GeoDataFrame]:
    return {layer_id: layer_frame(load_catalog().layers[layer_id]) for layer_id in LAYERS}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    paths = {"geojson": folder / "layers.geojson", "gpkg": folder / "layers.gpkg", "shp": folder / "layers.zip",
             "kml": folder / "layers.kml"}
    for fmt, path in paths.items():
        export(fmt, LAYERS, path)
    return paths


def assert_same_features(read: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    """Same ids, names and geometries (Hausdorff distance, so ring orientation and multi-part promotion pass)."""
    assert len(read) == len(expected)
    assert read.crs is not None and read.crs.to_epsg() == 4326
    merged = expected.merge(pd.DataFrame(read), on="id", suffixes=("", "_read"))
    assert len(merged) == len(expected)
    assert (merged["name_zh"] == merged["name_zh_read"]).all()
    written = shapely.force_2d(gpd.GeoSeries(merged["geometry_read"]).values)
    distances = shapely.hausdorff_distance(merged["geometry"].values, written)
    assert distances.max() < TOLERANCE_DEG


def drawing_order() -> list[str]:
    """Exports list layers in the catalogue's drawing order, whatever order they were asked in."""
    return [spec.id for spec in load_catalog().resolve(LAYERS)]


def ogrinfo(target: str) -> str:
    return subprocess.run([OGRINFO, "-ro", "-al", "-geom=NO", target], capture_output=True, text=True,
                          encoding="utf-8", check=True).stdout


def test_geojson_is_one_collection_with_a_layer_property(exported, expected):
    frame = pyogrio.read_dataframe(exported["geojson"])
    assert frame["layer"].value_counts().to_dict() == {layer_id: len(f) for layer_id, f in expected.items()}
    for layer_id, layer in expected.items():
        assert_same_features(frame[frame["layer"] == layer_id], layer)
    assert "建外街道" in set(frame["name_zh"])
    text = exported["geojson"].read_text(encoding="utf-8")
    assert '"crs"' not in text and "建外街道" in text


def test_geojson_bytes_match_the_written_file(exported):
    assert to_geojson(LAYERS) == exported["geojson"].read_bytes()


def test_geopackage_has_one_table_per_layer(exported, expected):
    tables = [name for name, _ in pyogrio.list_layers(exported["gpkg"]) if name != "layer_styles"]
    assert tables == drawing_order()
    for layer_id, layer in expected.items():
        assert_same_features(pyogrio.read_dataframe(exported["gpkg"], layer=layer_id), layer)


def test_shapefile_zip_splits_mixed_layers_and_maps_field_names(exported, expected):
    archive = zipfile.ZipFile(exported["shp"])
    names = archive.namelist()
    stems = sorted(name[:-4] for name in names if name.endswith(".shp"))
    assert stems == sorted(["cbd_core", "cbd_streets", "rail_operating", "subcentre_places_point",
                            "subcentre_places_polygon", "task_places_line", "task_places_point"])
    for stem in stems:
        assert archive.read(f"{stem}.cpg").decode("ascii").strip().upper() == "UTF-8"
        assert f"{stem}.prj" in names
    mapping = list(csv.DictReader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    assert all(len(row["shapefile_field"]) <= 10 for row in mapping)
    assert {"field": "official_source", "shapefile_field": "official_s"}.items() <= next(
        row for row in mapping if row["field"] == "official_source").items()
    for layer_id, layer in expected.items():
        files = sorted({row["file"] for row in mapping if row["layer"] == layer_id})
        parts = []
        for name in files:
            renames = {row["shapefile_field"]: row["field"] for row in mapping if row["file"] == name}
            parts.append(pyogrio.read_dataframe(f"/vsizip/{exported['shp']}/{name}").rename(columns=renames))
        assert_same_features(gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs), layer)


def test_shapefile_cuts_long_text_at_a_character_boundary_and_says_so(exported, expected):
    archive = zipfile.ZipFile(exported["shp"])
    mapping = list(csv.DictReader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    cut = {(row["layer"], row["field"]): int(row["truncated_values"]) for row in mapping}
    lines = expected["rail_operating"]
    too_long = int((lines["stations"].str.encode("utf-8").str.len() > 254).sum())
    assert too_long and cut[("rail_operating", "stations")] == too_long
    read = pyogrio.read_dataframe(f"/vsizip/{exported['shp']}/rail_operating.shp").set_index("id")
    for row in lines.itertuples():
        written = read.loc[row.id, "stations"]
        assert row.stations.startswith(written) and len(written.encode("utf-8")) <= 254


def test_kml_has_a_folder_per_layer_named_in_chinese(exported, expected):
    catalog = load_catalog()
    folders = [name for name, _ in pyogrio.list_layers(exported["kml"])]
    assert folders == [catalog.layers[layer_id].title_zh for layer_id in drawing_order()]
    for layer_id, layer in expected.items():
        read = pyogrio.read_dataframe(exported["kml"], layer=catalog.layers[layer_id].title_zh)
        assert_same_features(read, layer)
        assert (read["Name"] == layer["name_zh"].values).all()


def test_kml_keeps_markup_characters_in_attributes_as_text(tmp_path):
    """simplekml writes ExtendedData values raw: an '&' or '<' in an attribute made the whole export fail."""
    path = tmp_path / "streets.kml"
    to_kml(["cbd_streets"], path)
    read = pyogrio.read_dataframe(path)
    assert read["source"].str.contains("Dong & Harris").all()


def test_kml_uses_the_declared_colours(exported):
    text = exported["kml"].read_text(encoding="utf-8")
    core = load_catalog().layers["cbd_core"].color.lstrip("#").lower()
    kml_color = "ff" + core[4:6] + core[2:4] + core[0:2]
    assert f"<color>{kml_color}</color>" in text


def test_functions_return_the_bytes_they_write(tmp_path):
    for make in (to_geopackage, to_shapefile_zip, to_kml):
        target = tmp_path / make.__name__
        assert make(["cbd_core"], target) == target.read_bytes()


def test_tasks_csv_starts_with_a_bom_and_names_every_place(tmp_path):
    data = export("csv", path=tmp_path / "tasks.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    tasks = plan_tables()["tasks"]
    assert len(rows) == len(tasks)
    assert all(row["place_name_zh"] for row in rows)
    assert any(row["place_name_zh"] == "CBD功能区" for row in rows)


def test_xlsx_holds_tasks_and_indicators_joined_to_places(tmp_path):
    export("xlsx", path=tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    assert book.sheetnames == ["tasks", "indicators"]
    tables = plan_tables()
    for sheet, table in tables.items():
        rows = list(book[sheet].iter_rows(values_only=True))
        assert list(rows[0]) == list(table.columns)
        assert len(rows) - 1 == len(table)
    header = list(next(book["indicators"].iter_rows(values_only=True)))
    names = [row[header.index("place_name_zh")] for row in book["indicators"].iter_rows(min_row=2, values_only=True)]
    assert "CBD功能区" in names


def test_short_field_names_are_unique_and_short():
    names = short_field_names(["official_km2", "official_source", "official_k", "id"])
    assert names["id"] == "id" and names["official_k"] == "official_k"
    assert len(set(names.values())) == 4
    assert all(len(short) <= 10 for short in names.values())


def test_user_errors_name_the_problem():
    with pytest.raises(KeyError, match="no_such_layer"):
        export("gpkg", ["no_such_layer"])
    with pytest.raises(ExportError, match="dxf"):
        export("dxf", ["cbd_core"])
    with pytest.raises(ExportError, match="plan tables"):
        export("csv", ["cbd_core"])
    with pytest.raises(ExportError, match="name them"):
        export("kml", [])


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed (Debian: gdal-bin)")
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "kml", "shp"])
def test_ogrinfo_reads_every_export(exported, expected, fmt):
    target = str(exported[fmt])
    if fmt == "shp":
        target = f"/vsizip/{target}/cbd_streets.shp"
    report = ogrinfo(target)
    if fmt == "gpkg":  # the QGIS styles table is a layer to GDAL too: one row per exported layer
        report = report.split("Layer name: layer_styles")[0]
    counts = [int(line.split(":")[1]) for line in report.splitlines() if line.startswith("Feature Count:")]
    total = sum(len(frame) for frame in expected.values())
    assert sum(counts) == (len(expected["cbd_streets"]) if fmt == "shp" else total)
    assert "建外街道" in report


def test_geopackage_carries_each_layers_qgis_style(exported):
    """The layer_styles table as QGIS writes it: registered as an attributes table, one default style per layer,
    QML in the declared colours, dashes and labels."""
    with closing(sqlite3.connect(exported["gpkg"])) as database:
        registered = database.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
        geometry_columns = dict(database.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert registered == ("attributes",)
    styles = pyogrio.read_dataframe(exported["gpkg"], layer="layer_styles", read_geometry=False)
    assert set(styles.columns) >= {"f_table_name", "f_geometry_column", "styleName", "styleQML", "useAsDefault"}
    assert sorted(styles["f_table_name"]) == sorted(LAYERS)
    assert styles["useAsDefault"].astype(bool).all()
    catalog = load_catalog()
    for row in styles.itertuples():
        spec = catalog.layers[row.f_table_name]
        assert row.f_geometry_column == geometry_columns[row.f_table_name]
        root = ET.fromstring(row.styleQML.split("\n", 1)[1])
        assert root.tag == "qgis" and root.find("renderer-v2") is not None
        red, green, blue = (int(channel * 255) for channel in to_rgb(spec.color))
        assert f"{red},{green},{blue},255" in row.styleQML
        assert root.get("labelsEnabled") == ("1" if spec.label else "0")
    streets = ET.fromstring(styles.set_index("f_table_name").loc["cbd_streets", "styleQML"].split("\n", 1)[1])
    line = next(layer for layer in streets.iter("layer") if layer.get("class") == "SimpleLine")
    props = {prop.get("k"): prop.get("v") for prop in line.iter("prop")}
    assert props["use_custom_dash"] == "1" and props["customdash"] == "1.058;0.794"
    assert streets.find(".//text-style").get("fieldName") == "name_zh"
    rail = styles.set_index("f_table_name").loc["rail_operating", "styleQML"]
    assert '<Option type="QString" name="field" value="colour"/>' in rail
    assert_cased_in_qml(ET.fromstring(rail.split("\n", 1)[1]), catalog.layers["rail_operating"])
    mixed = ET.fromstring(styles.set_index("f_table_name").loc["task_places", "styleQML"].split("\n", 1)[1])
    assert mixed.find("renderer-v2").get("type") == "RuleRenderer"


def assert_cased_in_qml(root: ET.Element, spec: LayerSpec) -> None:
    """The casing is the symbol's first line layer (drawn under), in the casing colour, wider, drawn in an earlier
    pass than the line (symbol levels on); the line keeps its per-feature colour."""
    assert root.find("renderer-v2").get("symbollevels") == "1"
    casing, line = (layer for layer in root.iter("layer") if layer.get("class") == "SimpleLine")
    casing_props, line_props = ({prop.get("k"): prop.get("v") for prop in layer.iter("prop")} for layer in (casing, line))
    red, green, blue = (round(channel * 255) for channel in to_rgb(spec.casing))
    assert casing_props["line_color"] == f"{red},{green},{blue},255"
    mm = 25.4 / 96
    assert float(casing_props["line_width"]) == pytest.approx((spec.weight + CASING_WIDTH) * mm, abs=1e-3)
    assert float(line_props["line_width"]) == pytest.approx(spec.weight * mm, abs=1e-3)
    assert casing_props["customdash"] == line_props["customdash"]
    assert (casing.get("pass"), line.get("pass")) == ("0", "1")
    assert casing.find("data_defined_properties") is None and line.find("data_defined_properties") is not None


def test_a_cased_dashed_line_keeps_its_dashes_in_qgis_and_an_uncased_one_is_one_layer():
    catalog = load_catalog().layers
    construction = catalog["rail_construction"]
    assert_cased_in_qml(ET.fromstring(layer_qml(construction).split("\n", 1)[1]), construction)
    planned = ET.fromstring(layer_qml(catalog["rail_planned"]).split("\n", 1)[1])
    assert planned.find("renderer-v2").get("symbollevels") == "0"
    assert [layer.get("class") for layer in planned.iter("layer")] == ["SimpleLine"]
