"""添加图层 / Add layer: a planner's own file on the map, checked, repaired and run through the site check.

Uploaded layers live in this session's st.session_state only (never in a cache shared between sessions,
never in the URL, never on disk beyond the reader's temporary directory), so another session cannot see
them and they are gone when the session ends. The file's size is checked before its bytes are read.
"""
from __future__ import annotations

import base64
import html
import json
import math
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.errors
import shapely.geometry
import streamlit as st

from geo.archives import MB, max_layer_bytes
from geo.crs import BD09, GCJ02, WEB_MERCATOR, WGS84, CrsError, label, parse_crs, to_wgs84
from geo.gcj02 import shift_frame
from geo.geojson import feature_collection
from geo.readers import SUFFIXES, ReadError, check_size
from geo.repair import HEADERS, report_csv, report_table
from geo.sitecheck import NEAR_M, check_site, site_check_dict
from geo.userlayer import UserLayer, load_user_layer
from layers import serving, tiles
from layers.assets import vendor_url
from layers.catalog import load_catalog
from layers.i18n import PLACE_LAYERS, SITE_RELATIONS, STATUS, distance_text, pick, share_text, site_size, t
from layers.mercator import MercatorShapes
from layers.own_layers import PALETTE, export_ids, feature_colours, own_export_layer
from layers.raster import coloured
from layers.safe_text import markdown_inert
from layers.view_state import ViewState

if TYPE_CHECKING:
    from layers.export import OwnLayers

LAYERS_KEY = "user_layers"  # {name: {"layer": UserLayer, "ref": str, "colour": str, "column": str | None, ...}}
PICK_KEY = "user_pick"  # (layer name, row) of the feature whose site check is shown; (DRAWN, n) for a drawn shape
DRAWN = ""  # the pick's "layer" for a shape drawn on the map (no uploaded layer has an empty name)
DRAWN_KEY = "user_drawn"  # the shapes drawn on the map, as WGS84 GeoJSON geometries, in drawing order
DRAWN_SEEN_KEY = "_drawings_seen"  # the map's last reported drawings, as it reported them
DRAWN_LIMIT, DRAWN_COORDINATES = 50, 10_000  # shapes and corners taken from the browser, at most
LINK_NOTICE_KEY = "_mine_unknown"  # the link named own layers this session does not hold
PICK_BOX = "user_pick_box"
SHAPES_KEY = "_shapes_"  # an entry's MercatorShapes per datum: "_shapes_wgs84", "_shapes_gcj02"
LABEL_FIELD_KEY = "_label_field"  # an entry's column naming its features in tooltips
COLOURS_KEY = "_colours"  # an entry's (style, (colour per feature, legend))
NO_VALUE = "–"  # a tooltip's value of the colour column where a feature has none
VECTOR_LIMIT = 5000  # above this many features a layer is drawn as one image (as the catalogue's big layers)
PICK_LIST_LIMIT = 5000  # rows offered in the site check's list
SCHEMES = ("Quantiles", "NaturalBreaks", "EqualInterval")
COMMON_SYSTEMS = (WGS84, GCJ02, BD09, "EPSG:4490", WEB_MERCATOR, "EPSG:4527", "EPSG:4548", "EPSG:4498",
                  "EPSG:4509", "EPSG:2415", "EPSG:2436", "EPSG:2363", "EPSG:2384")
