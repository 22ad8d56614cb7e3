"""What the plans say about a place, for thematic maps and the atlas: the one answer of geo/describe.py."""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd

from geo.describe import describe_dict
from geo.places import load_places

REPORTED = {"in_progress", "completed", "opened", "operating", "under_construction"}


@lru_cache(maxsize=1)
def shipped_places() -> gpd.GeoDataFrame:
    return load_places()


@lru_cache(maxsize=None)
def describe_place(place_id: str) -> dict:
    """The contract's answer for one place: {"place": …, "tasks": […], "indicators": […]} (cached per process)."""
    return describe_dict(place_id)


def task_count(place_id: str) -> int:
    return len(describe_place(place_id)["tasks"])


# Why a task is listed for a place (geo/describe.py `via`): named there, inside it, or crossing it — not
# handed down from an area that holds the place (part_of) or from the plan's structure.
LOCAL_VIA = ("direct", "inside", "crossing")


def local_task_count(place_id: str) -> int:
    """The tasks of the place itself: a zone-wide or city-wide task counts for every street alike, so a map of
    all tasks varies by a few per cent across the streets; this one shows where the plans differ."""
    return sum(task["via"] in LOCAL_VIA for task in describe_place(place_id)["tasks"])


def reported_share(place_id: str) -> float | None:
    """Per cent of the place's tasks whose status some document reports; None when it has no tasks."""
    tasks = describe_place(place_id)["tasks"]
    if not tasks:
        return None
    return 100.0 * sum(task["status"] in REPORTED for task in tasks) / len(tasks)
