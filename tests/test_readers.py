"""Every format and coordinate system a planner brings is read back within 5 m of its WGS84 twin."""
from __future__ import annotations

import io
import os
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from geo.archives import MAX_LAYER_MB_ENV, MAX_UNPACKED_MB_ENV
from geo.crs import BD09, GCJ02, CrsDecision, detect, parse_crs, to_wgs84
from geo.places import load_places
from geo.readers import ReadError, check_size, read_path, read_upload, table_geometry
from geo.repair import report_table
from geo.userlayer import load_user_layer
from tests import upload_fixtures as fx

TOLERANCE_M = 5.0
LOCAL_METRIC = 32650  # UTM 50N covers Beijing


@pytest.fixture(scope="module")
def anchors() -> gpd.GeoDataFrame:
    return load_places()


def _read(path, anchors, crs: str | None = None, layer: str | None = None):
    source = read_path(path, layer)
    decision = detect(source.frame, source.declared_by, anchors)
    chosen = crs or decision.crs
    return source, decision, to_wgs84(source.frame, chosen, decision.swapped_axes)


def _assert_near_twin(frame: gpd.GeoDataFrame, names: list[str]) -> None:
    truth = fx.twin().set_index("名称").loc[names].geometry.to_crs(LOCAL_METRIC)
    got = frame.geometry.to_crs(LOCAL_METRIC)
    for expected, actual in zip(truth, got):
        assert expected.hausdorff_distance(actual) <= TOLERANCE_M, (expected, actual)


def test_gcj02_geojson_is_recognised_by_its_stations(tmp_path, anchors):
    source, decision, frame = _read(fx.geojson_gcj02(tmp_path), anchors)
    assert (decision.crs, decision.source, decision.certain) == (GCJ02, "anchors", True)
    _assert_near_twin(frame, list(source.frame["名称"]))


def test_gbk_shapefile_in_xian80_reads_its_names_and_prj(tmp_path, anchors):
    source, decision, frame = _read(fx.shapefile_gbk_xian80(tmp_path), anchors)
    assert source.encoding == "GB18030"
    assert list(source.frame["名称"]) == ["项目红线", "行政办公区地块"]
    assert (decision.crs, decision.source) == ("EPSG:2363", "file")
    assert any("approximate" in note.en for note in decision.notes)
    _assert_near_twin(frame, list(source.frame["名称"]))


def test_geopackage_offers_its_layers_and_reads_the_chosen_one(tmp_path, anchors):
    path = fx.geopackage_cgcs2000_gk(tmp_path)
    source, decision, frame = _read(path, anchors, layer="parcels")
    assert source.layers == ["stations", "parcels"]
    assert (decision.crs, decision.certain) == ("EPSG:4527", True)
    _assert_near_twin(frame, list(source.frame["名称"]))
    assert any("2 layers" in note.en for note in read_path(path).notes)


def test_dxf_without_a_system_asks_and_reads_within_5_m_once_told(tmp_path, anchors):
    source, decision, frame = _read(fx.dxf_gk_cm117(tmp_path), anchors)
    assert not decision.certain
    assert decision.candidates == ["EPSG:4548", "EPSG:2436", "EPSG:2384"]
    assert list(source.frame["Layer"]) == ["项目红线", "行政办公区地块"]
    _assert_near_twin(frame, list(source.frame["Layer"]))


def test_csv_with_bom_in_bd09_is_recognised_by_its_stations(tmp_path, anchors):
    source, decision, frame = _read(fx.csv_bd09_bom(tmp_path), anchors)
    assert source.frame.columns[0] == "名称"
    assert (decision.crs, decision.source) == (BD09, "anchors")
    truth = fx.twin().geometry.representative_point().to_crs(LOCAL_METRIC)
    assert (frame.geometry.to_crs(LOCAL_METRIC).distance(truth, align=False) <= TOLERANCE_M).all()


def test_xlsx_wkt_in_web_mercator_on_a_chosen_sheet(tmp_path, anchors):
    source, decision, frame = _read(fx.xlsx_wkt_mercator(tmp_path), anchors, layer="地块")
    assert source.layers == ["说明", "地块"]
    assert (decision.crs, decision.certain) == ("EPSG:3857", True)
    _assert_near_twin(frame, ["项目红线", "行政办公区地块"])


