"""Site check of the fixture red line (a 200 m block inside CBD核心区), against places and tasks worked out by hand."""
from __future__ import annotations

import io
import json
import math

import geopandas as gpd
import pytest
from pypdf import PdfReader

from geo.places import load_places
from geo.plan import load_plan
from geo.sitecheck import check_site
from layers.__main__ import main
from layers.site_report import site_pdf
from tests import upload_fixtures as fx

# By hand: the block lies inside 核心区 (116.4555–116.4618 E, 39.9070–39.9145 N), hence in what 核心区 lies in.
AREAS_IN = ["cbd_core_central", "st_jianwai", "cbd_core", "cbd_zone", "district_chaoyang"]
# 国贸 station (116.455647, 39.907016) to the block's south-west corner (116.4575, 39.9095).
GUOMAO_M = math.hypot((116.4575 - 116.455647) * 111_320 * math.cos(math.radians(39.908)),
                      (39.9095 - 39.907016) * 110_990)
CONTAINERS = {"central_city", "beijing"}


@pytest.fixture(scope="module")
def result():
    return check_site(fx.RED_LINE, load_places())


def _named(task_places: str) -> set[str]:
    return {place for place in task_places.split(";") if place}


def test_the_block_lies_in_the_core_and_what_holds_it(result):
    assert [p["id"] for p in result.places if p["relation"] == "in"] == AREAS_IN
    assert not [p for p in result.places if p["relation"] == "crosses"]


def test_guomao_station_is_near_at_the_distance_worked_out_by_hand(result):
    guomao = next(p for p in result.places if p["id"] == "stn_guomao")
    assert guomao["relation"] == "near" and abs(guomao["distance_m"] - GUOMAO_M) <= 3
    assert all(p["distance_m"] <= 500 for p in result.places if p["relation"] == "near")


def test_tasks_are_those_naming_the_places_with_the_first_reason(result):
    tasks = load_plan().tasks
    near = {p["id"] for p in result.places if p["relation"] == "near"}
    expected_in = {row.id for row in tasks.itertuples() if _named(row.places) & set(AREAS_IN)}
    expected_near = {row.id for row in tasks.itertuples() if _named(row.places) & near} - expected_in
    expected_wide = {row.id for row in tasks.itertuples() if _named(row.places) & CONTAINERS} - expected_in - expected_near
    by_via = result.tasks.groupby("via")["id"].apply(set).to_dict()
    assert by_via["in"] == expected_in
    assert by_via["near"] == expected_near
    assert by_via.get("part_of", set()) | by_via.get("structure", set()) >= expected_wide
    assert "t002_001" in expected_in  # 实现CBD核心区4个项目竣工: names 核心区 itself


def test_tasks_of_the_smallest_place_come_first(result):
    assert "cbd_core_central" in result.tasks.iloc[0]["via_places"]


def test_command_line_json_pdf_and_xlsx(tmp_path, capsys):
    path = fx.geojson_gcj02(tmp_path)
    assert main(["check", str(path), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["crs"] == "gcj02" and answer["crs_source"] == "anchors"
    first = answer["features"][0]
    assert first["attributes"]["名称"] == "项目红线" and first["place_ids"][:5] == AREAS_IN
    assert {"id", "via", "via_places", "quote", "status"} <= set(first["tasks"][0])
    assert main(["check", str(path), "-o", str(tmp_path / "site.pdf")]) == 0
    pages = PdfReader(tmp_path / "site.pdf").pages
    assert len(pages) == 4 and "CBD核心区" in pages[0].extract_text()
    assert main(["check", str(path), "-o", str(tmp_path / "site.xlsx")]) == 0
    assert (tmp_path / "site.xlsx").stat().st_size > 0


def test_command_line_asks_for_the_system_when_it_cannot_tell(tmp_path, capsys):
    path = fx.dxf_gk_cm117(tmp_path)
    assert main(["check", str(path)]) == 2
    error = capsys.readouterr().err
    assert "--crs" in error and "EPSG:4548" in error and "Beijing 1954" in error
    assert main(["check", str(path), "--crs", "4548", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["features"][1]["place_ids"][0] == "sc_admin"


@pytest.mark.parametrize("lang, words", [("zh", ("面积", "m²", "周长")), ("en", ("area", "m²", "perimeter"))])
def test_the_site_page_names_the_sites_size_in_words(result, lang, words):
    """The page's size line read "area_m2 40,123, perimeter_m 801": field names, not words (seen in session 5)."""
    sites = gpd.GeoDataFrame(geometry=[fx.RED_LINE], crs=4326)
    page = site_pdf([result], sites, load_places(), "红线", "EPSG:4326", 300, lang)
    text = PdfReader(io.BytesIO(page)).pages[0].extract_text()
    assert "area_m2" not in text and "perimeter_m" not in text
    assert all(word in text for word in words), text[:400]


def test_the_site_page_writes_distances_and_shares_as_the_app_does():
    """The page wrote "1280 m" where the app's table reads "1,280 m"; both now word them one way."""
    places = load_places()
    wide = check_site(fx.RED_LINE, places, near_m=2000)
    far = [place for place in wide.places if place.get("distance_m", 0) >= 1000]
    assert far, "the fixture has a place between 1 and 2 km from the block"
    sites = gpd.GeoDataFrame(geometry=[fx.RED_LINE], crs=4326)
    text = PdfReader(io.BytesIO(site_pdf([wide], sites, places, "红线", "EPSG:4326", 2000, "en"))).pages[0].extract_text()
    assert f"{far[0]['distance_m']:,} m" in text, text[:600]
    assert f"{far[0]['distance_m']} m" not in text
    inside = next(place for place in wide.places if "share" in place)
    assert f"{inside['share']:.0%}" in text
