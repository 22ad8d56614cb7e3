"""Read a planner's own layer from the bytes of an uploaded file, in whatever format planners receive.

GeoJSON, GeoPackage (one of its layers), zipped Shapefile (one of the zip's shapefiles; DBF in UTF-8 or
GBK/GB18030: from the .cpg, the DBF's language byte, or the bytes themselves), KML/KMZ, DXF (closed polylines
become polygons), and CSV/XLSX with coordinate columns (lon/lat or x/y, or a WKT column). The result keeps the
source coordinates and says how its coordinate system is known ('file', 'format' or not at all): geo/crs.py
decides the rest.
Files are unpacked into a private temporary directory that is removed at once; nothing lands in data/.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geo.archives import size_refusal, zip_refusal
from geo.notes import Note, NoteError
from geo.diagnosis import geojson_problem, missing_parts_note

VECTOR_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".kml": "KML",
                   ".kmz": "KML", ".dxf": "DXF", ".shp": "Shapefile"}
TABLE_SUFFIXES = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV", ".xlsx": "XLSX"}
SUFFIXES = tuple(VECTOR_SUFFIXES) + tuple(TABLE_SUFFIXES) + (".zip",)
GBK_NAMES = {"gbk", "936", "cp936", "gb2312", "ansi 936", "gb18030", "euc-cn"}
UTF8_NAMES = {"utf-8", "utf8", "65001"}
UTF8_BOM = "UTF-8 (with BOM)"
GBK_LANGUAGE_IDS = {0x4D, 0x7A}  # DBF language driver ids for code page 936
WKT_START = re.compile(r"^\s*(SRID=\d+;\s*)?(MULTI)?(POINT|LINESTRING|POLYGON)|^\s*GEOMETRYCOLLECTION", re.I)
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "空间信息")
X_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "east", "easting", "东坐标", "x坐标", "横坐标")
Y_NAMES = ("lat", "latitude", "纬度", "y", "north", "northing", "北坐标", "y坐标", "纵坐标")
DXF_KEEP = ("Layer", "Text", "EntityHandle")
WGS84 = CRS.from_epsg(4326)


class ReadError(NoteError):
    """A file that cannot be read as a layer; the message says why in a planner's words (both languages)."""


class NoCoordinateColumns(ReadError):
    """A table with neither coordinate nor WKT columns: not a layer (the validator checks it as a plain table).
    `layers`: a workbook's sheets, since another sheet may hold the places."""

    layers: list[str] = []


@dataclass
class SourceLayer:
    """A layer as read, in its own coordinates, with what the reader learnt along the way."""

    frame: gpd.GeoDataFrame
    format: str
    layer: str | None = None
    layers: list[str] = field(default_factory=list)
    declared_by: str | None = None  # "file" (.prj, GeoPackage, GeoJSON crs), "format" (RFC 7946, KML) or None
    encoding: str | None = None
    notes: list[Note] = field(default_factory=list)
    sidecars: tuple[str, ...] = ()  # a shapefile's parts found beside its .shp (".dbf", ".prj"…, lower case)


def check_size(size: int, name: str, limit: int | None = None) -> None:
    """Refuse a file bigger than the limit (PLANMAP_MAX_LAYER_MB, as the validator) before anything reads it;
    the message names the file (`name`: as the planner knows it, an upload's name or a path typed)."""
    refusal = size_refusal(size, limit)
    if refusal is not None:
        raise ReadError(f"{name}：{refusal.zh}", f"{name}: {refusal.en}")


def read_upload(name: str, data: bytes, layer: str | None = None) -> SourceLayer:
    """Read the named file's bytes; `layer` picks a GeoPackage/KML layer or an XLSX sheet (default: the first)."""
    check_size(len(data), name)
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in SUFFIXES:
        raise ReadError(f"{name}：不支持的格式，请使用 {'、'.join(SUFFIXES)}",
                        f"{name}: unknown format; use one of {', '.join(SUFFIXES)}")
    if suffix in TABLE_SUFFIXES:
        return _read_table(name, data, suffix, layer)
    with tempfile.TemporaryDirectory(prefix="planmap-upload-") as folder:
        path = _unpack(name, data, Path(folder), layer) if suffix == ".zip" else Path(folder) / f"upload{suffix}"
        if suffix != ".zip":
            path.write_bytes(data)
        try:
            return _read_vector(path, layer)
        except ReadError as error:
            raise _named(error, name, path, data if suffix in (".geojson", ".json") else None) from error.__cause__


