"""The curated geography against the official figures and against itself (issue: curated geography)."""
from __future__ import annotations

import csv

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.coverage import overlap_and_gap
from geo.evidence import deviation_m, read_checks
from geo.measure import area_km2, distance_m
from geo.paths import DATA_DIR
from geo.zone import dissolve_zone

STREET_IDS = {
    "st_jianwai", "st_chaowai", "st_hujialou", "st_sanlitun", "st_tuanjiehu", "st_zuojiazhuang", "st_maizidian",
    "st_liulitun", "st_balizhuang", "st_shuangjing", "st_jinsong", "st_panjiayuan", "st_nanmofang",
    "st_gaobeidian", "st_dongfeng", "st_pingfang", "st_taiyanggong",
}


def feature(frame: gpd.GeoDataFrame, feature_id: str):
    return frame.loc[frame["id"] == feature_id].geometry.iloc[0]


@pytest.mark.parametrize(("layer_name", "feature_id"), [
    ("cbd_core", "cbd_core"), ("cbd_streets", "st_chaowai"), ("cbd_streets", "st_panjiayuan"),
    ("subcentre", "subcentre"), ("subcentre_places", "sc_canal_business"),
])
def test_measured_area_is_shown_beside_the_official_one(layer, layer_name, feature_id):
    """A measured figure that disagrees with the official one is shown beside it with the reason."""
    row = layer(layer_name).set_index("id").loc[feature_id]
    assert f"{row['area_km2']:.2f} km²" in row["area_note_en"] and f"{row['official_km2']:g} km²" in row["area_note_en"]
    assert "Why they differ" in row["area_note_en"] and "差异原因" in row["area_note_zh"]


def test_zone_is_the_union_of_the_seventeen_streets_whatever_it_measures(layer):
    streets = layer("cbd_streets")
    assert set(streets["id"]) == STREET_IDS
    zone = dissolve_zone(streets)
    measured = zone["area_km2"].iloc[0]
    assert measured == pytest.approx(streets["area_km2"].sum(), abs=0.01)
    assert f"{measured:.2f} km²" in zone["area_note_en"].iloc[0] and "84 km²" in zone["area_note_en"].iloc[0]


def test_streets_share_edges_exactly(layer):
    """Zero overlap and zero gap inside the zone: the streets are faces of one set of shared edges."""
    streets = layer("cbd_streets").to_crs(32650)
    overlap, gap = overlap_and_gap(streets.geometry)
    assert overlap < 1.0 and gap < 1.0  # m²: rounding to 6 decimals (~0.1 m) only


def test_no_area_is_scaled_toward_an_official_figure(layer, shared_geodata):
    """Each street is its reference outline, changed only by the faces that recorded evidence moved."""
    reference = gpd.read_file(shared_geodata / "hsar_beijing_streets_c2009.geojson").set_index("hsar_id")
    units = gpd.read_file(DATA_DIR / "curation" / "hsar_units.geojson").set_index("street_id")
    moved = {"st_balizhuang", "st_gaobeidian"}  # street_reassign.csv: SKP and 华贸 now in 八里庄
    streets = layer("cbd_streets").set_index("id").to_crs(32650)
    for street_id, row in streets.iterrows():
        original = gpd.GeoSeries([reference.loc[units.loc[street_id, "hsar_id"]].geometry], crs=4326).to_crs(32650).iloc[0]
        changed = row.geometry.symmetric_difference(original).area
        if street_id in moved:
            assert 0.1e6 < changed < 1.0e6, street_id
        else:
            assert changed < 100.0, (street_id, changed)  # m²: identical up to coordinate rounding


def test_every_street_is_within_its_claimed_accuracy_of_independent_evidence(layer):
    streets = layer("cbd_streets").set_index("id")
    checks = read_checks(DATA_DIR / "curation" / "street_evidence.csv")
    assert {check.street_id for check in checks} >= {"st_shuangjing", "st_taiyanggong", "st_jianwai", "st_chaowai"}
    areas = pd.concat([streets, layer("cbd_core").set_index("id")])
    for check in checks:
        area = areas.loc[check.street_id]
        assert deviation_m(check, area.geometry) <= area["accuracy_m"], (check.street_id, check.what)
    assert "cbd_core" in {check.street_id for check in checks}  # the core's claim is measured too
    assert streets["accuracy_basis"].str.len().gt(0).all()


def test_every_station_a_community_list_places_in_a_street_lies_inside_it(layer):
    streets = layer("cbd_streets").set_index("id")
    with open(DATA_DIR / "curation" / "station_streets.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    outside = [row["station"] for row in rows
               if not streets.loc[row["street_id"]].geometry.contains(Point(float(row["lon"]), float(row["lat"])))]
    assert outside == []


def test_curated_boundaries_are_marked_schematic(layer):
    for name in ("cbd_core", "cbd_streets", "subcentre", "subcentre_places"):
        assert layer(name)["schematic"].all(), name


def test_streets_derived_from_the_reference_name_its_gpl_licence(layer):
    streets = layer("cbd_streets")
    assert streets["licence"].str.contains("GPL").all() and streets["source"].str.contains("HSAR").all()


