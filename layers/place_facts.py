"""What the plans say about a place, in the shape of the describe contract, for thematic maps and the atlas.

The contract's `geo.describe.describe_dict` is written on another branch. Until it lands here,
`describe_place` builds the same shape from `geo.places.describe`; when it lands, the import below
succeeds and nothing else changes.
"""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo.places import describe, load_places
from geo.plan import Plan, load_plan

try:
    from geo.describe import describe_dict
except ImportError:
    describe_dict = None

REPORTED = {"in_progress", "completed", "opened", "operating", "under_construction"}


@lru_cache(maxsize=1)
def shipped_places() -> gpd.GeoDataFrame:
    return load_places()


@lru_cache(maxsize=1)
def _shipped_plan() -> Plan:
    return load_plan()


@lru_cache(maxsize=None)
def describe_place(place_id: str) -> dict:
    """The contract's answer for one place: {"place": …, "tasks": […], "indicators": […]}."""
    if describe_dict is not None:
        return describe_dict(place_id)
    report = describe(place_id, _shipped_plan(), shipped_places())
    rows = shipped_places().loc[shipped_places()["id"] == place_id]
    official = rows["official_km2"].iloc[0] if len(rows) and "official_km2" in rows else None
    place = {"id": report.id, "name_zh": report.name_zh, "name_en": report.name_en, "layer": report.layer,
             "area_km2": report.area_km2, "official_km2": None if pd.isna(official) else float(official),
             "part_of": [], "contains": report.streets, "crossed_by": []}
    tasks = [{"id": row.id, "doc_id": row.doc_id, "section_path": row.section_path, "title_zh": row.title_zh,
              "title_en": row.title_en, "quote": row.quote, "status": row.status, "status_doc": row.status_doc,
              "status_evidence": row.status_quote, "via": row.via, "via_places": []}
             for row in report.tasks.itertuples()]
    return {"place": place, "tasks": tasks, "indicators": _indicators(report.indicators)}


def _indicators(values: pd.DataFrame) -> list[dict]:
    """One record per indicator from the long table of target, baseline and actual values."""
    records = []
    for indicator_id, group in values.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        by_kind = {kind: rows.sort_values("year").iloc[-1] for kind, rows in group.groupby("kind")}
        target, baseline, latest = (by_kind.get(kind) for kind in ("target", "baseline", "actual"))
        records.append({
            "id": indicator_id, "name_zh": first["name_zh"], "name_en": first["name_en"], "unit": first["unit"],
            "place": first["place"],
            "baseline": None if baseline is None else baseline["value"],
            "baseline_year": None if baseline is None else baseline["year"],
            "target": None if target is None else target["value"] or (target["note"] or None),
            "target_year": None if target is None else target["year"],
            "latest": None if latest is None else latest["value"],
            "latest_as_of": None if latest is None else latest["year"],
            "latest_doc": None if latest is None else latest["doc_id"],
            "progress": None, "flag": None,
        })
    return records


def task_count(place_id: str) -> int:
    return len(describe_place(place_id)["tasks"])


def reported_share(place_id: str) -> float | None:
    """Per cent of the place's tasks whose status some document reports; None when it has no tasks."""
    tasks = describe_place(place_id)["tasks"]
    if not tasks:
        return None
    return 100.0 * sum(task["status"] in REPORTED for task in tasks) / len(tasks)
