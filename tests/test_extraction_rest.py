"""Extraction of 000, 002 and 003: complete against the source text, places tagged, statuses honest, figures linked.

Each test turns a defect the plan-data audit found (notes/plan-data-audit.md) into a rule over the whole
tables, so the same kind of error cannot come back elsewhere.
"""
from __future__ import annotations

import pytest

from geo.extraction import (
    actionable_sentences, cited_quotes, component_groups, document_dates, recall, status_dating_errors,
    uncited_figures,
)
from geo.paths import SHARED_SEEDS_DIR
from geo.plan import load_manifest, load_plan

DOC_000, DOC_001, DOC_002, DOC_003, DOC_004 = (
    "000_a4f22e102a070a95", "001_055cf86f3772e486", "002_7c59a961256cf9e3", "003_9b6ba7233289b866",
    "004_b7c0e70d334dbd0f")
CHECKED_DOCS = (DOC_000, DOC_002, DOC_003)  # 001's tasks are extracted elsewhere
# Names that mean one place wherever a quote uses them.
UNAMBIGUOUS_NAMES = {
    "东四环": "ctx_ring4", "东六环": "ctx_ring6_e", "亮马河": "ctx_liangma", "东坝": "gz_dongba",
    "中心城区": "central_city", "首都功能核心区": "capital_core", "北三县": "beisan", "行政办公区": "sc_admin",
    "运河商务区": "sc_canal_business", "城市绿心": "sc_green_heart", "张家湾设计小镇": "sc_zhangjiawan",
    "城市副中心站": "sc_hub", "环球主题公园": "sc_universal", "文化旅游区": "sc_culture_tourism", "台湖演艺小镇": "sc_taihu",
    "宋庄艺术": "sc_songzhuang", "奥林匹克": "gz_olympic_central_area", "中关村朝阳园": "gz_zgc_chaoyang_park",
}
# Events a later document reports that happened before the plan was issued: no status of that plan may rest on them.
# Dates are outside knowledge [ext]: 京雄城际 opened 2020-12-27; Universal Beijing opened 2021-09-20; the
# sub-centre's 国家绿色发展示范区 was set by 国发〔2021〕15号, which 003 itself implements.
EVENTS_BEFORE = {DOC_003: {
    "京雄城际": "2020-12-27", "环球主题公园盛大开园": "2021-09-20", "国家绿色发展示范区获批": "2021-08"}}


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def texts():
    if not SHARED_SEEDS_DIR.exists():
        pytest.skip(f"source documents not found at {SHARED_SEEDS_DIR}")
    return {path.stem: path.read_text(encoding="utf-8") for path in SHARED_SEEDS_DIR.glob("*.txt")}


def test_every_actionable_sentence_of_002_is_covered(plan, texts):
    result = recall(texts[DOC_002], cited_quotes(plan, DOC_002))
    assert len(result.enumerated) >= 60  # the rule still finds the plan's sentences
    assert result.uncovered == []


def test_every_figure_of_002_is_quoted(plan, texts):
    assert uncited_figures(texts[DOC_002], cited_quotes(plan, DOC_002)) == []


def test_the_sentence_rule_skips_context_and_keeps_headlines(texts):
    enumerated = actionable_sentences(texts[DOC_002])
    assert "实现CBD核心区4个项目竣工" in enumerated  # a headline target, split from its line
    assert not any(sentence.startswith("2026年是“十五五”规划开局之年") for sentence in enumerated)
    assert not any("编辑" in sentence for sentence in enumerated)


def test_a_missing_clause_shows_as_uncovered(plan, texts):
    quotes = [q for q in cited_quotes(plan, DOC_002) if "社会救助" not in q]
    uncovered = recall(texts[DOC_002], quotes).uncovered
    assert len(uncovered) == 1 and uncovered[0].startswith("健全社会救助体系")


def test_000_keeps_its_boxed_list_goals_and_implementation_chapter(plan):
    ids = set(plan.tasks["id"])
    assert {f"t000_box_{n}" for n in range(1, 6)} <= ids
    assert {f"t000_goal_{n}" for n in range(6)} <= ids
    assert {f"t000_ch4_{s}_{n}" for s in (1, 2) for n in range(1, 5)} <= ids


def test_targets_are_the_plans_own_words(plan, texts):
    tasks = plan.tasks[plan.tasks["doc_id"].isin(CHECKED_DOCS)]
    paraphrased = [(task.id, part) for task in tasks.itertuples() for part in filter(None, task.targets.split(";"))
                   if part not in texts[task.doc_id]]
    assert paraphrased == []


def test_titles_carry_no_editorial_notes(plan):
    tasks = plan.tasks[plan.tasks["doc_id"].isin(CHECKED_DOCS)]
    assert not tasks["title_en"].str.contains(r"\(the \d{3}|\(headline\)", regex=True).any()


