"""Seed 001 (the city's 14th FYP outline): what its extraction for the central city, the sub-centre, 北三县,
the canal and rail must keep true.

The checks read the seed text itself, so a clause the extraction skips, a place a clause names but the record
does not carry, or a status that one component of a bundle lends to the rest fails here instead of reaching a
planner's report.
"""
from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest

from geo.load import read_layer
from geo.paths import DATA_DIR, SHARED_SEEDS_DIR
from geo.places import load_places
from geo.plan import load_plan, quote_errors

DOC_001, DOC_004 = "001_055cf86f3772e486", "004_b7c0e70d334dbd0f"
CENTRAL_DISTRICTS = ("district_dongcheng", "district_xicheng", "district_chaoyang", "district_haidian",
                     "district_fengtai", "district_shijingshan")
# 中心城区, 中心城线网, 中心城和平原新城 — but not 国际消费中心城市.
CENTRAL_CITY_TERM = re.compile(r"中心城(?!市)")
# Clauses where 中心城区 is only what another place takes over, not the place the action is about.
CENTRAL_CITY_NOT_SUBJECT = ("承接中心城区适宜功能", "承接中心城区养老功能外溢")
SUBCENTRE_CHAPTER = ("第二章高水平建设城市副中心", "第三章主动支持雄安新区建设")
SUBCENTRE_CHAPTER_ACTION_LINES = 65  # 76 lines from the chapter title to the next chapter, less 11 headings
SUBCENTRE_SIDE = {"subcentre", "district_tongzhou", "beisan"}
# Things a clause can bundle; a status must name each one its task quotes (or an alias that 004 uses for it).
COMPONENTS: dict[str, tuple[str, ...]] = {
    "平谷线": (), "M101": (), "CBD线": (), "丽金线": (), "11号线西段": (), "19号线北延": (), r"(?<!\d)1号线": (),
    "八通线": (), "城市副中心线": (), "东北环线": (), "通密线": (), "京唐": (), "京滨": (), "丰雄商": (),
    "大兴机场线": (), "良陈线": (), "丰台站": (), "朝阳站": (), "清河站": (), "霍营": (), "苹果园": (),
    "城市副中心站": ("副中心站",), "综合交通枢纽": (), "东六环": (), "行政办公区二期": (), "第二批": (),
    "运河商务区": (), "环球主题公园": (), "二三期": (), "人民大学": (), "安贞医院": (), "路县故城": (),
    "剧院": ("三大文化设施",), "图书馆": ("三大文化设施",), "博物馆": ("三大文化设施",),
    "城市副中心文化设施": ("三大文化设施",), "央企": (), "市属国企": (), "跨国企业": (),
    "北运河": ("大运河京冀段",), "通惠河": (), "亮马河": (), "潮白河": (), "温榆河公园": (), "南苑": (),
}


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def tasks(plan) -> pd.DataFrame:
    return plan.tasks[plan.tasks["doc_id"] == DOC_001].reset_index(drop=True)


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    if not SHARED_SEEDS_DIR.exists():
        pytest.skip(f"source documents not found at {SHARED_SEEDS_DIR}; CI clones with ../shared beside the repo")
    return {path.stem: path.read_text(encoding="utf-8") for path in SHARED_SEEDS_DIR.glob("*.txt")}


@pytest.fixture(scope="module")
def seed_lines(seed_texts) -> list[str]:
    return seed_texts[DOC_001].split("\n")


def places_of(task: pd.Series) -> set[str]:
    return set(filter(None, task["places"].split(";")))


def lines_of(quote: str, seed_lines: list[str]) -> list[int]:
    """0-based indexes of the seed lines a quote lies on."""
    return [index for index, line in enumerate(seed_lines) if quote in line]


def heading_lines(seed_lines: list[str], tasks: pd.DataFrame) -> set[int]:
    """Lines that are a bold lead heading: short, no comma, and used as a section-path step by some task."""
    steps = {step for path in tasks["section_path"] for step in path.split(" > ")}
    headings = set()
    for index, line in enumerate(seed_lines):
        text = re.sub(r"^\d+", "", line).rstrip("。")
        if text in steps and len(text) <= 20 and "，" not in text:
            headings.add(index)
    return headings


def central_place_ids(plan) -> set[str]:
    """中心城区 itself and every place that lies inside it: its six districts and what sits in them."""
    places = load_places()
    districts = read_layer(DATA_DIR / "context.geojson")
    central = districts[districts["id"].isin(CENTRAL_DISTRICTS)].union_all()
    areas_and_points = places[~places.geom_type.isin(["LineString", "MultiLineString"])]
    inside = areas_and_points[gpd.GeoSeries(areas_and_points.representative_point(), crs=4326).within(central)]
    return {"central_city", "capital_core", *CENTRAL_DISTRICTS, *inside["id"], *plan.structure["id"]}


def borrowed_statuses(tasks: pd.DataFrame) -> list[str]:
    """Reported tasks whose quote names a component the status evidence does not name."""
    problems = []
    for task in tasks[tasks["status"] != "not_reported"].itertuples():
        for pattern, aliases in COMPONENTS.items():
            if re.search(pattern, task.quote) and not any(
                    re.search(p, task.status_quote) for p in (pattern, *map(re.escape, aliases))):
                problems.append(f"{task.id}: status {task.status!r} does not name {pattern!r}")
    return problems


