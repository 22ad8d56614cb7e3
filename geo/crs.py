"""Which coordinate system a planner's file is in, and how to bring it to WGS84.

Planners receive WGS84, CGCS2000 (geographic, or 3°/6° Gauss-Krüger with or without the zone number in
front of the easting), Beijing 1954 and Xi'an 1980 Gauss-Krüger, Web Mercator, and the offset systems of
AMap (GCJ-02) and Baidu (BD-09). `detect` says what the file declares, what the coordinates' range allows
and, for lon/lat, which offset lines the file's named features up with the places we know. Where more than
one system remains it says so (`certain=False`, the candidates in order) and the caller must ask: a guess
is never applied silently.

Choices made here (the issue leaves them open):
- CGCS2000 and WGS84 differ by centimetres: one system for drawing (PROJ's own transformation is the null one).
- Beijing 1954 and Xi'an 1980 have no published transformation to WGS84 for Beijing; PROJ moves them by the
  ellipsoid change alone ("ballpark"), which can be off by tens of metres. Such layers carry that warning.
- The range test keeps only systems that put the data in the Beijing region (REGION); a file elsewhere in
  China falls back to the China box with a note.
- Chinese survey tables call the northing X and the easting Y: the magnitudes decide which is which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import eviltransform
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.database import query_crs_info

from geo.measure import EQUAL_AREA_CRS
from geo.notes import Note, NoteError

GCJ02 = "gcj02"
BD09 = "bd09"
WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
WEB_MERCATOR = "EPSG:3857"
OFFSET_SYSTEMS = (GCJ02, BD09)
SHORT_NAMES = {WGS84: "WGS84", GCJ02: "GCJ-02", BD09: "BD-09"}  # the lon/lat systems as planners name them
LON_LAT_SYSTEMS = (WGS84, CGCS2000, "EPSG:4326", "EPSG:4490")
CHINA = (73.0, 18.0, 135.5, 54.0)
REGION = (115.1, 39.1, 117.9, 41.4)  # Beijing, with Langfang's 北三县, and a margin of about 0.3°
BALLPARK_DATUMS = ("Beijing 1954", "Xian 1980")
DATUM_ORDER = ("CGCS2000", "Beijing 1954", "Xian 1980")  # CGCS2000 first: the national standard since 2018
_GK_NAME = re.compile(r"^(CGCS2000|Beijing 1954|Xian 1980) / (?:(3)-degree )?Gauss-Kruger (zone (\d+)|CM (\d+)E)$")
# Offsets against anchors: the best system must line the anchors up this closely, the others this badly.
ANCHOR_MATCH_M = 250.0
ANCHOR_REJECT_M = 400.0
MIN_ANCHORS = 2


class CrsError(NoteError):
    """A coordinate system that cannot be used (unknown code, or data that cannot be in it)."""


@dataclass
class CrsDecision:
    """What a layer's coordinates are in: the chosen system, how sure, the alternatives, and why."""

    crs: str | None
    certain: bool
    source: str  # "file", "format", "anchors", "range", "user" or "none"
    candidates: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    swapped_axes: bool = False


def label(code: str, lang: str = "en") -> str:
    """A planner-readable name for a system key (EPSG code, gcj02 or bd09); EPSG's own names are not translated."""
    if code == GCJ02:
        return "GCJ-02（高德/腾讯，偏移坐标）" if lang == "zh" else "GCJ-02 (高德/腾讯 AMap, offset)"
    if code == BD09:
        return "BD-09（百度，偏移坐标）" if lang == "zh" else "BD-09 (百度 Baidu, offset)"
    name = CRS.from_user_input(code).name
    return f"{code} · {name}"


def parse_crs(text: str) -> str:
    """A user's --crs (EPSG code with or without 'EPSG:', gcj02, bd09) as a system key; CrsError if unknown."""
    value = text.strip().lower().replace("-", "")
    if value in (GCJ02, BD09):
        return value
    digits = value.removeprefix("epsg:")
    if not digits.isdigit():
        raise CrsError(f"未知坐标系 {text!r}：请填写 EPSG 代码、gcj02 或 bd09",
                       f"unknown coordinate system {text!r}: give an EPSG code, gcj02 or bd09")
    try:
        CRS.from_epsg(int(digits))
    except Exception as error:  # pyproj raises CRSError for codes it does not know
        raise CrsError(f"未知的 EPSG 代码 {digits}", f"unknown EPSG code {digits}") from error
    return f"EPSG:{digits}"


