"""One validator for every file Plan Map reads: layers (GeoJSON, GeoPackage, zipped Shapefile, KML, CSV with
coordinates) and plan tables. Each problem names the file, the record and what is wrong, in words a
planner can act on; nothing here raises on a bad file, and nothing reads a file whole before its size and,
for archives, its entries have been checked.

The catalogue files (TOML) are checked in layers/catalog.py, which knows the declaration fields; the
command line `python -m layers validate` runs both.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.validation import explain_validity

from geo.archives import max_layer_bytes, size_refusal, zip_refusal
from geo.gcj02 import wgs84_to_gcj02
from geo.notes import Note
from geo.paths import DATA_DIR, PLAN_DIR

LAYER_SUFFIXES: Final = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".csv")
SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj")
# Beijing and its surroundings (lon/lat): data outside is misplaced, projected or swapped.
BEIJING_REGION: Final = (115.0, 39.0, 118.5, 41.5)
# GCJ-02 moves Beijing about 500–600 m; matched features this much nearer their shifted position are GCJ-02.
GCJ_MIN_OFFSET_M: Final = 200.0
GCJ_MIN_MATCHES: Final = 3  # one place matched by name proves nothing: names repeat, and areas are not points
COORDINATE_COLUMNS: Final = (("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("x", "y"),
                              ("经度", "纬度"))
PLAN_TABLES: Final = {  # file-name pattern → required columns, id column (None: no id of its own)
    r"tasks_.*\.csv": (("id", "doc_id", "section_path", "title_zh", "title_en", "theme", "places", "quote",
                        "status", "status_doc", "status_quote"), "id"),
    r"indicators_.*\.csv": (("id", "doc_id", "section_path", "name_zh", "name_en", "unit", "quote"), "id"),
    r"indicator_values_.*\.csv": (("indicator_id", "place", "kind", "year", "value", "doc_id", "quote"), None),
    r"structure\.csv": (("id", "name_zh", "name_en", "kind", "streets", "quote", "doc_id", "section_path"), "id"),
}
MAX_QUOTE_CHARS: Final = 60
STATUSES: Final = frozenset({"not_reported", "in_progress", "completed", "opened"})
VALUE_KINDS: Final = frozenset({"baseline", "target", "actual"})
WGS84: Final = CRS.from_epsg(4326)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where (file, record) and what, as an error or a warning."""

    path: str
    message: str
    record: str = ""
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}: {self.record}" if self.record else self.path
        return f"{where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"


