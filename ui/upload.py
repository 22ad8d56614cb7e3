"""添加图层 / Add layer: a planner's own file on the map, checked, repaired and run through the site check.

Uploaded layers live in this session's st.session_state only (never in a cache shared between sessions,
never in the URL, never on disk beyond the reader's temporary directory), so another session cannot see
them and they are gone when the session ends. The file's size is checked before its bytes are read.
"""
from __future__ import annotations

import base64
import html
import json

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.crs import BD09, GCJ02, WEB_MERCATOR, WGS84, CrsError, label, parse_crs
from geo.gcj02 import shift_frame
from geo.geojson import feature_collection
from geo.readers import SUFFIXES, ReadError, check_size
from geo.repair import report_csv
from geo.sitecheck import NEAR_M, check_site, site_check_dict
from geo.userlayer import UserLayer, load_user_layer
from layers import serving, tiles
from layers.assets import vendor_url
from layers.raster import raster_overlay

LAYERS_KEY = "user_layers"  # {name: {"layer": UserLayer, "colour": str, "column": str | None, ...}}
PICK_KEY = "user_pick"  # (layer name, row) of the feature whose site check is shown
PICK_BOX = "user_pick_box"
VECTOR_LIMIT = 5000  # above this many features a layer is drawn as one image (as the catalogue's big layers)
PICK_LIST_LIMIT = 5000  # rows offered in the site check's list
PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999")
CLASS_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15", "#67000d", "#3b0007")
SCHEMES = ("Quantiles", "NaturalBreaks", "EqualInterval")
COMMON_SYSTEMS = (WGS84, GCJ02, BD09, "EPSG:4490", WEB_MERCATOR, "EPSG:4527", "EPSG:4548", "EPSG:4498",
                  "EPSG:4509", "EPSG:2415", "EPSG:2436", "EPSG:2363", "EPSG:2384")
