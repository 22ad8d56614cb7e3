"""Check and repair: each problem reported against its feature, invalid geometry repaired with what changed."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, Polygon, box

from geo.repair import check_and_repair, report_csv
from geo.userlayer import load_user_layer
from tests import upload_fixtures as fx

BOWTIE = Polygon([(116.45, 39.90), (116.46, 39.91), (116.46, 39.90), (116.45, 39.91)])


def _layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"编号": ["P1", "P2", "P2", "P4", "P5", "P6"]},
        geometry=[box(116.45, 39.90, 116.46, 39.91), BOWTIE, None, Polygon(), Point(116.45, 39.90),
                  box(2.35, 48.85, 2.36, 48.86)], crs=4326)


def test_every_problem_is_reported_by_row_and_id():
    ready, report = check_and_repair(_layer())
    found = {(row.row, row.feature_id, row.problem) for row in report.itertuples()}
    assert found == {
        (2, "P2", "invalid geometry"), (2, "P2", "duplicate id"), (3, "P2", "duplicate id"),
        (3, "P2", "null geometry"), (4, "P4", "empty geometry"), (5, "P5", "mixed geometry types"),
        (6, "P6", "coordinates outside China"),
    }
    assert list(ready["编号"]) == ["P1", "P2", "P5", "P6"]


def test_bowtie_is_repaired_into_two_triangles_and_the_report_says_so():
    ready, report = check_and_repair(_layer())
    assert ready.geometry.is_valid.all()
    assert ready.geometry.iloc[1].geom_type == "MultiPolygon" and len(ready.geometry.iloc[1].geoms) == 2
    detail = report.loc[report["problem"] == "invalid geometry", "detail"].iloc[0]
    assert "Self-intersection" in detail and "Polygon → MultiPolygon" in detail and "area" in detail


def test_report_downloads_as_csv_excel_reads_in_chinese():
    _ready, report = check_and_repair(_layer())
    data = report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "row,feature_id,problem,action,detail"


def test_an_undecidable_file_waits_for_the_planners_choice(tmp_path):
    data = fx.dxf_gk_cm117(tmp_path).read_bytes()
    waiting = load_user_layer("red_line.dxf", data)
    assert waiting.needs_crs and waiting.decision.candidates[0] == "EPSG:4548"
    chosen = load_user_layer("red_line.dxf", data, crs="EPSG:4548")
    assert not chosen.needs_crs and len(chosen.frame) == 2 and chosen.report.empty
    assert chosen.decision.source == "user"


def test_the_report_reads_in_chinese_and_keeps_its_english():
    """Issue 13 item 6: the sidebar's report (and its CSV) in the reader's language; the data stays English."""
    from geo.repair import report_table

    _ready, report = check_and_repair(_layer())
    chinese = report_table(report, "zh")
    assert list(chinese.columns) == ["row", "feature_id", "problem", "action", "detail"]
    for column in ("problem", "action", "detail"):
        assert not chinese[column].str.contains(r"[A-Za-z]{3,} [A-Za-z]{2,}").any(), chinese[column].tolist()
    bowtie = chinese.loc[report["problem"] == "invalid geometry", "detail"].iloc[0]
    assert "自相交" in bowtie and "面 → 多面" in bowtie and "面积" in bowtie
    assert report_table(report, "en").equals(report[["row", "feature_id", "problem", "action", "detail"]])
    assert report_csv(report, "zh").decode("utf-8-sig").splitlines()[0] == "行号,要素编号,问题,处理,说明"
