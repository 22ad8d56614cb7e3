"""Check and repair a planner's layer before it is drawn, and say feature by feature what was found and done.

A CAD red line that crosses itself, a parcel with no geometry, two parcels with one number, a point typed in
the wrong hemisphere: each is reported with the feature's row and id, so the planner can fix the source.
Invalid geometry is repaired with make_valid keeping the feature's own dimension; a GeometryCollection (which
can be neither styled nor exported as one type) is split into its parts, each a feature with the same
attributes; features with no geometry are left out of the map; everything else is kept and flagged.
"""
from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import shapely
from shapely.validation import explain_validity

from geo.crs import CHINA
from geo.measure import EQUAL_AREA_CRS
from geo.notes import Note

ID_NAMES = ("id", "fid", "objectid", "编号", "地块编号", "code", "编码", "序号")
FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
            "LinearRing": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
REPORT_COLUMNS = ("row", "feature_id", "problem", "action", "detail")
DIMENSION = {"point": 0, "line": 1, "polygon": 2}
COLLECTION, SPLIT = "geometry collection", "split into its parts, attributes repeated"
# The report keeps its English wording (tests, JSON, the command line) and, for each detail, its Chinese one in
# DETAIL_ZH; problem and action are fixed phrases with their Chinese here.
DETAIL_ZH = "detail_zh"
HEADERS = {"row": ("行号", "row"), "feature_id": ("要素编号", "feature_id"), "problem": ("问题", "problem"),
           "action": ("处理", "action"), "detail": ("说明", "detail")}
PHRASES_ZH = {"null geometry": "几何为空值", "empty geometry": "几何为空", "invalid geometry": "几何无效",
              "mixed geometry types": "几何类型混杂", "duplicate id": "编号重复",
              "coordinates outside China": "坐标在中国境外", "left out of the map": "不上图",
              "repaired (make_valid)": "已修复（make_valid）", "kept, drawn as its own type": "保留，按其自身类型绘制",
              "kept": "保留", "kept, flagged": "保留并标记", "geometry collection": "几何集合",
              "split into its parts, attributes repeated": "拆分为各部分，属性相同"}
FAMILIES_ZH = {"point": "点", "line": "线", "polygon": "面", "other": "其他"}
TYPES_ZH = {"Point": "点", "MultiPoint": "多点", "LineString": "线", "MultiLineString": "多线", "LinearRing": "环",
            "Polygon": "面", "MultiPolygon": "多面", "GeometryCollection": "几何集合"}
# GEOS's reasons (shapely's explain_validity, before the location in brackets).
REASONS_ZH = {"Self-intersection": "自相交", "Ring Self-intersection": "环自相交",
              "Too few points in geometry component": "几何部件点数过少", "Hole lies outside shell": "内环在外环之外",
              "Nested holes": "内环相互嵌套", "Interior is disconnected": "内部不连通", "Nested shells": "外环相互嵌套",
              "Duplicate Rings": "环重复", "Invalid Coordinate": "坐标无效", "Ring is not closed": "环未闭合"}


def id_column(frame: gpd.GeoDataFrame) -> str | None:
    """The column that numbers features (id, 编号, code…): the first whose lower-cased name is in ID_NAMES."""
    lowered = {str(c).lower(): c for c in frame.columns if c != frame.geometry.name}
    return next((lowered[name] for name in ID_NAMES if name in lowered), None)