TEXT = {
    "add_layer": ("添加图层", "Add layer"), "file": ("文件（GeoJSON、GPKG、SHP压缩包、KML、DXF、CSV、XLSX）",
                                                 "File (GeoJSON, GPKG, zipped SHP, KML, DXF, CSV, XLSX)"),
    "layer": ("图层 / 工作表", "Layer / sheet"), "crs": ("坐标系", "Coordinate system"),
    "crs_ask": ("无法确定坐标系，请选择：", "The coordinate system cannot be told for sure; choose it:"),
    "crs_choose": ("请选择坐标系", "Choose a coordinate system"),
    "crs_other": ("其他 EPSG 代码", "Other EPSG code"), "report": ("检查与修复", "Check and repair"),
    "no_problems": ("未发现问题", "No problems found"), "download_report": ("下载检查报告 (CSV)", "Download the report (CSV)"),
    "colour": ("颜色", "Colour"), "by_column": ("按字段着色", "Colour by column"), "none": ("（单一颜色）", "(one colour)"),
    "scheme": ("分级方法", "Classification"), "classes": ("级数", "Classes"), "add": ("加入地图", "Add to map"),
    "my_layers": ("我的图层（仅本会话）", "My layers (this session only)"), "remove": ("移除", "Remove"),
    "site_check": ("审查（选择要素）", "Site check (pick a feature)"), "run_check": ("审查此要素", "Check this feature"),
    "near": ("邻近距离 (米)", "Near (metres)"), "places": ("所在及邻近地点", "Places it lies in, crosses or is near"),
    "tasks": ("适用任务", "Tasks that apply"), "indicators": ("指标", "Indicators"),
    "pdf": ("下载审查报告 (PDF)", "Download the site report (PDF)"), "xlsx": ("下载任务清单 (XLSX)", "Download tasks (XLSX)"),
    "json": ("下载 JSON", "Download JSON"),
    "as_tiles": ("{count} 个要素，超过 {limit}：{zoom} 级及以上以矢量切片显示（可点选），以下显示为图片",
                 "{count} features, above {limit}: vector tiles from zoom {zoom} (clickable), an image below"),
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
        uploaded = st.file_uploader(text("file", lang), type=[s.lstrip(".") for s in SUFFIXES], key="upload_file")
        if uploaded is None:
            return
        try:
            check_size(uploaded.size)  # the upload's declared size, before its bytes are read
            layer = _read(uploaded, lang, places)
        except (ReadError, CrsError) as error:
            st.error(str(error))
            return
        if layer is None:
            return
        for line in layer.summary():
            st.caption(line)
        _repair_report(layer, lang)
        style = _style_controls(layer, lang)
        if st.button(text("add", lang), key="upload_add", type="primary"):
            name = _unique_name(uploaded.name)
            user_layers()[name] = {"layer": layer, **style}
            st.session_state[f"user_shown_{name}"] = True
            st.rerun()  # the map was drawn before this sidebar: draw it again with the new layer


def _read(uploaded, lang: str, places: gpd.GeoDataFrame) -> UserLayer | None:
    """Read once per (file, layer, system) and keep the result in this session: reruns do not re-read."""
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
        cache[key] = load_user_layer(uploaded.name, uploaded.getvalue(), crs, chosen_layer, anchors=places)
    layer: UserLayer = cache[key]
    if len(layer.source.layers) > 1:
        st.selectbox(text("layer", lang), layer.source.layers, key="upload_layer")
    # Always offered (a file labelled WGS84 may come from AMap); empty means "as detected" when detection is sure.
    candidates = layer.decision.candidates + [c for c in COMMON_SYSTEMS if c not in layer.decision.candidates]
    if layer.needs_crs:
        st.warning(text("crs_ask", lang) + " " + " ".join(layer.decision.notes))
    st.selectbox(text("crs", lang), candidates, key="upload_crs", index=None, format_func=label,
                 placeholder=text("crs_choose", lang) if layer.needs_crs else label(layer.crs))
    return None if layer.needs_crs else layer


def _repair_report(layer: UserLayer, lang: str) -> None:
    st.markdown(f"**{text('report', lang)}**")
    if layer.report.empty:
        st.caption(text("no_problems", lang))
        return
    st.dataframe(layer.report, hide_index=True, height=min(35 * (len(layer.report) + 1) + 3, 250))
    st.download_button(text("download_report", lang), report_csv(layer.report), file_name="repair_report.csv",
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


def feature_colours(frame: gpd.GeoDataFrame, colour: str, column: str | None, scheme: str | None,
                    k: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Each feature's colour and the legend: one colour, mapclassify classes of a number, or one colour per value."""
    if column is None:
        return [colour] * len(frame), []
    if scheme is not None:
        import mapclassify

        values = pd.to_numeric(frame[column], errors="coerce")
        valid = values.dropna()
        k = max(1, min(k, valid.nunique()))
        classifier = getattr(mapclassify, scheme)(valid.to_numpy(), k=k)
        palette = [CLASS_COLOURS[round(i * (len(CLASS_COLOURS) - 1) / max(1, k - 1))] for i in range(k)]
        by_index = dict(zip(valid.index, (palette[c] for c in classifier.yb)))
        lower = [float(valid.min())] + [float(b) for b in classifier.bins[:-1]]
        legend = [(palette[i], f"{lower[i]:,.6g} – {float(classifier.bins[i]):,.6g}") for i in range(k)]
        return [by_index.get(index, "#bbbbbb") for index in frame.index], legend
    values = frame[column].astype(str)
    categories = list(dict.fromkeys(values))
    lookup = {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(categories)}
    legend = [(lookup[value], value) for value in categories[: len(PALETTE)]]
    return [lookup[value] for value in values], legend


def tooltips(layer_name: str, entry: dict, rows: slice = slice(None)) -> list[str]:
    """Feature tooltips '⬚ layer #row · label[ · column=value]': unique, so a click names the feature (built
    column-wise: a million parcels take a second, not a minute)."""
    frame = entry["layer"].frame.iloc[rows]
    first = (rows.start or 0) + 1
    text = pd.Series([f"{tile_prefix(layer_name)}{row}" for row in range(first, first + len(frame))],
                     index=frame.index)
    label_field = _label_field(entry)
    if label_field is not None:
        labels = frame[label_field]
        text = text.where(labels.isna(), text + " · " + labels.astype(str))
    if entry.get("column") is not None:
        text = text + f" · {entry['column']}=" + frame[entry["column"]].astype(str)
    return text.tolist()


def tile_prefix(layer_name: str) -> str:
    """What every tooltip of the layer starts with, up to its row number."""
    return f"⬚ {layer_name} #"


def tooltip(layer_name: str, row: int, entry: dict) -> str:
    return tooltips(layer_name, entry, slice(row - 1, row))[0]


def _label_field(entry: dict) -> str | None:
    """The id column, else the first text column: what names a feature in its tooltip."""
    layer: UserLayer = entry["layer"]
    if layer.id_field is not None:
        return layer.id_field
    columns = [c for c in layer.frame.columns if c != layer.frame.geometry.name]
    return next((c for c in columns if layer.frame[c].map(lambda v: isinstance(v, str)).any()), None)


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
                tile_set = _tiles(name, entry, datum)
                group.add_vector_tiles(tile_set.url_template(), {
                    "layer": tiles.LAYER_NAME, "minZoom": tile_set.min_zoom, "colour": entry["colour"],
                    "tipPrefix": tile_prefix(name), "fidPrefix": f"user:{name}:",
                    "maxNativeZoom": tiles.MAX_NATIVE_ZOOM, "image": {"url": url, "bounds": bounds},
                    "script": vendor_url("leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")})
            else:
                group.add_image(url, bounds)
            continue
        colours, _legend = feature_colours(frame, entry["colour"], entry["column"], entry["scheme"], entry["k"])
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


def _image(entry: dict, datum: str) -> tuple[str, list[list[float]]]:
    """The big layer's PNG (kept in the session's entry per datum) at an unguessable content-hash URL when the
    server publishes layer data, else as a data URI; and its bounds."""
    key = f"_image_{datum}"
    if key not in entry:
        frame = entry["layer"].frame
        frame = shift_frame(frame) if datum == "gcj02" else frame
        png, bounds = raster_overlay(frame, entry["colour"], entry["colour"], 0.35)
        url = serving.publish(png, "png") if serving.is_mounted() else \
            "data:image/png;base64," + base64.b64encode(png).decode()
        entry[key] = (url, bounds)
    return entry[key]


def _tiles(name: str, entry: dict, datum: str) -> tiles.TileSet:
    """The layer's vector tiles (kept in the session's entry, which alone holds the tile set alive)."""
    key = f"_tiles_{datum}"
    if key not in entry:
        frame = entry["layer"].frame
        frame = shift_frame(frame) if datum == "gcj02" else frame
        colours, _legend = feature_colours(frame, entry["colour"], entry["column"], entry["scheme"], entry["k"])
        prefix = tile_prefix(name)
        labels = [tip.removeprefix(f"{prefix}{row}") for row, tip in enumerate(tooltips(name, entry), start=1)]
        one_colour = entry["column"] is None
        properties = [{"row": row, **({"label": label} if label else {}), **({} if one_colour else {"stroke": colour})}
                      for row, (label, colour) in enumerate(zip(labels, colours), start=1)]
        entry[key] = tiles.TileSet(frame, properties)
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
        _colours, legend = feature_colours(entry["layer"].frame, entry["colour"], entry["column"], entry["scheme"],
                                           entry["k"])
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
                 on_change=_pick_from_box)


def _pick_from_box() -> None:
    st.session_state[PICK_KEY] = st.session_state[PICK_BOX]


def site_check_panel(lang: str, places: gpd.GeoDataFrame) -> bool:
    """The picked feature's site check in the details column; False when no user feature is picked."""
    pick = st.session_state.get(PICK_KEY)
    entry = user_layers().get(pick[0]) if pick else None
    if entry is None:
        return False
    name, row = pick
    layer: UserLayer = entry["layer"]
    geometry = layer.frame.geometry.iloc[row - 1]
    st.markdown(f"**{text('site_check', lang).split('（')[0].split(' (')[0]} · {tooltip(name, row, entry)}**")
    near = st.number_input(text("near", lang), 50, 5000, int(NEAR_M), step=50, key="user_near")
    attributes = {k: _plain(v) for k, v in layer.frame.iloc[row - 1].drop(layer.frame.geometry.name).items()}
    result = check_site(geometry, places, near_m=float(near), row=row, attributes=attributes)
    st.caption(f"{label(layer.crs)} · " + ", ".join(f"{k} {v:,}" for k, v in result.size.items()))
    st.markdown(f"**{text('places', lang)}**")
    name_column = "name_zh" if lang == "zh" else "name_en"
    table = pd.DataFrame(result.places)
    st.dataframe(table[[c for c in ("relation", name_column, "id", "share", "distance_m", "layer") if c in table]],
                 hide_index=True)
    st.markdown(f"**{text('tasks', lang)}: {len(result.tasks)}**")
    title = "title_zh" if lang == "zh" else "title_en"
    if not result.tasks.empty:
        shown = result.tasks[["id", title, "via", "via_places", "status", "doc_id", "quote"]].assign(
            via_places=result.tasks["via_places"].map(", ".join))
        st.dataframe(shown, hide_index=True, height=320)
    st.caption(f"{text('indicators', lang)}: {len(result.indicators)}")
    from layers.site_report import site_pdf, site_xlsx  # matplotlib and openpyxl load only when a check is shown

    sites = layer.frame.iloc[[row - 1]]
    columns = st.columns(3)
    # Callables: each file is made only when its button is pressed, not on every rerun.
    columns[0].download_button(text("pdf", lang), lambda: site_pdf([result], sites, places, name, label(layer.crs),
                                                                   float(near), lang),
                               file_name="site_check.pdf", mime="application/pdf", key="user_pdf")
    columns[1].download_button(text("xlsx", lang), lambda: site_xlsx([result], layer.id_field),
                               file_name="site_tasks.xlsx", key="user_xlsx")
    columns[2].download_button(text("json", lang), lambda: json.dumps(site_check_dict(layer, [result], float(near)),
                                                                      ensure_ascii=False, indent=1),
                               file_name="site_check.json", mime="application/json", key="user_json")
    return True


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