TEXT = {
    "add_layer": ("添加图层", "Add layer"),
    "size_limit": ("单个文件不超过 {mb} MB", "Files up to {mb} MB"), "file": ("文件（GeoJSON、GPKG、SHP压缩包、KML、DXF、CSV、XLSX）",
                                                 "File (GeoJSON, GPKG, zipped SHP, KML, DXF, CSV, XLSX)"),
    "layer": ("图层 / 工作表", "Layer / sheet"), "crs": ("坐标系", "Coordinate system"),
    "crs_ask": ("无法确定坐标系，请选择：", "The coordinate system cannot be told for sure; choose it:"),
    "crs_choose": ("请选择坐标系", "Choose a coordinate system"),
    "crs_other": ("其他 EPSG 代码", "Other EPSG code"), "report": ("检查与修复", "Check and repair"),
    "no_problems": ("未发现问题", "No problems found"), "download_report": ("下载检查报告 (CSV)", "Download the report (CSV)"),
    "colour": ("颜色", "Colour"), "by_column": ("按字段着色", "Colour by column"), "none": ("（单一颜色）", "(one colour)"),
    "scheme": ("分级方法", "Classification"), "classes": ("级数", "Classes"), "add": ("加入地图", "Add to map"),
    "my_layers": ("我的图层（仅本会话）", "My layers (this session only)"), "remove": ("移除", "Remove"),
    "site_check": ("审查（选择要素）", "Site check (pick a feature)"),
    "pick_feature": ("选择要素，或在地图上点击", "Choose a feature, or click one on the map"), "run_check": ("审查此要素", "Check this feature"),
    "near": ("邻近距离 (米)", "Near (metres)"), "places": ("所在及邻近地点", "Places it lies in, crosses or is near"),
    "tasks": ("适用任务", "Tasks that apply"), "indicators": ("指标", "Indicators"),
    "pdf": ("下载审查报告 (PDF)", "Download the site report (PDF)"), "xlsx": ("下载任务清单 (XLSX)", "Download tasks (XLSX)"),
    "json": ("下载 JSON", "Download JSON"),
    "as_tiles": ("{count} 个要素，超过 {limit}：{zoom} 级及以上以矢量切片显示（可点选），以下显示为图片",
                 "{count} features, above {limit}: vector tiles from zoom {zoom} (clickable), an image below"),
    "drawn": ("绘制的范围 {n}", "Drawn shape {n}"),
    "link_elsewhere": ("这个链接里的自有图层只在添加它的会话中可用",
                       "The own layers in this link are available only in the session that added them"),
    "as_image": ("{count} 个要素，超过 {limit}：以图片显示，不能点选；可在下方按行号选择要素审查",
                 "{count} features, above {limit}: drawn as an image, not clickable; pick a feature by row below"),
}


def text(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "zh" else 1]


def user_layers() -> dict[str, dict]:
    return st.session_state.setdefault(LAYERS_KEY, {})


def add_layer_section(lang: str, places: gpd.GeoDataFrame) -> None:
    """The sidebar's 添加图层: upload, pick a layer and a coordinate system, see the repair report, style, add."""
    with st.expander(text("add_layer", lang), expanded=bool(st.session_state.get("upload_file"))):
        # The browser refuses a bigger file itself, in English only (Streamlit's words): the limit is said first.
        limit_mb = max_layer_bytes() / MB
        uploaded = st.file_uploader(text("file", lang), type=[s.lstrip(".") for s in SUFFIXES], key="upload_file",
                                    max_upload_size=math.ceil(limit_mb))
        st.caption(text("size_limit", lang).format(mb=f"{limit_mb:g}"))
        if uploaded is None:
            return
        try:
            check_size(uploaded.size, uploaded.name)  # the upload's declared size, before its bytes are read
            read = _read(uploaded, lang, places)
        except (ReadError, CrsError) as error:
            st.error(error.text(lang))
            return
        if read is None:
            return
        layer, shapes = read
        for line in layer.summary():
            st.caption(line.text(lang))
        _repair_report(layer, lang)
        style = _style_controls(layer, lang)
        if st.button(text("add", lang), key="upload_add", type="primary"):
            name = _unique_name(uploaded.name)
            user_layers()[name] = {"layer": layer, **style, **({f"{SHAPES_KEY}wgs84": shapes} if shapes else {})}
            st.session_state.pop(LINK_NOTICE_KEY, None)  # this session now has its own layer: the notice is past
            st.session_state[f"user_shown_{name}"] = True
            st.rerun()  # the map was drawn before this sidebar: draw it again with the new layer


