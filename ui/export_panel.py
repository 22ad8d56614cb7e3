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
from layers.own_layers import OwnLayerError, own_layer_id
from layers.thematic import ThemeError
from ui import upload
from ui.report_inputs import current_view_bbox, own_layer_names, own_layers, own_measures

LAYER_FORMATS = [name for name, spec in FORMATS.items() if spec.uses_layers]
TABLE_FORMATS = [name for name, spec in FORMATS.items() if not spec.uses_layers]
MAP_FORMATS = ("png", "pdf", "svg")


def _offer(slot: str, lang: str) -> None:
    ready = st.session_state.get(slot)
    if ready:
        data, name, media_type = ready
        st.download_button(f"{t('download', lang)} {name}", data, file_name=name, mime=media_type, key=f"{slot}_dl")


def _own_layer_choice(lang: str) -> list[str]:
    """The planner's layers to draw on report maps and atlas pages: those on the map, unless changed here.

    Outside the report form, so that a change offers the layers' columns as themes at once."""
    names = own_layer_names()
    if not names:
        return []
    if "report_own" in st.session_state:  # drop a layer removed since it was ticked
        st.session_state["report_own"] = [name for name in st.session_state["report_own"] if name in names]
        st.multiselect(t("own_in_report", lang), names, key="report_own")
    else:
        st.multiselect(t("own_in_report", lang), names, default=upload.shown_layer_names(), key="report_own")
    return list(st.session_state["report_own"])


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
                    own_exports = upload.own_export_layers([layer_id for layer_id in ids if layer_id in own])
                    data = export(fmt, [layer_id for layer_id in ids if layer_id not in own], own=own_exports)
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
    view_area = current_view_bbox()
    own_names = _own_layer_choice(lang)
    with st.form("report_map_form"):
        frames = ["layers"] + (["view"] if view_area else []) + (["place"] if place else [])
        frame = st.radio(t("frame", lang), frames, horizontal=True, index=len(frames) - 1, key="report_frame",
                         format_func=lambda name: t(f"frame_{name}", lang) + (f" ({place})" if name == "place" else ""))
        if view_area:
            st.caption(t("frame_view", lang) + " · " + t("frame_area", lang)
                       + ",".join(f"{value:.4f}" for value in view_area))
        measures = ["none", "local_tasks", "tasks", "status_share"] + own_measures(own_names)
        measure = st.selectbox(t("measure", lang), measures, key="report_measure",
                               format_func=lambda name: t(f"measure_{name}", lang) if isinstance(name, str)
                               else f"{name[0]} · {name[1]}")
        cols = st.columns(4)
        paper = cols[0].selectbox(t("paper", lang), ("A4", "A3"))
        orientation = cols[1].selectbox(t("orientation", lang), ("landscape", "portrait"),
                                         format_func=lambda name: t(f"orientation_{name}", lang))
        fmt = cols[2].selectbox(t("export_format", lang), MAP_FORMATS)
        dpi = cols[3].selectbox("DPI", (300, 150, 600), key="report_dpi")
        title = st.text_input(t("title", lang), value="", placeholder=t("title_default", lang))
        subtitle = st.text_input(t("subtitle", lang), value="")
        if st.form_submit_button(t("render", lang)):
            focus = place if frame == "place" else None
            own_theme = not isinstance(measure, str)  # (own layer, column)
            try:
                rendered = render_map(None if focus else chosen, focus=focus,
                                      bbox=view_area if frame == "view" else None, own_layers=own_layers(own_names),
                                      theme=measure[1] if own_theme else None if measure == "none" else measure,
                                      theme_layer=own_layer_id(measure[0]) if own_theme else None, fmt=fmt,
                                      paper=paper, orientation=orientation, dpi=dpi, title=title or None,
                                      subtitle=subtitle or None, lang=lang)
                st.session_state["report_map"] = (rendered.data, f"planmap_{paper}_{stamp}.{fmt}",
                                                  rendered.media_type)
            except (RenderError, ThemeError, OwnLayerError, KeyError) as error:
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
            result = build_atlas(None if scope == "all" else [scope], lang=lang, own_layers=own_layers(own_names))
        st.session_state["atlas"] = (result.data, f"planmap_atlas_{lang}_{stamp}.pdf", "application/pdf")
    _offer("atlas", lang)
