"""The panels beside and below the map. Streamlit renders every value here as text (dataframes,
st.text/markdown without HTML), so a task titled `<img src=x onerror=…>` stays a string."""
from __future__ import annotations

from collections.abc import MutableMapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.places import PlaceReport
from geo.plan import Plan
from layers.i18n import STATUS, THEMES, pick, t
from layers.safe_text import markdown_inert
from ui.indicator_views import beijing_table, growth_chart, table1

FILTER_KEYS = ("f_doc", "f_theme", "f_place", "f_status", "f_keyword")
TABLE_KEY = "task_table"
PLAIN_CHARS = 2000  # a task title or place name is shown whole; a runaway value is still cut


def place_names(places: gpd.GeoDataFrame, plan: Plan, lang: str) -> dict[str, str]:
    column = "name_zh" if lang == "zh" else "name_en"
    names = dict(zip(places["id"], places[column].fillna(places["name_zh"])))
    names.update(zip(plan.structure["id"], plan.structure[column]))
    names["beijing"] = "北京市" if lang == "zh" else "Beijing"
    return names


def _doc_label(manifest: pd.DataFrame, lang: str):
    column = "short_zh" if lang == "zh" else "short_en"
    return lambda doc_id: manifest[column].get(doc_id, doc_id)


def task_rows(tasks: pd.DataFrame, names: dict[str, str], manifest: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Tasks as a planner reads them: title, document, section, theme, status, deadline, the cited clause."""
    doc = _doc_label(manifest, lang)
    return pd.DataFrame({
        "id": tasks["id"],
        t("tasks", lang): tasks["title_zh" if lang == "zh" else "title_en"],
        t("document", lang): tasks["doc_id"].map(doc),
        "章节" if lang == "zh" else "Section": tasks["section_path"],
        t("theme", lang): tasks["theme"].map(lambda theme: pick(THEMES.get(theme), lang, theme)),
        t("status", lang): tasks["status"].map(lambda status: pick(STATUS.get(status), lang, status)),
        "期限" if lang == "zh" else "Deadline": tasks["deadline"],
        "引文" if lang == "zh" else "Clause (quote)": tasks["quote"],
        t("place", lang): tasks["places"].map(lambda cell: "、".join(names.get(p, p) for p in cell.split(";") if p)),
    })


@st.cache_data(show_spinner=False)
def _all_task_rows(_plan: Plan, _places: gpd.GeoDataFrame, _manifest: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every task formatted once per language; filters then only pick rows."""
    return task_rows(_plan.tasks, place_names(_places, _plan, lang), _manifest, lang)


def filtered_tasks(plan: Plan, places: gpd.GeoDataFrame, manifest: pd.DataFrame, lang: str,
                   session: MutableMapping) -> pd.DataFrame:
    """The task table after the explorer's filters (read from session state, so the map can use them first)."""
    tasks = plan.tasks
    keep = pd.Series(True, index=tasks.index)
    if session.get("f_doc"):
        keep &= tasks["doc_id"].isin(session["f_doc"])
    if session.get("f_theme"):
        keep &= tasks["theme"].isin(session["f_theme"])
    if session.get("f_status"):
        keep &= tasks["status"].isin(session["f_status"])
    if session.get("f_place"):
        keep &= tasks["places"].str.split(";").apply(lambda ps: bool(set(ps) & set(session["f_place"])))
    keyword = (session.get("f_keyword") or "").strip().lower()
    if keyword:
        text = (tasks["title_zh"] + " " + tasks["title_en"] + " " + tasks["quote"] + " " + tasks["section_path"]
                + " " + tasks["targets"]).str.lower()
        keep &= text.str.contains(keyword, regex=False)
    return _all_task_rows(plan, places, manifest, lang)[keep.to_numpy()].reset_index(drop=True)


def picked_task(view: pd.DataFrame, session: MutableMapping) -> str | None:
    selection = session.get(TABLE_KEY)
    rows = getattr(getattr(selection, "selection", None), "rows", None)
    if rows is None and isinstance(selection, dict):
        rows = selection.get("selection", {}).get("rows")
    if rows and rows[0] < len(view):
        return str(view.iloc[rows[0]]["id"])
    return None


def task_places(plan: Plan, task_id: str | None) -> list[str]:
    if not task_id:
        return []
    hit = plan.tasks.loc[plan.tasks["id"] == task_id, "places"]
    return [p for p in hit.iloc[0].split(";") if p] if not hit.empty else []


def task_explorer(view: pd.DataFrame, plan: Plan, places: gpd.GeoDataFrame, manifest: pd.DataFrame, lang: str) -> None:
    doc = _doc_label(manifest, lang)
    names = place_names(places, plan, lang)
    cols = st.columns(5)
    kept = {"persist_state": "page"}  # the filters survive closing and reopening the panel
    cols[0].multiselect(t("document", lang), sorted(plan.tasks["doc_id"].unique()), key="f_doc", format_func=doc,
                        **kept)
    cols[1].multiselect(t("theme", lang), sorted(plan.tasks["theme"].unique()), key="f_theme",
                        format_func=lambda theme: pick(THEMES.get(theme), lang, theme), **kept)
    named = sorted({p for cell in plan.tasks["places"] for p in cell.split(";") if p}, key=lambda p: names.get(p, p))
    cols[2].multiselect(t("place", lang), named, key="f_place", format_func=lambda p: names.get(p, p), **kept)
    cols[3].multiselect(t("status", lang), sorted(plan.tasks["status"].unique()), key="f_status",
                        format_func=lambda status: pick(STATUS.get(status), lang, status), **kept)
    cols[4].text_input(t("keyword", lang), key="f_keyword", **kept)
    st.caption(f"{len(view)} / {len(plan.tasks)} · " + t("task_pick_hint", lang))
    selected = plan.tasks[plan.tasks["id"] == st.session_state.get("task")]
    if not selected.empty:
        title = selected["title_zh" if lang == "zh" else "title_en"].iloc[0]
        st.markdown(f"**{t('selected_task', lang)}**: {_plain(title)} · {_plain(selected['quote'].iloc[0])}")
    st.dataframe(view, key=TABLE_KEY, on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch", column_config={"id": None})


def place_details(report: PlaceReport, places: gpd.GeoDataFrame, manifest: pd.DataFrame, lang: str) -> None:
    st.markdown(f"**{_plain(report.name_zh if lang == 'zh' else report.name_en)}**  \n"
                f"{_plain(report.name_en if lang == 'zh' else report.name_zh)}")
    row = places.loc[places["id"] == report.id]
    facts = {}
    if report.area_km2 is not None:
        facts[t("area", lang)] = f"{report.area_km2:.2f} km²"
    if not row.empty:
        official = row["official_km2"].iloc[0] if "official_km2" in row else None
        if official is not None and official == official:
            facts[t("official", lang)] = f"{official:g} km²"
        facts[t("accuracy", lang)] = f"± {int(row['accuracy_m'].iloc[0])} m"
        facts[t("method", lang)] = str(row["method"].iloc[0])
    if report.line:
        facts[t("status", lang)] = pick(STATUS.get(report.line["status"]), lang, report.line["status"])
        facts[t("status_as_of", lang)] = str(report.line["status_as_of"])
        if report.line.get("stations"):
            facts[t("stations", lang)] = str(report.line["stations"]).replace("|", " · ")
        if report.line.get("note"):
            facts["note"] = str(report.line["note"])
    if report.streets:
        street_names = dict(zip(places["id"], places["name_zh" if lang == "zh" else "name_en"]))
        facts[t("streets", lang)] = "、".join(street_names.get(s, s) for s in report.streets)
    if not report.structure.empty:
        facts[t("structure", lang)] = "、".join(report.structure["name_zh" if lang == "zh" else "name_en"])
    st.dataframe(pd.DataFrame({"项目" if lang == "zh" else "Item": list(facts),
                               "内容" if lang == "zh" else "Value": list(facts.values())}),
                 hide_index=True, width="stretch")
    st.markdown(f"**{t('tasks', lang)}** ({len(report.tasks)})")
    if report.tasks.empty:
        st.caption(t("no_tasks", lang))
    else:
        rows = task_rows(report.tasks, {}, manifest, lang).drop(columns=[t("place", lang)])
        rows.insert(1, t("via", lang), report.tasks["via"].map(lambda via: t(f"via_{via}", lang)).values)
        st.dataframe(rows, hide_index=True, width="stretch", column_config={"id": None},
                     height=min(400, 38 + 35 * len(rows)))
    if not report.indicators.empty:
        st.markdown(f"**{t('indicators', lang)}** ({len(report.indicators)})")
        st.dataframe(indicator_rows(report.indicators, lang), hide_index=True, width="stretch",
                     height=min(400, 38 + 35 * len(report.indicators)))


def indicator_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    return pd.DataFrame({
        "指标" if zh else "Indicator": table["name_zh" if zh else "name_en"],
        "类型" if zh else "Kind": table["kind"].map({"baseline": "基期" if zh else "baseline",
                                                     "target": "目标" if zh else "target",
                                                     "actual": "实际" if zh else "actual"}),
        "年份" if zh else "Year": table["year"],
        "数值" if zh else "Value": table["value"].where(table["value"] != "", "未设定" if zh else "not set"),
        "单位" if zh else "Unit": table["unit"],
        "属性" if zh else "Attribute": table["attribute"],
        "引文" if zh else "Clause (quote)": table["quote"],
    })


def _plain(text: str) -> str:
    """Markdown-inert text (links, images, autolinks, LaTeX and directives included), kept whole."""
    return markdown_inert(text, limit=PLAIN_CHARS)


@st.cache_data(show_spinner=False)
def _indicator_views(_plan: Plan, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Computed once per language: the plan tables never change while the server runs."""
    return table1(_plan, lang), growth_chart(_plan, lang), beijing_table(_plan, lang)


def indicators(plan: Plan, lang: str) -> None:
    zh = lang == "zh"
    wide, chart, beijing = _indicator_views(plan, lang)
    st.markdown(f"**{t('table1', lang)}**")
    st.dataframe(wide, hide_index=True, width="stretch")
    if not chart.empty:
        st.caption("2025年目标相对2020年基期（基期=100）" if zh else "2025 target relative to the 2020 baseline (baseline = 100)")
        st.bar_chart(chart, horizontal=True)
    st.markdown(f"**{t('beijing_indicators', lang)}** · {t('midterm', lang)}")
    st.dataframe(beijing, hide_index=True, width="stretch")
    st.markdown(f"**{t('subcentre_targets', lang)}**")
    sub = plan.indicator_table()
    sub = sub[sub["doc_id"] == "003_9b6ba7233289b866"]
    st.dataframe(indicator_rows(sub, lang), hide_index=True, width="stretch")


def exports(chosen: list[str], lang: str) -> None:
    from ui.export_panel import export_panel

    export_panel(chosen, lang)
