"""Exports of the declared layers for GIS work, and of the plan tables for spreadsheets.

Every function returns bytes (what a Streamlit download button wants) and, given a path, also writes
them there. Layers come from the catalogue declarations, so an export holds exactly what the map shows;
a session's own layers come as (declaration, features) pairs (layers/own_layers.py) and go the same way.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
import simplekml
from simplekml.featgeom import Geometry
from shapely.geometry.base import BaseGeometry

from geo.geojson import geojson_text, round_geometry
from geo.places import CITY, load_declared, load_places, load_unplaced_lines
from geo.plan import Plan, load_plan
from layers.catalog import LayerSpec, feature_color, layer_frame, load_catalog
from layers.qml import QGIS_LAYER_STYLES_DDL, layer_qml, qml_font_family
from layers.safe_files import write_atomically
from layers.safe_text import neutralise_formula

# GeoPackage 1.2 rather than GDAL's newest: QGIS and GDAL builds still in use (3.6, Debian 12) read it cleanly.
GPKG_DATASET_OPTIONS = {"VERSION": "1.2"}
SHAPEFILE_NAME_CHARS = 10
SHAPEFILE_TEXT_BYTES = 254
GEOMETRY_FAMILIES = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "polygon", "MultiPolygon": "polygon",
}


MAX_EXPORT_MB_ENV = "PLANMAP_MAX_EXPORT_MB"
DEFAULT_MAX_EXPORT_MB = 200
# Bytes a coordinate and a property take in each layer format, measured on the shipped layers and rounded up:
# the size of an export is estimated from them before anything is built (KML was ~21 kB per parcel).
COORDINATE_BYTES = {"geojson": 24, "kml": 28, "gpkg": 16, "shp": 16}
PROPERTY_BYTES = {"geojson": 6, "kml": 80, "gpkg": 4, "shp": 4}  # plus the property's name in text formats
FEATURE_BYTES = {"geojson": 80, "kml": 400, "gpkg": 120, "shp": 16}


OwnLayers = Sequence[tuple[LayerSpec, gpd.GeoDataFrame]]  # a session's own layers, declared and read


class ExportError(ValueError):
    """An export that cannot be made as asked: unknown format, layers missing or given where none apply."""


class ExportTooLarge(ExportError):
    """An export over the size limit (PLANMAP_MAX_EXPORT_MB), refused before it is built."""

    def __init__(self, estimate: int, limit: int) -> None:
        super().__init__(f"the export would take about {estimate / 2**20:,.0f} MB, over the {limit / 2**20:,.0f} MB "
                         f"limit ({MAX_EXPORT_MB_ENV}); choose fewer layers")
        self.estimate, self.limit = estimate, limit


def max_export_bytes() -> int:
    try:
        return int(float(os.environ.get(MAX_EXPORT_MB_ENV, DEFAULT_MAX_EXPORT_MB)) * 2**20)
    except ValueError:
        return DEFAULT_MAX_EXPORT_MB * 2**20


def estimated_bytes(format_name: str, frames: list[gpd.GeoDataFrame]) -> int:
    """The size a layer export will about have: its coordinates and its property text, per format."""
    total = 0
    for frame in frames:
        coordinates = int(shapely.get_num_coordinates(frame.geometry.values).sum())
        attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        text = len(attributes.to_csv(index=False, header=False).encode("utf-8"))
        names = sum(map(len, attributes.columns)) if format_name in ("geojson", "kml") else 0
        total += (coordinates * COORDINATE_BYTES[format_name] + text + len(frame) * FEATURE_BYTES[format_name]
                  + attributes.size * PROPERTY_BYTES[format_name] + len(frame) * names)
    return total


def chosen_layers(ids: list[str] | str, format_name: str | None = None,
                  own: OwnLayers = ()) -> list[tuple[LayerSpec, gpd.GeoDataFrame]]:
    """Each chosen layer's declaration and features (EPSG:4326) in drawing order, then the own layers given;
    unknown ids raise KeyError.

    With `format_name`, an export estimated over the size limit is refused here, before it is built.
    """
    specs = load_catalog().resolve(ids or [])
    if not specs and not own:
        raise ExportError("no layers chosen")
    taken = {spec.id for spec in specs}
    if len(taken | {spec.id for spec, _frame in own}) < len(specs) + len(own):
        raise ExportError("two layers of the export have the same id: " + ", ".join(spec.id for spec, _frame in own))
    chosen = [(spec, layer_frame(spec)) for spec in specs] + [(spec, frame.copy()) for spec, frame in own]
    if format_name is not None:
        estimate, limit = estimated_bytes(format_name, [frame for _spec, frame in chosen]), max_export_bytes()
        if estimate > limit:
            raise ExportTooLarge(estimate, limit)
    return chosen


def to_geojson(ids: list[str] | str, path: Path | None = None, own: OwnLayers = ()) -> bytes:
    """One RFC 7946 FeatureCollection; each feature's `layer` property names the layer it came from."""
    frames = [frame.assign(layer=spec.id) for spec, frame in chosen_layers(ids, "geojson", own)]
    combined = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    combined = combined[["layer"] + [column for column in combined.columns if column != "layer"]]
    return _deliver(geojson_text(combined).encode("utf-8"), path)