@dataclass
class Report:
    """The problems of one file and, for a readable layer, its features (so a caller need not read it again)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    frame: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def error(self, message: str, record: str = "") -> None:
        self.problems.append(Problem(str(self.path), message, record))

    def warn(self, message: str, record: str = "") -> None:
        self.problems.append(Problem(str(self.path), message, record, "warning"))


def validate_paths(paths: Iterable[Path], limit: int | None = None) -> list[Report]:
    """A report per file; a folder stands for every layer and table file directly in it."""
    reports = []
    for path in map(Path, paths):
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in LAYER_SUFFIXES) if path.is_dir() else [path]
        reports += [validate_file(file, limit) for file in files]
    return reports


def validate_file(path: Path, limit: int | None = None) -> Report:
    """Check one layer or plan table; `limit` is the largest file size read (default: max_layer_bytes())."""
    report = Report(Path(path))
    limit = max_layer_bytes() if limit is None else limit
    if not report.path.is_file():
        report.error("file not found")
        return report
    too_big = size_refusal(report.path.stat().st_size, limit)
    if too_big is not None:
        report.error(too_big.en)
        return report
    suffix = report.path.suffix.lower()
    try:
        if suffix == ".csv" and plan_table_kind(report.path):
            _check_plan_table(report)
        elif suffix == ".csv":
            _check_csv_layer(report)
        elif suffix in (".geojson", ".json"):
            _check_geojson(report)
        elif suffix == ".zip":
            _check_shapefile_zip(report)
        elif suffix in (".gpkg", ".kml"):
            _check_vector(report, report.path)
        else:
            report.error(f"unknown file type {suffix or '(none)'}: expected one of {', '.join(LAYER_SUFFIXES)}")
    except Exception as error:  # a reader failing in a way not foreseen is still a problem of this file
        report.error(f"could not be read ({type(error).__name__}: {error})")
    return report


def plan_table_kind(path: Path) -> str | None:
    """The plan-table pattern a file name matches (tasks_000.csv → 'tasks_.*\\.csv'), if any."""
    return next((pattern for pattern in PLAN_TABLES if re.fullmatch(pattern, path.name)), None)


# Layers --------------------------------------------------------------------------------------------------

def _check_geojson(report: Report) -> None:
    """Parse the JSON ourselves, so each problem names its feature: GDAL would fix or drop some silently."""
    text = _decode(report, report.path.read_bytes())
    if text is None:
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        report.error(json_syntax_note(error).en)
        return
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        report.error("not a GeoJSON FeatureCollection (no \"type\": \"FeatureCollection\" at the top)")
        return
    features = document.get("features", []) if document["type"] == "FeatureCollection" else [document]
    if not isinstance(features, list):
        report.error("\"features\" is not a list")
        return
    declared = _declared_crs(document)
    if declared is not None and not declared.equals(WGS84, ignore_axis_order=True):
        report.error(f"declares CRS {declared.to_string()}, but Plan Map reads RFC 7946 GeoJSON in WGS84 lon/lat: "
                     "reproject to EPSG:4326")
        return
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.error("not a GeoJSON Feature", _feature_label(feature, number))
            continue
        geometry = feature.get("geometry")
        if not geometry:
            report.error("no geometry (null)", _feature_label(feature, number))
        elif not geometry.get("coordinates", geometry.get("geometries")):
            report.error(f"empty geometry ({geometry.get('type')} with no coordinates)",
                         _feature_label(feature, number))
        else:
            for ring in _unclosed_rings(geometry):
                report.error(unclosed_ring_note(ring).en, _feature_label(feature, number))
    if report.ok:  # the features themselves are read by GDAL, vectorised (a 100 000-feature layer in ~2 s)
        _check_vector(report, report.path, single=True)


def _check_vector(report: Report, path: Path, encoding: str | None = None, single: bool = False) -> None:
    """GeoPackage, KML or an unpacked shapefile: every layer inside, through GDAL. `single`: a one-layer format
    (GeoJSON), read without listing its layers first (listing scans a GeoJSON file whole)."""
    try:
        names = [None] if single else [row[0] for row in pyogrio.list_layers(path)]
    except Exception as error:  # GDAL's error types vary by driver
        report.error(f"not a readable vector file ({error})")
        return
    frames = []
    for name in names:
        try:
            frame = pyogrio.read_dataframe(path, layer=name, encoding=encoding)
        except Exception as error:  # as above
            report.error(f"layer {name!r} could not be read ({error})" if name else f"could not be read ({error})")
            continue
        if frame.crs is None:
            report.error("no coordinate system (a shapefile needs its .prj)", f"layer {name!r}" if name else "")
            continue
        if not CRS.from_user_input(frame.crs).equals(WGS84, ignore_axis_order=True):
            try:
                frame = frame.to_crs(4326)
            except Exception as error:  # pyproj cannot transform every CRS GDAL can name
                report.error(f"CRS {frame.crs} cannot be reprojected to WGS84 ({error})",
                             f"layer {name!r}" if name else "")
                continue
        frames.append(frame)
    if not frames and not names:
        report.error("holds no layers")
    if frames:
        _check_frame(report, gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326))


def _check_shapefile_zip(report: Report) -> None:
    """A zipped shapefile: entries checked before anything is unpacked, then read with its stated encoding."""
    try:
        archive = zipfile.ZipFile(report.path)
    except zipfile.BadZipFile as error:
        report.error(f"not a readable zip file ({error})")
        return
    with archive, tempfile.TemporaryDirectory() as scratch:
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
        if not _safe_zip(report, entries):
            return
        stems = sorted({entry.filename[:-4] for entry in entries if entry.filename.lower().endswith(".shp")})
        if not stems:
            report.error("holds no .shp file")
            return
        by_name = {entry.filename.lower(): entry for entry in entries}
        for stem in stems:
            missing = [part for part in SHAPEFILE_PARTS if f"{stem.lower()}{part}" not in by_name]
            if missing:
                report.error(missing_parts_note(missing).en, f"shapefile {stem!r}")
                continue
            target = Path(scratch) / PurePosixPath(stem).name
            for part in SHAPEFILE_PARTS + (".cpg",):
                entry = by_name.get(f"{stem.lower()}{part}")
                if entry is not None:
                    Path(f"{target}{part}").write_bytes(archive.read(entry))
            encoding = _dbf_encoding(report, Path(f"{target}.dbf"), Path(f"{target}.cpg"), stem)
            if encoding is not None:
                _check_vector(report, Path(f"{target}.shp"), encoding=encoding or None)


def _safe_zip(report: Report, entries: list[zipfile.ZipInfo]) -> bool:
    """Refuse entries that leave the folder and archives that expand past the unpacked limit or ratio."""
    refusal = zip_refusal(entries)
    if refusal is not None:
        note, entry = refusal
        report.error(note.en, f"entry {entry!r}" if entry is not None else "")
    return refusal is None


def _dbf_encoding(report: Report, dbf: Path, cpg: Path, stem: str) -> str | None:
    """The encoding to read attributes with: the .cpg's, else UTF-8 when the text is UTF-8; None when unsure."""
    if cpg.exists():
        return cpg.read_text(encoding="ascii", errors="replace").strip() or "UTF-8"
    data = dbf.read_bytes()
    header = int.from_bytes(data[8:10], "little") if len(data) >= 10 else 0
    records = data[header:]
    try:
        records.decode("ascii")
        return ""
    except UnicodeDecodeError:
        pass
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        try:
            records.decode("gbk")
            report.error("attribute text is not UTF-8 and there is no .cpg file; it reads as GBK (GB2312/GB18030, "
                         "the Chinese Windows default): add a .cpg file containing GBK, or re-save as UTF-8",
                         f"shapefile {stem!r}")
        except UnicodeDecodeError:
            report.error("attribute text is in an unknown encoding and there is no .cpg file naming it",
                         f"shapefile {stem!r}")
        return None
    report.warn("no .cpg file: attribute text read as UTF-8 (add a .cpg containing UTF-8 to say so)",
                f"shapefile {stem!r}")
    return "UTF-8"


