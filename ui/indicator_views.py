"""Indicator tables shaped for reading: Table 1 side by side, the Beijing outline with its mid-term status,
and every indicator's monitoring flag, sortable by flag."""
from __future__ import annotations

import re

import pandas as pd

from geo.monitoring import flag_rank, monitor
from geo.plan import Plan, load_manifest
from ui import terms

DOC_000 = "000_a4f22e102a070a95"
DOC_001 = "001_055cf86f3772e486"
DOC_004 = "004_b7c0e70d334dbd0f"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _value(values: pd.DataFrame, place: str, kind: str) -> str:
    hit = values[(values["place"] == place) & (values["kind"] == kind)]
    if hit.empty:
        return ""
    value = hit["value"].iloc[0]
    return value if value else "未设定 / not set"


def table1(plan: Plan, lang: str) -> pd.DataFrame:
    """The 18 rows of Table 1: zone and core, baseline and target, with category and attribute."""
    zh = lang == "zh"
    table = plan.indicator_table()
    table = table[(table["doc_id"] == DOC_000)]
    rows = []
    for indicator_id, values in table.groupby("indicator_id", sort=False):
        first = values.iloc[0]
        if first["table"] != "表1":
            continue
        zone, core = ("功能区", "中心区") if zh else ("Zone", "Core")
        rows.append({
            "类别" if zh else "Category": terms.category(first["category"], lang),
            "指标" if zh else "Indicator": first["name_zh" if zh else "name_en"],
            "单位" if zh else "Unit": terms.unit(first["unit"], lang),
            f"{zone} 2020": terms.value(_value(values, "cbd_zone", "baseline"), lang),
            f"{zone} 2025": terms.value(_value(values, "cbd_zone", "target"), lang),
            f"{core} 2020": terms.value(_value(values, "cbd_core", "baseline"), lang),
            f"{core} 2025": terms.value(_value(values, "cbd_core", "target"), lang),
            "属性" if zh else "Attribute": terms.attribute(first["attribute"], lang),
        })
    return pd.DataFrame(rows)


def _number(text: str) -> float | None:
    match = _NUMBER.search(text.replace(",", "")) if isinstance(text, str) else None
    return float(match.group()) if match else None


def growth_chart(plan: Plan, lang: str) -> pd.DataFrame:
    """Target as an index of the baseline (=100), for zone and core indicators that have both as numbers."""
    zh = lang == "zh"
    table = plan.indicator_table()
    table = table[table["doc_id"] == DOC_000]
    series: dict[str, dict[str, float]] = {}
    for (indicator_id, place), values in table.groupby(["indicator_id", "place"]):
        baseline = _number(_value(values, place, "baseline"))
        target = _number(_value(values, place, "target"))
        if baseline and target and values["table"].iloc[0] == "表1" and "%" not in values["unit"].iloc[0]:
            name = values["name_zh" if zh else "name_en"].iloc[0]
            label = ("功能区" if zh else "zone") if place == "cbd_zone" else ("中心区" if zh else "core")
            series.setdefault(name, {})[label] = round(100 * target / baseline, 1)
    return pd.DataFrame(series).T


def beijing_table(plan: Plan, lang: str) -> pd.DataFrame:
    """The Beijing outline's main indicators with baseline, 2025 target and the mid-term (004) value."""
    zh = lang == "zh"
    table = plan.indicator_table()
    definitions = plan.indicators[plan.indicators["doc_id"] == DOC_001]
    rows = []
    for definition in definitions.itertuples():
        values = table[table["indicator_id"] == definition.id]
        actual = values[(values["kind"] == "actual")]
        rows.append({
            "类别" if zh else "Category": terms.category(definition.category, lang),
            "指标" if zh else "Indicator": definition.name_zh if zh else definition.name_en,
            "单位" if zh else "Unit": terms.unit(definition.unit, lang),
            "2020": terms.value(_value(values[values["kind"] != "actual"], "beijing", "baseline"), lang),
            "2025": terms.value(_value(values, "beijing", "target"), lang),
            ("中期评估" if zh else "Mid-term"): "; ".join(
                f"{v}（{y}）" if y else v for v, y in zip(actual["value"], actual["year"])),
            "属性" if zh else "Attribute": terms.attribute(definition.attribute, lang),
        })
    return pd.DataFrame(rows)


def monitoring_records(plan: Plan, by_flag: bool = False) -> list[dict]:
    """Every indicator at every place with baseline, latest, target and flag; by flag, the ones behind first."""
    records = monitor(plan, doc_dates=load_manifest()["date_issued"].to_dict())
    return sorted(records, key=lambda record: flag_rank(record["flag"])) if by_flag else records
