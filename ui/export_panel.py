"""Downloads: the chosen layers for GIS work, the plan tables, and a static report map.

Files are made on request (a button), not on every rerun, and kept in the session until the next request.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from layers.catalog import load_catalog
from layers.export import FORMATS, ExportError, ExportTooLarge, export
from layers.i18n import t
from layers.safe_text import markdown_inert
from layers.static_map import RenderError, render_map

LAYER_FORMATS = [name for name, spec in FORMATS.items() if spec.uses_layers]
TABLE_FORMATS = [name for name, spec in FORMATS.items() if not spec.uses_layers]
MAP_FORMATS = ("png", "pdf", "svg")


def _offer(slot: str, lang: str) -> None:
    ready = st.session_state.get(slot)
    if ready:
        data, name, media_type = ready
        st.download_button(f"{t('download', lang)} {name}", data, file_name=name, mime=media_type, key=f"{slot}_dl")


def export_panel(chosen: list[str], lang: str) -> None:
    catalog = load_catalog()
    stamp = dt.date.today().isoformat()
    layers_col, tables_col = st.columns(2)
    with layers_col:
        st.markdown(f"**{t('export_layers', lang)}**")
        with st.form("export_layers_form"):
            ids = st.multiselect(t("layers", lang), list(catalog.layers), default=chosen,
                                 format_func=lambda layer_id: catalog.layers[layer_id].title(lang))
            fmt = st.selectbox(t("export_format", lang), LAYER_FORMATS)
            if st.form_submit_button(t("render", lang)):
                try:
                    spec = FORMATS[fmt]
                    st.session_state["export_layers"] = (export(fmt, ids), f"planmap_{stamp}{spec.extension}",
                                                         spec.media_type)
                except ExportTooLarge as error:
                    st.session_state.pop("export_layers", None)
                    st.error(t("export_too_big", lang).format(limit=round(error.limit / 2**20)))
                except (ExportError, KeyError) as error:
                    st.error(markdown_inert(str(error)))
        _offer("export_layers", lang)
    with tables_col:
        st.markdown(f"**{t('tasks', lang)} / {t('indicators', lang)}**")
        for fmt in TABLE_FORMATS:
            spec = FORMATS[fmt]
            if st.button(f"{t('render', lang)} {fmt.upper()}", key=f"make_{fmt}"):
                st.session_state[f"export_{fmt}"] = (export(fmt), f"planmap_tasks_{stamp}{spec.extension}",
                                                     spec.media_type)
            _offer(f"export_{fmt}", lang)

    st.markdown(f"**{t('report_map', lang)}**")
    with st.form("report_map_form"):
        cols = st.columns(4)
        paper = cols[0].selectbox(t("paper", lang), ("A4", "A3"))
        orientation = cols[1].selectbox(t("orientation", lang), ("landscape", "portrait"))
        fmt = cols[2].selectbox(t("export_format", lang), MAP_FORMATS)
        dpi = cols[3].selectbox("DPI", (300, 150, 600))
        title = st.text_input(t("title", lang), value=t("app_title", lang))
        if st.form_submit_button(t("render", lang)):
            try:
                rendered = render_map(chosen, fmt=fmt, paper=paper, orientation=orientation, dpi=dpi, title=title,
                                      lang=lang)
                st.session_state["report_map"] = (rendered.data, f"planmap_{paper}_{stamp}.{fmt}",
                                                  rendered.media_type)
            except (RenderError, KeyError) as error:
                st.error(markdown_inert(str(error)))
    _offer("report_map", lang)
    ready = st.session_state.get("report_map")
    if ready and ready[1].endswith(".png"):
        st.image(ready[0], width=720)
