"""One validator for every file Plan Map reads: layers in every format the upload accepts (GeoJSON, GeoPackage
with all its layers, Shapefile zipped or bare beside its sidecars, KML/KMZ, DXF, CSV/TSV/XLSX with coordinate
or WKT columns) and plan tables. Layers are read by the upload's own reader (geo/readers.py), so a file means
the same here as in the app; the checks then run on what was read. Each problem names the file, the record (and
the layer, when the file has several) and what is wrong, in words a planner can act on, in Chinese and in
English (geo/notes.py: the app shows the reader's language, the command line and str() the English); nothing
here raises on a bad file, and nothing reads a file whole before its size and, for archives, its entries have
been checked.

Policy: missing or invalid geometry and duplicate ids are errors here — shipped and catalogue data must be
clean — while the app's upload repairs them: the upload shows the same findings (missing or invalid geometry,
duplicate ids, geometry collections) in its repair report (geo/repair.py), with what it did about each.

The catalogue files (TOML) are checked in layers/catalog.py, which knows the declaration fields; the
command line `python -m layers validate` runs both.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.archives import max_layer_bytes, size_refusal
from geo.crs import LON_LAT_SYSTEMS, detect, to_wgs84
from geo.crs import label as crs_label
from geo.diagnosis import feature_label, json_syntax_note, missing_parts_note, unclosed_ring_note, unclosed_rings
from geo.gcj02 import wgs84_to_gcj02
from geo.notes import NO_RECORD, Note
from geo.readers import SUFFIXES as READER_SUFFIXES
from geo.readers import NoCoordinateColumns, ReadError, SourceLayer, read_path
from geo.repair import collection_split_note, invalidity, split_collections
from geo.paths import DATA_DIR, PLAN_DIR

# What a folder stands for: every file the upload reads but .txt (in a folder, notes rather than a table).
LAYER_SUFFIXES: Final = tuple(suffix for suffix in READER_SUFFIXES if suffix != ".txt")
SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj")
# Beijing and its surroundings (lon/lat): data outside is misplaced, projected or swapped.
BEIJING_REGION: Final = (115.0, 39.0, 118.5, 41.5)
# GCJ-02 moves Beijing about 500–600 m; matched features this much nearer their shifted position are GCJ-02.
GCJ_MIN_OFFSET_M: Final = 200.0
GCJ_MIN_MATCHES: Final = 3  # one place matched by name proves nothing: names repeat, and areas are not points
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
    """One thing wrong with one file: where (file, record) and what, as an error or a warning, in both languages."""

    path: str
    message: Note
    record: Note = NO_RECORD
    severity: Literal["error", "warning"] = "error"

    def text(self, lang: str) -> str:
        """'file: record: [warning: ]message' in the reader's language (Chinese with full-width colons)."""
        colon = "：" if lang == "zh" else ": "
        where = [self.path] + ([self.record.text(lang)] if self.record.en else [])
        warning = Note("警告：", "warning: ").text(lang) if self.severity == "warning" else ""
        return colon.join(where) + colon + warning + self.message.text(lang)

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class Report:
    """The problems of one file and, for a readable layer, its features (so a caller need not read it again)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    frame: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def error(self, message: Note, record: Note = NO_RECORD) -> None:
        self.problems.append(Problem(str(self.path), message, record))

    def warn(self, message: Note, record: Note = NO_RECORD) -> None:
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
        report.error(Note("文件不存在", "file not found"))
        return report
    too_big = size_refusal(report.path.stat().st_size, limit)
    if too_big is not None:
        report.error(too_big)
        return report
    suffix = report.path.suffix.lower()
    try:
        if suffix == ".csv" and plan_table_kind(report.path):
            _check_plan_table(report)
        elif suffix in (".geojson", ".json"):
            _check_geojson(report)
        elif suffix in READER_SUFFIXES:
            _check_layers(report)
        else:
            report.error(Note(f"未知的文件类型 {suffix or '（无）'}：应为 {'、'.join(READER_SUFFIXES)} 之一",
                              f"unknown file type {suffix or '(none)'}: expected one of {', '.join(READER_SUFFIXES)}"))
    except Exception as error:  # a reader failing in a way not foreseen is still a problem of this file
        report.error(Note(f"无法读取（{type(error).__name__}: {error}）",
                          f"could not be read ({type(error).__name__}: {error})"))
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
        report.error(json_syntax_note(error))
        return
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        report.error(Note('不是 GeoJSON 要素集合（顶层没有 "type": "FeatureCollection"）',
                          'not a GeoJSON FeatureCollection (no "type": "FeatureCollection" at the top)'))
        return
    features = document.get("features", []) if document["type"] == "FeatureCollection" else [document]
    if not isinstance(features, list):
        report.error(Note('"features" 不是列表', '"features" is not a list'))
        return
    declared = _declared_crs(document)
    if declared is not None and not declared.equals(WGS84, ignore_axis_order=True):
        report.error(Note(f"声明的坐标系为 {declared.to_string()}，而 Plan Map 按 RFC 7946 读取 WGS84 经纬度的 GeoJSON："
                          "请转换为 EPSG:4326",
                          f"declares CRS {declared.to_string()}, but Plan Map reads RFC 7946 GeoJSON in WGS84 "
                          "lon/lat: reproject to EPSG:4326"))
        return
    for number, feature in enumerate(features, start=1):
        where = feature_label(feature, number)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.error(Note("不是 GeoJSON 要素（Feature）", "not a GeoJSON Feature"), where)
            continue
        geometry = feature.get("geometry")
        if not geometry:
            report.error(Note("没有几何（null）", "no geometry (null)"), where)
        elif not geometry.get("coordinates", geometry.get("geometries")):
            report.error(Note(f"几何为空（{geometry.get('type')} 没有坐标）",
                              f"empty geometry ({geometry.get('type')} with no coordinates)"), where)
        else:
            for ring in unclosed_rings(geometry):
                report.error(unclosed_ring_note(ring), where)
    if report.ok:  # the features themselves are read as the upload reads them (GDAL, vectorised)
        _check_layers(report)


def _check_layers(report: Report) -> None:
    """Every layer of the file (a GeoPackage's or KML's layers, a workbook's sheets) read by the upload's reader,
    then checked; with several layers each problem names its layer."""
    try:
        first: SourceLayer | None = read_path(report.path)
        names = first.layers if len(first.layers) > 1 else [first.layer]
    except NoCoordinateColumns as error:
        if report.path.suffix.lower() == ".csv":  # a table of records (data/places_declared.csv), not a layer
            _check_table_without_coordinates(report)
            return
        if len(error.layers) < 2:
            report.error(_unnamed(error.note, report.path))
            return
        first, names = None, error.layers  # a workbook opening on a sheet of notes: the others may hold places
    except ReadError as error:
        report.error(_unnamed(error.note, report.path))
        return
    frames = []
    for name in names:
        part = Report(report.path)
        try:
            _check_source(part, first if first is not None and name == first.layer else read_path(report.path, name))
        except NoCoordinateColumns as error:  # a workbook's sheet of notes: not a layer
            part.warn(_unnamed(error.note, report.path) + Note("；已略去", "; left out"))
        except ReadError as error:
            part.error(_unnamed(error.note, report.path))
        where = layer_label(name, report.path.suffix.lower() == ".xlsx") if len(names) > 1 else NO_RECORD
        report.problems += [_within(problem, where) for problem in part.problems]
        frames += [part.frame] if part.frame is not None else []
    if report.ok and not frames:
        report.error(Note("没有含坐标的图层或工作表", "holds no layer or sheet with places"))
    if report.ok:
        report.frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def _check_source(report: Report, source: SourceLayer) -> None:
    """The validator's checks on one layer as read: a shapefile's parts and encoding, a table's text encoding
    and rows without coordinates, the coordinate system, then geometry, coordinates and ids."""
    if source.format == "Shapefile" and not _shapefile_complete(report, source):
        return
    frame = source.frame
    if source.format == "CSV" and source.encoding == "GB18030":
        _decode(report, report.path.read_bytes())  # names the row of the first character that is not UTF-8
        return
    if source.format in ("CSV", "XLSX"):
        placeless = frame.geometry.isna()
        for index in frame.index[placeless]:
            report.error(Note("没有坐标（坐标单元格为空或不是数字，或 WKT 无法读取）",
                              "no coordinates (the coordinate cells are empty or not numbers, or the WKT is "
                              "unreadable)"), row_label(index + 2))
        frame = frame[~placeless]
        if frame.empty:
            return
    frame = _in_wgs84(report, frame, source.declared_by)
    if frame is not None:
        _check_frame(report, frame)


def _shapefile_complete(report: Report, source: SourceLayer) -> bool:
    """Every part a shapefile needs, and attribute text whose encoding a .cpg states (or that is ASCII)."""
    where = shapefile_label(source.layer or report.path.stem)
    missing = [part for part in SHAPEFILE_PARTS if part not in source.sidecars]
    if missing:
        report.error(missing_parts_note(missing), where)
        return False
    if ".cpg" in source.sidecars:
        return True
    texts = [value for column in source.frame.columns if source.frame[column].dtype == object
             for value in source.frame[column] if isinstance(value, str) and not value.isascii()]
    if source.encoding == "GB18030":
        report.error(Note("属性文字不是 UTF-8，且没有 .cpg 文件；按 GBK（GB2312/GB18030，中文 Windows 的默认编码）可读："
                          "请添加内容为 GBK 的 .cpg 文件，或另存为 UTF-8",
                          "attribute text is not UTF-8 and there is no .cpg file; it reads as GBK (GB2312/"
                          "GB18030, the Chinese Windows default): add a .cpg file containing GBK, or re-save as "
                          "UTF-8"), where)
        return False
    if any("\ufffd" in text for text in texts):
        report.error(Note("属性文字的编码无法识别，且没有说明编码的 .cpg 文件",
                          "attribute text is in an unknown encoding and there is no .cpg file naming it"), where)
        return False
    if texts:
        report.warn(Note("没有 .cpg 文件：属性文字按 UTF-8 读取（可添加内容为 UTF-8 的 .cpg 文件加以说明）",
                         "no .cpg file: attribute text read as UTF-8 (add a .cpg containing UTF-8 to say so)"), where)
    return True


def _in_wgs84(report: Report, frame: gpd.GeoDataFrame, declared_by: str | None) -> gpd.GeoDataFrame | None:
    """The layer in WGS84. A file without a coordinate system (a table, a DXF) gets the upload's decision
    (geo/crs.detect): lon/lat is taken as it stands (swapped axes and GCJ-02 are the coordinate checks' to
    find), one projected system that fits is converted with a warning, several are an error naming them."""
    if frame.crs is not None:
        if CRS.from_user_input(frame.crs).equals(WGS84, ignore_axis_order=True):
            return frame
        try:
            return frame.to_crs(4326)
        except Exception as error:  # pyproj cannot transform every CRS GDAL can name
            report.error(Note(f"坐标系 {frame.crs} 无法转换为 WGS84（{error}）",
                              f"CRS {frame.crs} cannot be reprojected to WGS84 ({error})"))
            return None
    decision = detect(frame, declared_by)
    if decision.crs in LON_LAT_SYSTEMS:
        return frame.set_crs(4326)
    if decision.certain and decision.crs is not None:
        report.warn(Note(f"文件未声明坐标系：按坐标范围判定为 {crs_label(decision.crs, 'zh')}，已转换为 WGS84",
                         f"the file states no coordinate system: its range says {crs_label(decision.crs)}; "
                         "converted to WGS84"))
        return to_wgs84(frame, decision.crs, decision.swapped_axes)
    candidates = Note("、".join(crs_label(code, "zh") for code in decision.candidates) or "无",
                      ", ".join(crs_label(code) for code in decision.candidates) or "none")
    report.error(Note(f"文件未声明坐标系，且无法判定（可能为：{candidates.zh}）：请转换为 WGS84 经纬度（EPSG:4326）",
                      f"the file states no coordinate system and it cannot be decided (it may be: "
                      f"{candidates.en}): reproject to WGS84 lon/lat (EPSG:4326)"))
    return None


def _unnamed(note: Note, path: Path) -> Note:
    """A reader's message without the file name it starts with: the problem names the file already."""
    names = (path.name, f"{path.stem}.zip")  # a bare .shp is read as the zip of it and its sidecars
    zh = next((note.zh[len(name) + 1:] for name in names if note.zh.startswith(f"{name}：")), note.zh)
    en = next((note.en[len(name) + 2:] for name in names if note.en.startswith(f"{name}: ")), note.en)
    return Note(zh, en)


def _within(problem: Problem, layer: Note) -> Problem:
    """A problem of one layer of a several-layer file: its record names the layer first."""
    if not layer.en:
        return problem
    record = layer + Note(f"：{problem.record.zh}", f": {problem.record.en}") if problem.record.en else layer
    return Problem(problem.path, problem.message, record, problem.severity)


def _check_frame(report: Report, frame: gpd.GeoDataFrame) -> None:
    """Checks shared by every layer format: geometry, coordinates, ids; keeps the frame if no error."""
    ids = frame["id"].astype(str) if "id" in frame.columns else pd.Series(
        [f"#{number}" for number in range(1, len(frame) + 1)], index=frame.index)

    def label(index: Any) -> Note:
        if "id" in frame.columns:
            return Note(f"要素 {ids[index]!r}", f"feature {ids[index]!r}")
        return Note(f"第 {index + 1} 个要素", f"feature {ids[index]}")

    geometry = frame.geometry
    for index in frame.index[geometry.isna() | geometry.is_empty]:
        report.error(Note("几何为空", "empty geometry"), label(index))
    drawn = frame[~(geometry.isna() | geometry.is_empty)]
    for index in drawn.index[~drawn.geometry.is_valid]:
        reason = invalidity(drawn.geometry[index])
        report.error(Note(f"几何无效：{reason.zh}", f"invalid geometry: {reason.en} (self-intersecting?)"),
                     label(index))
    # Points, lines and polygons may share a layer (kind "mixed"); a collection cannot be styled or exported as
    # one type, so it is opened into its parts, as the upload does (geo/repair.py) and with its words.
    collections = drawn.index[drawn.geom_type == "GeometryCollection"]
    for index in collections:
        report.warn(collection_split_note(drawn.geometry[index]), label(index))
    if not drawn.empty:
        _check_coordinates(report, drawn)
    if "id" not in frame.columns:
        report.error(Note("要素没有 `id` 属性（Plan Map 要求每个要素都有）",
                          "features have no `id` property (Plan Map needs one per feature)"))
    else:
        for duplicate in sorted(set(ids[ids.duplicated()])):
            report.error(Note("编号重复（每个要素需要自己的编号）", "duplicate id (each feature needs its own)"),
                         Note(f"要素 {duplicate!r}", f"feature {duplicate!r}"))
        for index in frame.index[frame["id"].isna() | (ids.str.strip() == "")]:
            report.error(Note("编号为空", "empty id"), Note(f"第 {index + 1} 个要素", f"feature #{index + 1}"))
    if report.ok and len(collections):
        parts = split_collections(frame.geometry)
        frame = frame.loc[parts.index].set_geometry(parts.to_numpy()).reset_index(drop=True)
    if report.ok:
        report.frame = frame


def _check_coordinates(report: Report, frame: gpd.GeoDataFrame) -> None:
    """Projected numbers labelled as degrees, swapped axes, places far from Beijing, and GCJ-02 offsets."""
    minx, miny, maxx, maxy = frame.total_bounds
    in_degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    swapped_fits = -90 <= minx and maxx <= 90 and -180 <= miny and maxy <= 180
    west, south, east, north = BEIJING_REGION
    if not in_degrees and swapped_fits or _inside(BEIJING_REGION, (miny, minx, maxy, maxx)):
        span = f"x {minx:.4f}…{maxx:.4f}, y {miny:.4f}…{maxy:.4f}"
        report.error(Note(f"经纬度顺序颠倒（{span}）：GeoJSON 和 Plan Map 都是经度在前",
                          f"latitude and longitude are swapped (x runs {minx:.4f}…{maxx:.4f}, y {miny:.4f}…"
                          f"{maxy:.4f}): GeoJSON and Plan Map put longitude first"))
        return
    if not in_degrees:
        span = f"x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}"
        report.error(Note(f"坐标不是经纬度（{span}）：这是标为 WGS84 的投影坐标；请转换为 EPSG:4326",
                          f"coordinates are not longitude/latitude degrees ({span}): projected data labelled "
                          "WGS84; reproject to EPSG:4326"))
        return
    if maxx < west or minx > east or maxy < south or miny > north:
        span = f"x {minx:.4f}…{maxx:.4f}, y {miny:.4f}…{maxy:.4f}"
        report.warn(Note(f"位于北京地区之外（{span}）", f"lies outside the Beijing area ({span})"))
        return
    offset = _gcj_offset(frame)
    if offset is not None:
        report.warn(Note(f"匹配到的地点距其 WGS84 位置约 {offset:.0f} 米，而与其 GCJ-02 位置重合：这像是标为 WGS84 的"
                         "GCJ-02 坐标（高德/腾讯坐标）；请转换为 WGS84",
                         f"matched places sit ~{offset:.0f} m from their WGS84 positions and on their GCJ-02 ones: "
                         "this looks like GCJ-02 (高德/腾讯 coordinates) labelled WGS84; convert to WGS84"))


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


def row_label(number: int) -> Note:
    """A table's record as a spreadsheet numbers it (the header is row 1)."""
    return Note(f"第 {number} 行", f"row {number}")


def layer_label(name: str, sheet: bool = False) -> Note:
    """A layer of a GeoPackage or KML, or a sheet of a workbook: by its name in the file."""
    return Note(f"工作表 {name!r}", f"sheet {name!r}") if sheet else Note(f"图层 {name!r}", f"layer {name!r}")


def shapefile_label(stem: str) -> Note:
    return Note(f"Shapefile 文件 {stem!r}", f"shapefile {stem!r}")


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
            report.error(Note(f"不是 UTF-8 文本（字节 0x{data[error.start]:02x}）；请另存为 UTF-8",
                              f"not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"), _line_label(line))
            return None
        report.error(Note("不是 UTF-8：文字按 GBK 可读（中文 Windows 上 Excel 的“CSV”格式）；请改存为“CSV UTF-8（逗号分隔）”",
                          "not UTF-8: the text reads as GBK (Excel's 'CSV' on Chinese Windows); save it as "
                          "'CSV UTF-8 (逗号分隔)' instead"), _row_of_line(text, line))
        return None


def _line_label(line: int) -> Note:
    return Note(f"文本第 {line} 行", f"line {line}")


def _row_of_line(text: str, line: int) -> Note:
    """'row N' (as a spreadsheet numbers it, header = row 1) of the record holding a text line."""
    reader = csv.reader(io.StringIO(text))
    for number, _record in enumerate(reader, start=1):
        if reader.line_num >= line:
            return row_label(number)
    return _line_label(line)


def _read_csv(report: Report) -> tuple[list[str], list[list[str]]] | None:
    """Header and rows; Excel's quoting (quoted cells, doubled quotes, line breaks in cells) and a BOM are fine."""
    text = _decode(report, report.path.read_bytes())
    if text is None:
        return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        report.error(Note("空文件（没有表头行）", "empty file (no header row)"))
        return None
    header, records = rows[0], rows[1:]
    for number, record in enumerate(records, start=2):
        if record and len(record) != len(header):
            report.error(Note(f"有 {len(record)} 个单元格，而表头有 {len(header)} 个",
                              f"{len(record)} cells where the header has {len(header)}"), row_label(number))
    return header, [record for record in records if record]


def _check_table_without_coordinates(report: Report) -> None:
    """A CSV of records without places (data/places_declared.csv): its rows and unique ids."""
    rows = _read_csv(report)
    if rows is not None:
        _check_generic_table(report, *rows)


def _check_generic_table(report: Report, header: list[str], records: list[list[str]]) -> None:
    if "id" in header:
        position = header.index("id")
        seen: set[str] = set()
        for number, record in enumerate(records, start=2):
            value = record[position] if position < len(record) else ""
            if value in seen:
                report.error(Note(f"编号 {value!r} 重复", f"duplicate id {value!r}"), row_label(number))
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
        report.error(Note(f"缺少字段 {'、'.join(missing)}（见 data/SCHEMA.md）",
                          f"missing columns {', '.join(missing)} (see data/SCHEMA.md)"))
        return
    _check_generic_table(report, header, records)
    places, indicators = known_places(), known_indicators()
    for number, values in enumerate(records, start=2):
        row = dict(zip(header, values + [""] * (len(header) - len(values))))
        where = row_label(number) + (Note(f"（{id_column} {row[id_column]}）", f" ({id_column} {row[id_column]})")
                                     if id_column else NO_RECORD)
        if len(row.get("quote", "")) > MAX_QUOTE_CHARS:
            report.error(long_quote_note(), where)
        if "places" in row:
            if not row["quote"] or not row["doc_id"] or not row["section_path"]:
                report.error(missing_citation_note(), where)
            for place in filter(None, row["places"].split(";")):
                if place not in places:
                    report.error(unknown_id_note("place", place), where)
            if row["status"] not in STATUSES:
                report.error(unknown_status_note(row["status"]), where)
            elif row["status"] != "not_reported" and not (row["status_doc"] and row["status_quote"]):
                report.error(status_without_evidence_note(row["status"]), where)
        if "indicator_id" in row:
            if row["indicator_id"] not in indicators:
                report.error(unknown_id_note("indicator", row["indicator_id"]), where)
            if row["place"] not in places:
                report.error(unknown_id_note("place", row["place"]), where)
            if row["kind"] not in VALUE_KINDS:
                report.error(Note(f"未知的类型 {row['kind']!r}（应为 {'、'.join(sorted(VALUE_KINDS))} 之一）",
                                  f"unknown kind {row['kind']!r} (one of {', '.join(sorted(VALUE_KINDS))})"), where)
        if "streets" in row:
            for street in filter(None, row["streets"].split(";")):
                if street not in places:
                    report.error(unknown_id_note("street", street), where)


# The plan tables' rules, in both languages: the validator and the app's check of the loaded plan
# (geo/plan.integrity_errors) say them in the same words.

ID_KINDS_ZH: Final = {"place": "地点", "indicator": "指标", "street": "街乡", "task": "任务", "structure": "空间结构"}


def unknown_id_note(kind: str, value: str) -> Note:
    """An id naming nothing known: kind is place, indicator or street."""
    return Note(f"未知的{ID_KINDS_ZH[kind]}编号 {value!r}", f"unknown {kind} id {value!r}")


def duplicate_id_note(kind: str, value: str) -> Note:
    """Two records of one table (kind task, indicator or structure) with one id."""
    return Note(f"{ID_KINDS_ZH[kind]}编号 {value!r} 重复", f"{kind} id {value!r} is duplicated")


def long_quote_note() -> Note:
    return Note(f"引文超过 {MAX_QUOTE_CHARS} 个字", f"quote longer than {MAX_QUOTE_CHARS} characters")


def missing_citation_note() -> Note:
    return Note("缺少出处（doc_id、section_path 和 quote 均为必填）",
                "missing citation (doc_id, section_path and quote are required)")


def unknown_status_note(status: str) -> Note:
    return Note(f"未知的状态 {status!r}（应为 {'、'.join(sorted(STATUSES))} 之一）",
                f"unknown status {status!r} (one of {', '.join(sorted(STATUSES))})")


def status_without_evidence_note(status: str) -> Note:
    return Note(f"状态 {status!r} 缺少依据（status_doc、status_quote）",
                f"status {status!r} without evidence (status_doc, status_quote)")


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
