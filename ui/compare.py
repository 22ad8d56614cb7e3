"""对比分析 / Compare: two places side by side — their facts, their tasks counted by theme (own and inside
the place, then all including wider areas), and their indicators with monitoring flags.

Both sides come from geo.describe, the same answer the details panel and the command line give, so a
comparison never disagrees with what each place's details say.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.describe import PlaceReport, describe, place_name
from geo.places import UnknownPlace
from geo.plan import Plan
from layers.i18n import THEMES, pick, t
from ui.search import search_entries, search_label

DEFAULT_PAIR = ("cbd_core", "subcentre")
SPECIFIC = ("direct", "inside")  # tasks naming the place or a place inside it


def facts_row(report: PlaceReport, lang: str) -> dict[str, str]:
    zh = lang == "zh"
    return {
        t("area", lang): f"{report.area_km2:.2f} km²" if report.area_km2 is not None else "—",
        t("official", lang): f"{report.official_km2:g} km²" if report.official_km2 is not None else "—",
        t("part_of", lang): " › ".join(place_name(p, lang) for p in report.part_of) or "—",
        ("穿越线路数" if zh else "Lines crossing"): str(len(report.crossed_by)),
        ("涉及街乡数" if zh else "Streets spanned"): str(len(report.streets)),
        ("本地及区内任务" if zh else "Own and inside tasks"): str(int(report.tasks["via"].isin(SPECIFIC).sum())
                                                              if not report.tasks.empty else 0),
        ("全部相关任务" if zh else "All related tasks"): str(len(report.tasks)),
        (t("indicators", lang)): str(len(report.indicators)),
    }


def themes_table(reports: list[PlaceReport], lang: str) -> pd.DataFrame:
    """Tasks by theme: for each place, its own and inside tasks / all related tasks."""
    themes = sorted({theme for report in reports if not report.tasks.empty for theme in report.tasks["theme"]})
    rows = []
    for theme in themes:
        row = {t("theme", lang): pick(THEMES.get(theme), lang, theme)}
        for report in reports:
            tasks = report.tasks
            mine = tasks[tasks["theme"] == theme] if not tasks.empty else tasks
            own = int(mine["via"].isin(SPECIFIC).sum()) if not mine.empty else 0
            row[place_name(report.id, lang)] = f"{own} / {len(mine)}"
        rows.append(row)
    return pd.DataFrame(rows)


def compare_panel(plan: Plan, places: gpd.GeoDataFrame, lang: str) -> None:
    from ui.panels import monitoring_rows

    zh = lang == "zh"
    entries = search_entries(places, plan)
    ids = list(entries["id"])
    label = search_label(entries, lang)
    left, right = st.columns(2)
    for column, key, default in ((left, "cmp_a", DEFAULT_PAIR[0]), (right, "cmp_b", DEFAULT_PAIR[1])):
        if st.session_state.get(key) not in ids:
            st.session_state[key] = default
        column.selectbox(("地点" if zh else "Place") + (" A" if key == "cmp_a" else " B"), ids, key=key,
                         format_func=label)
    reports = []
    for key in ("cmp_a", "cmp_b"):
        try:
            reports.append(describe(st.session_state[key], plan, places))
        except UnknownPlace:
            st.warning(t("unknown_place", lang) + st.session_state[key])
            return
    names = [place_name(report.id, lang) for report in reports]
    facts = pd.DataFrame([facts_row(report, lang) for report in reports], index=names).T
    st.markdown("**" + ("基本情况" if zh else "Facts") + "**")
    st.dataframe(facts.rename_axis("项目" if zh else "Item").reset_index(), hide_index=True, width="stretch")
    st.markdown("**" + ("按主题的任务（本地及区内 / 全部）" if zh else "Tasks by theme (own and inside / all)") + "**")
    st.dataframe(themes_table(reports, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('indicators', lang)}**")
    for column, report, name in zip(st.columns(2), reports, names):
        with column:
            st.caption(name)
            if report.indicators:
                st.dataframe(monitoring_rows(report.indicators, lang), hide_index=True, width="stretch",
                             column_config={"id": None})
            else:
                st.caption("没有指标" if zh else "No indicators")