def to_geopackage(ids: list[str] | str, path: Path | None = None, own: OwnLayers = ()) -> bytes:
    """One GeoPackage, each chosen layer its own table named by its id and described by its titles, and each
    layer's declared style stored as QGIS stores it, so QGIS opens the layers looking as they do on screen."""
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "layers.gpkg"
        chosen = chosen_layers(ids, "gpkg", own)
        for spec, frame in chosen:
            first = not target.exists()
            pyogrio.write_dataframe(
                frame, target, layer=spec.id, driver="GPKG", append=not first,
                dataset_options=GPKG_DATASET_OPTIONS if first else None,
                layer_options={"IDENTIFIER": spec.title_zh, "DESCRIPTION": f"{spec.title_zh} / {spec.title_en}"},
            )
        write_qgis_styles(target, [spec for spec, _frame in chosen])
        return _deliver(target.read_bytes(), path)


def write_qgis_styles(target: Path, specs: list[LayerSpec]) -> None:
    """Store each layer's style in the `layer_styles` table as QGIS does (QGIS's own DDL, registered in
    gpkg_contents as an attributes table, one default style per layer), so QGIS applies it on opening."""
    with closing(sqlite3.connect(target)) as database, database:
        database.execute(QGIS_LAYER_STYLES_DDL)
        database.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
        geometry_columns = dict(database.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        family = qml_font_family()
        database.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
            "styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
            [(spec.id, geometry_columns.get(spec.id, "geom"), spec.title_zh, layer_qml(spec, family),
              f"Plan Map: {spec.title_zh} / {spec.title_en}") for spec in specs])


def to_shapefile_zip(ids: list[str] | str, path: Path | None = None, own: OwnLayers = ()) -> bytes:
    """A zip of shapefiles: one per layer and geometry type, UTF-8 (.cpg), with fields.csv mapping field names.

    Shapefiles hold one geometry type and 10-character field names; text over 254 bytes is cut at a
    character boundary and the count of cut values is recorded in fields.csv (GeoPackage keeps them whole).
    """
    mapping_rows: list[dict[str, object]] = []
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for spec, frame in chosen_layers(ids, "shp", own):
            for stem, part in _split_by_geometry(spec.id, frame).items():
                names = short_field_names([column for column in part.columns if column != part.geometry.name])
                shaped, cut = _fit_text(part)
                shaped = shaped.rename(columns=names)
                target = Path(scratch) / f"{stem}.shp"
                pyogrio.write_dataframe(shaped, target, driver="ESRI Shapefile", encoding="UTF-8",
                                        promote_to_multi=True)
                for written in sorted(Path(scratch).glob(f"{stem}.*")):
                    archive.write(written, written.name)
                mapping_rows += [{"file": f"{stem}.shp", "layer": spec.id, "field": field, "shapefile_field": short,
                                  "truncated_values": cut.get(field, 0)} for field, short in names.items()]
        safe_rows = [{key: neutralise_formula(value) for key, value in row.items()} for row in mapping_rows]
        archive.writestr("fields.csv", _csv_text(safe_rows).encode("utf-8-sig"))
    return _deliver(buffer.getvalue(), path)


