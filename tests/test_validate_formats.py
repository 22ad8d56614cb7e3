"""`python -m layers validate` reads every format the upload reads, through the upload's reader, and names file,
layer and record in both languages for each problem it finds.

Each fixture is written here. The DXF is written by GDAL's DXF driver (as tests/upload_fixtures.py does):
ezdxf is not installed.
"""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, Polygon

from geo.paths import DATA_DIR, PLAN_DIR, ROOT
from geo.userlayer import load_user_layer
from geo.validate import LAYER_SUFFIXES, Problem, validate_file
from tests import upload_fixtures as fx

CORE = [(116.45, 39.90), (116.47, 39.90), (116.47, 39.92), (116.45, 39.92), (116.45, 39.90)]
BOWTIE = [(116.45, 39.90), (116.47, 39.92), (116.47, 39.90), (116.45, 39.92), (116.45, 39.90)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def errors(path: Path) -> list[str]:
    return [str(problem) for problem in validate_file(path).problems if problem.severity == "error"]


def assert_bilingual(problems: list[Problem]) -> None:
    """Every problem names its file, and its message and record read in Chinese as in English."""
    assert problems
    for problem in problems:
        assert problem.text("zh").startswith(f"{problem.path}：") and str(problem).startswith(f"{problem.path}: ")
        assert CJK.search(problem.message.zh), str(problem)
        assert not problem.record.en or CJK.search(problem.record.zh), str(problem)


def parcels(ids: list[str], shapes: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids, "name_zh": [f"地块{n}" for n in range(len(ids))]}, geometry=shapes, crs=4326)


def test_a_dxf_is_read_and_its_broken_entity_named(tmp_path):
    path = tmp_path / "red_line.dxf"
    drawing = gpd.GeoDataFrame({"Layer": ["红线", "红线"]}, geometry=[Polygon(CORE), Polygon(BOWTIE)], crs=4326)
    pyogrio.write_dataframe(drawing, path, driver="DXF")
    report = validate_file(path)
    assert [str(problem) for problem in report.problems] == [
        f"{path}: feature #2: invalid geometry: Self-intersection[116.46 39.91] (self-intersecting?)",
        f"{path}: features have no `id` property (Plan Map needs one per feature)"]
    assert_bilingual(report.problems)


def test_a_dxf_in_an_undecidable_projected_system_names_the_candidates(tmp_path):
    path = fx.dxf_gk_cm117(tmp_path)  # CGCS2000 Gauss-Krüger CM 117°E, nothing saying so: the upload asks
    [message] = errors(path)
    assert message.startswith(f"{path}: the file states no coordinate system and it cannot be decided (it may be: ")
    assert "reproject to WGS84 lon/lat (EPSG:4326)" in message


def test_an_xlsx_with_lon_lat_columns_is_read_and_its_bad_rows_named(tmp_path):
    path = tmp_path / "stations.xlsx"
    table = pd.DataFrame({"id": ["s1", "s2", "s2", "s4"], "名称": ["国贸", "呼家楼", "金台夕照", "永安里"],
                          "lon": [116.4556, 116.4555, 116.4620, "东"], "lat": [39.9070, 39.9221, 39.9160, 39.9080]})
    table.to_excel(path, index=False, engine="openpyxl")
    report = validate_file(path)
    assert [str(problem) for problem in report.problems] == [
        f"{path}: row 5: no coordinates (the coordinate cells are empty or not numbers, or the WKT is unreadable)",
        f"{path}: feature 's2': duplicate id (each feature needs its own)"]
    assert_bilingual(report.problems)
    table.drop(index=[2, 3]).to_excel(path, index=False, engine="openpyxl")
    clean = validate_file(path)
    assert clean.problems == [] and list(clean.frame["id"]) == ["s1", "s2"]


def test_every_sheet_of_a_workbook_is_checked_and_named(tmp_path):
    path = fx.xlsx_wkt_mercator(tmp_path)  # a sheet of notes, then WKT in Web Mercator keyed by 编号
    report = validate_file(path)
    assert [str(problem) for problem in report.problems] == [
        f"{path}: sheet '说明': warning: no coordinate columns: name them lon/lat (经度/纬度) or x/y, or give a WKT "
        "column; the table has 说明; left out",
        f"{path}: sheet '地块': warning: the file states no coordinate system: its range says EPSG:3857 · WGS 84 / "
        "Pseudo-Mercator; converted to WGS84",
        f"{path}: sheet '地块': features have no `id` property (Plan Map needs one per feature)"]
    assert_bilingual(report.problems)