def test_streets_lie_in_chaoyang(layer):
    """The district outline is generalised by up to ~1.3 km, so allow a 1.5 km buffer around it."""
    context = layer("context")
    chaoyang = context.loc[context["id"] == "district_chaoyang"].to_crs(32650).geometry.iloc[0].buffer(1500)
    streets = layer("cbd_streets").to_crs(32650)
    outside = {row.id: row.geometry.difference(chaoyang).area for row in streets.itertuples()}
    assert {k: v for k, v in outside.items() if v > 0} == {}


def test_union_of_streets_contains_core(layer):
    union = layer("cbd_streets").geometry.union_all().buffer(1e-7)
    assert union.contains(feature(layer("cbd_core"), "cbd_core"))


def test_every_geometry_is_valid(layer):
    for name in ("cbd_core", "cbd_streets", "subcentre", "subcentre_places", "rail_lines", "rail_stations", "context"):
        frame = layer(name)
        assert frame.geometry.is_valid.all(), name
        assert frame.crs.to_epsg() == 4326, name


def test_every_line_has_a_status_and_date(layer):
    lines = layer("rail_lines")
    assert set(lines["status"]) <= {"operating", "under_construction", "planned"}
    assert lines["status_as_of"].str.match(r"^\d{4}-\d{2}").all()
    required = {"rail_1", "rail_batong", "rail_3", "rail_6", "rail_7", "rail_10", "rail_14", "rail_17", "rail_28", "rail_22"}
    assert required <= set(lines["id"])


def test_every_station_lies_on_each_line_it_serves(layer):
    lines = layer("rail_lines").set_index("id")
    far = []
    for station in layer("rail_stations").itertuples():
        for line_id in station.lines.split(";"):
            gap = distance_m(station.geometry, lines.loc[line_id, "geometry"])
            if gap > 30:
                far.append((station.name_zh, line_id, round(gap)))
    assert far == []


def test_line_stations_match_osm_stop_order(layer, shared_geodata):
    """Our rebuilt lines follow the OSM stop sequence (line 1 cut where the 八通线 begins)."""
    osm = gpd.read_file(shared_geodata / "beijing_subway_lines_osm.geojson").set_index("ref")
    ours = layer("rail_lines").set_index("id")
    assert ours.loc["rail_10", "stations"] == osm.loc["10", "stops"]
    assert ours.loc["rail_17", "stations"] == osm.loc["17", "stops"]
    assert osm.loc["1", "stops"].startswith(ours.loc["rail_1", "stations"])


# Landmarks (WGS84, from Wikipedia/OSM as listed in data/README.md) and the areas they must or must not fall in.
LANDMARKS = [
    ("国贸 station", 116.45565, 39.90702, "cbd_core", "cbd_core", True),
    ("China World Tower III", 116.452176, 39.9109336, "cbd_core", "cbd_core", True),
    ("北京SKP", 116.47283, 39.90879, "cbd_core", "cbd_core", True),
    ("北京SKP", 116.47283, 39.90879, "cbd_streets", "st_balizhuang", True),
    ("三里屯太古里", 116.448053, 39.933536, "cbd_streets", "st_sanlitun", True),
    ("三里屯太古里", 116.448053, 39.933536, "cbd_core", "cbd_core", False),
    ("潘家园旧货市场", 116.452, 39.874, "cbd_streets", "st_panjiayuan", True),
    ("双井 station", 116.45523, 39.89209, "cbd_core", "cbd_core", False),
    ("Tiananmen", 116.3975, 39.9087, "cbd_streets", "st_jianwai", False),
    ("北京环球度假区", 116.6724083, 39.8452472, "subcentre_places", "sc_universal", True),
    ("北京环球度假区", 116.6724083, 39.8452472, "subcentre", "subcentre", True),
    ("城市绿心森林公园", 116.7190972, 39.8738889, "subcentre_places", "sc_green_heart", True),
    ("通州北关 station", 116.65553, 39.91746, "subcentre_places", "sc_canal_business", True),
    ("北京城市副中心站", 116.7021, 39.9021, "subcentre", "subcentre", True),
    ("国贸 station", 116.45565, 39.90702, "subcentre", "subcentre", False),
]


@pytest.mark.parametrize(("name", "lon", "lat", "layer_name", "area_id", "inside"), LANDMARKS)
def test_landmark_falls_in_the_right_area(layer, name, lon, lat, layer_name, area_id, inside):
    assert feature(layer(layer_name), area_id).contains(Point(lon, lat)) is inside, name


def test_recorded_areas_are_measured_not_typed(layer):
    streets = layer("cbd_streets")
    assert (area_km2(streets).round(3) - streets["area_km2"]).abs().max() < 0.002


def test_committed_layers_are_what_the_curation_tables_build(tmp_path, shared_geodata):
    """data/*.geojson must be rebuilt whenever data/curation changes: no hand edits that the tables do not hold."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("curation_build", DATA_DIR / "curation" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(tmp_path)
    for built in sorted(tmp_path.glob("*.geojson")):
        assert built.read_text(encoding="utf-8") == (DATA_DIR / built.name).read_text(encoding="utf-8"), built.name