def to_kml(ids: list[str] | str, path: Path | None = None, own: OwnLayers = ()) -> bytes:
    """KML with one folder per layer, features named in Chinese and styled with the declared colours."""
    chosen = chosen_layers(ids, "kml", own)
    document = simplekml.Kml(name="北京规划一张图 Plan Map")
    for spec, frame in chosen:
        folder = document.newfolder(name=spec.title_zh, description=spec.title_en)
        styles: dict[str, simplekml.Style] = {}
        for properties, geometry in _records(frame):
            color = feature_color(spec, properties)
            style = styles.setdefault(color, _kml_style(spec, color))
            feature = _kml_geometry(folder, round_geometry(geometry))
            feature.name = str(properties.get("name_zh") or properties.get("id", ""))
            feature.style = style
            for key, value in properties.items():
                if value is not None:
                    feature.extendeddata.newdata(name=key, value=xml_escape(str(value)))
    return _deliver(document.kml().encode("utf-8"), path)


def plan_tables(plan: Plan | None = None) -> dict[str, pd.DataFrame]:
    """The plan tables joined to places: tasks one row per (task, place); indicator values with place names."""
    plan = plan or load_plan()
    index = place_index(plan)
    tasks = plan.tasks.assign(place_id=plan.tasks["places"].apply(_place_ids)).explode("place_id")
    tasks = tasks[tasks["place_id"].fillna("") != ""].drop(columns="places")
    return {
        "tasks": tasks.merge(index, how="left", left_on="place_id", right_index=True).reset_index(drop=True),
        "indicators": plan.indicator_table().merge(index, how="left", left_on="place", right_index=True)
        .reset_index(drop=True),
    }


def place_index(plan: Plan) -> pd.DataFrame:
    """Every place id a plan row can name: names, source layer, and a representative lon/lat where it has geometry."""
    places = load_places().drop_duplicates("id")
    points = places.geometry.representative_point()
    mapped = pd.DataFrame({"place_id": places["id"], "place_name_zh": places["name_zh"],
                           "place_name_en": places["name_en"], "place_layer": places["layer"],
                           "place_lon": points.x.round(6), "place_lat": points.y.round(6)})
    named = pd.concat([load_unplaced_lines().assign(layer="rail_unplaced"), plan.structure.assign(layer="structure"),
                       load_declared().assign(layer="declared"), pd.DataFrame([CITY])], ignore_index=True)
    named = named.rename(columns={"id": "place_id", "name_zh": "place_name_zh", "name_en": "place_name_en",
                                  "layer": "place_layer"})[mapped.columns[:4]]
    return pd.concat([mapped, named], ignore_index=True).drop_duplicates("place_id").set_index("place_id")


def tasks_csv(path: Path | None = None) -> bytes:
    """The tasks joined to places as CSV in UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    return _deliver(_spreadsheet_safe(plan_tables()["tasks"]).to_csv(index=False).encode("utf-8-sig"), path)


def plan_xlsx(path: Path | None = None) -> bytes:
    """A workbook with the tasks and the indicator values, each joined to places, header rows frozen."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, table in plan_tables().items():
            _spreadsheet_safe(table).to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
    return _deliver(buffer.getvalue(), path)


@dataclass(frozen=True)
class ExportFormat:
    """How one format is offered: file extension and MIME type for downloads, and whether it takes layers."""

    name: str
    extension: str
    media_type: str
    uses_layers: bool
    make: Callable[..., bytes]


