"""Details of a drawn feature that is not one of the plans' places (a structure element, a business circle,
a feature of a layer the planner added): what it is, where its outline comes from, and the tasks naming it.

A map click must always open something: geo.describe knows the places of the plan hierarchy only.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.plan import Plan
from layers.catalog import load_catalog, layer_frame
from layers.i18n import KINDS, pick, t
from layers.provenance import source_text
from ui.accessible import show_table, table_download

# Feature properties shown as facts, with their labels (zh, en); the rest are drawing internals. "{lang}" in a
# name: the column in the chosen language (a planner's own layer: the column without the suffix).
FACT_FIELDS = {
    "kind": ("类型", "Kind"), "area_km2": ("面积 (km²)", "Area (km²)"), "quote": ("引文", "Clause (quote)"),
    "source": ("出处", "Source"), "method_{lang}": ("绘制方法", "How it was drawn"),
    "accuracy_m": ("精度 (m)", "Accuracy (m)"),
}


def find_feature(feature_id: str, layer_hint: str | None = None) -> tuple[str, pd.Series] | None:
    """(layer id, feature row) of the first catalogue layer holding the id, the clicked layer first."""
    catalog = load_catalog()
    order = ([layer_hint] if layer_hint in catalog.layers else []) + list(catalog.layers)
    for layer_id in order:
        frame = layer_frame(catalog.layers[layer_id])
        hit = frame[frame["id"].astype(str) == feature_id]
        if not hit.empty:
            return layer_id, hit.iloc[0]
    return None


def tasks_naming(plan: Plan, feature_id: str) -> pd.DataFrame:
    named = plan.tasks["places"].str.split(";").apply(lambda places: feature_id in places)
    return plan.tasks[named]


def feature_facts(row: pd.Series, layer_id: str, lang: str, manifest: pd.DataFrame) -> pd.DataFrame:
    """The feature's layer and its descriptive properties, labelled and worded in the chosen language (a kind code
    by its name, a source in Chinese framing: layers/provenance.py)."""
    spec = load_catalog().layers[layer_id]
    facts = {"图层" if lang == "zh" else "Layer": spec.title(lang)}
    for field, labels in FACT_FIELDS.items():
        value = row.get(field.format(lang=lang))
        if value is None or value != value:  # a planner's own layer has one text, in its own words
            value = row.get(field.replace("_{lang}", ""))
        if value is None or (isinstance(value, float) and value != value) or value == "":
            continue
        if field == "kind":
            value = pick(KINDS.get(str(value)), lang, str(value))
        elif field == "source":
            value = source_text(str(value), spec, lang, manifest)
        facts[labels[0 if lang == "zh" else 1]] = str(value)
    return pd.DataFrame({"项目" if lang == "zh" else "Item": list(facts),
                         "内容" if lang == "zh" else "Value": list(facts.values())})


def feature_details(feature_id: str, layer_hint: str | None, plan: Plan, places: gpd.GeoDataFrame,
                    manifest: pd.DataFrame, lang: str) -> bool:
    """Show the feature's details; False when no layer holds it (the caller then says the id is unknown)."""
    from ui.panels import _plain, place_names, task_rows

    found = find_feature(feature_id, layer_hint)
    if found is None:
        return False
    layer_id, row = found
    name, other = (row.get("name_zh"), row.get("name_en")) if lang == "zh" else (row.get("name_en"), row.get("name_zh"))
    st.markdown(f"**{_plain(name or feature_id)}**  \n{_plain(other or '')}")
    show_table(feature_facts(row, layer_id, lang, manifest), str(name or feature_id), row_headers=True)
    tasks = tasks_naming(plan, feature_id)
    st.markdown(f"**{t('tasks', lang)}** ({len(tasks)})")
    if tasks.empty:
        st.caption(t("no_tasks", lang))
    else:
        rows = task_rows(tasks, place_names(places, plan, lang), manifest, lang)
        show_table(rows, f"{t('tasks', lang)} ({len(tasks)})")
        table_download(rows, t("tasks", lang), f"{layer_id}_tasks", lang, "dl_feature_tasks")
    return True
