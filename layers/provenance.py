"""Where a feature comes from and under what licence, in the reader's language.

The curators' records (`source`, `licence`) are English, written for whoever rebuilds the data. The Chinese page
shows them in Chinese framing and keeps the proper names (HSAR, Beijingdistricts, OpenStreetMap): a plan text as
its document's title and section, a licence "derived from" a dataset as 源自, any other source as the layer's
credit line (catalog.py ATTRIBUTIONS). The English page shows the record as written.
"""
from __future__ import annotations

import re

import pandas as pd

from layers.catalog import LayerSpec, load_catalog

DERIVED_LICENCE = re.compile(r"^(?P<licence>[A-Za-z0-9.+-]+) \(derived from (?P<origin>.+)\)$")
POSSESSIVE = re.compile(r"(\w+)'s ")
# "000_a4f22e102a070a95 三、… > …" or "plan text 000_a4f22e102a070a95; …": a seeded plan document, maybe a section.
PLAN_SOURCE = re.compile(r"^(?:plan text )?(?P<doc>\d{3}_[0-9a-f]{16})\b[;\s]*(?P<section>.*)$")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CURATED = "Plan Map 整理"  # a layer that credits no source (a planner's own) in Chinese


def licence_text(licence: str, lang: str) -> str:
    """The licence: an SPDX identifier as written, what it derives from framed in Chinese on the Chinese page."""
    match = DERIVED_LICENCE.match(licence)
    if lang != "zh" or not match:
        return licence
    origin = POSSESSIVE.sub(r"\1 的 ", match["origin"])
    return f"{match['licence']}（源自 {origin}）"


def source_text(source: str, spec: LayerSpec, lang: str, manifest: pd.DataFrame) -> str:
    """Where the feature comes from: a plan document by its title (and section, when in Chinese), Chinese text as
    written, and otherwise (on the Chinese page) the layer's credit line in Chinese."""
    if lang != "zh":
        return source
    match = PLAN_SOURCE.match(source)
    if match and match["doc"] in manifest.index:
        section = match["section"] if not LATIN_WORD.search(match["section"]) else ""
        return f"《{manifest.at[match['doc'], 'short_zh']}》" + (f" {section}" if section else "")
    if not LATIN_WORD.search(source):
        return source
    return load_catalog().attribution_text([spec], "zh") or CURATED