def _check_csv_layer(report: Report) -> None:
    """A table of points with lon/lat (or x/y, 经度/纬度) columns."""
    rows = _read_csv(report)
    if rows is None:
        return
    header, records = rows
    lowered = [column.strip().lower() for column in header]
    pair = next(((lowered.index(x), lowered.index(y)) for x, y in COORDINATE_COLUMNS
                 if x in lowered and y in lowered), None)
    if pair is None:
        _check_generic_table(report, header, records)
        return
    points, kept = [], []
    for number, record in enumerate(records, start=2):
        try:
            points.append(shapely.Point(float(record[pair[0]]), float(record[pair[1]])))
            kept.append(dict(zip(header, record)))
        except (ValueError, IndexError):
            report.error(f"coordinates {header[pair[0]]}/{header[pair[1]]} are not numbers", f"row {number}")
    _check_frame(report, gpd.GeoDataFrame(pd.DataFrame(kept), geometry=points, crs=4326))


def _check_frame(report: Report, frame: gpd.GeoDataFrame) -> None:
    """Checks shared by every layer format: geometry, coordinates, ids; keeps the frame if no error."""
    ids = frame["id"].astype(str) if "id" in frame.columns else pd.Series(
        [f"#{number}" for number in range(1, len(frame) + 1)], index=frame.index)

    def label(index: Any) -> str:
        return f"feature {ids[index]!r}" if "id" in frame.columns else f"feature {ids[index]}"

    geometry = frame.geometry
    for index in frame.index[geometry.isna() | geometry.is_empty]:
        report.error("empty geometry", label(index))
    drawn = frame[~(geometry.isna() | geometry.is_empty)]
    for index in drawn.index[~drawn.geometry.is_valid]:
        report.error(f"invalid geometry: {explain_validity(drawn.geometry[index])} (self-intersecting?)", label(index))
    # Points, lines and polygons may share a layer (kind "mixed"); a collection cannot be styled or exported.
    for index in drawn.index[drawn.geom_type == "GeometryCollection"]:
        report.error("a GeometryCollection: split it into points, lines and polygons", label(index))
    if not drawn.empty:
        _check_coordinates(report, drawn)
    if "id" not in frame.columns:
        report.error("features have no `id` property (Plan Map needs one per feature)")
    else:
        for duplicate in sorted(set(ids[ids.duplicated()])):
            report.error("duplicate id (each feature needs its own)", f"feature {duplicate!r}")
        for index in frame.index[frame["id"].isna() | (ids.str.strip() == "")]:
            report.error("empty id", f"feature #{index + 1}")
    if report.ok:
        report.frame = frame