def test_a_clause_about_the_central_city_is_tagged_with_it(plan, tasks):
    central = central_place_ids(plan)
    untagged = [task.id for task in tasks.itertuples()
                if (CENTRAL_CITY_TERM.search(task.quote) or CENTRAL_CITY_TERM.search(task.section_path))
                and not places_of(task._asdict()) & central]
    assert untagged == []


def test_every_central_city_line_of_the_seed_has_a_central_task(plan, tasks, seed_lines):
    central = central_place_ids(plan)
    headings = heading_lines(seed_lines, tasks)
    table_of_contents = 4
    missing = []
    for index, line in enumerate(seed_lines):
        if (index == table_of_contents or index in headings or not CENTRAL_CITY_TERM.search(line)
                or any(fragment in line for fragment in CENTRAL_CITY_NOT_SUBJECT)):
            continue
        on_line = [task for task in tasks.itertuples() if task.quote in line]
        if not any(places_of(task._asdict()) & central for task in on_line):
            missing.append(f"L{index + 1}: {line[:40]}")
    assert missing == []


def test_statuses_cite_004_verbatim(plan, tasks, seed_texts):
    assert quote_errors(plan, SHARED_SEEDS_DIR) == []
    reported = tasks[tasks["status"] != "not_reported"]
    assert len(reported) >= 20
    assert set(reported["status_doc"]) <= {DOC_004, "osm"}
    from_004 = reported[reported["status_doc"] == DOC_004]
    assert [q for q in from_004["status_quote"] if q not in seed_texts[DOC_004] or len(q) > 60] == []


def test_osm_statuses_only_for_lines_osm_shows_operating(tasks):
    lines = read_layer(DATA_DIR / "rail_lines.geojson").set_index("id")["status"]
    for task in tasks[tasks["status_doc"] == "osm"].itertuples():
        rails = [p for p in places_of(task._asdict()) if p.startswith("rail_")]
        assert rails and all(lines.get(p) == "operating" for p in rails), task.id


def test_no_bundle_lends_one_components_status_to_the_rest(tasks):
    assert borrowed_statuses(tasks) == []
    parts = tasks[tasks["id"].str.fullmatch(r"t001_\d{3}_[a-z]")]
    for base, family in parts.groupby(parts["id"].str[:8]):
        assert base not in set(tasks["id"]), f"{base} is split but still listed whole"
        assert len(family) >= 2 and family["quote"].is_unique, base


def test_a_bundle_with_a_borrowed_status_is_caught(tasks):
    bundle = tasks[tasks["id"] == "t001_030"].copy()  # 副中心线 upgrade and M101 in one clause
    bundle[["status", "status_doc", "status_quote"]] = ["opened", DOC_004, "19号线一期、11号线西段等9条(段)线路建成通车"]
    assert len(borrowed_statuses(bundle)) == 2


def test_every_action_line_of_the_subcentre_chapter_is_a_task(tasks, seed_lines):
    start = next(i for i, line in enumerate(seed_lines) if line.startswith(SUBCENTRE_CHAPTER[0]))
    end = next(i for i, line in enumerate(seed_lines) if line.startswith(SUBCENTRE_CHAPTER[1]))
    headings = heading_lines(seed_lines, tasks)
    action_lines = [i for i in range(start, end) if i not in headings]
    assert len(action_lines) == SUBCENTRE_CHAPTER_ACTION_LINES
    quotes = list(tasks["quote"])
    uncovered = [f"L{i + 1}: {seed_lines[i][:40]}" for i in action_lines if not any(q in seed_lines[i] for q in quotes)]
    assert uncovered == []


def test_subcentre_chapter_tasks_carry_a_subcentre_side_place(tasks, seed_lines):
    start = next(i for i, line in enumerate(seed_lines) if line.startswith(SUBCENTRE_CHAPTER[0]))
    end = next(i for i, line in enumerate(seed_lines) if line.startswith(SUBCENTRE_CHAPTER[1]))
    chapter = tasks[tasks["quote"].apply(lambda q: any(start <= i < end for i in lines_of(q, seed_lines)))]
    assert len(chapter) >= SUBCENTRE_CHAPTER_ACTION_LINES
    placeless = [task.id for task in chapter.itertuples()
                 if not {p for p in places_of(task._asdict()) if p in SUBCENTRE_SIDE or p.startswith("sc_")}]
    assert placeless == []


def test_the_audit_instances_stay_fixed(tasks):
    by_id = tasks.set_index("id")
    for task_id in ("t001_117", "t001_118", "t001_120"):
        assert {"central_city", "subcentre"} <= places_of(by_id.loc[task_id])
        assert "中心城区" in by_id.loc[task_id, "title_zh"]
    assert "capital_core" in places_of(by_id.loc["t001_120"])
    assert by_id.loc["t001_041", "targets"]
    assert "预计" in by_id.loc["t001_005", "title_zh"]
    assert "ctx_liangma" in places_of(by_id.loc["t001_083"]) and "郎园" in by_id.loc["t001_083", "title_zh"]
    assert {"gz_capital_airport", "gz_daxing_airport"} <= places_of(by_id.loc["t001_075"])
    assert "district_chaoyang" in places_of(by_id.loc["t001_013"])
    assert "gz_shuangqiao_yard" in places_of(by_id.loc["t001_064"])
    assert "gz_tongzhou_old_town" in places_of(by_id.loc["t001_038"])
    assert all("beisan" in places_of(by_id.loc[t]) for t in ("t001_052", "t001_053", "t001_054", "t001_057"))
