"""The atlas: a page (and continuation pages) per place with its name, map labels and its own tasks; every task
that applies to a place through an area holding it printed once, on that area's pages or in the appendix."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
from pypdf import PdfReader

from geo.paths import ROOT
from layers.atlas import atlas_places, build_atlas, holding_area
from layers.place_facts import describe_place
from layers.static_map import RenderError

PLACES = ["cbd_zone", "cbd_core", "st_jianwai", "sc_admin"]


@pytest.fixture(scope="module")
def atlas():
    result = build_atlas(PLACES, lang="zh")
    return result, PdfReader(io.BytesIO(result.data))


def place_text(reader: PdfReader, first: int, count: int) -> str:
    return "\n".join(reader.pages[index].extract_text() for index in range(first, first + count))


def test_every_place_of_the_atlas_is_covered():
    places = atlas_places()
    assert places[:2] == ["cbd_zone", "cbd_core"] and "subcentre" in places
    assert sum(place.startswith("st_") for place in places) == 17
    assert sum(place.startswith("sc_") for place in places) == 9


def test_a_page_per_place_with_its_name_and_tasks(atlas):
    result, reader = atlas
    assert list(result.place_pages) == PLACES
    appendix_first, appendix_count = result.appendix_pages
    assert len(reader.pages) == result.pages == appendix_first + appendix_count
    assert appendix_first == sum(count for _first, count in result.place_pages.values())
    appendix = place_text(reader, *result.appendix_pages)
    for place_id, (first, count) in result.place_pages.items():
        description = describe_place(place_id)
        assert description["place"]["name_zh"] in reader.pages[first].extract_text()
        text = place_text(reader, first, count)
        for task in description["tasks"]:
            if task["via"] != "part_of":
                assert task["id"] in text, (place_id, task["id"])
                continue
            area, on_pages = holding_area(task, PLACES)
            printed = place_text(reader, *result.place_pages[area]) if on_pages else appendix
            assert task["id"] in printed, (place_id, task["id"], area)


def test_a_place_page_counts_the_tasks_of_the_areas_it_lies_in(atlas):
    """建外's page lists its own tasks and says how many come from the zone, the district and the city, and where."""
    result, reader = atlas
    text = place_text(reader, *result.place_pages["st_jianwai"]).replace("\n", "")
    inherited = [task for task in describe_place("st_jianwai")["tasks"] if task["via"] == "part_of"]
    assert f"另有 {len(inherited)} 项任务因其所属范围而适用" in text
    assert "CBD功能区" in text and "朝阳区" in text and "“CBD功能区”页" in text and "附录" in text
    own = [task for task in describe_place("st_jianwai")["tasks"] if task["via"] != "part_of"]
    assert not [task["id"] for task in inherited if task["id"] in text and task["id"] not in
                {own_task["id"] for own_task in own}]


def test_long_task_lists_flow_onto_continuation_pages(atlas):
    result, reader = atlas
    first, count = result.place_pages["cbd_core"]
    assert count >= 2
    assert "（续）" in reader.pages[first + 1].extract_text()


def test_the_pdf_text_layer_holds_the_map_labels(atlas):
    result, reader = atlas
    first, _count = result.place_pages["st_jianwai"]
    text = reader.pages[first].extract_text()
    for label in ("建外街道", "呼家楼街道", "国贸", "地铁1号线", "边界为示意，非法定界线"):
        assert label in text


def test_unknown_places_are_refused():
    with pytest.raises(RenderError, match="no_such_place"):
        build_atlas(["no_such_place"])


def test_cli_writes_an_english_atlas(tmp_path):
    target = tmp_path / "atlas.pdf"
    result = subprocess.run([sys.executable, "-m", "layers", "atlas", "--places", "sc_admin", "--lang", "en",
                             "-o", str(target)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    text = PdfReader(target).pages[0].extract_text()
    assert "Administrative" in text and "Boundaries are schematic, not legal boundaries" in text