def check_and_repair(frame: gpd.GeoDataFrame, id_field: str | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The layer ready to draw (WGS84, valid, no missing geometry) and the report of what was found and done."""
    id_field = id_field if id_field is not None else id_column(frame)
    frame = frame.reset_index(drop=True)
    ids = frame[id_field].astype(str) if id_field else pd.Series([""] * len(frame))
    rows: list[dict] = []

    def report(index: int, problem: str, action: str, detail: Note = Note("", "")) -> None:
        rows.append({"row": index + 1, "feature_id": ids[index], "problem": problem, "action": action,
                     "detail": detail.en, DETAIL_ZH: detail.zh})

    geometry = frame.geometry
    missing = geometry.isna() | geometry.is_empty
    for index in frame.index[missing]:
        report(index, "null geometry" if geometry[index] is None else "empty geometry", "left out of the map")
    repaired = geometry.copy()
    for index in frame.index[~missing & ~geometry.is_valid]:
        repaired[index] = _repair(geometry[index], lambda problem, action, detail, i=index: report(i, problem, action,
                                                                                                   detail))
    drawn = repaired[~missing]
    collections = drawn.index[drawn.geom_type == "GeometryCollection"]
    for index in collections:
        report(index, COLLECTION, SPLIT, collection_parts(drawn[index]))
    if len(collections):
        drawn = split_collections(drawn)
    families = drawn.geom_type.map(FAMILIES).fillna("other")
    if families.nunique() > 1:
        main = families.value_counts().index[0]
        counts = families.value_counts().to_dict()
        counts_zh = "、".join(f"{FAMILIES_ZH[name]} {count}" for name, count in counts.items())
        others = families[families != main]
        for index, family in dict.fromkeys(zip(others.index, others)):  # once per feature and type
            report(index, "mixed geometry types", "kept, drawn as its own type",
                   Note(f"{FAMILIES_ZH[family]}，而图层以{FAMILIES_ZH[main]}为主（{counts_zh}）",
                        f"{family} in a layer of {main}s ({counts})"))
    if id_field:
        duplicated = ids.duplicated(keep=False) & (ids != "") & (ids != "nan")
        for index in frame.index[duplicated]:
            others = [str(i + 1) for i in frame.index[(ids == ids[index]) & (frame.index != index)]]
            report(index, "duplicate id", "kept", Note(f"{id_field}={ids[index]} 也见于第 {'、'.join(others)} 行",
                                                       f"{id_field}={ids[index]} also on row(s) {', '.join(others)}"))
    bounds = repaired[~missing].bounds
    outside = ((bounds["minx"] < CHINA[0]) | (bounds["maxx"] > CHINA[2]) | (bounds["miny"] < CHINA[1])
               | (bounds["maxy"] > CHINA[3]))
    for index in bounds.index[outside]:
        box = bounds.loc[index]
        corners = f"{box.minx:.4f}, {box.miny:.4f} – {box.maxx:.4f}, {box.maxy:.4f}"
        report(index, "coordinates outside China", "kept, flagged", Note(f"范围 {corners}", f"bounds {corners}"))
    ready = frame.assign(**{frame.geometry.name: repaired}).loc[~missing]
    if len(drawn) > len(ready):  # collections split: one feature per part, attributes repeated
        ready = ready.loc[drawn.index].assign(**{frame.geometry.name: drawn.to_numpy()}).reset_index(drop=True)
    ready = gpd.GeoDataFrame(ready, geometry=frame.geometry.name, crs=frame.crs)
    return ready, pd.DataFrame(rows, columns=[*REPORT_COLUMNS, DETAIL_ZH]).sort_values("row", kind="stable",
                                                                                      ignore_index=True)


def invalidity(shape: shapely.Geometry) -> Note:
    """Why GEOS finds a shape invalid, and where ('Self-intersection[116.46 39.91]'), in both languages."""
    reason = explain_validity(shape)
    cause, bracket, where = reason.partition("[")
    return Note(REASONS_ZH.get(cause.strip(), cause) + bracket + where, reason)


def collection_parts(shape: shapely.Geometry) -> Note:
    """What a GeometryCollection holds, as the report's detail: '2 parts: point 1, polygon 1'."""
    parts = pd.Series(_parts(shape)).map(lambda part: FAMILIES.get(part.geom_type, "other"))
    counts = parts.value_counts(sort=False).to_dict()
    counts_zh = "、".join(f"{FAMILIES_ZH[name]} {count}" for name, count in counts.items())
    counts_en = ", ".join(f"{name} {count}" for name, count in counts.items())
    return Note(f"{len(parts)} 个部分：{counts_zh}", f"{len(parts)} part{'s' if len(parts) > 1 else ''}: {counts_en}")


def collection_split_note(shape: shapely.Geometry) -> Note:
    """The report's row for a split collection as one line (problem: action (detail)): the validator's warning,
    so that `python -m layers validate` gives the upload's answer."""
    detail = collection_parts(shape)
    return Note(f"{PHRASES_ZH[COLLECTION]}：{PHRASES_ZH[SPLIT]}（{detail.zh}）", f"{COLLECTION}: {SPLIT} ({detail.en})")


def split_collections(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Every GeometryCollection opened into its parts, each under its feature's index (so `.loc` repeats the
    feature's attributes for each part); other shapes as they are. No missing geometry expected."""
    return gpd.GeoSeries(geometry.map(lambda shape: _parts(shape) if shape.geom_type == "GeometryCollection"
                                      else [shape]).explode(), crs=geometry.crs)


def _repair(shape: shapely.Geometry, report) -> shapely.Geometry:
    """make_valid, keeping only the parts of the feature's own dimension; report the reason and the area change."""
    reason_note = invalidity(shape)
    reason, reason_zh = reason_note.en, reason_note.zh
    fixed = shapely.make_valid(shape)
    family = FAMILIES.get(shape.geom_type, "other")
    if fixed.geom_type == "GeometryCollection" and family in DIMENSION:
        parts = [part for part in shapely.get_parts(fixed) if FAMILIES.get(part.geom_type) == family]
        dropped = len(shapely.get_parts(fixed)) - len(parts)
        fixed = shapely.union_all(parts) if parts else fixed
        if dropped:
            reason += f"; {dropped} stray part(s) of lower dimension dropped"
            reason_zh += f"；去掉 {dropped} 个低维碎片"
    detail = f"{reason}; {shape.geom_type} → {fixed.geom_type}"
    detail_zh = f"{reason_zh}；{_type_zh(shape)} → {_type_zh(fixed)}"
    if family == "polygon":
        before, after = gpd.GeoSeries([shape, fixed], crs=4326).to_crs(EQUAL_AREA_CRS).area
        detail += f"; area {before:,.0f} → {after:,.0f} m²"
        detail_zh += f"；面积 {before:,.0f} → {after:,.0f} m²"
    report("invalid geometry", "repaired (make_valid)", Note(detail_zh, detail))
    return fixed


def _parts(shape: shapely.Geometry) -> list[shapely.Geometry]:
    """A collection's parts, nested collections opened too; empty parts left out (they draw nothing)."""
    parts = []
    for part in shapely.get_parts(shape):
        parts += _parts(part) if part.geom_type == "GeometryCollection" else [part] if not part.is_empty else []
    return parts


def _type_zh(shape: shapely.Geometry) -> str:
    return TYPES_ZH.get(shape.geom_type, shape.geom_type)


def report_table(report: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The report's columns (REPORT_COLUMNS) with the words in the reader's language."""
    table = report[list(REPORT_COLUMNS)]
    if lang != "zh":
        return table
    return table.assign(problem=table["problem"].map(lambda text: PHRASES_ZH.get(text, text)),
                        action=table["action"].map(lambda text: PHRASES_ZH.get(text, text)),
                        detail=report[DETAIL_ZH])


def report_csv(report: pd.DataFrame, lang: str = "en") -> bytes:
    """The report as CSV that Excel opens in Chinese (UTF-8 with a BOM), headers and words in the language."""
    buffer = io.StringIO()
    table = report_table(report, lang)
    table.rename(columns={column: HEADERS[column][0 if lang == "zh" else 1] for column in table.columns}).to_csv(
        buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")