def _read(uploaded, lang: str, places: gpd.GeoDataFrame) -> tuple[UserLayer, MercatorShapes | None] | None:
    """Read once per (file, layer, system) and keep the result in this session: reruns do not re-read. A layer
    above VECTOR_LIMIT also gets its shapes prepared for the map (image coverage and tile index, on a WGS84
    basemap), so that 加入地图 only puts on its colours: that drawing took seconds of the planner's wait
    after pressing it."""
    cache = st.session_state.setdefault("_upload_cache", {})
    file_key = (uploaded.file_id, uploaded.name)
    if st.session_state.get("_upload_file_key") != file_key:  # a new file: forget the last file's choices
        st.session_state["_upload_file_key"] = file_key
        for choice in ("upload_layer", "upload_crs"):
            st.session_state.pop(choice, None)
    chosen_layer = st.session_state.get("upload_layer")
    chosen_crs = st.session_state.get("upload_crs")
    key = file_key + (chosen_layer, chosen_crs)
    if key not in cache:
        cache.clear()  # one upload at a time: a new file or choice replaces the last read
        crs = parse_crs(chosen_crs) if chosen_crs else None
        read = load_user_layer(uploaded.name, uploaded.getvalue(), crs, chosen_layer, anchors=places)
        big = not read.needs_crs and len(read.frame) > VECTOR_LIMIT
        cache[key] = (read, MercatorShapes(read.frame).prepare() if big else None)
    layer, shapes = cache[key]
    if len(layer.source.layers) > 1:
        st.selectbox(text("layer", lang), layer.source.layers, key="upload_layer")
    # Always offered (a file labelled WGS84 may come from AMap); empty means "as detected" when detection is sure.
    candidates = layer.decision.candidates + [c for c in COMMON_SYSTEMS if c not in layer.decision.candidates]
    if layer.needs_crs:
        st.warning(text("crs_ask", lang) + " " + " ".join(note.text(lang) for note in layer.decision.notes))
    st.selectbox(text("crs", lang), candidates, key="upload_crs", index=None,
                 format_func=lambda code: label(code, lang),
                 placeholder=text("crs_choose", lang) if layer.needs_crs else label(layer.crs, lang))
    return None if layer.needs_crs else (layer, shapes)


def _repair_report(layer: UserLayer, lang: str) -> None:
    st.markdown(f"**{text('report', lang)}**")
    if layer.report.empty:
        st.caption(text("no_problems", lang))
        return
    st.dataframe(report_table(layer.report, lang), hide_index=True, height=min(35 * (len(layer.report) + 1) + 3, 250),
                 column_config={column: pick(words, lang) for column, words in HEADERS.items()})
    st.download_button(text("download_report", lang), report_csv(layer.report, lang), file_name="repair_report.csv",
                       mime="text/csv", key="upload_report_csv")


def _style_controls(layer: UserLayer, lang: str) -> dict:
    columns = [c for c in layer.frame.columns if c != layer.frame.geometry.name]
    colour = st.color_picker(text("colour", lang), PALETTE[len(user_layers()) % len(PALETTE)], key="upload_colour")
    column = st.selectbox(text("by_column", lang), [None] + columns, key="upload_column",
                          format_func=lambda c: text("none", lang) if c is None else str(c))
    style = {"colour": colour, "column": column, "scheme": None, "k": 5}
    if column is not None and pd.api.types.is_numeric_dtype(pd.to_numeric(layer.frame[column], errors="coerce")) \
            and pd.to_numeric(layer.frame[column], errors="coerce").notna().any():
        style["scheme"] = st.selectbox(text("scheme", lang), SCHEMES, key="upload_scheme")
        style["k"] = st.slider(text("classes", lang), 2, 7, 5, key="upload_k")
    return style


def _unique_name(name: str) -> str:
    existing, candidate, number = user_layers(), name, 2
    while candidate in existing:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def tooltips(layer_name: str, entry: dict, rows: slice | np.ndarray = slice(None)) -> list[str]:
    """Feature tooltips '⬚ layer #row · label[ · column=value]' of the features at `rows` (positions): unique,
    so a click names the feature."""
    positions = rows.tolist() if isinstance(rows, np.ndarray) else range(len(entry["layer"].frame))[rows]
    prefix = tile_prefix(layer_name)
    return [f"{prefix}{position + 1}{label}" for position, label in zip(positions, _labels(entry, rows))]


