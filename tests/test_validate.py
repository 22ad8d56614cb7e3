"""The catalogue of bad inputs: each a small fixture made here, each with the answer a planner gets.

Every answer names the file, the record and the problem; the app reports and leaves out a broken planner
layer or catalogue while every other layer keeps serving; every shipped file validates clean.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo.archives import MAX_LAYER_MB_ENV
from geo.gcj02 import shift_frame
from geo.paths import DATA_DIR, PLAN_DIR, ROOT
from geo.plan import PlanError, load_plan
from geo.readers import ReadError, check_size
from geo.userlayer import load_user_layer
from geo.validate import validate_file, validate_paths
from layers import catalog
from layers.safe_text import label_inert
from tests import upload_fixtures as fx
from tests.app_page import whole_page

CORE = [[116.45, 39.90], [116.47, 39.90], [116.47, 39.92], [116.45, 39.92], [116.45, 39.90]]
TASK_HEADER = "id,doc_id,section_path,title_zh,title_en,theme,places,targets,deadline,responsible,quote,status," \
              "status_doc,status_quote\n"


def feature(geometry: dict | None, identifier: str = "a", **properties) -> dict:
    return {"type": "Feature", "properties": {"id": identifier, **properties}, "geometry": geometry}


def write_geojson(path: Path, features: list[dict], **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return path


def messages(path: Path, severity: str = "error", **kwargs) -> list[str]:
    return [str(p) for p in validate_file(path, **kwargs).problems if p.severity == severity]


def polygon(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


# Layers ----------------------------------------------------------------------------------------------------

def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    assert messages(path) == [f"{path}: malformed JSON at line 2 column 15: Expecting value"]


def test_null_and_empty_geometries_name_their_features(tmp_path):
    path = write_geojson(tmp_path / "holes.geojson", [feature(polygon(CORE), "ok"), feature(None, "nothing"),
                                                      feature({"type": "Polygon", "coordinates": []}, "empty")])
    assert messages(path) == [f"{path}: feature 'nothing': no geometry (null)",
                              f"{path}: feature 'empty': empty geometry (Polygon with no coordinates)"]


def test_mixed_geometry_types_are_accepted(tmp_path):
    mixed = write_geojson(tmp_path / "mixed.geojson", [
        feature(polygon(CORE), "area"), feature({"type": "Point", "coordinates": [116.46, 39.91]}, "spot"),
        feature({"type": "LineString", "coordinates": CORE[:3]}, "road")])
    assert validate_file(mixed).problems == []


def test_a_geometry_collection_gets_the_uploads_answer_from_the_validator_and_both_command_lines(tmp_path):
    """One answer: the upload splits a collection into its parts and says so; the validator and `check` too."""
    path = tmp_path / "bag.geojson"
    path.write_bytes(fx.geojson_text([fx.collection_feature(), fx.twin_feature()]))
    report = validate_file(path)
    assert report.ok
    [warning] = report.problems
    uploaded = load_user_layer(path.name, path.read_bytes())
    row = uploaded.report.iloc[0]
    assert (row.problem, row.feature_id) == ("geometry collection", "bag")
    assert str(warning) == f"{path}: feature 'bag': warning: {row.problem}: {row.action} ({row.detail})"
    assert warning.text("zh") == f"{path}：要素 'bag'：警告：几何集合：拆分为各部分，属性相同（2 个部分：点 1、面 1）"
    assert list(report.frame.geom_type) == list(uploaded.frame.geom_type) == ["Point", "Polygon", "Polygon"]
    assert list(report.frame["id"]) == ["bag", "bag", "A-01"]
    for verb in ("validate", "check"):
        result = subprocess.run([sys.executable, "-m", "layers", verb, str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, (verb, result.stdout, result.stderr)
    assert f"{path}: feature 'bag': warning: geometry collection: split into its parts" in \
        subprocess.run([sys.executable, "-m", "layers", "validate", str(path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300).stdout


def test_self_intersecting_and_unclosed_polygons(tmp_path):
    bowtie = [[116.45, 39.90], [116.47, 39.92], [116.47, 39.90], [116.45, 39.92], [116.45, 39.90]]
    path = write_geojson(tmp_path / "bad_rings.geojson", [feature(polygon(bowtie), "bowtie"),
                                                          feature(polygon(CORE[:-1]), "open")])
    assert messages(path) == [f"{path}: feature 'open': polygon ring 1 is not closed (its last point differs "
                              "from its first)"]
    path = write_geojson(tmp_path / "bowtie.geojson", [feature(polygon(bowtie), "bowtie")])
    [message] = messages(path)
    assert message.startswith(f"{path}: feature 'bowtie': invalid geometry: Self-intersection")


def test_projected_coordinates_labelled_wgs84(tmp_path):
    ring = [[x * 1000 + 500_000, y * 1000 + 4_420_000] for x, y in [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    path = write_geojson(tmp_path / "utm.geojson", [feature(polygon(ring))])
    [message] = messages(path)
    assert "not longitude/latitude degrees" in message and "reproject to EPSG:4326" in message


def test_a_declared_projected_crs_is_named(tmp_path):
    path = write_geojson(tmp_path / "declared.geojson", [feature(polygon(CORE))],
                         crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32650"}})
    [message] = messages(path)
    assert "declares CRS EPSG:32650" in message


def test_latitude_and_longitude_swapped(tmp_path):
    path = write_geojson(tmp_path / "swapped.geojson", [feature(polygon([[y, x] for x, y in CORE]))])
    [message] = messages(path)
    assert message.startswith(f"{path}: latitude and longitude are swapped")


def test_gcj02_labelled_wgs84_is_warned_from_known_anchors(tmp_path):
    stations = gpd.read_file(DATA_DIR / "rail_stations.geojson")[["id", "name_zh", "geometry"]].head(30)
    path = tmp_path / "amap_stations.geojson"
    shift_frame(stations).to_file(path, driver="GeoJSON")
    assert messages(path) == []
    [warning] = messages(path, "warning")
    assert "looks like GCJ-02" in warning
    offset = float(warning.split("~")[1].split(" m")[0])
    assert 400 < offset < 700  # GCJ-02 moves Beijing about half a kilometre
    stations.to_file(tmp_path / "wgs_stations.geojson", driver="GeoJSON")
    assert validate_file(tmp_path / "wgs_stations.geojson").problems == []


def test_duplicate_feature_ids(tmp_path):
    path = write_geojson(tmp_path / "dupes.geojson", [feature(polygon(CORE), "x"), feature(polygon(CORE), "x")])
    assert messages(path) == [f"{path}: feature 'x': duplicate id (each feature needs its own)"]


def shapefile_zip(tmp_path: Path, leave_out: tuple[str, ...] = (), encoding: str = "UTF-8",
                  name: str = "地块") -> Path:
    frame = gpd.GeoDataFrame({"id": ["p1", "p2"], "name_zh": [name, "绿地"]},
                             geometry=[Polygon(CORE), Point(116.46, 39.91).buffer(0.001)], crs=4326)
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    pyogrio.write_dataframe(frame, folder / "parcels.shp", driver="ESRI Shapefile", encoding=encoding)
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part in sorted(folder.iterdir()):
            if part.suffix not in leave_out:
                zipped.write(part, part.name)
    return archive


def test_a_complete_shapefile_zip_is_read(tmp_path):
    report = validate_file(shapefile_zip(tmp_path))
    assert report.problems == [] and list(report.frame["name_zh"]) == ["地块", "绿地"]


@pytest.mark.parametrize("part", [".dbf", ".shx", ".prj"])
def test_a_shapefile_zip_missing_a_part(tmp_path, part):
    path = shapefile_zip(tmp_path, leave_out=(part,))
    [message] = messages(path)
    assert message.startswith(f"{path}: shapefile 'parcels': missing {part}")


def test_gbk_attributes_without_a_cpg(tmp_path):
    path = shapefile_zip(tmp_path, leave_out=(".cpg",), encoding="GBK")
    [message] = messages(path)
    assert "shapefile 'parcels'" in message and "reads as GBK" in message and ".cpg" in message
    with_cpg = validate_file(shapefile_zip(tmp_path, encoding="GBK"))  # GDAL writes a .cpg naming GBK
    assert with_cpg.problems == [] and list(with_cpg.frame["name_zh"]) == ["地块", "绿地"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("parcels.shp", bytes(20 * 2**20))
    [message] = messages(path)
    assert "zip bomb" in message and "refused" in message


def test_a_path_traversal_entry_is_refused(tmp_path):
    path = tmp_path / "traversal.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("../../etc/cron.d/evil.shp", b"x")
    assert messages(path) == [f"{path}: entry '../../etc/cron.d/evil.shp': entry would be written outside its "
                              "folder (path traversal); refused"]


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write_geojson(tmp_path / "big.geojson", [feature(polygon(CORE), f"f{i}") for i in range(20_000)])
    monkeypatch.setenv(MAX_LAYER_MB_ENV, "1")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before its size was checked"))
    [message] = messages(path)
    assert message.startswith(f"{path}: file is ") and "over the 1.0 MB limit (PLANMAP_MAX_LAYER_MB); not read" \
        in message


def test_kml_and_geopackage_are_read(tmp_path):
    frame = gpd.GeoDataFrame({"id": ["a"], "name_zh": ["甲"]}, geometry=[Polygon(CORE)], crs=4326)
    for name, driver in (("a.kml", "KML"), ("a.gpkg", "GPKG")):
        pyogrio.write_dataframe(frame, tmp_path / name, driver=driver)
        report = validate_file(tmp_path / name)
        assert report.problems == [] and len(report.frame) == 1, name


def test_csv_points_with_a_bom_and_excel_quoting(tmp_path):
    path = tmp_path / "points.csv"
    text = 'id,name_zh,note,lon,lat\r\np1,国贸,"a, ""quoted""\r\nnote",116.4605,39.9088\r\n'
    path.write_bytes(text.encode("utf-8-sig"))
    report = validate_file(path)
    assert report.problems == [] and report.frame["note"].tolist() == ['a, "quoted"\r\nnote']


# Plan tables -----------------------------------------------------------------------------------------------

def write_tasks(folder: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "tasks_999.csv"
    path.write_bytes((TASK_HEADER + "".join(rows)).encode(encoding))
    return path


ROW = "t999_{n},000_a4f22e102a070a95,一、总则,{title},Title,economy,{place},,,,推动放宽服务业市场准入限制。,not_reported,,\n"


def test_a_task_pointing_at_an_unknown_place_and_a_duplicate_id(tmp_path):
    path = write_tasks(tmp_path / "plan", [ROW.format(n=1, title="甲", place="cbd_core;nowhere"),
                                           ROW.format(n=1, title="乙", place="cbd_zone")])
    assert messages(path) == [f"{path}: row 3: duplicate id 't999_1'",
                              f"{path}: row 2 (id t999_1): unknown place id 'nowhere'"]


def test_a_plan_table_with_a_bom_and_excel_quoting_is_fine(tmp_path):
    quoted = ROW.format(n=1, title='"推动, ""放宽""\n限制"', place="cbd_core")
    path = write_tasks(tmp_path / "plan", [quoted], encoding="utf-8-sig")
    assert validate_file(path).problems == []


def test_a_plan_table_saved_as_gbk_names_file_and_row(tmp_path):
    folder = tmp_path / "plan"
    ascii_row = "t999_1,000_a4f22e102a070a95,1,CBD,CBD,economy,cbd_core,,,,CBD,not_reported,,\n"
    path = write_tasks(folder, [ascii_row, ROW.format(n=2, title="推动", place="cbd_core")], encoding="gbk")
    [message] = messages(path)
    assert message.startswith(f"{path}: row 3: not UTF-8: the text reads as GBK")
    with pytest.raises(PlanError, match=r"tasks_999\.csv: row 3: not UTF-8"):
        load_plan(folder)


# Catalogue files and the app ------------------------------------------------------------------------------

@pytest.fixture
def planner_catalog(tmp_path, monkeypatch):
    """A planner catalogue (PLANMAP_EXTRA_LAYERS) written by the test; the catalogue caches are reset around it."""
    def use(text: str) -> Path:
        path = tmp_path / "extra.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(catalog.EXTRA_CATALOG_ENV, str(path))
        catalog.load_catalog.cache_clear()
        return path

    write_geojson(tmp_path / "good.geojson", [feature(polygon(CORE), "g1", name_zh="好")])
    write_geojson(tmp_path / "broken.geojson", [feature(None, "b1")])
    yield use
    monkeypatch.delenv(catalog.EXTRA_CATALOG_ENV)
    catalog.load_catalog.cache_clear()
    catalog._EXTERNAL_FRAMES.clear()


LAYER = 'group = "planning"\ntitle_zh = "{title}"\ntitle_en = "{title}"\nsource = "{source}"\nkind = "polygon"\n' \
        'color = "#2b8cbe"\n'


def test_a_broken_planner_layer_is_reported_and_left_out(planner_catalog):
    path = planner_catalog("[layers.good]\n" + LAYER.format(title="好", source="good.geojson")
                           + "[layers.broken]\n" + LAYER.format(title="坏", source="broken.geojson")
                           + "[layers.cbd_core]\n" + LAYER.format(title="冒名", source="good.geojson"))
    loaded = catalog.load_catalog()
    assert "good" in loaded.layers and "broken" not in loaded.layers
    assert loaded.layers["cbd_core"].external is False  # the built-in is kept
    assert len(catalog.layer_frame(loaded.layers["good"])) == 1
    problems = [str(problem) for problem in loaded.problems]
    assert problems == [
        f"{path}: layer 'broken': source {path.parent / 'broken.geojson'}: feature 'b1': no geometry (null); "
        "layer left out",
        f"{path}: layer 'cbd_core': has the id of a built-in layer; choose another id (a planner layer cannot "
        "replace it); layer left out"]


def test_a_broken_catalogue_file_names_its_line_and_the_built_in_layers_still_load(planner_catalog):
    path = planner_catalog("[layers.good]\ngroup = \"planning\"\ntitle_zh = 好\n")
    loaded = catalog.load_catalog()
    assert "cbd_core" in loaded.layers and not any(spec.external for spec in loaded.layers.values())
    [problem] = loaded.problems
    assert str(problem).startswith(f"{path}: not valid TOML: ") and "line 3" in str(problem)


def test_the_app_serves_every_other_layer_beside_a_broken_planner_layer(planner_catalog):
    
    title = "[登录](http://evil.example/login) ![t](http://evil.example/t.png)"
    planner_catalog("[layers.good]\n" + LAYER.format(title=title, source="good.geojson")
                    + "[layers.broken]\n" + LAYER.format(title="坏", source="broken.geojson") + "visible = true\n")
    at = whole_page(60)
    at.query_params["layers"] = "cbd_core,good,broken"
    at.run()
    assert not at.exception
    assert {box.key for box in at.checkbox if box.value} == {"layer_cbd_core", "layer_good"}
    assert any("broken" in caption.value and "没有几何" in caption.value for caption in at.caption)  # zh first
    [label] = [box.label for box in at.checkbox if box.key == "layer_good"]
    assert label == label_inert(title)  # the planner's title is text, not a link and an image


def test_every_shipped_file_validates_clean():
    reports = validate_paths([DATA_DIR, PLAN_DIR])
    assert len(reports) >= 20
    assert [str(problem) for report in reports for problem in report.problems] == []
    assert catalog.check_catalog_file(catalog.CATALOG_PATH)[1] == []


def test_the_command_line_names_the_problem_and_exits_non_zero(tmp_path):
    bad = write_geojson(tmp_path / "bad.geojson", [feature(None, "b1")])
    result = subprocess.run([sys.executable, "-m", "layers", "validate", str(bad), str(DATA_DIR / "cbd_core.geojson")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"{bad}: feature 'b1': no geometry (null)" in result.stdout
    assert "2 file(s) checked: 1 error(s)" in result.stderr
    clean = subprocess.run([sys.executable, "-m", "layers", "validate", "data", "data/plan", "layers/catalog.toml"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_shapely_reads_what_the_validator_accepts(tmp_path):
    path = write_geojson(tmp_path / "ok.geojson", [feature(polygon(CORE), "a")])
    assert shapely.equals(validate_file(path).frame.geometry[0], Polygon(CORE))


def app_reading_plan(folder: Path, monkeypatch, then: Callable[[Any], object] = lambda at: None):
    """The app run once with its plan tables read from `folder` (and no cached tables from another test), then
    `then` done to it (e.g. the language switched)."""
    import streamlit as st
    
    from geo import plan

    real = plan.load_plan
    monkeypatch.setattr(plan, "load_plan", lambda plan_dir=folder: real(plan_dir))
    st.cache_resource.clear()
    try:
        at = whole_page(60)
        at.run()
        then(at)
    finally:
        st.cache_resource.clear()
    return at


def test_the_app_names_file_and_row_of_a_plan_table_saved_as_gbk(tmp_path, monkeypatch):
    folder = tmp_path / "plan"
    write_tasks(folder, [ROW.format(n=1, title="推动", place="cbd_core")], encoding="gbk")
    at = app_reading_plan(folder, monkeypatch)
    assert not at.exception  # no traceback for the user: a message naming the file and row
    [error] = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # shown as Markdown-escaped text
    assert f"{folder / 'tasks_999.csv'}：第 2 行：不是 UTF-8：文字按 GBK 可读" in error  # Chinese first


def test_the_command_line_checks_a_planner_catalogue_against_the_built_in_one(tmp_path):
    write_geojson(tmp_path / "good.geojson", [feature(polygon(CORE), "g1", name_zh="好")])
    path = tmp_path / "mine.toml"
    path.write_text("[layers.mine]\n" + LAYER.format(title="我的", source="good.geojson")
                    + "[layers.rail_operating]\n" + LAYER.format(title="冒名", source="good.geojson"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "layers", "validate", str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{path}: layer 'rail_operating': has the id of a built-in layer; choose "
                                          "another id (a planner layer cannot replace it); layer left out"]


def test_a_planner_layers_casing_must_be_a_colour_under_lines(planner_catalog):
    cased = 'casing = "#222222"\n'
    path = planner_catalog("[layers.pale]\n" + LAYER.format(title="浅", source="good.geojson") + cased
                           + "[layers.bad_casing]\n" + LAYER.format(title="坏", source="good.geojson").replace(
                               "polygon", "line") + 'casing = "dark"\n')
    problems = [str(problem) for problem in catalog.load_catalog().problems]
    assert problems == [
        f"{path}: layer 'pale': casing is drawn under lines: kind 'polygon' has none (line or mixed); layer left out",
        f"{path}: layer 'bad_casing': casing 'dark' is not a colour like \"#1f78b4\"; layer left out"]


def test_the_app_lists_plan_records_with_an_unknown_place_or_a_duplicate_id(tmp_path, monkeypatch):
    """Not accepted silently: the sidebar lists each broken record by file and record; the page still serves."""
    import shutil

    from geo.plan import PLAN_DIR

    folder = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, folder)
    write_tasks(folder, [ROW.format(n=1, title="甲", place="cbd_core;nowhere"),
                         ROW.format(n=1, title="乙", place="cbd_zone")])
    at = app_reading_plan(folder, monkeypatch)
    assert not at.exception and not at.error
    [listed] = [e for e in at.sidebar.expander if "规划表中有问题的记录" in e.label]
    shown = " ".join(re.sub(r"\\(.)", r"\1", caption.value) for caption in listed.caption)
    assert "tasks_999.csv：任务 t999_1：未知的地点编号 'nowhere'" in shown  # Chinese first
    assert "tasks_999.csv：任务编号 't999_1' 重复" in shown


# Every answer in the reader's language ---------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def bad_inputs(tmp_path: Path) -> list[Path]:
    """One file for each kind of problem the validator finds, each in a folder of its own."""
    def folder(name: str) -> Path:
        made = tmp_path / name
        made.mkdir()
        return made

    bowtie = [[116.45, 39.90], [116.47, 39.92], [116.47, 39.90], [116.45, 39.92], [116.45, 39.90]]
    broken = folder("json") / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    points = folder("csv") / "points.csv"
    points.write_text("id,lon,lat\np1,east,39.9\n", encoding="utf-8")
    traversal = folder("zip") / "traversal.zip"
    with zipfile.ZipFile(traversal, "w") as zipped:
        zipped.writestr("../../etc/cron.d/evil.shp", b"x")
    gbk_plan = write_tasks(folder("gbk"), [ROW.format(n=1, title="推动", place="cbd_core")], encoding="gbk")
    return [
        broken,
        write_geojson(folder("holes") / "holes.geojson", [feature(None, "nothing"), feature(polygon(CORE[:-1]), "open"),
                                                          feature({"type": "Polygon", "coordinates": []}, "empty")]),
        write_geojson(folder("bowtie") / "bowtie.geojson", [feature(polygon(bowtie), "bowtie"),
                                                            feature(polygon(CORE), "x"), feature(polygon(CORE), "x")]),
        write_geojson(folder("swapped") / "swapped.geojson", [feature(polygon([[y, x] for x, y in CORE]))]),
        write_geojson(folder("utm") / "utm.geojson", [feature(polygon([[x * 1e5, y * 1e5] for x, y in CORE]))]),
        shapefile_zip(folder("no_prj"), leave_out=(".prj",)),
        shapefile_zip(folder("gbk_dbf"), leave_out=(".cpg",), encoding="GBK"),
        points, traversal, gbk_plan,
        write_tasks(folder("plan"), [ROW.format(n=1, title="甲", place="cbd_core;nowhere"),
                                     ROW.format(n=1, title="乙", place="cbd_zone")]),
    ]


def test_every_problem_names_file_and_record_in_chinese_and_in_english(tmp_path):
    problems = [problem for path in bad_inputs(tmp_path) for problem in validate_file(path).problems]
    assert len(problems) >= 14
    for problem in problems:
        zh, en = problem.text("zh"), problem.text("en")
        assert str(problem) == en and zh.startswith(f"{problem.path}：") and en.startswith(f"{problem.path}: ")
        assert CJK.search(problem.message.zh) and problem.message.zh != problem.message.en, en
        assert not problem.record.en or CJK.search(problem.record.zh), en


def test_a_problem_in_chinese_reads_as_a_planner_would_say_it(tmp_path):
    path = write_geojson(tmp_path / "holes.geojson", [feature(None, "nothing")])
    [problem] = validate_file(path).problems
    assert problem.text("zh") == f"{path}：要素 'nothing'：没有几何（null）"
    assert problem.text("en") == f"{path}: feature 'nothing': no geometry (null)"
    plan = write_tasks(tmp_path / "plan", [ROW.format(n=1, title="甲", place="nowhere")])
    [problem] = validate_file(plan).problems
    assert problem.text("zh") == f"{plan}：第 2 行（id t999_1）：未知的地点编号 'nowhere'"
    bowtie = [[116.45, 39.90], [116.47, 39.92], [116.47, 39.90], [116.45, 39.92], [116.45, 39.90]]
    path = write_geojson(tmp_path / "bowtie.geojson", [feature(polygon(bowtie), "bowtie")])
    [problem] = validate_file(path).problems
    assert problem.text("zh") == f"{path}：要素 'bowtie'：几何无效：自相交[116.46 39.91]"  # GEOS's reason too


def test_a_planner_catalogues_problems_read_in_both_languages(planner_catalog):
    path = planner_catalog("[layers.broken]\n" + LAYER.format(title="坏", source="broken.geojson")
                           + "[layers.cbd_core]\n" + LAYER.format(title="冒名", source="good.geojson"))
    broken, built_in = catalog.load_catalog().problems
    assert broken.text("zh") == (f"{path}：图层 'broken'：数据源 {path.parent / 'broken.geojson'}：要素 'b1'："
                                 "没有几何（null）；该图层已略去")
    assert built_in.text("zh") == (f"{path}：图层 'cbd_core'：与内置图层同编号；请另选编号（规划师的图层不能替换内置图层）；"
                                   "该图层已略去")
    assert str(built_in).endswith("has the id of a built-in layer; choose another id (a planner layer cannot "
                                  "replace it); layer left out")
    planner_catalog("[layers.good]\ngroup = \"planning\"\ntitle_zh = 好\n")
    [problem] = catalog.load_catalog().problems
    assert problem.text("zh").startswith(f"{path}：不是有效的 TOML：")


def test_a_plan_table_saved_as_gbk_is_refused_in_both_languages(tmp_path):
    folder = tmp_path / "plan"
    path = write_tasks(folder, [ROW.format(n=1, title="推动", place="cbd_core")], encoding="gbk")
    with pytest.raises(PlanError) as raised:
        load_plan(folder)
    assert raised.value.text("zh").startswith(f"{path}：第 2 行：不是 UTF-8：文字按 GBK 可读")
    assert str(raised.value).startswith(f"{path}: row 2: not UTF-8: the text reads as GBK")


def test_the_size_check_names_the_file_for_the_command_line_too(tmp_path, monkeypatch):
    path = write_geojson(tmp_path / "big.geojson", [feature(polygon(CORE), f"f{i}") for i in range(2000)])
    monkeypatch.setenv(MAX_LAYER_MB_ENV, "0.1")
    with pytest.raises(ReadError) as raised:
        check_size(path.stat().st_size, str(path))
    assert str(raised.value).startswith(f"{path}: file is ") and raised.value.text("zh").startswith(f"{path}：文件大小")
    for verb in ("check", "validate"):
        result = subprocess.run([sys.executable, "-m", "layers", verb, str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=300, env={**os.environ, MAX_LAYER_MB_ENV: "0.1"})
        said = result.stdout + result.stderr
        assert f"{path}: file is " in said and said.count(path.name) == 1, (verb, said)


def test_a_reading_error_of_the_check_command_names_the_file_once(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "layers", "check", str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {path}: malformed JSON at line 2 column 15: Expecting value"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_lists_a_broken_planner_layer_in_the_chosen_language(planner_catalog, lang):
    
    path = planner_catalog("[layers.broken]\n" + LAYER.format(title="坏", source="broken.geojson"))
    [problem] = catalog.load_catalog().problems
    at = whole_page(60)
    at.run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    assert not at.exception
    [listed] = [e for e in at.sidebar.expander if e.label.startswith("有问题的图层已略去" if lang == "zh" else "Layers left out")]
    [shown] = [re.sub(r"\\(.)", r"\1", caption.value) for caption in listed.caption]
    assert shown == problem.text(lang) and str(path) in shown
    assert ("没有几何" in shown) == (lang == "zh") and ("no geometry" in shown) == (lang == "en")


def test_the_app_lists_broken_plan_records_in_the_chosen_language(tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, folder)
    write_tasks(folder, [ROW.format(n=1, title="甲", place="cbd_core;nowhere")])
    at = app_reading_plan(folder, monkeypatch, then=lambda at: None)
    [listed] = [e for e in at.sidebar.expander if "规划表中有问题的记录" in e.label]
    assert "tasks_999.csv：任务 t999_1：未知的地点编号 'nowhere'" in [re.sub(r"\\(.)", r"\1", c.value)
                                                                 for c in listed.caption]
    at = app_reading_plan(folder, monkeypatch, then=lambda at: at.radio(key="lang").set_value("en").run())
    [listed] = [e for e in at.sidebar.expander if "Plan table records with problems" in e.label]
    assert "tasks_999.csv: task t999_1: unknown place id 'nowhere'" in [re.sub(r"\\(.)", r"\1", c.value)
                                                                       for c in listed.caption]


def test_the_app_says_which_plan_table_is_gbk_in_the_chosen_language(tmp_path, monkeypatch):
    folder = tmp_path / "plan"
    write_tasks(folder, [ROW.format(n=1, title="推动", place="cbd_core")], encoding="gbk")
    at = app_reading_plan(folder, monkeypatch, then=lambda at: None)
    assert not at.exception
    [error] = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert error.startswith("出错了") and f"{folder / 'tasks_999.csv'}：第 2 行：不是 UTF-8：文字按 GBK 可读" in error
    at = app_reading_plan(folder, monkeypatch, then=lambda at: at.radio(key="lang").set_value("en").run())
    assert not at.exception
    [error] = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert error.startswith("Something failed") and f"{folder / 'tasks_999.csv'}: row 2: not UTF-8" in error
