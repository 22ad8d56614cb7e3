"""The Chinese details show no English record (issue 13): a licence in Chinese framing, kind codes by their names,
sources as a plan's title or the layer's Chinese credit line, official areas' sources in Chinese; proper names
(HSAR, Beijingdistricts, OpenStreetMap, xinhua58) stay as written, and the English page keeps the records."""
from __future__ import annotations

import re

import pytest

from geo.places import load_places
from geo.plan import load_manifest
from layers.catalog import layer_frame, load_catalog
from layers.i18n import KINDS
from layers.provenance import licence_text, source_text
from tests.test_app import run_app
from tests.test_reader_texts import shown_text
from ui.feature_details import feature_facts

HSAR = "GPL-2.0-or-later (derived from HSAR's Beijingdistricts)"
# English framing words of the curators' records; none may reach the Chinese page.
ENGLISH_FRAMING = re.compile(r"\b(?:derived from|note under|via|public reports|hand-placed|curated for|about \d+|"
                             r"official area|contributors|safe-community|same page|bounding box|Wikipedia)\b")


def test_a_licence_is_framed_in_chinese_and_keeps_its_identifier_and_proper_names():
    assert licence_text(HSAR, "zh") == "GPL-2.0-or-later（源自 HSAR 的 Beijingdistricts）"
    assert licence_text(HSAR, "en") == HSAR
    assert licence_text("CC-BY-4.0", "zh") == "CC-BY-4.0"


def test_every_kind_code_drawn_has_a_name_in_both_languages():
    codes = set()
    for spec in load_catalog().layers.values():
        frame = layer_frame(spec)
        codes |= set(frame["kind"].dropna()) if "kind" in frame else set()
    assert codes - set(KINDS) == set()
    assert all(re.search(r"[\u4e00-\u9fff]", zh) and en for zh, en in KINDS.values())


def test_a_source_is_a_plans_title_or_the_layers_chinese_credit():
    catalog, manifest = load_catalog().layers, load_manifest()
    plan_section = "000_a4f22e102a070a95 三、优化布局，完善空间治理体系 > （一）优化提升空间格局 > 提升“一核”"
    assert source_text(plan_section, catalog["cbd_structure"], "zh", manifest) == (
        "《CBD功能区十四五规划》 三、优化布局，完善空间治理体系 > （一）优化提升空间格局 > 提升“一核”")
    assert source_text("plan text 000_a4f22e102a070a95; BOUNDARIES.md (x)", catalog["task_places"], "zh",
                       manifest) == "《CBD功能区十四五规划》"
    osm = source_text("public reports (data/README.md)", catalog["rail_stations"], "zh", manifest)
    assert osm.startswith("© OpenStreetMap 贡献者（ODbL）") and not ENGLISH_FRAMING.search(osm)
    assert source_text("public reports (data/README.md)", catalog["rail_stations"], "en", manifest) == (
        "public reports (data/README.md)")


def feature_row(layer_id: str, feature_id: str):
    frame = layer_frame(load_catalog().layers[layer_id])
    return frame[frame["id"] == feature_id].iloc[0]


@pytest.mark.parametrize(("layer_id", "feature_id", "kind"), [
    ("cbd_streets", "st_jianwai", "区域"), ("cbd_structure", "axis_east", "轴"), ("rail_stations", "stn_guomao", None),
    ("task_places", "gz_skp", "购物中心"),
])
def test_a_features_facts_in_chinese_carry_no_english_record(layer_id, feature_id, kind):
    row = feature_row(layer_id, feature_id)
    facts = feature_facts(row, layer_id, "zh", load_manifest())
    shown = dict(zip(facts.iloc[:, 0], facts.iloc[:, 1]))
    assert shown.get("类型") == kind
    text = " ".join(shown.values())
    assert not ENGLISH_FRAMING.search(text), text
    assert row["source"] not in text and (row["kind"] not in text.split() if kind else True)
    english = dict(zip(*feature_facts(row, layer_id, "en", load_manifest()).T.to_numpy()))
    assert english["Source"] == row["source"]


@pytest.mark.parametrize("place", ["st_jianwai", "st_jinsong", "cbd_core", "cbd_zone", "axis_east", "stn_guomao",
                                   "sc_universal"])
def test_chinese_details_show_no_english_licence_kind_or_source(place):
    text = shown_text(run_app(place=place, lang="zh"))
    assert not ENGLISH_FRAMING.search(text), ENGLISH_FRAMING.search(text)
    places = load_places().drop_duplicates("id").set_index("id")
    if place in places.index and isinstance(places.at[place, "licence"], str) and places.at[place, "licence"]:
        assert licence_text(places.at[place, "licence"], "zh") in text
    if place == "st_jinsong":  # an official area's source in Chinese, the site's name kept
        assert "jendow.com.tw（2002年数据；同页另载5.2）" in text


def test_english_details_keep_the_records():
    text = shown_text(run_app(place="st_jinsong", lang="en"))
    assert HSAR in text and "jendow.com.tw (2002 figure; 5.2 on the same page)" in text