def _check_coordinates(report: Report, frame: gpd.GeoDataFrame) -> None:
    """Projected numbers labelled as degrees, swapped axes, places far from Beijing, and GCJ-02 offsets."""
    minx, miny, maxx, maxy = frame.total_bounds
    in_degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    swapped_fits = -90 <= minx and maxx <= 90 and -180 <= miny and maxy <= 180
    west, south, east, north = BEIJING_REGION
    if not in_degrees and swapped_fits or _inside(BEIJING_REGION, (miny, minx, maxy, maxx)):
        report.error(f"latitude and longitude are swapped (x runs {minx:.4f}…{maxx:.4f}, y {miny:.4f}…{maxy:.4f}): "
                     "GeoJSON and Plan Map put longitude first")
        return
    if not in_degrees:
        report.error(f"coordinates are not longitude/latitude degrees (x {minx:.0f}…{maxx:.0f}, "
                     f"y {miny:.0f}…{maxy:.0f}): projected data labelled WGS84; reproject to EPSG:4326")
        return
    if maxx < west or minx > east or maxy < south or miny > north:
        report.warn(f"lies outside the Beijing area (x {minx:.4f}…{maxx:.4f}, y {miny:.4f}…{maxy:.4f})")
        return
    offset = _gcj_offset(frame)
    if offset is not None:
        report.warn(f"matched places sit ~{offset:.0f} m from their WGS84 positions and on their GCJ-02 ones: "
                    "this looks like GCJ-02 (高德/腾讯 coordinates) labelled WGS84; convert to WGS84")


def _inside(box: tuple[float, ...], bounds: tuple[float, ...]) -> bool:
    return box[0] <= bounds[0] and bounds[2] <= box[2] and box[1] <= bounds[1] and bounds[3] <= box[3]


@lru_cache(maxsize=1)
def _anchors() -> pd.DataFrame:
    """Known WGS84 positions: the centre of every shipped station, gazetteer entry and place, by id and name."""
    frames = [gpd.read_file(path) for path in sorted(DATA_DIR.glob("*.geojson"))]
    places = pd.concat([frame[["id", "name_zh", "geometry"]] for frame in frames if "name_zh" in frame],
                       ignore_index=True)
    points = gpd.GeoSeries(places["geometry"], crs=4326).representative_point()
    return pd.DataFrame({"id": places["id"], "name_zh": places["name_zh"], "lon": points.x, "lat": points.y})