def test_a_place_the_quote_names_is_tagged(plan):
    tasks = plan.tasks[plan.tasks["doc_id"].isin(CHECKED_DOCS)]
    untagged = [(task.id, name) for task in tasks.itertuples() for name, place in UNAMBIGUOUS_NAMES.items()
                if name in task.quote and place not in task.places.split(";")]
    assert untagged == []


@pytest.mark.parametrize(("task_id", "place"), [
    ("t000_3_1_2", "ctx_ring4"), ("t000_3_3_1", "gz_dongba"), ("t002_014", "ctx_liangma"),
    ("t000_2_4_3", "central_city"), ("t003_0_1", "central_city"), ("t003_0_1", "beisan"), ("t003_025", "beisan"),
])
def test_places_the_audit_found_missing(plan, task_id, place):
    places = plan.tasks.set_index("id").loc[task_id, "places"].split(";")
    assert place in places


def test_a_bundle_never_borrows_one_parts_status(plan):
    tasks = plan.tasks.set_index("id")
    for parent, components in component_groups(plan.tasks).items():
        reported = tasks.loc[components].query("status != 'not_reported'")
        if not reported.empty:
            assert tasks.loc[parent, "status"] == "not_reported", parent
        assert not reported["status_quote"].duplicated().any(), parent
    rail_bundles = plan.tasks[plan.tasks["places"].str.count("rail_") >= 2]
    assert (rail_bundles["status"] == "not_reported").all(), rail_bundles.loc[rail_bundles["status"] != "not_reported", "id"]


def test_the_cbd_rail_bundle_is_split_with_its_own_evidence(plan):
    tasks = plan.tasks.set_index("id")
    assert tasks.loc["t000_5_2_1", "status"] == "not_reported"
    parts = tasks.loc[component_groups(plan.tasks)["t000_5_2_1"]]
    assert {"rail_17", "rail_28", "rail_22", "rail_ne_ring", "rail_r4", "gz_guomao_station"} <= set(
        ";".join(parts["places"]).split(";"))
    opened = parts[parts["status"] == "opened"]
    assert list(opened["places"].str.contains("rail_17")) == [True] and (opened["status_doc"] == "osm").all()


def test_statuses_are_dated_after_the_plan_they_evaluate(plan):
    assert status_dating_errors(plan.tasks, document_dates(load_manifest())) == []


def test_evidence_that_predates_the_plan_is_not_used(plan):
    for doc_id, events in EVENTS_BEFORE.items():
        reported = plan.tasks[(plan.tasks["doc_id"] == doc_id) & (plan.tasks["status"] != "not_reported")]
        leaning = [(task.id, event) for task in reported.itertuples() for event in events if event in task.status_quote]
        assert leaning == []


def test_every_status_quote_is_short_and_from_its_document(plan, texts):
    reported = plan.tasks[plan.tasks["doc_id"].isin(CHECKED_DOCS) & (plan.tasks["status"] != "not_reported")]
    for task in reported.itertuples():
        assert len(task.status_quote) <= 60, task.id
        if task.status_doc != "osm":
            assert task.status_quote in texts[task.status_doc], task.id


def test_each_actual_measures_an_indicator_with_baseline_and_target(plan):
    values = plan.values
    defined_elsewhere = values[values["indicator_id"].str.match(r"i00[013]_") & (values["kind"] == "actual")]
    assert len(defined_elsewhere) >= 13
    for row in defined_elsewhere.itertuples():
        own = values[(values["indicator_id"] == row.indicator_id) & (values["place"] == row.place)]
        kinds = own.set_index("kind")["year"]
        assert {"baseline", "target"} <= set(kinds.index), row.indicator_id
        assert kinds.loc["target"] and kinds.loc["baseline"], row.indicator_id  # both with a year
        assert row.doc_id in (DOC_002, DOC_004) and row.year, row.indicator_id


def test_values_are_filed_with_the_document_that_defines_the_indicator(plan):
    misfiled = plan.values[plan.values["file"] != "indicator_values_" + plan.values["indicator_id"].str[1:4] + ".csv"]
    assert misfiled[["indicator_id", "file"]].values.tolist() == []


def test_004_figures_that_repeat_a_link_say_so(plan):
    linked_quotes = set(plan.values.loc[plan.values["indicator_id"].str.match(r"i00[013]_") &
                                        (plan.values["kind"] == "actual"), "quote"])
    repeats = plan.values[plan.values["indicator_id"].str.startswith("i004_") & plan.values["quote"].isin(linked_quotes)]
    assert not repeats.empty and repeats["note"].str.contains("duplicates the actual linked to").all()


def test_values_sit_on_the_place_they_measure(plan):
    green_travel = plan.values[plan.values["quote"].str.contains("中心城区绿色出行比例")]
    assert set(green_travel["place"]) == {"central_city"}
    lease_back = plan.values[plan.values["quote"].str.contains("申请式退租")]
    assert set(lease_back["place"]) == {"capital_core"}
