"""The panels beside and below the map. Streamlit renders every value here as text (dataframes,
st.text/markdown without HTML), so a task titled `<img src=x onerror=…>` stays a string."""
from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.describe import PlaceReport, answer_json, describe, place_name
from geo.plan import Plan
from layers.catalog import SCHEMATIC_NOTE
from layers.i18n import FLAGS, STATUS, THEMES, pick, reason_key, t, why_listed
from layers.provenance import licence_text
from layers.safe_text import markdown_inert
from ui import terms
from ui.accessible import html_table, table_download
from ui.indicator_views import beijing_table, growth_chart, monitoring_records, table1

FILTER_KEYS = ("f_doc", "f_theme", "f_place", "f_status", "f_keyword")
TABLE_KEY = "task_table"
GROUP_KEY = "task_group"
SHORT_GROUP = 10  # a group of crossing-line or structure tasks this short is shown open
PLAIN_CHARS = 2000  # a task title or place name is shown whole; a runaway value is still cut


def place_names(places: gpd.GeoDataFrame, plan: Plan, lang: str) -> dict[str, str]:
    """Every place a task names, by id, in the language: the layers' names, the structure's, and for the
    places without geometry (declared areas, lines without a published alignment) geo.describe's."""
    column = "name_zh" if lang == "zh" else "name_en"
    names = dict(zip(places["id"], places[column].fillna(places["name_zh"])))
    names.update(zip(plan.structure["id"], plan.structure[column]))
    names["beijing"] = "北京市" if lang == "zh" else "Beijing"
    for cell in plan.tasks["places"]:
        for place in cell.split(";"):
            if place and place not in names:
                names[place] = place_name(place, lang)
    return names


@st.cache_resource(show_spinner=False)
def _shared_place_names(_places: gpd.GeoDataFrame, _plan: Plan, lang: str) -> dict[str, str]:
    """place_names once per language and server (~0.15 s each time otherwise); callers only read it."""
    return place_names(_places, _plan, lang)


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


@st.cache_resource(show_spinner=False)  # one shared frame, not a copy unpickled on every run: callers only slice it
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


UNCHANGED = object()  # the task table's selection did not change in this run


def table_key(session: MutableMapping) -> str:
    """The task table's widget key, one per set of filters: a table's selection is a row number, so a table
    whose rows changed starts with no selection instead of pointing at another task."""
    signature = json.dumps([session.get(key) for key in FILTER_KEYS], ensure_ascii=False, sort_keys=True)
    return f"{TABLE_KEY}_{hashlib.sha1(signature.encode()).hexdigest()[:10]}"


def _selected_rows(selection: object) -> tuple[int, ...]:
    rows = getattr(getattr(selection, "selection", None), "rows", None)
    if rows is None and isinstance(selection, dict):
        rows = selection.get("selection", {}).get("rows")
    return tuple(rows or ())


def task_pick(view: pd.DataFrame, session: MutableMapping) -> object:
    """What the user did in the task table since the last run: the id of the task ticked, None when the row
    was unticked, UNCHANGED otherwise (the pick is a task id, kept whatever the filters do to the rows)."""
    key = table_key(session)
    rows = _selected_rows(session.get(key))
    seen_key, seen_rows = session.get("_table_seen", (None, ()))
    session["_table_seen"] = (key, rows)
    if key != seen_key and not rows or (key, rows) == (seen_key, seen_rows):
        return UNCHANGED
    if not rows:
        return None
    return str(view.iloc[rows[0]]["id"]) if rows[0] < len(view) else UNCHANGED


def task_places(plan: Plan, task_id: str | None) -> list[str]:
    if not task_id:
        return []
    hit = plan.tasks.loc[plan.tasks["id"] == task_id, "places"]
    return [p for p in hit.iloc[0].split(";") if p] if not hit.empty else []