def _gcj_offset(frame: gpd.GeoDataFrame) -> float | None:
    """The median offset (m) of features matched to known places by id or name, when they sit on the GCJ-02
    positions of those places rather than on their WGS84 ones; None otherwise or when nothing matches."""
    anchors = _anchors()
    keys = [column for column in ("id", "name_zh") if column in frame.columns]
    if not keys:
        return None
    near_wgs, near_gcj = [], []
    for key in keys:
        known = anchors.drop_duplicates(key).set_index(key)
        values = frame[key].astype(str)
        matched = frame[values.isin(known.index)]  # only these need a point (a big layer matches nothing)
        for value, point in zip(values[matched.index], matched.geometry.representative_point()):
            lon, lat = known.at[value, "lon"], known.at[value, "lat"]
            near_wgs.append(_metres(point.x, point.y, lon, lat))
            near_gcj.append(_metres(point.x, point.y, *wgs84_to_gcj02(lon, lat)))
        if near_wgs:
            break
    if len(near_wgs) < GCJ_MIN_MATCHES:
        return None
    wgs, gcj = float(np.median(near_wgs)), float(np.median(near_gcj))
    return wgs if wgs > GCJ_MIN_OFFSET_M and gcj < wgs / 3 else None


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance on a sphere, close enough at the scale of a GCJ-02 offset."""
    dx = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(dx, math.radians(lat2 - lat1))


def _declared_crs(document: dict[str, Any]) -> CRS | None:
    name = ((document.get("crs") or {}).get("properties") or {}).get("name")
    if not name:
        return None
    try:
        return CRS.from_user_input(name)
    except CRSError:  # a name pyproj does not know: GDAL reads the file and the coordinates are checked
        return None


def _unclosed_rings(geometry: dict[str, Any]) -> list[int]:
    """Numbers (1-based, across parts) of polygon rings whose first and last points differ."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    rings = [ring for polygon in polygons for ring in polygon]
    return [number for number, ring in enumerate(rings, start=1) if len(ring) >= 2 and ring[0] != ring[-1]]


def _feature_label(feature: Any, number: int) -> str:
    return feature_label(feature, number).en


def feature_label(feature: Any, number: int) -> Note:
    """A GeoJSON feature as a planner finds it again: by its id, else by its place in the file (1-based)."""
    identifier = ((feature.get("properties") or {}).get("id") if isinstance(feature, dict) else None)
    if identifier not in (None, ""):
        return Note(f"要素 {identifier!r}", f"feature {identifier!r}")
    return Note(f"第 {number} 个要素", f"feature #{number}")


# What is wrong, in both languages: the validator reports the English wording, the app's upload either.

def json_syntax_note(error: json.JSONDecodeError) -> Note:
    return Note(f"JSON 格式错误，第 {error.lineno} 行第 {error.colno} 列（{error.msg}）",
                f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}")


def unclosed_ring_note(ring: int) -> Note:
    return Note(f"面的第 {ring} 个环未闭合（末点与起点不同）",
                f"polygon ring {ring} is not closed (its last point differs from its first)")


def missing_parts_note(missing: list[str]) -> Note:
    return Note(f"缺少 {'、'.join(missing)}（Shapefile 需要 .shp、.shx、.dbf 和 .prj 一起：请全部打包）",
                f"missing {', '.join(missing)} (a shapefile needs .shp, .shx, .dbf and .prj together; "
                "zip all of them)")


def geojson_problem(data: bytes) -> tuple[Note, Note | None] | None:
    """The first thing that keeps a GeoJSON from being read, as the validator finds it, and where (the feature,
    when it is one): for a reader whose own error (GDAL's) names neither line nor feature."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None
    except json.JSONDecodeError as error:
        return json_syntax_note(error), None
    features = document.get("features") if isinstance(document, dict) else None
    for number, feature in enumerate(features if isinstance(features, list) else [], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        rings = _unclosed_rings(geometry) if isinstance(geometry, dict) else []
        if rings:
            return unclosed_ring_note(rings[0]), feature_label(feature, number)
    return None


# Tables --------------------------------------------------------------------------------------------------

def _decode(report: Report, data: bytes) -> str | None:
    """UTF-8 text (a BOM is fine); otherwise an error naming the line and, when it is, GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        try:
            text = data.decode("gbk")
        except UnicodeDecodeError:
            report.error(f"not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8", f"line {line}")
            return None
        report.error("not UTF-8: the text reads as GBK (Excel's 'CSV' on Chinese Windows); save it as "
                     "'CSV UTF-8 (逗号分隔)' instead", _row_of_line(text, line))
        return None