def _labels(entry: dict, rows: slice | np.ndarray) -> list[str]:
    """What follows '#row' in the tooltips of the features at `rows`: ' · label' and ' · column=value', either
    possibly absent (built column-wise: a million parcels take a second, not a minute)."""
    frame = entry["layer"].frame.iloc[rows]
    text = pd.Series("", index=frame.index, dtype=object)
    label_field = _label_field(entry)
    if label_field is not None:
        labels = frame[label_field]
        text = text.where(labels.isna(), " · " + labels.astype(str))
    if entry.get("column") is not None:  # a missing value stays missing when made text: shown as a dash
        text = text + f" · {entry['column']}=" + frame[entry["column"]].astype(str).fillna(NO_VALUE)
    return text.tolist()


def tile_prefix(layer_name: str) -> str:
    """What every tooltip of the layer starts with, up to its row number."""
    return f"⬚ {layer_name} #"


def tooltip(layer_name: str, row: int, entry: dict) -> str:
    return tooltips(layer_name, entry, slice(row - 1, row))[0]


def _label_field(entry: dict) -> str | None:
    """The id column, else the first text column: what names a feature in its tooltip (found once per layer and
    kept in its entry: without an id column, finding it looks at every value of the columns before it)."""
    if LABEL_FIELD_KEY not in entry:
        layer: UserLayer = entry["layer"]
        columns = [c for c in layer.frame.columns if c != layer.frame.geometry.name]
        entry[LABEL_FIELD_KEY] = layer.id_field if layer.id_field is not None else \
            next((c for c in columns if layer.frame[c].map(lambda v: isinstance(v, str)).any()), None)
    return entry[LABEL_FIELD_KEY]


def add_to_map(group, datum: str) -> None:
    """Each shown user layer as inline GeoJSON in the map's overlay group (escaped like every other layer);
    a layer above VECTOR_LIMIT features as one server-drawn image instead (the sidebar says so)."""
    for name, entry in user_layers().items():
        if not st.session_state.get(f"user_shown_{name}", True):
            continue
        frame: gpd.GeoDataFrame = entry["layer"].frame
        if len(frame) > VECTOR_LIMIT:
            url, bounds = _image(entry, datum)
            if serving.is_mounted():
                tile_set = _tiles(entry, datum)
                group.add_vector_tiles(tile_set.url_template(), {
                    "layer": tiles.LAYER_NAME, "minZoom": tile_set.min_zoom, "colour": entry["colour"],
                    "tipPrefix": tile_prefix(name), "fidPrefix": f"user:{name}:",
                    "maxNativeZoom": tiles.MAX_NATIVE_ZOOM, "image": {"url": url, "bounds": bounds},
                    "script": vendor_url("leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")})
            else:
                group.add_image(url, bounds)
            continue
        colours, _legend = _colours(entry)
        slim = frame[[frame.geometry.name]].reset_index(drop=True)
        slim = shift_frame(slim) if datum == "gcj02" else slim
        slim["fid"] = [f"user:{name}:{row}" for row in range(1, len(slim) + 1)]
        slim["tip"] = [html.escape(tip) for tip in tooltips(name, entry)]
        slim["stroke"] = colours
        collection = json.dumps(feature_collection(slim), ensure_ascii=False, separators=(",", ":"))
        for raw, escaped in (("</", "<\\/"), ("{{", "{\\u007b"), ("{%", "\\u007b%"), ("{#", "\\u007b#")):
            collection = collection.replace(raw, escaped)
        group.add_layer(collection, {"style": {"weight": 2.5, "opacity": 0.95, "fillOpacity": 0.35},
                                     "hover": {"weight": 5, "fillOpacity": 0.55}, "radius": 6, "tooltip": True})


