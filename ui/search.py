"""The place search box: every place and gazetteer entry (and the CBD's structure elements), found by its
Chinese or English name or its pinyin. A select box: typing filters it, Enter picks, so it is also the
keyboard path to a place's details. Picking frames the place on the map."""
from __future__ import annotations

from collections.abc import MutableMapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.plan import Plan
from layers.i18n import t

SEARCH_KEY = "place_search"
FRAME_FLAG = "_search_framed"


def _pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters, for typing a name without a Chinese keyboard. pypinyin
    is optional (installed with the project's extras); without it the box matches Chinese and English."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        return ""
    return "".join(lazy_pinyin(text)) if any("\u4e00" <= c <= "\u9fff" for c in text) else ""


@st.cache_data(show_spinner=False)
def search_entries(_places: gpd.GeoDataFrame, _plan: Plan) -> pd.DataFrame:
    """id, name_zh, name_en, pinyin of everything the search can find (computed once per server)."""
    frames = [_places[["id", "name_zh", "name_en"]], _plan.structure[["id", "name_zh", "name_en"]]]
    entries = pd.concat(frames, ignore_index=True).drop_duplicates("id")
    entries = entries.fillna({"name_en": ""}).fillna({"name_en": entries["name_zh"]})
    entries = entries[entries["name_zh"].notna() & (entries["name_zh"] != "")]
    entries["pinyin"] = entries["name_zh"].map(_pinyin)
    return entries.sort_values("name_zh").reset_index(drop=True)


def search_label(entries: pd.DataFrame, lang: str):
    """The option text: the name in the language first, the other name and the pinyin after it (matched too)."""
    return _labels(entries, lang).__getitem__


@st.cache_data(show_spinner=False)
def _labels(_entries: pd.DataFrame, lang: str) -> dict[str, str]:
    """Every option's text, made once per language: the box asks for all of them on every rerun."""
    labels = {}
    for row in _entries.itertuples():
        first, second = (row.name_zh, row.name_en) if lang == "zh" else (row.name_en, row.name_zh)
        parts = [str(first)] + [str(part) for part in (second, row.pinyin) if part and part != first]
        labels[row.id] = " · ".join(parts)
    return labels


def pick_place(session: MutableMapping) -> None:
    """The search's pick becomes the selection; the map frames it on this run."""
    picked = session.get(SEARCH_KEY)
    if picked:
        session.update({"place": picked, "_place_layer": None, FRAME_FLAG: True})


def search_box(places: gpd.GeoDataFrame, plan: Plan, lang: str) -> None:
    entries = search_entries(places, plan)
    st.selectbox(t("search", lang), list(entries["id"]), index=None, key=SEARCH_KEY,
                 format_func=search_label(entries, lang), placeholder=t("search_hint", lang),
                 on_change=pick_place, args=(st.session_state,), label_visibility="collapsed")