def test_kml_is_wgs84_by_its_format(tmp_path, anchors):
    source, decision, frame = _read(fx.kml_wgs84(tmp_path), anchors)
    assert (decision.crs, decision.source, decision.certain) == ("EPSG:4326", "format", True)
    _assert_near_twin(frame, list(source.frame["Name"]))


def test_a_geojson_states_its_system_by_its_crs_member_and_wgs84_reads_alike_with_or_without_one(tmp_path):
    projected = tmp_path / "gk.geojson"
    fx.parcels().to_crs(4547).to_file(projected, driver="GeoJSON")
    source = read_path(projected)
    assert source.declared_by == "file"
    assert (detect(source.frame, source.declared_by).crs, detect(source.frame, source.declared_by).source) == \
        ("EPSG:4547", "file")
    decisions = []
    for name, options in (("member.geojson", {}), ("rfc7946.geojson", {"RFC7946": "YES"})):
        fx.parcels().to_file(tmp_path / name, driver="GeoJSON", layer_options=options)
        assert ('"crs"' in (tmp_path / name).read_text(encoding="utf-8")) == (not options)
        source = read_path(tmp_path / name)
        decisions.append(detect(source.frame, source.declared_by))
    assert decisions[0] == decisions[1] and (decisions[0].crs, decisions[0].source) == ("EPSG:4326", "format")


def test_lon_lat_table_without_anchors_is_uncertain_and_lists_the_offsets():
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([116.46], [39.91]))
    decision = detect(frame, None, None)
    assert isinstance(decision, CrsDecision)
    assert not decision.certain and decision.candidates == ["EPSG:4326", GCJ02, BD09]


def test_survey_x_northing_is_swapped():
    table = pd.DataFrame({"X": ["4419700"], "Y": ["39453900"]})
    geometry, _how = table_geometry(table)
    decision = detect(gpd.GeoDataFrame(geometry=geometry), None, None)
    assert decision.swapped_axes and decision.crs == "EPSG:4527"


def test_zone_prefixed_easting_fixes_the_zone_but_not_the_datum():
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([39453900.0], [4419700.0]))
    decision = detect(frame, None, None)
    assert decision.candidates == ["EPSG:4527", "EPSG:2415", "EPSG:2363"] and not decision.certain


def test_parse_crs_accepts_codes_and_offsets():
    assert parse_crs("4527") == parse_crs("EPSG:4527") == "EPSG:4527"
    assert parse_crs("GCJ-02") == GCJ02 and parse_crs("bd09") == BD09


def test_size_is_checked_before_reading_and_unknown_formats_are_refused():
    with pytest.raises(ReadError, match="^site.geojson: file is 300.0 MB, over the .* limit"):
        check_size(300 * 1024 * 1024, "site.geojson")
    with pytest.raises(ReadError, match="unknown format"):
        read_upload("site.dwg", b"AC1027")


def test_a_zip_that_unpacks_past_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setenv(MAX_UNPACKED_MB_ENV, "1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:  # 1.5 MB packing to 0.75 MB: ratio 2:1
        archive.writestr("parcels.shp", os.urandom(3 * 2**18) + bytes(3 * 2**18))
    with pytest.raises(ReadError, match=r"expands to 1\.5 MB .* \(limit 1\.0 MB \(PLANMAP_MAX_UNPACKED_MB\)"):
        read_upload("site.zip", buffer.getvalue())


def _refusal(name: str, data: bytes) -> ReadError:
    with pytest.raises(ReadError) as raised:
        read_upload(name, data)
    return raised.value


def test_size_limit_is_the_validators_and_in_one_unit(monkeypatch):
    monkeypatch.setenv(MAX_LAYER_MB_ENV, "2")
    check_size(2 * 2**20, "a.geojson")
    with pytest.raises(ReadError) as raised:
        check_size(2 * 2**20 + 1, "a.geojson")
    assert raised.value.note.zh == "a.geojson：文件大小 2.0 MB，超过上限 2.0 MB（PLANMAP_MAX_LAYER_MB）；未读取"
    assert str(raised.value) == "a.geojson: file is 2.0 MB, over the 2.0 MB limit (PLANMAP_MAX_LAYER_MB); not read"


def test_a_zip_bomb_by_ratio_is_refused_before_anything_is_unpacked(monkeypatch):
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *args: pytest.fail("unpacked before it was checked"))
    error = _refusal("parcels.zip", fx.zip_bomb())
    assert error.note.zh.startswith("parcels.zip：由 0.02 MB 解压后为 20.0 MB（疑似压缩炸弹）；已拒绝"), error.note.zh
    assert "ratio 100:1" in str(error)


