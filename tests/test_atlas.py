"""The atlas: a page (and continuation pages) per place with its name, map labels and every task it lists."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
from pypdf import PdfReader

from geo.paths import ROOT
from layers.atlas import atlas_places, build_atlas
from layers.place_facts import describe_place
from layers.static_map import RenderError

PLACES = ["cbd_core", "st_jianwai", "sc_admin"]


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
    assert len(reader.pages) == result.pages == sum(count for _first, count in result.place_pages.values())
    for place_id, (first, count) in result.place_pages.items():
        description = describe_place(place_id)
        assert description["place"]["name_zh"] in reader.pages[first].extract_text()
        text = place_text(reader, first, count)
        for task in description["tasks"]:
            assert task["id"] in text, (place_id, task["id"])


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