def task_explorer(view: pd.DataFrame, plan: Plan, places: gpd.GeoDataFrame, manifest: pd.DataFrame, lang: str) -> None:
    doc = _doc_label(manifest, lang)
    names = _shared_place_names(places, plan, lang)
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
    st.dataframe(view, key=table_key(st.session_state), on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch", column_config={"id": None})
    table_download(view, t("tasks", lang), "tasks", lang, "dl_tasks")


@st.cache_resource(show_spinner=False, max_entries=256)  # read-only: shared, not unpickled per run
def place_report(place_id: str, _plan: Plan, _places: gpd.GeoDataFrame) -> PlaceReport:
    """geo.describe's answer, computed once per place and server (~0.4 s each time otherwise): the plan never
    changes while the server runs, and every rerun with a place selected (a pan, a toggle) showed it anew.
    An unknown id raises UnknownPlace each time (exceptions are not cached)."""
    return describe(place_id, _plan, _places)


@st.cache_data(show_spinner=False, max_entries=256)
def _answer_text(place_id: str, _report: PlaceReport) -> str:
    return answer_json(_report)


class DetailTables(NamedTuple):
    """A place's details as shown: HTML tables, and the indicator rows its CSV download holds."""
    facts: str
    groups: list[tuple[str, int, str, bool]]  # (label, row count, table, shown open)
    indicators: pd.DataFrame
    indicators_html: str


@st.cache_resource(show_spinner=False, max_entries=256)  # read-only: shared, not unpickled per run
def _detail_tables(place_id: str, lang: str, _report: PlaceReport, _places: gpd.GeoDataFrame,
                   _manifest: pd.DataFrame) -> DetailTables:
    """The details column's tables for one place in one language (facts, task groups, indicators) as HTML, made
    once: a rerun with a place selected only re-sends them."""
    name = _report.name_zh if lang == "zh" else _report.name_en
    groups = []
    for label, tasks, expanded in task_groups(_report, lang):
        rows = _listed_task_rows(_report, tasks, _manifest, lang)
        groups.append((label, len(rows), html_table(rows, f"{label} ({len(rows)})"), expanded))
    indicators = monitoring_rows(_report.indicators, lang) if _report.indicators else pd.DataFrame()
    return DetailTables(facts=html_table(_facts(_report, _places, lang), name, row_headers=True), groups=groups,
                        indicators=indicators,
                        indicators_html=html_table(indicators, t("indicators", lang)) if _report.indicators else "")


def place_details(report: PlaceReport, places: gpd.GeoDataFrame, manifest: pd.DataFrame, lang: str) -> None:
    """Facts, then the tasks grouped by why they are listed (the specific ones first, the wide ones folded),
    then the indicators with their monitoring flags: HTML tables (ui/accessible.py html_table), each with its
    CSV download."""
    tables = _detail_tables(report.id, lang, report, places, manifest)
    st.markdown(f"**{_plain(report.name_zh if lang == 'zh' else report.name_en)}**  \n"
                f"{_plain(report.name_en if lang == 'zh' else report.name_zh)}")
    st.html(tables.facts)
    # The same answer the command line prints (`python -m layers describe ID --json`), for scripts and reports.
    st.download_button(t("download_answer", lang), key="download_answer", file_name=f"{report.id}.json",
                       data=_answer_text(report.id, report), mime="application/json")
    st.markdown(f"**{t('tasks', lang)}** ({len(report.tasks)})")
    if report.tasks.empty:
        st.caption(t("no_tasks", lang))
    for index, (label, count, table, expanded) in enumerate(tables.groups):
        group = st.expander(f"{_plain(label)} ({count})", expanded=expanded, key=group_key(report.id, index),
                            on_change="rerun")
        if group.open:  # a folded group's rows are sent and drawn once it is opened (a rerun), not on each click
            with group:
                st.html(table)
    if not report.tasks.empty:
        table_download(lambda: _listed_task_rows(report, report.tasks, manifest, lang), t("tasks", lang),
                       f"{report.id}_tasks", lang, "dl_place_tasks")
    if report.indicators:
        st.markdown(f"**{t('indicators', lang)}** ({len(report.indicators)})")
        st.html(tables.indicators_html)
        table_download(tables.indicators, t("indicators", lang), f"{report.id}_indicators", lang,
                       "dl_place_indicators")


def group_key(place_id: str, index: int) -> str:
    """A task group's expander key, one per place: opening a group of one place leaves the next place's folded."""
    return f"{GROUP_KEY}_{hashlib.sha1(place_id.encode()).hexdigest()[:10]}_{index}"


def _listed_task_rows(report: PlaceReport, tasks: pd.DataFrame, manifest: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A place's tasks as listed in its details: each with why it is listed there."""
    rows = task_rows(tasks, {}, manifest, lang).drop(columns=[t("place", lang)])
    rows.insert(1, t("via", lang), [why_listed(via, listed, lang, place_name, report.is_line)
                                    for via, listed in zip(tasks["via"], tasks["via_places"])])
    return rows


def _facts(report: PlaceReport, places: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    row = places.loc[places["id"] == report.id]
    facts = {}
    if report.area_km2 is not None:
        facts[t("area", lang)] = f"{report.area_km2:.2f} km²"
    if report.official_km2 is not None:
        facts[t("official", lang)] = f"{report.official_km2:g} km²"
    if not row.empty:
        facts.update(_drawing_facts(row.iloc[0], lang))
    if report.line:
        facts[t("status", lang)] = pick(STATUS.get(report.line["status"]), lang, report.line["status"])
        facts[t("status_as_of", lang)] = str(report.line["status_as_of"])
        if report.line.get("stations"):
            facts[t("stations", lang)] = str(report.line["stations"]).replace("|", " · ")
        if report.line.get(f"note_{lang}"):
            facts[t("note", lang)] = str(report.line[f"note_{lang}"])

    def names(ids: list[str]) -> str:
        return "、".join(place_name(place, lang) for place in ids)

    if report.part_of:
        facts[t("part_of", lang)] = " › ".join(place_name(place, lang) for place in report.part_of)
    if report.crossed_by:
        facts[t("crosses" if report.is_line else "crossed_by", lang)] = names(report.crossed_by)
    if report.streets:
        facts[t("streets", lang)] = names(report.streets)
    if report.structure:
        facts[t("structure", lang)] = names(report.structure)
    return pd.DataFrame({"项目" if lang == "zh" else "Item": list(facts),
                         "内容" if lang == "zh" else "Value": list(facts.values())})


def task_groups(report: PlaceReport, lang: str) -> list[tuple[str, pd.DataFrame, bool]]:
    """(label, tasks, expanded): this place and what lies in it (open), crossing lines and structure (open
    when short), then one folded group per place it is part of (zone-, district-, 中心城区-, city-wide),
    nearest first."""
    tasks = report.tasks
    if tasks.empty:
        return []
    crossing, structure = tasks[tasks["via"] == "crossing"], tasks[tasks["via"] == "structure"]
    groups = [(t("own_and_inside", lang), tasks[tasks["via"].isin(["direct", "inside"])], True),
              (t("via_" + reason_key("crossing", report.is_line), lang), crossing, len(crossing) <= SHORT_GROUP),
              (t("via_structure", lang), structure, len(structure) <= SHORT_GROUP)]
    wide = tasks[tasks["via"] == "part_of"]
    nearest = wide["via_places"].map(lambda listed: min(listed, key=report.part_of.index))
    for container in report.part_of:
        groups.append((t("wide_tasks", lang).format(place=place_name(container, lang)), wide[nearest == container],
                       False))
    return [group for group in groups if not group[1].empty]


def monitoring_rows(records: list[dict], lang: str) -> pd.DataFrame:
    """Indicators as baseline → latest → target with years, the share achieved and the flag."""
    frame = pd.DataFrame(records)

    def dated(value: str | None, year: object) -> str:
        if value is None:
            return ""
        return f"{value}（{year}）" if year else str(value)

    return pd.DataFrame({
        "id": frame["id"],
        "指标" if lang == "zh" else "Indicator": frame["name_zh" if lang == "zh" else "name_en"],
        t("place", lang): frame["place"].map(lambda place: place_name(place, lang)),
        t("unit", lang): frame["unit"].map(lambda text: terms.unit(text, lang)),
        t("baseline", lang): [dated(v, y) for v, y in zip(frame["baseline"], frame["baseline_year"])],
        t("latest", lang): [dated(v, y) for v, y in zip(frame["latest"], frame["latest_as_of"])],
        t("target", lang): [dated(v, y) for v, y in zip(frame["target"], frame["target_year"])],
        t("progress", lang): frame["progress"].map(lambda share: "" if share is None or share != share
                                                    else f"{share:.0%}"),
        t("flag", lang): frame["flag"].map(lambda flag: pick(FLAGS.get(flag), lang, flag)),
    })


def _drawing_facts(row: pd.Series, lang: str) -> dict[str, str]:
    """How far to trust the outline: measured beside official area, measured accuracy, schematic, licence."""
    facts = {}
    note = row.get(f"area_note_{lang}")
    if isinstance(note, str) and note:
        facts[t("official", lang)] = note
    accuracy = f"± {int(row['accuracy_m'])} m"
    basis = row.get(f"accuracy_basis_{lang}")
    if isinstance(basis, str) and basis:
        accuracy += f"（{basis}）" if lang == "zh" else f" ({basis})"
    facts[t("accuracy", lang)] = accuracy
    if row.get("schematic") is True:
        facts[t("schematic", lang)] = SCHEMATIC_NOTE[0 if lang == "zh" else 1]
    method = row.get(f"method_{lang}")
    if isinstance(method, str) and method:
        facts[t("method", lang)] = method
    licence = row.get("licence")
    if isinstance(licence, str) and licence:
        facts[t("licence", lang)] = licence_text(licence, lang)
    return facts


def indicator_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    return pd.DataFrame({
        "指标" if zh else "Indicator": table["name_zh" if zh else "name_en"],
        "类型" if zh else "Kind": table["kind"].map({"baseline": "基期" if zh else "baseline",
                                                     "target": "目标" if zh else "target",
                                                     "actual": "实际" if zh else "actual"}),
        "年份" if zh else "Year": table["year"],
        "数值" if zh else "Value": table["value"].map(lambda text: terms.value(text, lang) if text else
                                                      ("未设定" if zh else "not set")),
        "单位" if zh else "Unit": table["unit"].map(lambda text: terms.unit(text, lang)),
        "属性" if zh else "Attribute": table["attribute"].map(lambda text: terms.attribute(text, lang)),
        "引文" if zh else "Clause (quote)": table["quote"],
    })


def _plain(text: str) -> str:
    """Markdown-inert text (links, images, autolinks, LaTeX and directives included), kept whole."""
    return markdown_inert(text, limit=PLAIN_CHARS)


@st.cache_data(show_spinner=False)
def _indicator_views(_plan: Plan, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Computed once per language: the plan tables never change while the server runs."""
    return table1(_plan, lang), growth_chart(_plan, lang), beijing_table(_plan, lang)


@st.cache_data(show_spinner=False)
def _monitoring(_plan: Plan, by_flag: bool) -> list[dict]:
    """Computed once per order: the plan tables never change while the server runs."""
    return monitoring_records(_plan, by_flag)


@st.cache_data(show_spinner=False)
def _monitoring_table(_plan: Plan, by_flag: bool, lang: str) -> pd.DataFrame:
    return monitoring_rows(_monitoring(_plan, by_flag), lang)


@st.cache_data(show_spinner=False)
def _subcentre_targets(_plan: Plan, lang: str) -> pd.DataFrame:
    sub = _plan.indicator_table()
    return indicator_rows(sub[sub["doc_id"] == "003_9b6ba7233289b866"], lang)


@st.cache_data(show_spinner=False)
def _index_chart_spec(_plan: Plan, lang: str) -> dict:
    """The index chart as a Vega-Lite spec, made once per language: building and validating the Altair
    chart was over half of the indicators panel's run (~0.25 s)."""
    return index_chart(_indicator_views(_plan, lang)[1], lang).to_dict()


def index_chart(chart: pd.DataFrame, lang: str):
    """Zone and core side by side (never stacked: two indexes do not add up), with the baseline's 100 line."""
    import altair as alt

    zh = lang == "zh"
    long = chart.rename_axis("indicator").reset_index().melt("indicator", var_name="place", value_name="index").dropna()
    titles = ("指标", "2025年目标（2020年=100）", "范围") if zh else ("Indicator", "2025 target (2020 = 100)", "Area")
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y("indicator:N", title=titles[0], sort=None, axis=alt.Axis(labelLimit=260)),
        yOffset="place:N",
        x=alt.X("index:Q", title=titles[1], scale=alt.Scale(domainMin=0)),
        color=alt.Color("place:N", title=titles[2]),
        tooltip=["indicator:N", "place:N", "index:Q"],
    )
    baseline = alt.Chart(pd.DataFrame({"index": [100]})).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="index:Q")
    return (bars + baseline).properties(height=alt.Step(14))


def indicators(plan: Plan, lang: str) -> None:
    zh = lang == "zh"
    wide, chart, beijing = _indicator_views(plan, lang)
    st.markdown(f"**{t('table1', lang)}**")
    st.dataframe(wide, hide_index=True, width="stretch")
    table_download(wide, t("table1", lang), "cbd_table1", lang, "dl_table1")
    if not chart.empty:
        st.caption((f"2025年目标相对2020年基期（基期=100）：表1的{len(wide)}项指标中，{len(chart)}项的基期与目标均为数值"
                    "（比率类指标不作指数）") if zh else
                   (f"2025 target relative to the 2020 baseline (baseline = 100): {len(chart)} of Table 1's "
                    f"{len(wide)} indicators have both as numbers (rates are not indexed)"))
        st.vega_lite_chart(spec=_index_chart_spec(plan, lang), width="stretch")
    st.markdown(f"**{t('beijing_indicators', lang)}** · {t('midterm', lang)}")
    st.dataframe(beijing, hide_index=True, width="stretch")
    table_download(beijing, t("beijing_indicators", lang), "beijing_indicators", lang, "dl_beijing")
    st.markdown(f"**{t('monitoring', lang)}**")
    order = st.radio(t("sort_by", lang), ("table", "flag"), key="ind_sort", horizontal=True,
                     format_func=lambda choice: t(f"sort_{choice}", lang))
    monitored = _monitoring_table(plan, order == "flag", lang)
    st.dataframe(monitored, hide_index=True, width="stretch", column_config={"id": None}, key="monitoring_table")
    table_download(monitored, t("monitoring", lang), "indicator_monitoring", lang, "dl_monitoring")
    st.markdown(f"**{t('subcentre_targets', lang)}**")
    sub_rows = _subcentre_targets(plan, lang)
    st.dataframe(sub_rows, hide_index=True, width="stretch")
    table_download(sub_rows, t("subcentre_targets", lang), "subcentre_targets", lang, "dl_subcentre")


def exports(chosen: list[str], lang: str) -> None:
    from ui.export_panel import export_panel

    export_panel(chosen, lang)
