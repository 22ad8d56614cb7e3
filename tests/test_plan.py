"""Plan tasks and indicators: every record cites its clause, resolves its places and matches the source."""
from __future__ import annotations

import csv

import pytest

from geo.paths import ROOT, SHARED_SEEDS_DIR
from geo.places import known_place_ids, load_places
from geo.plan import integrity_errors, load_plan, quote_errors

DOC_000, DOC_001, DOC_002, DOC_003, DOC_004 = (
    "000_a4f22e102a070a95", "001_055cf86f3772e486", "002_7c59a961256cf9e3", "003_9b6ba7233289b866",
    "004_b7c0e70d334dbd0f")


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def places():
    return load_places()


@pytest.fixture(scope="module")
def seeds():
    if not SHARED_SEEDS_DIR.exists():
        pytest.skip(f"source documents not found at {SHARED_SEEDS_DIR}; CI clones with ../shared beside the repo")
    return SHARED_SEEDS_DIR


def test_every_quote_occurs_verbatim_in_its_source(plan, seeds):
    assert quote_errors(plan, seeds) == []


def test_every_record_is_cited_and_every_place_resolves(plan, places):
    assert integrity_errors(plan, known_place_ids(places)) == []


def test_place_ids_are_unique_across_layers_and_gazetteer(places):
    duplicated = places.loc[places["id"].duplicated(), "id"].tolist()
    assert duplicated == []


def test_task_counts_per_document(plan):
    counts = plan.tasks.groupby("doc_id").size()
    assert counts[DOC_003] >= 64
    assert counts[DOC_000] >= 80
    assert counts.get(DOC_001, 0) > 0 and counts.get(DOC_002, 0) > 0
    numbered = {int(i.split("_")[1]) for i in plan.tasks["id"] if i.startswith("t003_") and i.split("_")[1].isdigit()}
    assert set(range(1, 65)) <= numbered


def test_table1_matches_fixture_taken_from_the_table(plan):
    with open(ROOT / "tests/fixtures/table1_000.csv", encoding="utf-8") as handle:
        fixture = list(csv.DictReader(handle))
    assert len(fixture) == 18
    table = plan.indicator_table()
    table1 = table[(table["doc_id"] == DOC_000) & (table["table"] == "表1") & (table["kind"] == "target")]
    assert table1["indicator_id"].nunique() == 18
    for row in fixture:
        mine = table1[table1["name_zh"] == row["name"]]
        assert not mine.empty, row["name"]
        assert mine["attribute"].iloc[0] == row["attribute"]
        assert mine["category"].iloc[0] == row["category"]
        for place, expected in (("cbd_zone", row["zone_target"]), ("cbd_core", row["core_target"])):
            value = mine.loc[mine["place"] == place]
            shown = value["value"].iloc[0] if not value.empty else ""
            assert (shown or "--") == expected, (row["name"], place)


def test_baselines_from_chapter_one(plan):
    table = plan.indicator_table()
    revenue = table[(table["name_zh"] == "总营业收入") & (table["kind"] == "baseline")]
    assert set(zip(revenue["place"], revenue["value"])) >= {("cbd_zone", "17686.9"), ("cbd_core", "6511.30")}


def test_status_only_with_evidence(plan):
    reported = plan.tasks[plan.tasks["status"] != "not_reported"]
    assert (reported["status_doc"] != "").all() and (reported["status_quote"] != "").all()
    line17 = plan.tasks[plan.tasks["places"].str.contains("rail_17") & (plan.tasks["doc_id"] == DOC_000)]
    assert (line17["status"] == "opened").any()


def test_integrity_errors_name_file_and_record(plan, places):
    broken = load_plan()
    broken.tasks = plan.tasks.copy()
    broken.tasks.loc[0, "places"] = "st_atlantis"
    broken.tasks.loc[1, "quote"] = ""
    problems = integrity_errors(broken, known_place_ids(places))
    errors, chinese = [str(problem) for problem in problems], [problem.text("zh") for problem in problems]
    first, second = broken.tasks.iloc[0], broken.tasks.iloc[1]
    assert f"{first['file']}: task {first['id']}: unknown place id 'st_atlantis'" in errors
    assert f"{first['file']}：任务 {first['id']}：未知的地点编号 'st_atlantis'" in chinese
    assert any(e.startswith(f"{second['file']}: task {second['id']}: missing citation") for e in errors)
    assert any(e.startswith(f"{second['file']}：任务 {second['id']}：缺少出处") for e in chinese)


def test_a_duplicate_id_names_its_file_in_both_languages(plan, places):
    broken = load_plan()
    broken.tasks = plan.tasks.copy()
    broken.tasks.loc[1, "id"] = broken.tasks.loc[0, "id"]
    [problem] = integrity_errors(broken, known_place_ids(places))
    first = broken.tasks.iloc[0]
    assert str(problem) == f"{first['file']}: task id {first['id']!r} is duplicated"
    assert problem.text("zh") == f"{first['file']}：任务编号 {first['id']!r} 重复"


def test_a_misquoted_clause_is_caught(plan, seeds):
    broken = load_plan()
    broken.tasks = plan.tasks.copy()
    broken.tasks.loc[0, "quote"] = plan.tasks.loc[0, "quote"] + "（虚构）"
    errors = quote_errors(broken, seeds)
    assert len(errors) == 1 and "quote not found" in errors[0]