FORMATS: dict[str, ExportFormat] = {
    "geojson": ExportFormat("geojson", ".geojson", "application/geo+json", True, to_geojson),
    "gpkg": ExportFormat("gpkg", ".gpkg", "application/geopackage+sqlite3", True, to_geopackage),
    "shp": ExportFormat("shp", ".zip", "application/zip", True, to_shapefile_zip),
    "kml": ExportFormat("kml", ".kml", "application/vnd.google-earth.kml+xml", True, to_kml),
    "csv": ExportFormat("csv", ".csv", "text/csv", False, tasks_csv),
    "xlsx": ExportFormat("xlsx", ".xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False, plan_xlsx),
}


def export(format_name: str, ids: list[str] | str | None = None, path: Path | None = None,
           own: OwnLayers = ()) -> bytes:
    """Dispatch by format name; layer formats need ids or own layers, the plan-table formats take neither."""
    if format_name not in FORMATS:
        raise ExportError(f"unknown export format {format_name!r}; choose one of {', '.join(FORMATS)}")
    chosen = FORMATS[format_name]
    if chosen.uses_layers:
        if not ids and not own:
            raise ExportError(f"{format_name} exports layers: name them (e.g. cbd_core,rail_operating)")
        return chosen.make(ids or [], path, own)
    if ids or own:
        raise ExportError(f"{format_name} exports the plan tables, not layers: leave the layers out")
    return chosen.make(path)


def short_field_names(columns: list[str]) -> dict[str, str]:
    """Unique names of at most 10 characters, keeping short names as they are and numbering clashes."""
    names: dict[str, str] = {}
    taken = {column for column in columns if len(column) <= SHAPEFILE_NAME_CHARS}
    for column in columns:
        if len(column) <= SHAPEFILE_NAME_CHARS:
            names[column] = column
            continue
        short, number = column[:SHAPEFILE_NAME_CHARS], 1
        while short in taken:
            suffix = f"_{number}"
            short, number = column[:SHAPEFILE_NAME_CHARS - len(suffix)] + suffix, number + 1
        taken.add(short)
        names[column] = short
    return names


def _split_by_geometry(layer_id: str, frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """A shapefile holds one geometry type: split mixed layers, suffixing the file stem by type."""
    families = frame.geom_type.map(GEOMETRY_FAMILIES)
    groups = {family: frame[families == family] for family in families.dropna().unique()}
    if len(groups) == 1:
        return {layer_id: next(iter(groups.values()))}
    return {f"{layer_id}_{family}": part for family, part in groups.items()}


def _fit_text(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Cut text values to the DBF limit of 254 bytes without splitting a UTF-8 character."""
    fitted, cut = frame.copy(), {}
    for column in frame.columns:
        if column == frame.geometry.name or not pd.api.types.is_string_dtype(frame[column]):
            continue
        too_long = frame[column].fillna("").astype(str).str.encode("utf-8").str.len() > SHAPEFILE_TEXT_BYTES
        if too_long.any():
            fitted.loc[too_long, column] = frame.loc[too_long, column].map(_cut_utf8)
            cut[column] = int(too_long.sum())
    return fitted, cut


def _cut_utf8(text: str) -> str:
    return text.encode("utf-8")[:SHAPEFILE_TEXT_BYTES].decode("utf-8", errors="ignore")


def _records(frame: gpd.GeoDataFrame) -> list[tuple[dict[str, object], BaseGeometry]]:
    """(properties, geometry) per feature, with missing values as None and numbers as plain Python types."""
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    properties = json.loads(attributes.to_json(orient="records", force_ascii=False))
    return list(zip(properties, frame.geometry))


def _kml_style(spec: LayerSpec, color: str) -> simplekml.Style:
    """The declared stroke, fill and point style in KML's colour notation."""
    style = simplekml.Style()
    style.linestyle.color = simplekml.Color.hexa(color.lstrip("#") + "ff")
    style.linestyle.width = spec.weight
    fill = spec.fill_color or color
    fill_alpha = f"{round(spec.fill_opacity * 255):02x}"
    style.polystyle.color = simplekml.Color.hexa(fill.lstrip("#") + fill_alpha)
    style.polystyle.fill = int(spec.fill_color is not None and spec.fill_opacity > 0)
    style.iconstyle.color = simplekml.Color.hexa(color.lstrip("#") + "ff")
    return style


def _kml_geometry(container: simplekml.Folder | simplekml.MultiGeometry, geometry: BaseGeometry) -> Geometry:
    """Add one shapely geometry to a KML folder or multi-geometry and return the new KML feature."""
    kind = geometry.geom_type
    if kind == "Point":
        return container.newpoint(coords=[geometry.coords[0]])
    if kind == "LineString":
        return container.newlinestring(coords=list(geometry.coords))
    if kind == "Polygon":
        return container.newpolygon(outerboundaryis=list(geometry.exterior.coords),
                                    innerboundaryis=[list(ring.coords) for ring in geometry.interiors])
    multi = container.newmultigeometry()
    for part in geometry.geoms:
        _kml_geometry(multi, part)
    return multi


def _place_ids(cell: object) -> list[str]:
    """The place ids of a task, whether the table keeps them as a list or as a `;`-joined cell."""
    if isinstance(cell, (list, tuple)):
        return [str(place) for place in cell if place]
    return [place for place in str(cell or "").split(";") if place]


def _csv_text(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["file"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Every text cell that a spreadsheet would run as a formula, prefixed with an apostrophe (OWASP)."""
    return table.map(neutralise_formula)


def _deliver(data: bytes, path: Path | None) -> bytes:
    """The export's bytes, refused when over the size limit, and written whole (or not at all) to `path`."""
    if len(data) > max_export_bytes():
        raise ExportTooLarge(len(data), max_export_bytes())
    if path is not None:
        write_atomically(Path(path), data)
    return data