def _colours(entry: dict) -> tuple[list[str], list[tuple[str, str]]]:
    """The layer's colour per feature and its legend, kept in its entry for its style: otherwise every run (each
    click) classes a big layer's column again, a pass over all its features."""
    style = (entry["colour"], entry["column"], entry["scheme"], entry["k"])
    if entry.get(COLOURS_KEY, (None,))[0] != style:
        entry[COLOURS_KEY] = (style, feature_colours(entry["layer"].frame, *style))
    return entry[COLOURS_KEY][1]


def _shapes(entry: dict, datum: str) -> MercatorShapes:
    """The big layer's shapes in Web Mercator for the basemap's datum, shared by its image and its tiles (the
    WGS84 ones prepared while the layer was read, see _read)."""
    key = f"{SHAPES_KEY}{datum}"
    if key not in entry:
        frame = entry["layer"].frame
        entry[key] = MercatorShapes(shift_frame(frame) if datum == "gcj02" else frame)
    return entry[key]


def _image(entry: dict, datum: str) -> tuple[str, list[list[float]]]:
    """The big layer's PNG (kept in the session's entry per datum) at an unguessable content-hash URL when the
    server publishes layer data, else as a data URI; and its bounds."""
    key = f"_image_{datum}"
    if key not in entry:
        png, bounds = coloured(_shapes(entry, datum).coverage, entry["colour"], entry["colour"], 0.35)
        url = serving.publish(png, "png") if serving.is_mounted() else \
            "data:image/png;base64," + base64.b64encode(png).decode()
        entry[key] = (url, bounds)
    return entry[key]


def _tiles(entry: dict, datum: str) -> tiles.TileSet:
    """The layer's vector tiles (kept in the session's entry, which alone holds the tile set alive); each tile's
    features get their row, label and colour as the tile is cut."""
    key = f"_tiles_{datum}"
    if key not in entry:
        style = {"layer": entry["layer"], "column": entry["column"]}  # not the entry: it holds the tile set
        colours = None if entry["column"] is None else _colours(entry)[0]
        style[LABEL_FIELD_KEY] = _label_field(entry)

        def properties(positions: np.ndarray) -> list[dict]:
            return [{"row": position + 1, **({"label": label} if label else {}),
                     **({} if colours is None else {"stroke": colours[position]})}
                    for position, label in zip(positions.tolist(), _labels(style, positions))]

        entry[key] = tiles.TileSet(_shapes(entry, datum), properties)
    return entry[key]


def take_click(tooltip_text: str) -> bool:
    """Whether a map click hit a user feature (its tooltip starts '⬚ layer #row'); if so, pick it for the check."""
    clicked = tooltip_text.strip()
    for name, entry in user_layers().items():
        prefix = tile_prefix(name)
        digits = clicked[len(prefix):].split(" ", 1)[0] if clicked.startswith(prefix) else ""
        if digits.isdigit() and 1 <= int(digits) <= len(entry["layer"].frame) \
                and tooltip(name, int(digits), entry) == clicked:
            st.session_state[PICK_KEY] = st.session_state[PICK_BOX] = (name, int(digits))
            return True
    return False


