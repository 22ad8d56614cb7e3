"""Planner files made in the tests: one WGS84 twin, written in every format and coordinate system we read.

The twin: a red line (项目红线) inside CBD核心区, a parcel in the sub-centre's 行政办公区, and two stations
named as in our rail layer (国贸, 呼家楼) so that an offset can be told from anchors.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import Point, box

from geo.crs import from_wgs84

RED_LINE = box(116.4575, 39.9095, 116.4598, 39.9115)
ADMIN_PARCEL = box(116.7230, 39.9140, 116.7270, 39.9180)
STATIONS = {"国贸": Point(116.455647, 39.907016), "呼家楼": Point(116.455496, 39.9221)}


def twin() -> gpd.GeoDataFrame:
    """The WGS84 truth every fixture is made from."""
    return gpd.GeoDataFrame(
        {"编号": ["A-01", "B-07", "S1", "S2"], "名称": ["项目红线", "行政办公区地块", "国贸", "呼家楼"],
         "用地": ["商务", "行政办公", "", ""]},
        geometry=[RED_LINE, ADMIN_PARCEL, STATIONS["国贸"], STATIONS["呼家楼"]], crs=4326)


def parcels() -> gpd.GeoDataFrame:
    return twin().iloc[:2].reset_index(drop=True)


def stations() -> gpd.GeoDataFrame:
    return twin().iloc[2:].reset_index(drop=True)


def geojson_gcj02(folder: Path) -> Path:
    """AMap-style GeoJSON: GCJ-02 coordinates, no crs member (RFC 7946 claims WGS84)."""
    path = folder / "amap_site.geojson"
    from_wgs84(twin(), "gcj02").set_crs(4326, allow_override=True).to_file(path, driver="GeoJSON")
    return path


def shapefile_gbk_xian80(folder: Path) -> Path:
    """A zipped Shapefile in Xi'an 1980 3° Gauss-Krüger zone 39 (with .prj), DBF in GBK and no .cpg."""
    work = folder / "shp"
    work.mkdir()
    pyogrio.write_dataframe(parcels().to_crs(2363), work / "地块.shp", encoding="GBK")
    for cpg in work.glob("*.cpg"):
        cpg.unlink()
    path = folder / "parcels_gbk.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in work.iterdir():
            archive.write(member, member.name)
    return path


def geopackage_cgcs2000_gk(folder: Path) -> Path:
    """A GeoPackage in CGCS2000 3° Gauss-Krüger zone 39 (EPSG:4527) with two layers: stations and parcels."""
    path = folder / "site_cgcs2000.gpkg"
    pyogrio.write_dataframe(stations().to_crs(4527), path, layer="stations")
    pyogrio.write_dataframe(parcels().to_crs(4527), path, layer="parcels", append=False)
    return path


def dxf_gk_cm117(folder: Path) -> Path:
    """A CAD red line: DXF in CGCS2000 Gauss-Krüger CM 117°E, no zone number, nothing saying so."""
    path = folder / "red_line.dxf"
    frame = parcels().rename(columns={"名称": "Layer"})[["Layer", "geometry"]].to_crs(4548)
    pyogrio.write_dataframe(frame, path, driver="DXF")
    return path


def csv_bd09_bom(folder: Path) -> Path:
    """A spreadsheet export from Baidu: BD-09 经度/纬度, UTF-8 with a BOM, station names for anchors."""
    shifted = from_wgs84(twin(), "bd09").geometry.representative_point()
    table = pd.DataFrame({"名称": twin()["名称"], "经度": shifted.x.round(7), "纬度": shifted.y.round(7)})
    path = folder / "points_bd09.csv"
    path.write_bytes(b"\xef\xbb\xbf" + table.to_csv(index=False).encode("utf-8"))
    return path


def xlsx_wkt_mercator(folder: Path) -> Path:
    """A workbook of WKT in Web Mercator metres on its second sheet."""
    mercator = parcels().to_crs(3857)
    table = pd.DataFrame({"编号": mercator["编号"], "WKT": shapely.to_wkt(mercator.geometry.values, rounding_precision=3)})
    path = folder / "parcels_wkt.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"说明": ["坐标: Web Mercator"]}).to_excel(writer, sheet_name="说明", index=False)
        table.to_excel(writer, sheet_name="地块", index=False)
    return path


def kml_wgs84(folder: Path) -> Path:
    path = folder / "site.kml"
    frame = parcels().rename(columns={"名称": "Name"})
    pyogrio.write_dataframe(frame, path, driver="KML")
    return path


def zipped(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, path.name)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """20 MB of zeros that pack to about 20 kB: over the 100:1 ratio, under any size limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("parcels.shp", bytes(20 * 2**20))
    return buffer.getvalue()


def zip_traversal(path: Path) -> bytes:
    """A zipped layer whose entry climbs out of the folder it is unpacked into."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, f"../../etc/{path.name}")
    return buffer.getvalue()


def shapefile_zip_without(folder: Path, part: str) -> bytes:
    """The parcels as a zipped WGS84 shapefile with one of its parts (".shx", ".dbf"…) left out."""
    work = folder / f"shp_no{part[1:]}"
    work.mkdir()
    pyogrio.write_dataframe(parcels(), work / "parcels.shp", encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in work.iterdir():
            if member.suffix.lower() != part:
                archive.write(member, member.name)
    return buffer.getvalue()


def geojson_text(features: list[dict]) -> bytes:
    """A FeatureCollection written as planners' tools write it, one feature a line."""
    lines = ",\n".join(json.dumps(feature, ensure_ascii=False) for feature in features)
    return f'{{"type": "FeatureCollection", "features": [\n{lines}\n]}}'.encode()


def collection_feature() -> dict:
    """A parcel drawn with its gate as one GeometryCollection (a point and a polygon)."""
    return {"type": "Feature", "properties": {"id": "bag"},
            "geometry": {"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [116.4580, 39.9100]}, shapely.geometry.mapping(RED_LINE)]}}


def open_ring_feature() -> dict:
    """A polygon whose ring stops one point short of where it began."""
    ring = list(RED_LINE.exterior.coords)[:-1]
    return {"type": "Feature", "properties": {"id": "open"},
            "geometry": {"type": "Polygon", "coordinates": [[list(point) for point in ring]]}}


def twin_feature() -> dict:
    """The red line as a plain GeoJSON feature with an id."""
    return {"type": "Feature", "properties": {"id": "A-01"}, "geometry": shapely.geometry.mapping(RED_LINE)}
