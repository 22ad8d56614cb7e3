"""Check and repair a planner's layer before it is drawn, and say feature by feature what was found and done.

A CAD red line that crosses itself, a parcel with no geometry, two parcels with one number, a point typed in
the wrong hemisphere: each is reported with the feature's row and id, so the planner can fix the source.
Invalid geometry is repaired with make_valid keeping the feature's own dimension; features with no geometry
are left out of the map; everything else is kept and flagged.
"""
from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import shapely
from shapely.validation import explain_validity

from geo.crs import CHINA
from geo.measure import EQUAL_AREA_CRS

ID_NAMES = ("id", "fid", "objectid", "编号", "地块编号", "code", "编码", "序号")
FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
            "LinearRing": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
REPORT_COLUMNS = ("row", "feature_id", "problem", "action", "detail")
DIMENSION = {"point": 0, "line": 1, "polygon": 2}


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

    def report(index: int, problem: str, action: str, detail: str = "") -> None:
        rows.append({"row": index + 1, "feature_id": ids[index], "problem": problem, "action": action,
                     "detail": detail})

    geometry = frame.geometry
    missing = geometry.isna() | geometry.is_empty
    for index in frame.index[missing]:
        report(index, "null geometry" if geometry[index] is None else "empty geometry", "left out of the map")
    repaired = geometry.copy()
    for index in frame.index[~missing & ~geometry.is_valid]:
        repaired[index] = _repair(geometry[index], lambda problem, action, detail, i=index: report(i, problem, action,
                                                                                                   detail))
    families = repaired[~missing].geom_type.map(FAMILIES).fillna("other")
    if families.nunique() > 1:
        main = families.value_counts().index[0]
        for index, family in families[families != main].items():
            report(index, "mixed geometry types", "kept, drawn as its own type",
                   f"{family} in a layer of {main}s ({families.value_counts().to_dict()})")
    if id_field:
        duplicated = ids.duplicated(keep=False) & (ids != "") & (ids != "nan")
        for index in frame.index[duplicated]:
            others = [str(i + 1) for i in frame.index[(ids == ids[index]) & (frame.index != index)]]
            report(index, "duplicate id", "kept", f"{id_field}={ids[index]} also on row(s) {', '.join(others)}")
    bounds = repaired[~missing].bounds
    outside = ((bounds["minx"] < CHINA[0]) | (bounds["maxx"] > CHINA[2]) | (bounds["miny"] < CHINA[1])
               | (bounds["maxy"] > CHINA[3]))
    for index in bounds.index[outside]:
        box = bounds.loc[index]
        report(index, "coordinates outside China", "kept, flagged",
               f"bounds {box.minx:.4f}, {box.miny:.4f} – {box.maxx:.4f}, {box.maxy:.4f}")
    ready = frame.assign(**{frame.geometry.name: repaired}).loc[~missing]
    ready = gpd.GeoDataFrame(ready, geometry=frame.geometry.name, crs=frame.crs)
    return ready, pd.DataFrame(rows, columns=list(REPORT_COLUMNS)).sort_values("row", kind="stable",
                                                                              ignore_index=True)


def _repair(shape: shapely.Geometry, report) -> shapely.Geometry:
    """make_valid, keeping only the parts of the feature's own dimension; report the reason and the area change."""
    reason = explain_validity(shape)
    fixed = shapely.make_valid(shape)
    family = FAMILIES.get(shape.geom_type, "other")
    if fixed.geom_type == "GeometryCollection" and family in DIMENSION:
        parts = [part for part in shapely.get_parts(fixed) if FAMILIES.get(part.geom_type) == family]
        dropped = len(shapely.get_parts(fixed)) - len(parts)
        fixed = shapely.union_all(parts) if parts else fixed
        if dropped:
            reason += f"; {dropped} stray part(s) of lower dimension dropped"
    detail = f"{reason}; {shape.geom_type} → {fixed.geom_type}"
    if family == "polygon":
        before, after = gpd.GeoSeries([shape, fixed], crs=4326).to_crs(EQUAL_AREA_CRS).area
        detail += f"; area {before:,.0f} → {after:,.0f} m²"
    report("invalid geometry", "repaired (make_valid)", detail)
    return fixed


def report_csv(report: pd.DataFrame) -> bytes:
    """The report as CSV that Excel opens in Chinese (UTF-8 with a BOM)."""
    buffer = io.StringIO()
    report.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")