def read_path(path: Path, layer: str | None = None) -> SourceLayer:
    """Read a file on disk (the command line); a bare .shp brings its sidecar files along."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}：文件不存在", f"{path}: file not found")
    check_size(path.stat().st_size, path.name)
    if path.suffix.lower() == ".shp":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for sidecar in path.parent.glob(path.stem + ".*"):
                archive.write(sidecar, sidecar.name)
        return read_upload(path.stem + ".zip", buffer.getvalue(), layer)
    return read_upload(path.name, path.read_bytes(), layer)


def _unpack(name: str, data: bytes, folder: Path, layer: str | None = None) -> Path:
    """Extract a zip (size-checked first) and return the layer file inside it: a .shp (the one named `layer`,
    else the first), else any vector file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ReadError(f"{name}：不是 zip 压缩文件", f"{name}: not a zip file") from error
    members = [info for info in archive.infolist() if not info.is_dir()]
    refusal = zip_refusal(members)  # the validator's checks, on the directory, before anything is unpacked
    if refusal is not None:
        note, entry = refusal
        where = Note(f"条目 {entry!r}：", f"entry {entry!r}: ") if entry is not None else Note("", "")
        raise ReadError(f"{name}：{where.zh}{note.zh}", f"{name}: {where.en}{note.en}")
    for info in members:
        if "__MACOSX" not in info.filename:
            (folder / PurePosixPath(info.filename).name).write_bytes(archive.read(info))
    files = sorted(folder.iterdir())
    for suffixes in ((".shp",), tuple(s for s in VECTOR_SUFFIXES if s != ".shp")):
        found = [f for f in files if f.suffix.lower() in suffixes]
        if found and suffixes == (".shp",):
            found = sorted(found, key=lambda shp: (shp.stem != layer, shp.stem))
            if not any(folder.glob(found[0].stem + ".[sS][hH][xX]")):
                missing = missing_parts_note([".shx"])
                raise ReadError(f"{name}：Shapefile {found[0].stem!r} {missing.zh}",
                                f"{name}: shapefile {found[0].stem!r}: {missing.en}")
        if found:
            return found[0]
    raise ReadError(f"{name}：压缩包内没有 .shp 或其他图层文件",
                    f"{name}: no .shp or other layer file inside the zip")


def _named(error: ReadError, name: str, path: Path, geojson: bytes | None) -> ReadError:
    """A reading error as the planner knows the file: by its name, never the temporary copy's path, and for a
    GeoJSON with the validator's diagnosis (line and column, or the feature) when it finds one."""
    found = geojson_problem(geojson) if geojson is not None else None
    if found is not None:
        problem, where = found
        where = Note(f"{where.zh}：", f"{where.en}: ") if where is not None else Note("", "")
        return ReadError(f"{name}：{where.zh}{problem.zh}", f"{name}: {where.en}{problem.en}")

    def plain(text: str) -> str:
        return text.replace(str(path.with_suffix("")), PurePosixPath(name).stem).replace(f"{path.parent}/", "")

    return ReadError(f"{name}：{plain(error.note.zh)}", f"{name}: {plain(error.note.en)}")


def _read_vector(path: Path, layer: str | None) -> SourceLayer:
    suffix = path.suffix.lower()
    fmt = VECTOR_SUFFIXES[suffix]
    notes: list[Note] = []
    options: dict = {}
    encoding = None
    if fmt == "Shapefile":
        encoding, how = shapefile_encoding(path)
        options["encoding"] = encoding
        notes.append(Note(f"属性编码 {encoding}（{how.zh}）", f"attribute encoding {encoding} ({how.en})"))
        if not path.with_suffix(".dbf").exists() and not any(path.parent.glob(path.stem + ".[dD][bB][fF]")):
            notes.append(Note("压缩包内没有 .dbf：要素没有属性", "no .dbf in the zip: the features have no attributes"))
    if fmt == "DXF":
        encoding, how = dxf_encoding(path.read_bytes())
        pyogrio.set_gdal_config_options({"DXF_CLOSED_LINE_AS_POLYGON": "TRUE", "DXF_ENCODING": encoding})
        notes.append(Note(f"文字编码 {encoding}（{how.zh}）", f"text encoding {encoding} ({how.en})"))
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path) if row[1] is not None or fmt != "GeoPackage"]
    except Exception as error:  # GDAL raises several error types for files it cannot open
        raise ReadError(f"无法打开 {fmt} 文件（{error}）",
                        f"{fmt} file could not be opened ({error})") from error
    if not layers:
        raise ReadError(f"{fmt} 文件中没有含几何的图层", f"{fmt} file holds no layer with geometry")
    if layer is not None and layer not in layers:
        raise ReadError(f"没有图层 {layer!r}；文件中的图层为 {'、'.join(layers)}",
                        f"no layer {layer!r}; the file has {', '.join(layers)}")
    if fmt == "Shapefile":  # a zip may hold several shapefiles: each is a layer, and the one at `path` is read
        layers = sorted(part.stem for part in path.parent.iterdir() if part.suffix.lower() == ".shp")
    chosen = path.stem if fmt == "Shapefile" else layer or layers[0]
    others = [name for name in layers if name != chosen]
    if others and layer is None:
        notes.append(Note(f"共 {len(layers)} 个图层：已读取 {chosen!r}，其余为 {'、'.join(others)}",
                          f"{len(layers)} layers: read {chosen!r}; the others are {', '.join(others)}"))
    try:
        frame = pyogrio.read_dataframe(path, layer=chosen, **options)
    except Exception as error:  # as above; a one-layer file's layer is named for the temporary copy: not shown
        what = Note(f"{fmt} 图层 {chosen!r}", f"{fmt} layer {chosen!r}") if len(layers) > 1 else Note(fmt, fmt)
        raise ReadError(f"无法读取 {what.zh}（{error}）", f"{what.en} could not be read ({error})") from error
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise ReadError(f"{fmt} 图层 {chosen!r} 没有几何字段", f"{fmt} layer {chosen!r} has no geometry column")
    if fmt == "DXF":
        frame = _tidy_dxf(frame)
    if shapely.has_z(frame.geometry.values).any():
        frame.geometry = gpd.GeoSeries(shapely.force_2d(frame.geometry.values), index=frame.index, crs=frame.crs)
        notes.append(Note("已去掉高程（Z）：地图为二维", "heights (Z) dropped: the map is 2D"))
    sidecars = tuple(sorted({part.suffix.lower() for part in path.parent.glob(path.stem + ".*")})) \
        if fmt == "Shapefile" else ()
    return SourceLayer(frame, fmt, chosen, layers, _declared_by(fmt, path, frame), encoding, notes, sidecars)


