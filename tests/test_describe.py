"""describe_dict: the contract's shape, and the reasons it gives for the zone, the core, 双井, the sub-centre,
运河商务区 and line 28 (structural checks; document-derived fixtures live in their own tests)."""
from __future__ import annotations

import json

import pytest

from geo.describe import VIA_ORDER, describe_dict
from geo.hierarchy import hierarchy
from geo.places import UnknownPlace
from geo.plan import load_plan

PLACE_KEYS = {"id", "name_zh", "name_en", "layer", "area_km2", "official_km2", "part_of", "contains", "crossed_by"}
TASK_KEYS = {"id", "doc_id", "section_path", "title_zh", "title_en", "quote", "status", "status_doc",
             "status_evidence", "via", "via_places"}
INDICATOR_KEYS = {"id", "name_zh", "name_en", "unit", "place", "baseline", "baseline_year", "target", "target_year",
                  "latest", "latest_as_of", "latest_doc", "progress", "flag"}
PLACES = ("cbd_zone", "cbd_core", "cbd_core_central", "st_shuangjing", "subcentre", "sc_canal_business", "rail_28",
          "beijing")
DOC_001 = "001_055cf86f3772e486"


@pytest.fixture(scope="module")
def answers():
    return {place: describe_dict(place) for place in PLACES}


@pytest.fixture(scope="module")
def task_places():
    tasks = load_plan().tasks
    return dict(zip(tasks["id"], tasks["places"].map(lambda cell: [p for p in cell.split(";") if p])))


def listed(answer: dict, via: str) -> dict[str, list[str]]:
    return {task["id"]: task["via_places"] for task in answer["tasks"] if task["via"] == via}


@pytest.mark.parametrize("place", PLACES)
def test_the_answer_has_the_contract_shape(answers, place):
    answer = answers[place]
    assert set(answer) == {"place", "tasks", "indicators"}
    assert set(answer["place"]) == PLACE_KEYS and answer["place"]["id"] == place
    assert all(set(task) == TASK_KEYS for task in answer["tasks"])
    assert all(set(indicator) == INDICATOR_KEYS for indicator in answer["indicators"])
    assert json.loads(json.dumps(answer, ensure_ascii=False)) == answer


@pytest.mark.parametrize("place", PLACES)
def test_each_task_gives_the_first_reason_that_applies(answers, task_places, place):
    tree = hierarchy()
    related = {"direct": {place}, "inside": set(tree.contains(place)), "crossing": set(tree.crossed_by(place)),
               "structure": set(tree.structure_of(place)), "part_of": set(tree.part_of(place))}
    ids = [task["id"] for task in answers[place]["tasks"]]
    assert len(ids) == len(set(ids))
    for task in answers[place]["tasks"]:
        named = task_places[task["id"]]
        first = next(via for via in VIA_ORDER if related[via] & set(named))
        assert task["via"] == first, task["id"]
        assert task["via_places"] and set(task["via_places"]) <= related[first] & set(named)
    order = [VIA_ORDER.index(task["via"]) for task in answers[place]["tasks"]]
    assert order == sorted(order)


def test_the_zone_lists_its_core_its_streets_and_the_outlines_cbd_tasks(answers, task_places):
    inside = listed(answers["cbd_zone"], "inside")
    assert any("cbd_core" in places for places in inside.values())
    assert any("cbd_core_central" in places for places in inside.values())
    assert any(any(p.startswith("st_") for p in places) for places in inside.values())
    outline_cbd = {task for task, places in task_places.items()
                   if task.startswith("t001_") and {"cbd_core", "struct_core"} & set(places)}
    assert outline_cbd and outline_cbd <= {task["id"] for task in answers["cbd_zone"]["tasks"]}
    assert listed(answers["cbd_zone"], "part_of")  # district- and city-wide tasks, folded in the panel


def task_places_of(task: dict) -> list[str]:
    return load_plan().tasks.set_index("id").loc[task["id"], "places"].split(";")


def test_the_core_lists_the_central_core_inside_and_zone_wide_tasks(answers):
    assert any("cbd_core_central" in places for places in listed(answers["cbd_core"], "inside").values())
    assert any("cbd_zone" in places for places in listed(answers["cbd_core"], "part_of").values())
    # Tasks naming the structure elements the core belongs to are listed (direct when they also name the core).
    naming_structure = {task["id"] for task in answers["cbd_core"]["tasks"]
                        if {"struct_core", "axis_east", "axis_ns"} & set(task_places_of(task))}
    assert naming_structure
    wide = listed(answers["cbd_core_central"], "part_of")
    assert any("cbd_core" in places for places in wide.values())


def test_shuangjing_lists_the_tasks_of_line_28_via_crossing(answers, task_places):
    """Line 28 runs through 双井 to 北京东站. Line 17's drawn chord (±300 m) never runs deeper than 170 m inside
    the redrawn 双井, so within its accuracy it may pass beside it: it is not counted as crossing."""
    crossing = listed(answers["st_shuangjing"], "crossing")
    assert "rail_17" not in hierarchy().crossed_by("st_shuangjing")
    for line in ("rail_28",):
        naming = {task for task, places in task_places.items() if line in places and "st_shuangjing" not in places}
        assert naming and naming <= set(crossing), line
    assert any("cbd_zone" in places for places in listed(answers["st_shuangjing"], "part_of").values())


def test_the_sub_centre_lists_tasks_of_the_places_inside_it(answers, task_places):
    inside = listed(answers["subcentre"], "inside")
    only_inner = {task for task, places in task_places.items()
                  if "subcentre" not in places and any(p.startswith("sc_") for p in places)}
    assert only_inner and only_inner <= set(inside)
    assert "sc_hub" in {p for places in inside.values() for p in places}


def test_canal_business_district_lists_nothing_because_of_anchor_points(answers):
    anchors = {"gz_beiyunhe", "gz_jingtang_intercity", "gz_tongzhou_old_town", "gz_intercity_link"}
    for task in answers["sc_canal_business"]["tasks"]:
        assert not anchors & set(task["via_places"]), task["id"]
    assert any("sc_hub" in places for places in listed(answers["sc_canal_business"], "inside").values())


def test_line_28_lists_the_areas_it_crosses_and_what_it_is_part_of(answers):
    crossing = listed(answers["rail_28"], "crossing")
    assert any("cbd_core" in places for places in crossing.values())
    assert listed(answers["rail_28"], "direct")
    assert "cbd_zone" in answers["rail_28"]["place"]["part_of"]
    assert {"st_shuangjing", "cbd_core"} <= set(answers["rail_28"]["place"]["crossed_by"])


def test_beijing_is_a_place_and_lists_every_task(answers):
    answer = answers["beijing"]
    assert answer["place"]["part_of"] == [] and answer["place"]["layer"] == "declared"
    listed = {task["id"] for task in answer["tasks"]}
    tree = hierarchy()
    for task in load_plan().tasks.itertuples():
        if task.id not in listed:  # only tasks naming nothing in the city: 北三县, or anchors standing for a river
            names = [place for place in task.places.split(";") if place]
            assert all("beijing" not in tree.part_of(place) for place in names), task.id
    assert any(indicator["place"] == "beijing" for indicator in answer["indicators"])


def test_an_unknown_place_is_refused():
    with pytest.raises(UnknownPlace, match="unknown place id 'nowhere'"):
        describe_dict("nowhere")


def test_status_evidence_travels_with_the_task(answers):
    reported = [task for task in answers["beijing"]["tasks"] if task["status"] != "not_reported"]
    assert reported and all(task["status_doc"] and task["status_evidence"] for task in reported)