def write_kmz(path: Path, places: dict[str, list[tuple[float, float]]]) -> Path:
    """A KMZ as Google Earth saves it: a zipped doc.kml whose placemarks carry their id as extended data."""
    placemarks = "".join(
        f'<Placemark><name>地块{number}</name><ExtendedData><Data name="id"><value>{identifier}</value></Data>'
        f'</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>'
        f'{" ".join(f"{x},{y}" for x, y in ring)}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>'
        for number, (identifier, ring) in enumerate(places.items()))
    kml = f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>' \
          f'{placemarks}</Document></kml>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml)
    return path


def test_a_kmz_is_read(tmp_path):
    path = write_kmz(tmp_path / "site.kmz", {"a": CORE, "b": BOWTIE})
    report = validate_file(path)
    [problem] = report.problems
    assert str(problem).startswith(f"{path}: feature 'b': invalid geometry: Self-intersection")
    assert_bilingual(report.problems)
    clean = validate_file(write_kmz(tmp_path / "site.kmz", {"a": CORE, "b": CORE[::-1]}))
    assert clean.problems == [] and list(clean.frame["Name"]) == ["地块0", "地块1"]


def test_a_tsv_is_read(tmp_path):
    path = tmp_path / "points.tsv"
    path.write_text("id\t名称\tlon\tlat\np1\t国贸\t116.4556\t39.9070\np1\t呼家楼\t116.4555\t39.9221\n", encoding="utf-8")
    report = validate_file(path)
    assert [str(problem) for problem in report.problems] == [
        f"{path}: feature 'p1': duplicate id (each feature needs its own)"]
    assert_bilingual(report.problems)
    path.write_text("id\t名称\tlon\tlat\np1\t国贸\t116.4556\t39.9070\n", encoding="utf-8")
    assert validate_file(path).problems == []


def test_a_tsv_saved_as_gbk_names_its_row(tmp_path):
    path = tmp_path / "points.tsv"
    path.write_bytes("id\tname\tlon\tlat\np1\tGuomao\t116.4556\t39.9070\np2\t呼家楼\t116.4555\t39.9221\n".encode("gbk"))
    [message] = errors(path)
    assert message.startswith(f"{path}: row 3: not UTF-8: the text reads as GBK")


def test_a_bare_shapefile_is_read_with_its_sidecars(tmp_path):
    path = tmp_path / "parcels.shp"
    pyogrio.write_dataframe(parcels(["p1", "p2"], [Polygon(CORE), Point(116.46, 39.91).buffer(0.001)]), path,
                            driver="ESRI Shapefile", encoding="UTF-8")
    report = validate_file(path)
    assert report.problems == [] and list(report.frame["name_zh"]) == ["地块0", "地块1"]
    path.with_suffix(".prj").unlink()
    [message] = errors(path)
    assert message.startswith(f"{path}: shapefile 'parcels': missing .prj")
    path.with_suffix(".shx").unlink()
    [message] = errors(path)
    assert message.startswith(f"{path}: shapefile 'parcels': missing .shx")


def test_every_layer_of_a_geopackage_is_checked_and_named(tmp_path):
    path = tmp_path / "site.gpkg"
    pyogrio.write_dataframe(parcels(["a", "b"], [Polygon(CORE), Point(116.46, 39.91)]), path, layer="good")
    pyogrio.write_dataframe(parcels(["x", "x", "y"], [Polygon(CORE), Polygon(CORE), Polygon(BOWTIE)]), path,
                            layer="bad")
    report = validate_file(path)
    assert [str(problem) for problem in report.problems] == [
        f"{path}: layer 'bad': feature 'y': invalid geometry: Self-intersection[116.46 39.91] (self-intersecting?)",
        f"{path}: layer 'bad': feature 'x': duplicate id (each feature needs its own)"]
    assert report.problems[1].text("zh") == f"{path}：图层 'bad'：要素 'x'：编号重复（每个要素需要自己的编号）"
    assert_bilingual(report.problems)
    assert report.frame is None
    pyogrio.write_dataframe(parcels(["c"], [Point(116.47, 39.91)]), path, layer="bad")  # overwrites the layer
    clean = validate_file(path)
    assert clean.problems == [] and list(clean.frame["id"]) == ["a", "b", "c"]


