"""Indicator monitoring: figures parsed as the sources write them, and flags checked by hand."""
from __future__ import annotations

import pytest

from geo.monitoring import FLAGS, assess, flag_rank, monitor, parse_figure
from geo.plan import load_manifest, load_plan


@pytest.fixture(scope="module")
def shipped():
    records = monitor(load_plan(), doc_dates=load_manifest()["date_issued"].to_dict())
    return {(record["id"], record["place"]): record for record in records}


@pytest.mark.parametrize(("text", "number", "bound"), [
    ("≥20000", 20000, 1), ("5.50左右", 5.5, 0), ("不少于100万", 1e6, 1), ("【830左右】", 830, 0), ("<5", 5, -1),
    ("5以内", 5, -1), ("＞5", 5, 1), ("9000余", 9000, 1), ("2.8万", 28000, 0), ("达到国家要求", None, 0), ("", None, 0),
    ("不超过30", 30, -1), ("不低于95", 95, 1), ("超2.44万", 24400, 1),
])
def test_figures_are_read_as_the_sources_write_them(text, number, bound):
    figure = parse_figure(text)
    assert figure.number == number and figure.bound == bound


def test_forest_cover_is_on_track(shipped):
    """001: 森林覆盖率达到44.4% (2020) → 45% (2025); 004: 2022年全市森林覆盖率达44.8%.
    Progress (44.8 − 44.4) / (45 − 44.4) = 0.4 / 0.6 = 0.667; elapsed (2022 − 2020) / (2025 − 2020) = 0.4.
    0.667 ≥ 0.4: on track."""
    record = shipped[("i001_forest_cover", "beijing")]
    assert (record["baseline"], record["baseline_year"], record["latest"], record["latest_as_of"]) == \
        ("44.4", 2020, "44.8", "2022")
    assert record["progress"] == pytest.approx(0.667) and record["flag"] == "on_track"
    assert record["latest_doc"] == "004_b7c0e70d334dbd0f"


def test_waste_recycling_is_met(shipped):
    """001 table: 生活垃圾回收利用率 37.5 (2025); 004: 回收利用率达到38%. 38 ≥ 37.5: met (no baseline, so no progress)."""
    record = shipped[("i001_waste_recycling_rate", "beijing")]
    assert record["flag"] == "met" and record["progress"] is None
    assert record["latest_as_of"] == "2023"  # 004 states no year: the data dates it by the report (its note says so)


def test_a_text_target_is_not_measurable(shipped):
    """001: 细颗粒物年均浓度 target 达到国家要求 (text); 004: 连续两年达到国家二级标准 (text)."""
    assert shipped[("i001_pm25", "beijing")]["flag"] == "not_measurable"


def test_rail_length_is_behind_the_straight_path():
    """001: 城市轨道交通运营里程超700公里，市郊铁路开行近400公里 (2020: about 1100 km in all) and 轨道交通（含市郊铁路）
    里程预计达到1600公里 (2025); 004: 2023年上半年全市轨道交通运营总里程达到1172公里.
    Progress (1172 − 1100) / (1600 − 1100) = 72 / 500 = 0.144; elapsed (2023 − 2020) / 5 = 0.6. 0.144 < 0.6: behind."""
    progress, flag = assess("1100", 2020, "1172", 2023, "1600", 2025, "轨道交通运营里程")
    assert progress == pytest.approx(0.144) and flag == "behind"


def test_falling_targets_are_judged_downwards():
    """A falling target (the direction from baseline to target): 38 → 33 by 2022 against 30 in 2025.
    Progress (33 − 38) / (30 − 38) = 0.625; elapsed 2/5 = 0.4: on track. 37 by 2022: 0.125 < 0.4, behind.
    29 is below the target: met. Without a baseline, a ≤ bound or the name says which way is better."""
    assert assess("38", 2020, "33", 2022, "30", 2025, "细颗粒物年均浓度") == (0.625, "on_track")
    assert assess("38", 2020, "37", 2022, "30", 2025, "细颗粒物年均浓度") == (0.125, "behind")
    assert assess("38", 2020, "29", 2022, "30", 2025, "细颗粒物年均浓度")[1] == "met"
    assert assess(None, None, "2185", 2022, "≤2300", 2025, "常住人口规模")[1] == "met"
    assert assess(None, None, "3.1", 2022, "3", 2025, "城镇调查失业率")[1] == "not_measurable"
    assert assess(None, None, "2.9", 2022, "3", 2025, "城镇调查失业率")[1] == "met"


def test_missing_figures_or_years_are_not_measurable():
    assert assess("10", 2020, None, None, "20", 2025) == (None, "not_measurable")
    assert assess("10", None, "12", 2022, "20", 2025) == (0.2, "not_measurable")
    assert assess("10", 2020, "12", 2022, "全覆盖", 2025) == (None, "not_measurable")


def test_sorting_by_flag_puts_the_ones_behind_first():
    assert sorted(["met", "not_measurable", "behind", "on_track"], key=flag_rank) == list(FLAGS)


def test_a_baseline_in_another_currency_is_not_compared(shipped):
    """001: 2020 人均地区生产总值 2.4万美元左右; target 21 万元 (2025); 004: 超过19 万元. 19 < 21 is not met, and a
    dollar baseline cannot anchor a path in 万元: not measurable (it was flagged "met" by reading 2.4万 as 24 000)."""
    record = shipped[("i001_gdp_per_capita", "beijing")]
    assert record["flag"] == "not_measurable" and record["progress"] is None