@lru_cache(maxsize=1)
def gauss_kruger_systems() -> pd.DataFrame:
    """Every CGCS2000 / Beijing 1954 / Xi'an 1980 Gauss-Krüger system in the EPSG database, with its zone form."""
    rows = []
    for info in query_crs_info(auth_name="EPSG"):
        match = _GK_NAME.match(info.name)
        if match:
            datum, three, _form, zone, meridian = match.groups()
            width = 3 if three else 6
            central = int(meridian) if meridian else (int(zone) * 3 if width == 3 else int(zone) * 6 - 3)
            rows.append({"code": f"EPSG:{info.code}", "datum": datum, "width": width,
                         "zone": int(zone) if zone else None, "central": central})
    return pd.DataFrame(rows)


def detect(frame: gpd.GeoDataFrame, declared_by: str | None, anchors: gpd.GeoDataFrame | None = None) -> CrsDecision:
    """Decide the frame's system from its declaration ('file' or 'format' or None), its range and anchors."""
    bounds = _bounds(frame)
    if bounds is None:
        return CrsDecision(None, False, "none", notes=[Note("没有可检验的坐标", "no coordinates to test")])
    declared = _key(frame.crs) if frame.crs is not None else None
    if declared in LON_LAT_SYSTEMS:
        # Files from AMap or Baidu are routinely labelled WGS84: a lon/lat label is a format default, and
        # anchors may overrule it.
        declared, declared_by = WGS84, "format" if declared_by else None
    if declared is not None and declared_by == "file" and _fits(declared, bounds):
        decision = CrsDecision(declared, True, "file", [declared])
        _warn_ballpark(decision)
        return decision
    notes = []
    if declared is not None and not _fits(declared, bounds):
        notes.append(Note(f"文件标注为 {label(declared, 'zh')}，但其坐标不可能属于该坐标系",
                          f"the file says {label(declared)}, but its coordinates cannot be in it"))
    decision = _from_range(bounds)
    decision.notes = notes + decision.notes
    if decision.crs == WGS84:
        _offset_from_anchors(frame, decision, anchors, declared_by if declared == WGS84 and not decision.swapped_axes
                             else None)
    _warn_ballpark(decision)
    return decision


def to_wgs84(frame: gpd.GeoDataFrame, crs: str, swapped_axes: bool = False) -> gpd.GeoDataFrame:
    """The frame in WGS84 lon/lat, from any system key this module knows."""
    moved = frame.copy()
    if swapped_axes:
        moved.geometry = shapely.transform(moved.geometry.values, lambda xy: xy[:, ::-1])
    if crs in OFFSET_SYSTEMS:
        moved.geometry = gpd.GeoSeries(shapely.transform(moved.geometry.values, _unshift(crs)), index=moved.index)
        return moved.set_crs(WGS84, allow_override=True)
    return moved.set_crs(crs, allow_override=True).to_crs(WGS84)