def test_a_geopackage_in_gauss_kruger_is_converted_and_its_layer_without_ids_named(tmp_path):
    path = fx.geopackage_cgcs2000_gk(tmp_path)  # two layers, both in CGCS2000 Gauss-Krüger: converted
    stations = pyogrio.read_dataframe(path, layer="stations")
    pyogrio.write_dataframe(stations.assign(id=["s1", "s2"]).to_crs(4326), path, layer="stations")
    problems = [str(problem) for problem in validate_file(path).problems]
    assert problems == [f"{path}: layer 'parcels': features have no `id` property (Plan Map needs one per feature)"]


@pytest.mark.parametrize("path", sorted(p for folder in (DATA_DIR, PLAN_DIR) for p in folder.iterdir()
                                        if p.suffix.lower() in LAYER_SUFFIXES), ids=lambda path: path.name)
def test_every_shipped_file_still_validates(path):
    """data/ and data/plan/ as `validate data data/plan` sees them (data/curation/ holds sources, not shipped)."""
    report = validate_file(path)
    assert report.ok, [str(problem) for problem in report.problems]


def test_the_command_line_validates_each_new_format(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    pyogrio.write_dataframe(parcels(["a"], [Polygon(CORE)]), good / "site.gpkg", layer="one")
    pyogrio.write_dataframe(parcels(["b"], [Polygon(CORE)]), good / "site.gpkg", layer="two")
    write_kmz(good / "site.kmz", {"c": CORE})
    pyogrio.write_dataframe(parcels(["d"], [Polygon(CORE)]), good / "plot.shp", driver="ESRI Shapefile")
    (good / "points.tsv").write_text("id\tlon\tlat\np1\t116.4556\t39.9070\n", encoding="utf-8")
    pd.DataFrame({"id": ["q1"], "经度": [116.4556], "纬度": [39.9070]}).to_excel(good / "points.xlsx", index=False)
    with zipfile.ZipFile(good / "plot.zip", "w") as archive:
        for part in sorted(good.glob("plot.*")):
            archive.write(part, part.name)
    result = subprocess.run([sys.executable, "-m", "layers", "validate", str(good)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip().startswith("6 file(s) checked: 0 error(s)"), result.stderr


def test_the_uploads_repair_report_shows_the_validators_findings(tmp_path):
    """One answer, two policies: `validate` refuses what the upload repairs, and both name the same features."""
    path = tmp_path / "site.gpkg"
    pyogrio.write_dataframe(parcels(["a"], [Polygon(CORE)]), path, layer="good")
    pyogrio.write_dataframe(parcels(["x", "x", "y"], [Polygon(CORE), Polygon(CORE), Polygon(BOWTIE)]), path,
                            layer="bad")
    found = {(problem.message.en.split(":")[0].split(" (")[0], problem.record.en.split("'")[-2])
             for problem in validate_file(path).problems}
    uploaded = load_user_layer(path.name, path.read_bytes(), layer="bad")
    repaired = set(zip(uploaded.report["problem"], uploaded.report["feature_id"]))
    assert found == {("invalid geometry", "y"), ("duplicate id", "x")} <= repaired


def test_every_shapefile_in_a_zip_is_a_layer_checked_and_offered(tmp_path):
    """A zip of several shapefiles: `validate` checks each, the upload offers each (as a GeoPackage's layers)."""
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(parcels(["a"], [Polygon(CORE)]), folder / "roads.shp", encoding="UTF-8")
    pyogrio.write_dataframe(parcels(["b"], [Polygon(CORE)]), folder / "blocks.shp", encoding="UTF-8")
    (folder / "roads.prj").unlink()
    path = tmp_path / "site.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    [message] = errors(path)
    assert message.startswith(f"{path}: layer 'roads': shapefile 'roads': missing .prj")
    uploaded = load_user_layer(path.name, path.read_bytes())
    assert uploaded.source.layers == ["blocks", "roads"] and uploaded.source.layer == "blocks"
    chosen = load_user_layer(path.name, path.read_bytes(), crs="EPSG:4326", layer="roads")
    assert chosen.source.layer == "roads" and list(chosen.frame["id"]) == ["a"]


def test_a_table_with_latitude_first_is_an_error_as_before(tmp_path):
    """The upload swaps the axes back; `validate` keeps its policy: shipped data put longitude first."""
    path = tmp_path / "points.tsv"
    path.write_text("id\tlon\tlat\np1\t39.9070\t116.4556\np2\t39.9221\t116.4555\n", encoding="utf-8")
    [message] = errors(path)
    assert message.startswith(f"{path}: latitude and longitude are swapped")