def _row_of_line(text: str, line: int) -> str:
    """'row N' (as a spreadsheet numbers it, header = row 1) of the record holding a text line."""
    reader = csv.reader(io.StringIO(text))
    for number, _record in enumerate(reader, start=1):
        if reader.line_num >= line:
            return f"row {number}"
    return f"line {line}"


def _read_csv(report: Report) -> tuple[list[str], list[list[str]]] | None:
    """Header and rows; Excel's quoting (quoted cells, doubled quotes, line breaks in cells) and a BOM are fine."""
    text = _decode(report, report.path.read_bytes())
    if text is None:
        return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        report.error("empty file (no header row)")
        return None
    header, records = rows[0], rows[1:]
    for number, record in enumerate(records, start=2):
        if record and len(record) != len(header):
            report.error(f"{len(record)} cells where the header has {len(header)}", f"row {number}")
    return header, [record for record in records if record]


def _check_generic_table(report: Report, header: list[str], records: list[list[str]]) -> None:
    if "id" in header:
        position = header.index("id")
        seen: set[str] = set()
        for number, record in enumerate(records, start=2):
            value = record[position] if position < len(record) else ""
            if value in seen:
                report.error(f"duplicate id {value!r}", f"row {number}")
            seen.add(value)


def _check_plan_table(report: Report) -> None:
    """A plan table: its columns, unique ids, citations, statuses, and the places and indicators it names."""
    rows = _read_csv(report)
    if rows is None:
        return
    header, records = rows
    required, id_column = PLAN_TABLES[plan_table_kind(report.path)]
    missing = [column for column in required if column not in header]
    if missing:
        report.error(f"missing columns {', '.join(missing)} (see data/SCHEMA.md)")
        return
    _check_generic_table(report, header, records)
    places, indicators = known_places(), known_indicators()
    for number, values in enumerate(records, start=2):
        row = dict(zip(header, values + [""] * (len(header) - len(values))))
        where = f"row {number}" + (f" ({id_column} {row[id_column]})" if id_column else "")
        if len(row.get("quote", "")) > MAX_QUOTE_CHARS:
            report.error(f"quote longer than {MAX_QUOTE_CHARS} characters", where)
        if "places" in row:
            if not row["quote"] or not row["doc_id"] or not row["section_path"]:
                report.error("missing citation (doc_id, section_path and quote are required)", where)
            for place in filter(None, row["places"].split(";")):
                if place not in places:
                    report.error(f"unknown place id {place!r}", where)
            if row["status"] not in STATUSES:
                report.error(f"unknown status {row['status']!r} (one of {', '.join(sorted(STATUSES))})", where)
            elif row["status"] != "not_reported" and not (row["status_doc"] and row["status_quote"]):
                report.error(f"status {row['status']!r} without evidence (status_doc, status_quote)", where)
        if "indicator_id" in row:
            if row["indicator_id"] not in indicators:
                report.error(f"unknown indicator id {row['indicator_id']!r}", where)
            if row["place"] not in places:
                report.error(f"unknown place id {row['place']!r}", where)
            if row["kind"] not in VALUE_KINDS:
                report.error(f"unknown kind {row['kind']!r} (one of {', '.join(sorted(VALUE_KINDS))})", where)
        if "streets" in row:
            for street in filter(None, row["streets"].split(";")):
                if street not in places:
                    report.error(f"unknown street id {street!r}", where)


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Every id a plan row may name: the shipped layers' features, declared and unplaced places, structure."""
    ids: set[str] = set()
    for path in sorted(DATA_DIR.glob("*.geojson")):
        ids |= set(pd.DataFrame(pyogrio.read_dataframe(path, read_geometry=False)).get("id", []))
    for path in (DATA_DIR / "places_declared.csv", DATA_DIR / "rail_unplaced.csv", PLAN_DIR / "structure.csv"):
        if path.exists():
            ids |= set(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")["id"])
    return frozenset(ids | {"beijing", "cbd_zone"})


@lru_cache(maxsize=1)
def known_indicators() -> frozenset[str]:
    ids: set[str] = set()
    for path in sorted(PLAN_DIR.glob("indicators_*.csv")):
        ids |= set(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")["id"])
    return frozenset(ids)