def my_layers_section(lang: str) -> None:
    """The session's layers in the sidebar list: show/hide, legend, remove, and a feature to check."""
    layers = user_layers()
    if not layers:
        return
    st.caption(text("my_layers", lang))
    for name, entry in list(layers.items()):
        st.checkbox(f"{name} · {len(entry['layer'].frame)}", key=f"user_shown_{name}")
        if len(entry["layer"].frame) > VECTOR_LIMIT:
            # The map, drawn before this sidebar, has made the tile set already.
            zoom = next((value.min_zoom for key, value in entry.items() if key.startswith("_tiles_")), None)
            how = "as_tiles" if zoom is not None else "as_image"
            st.caption(text(how, lang).format(count=len(entry["layer"].frame), limit=VECTOR_LIMIT, zoom=zoom))
        legend = _colours(entry)[1]
        for colour, value in legend:
            st.caption(f":material/square: {value}", help=colour)
        if st.button(text("remove", lang), key=f"user_remove_{name}"):
            del layers[name]
            if (st.session_state.get(PICK_KEY) or ("",))[0] == name:
                st.session_state.pop(PICK_KEY, None)
            st.rerun()  # the map was drawn before this sidebar: draw it again without the layer
    # Labelled in one pass per layer: one pass per option cost a big layer's every rerun tens of seconds.
    labels = {(name, row): tip for name, entry in layers.items()
              for row, tip in enumerate(tooltips(name, entry, slice(0, PICK_LIST_LIMIT)), start=1)}
    if st.session_state.get(PICK_BOX) not in labels:
        st.session_state[PICK_BOX] = None
    # A callback, not the return value: it runs before the next run draws the details column.
    st.selectbox(text("site_check", lang), list(labels), format_func=labels.__getitem__, key=PICK_BOX,
                 on_change=_pick_from_box, placeholder=text("pick_feature", lang))


def _pick_from_box() -> None:
    st.session_state[PICK_KEY] = st.session_state[PICK_BOX]


def site_check_panel(lang: str, places: gpd.GeoDataFrame) -> bool:
    """The picked feature's site check in the details column; False when no own feature or drawn shape is picked."""
    pick = st.session_state.get(PICK_KEY)
    if pick and pick[0] == DRAWN:
        return _drawn_check(pick[1], lang, places)
    entry = user_layers().get(pick[0]) if pick else None
    if entry is None:
        return False
    name, row = pick
    layer: UserLayer = entry["layer"]
    attributes = {k: _plain(v) for k, v in layer.frame.iloc[row - 1].drop(layer.frame.geometry.name).items()}
    _site_check(tooltip(name, row, entry), layer.frame.iloc[[row - 1]], row, attributes, name, label(layer.crs, lang),
                layer.id_field, lambda results, near: site_check_dict(layer, results, near), lang, places)
    return True


def _drawn_check(number: int, lang: str, places: gpd.GeoDataFrame) -> bool:
    """The site check of the n-th shape drawn on the map (WGS84, as Leaflet gives it)."""
    drawn = st.session_state.get(DRAWN_KEY) or []
    if not 1 <= number <= len(drawn):
        return False
    title = text("drawn", lang).format(n=number)
    sites = gpd.GeoDataFrame({"name": [title]}, geometry=[shapely.geometry.shape(drawn[number - 1])], crs=4326)
    _site_check(title, sites, number, {"name": title}, title, label(WGS84, lang), "name",
                lambda results, near: {"drawn": True, "crs": WGS84, "near_m": near,
                                       "features": [result.to_dict() for result in results]}, lang, places)
    return True


# The site check's columns (geo/sitecheck.py's names, kept in the data and its downloads) → their header's text key.
SITE_HEADERS = {"relation": "col_relation", "name_zh": "col_name", "name_en": "col_name", "id": "col_id",
                "share": "col_share", "distance_m": "col_distance_m", "layer": "col_layer", "title_zh": "col_task",
                "title_en": "col_task", "via": "via", "via_places": "col_via_places", "status": "status",
                "doc_id": "document", "quote": "col_quote"}