def test_a_path_traversal_entry_is_refused_naming_file_and_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *args: pytest.fail("unpacked before it was checked"))
    error = _refusal("site.zip", fx.zip_traversal(fx.kml_wgs84(tmp_path)))
    assert error.note.zh == "site.zip：条目 '../../etc/site.kml'：条目会写到压缩包目录之外（路径穿越）；已拒绝"
    assert str(error) == ("site.zip: entry '../../etc/site.kml': entry would be written outside its folder "
                          "(path traversal); refused")


def _no_temp_path(error: ReadError) -> None:
    for text in (error.note.zh, error.note.en):
        assert "planmap-upload" not in text and "/tmp" not in text and "'upload'" not in text, text


def test_malformed_json_names_the_file_line_and_column():
    data = fx.geojson_text([fx.open_ring_feature()]).replace(b'"id": "open"', b'"id": }')
    error = _refusal("红线.geojson", data)
    _no_temp_path(error)
    assert error.note.zh == "红线.geojson：JSON 格式错误，第 2 行第 42 列（Expecting value）", error.note.zh
    assert str(error) == "红线.geojson: malformed JSON at line 2 column 42: Expecting value"


def test_a_shapefile_zip_without_its_shx_names_the_file_and_the_part(tmp_path):
    error = _refusal("地块.zip", fx.shapefile_zip_without(tmp_path, ".shx"))
    _no_temp_path(error)
    assert error.note.zh.startswith("地块.zip：Shapefile 'parcels' 缺少 .shx"), error.note.zh
    assert str(error).startswith("地块.zip: shapefile 'parcels': missing .shx")


def test_an_unclosed_ring_names_the_file_and_the_feature():
    error = _refusal("红线.geojson", fx.geojson_text([fx.twin_feature(), fx.open_ring_feature()]))
    _no_temp_path(error)
    assert error.note.zh == "红线.geojson：要素 'open'：面的第 1 个环未闭合（末点与起点不同）", error.note.zh
    assert str(error) == ("红线.geojson: feature 'open': polygon ring 1 is not closed "
                          "(its last point differs from its first)")


def test_a_geometry_collection_is_reported_and_split_into_its_parts():
    data = fx.geojson_text([fx.twin_feature(), fx.collection_feature()])
    layer = load_user_layer("红线.geojson", data)
    rows = report_table(layer.report, "zh").to_dict("records")
    assert [(row["row"], row["feature_id"], row["problem"]) for row in rows] == [(2, "bag", "几何集合"),
                                                                                 (2, "bag", "几何类型混杂")]
    assert rows[0]["action"] == "拆分为各部分，属性相同" and rows[0]["detail"] == "2 个部分：点 1、面 1"
    assert list(layer.frame["id"]) == ["A-01", "bag", "bag"]
    assert list(layer.frame.geom_type) == ["Polygon", "Point", "Polygon"]


def test_a_zip_may_unpack_to_more_than_the_file_limit(monkeypatch):
    """The file limit is what is sent; what a zip unpacks to has its own, larger limit: a planner's big layer
    (1 000 000 parcels: a 37 MB zip of a 328 MB GeoJSON) is read, a zip bomb still is not."""
    monkeypatch.setenv(MAX_LAYER_MB_ENV, "1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:  # 1.5 MB packing to 0.75 MB
        archive.writestr("parcels.shp", os.urandom(3 * 2**18) + bytes(3 * 2**18))
    error = _refusal("site.zip", buffer.getvalue())
    assert "expands" not in str(error) and "zip bomb" not in str(error)
