"""Downloads: the chosen layers for GIS work, the plan tables, a static report map and the atlas.

Files are made on request (a button), not on every rerun, and kept in the session until the next request.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from layers.atlas import atlas_places, build_atlas
from layers.catalog import load_catalog
from layers.export import FORMATS, ExportError, ExportTooLarge, export
from layers.i18n import t
from layers.safe_text import markdown_inert
from layers.static_map import RenderError, render_map
from layers.thematic import ThemeError
from ui import upload

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
        own = upload.own_export_choices()  # the session's own layers, beside the shipped ones
        with st.form("export_layers_form"):
            ids = st.multiselect(t("layers", lang), list(catalog.layers) + list(own),
                                 default=chosen + upload.shown_export_ids(),
                                 format_func=lambda layer_id: f"⬚ {own[layer_id]}" if layer_id in own
                                 else catalog.layers[layer_id].title(lang))
            fmt = st.selectbox(t("export_format", lang), LAYER_FORMATS)
            if st.form_submit_button(t("render", lang)):
                try:
                    spec = FORMATS[fmt]
                    own_layers = upload.own_export_layers([layer_id for layer_id in ids if layer_id in own])
                    data = export(fmt, [layer_id for layer_id in ids if layer_id not in own], own=own_layers)
                    st.session_state["export_layers"] = (data, f"planmap_{stamp}{spec.extension}", spec.media_type)
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
    place = st.session_state.get("place")
    with st.form("report_map_form"):
        frames = ["layers", "place"] if place else ["layers"]
        frame = st.radio(t("frame", lang), frames, horizontal=True, index=len(frames) - 1, key="report_frame",
                         format_func=lambda name: t(f"frame_{name}", lang) + (f" ({place})" if name == "place" else ""))
        measure = st.selectbox(t("measure", lang), ("none", "tasks", "status_share"), key="report_measure",
                               format_func=lambda name: t(f"measure_{name}", lang))
        cols = st.columns(4)
        paper = cols[0].selectbox(t("paper", lang), ("A4", "A3"))
        orientation = cols[1].selectbox(t("orientation", lang), ("landscape", "portrait"))
        fmt = cols[2].selectbox(t("export_format", lang), MAP_FORMATS)
        dpi = cols[3].selectbox("DPI", (300, 150, 600), key="report_dpi")
        title = st.text_input(t("title", lang), value="", placeholder=t("title_default", lang))
        subtitle = st.text_input(t("subtitle", lang), value="")
        if st.form_submit_button(t("render", lang)):
            focus = place if frame == "place" else None
            try:
                rendered = render_map(None if focus else chosen, focus=focus,
                                      theme=None if measure == "none" else measure, fmt=fmt, paper=paper,
                                      orientation=orientation, dpi=dpi, title=title or None,
                                      subtitle=subtitle or None, lang=lang)
                st.session_state["report_map"] = (rendered.data, f"planmap_{paper}_{stamp}.{fmt}",
                                                  rendered.media_type)
            except (RenderError, ThemeError, KeyError) as error:
                st.error(markdown_inert(str(error)))
    _offer("report_map", lang)
    ready = st.session_state.get("report_map")
    if ready and ready[1].endswith(".png"):
        st.image(ready[0], width=720)

    st.markdown(f"**{t('atlas', lang)}**")
    scopes = ["all", place] if place in atlas_places() else ["all"]
    scope = st.radio(t("atlas", lang), scopes, horizontal=True, label_visibility="collapsed", key="atlas_scope",
                     format_func=lambda name: t("atlas_scope_all", lang) if name == "all" else name)
    if st.button(f"{t('render', lang)} {t('atlas', lang)}", key="make_atlas"):
        with st.spinner(t("atlas_wait", lang)):
            result = build_atlas(None if scope == "all" else [scope], lang=lang)
        st.session_state["atlas"] = (result.data, f"planmap_atlas_{lang}_{stamp}.pdf", "application/pdf")
    _offer("atlas", lang)