def _declared_by(fmt: str, path: Path, frame: gpd.GeoDataFrame) -> str | None:
    """How the file states its coordinate system: in the file itself, by its format's rule, or not at all."""
    if fmt == "GeoJSON":
        # GDAL gives a GeoJSON without a "crs" member RFC 7946's WGS84, so any other system it reports is the
        # file's own "crs"; a "crs" naming WGS84 says no more than the format (geo/crs.detect takes every
        # lon/lat label as a format default). Parsing the text again to look for the member took 25 s for
        # 1 000 000 parcels.
        return "format" if frame.crs is not None and frame.crs.equals(WGS84, ignore_axis_order=True) else "file"
    if fmt == "KML":
        return "format"
    if fmt == "Shapefile":
        return "file" if any(path.parent.glob(path.stem + ".[pP][rR][jJ]")) and frame.crs is not None else None
    return "file" if frame.crs is not None and fmt == "GeoPackage" else None


def shapefile_encoding(path: Path) -> tuple[str, Note]:
    """The DBF's text encoding and how it was told: the .cpg, the DBF language byte, or the bytes themselves."""
    cpg = next(iter(path.parent.glob(path.stem + ".[cC][pP][gG]")), None)
    if cpg is not None:
        declared = cpg.read_text(encoding="ascii", errors="ignore").strip().lower()
        if declared in UTF8_NAMES:
            return "UTF-8", Note(".cpg 文件", ".cpg")
        if declared in GBK_NAMES:
            return "GB18030", Note(".cpg 文件", ".cpg")
    dbf = next(iter(path.parent.glob(path.stem + ".[dD][bB][fF]")), None)
    if dbf is None:
        return "UTF-8", Note("没有 .dbf", "no .dbf")
    raw = dbf.read_bytes()
    if len(raw) > 29 and raw[29] in GBK_LANGUAGE_IDS:
        return "GB18030", Note("DBF 语言标志：代码页 936", "DBF language byte: code page 936")
    header_length = int.from_bytes(raw[8:10], "little") if len(raw) > 10 else 0
    records = raw[header_length:]
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        try:
            records.decode("gb18030")
            return "GB18030", Note("文字不是 UTF-8，按 GB18030 可读", "the text is not UTF-8 and reads as GB18030")
        except UnicodeDecodeError:
            return "UTF-8", Note("既不是 UTF-8 也不是 GB18030：无法识别的字节已替换",
                                 "neither UTF-8 nor GB18030: undecodable bytes replaced")
    return "UTF-8", Note("文字按 UTF-8 可读", "the text reads as UTF-8")


def dxf_encoding(raw: bytes) -> tuple[str, Note]:
    """A DXF's text encoding: its non-ASCII bytes decide (writers often declare ANSI_1252 over UTF-8 text)."""
    declared = re.search(rb"\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)", raw)
    page = declared.group(1).decode("ascii", "ignore").upper() if declared else ""
    if raw.isascii():
        return "UTF-8", Note("纯 ASCII", "plain ASCII")
    try:
        raw.decode("utf-8")
        return "UTF-8", Note("文字按 UTF-8 可读" + (f"，文件头标为 {page}" if page else ""),
                             "the text reads as UTF-8" + (f" (header says {page})" if page else ""))
    except UnicodeDecodeError:
        return "CP936", Note(f"不是 UTF-8；文件头标为 {page or '空'}：按 GBK 读取",
                             f"not UTF-8; header says {page or 'nothing'}: read as GBK")