def site_values(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The cells a reader reads as words, in their language: relation, reason, status and layer (the data and
    its downloads keep the codes); a place's share as "62%" and a distance as "280 m", empty where the place
    has none (a place nearby has no share, one the site lies in no distance)."""
    catalog = load_catalog().layers
    words = {"share": share_text, "distance_m": distance_text,
             "relation": lambda code: pick(SITE_RELATIONS.get(code), lang, code),
             "via": lambda code: pick(SITE_RELATIONS.get(code), lang, code),
             "status": lambda code: pick(STATUS.get(code), lang, code),
             "layer": lambda code: catalog[code].title(lang) if code in catalog
             else pick(PLACE_LAYERS.get(code), lang, code)}
    return table.assign(**{column: table[column].map(word) for column, word in words.items() if column in table})


def site_headers(table: pd.DataFrame, lang: str) -> dict[str, str]:
    """A site check table's headers in the reader's language (Streamlit column labels)."""
    return {column: t(SITE_HEADERS[column], lang) for column in table.columns if column in SITE_HEADERS}


def _site_check(title: str, sites: gpd.GeoDataFrame, row: int, attributes: dict, layer_title: str, crs_label: str,
                id_field: str | None, as_json: Callable[[list, float], dict], lang: str,
                places: gpd.GeoDataFrame) -> None:
    """One site's check (an uploaded feature or a drawn shape, the same check): places, tasks, indicators, and
    the report downloads."""
    st.markdown(f"**{text('site_check', lang).split('（')[0].split(' (')[0]} · {markdown_inert(title)}**")
    near = st.number_input(text("near", lang), 50, 5000, int(NEAR_M), step=50, key="user_near")
    result = check_site(sites.geometry.iloc[0], places, near_m=float(near), row=row, attributes=attributes)
    st.caption(f"{crs_label} · " + site_size(result.size, lang))
    st.markdown(f"**{text('places', lang)}**")
    name_column = "name_zh" if lang == "zh" else "name_en"
    table = pd.DataFrame(result.places)
    table = table[[c for c in ("relation", name_column, "id", "share", "distance_m", "layer") if c in table]]
    st.dataframe(site_values(table, lang), hide_index=True, column_config=site_headers(table, lang))
    st.markdown(f"**{text('tasks', lang)}: {len(result.tasks)}**")
    title_column = "title_zh" if lang == "zh" else "title_en"
    if not result.tasks.empty:
        shown = result.tasks[["id", title_column, "via", "via_places", "status", "doc_id", "quote"]].assign(
            via_places=result.tasks["via_places"].map(", ".join))
        st.dataframe(site_values(shown, lang), hide_index=True, height=320, column_config=site_headers(shown, lang))
    st.caption(f"{text('indicators', lang)}: {len(result.indicators)}")
    from layers.site_report import site_pdf, site_xlsx  # matplotlib and openpyxl load only when a check is shown

    columns = st.columns(3)
    # Callables: each file is made only when its button is pressed, not on every rerun.
    columns[0].download_button(text("pdf", lang), lambda: site_pdf([result], sites, places, layer_title, crs_label,
                                                                   float(near), lang),
                               file_name="site_check.pdf", mime="application/pdf", key="user_pdf")
    columns[1].download_button(text("xlsx", lang), lambda: site_xlsx([result], id_field),
                               file_name="site_tasks.xlsx", key="user_xlsx")
    columns[2].download_button(text("json", lang), lambda: json.dumps(as_json([result], float(near)),
                                                                      ensure_ascii=False, indent=1),
                               file_name="site_check.json", mime="application/json", key="user_json")


def new_drawing(value: object) -> bool:
    """True when the map reports drawn shapes this session has not taken yet (the page's run takes them)."""
    drawings = value.get("all_drawings") if isinstance(value, dict) else None
    return isinstance(drawings, list) and drawings != st.session_state.get(DRAWN_SEEN_KEY)


def take_drawing(value: object, datum: str) -> None:
    """A shape drawn (or deleted) on the map since the last run: keep the drawn shapes (in WGS84) and pick the
    last one for the site check. streamlit-folium reports every drawn shape in `all_drawings` after each draw;
    on a GCJ-02 basemap (AMap) they were drawn on its offset imagery, so they are moved back as its layers are."""
    if not new_drawing(value):
        return
    drawings = value["all_drawings"]  # type: ignore[index]
    st.session_state[DRAWN_SEEN_KEY] = drawings
    shapes = [shape for shape in map(_drawn_shape, drawings[:DRAWN_LIMIT]) if shape is not None]
    if shapes and datum == GCJ02:
        shapes = list(to_wgs84(gpd.GeoDataFrame(geometry=shapes), GCJ02).geometry)
    geometries = [shapely.geometry.mapping(shape) for shape in shapes]
    st.session_state[DRAWN_KEY] = geometries
    if geometries:
        st.session_state[PICK_KEY] = (DRAWN, len(geometries))
        st.session_state["place"] = None  # the details column shows the drawn shape's check
    elif (st.session_state.get(PICK_KEY) or ("-",))[0] == DRAWN:
        st.session_state.pop(PICK_KEY, None)


def _drawn_shape(feature: object) -> shapely.Geometry | None:
    """A drawn feature's shape, made valid as an uploaded one is (a polygon drawn crossing itself); none when the
    browser's value is not a usable GeoJSON geometry (it is not trusted)."""
    try:
        shape = shapely.geometry.shape(feature["geometry"])  # type: ignore[index]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError):
        return None
    if shape.is_empty or shapely.get_num_coordinates(shape) > DRAWN_COORDINATES:
        return None
    return shape if shape.is_valid else shapely.make_valid(shape)


def own_export_choices() -> dict[str, str]:
    """The session's own layers the export panel offers: {export id: layer name}."""
    return {layer_id: name for name, layer_id in export_ids(list(user_layers())).items()}


def own_export_layers(layer_ids: list[str]) -> OwnLayers:
    """The chosen own layers as the exporter takes them (declaration and features), in the style picked."""
    names = {layer_id: name for name, layer_id in export_ids(list(user_layers())).items()}
    chosen = []
    for layer_id in layer_ids:
        entry = user_layers()[names[layer_id]]
        chosen.append(own_export_layer(layer_id, names[layer_id], entry["layer"].frame, entry["colour"],
                                       entry["column"], entry["scheme"], entry["k"]))
    return chosen


def shown_layer_names() -> list[str]:
    """The own layers ticked on the map: what exports, report maps and the atlas include unless the planner
    says otherwise (as for shipped layers)."""
    return [name for name in user_layers() if st.session_state.get(f"user_shown_{name}", True)]


def shown_export_ids() -> list[str]:
    """The export ids of the own layers shown on the map (the export panel's default)."""
    shown = set(shown_layer_names())
    return [layer_id for layer_id, name in own_export_choices().items() if name in shown]


def _ref(entry: dict) -> str:
    """The opaque reference a link names the layer by (its data never goes into the URL), made on first use."""
    return entry.setdefault("ref", secrets.token_urlsafe(6))


def link_fields() -> dict:
    """What the link says of own layers: the shown ones' references and the picked feature's, never their data."""
    layers = user_layers()
    pick = st.session_state.get(PICK_KEY)
    picked = layers.get(pick[0]) if pick and pick[0] != DRAWN else None
    return {"mine": [_ref(entry) for name, entry in layers.items() if st.session_state.get(f"user_shown_{name}", True)],
            "mine_pick": f"{_ref(picked)}.{pick[1]}" if picked else None}


def restore_from_link(state: ViewState) -> None:
    """On a run seeded from the link (the session's first, or Back/Forward): tick the own layers it names and
    pick its own feature, when this session holds them; note the references it does not hold (another session's)."""
    by_ref = {_ref(entry): name for name, entry in user_layers().items()}
    for ref, name in by_ref.items():
        st.session_state[f"user_shown_{name}"] = ref in state.mine
    ref, _dot, row = (state.mine_pick or "").partition(".")
    if ref in by_ref and 1 <= int(row) <= len(user_layers()[by_ref[ref]]["layer"].frame):
        st.session_state[PICK_KEY] = st.session_state[PICK_BOX] = (by_ref[ref], int(row))
    elif (st.session_state.get(PICK_KEY) or ("-",))[0] != DRAWN:
        st.session_state.pop(PICK_KEY, None)
    st.session_state[LINK_NOTICE_KEY] = any(ref not in by_ref for ref in state.mine + ([ref] if ref else []))


def link_notice(lang: str) -> None:
    """Say that the link's own layers are not here (they live only in the session that added them)."""
    if st.session_state.get(LINK_NOTICE_KEY):
        st.info(text("link_elsewhere", lang), icon=":material/link_off:")


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
