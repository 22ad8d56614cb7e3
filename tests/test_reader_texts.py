"""How each feature was drawn and how accurate it is, in both languages (issue 13, item 6): every record carries
method_zh / method_en (and accuracy_basis_*, note_* where it has a basis or a note), with no file names, and the
Chinese page shows none of the English."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from geo.places import load_places, load_unplaced_lines
from geo.plan import load_plan
from geo.structure import structure_features
from tests.html_tables import shown_tables
from tests.test_app import open_task_groups, run_app

CJK = re.compile(r"[\u4e00-\u9fff]")
FILE_NAME = re.compile(r"[\w-]+\.(?:csv|py|md|geojson)\b|/work/|shared/")
PAIRS = ("method", "accuracy_basis", "note")


def records() -> pd.DataFrame:
    """Every place with geometry (each curated layer, the zone, the gazetteer) and the structure's elements."""
    places = load_places()
    return pd.concat([places, structure_features(load_plan().structure, places)], ignore_index=True)


def test_every_record_has_its_method_in_both_languages_without_file_names():
    frame = records()
    for column in ("method_zh", "method_en"):
        missing = frame.loc[frame[column].isna() | (frame[column] == ""), "id"].tolist()
        assert missing == [], (column, missing)
    for lang in ("zh", "en"):
        for pair in PAIRS:
            texts = frame[f"{pair}_{lang}"].dropna()
            named = [text for text in texts if FILE_NAME.search(text)]
            assert named == [], (pair, lang, named)
    assert frame["method_zh"].map(lambda text: bool(CJK.search(text))).all()


@pytest.mark.parametrize("pair", ["accuracy_basis", "note"])
def test_a_basis_or_note_has_both_languages_wherever_the_record_has_one(pair):
    frame = records()
    has = frame[pair].notna() & (frame[pair] != "") if pair in frame else pd.Series(False, index=frame.index)
    for lang in ("zh", "en"):
        column = frame.get(f"{pair}_{lang}", pd.Series(None, index=frame.index))
        assert frame.loc[has & (column.isna() | (column == "")), "id"].tolist() == [], lang
    zh = frame.loc[has, f"{pair}_zh"]
    assert zh.map(lambda text: bool(CJK.search(text))).all()


def test_lines_without_an_alignment_have_their_note_in_both_languages():
    unplaced = load_unplaced_lines()
    assert (unplaced["note_zh"] != "").all() and (unplaced["note_en"] != "").all()
    assert unplaced["note_zh"].map(lambda text: bool(CJK.search(text))).all()


def english_texts() -> set[str]:
    frame = records()
    texts = set()
    for pair in PAIRS:
        texts |= {text for text in frame[f"{pair}_en"].dropna() if text}
    return texts | set(load_unplaced_lines()["note_en"])


def shown_text(at) -> str:
    """Every text the details show, each task group opened."""
    open_task_groups(at)
    frames = [df.value for df in at.dataframe] + shown_tables(at)
    cells = [str(value) for frame in frames for value in frame.to_numpy().ravel()]
    return "\n".join(cells + [m.value for m in at.markdown] + [c.value for c in at.caption])


@pytest.mark.parametrize("place", ["cbd_core", "st_jianwai", "cbd_zone", "sc_hub", "gz_skp", "rail_28",
                                   "stn_guomao", "rail_r4", "axis_east", "circle_chaowai"])
def test_chinese_details_show_no_english_method_text(place):
    at = run_app(place=place, lang="zh")
    text = shown_text(at)
    assert "（英文）" not in text
    leaked = [english for english in english_texts() if english in text]
    assert leaked == [], leaked
    drawn = load_places().drop_duplicates("id").set_index("id")
    if place in drawn.index:  # the structure's elements and undrawn lines have no drawing facts
        assert drawn.loc[place, "method_zh"] in text


def test_english_details_show_the_english_method():
    at = run_app(place="gz_skp", lang="en")
    assert records().set_index("id").loc["gz_skp", "method_en"] in shown_text(at)
