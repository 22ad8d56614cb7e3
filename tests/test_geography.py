"""The curated geography against the official figures and against itself (issue: curated geography)."""
from __future__ import annotations

import itertools

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.measure import area_km2, distance_m, geometry_area_km2
from geo.zone import dissolve_zone

STREET_IDS = {
    "st_jianwai", "st_chaowai", "st_hujialou", "st_sanlitun", "st_tuanjiehu", "st_zuojiazhuang", "st_maizidian",
    "st_liulitun", "st_balizhuang", "st_shuangjing", "st_jinsong", "st_panjiayuan", "st_nanmofang",
    "st_gaobeidian", "st_dongfeng", "st_pingfang", "st_taiyanggong",
}


def feature(frame: gpd.GeoDataFrame, feature_id: str):
    return frame.loc[frame["id"] == feature_id].geometry.iloc[0]


@pytest.mark.parametrize(("layer_name", "feature_id", "official", "tolerance"), [
    ("cbd_core", "cbd_core", 7.04, 0.03),
    ("subcentre", "subcentre", 155.0, 0.06),
])
def test_area_matches_official_figure(layer, layer_name, feature_id, official, tolerance):
    measured = geometry_area_km2(feature(layer(layer_name), feature_id))
    assert measured == pytest.approx(official, rel=tolerance)


def test_zone_is_the_seventeen_streets_and_84_km2(layer):
    streets = layer("cbd_streets")
    assert set(streets["id"]) == STREET_IDS
    zone = dissolve_zone(streets)
    assert zone["area_km2"].iloc[0] == pytest.approx(84.0, rel=0.04)


def test_streets_do_not_overlap(layer):
    streets = layer("cbd_streets").to_crs(3857)
    total = streets.area.sum()
    overlap = sum(a.intersection(b).area for a, b in itertools.combinations(streets.geometry, 2))
    assert overlap < 0.001 * total


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

    from geo.paths import DATA_DIR

    spec = importlib.util.spec_from_file_location("curation_build", DATA_DIR / "curation" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(tmp_path)
    for built in sorted(tmp_path.glob("*.geojson")):
        assert built.read_text(encoding="utf-8") == (DATA_DIR / built.name).read_text(encoding="utf-8"), built.name