def from_wgs84(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The frame moved from WGS84 into a system key (tests build each format's twin with it)."""
    if crs in OFFSET_SYSTEMS:
        shifted = frame.copy()
        shifted.geometry = gpd.GeoSeries(shapely.transform(frame.geometry.values, _shift(crs)), index=frame.index)
        return shifted.set_crs(None, allow_override=True)
    return frame.to_crs(crs)


def _unshift(crs: str):
    """Coordinates array → WGS84 for an offset system (GCJ-02 inverted exactly by iteration)."""
    def gcj(lon: float, lat: float) -> tuple[float, float]:
        lat_w, lon_w = eviltransform.gcj2wgs_exact(lat, lon)
        return lon_w, lat_w

    def bd(lon: float, lat: float) -> tuple[float, float]:
        lat_g, lon_g = eviltransform.bd2gcj(lat, lon)
        return gcj(lon_g, lat_g)

    convert = gcj if crs == GCJ02 else bd
    return lambda xy: np.array([convert(x, y) for x, y in xy]).reshape(xy.shape)


def _shift(crs: str):
    def convert(lon: float, lat: float) -> tuple[float, float]:
        lat_s, lon_s = eviltransform.wgs2gcj(lat, lon) if crs == GCJ02 else eviltransform.wgs2bd(lat, lon)
        return lon_s, lat_s

    return lambda xy: np.array([convert(x, y) for x, y in xy]).reshape(xy.shape)


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geometry = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if geometry.empty:
        return None
    values = geometry.total_bounds
    return tuple(float(v) for v in values) if np.isfinite(values).all() else None


def _key(crs: object) -> str | None:
    """A system key for a pyproj CRS: its EPSG code when it has one (WGS84 for CGCS2000 lon/lat), else its WKT."""
    parsed = CRS.from_user_input(crs)
    code = parsed.to_epsg(min_confidence=70)
    if code is not None:
        return f"EPSG:{code}"
    return parsed.to_wkt()


def _lands_in(crs: str, bounds: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether both corners of the bounds, moved to lon/lat from crs, lie in the box."""
    if crs in OFFSET_SYSTEMS:
        crs = WGS84
    try:
        lon, lat = _transformer(crs).transform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    except Exception:  # projections raise or return inf far outside their domain
        return False
    lon, lat = np.asarray(lon), np.asarray(lat)
    return bool(np.isfinite(lon).all() and np.isfinite(lat).all()
                and (lon >= box[0]).all() and (lon <= box[2]).all() and (lat >= box[1]).all() and (lat <= box[3]).all())


def _fits(crs: str, bounds: tuple[float, float, float, float]) -> bool:
    return _lands_in(crs, bounds, CHINA)


@lru_cache(maxsize=512)
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def _from_range(bounds: tuple[float, float, float, float]) -> CrsDecision:
    """Candidates from the coordinates' magnitude: lon/lat, swapped lat/lon, Web Mercator, Gauss-Krüger."""
    if _lands_in(WGS84, bounds, CHINA):
        return CrsDecision(WGS84, False, "range", [WGS84, GCJ02, BD09],
                           [Note("经纬度坐标：WGS84（与 CGCS2000 仅差厘米级）、GCJ-02 与 BD-09 数值相近，仅凭坐标范围无法区分",
                                 "lon/lat degrees: WGS84 (= CGCS2000 to centimetres), GCJ-02 or BD-09 look alike")])
    swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
    if _lands_in(WGS84, swapped, CHINA):
        return CrsDecision(WGS84, False, "range", [WGS84, GCJ02, BD09],
                           [Note("此文件纬度在前：已调换为经度、纬度顺序",
                                 "latitude comes first in this file: axes swapped to lon/lat")], swapped_axes=True)
    for box, note in ((REGION, []), (CHINA, [Note("数据位于北京地区以外", "the data lie outside the Beijing region")])):
        candidates = _projected_candidates(bounds, box)
        if candidates:
            first = candidates[0]
            certain = len(candidates) == 1
            notes = note + ([] if certain else [Note("投影坐标（米）符合多个坐标系：请选择文件制作时所用的坐标系"
                                                     "（见其 .prj 文件，或询问制作者）",
                                                     "projected metres fit several systems: choose the one the file "
                                                     "was made in (its .prj, or ask its author)")])
            return CrsDecision(first, certain, "range", candidates, notes)
        swapped_candidates = _projected_candidates(swapped, box)
        if swapped_candidates:
            return CrsDecision(swapped_candidates[0], len(swapped_candidates) == 1, "range", swapped_candidates,
                               note + [Note("此处 X 为北坐标（测量惯例）：已调换坐标轴",
                                            "X is the northing here (the survey convention): axes swapped")],
                               swapped_axes=True)
    return CrsDecision(None, False, "range", [], [Note("没有已知坐标系能使这些坐标落在中国境内",
                                                       "no known coordinate system puts these coordinates in China")])


def _projected_candidates(bounds: tuple[float, float, float, float], box: tuple[float, float, float, float]
                          ) -> list[str]:
    """Projected systems putting the bounds in the box: Web Mercator, then Gauss-Krüger by datum (CGCS2000 first)."""
    found = [WEB_MERCATOR] if _lands_in(WEB_MERCATOR, bounds, box) else []
    systems = gauss_kruger_systems()
    prefixed = bounds[0] >= 1e7
    shapes = systems[systems["zone"].notna() == prefixed].copy()
    shapes = shapes[shapes["datum"] == "CGCS2000"]
    # A 3° CM-117E system is the 6° one of the same meridian: keep one of each meridian when not prefixed.
    shapes = shapes.sort_values("width").drop_duplicates(["central"] if not prefixed else ["width", "zone"])
    for shape in shapes.itertuples():
        if _lands_in(shape.code, bounds, box):
            same = systems[(systems["width"] == shape.width) & (systems["central"] == shape.central)
                           & (systems["zone"].notna() == prefixed)]
            for datum in DATUM_ORDER:
                found += same.loc[same["datum"] == datum, "code"].head(1).tolist()
    return found


def _warn_ballpark(decision: CrsDecision) -> None:
    if decision.crs and decision.crs.startswith("EPSG:") and any(
            CRS.from_user_input(decision.crs).name.startswith(datum) for datum in BALLPARK_DATUMS):
        decision.notes.append(Note("北京54 / 西安80 → WGS84 在本地区没有公开的转换参数：基准转换为近似值（误差可达数十米）",
                                   "Beijing 1954 / Xi'an 1980 → WGS84 has no published transformation here: "
                                   "the datum shift is approximate (can be tens of metres)"))


def _offset_from_anchors(frame: gpd.GeoDataFrame, decision: CrsDecision, anchors: gpd.GeoDataFrame | None,
                         declared_by: str | None) -> None:
    """Lon/lat data: test WGS84, GCJ-02 and BD-09 against named places the file shares with our layers."""
    residuals = anchor_residuals(frame, anchors) if anchors is not None else {}
    count = residuals.pop("_count", 0)
    if count >= MIN_ANCHORS:
        best = min(residuals, key=residuals.get)
        others = [value for key, value in residuals.items() if key != best]
        summary = ", ".join(f"{key} {value:.0f} m" for key, value in residuals.items())
        summary_zh = "，".join(f"{SHORT_NAMES[key]} {value:.0f} 米" for key, value in residuals.items())
        if residuals[best] <= ANCHOR_MATCH_M and all(value >= ANCHOR_REJECT_M for value in others):
            decision.crs, decision.certain, decision.source = best, True, "anchors"
            decision.candidates = [best] + [c for c in decision.candidates if c != best]
            decision.notes.append(Note(f"{count} 个要素与本图地点同名；偏移中位数：{summary_zh}",
                                       f"{count} named features matched our places; median offset: {summary}"))
            return
        decision.notes.append(Note(f"{count} 个要素与本图地点同名，但没有一种偏移明显吻合（{summary_zh}）",
                                   f"{count} named features matched our places but no offset fits clearly ({summary})"))
    if declared_by == "format":
        decision.certain, decision.source = True, "format"
        decision.notes.append(Note("文件或其格式标明为 WGS84（GeoJSON RFC 7946、KML 或经纬度标注）；"
                                   "如数据来自高德或百度，请选择 GCJ-02 或 BD-09",
                                   "the file or its format says WGS84 (GeoJSON RFC 7946, KML, a lon/lat label); "
                                   "if it came from AMap or Baidu, choose GCJ-02 or BD-09"))


def anchor_residuals(frame: gpd.GeoDataFrame, anchors: gpd.GeoDataFrame) -> dict[str, float]:
    """Median distance (m) between the file's features and our places of the same name, per offset system."""
    names = anchors.drop_duplicates("name_zh").set_index("name_zh").geometry
    names = names[~names.index.isin(["", "nan"])]
    text_columns = [c for c in frame.columns if c != frame.geometry.name
                    and (pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)]
    # Per feature, the first column (in order) whose text, or the text ± "站", names one of our places; by
    # whole columns at once: a feature loop took 111 s for 1 000 000 parcels.
    geometry = frame.geometry.reset_index(drop=True)
    usable = (geometry.notna() & ~geometry.is_empty).to_numpy()
    matched = pd.Series(None, index=geometry.index, dtype=object)
    for column in text_columns:
        text = frame[column].astype(str).str.strip().reset_index(drop=True)
        for name in (text, text + "站", text.str.removesuffix("站")):
            hit = matched.isna().to_numpy() & usable & name.isin(names.index).to_numpy()
            matched[hit] = name[hit]
    matched = matched.dropna()
    result: dict[str, float] = {"_count": len(matched)}
    if matched.empty:
        return result
    ours = gpd.GeoSeries(shapely.centroid(names[matched.to_numpy()].to_numpy()), crs=WGS84)
    theirs = gpd.GeoDataFrame(geometry=shapely.centroid(geometry[matched.index].to_numpy()), crs=None)
    ours_m = ours.to_crs(EQUAL_AREA_CRS)
    for system in (WGS84, GCJ02, BD09):
        moved = to_wgs84(theirs, system).geometry.to_crs(EQUAL_AREA_CRS)
        result[system] = float(np.median(moved.distance(ours_m, align=False)))
    return result
