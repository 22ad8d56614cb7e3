"""Indicator monitoring (GB/T 39972 监测评估预警): baseline → latest actual → target, and a flag.

For each indicator and place the plan tables hold a baseline (value, year), targets and reported actuals.
`monitor` pairs them and computes:
- **latest**: the actual with the latest year (an actual whose year is not stated is dated by its
  document's issue date in seeds/manifest.csv: 004's unstated years count as 2023).
- **progress**: the share of the way from baseline to target achieved, (latest − baseline) /
  (target − baseline); none without a numeric baseline and target.
- **flag**, the first that applies:
  - `not_measurable`: the target or the latest figure is text (达到国家要求, 全覆盖) or missing;
  - `met`: the latest figure has reached the target in the indicator's direction;
  - `not_measurable`: no numeric baseline, or a year missing, so no straight path can be drawn;
  - `on_track`: progress ≥ elapsed share of time, (latest year − baseline year) / (target year −
    baseline year): at least as far along as the straight path from baseline to target;
  - `behind`: otherwise (including a move away from the target).
- **direction**: from baseline to target (a falling target such as PM2.5 or water use falls); without a
  baseline, from the target's bound (≥/以上/不少于 rises, ≤/以内/＜ falls); otherwise from the measure's
  name (concentrations, death and unemployment rates, water use, population, built-up land fall) and else
  rising, as most plan indicators are.
Figures are parsed from the text the sources give: bounds (≥ ≤ ＞ ＜ 以上 以内 不少于 超过), approximations
(约 左右 近 接近 余) and the multipliers 万 and 亿 attached to a number; 【】 (five-year cumulative) is
dropped. Units are the indicator's; a value written in another currency (2020's per-capita GRP of
"2.4万美元左右" against targets in 万元) is not comparable and counts as missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geo.plan import Plan

FLAGS = ("behind", "on_track", "met", "not_measurable")  # most urgent first: the order a sort by flag uses
AT_LEAST = ("≥", ">", "＞", "以上", "不少于", "不低于", "超过", "超", "多于", "高于", "余")
AT_MOST = ("≤", "<", "＜", "以内", "以下", "不超过", "不高于", "不多于", "低于", "少于")
# Longest first, so 不超过 is read before 超 and 不低于 before 低于.
_BOUNDS = sorted([(mark, 1) for mark in AT_LEAST] + [(mark, -1) for mark in AT_MOST], key=lambda pair: -len(pair[0]))
FALLING_MEASURES = ("浓度", "死亡率", "失业率", "用水总量", "常住人口", "建设用地")
RISING_DESPITE_NAME = ("降幅", "下降率")  # a reduction rate: the larger the better
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(万|亿)?")
_MULTIPLIER = {"万": 1e4, "亿": 1e8, None: 1.0}
CURRENCIES = ("美元", "欧元", "港元")


@dataclass(frozen=True)
class Figure:
    """A value as the plans write it, read as a number (None for text) and a bound (+1 at least, -1 at most)."""

    number: float | None
    bound: int


def parse_figure(text: object) -> Figure:
    """Read '≥20000', '5.50左右', '不少于100万', '【830左右】' or '达到国家要求' (text: number None)."""
    value = str(text or "").replace(",", "").replace("，", "").strip("【】 ")
    match = _NUMBER.search(value)
    number = float(match.group(1)) * _MULTIPLIER[match.group(2)] if match else None
    bound = next((sign for mark, sign in _BOUNDS if mark in value), 0)
    return Figure(number, bound)


def direction(baseline: Figure, target: Figure, name: str) -> int:
    """+1 when the indicator should rise, -1 when it should fall (see the module docstring)."""
    if baseline.number is not None and target.number is not None and baseline.number != target.number:
        return 1 if target.number > baseline.number else -1
    if target.bound:
        return target.bound
    if any(word in name for word in FALLING_MEASURES) and not any(word in name for word in RISING_DESPITE_NAME):
        return -1
    return 1


def assess(baseline: str | None, baseline_year: int | None, latest: str | None, latest_year: int | None,
           target: str | None, target_year: int | None, name: str = "") -> tuple[float | None, str]:
    """(progress, flag) for one indicator at one place; the rules are in the module docstring."""
    base, now, goal = parse_figure(baseline), parse_figure(latest), parse_figure(target)
    if goal.number is None or now.number is None:
        return None, "not_measurable"
    sign = direction(base, goal, name)
    progress = None
    if base.number is not None and goal.number != base.number:
        progress = round((now.number - base.number) / (goal.number - base.number), 3)
    if (now.number - goal.number) * sign >= 0:
        return progress, "met"
    if progress is None or None in (baseline_year, latest_year, target_year) or target_year <= baseline_year:
        return progress, "not_measurable"
    elapsed = (latest_year - baseline_year) / (target_year - baseline_year)
    return progress, "on_track" if progress >= elapsed else "behind"


def monitor(plan: Plan, place_ids: list[str] | None = None, doc_dates: dict[str, str] | None = None) -> list[dict]:
    """One record per (indicator, place) with baseline, latest, target, progress and flag, in table order."""
    table = plan.indicator_table()
    if place_ids is not None:
        table = table[table["place"].isin(place_ids)]
    doc_dates = doc_dates or {}
    records = []
    for (indicator_id, place), values in table.groupby(["indicator_id", "place"], sort=False):
        first = values.iloc[0]
        baseline = _pick(values[values["kind"] == "baseline"], {})
        target = _pick(values[values["kind"] == "target"], {})  # a target's year is its deadline, never a doc date
        latest = _pick(values[values["kind"] == "actual"], doc_dates)
        unit = _text(first["unit"]) or ""
        progress, flag = assess(_comparable(baseline["value"], unit), baseline["year"],
                                _comparable(latest["value"], unit), latest["year"],
                                _comparable(target["value"], unit), target["year"], str(first["name_zh"]))
        records.append({
            "id": indicator_id, "name_zh": _text(first["name_zh"]), "name_en": _text(first["name_en"]),
            "unit": _text(first["unit"]), "place": place,
            "baseline": baseline["value"], "baseline_year": baseline["year"],
            "target": target["value"], "target_year": target["year"],
            "latest": latest["value"], "latest_as_of": latest["as_of"], "latest_doc": latest["doc"],
            "progress": progress, "flag": flag,
        })
    return records


def _comparable(value: str | None, unit: str) -> str | None:
    """The value, or None when it is written in a currency the indicator's unit does not use."""
    if value and any(currency in value and currency not in unit for currency in CURRENCIES):
        return None
    return value


def _pick(rows: pd.DataFrame, doc_dates: dict[str, str]) -> dict:
    """The latest-dated row with a value (an undated row takes its document's date), or all None."""
    empty = {"value": None, "year": None, "as_of": None, "doc": None}
    rows = rows[rows["value"].fillna("") != ""]
    if rows.empty:
        return empty
    dated = [(_year(row["year"]) or _year(doc_dates.get(row["doc_id"], "")), index) for index, row in rows.iterrows()]
    year, index = max(dated, key=lambda pair: (pair[0] or 0, pair[1]))
    row = rows.loc[index]
    stated = str(row["year"] or "")
    doc_date = doc_dates.get(row["doc_id"], "")
    as_of = stated or (doc_date if _year(doc_date) else None)
    return {"value": str(row["value"]), "year": year, "as_of": as_of, "doc": row["doc_id"] or None}


def _year(text: object) -> int | None:
    match = re.match(r"\s*(\d{4})", str(text or ""))
    return int(match.group(1)) if match else None


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def flag_rank(flag: str) -> int:
    """Sort key: behind first, then on track, met, not measurable."""
    return FLAGS.index(flag) if flag in FLAGS else len(FLAGS)
