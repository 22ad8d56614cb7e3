"""A session's own layer in the exports: every layer format, through the exporter the shipped layers use."""
from __future__ import annotations

import io
import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from contextlib import closing

import geopandas as gpd
import pyogrio
import pytest
import shapely

from layers.export import ExportError, ExportTooLarge, export
from layers.own_layers import OWN_COLOUR, export_ids, geometry_kind, own_export_layer
from tests import upload_fixtures as fx

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def own():
    layer_id = export_ids(["红线.geojson"])["红线.geojson"]
    return own_export_layer(layer_id, "红线.geojson", fx.twin(), "#e41a1c")


def test_export_ids_stay_in_their_folder_never_take_a_shipped_id_and_are_distinct():
    ids = export_ids(["../../etc/passwd", "a.b", "a_b", "cbd_core", ""])
    assert ids == {"../../etc/passwd": "mine_etc_passwd", "a.b": "mine_a_b", "a_b": "mine_a_b_2",
                   "cbd_core": "mine_cbd_core", "": "mine_layer"}


def test_geometry_kind_names_one_family_or_mixed():
    assert geometry_kind(fx.parcels()) == "polygon"
    assert geometry_kind(fx.stations()) == "point"
    assert geometry_kind(fx.twin()) == "mixed"


def test_geojson_holds_the_own_layer_beside_a_shipped_one(own):
    collection = json.loads(export("geojson", ["cbd_core"], own=[own]))
    layers = [feature["properties"]["layer"] for feature in collection["features"]]
    assert set(layers) == {"cbd_core", "mine_红线_geojson"}
    mine = [f for f in collection["features"] if f["properties"]["layer"] == "mine_红线_geojson"]
    assert [f["properties"]["编号"] for f in mine] == ["A-01", "B-07", "S1", "S2"]
    assert shapely.geometry.shape(mine[0]["geometry"]).equals_exact(fx.RED_LINE, 1e-6)


def test_own_layer_alone_exports_in_every_layer_format(own):
    for fmt in ("geojson", "gpkg", "shp", "kml"):
        assert export(fmt, [], own=[own]), fmt


def test_geopackage_table_carries_the_picked_colour_as_its_qgis_style(own, tmp_path):
    target = tmp_path / "own.gpkg"
    export("gpkg", ["cbd_core"], path=target, own=[own])
    assert {name for name, _kind in pyogrio.list_layers(target)} >= {"cbd_core", "mine_红线_geojson"}
    read = gpd.read_file(target, layer="mine_红线_geojson")
    assert list(read["名称"]) == ["项目红线", "行政办公区地块", "国贸", "呼家楼"]
    with closing(sqlite3.connect(target)) as database:
        styles = dict(database.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    qml = ET.fromstring(styles["mine_红线_geojson"].split("\n", 1)[1])
    assert qml.find("renderer-v2").get("type") == "RuleRenderer"  # mixed: polygon, line and point rules
    line_colours = {prop.get("v") for prop in qml.iter("prop") if prop.get("k") == "line_color"}
    assert line_colours == {"228,26,28,255"}  # #e41a1c


def test_colour_by_column_goes_into_each_feature_and_the_style(tmp_path):
    frame = fx.parcels().assign(use=["商务", "行政办公"])
    spec, features = own_export_layer("mine_p", "p.gpkg", frame, "#000000", column="use")
    assert spec.color_field == OWN_COLOUR and features[OWN_COLOUR].nunique() == 2
    target = tmp_path / "p.gpkg"
    export("gpkg", [], path=target, own=[(spec, features)])
    with closing(sqlite3.connect(target)) as database:
        qml = database.execute("SELECT styleQML FROM layer_styles").fetchone()[0]
    assert OWN_COLOUR in qml  # QGIS strokes each feature with its class colour
    kml = ET.fromstring(export("kml", [], own=[(spec, features)]))
    colours = {c.text for c in kml.iter(f"{KML}color")}
    assert {"ff1c1ae4", "ffb87e37"} <= colours  # PALETTE's first two, in KML's aabbggrr


def test_shapefile_zip_splits_the_mixed_own_layer_under_safe_names(tmp_path):
    spec, features = own_export_layer(export_ids(["../x y"])["../x y"], "../x y", fx.twin(), "#377eb8")
    archive = zipfile.ZipFile(io.BytesIO(export("shp", [], own=[(spec, features)])))
    names = set(archive.namelist())
    assert {"mine_x_y_polygon.shp", "mine_x_y_point.shp", "fields.csv"} <= names
    assert all("/" not in name and ".." not in name for name in names)
    archive.extractall(tmp_path)
    read = gpd.read_file(tmp_path / "mine_x_y_point.shp")
    assert list(read["名称"]) == ["国贸", "呼家楼"]


def test_kml_folder_is_named_by_the_layer(own):
    kml = ET.fromstring(export("kml", ["cbd_core"], own=[own]))
    folders = [folder.find(f"{KML}name").text for folder in kml.iter(f"{KML}Folder")]
    assert "红线.geojson" in folders


def test_a_layer_column_is_kept_beside_the_exports_layer_property():
    frame = fx.parcels().assign(layer=["A", "B"])
    spec, features = own_export_layer("mine_l", "l.dxf", frame, "#000000")
    collection = json.loads(export("geojson", [], own=[(spec, features)]))
    assert [(f["properties"]["layer"], f["properties"]["source_layer"]) for f in collection["features"]] == \
        [("mine_l", "A"), ("mine_l", "B")]


def test_own_layers_keep_the_size_limit_and_the_table_formats_take_none(own, monkeypatch):
    monkeypatch.setenv("PLANMAP_MAX_EXPORT_MB", "0.0001")
    with pytest.raises(ExportTooLarge):
        export("kml", [], own=[own])
    monkeypatch.delenv("PLANMAP_MAX_EXPORT_MB")
    with pytest.raises(ExportError, match="plan tables"):
        export("csv", [], own=[own])
    with pytest.raises(ExportError, match="no layers|name them"):
        export("gpkg", [], own=[])