def _tidy_dxf(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """DXF entities keep their CAD layer, text and handle; drawing-only fields (line type, colour…) go."""
    keep = [c for c in DXF_KEEP if c in frame.columns and frame[c].notna().any()]
    return frame[keep + [frame.geometry.name]]


def _read_table(name: str, data: bytes, suffix: str, sheet: str | None) -> SourceLayer:
    """CSV (BOM, UTF-8 or GB18030) or XLSX (one sheet) with coordinate columns or a WKT column."""
    notes: list[Note] = []
    layers: list[str] = []
    encoding = None
    if suffix == ".xlsx":
        try:
            book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        except Exception as error:  # openpyxl raises several error types for broken workbooks
            raise ReadError(f"{name}：无法读取的 XLSX 工作簿（{error}）",
                            f"{name}: not a readable XLSX workbook ({error})") from error
        layers = [str(s) for s in book.sheet_names]
        if sheet is not None and sheet not in layers:
            raise ReadError(f"没有工作表 {sheet!r}；工作簿中的工作表为 {'、'.join(layers)}",
                            f"no sheet {sheet!r}; the workbook has {', '.join(layers)}")
        sheet = sheet or layers[0]
        table = pd.read_excel(book, sheet_name=sheet, dtype=object)
        fmt = "XLSX"
    else:
        text, encoding = _decode_text(data)
        separator = "\t" if suffix == ".tsv" or text.split("\n", 1)[0].count("\t") > text.split("\n", 1)[0].count(",") \
            else ","
        table = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
        shown = "UTF-8（带 BOM）" if encoding == UTF8_BOM else encoding
        notes.append(Note(f"文字编码 {shown}", f"text encoding {encoding}"))
        fmt = "CSV"
    table.columns = [str(c).strip() for c in table.columns]
    try:
        geometry, how = table_geometry(table)
    except NoCoordinateColumns as error:
        error.layers = layers
        raise
    notes.append(how)
    frame = gpd.GeoDataFrame(table, geometry=geometry, crs=None)
    return SourceLayer(frame, fmt, sheet, layers, None, encoding, notes)


def _decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), UTF8_BOM
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "GB18030"


def table_geometry(table: pd.DataFrame) -> tuple[gpd.GeoSeries, Note]:
    """Geometry from a WKT column, else from an x/lon and a y/lat column; ReadError naming the columns seen."""
    lowered = {c: c.lower().replace(" ", "").replace("_", "") for c in table.columns}
    for column in table.columns:
        values = table[column].dropna().astype(str)
        values = values[values.str.strip() != ""]
        if lowered[column] in WKT_NAMES or (not values.empty and values.head(5).str.match(WKT_START).all()):
            cleaned = table[column].fillna("").astype(str).str.replace(r"^\s*SRID=\d+;\s*", "", regex=True)
            try:
                geometry = shapely.from_wkt(cleaned.where(cleaned.str.strip() != "", None).to_numpy(), on_invalid="warn")
            except shapely.errors.GEOSException as error:
                raise ReadError(f"字段 {column!r} 不是可读的 WKT（{error}）",
                                f"column {column!r} is not readable WKT ({error})") from error
            return gpd.GeoSeries(geometry, index=table.index), Note(f"几何取自 WKT 字段 {column!r}",
                                                                    f"geometry from the WKT column {column!r}")
    x_column = next((c for name in X_NAMES for c in table.columns if lowered[c] == name), None)
    y_column = next((c for name in Y_NAMES for c in table.columns if lowered[c] == name), None)
    if x_column is None or y_column is None:
        raise NoCoordinateColumns("没有坐标字段：请将其命名为 经度/纬度（lon/lat）或 x/y，或提供 WKT 字段；"
                                  f"表中字段为 {'、'.join(table.columns)}",
                                  "no coordinate columns: name them lon/lat (经度/纬度) or x/y, or give a WKT "
                                  f"column; the table has {', '.join(table.columns)}")
    x = pd.to_numeric(table[x_column], errors="coerce")
    y = pd.to_numeric(table[y_column], errors="coerce")
    points = gpd.points_from_xy(x, y)
    points[(x.isna() | y.isna()).to_numpy()] = None
    return gpd.GeoSeries(points, index=table.index), Note(f"点取自字段 {x_column!r} 和 {y_column!r}",
                                                          f"points from the columns {x_column!r} and {y_column!r}")
