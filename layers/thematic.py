"""Thematic maps (专题制图): areas coloured by a measure, in classes from mapclassify, with a classed legend.

A measure is the number of tasks the plans list for each area (all, or only the area's own: named there,
inside or crossing it), the share of those tasks with a reported
status, or any numeric column of the layer (a planner's own layer included). The classes are
mapclassify's bins, unchanged, so the legend says exactly what the colours mean (Fisher-Jenks on a big layer is
fitted to quantiles of its values: see JENKS_SAMPLE).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from layers.place_facts import local_task_count, reported_share, task_count

MEASURES = {  # name: (Chinese title, English title)
    "tasks": ("规划任务数", "Plan tasks"),
    "local_tasks": ("本地规划任务数（不含上级地区的任务）", "Plan tasks of the place itself (not of areas holding it)"),
    "status_share": ("已报告进展的任务占比（%）", "Tasks with a reported status (%)"),
}
SCHEMES = ("FisherJenks", "Quantiles", "EqualInterval", "NaturalBreaks", "HeadTailBreaks")
DEFAULT_SCHEME = "FisherJenks"
DEFAULT_CLASSES = 5
COLORMAP = "YlOrRd"
# Fisher-Jenks is quadratic in the number of values (seconds at 300 without numba): above this many it is fitted
# to this many evenly spaced quantiles of the values (the least and the greatest among them), and every value is
# then put in those classes, so a planner's layer of 100 000 parcels classifies in seconds, the same way each time.
JENKS_SAMPLE = 300
NO_DATA_COLOR = "#d9d9d9"
NO_DATA_TEXT = {"zh": "无数据", "en": "No data"}


class ThemeError(ValueError):
    """A theme that cannot be drawn: unknown measure, column not numeric, or nothing to classify."""


@dataclass(frozen=True)
class Theme:
    """The classified measure of one layer: a class (or -1 for no data) and a colour per feature."""

    measure: str
    layer_id: str
    title: str
    scheme: str
    values: pd.Series  # indexed like the layer's frame
    bins: tuple[float, ...]
    lower: float
    colors: tuple[str, ...]  # one per class
    feature_class: pd.Series  # class index per feature, -1 for no data

    def class_labels(self) -> list[str]:
        """mapclassify's intervals: the first closed, the others open below ((a, b])."""
        edges = (self.lower,) + self.bins
        labels = [f"[{_number(edges[0])}, {_number(edges[1])}]"]
        labels += [f"({_number(low)}, {_number(high)}]" for low, high in zip(edges[1:-1], edges[2:])]
        return labels

    def feature_colors(self) -> list[str]:
        return [self.colors[index] if index >= 0 else NO_DATA_COLOR for index in self.feature_class]


def classify(measure: str, layer_id: str, frame: gpd.GeoDataFrame, lang: str, scheme: str = DEFAULT_SCHEME,
             classes: int = DEFAULT_CLASSES) -> Theme:
    """Measure every feature of the layer and put the values in mapclassify's classes."""
    if scheme not in SCHEMES:
        raise ThemeError(f"unknown classification {scheme!r}; choose one of {', '.join(SCHEMES)}")
    values = measure_values(measure, frame)
    known = values.dropna().astype(float)
    if known.empty:
        raise ThemeError(f"no feature of {layer_id} has a value for {measure!r}")
    k = max(1, min(classes, known.nunique()))
    classifier = _classifier(scheme, known.to_numpy(), k)
    bins = tuple(float(edge) for edge in classifier.bins)
    palette = colormaps[COLORMAP](np.linspace(0.12, 0.9, len(bins)))
    feature_class = pd.Series(-1, index=values.index)
    feature_class[known.index] = classifier.yb
    title = MEASURES[measure][0 if lang == "zh" else 1] if measure in MEASURES else measure
    return Theme(measure=measure, layer_id=layer_id, title=title, scheme=scheme, values=values, bins=bins,
                 lower=float(known.min()), colors=tuple(to_hex(color) for color in palette),
                 feature_class=feature_class)


def measure_values(measure: str, frame: gpd.GeoDataFrame) -> pd.Series:
    """The measure per feature: from the plans (tasks, status_share) or a numeric column of the layer."""
    if measure == "tasks":
        return frame["id"].map(task_count).astype(float)
    if measure == "local_tasks":
        return frame["id"].map(local_task_count).astype(float)
    if measure == "status_share":
        return frame["id"].map(reported_share).astype(float)
    if measure not in frame.columns:
        choices = ", ".join(list(MEASURES) + [column for column in frame.columns if column != frame.geometry.name])
        raise ThemeError(f"unknown theme {measure!r}; choose one of {choices}")
    values = pd.to_numeric(frame[measure], errors="coerce")
    if values.isna().all():
        raise ThemeError(f"column {measure!r} holds no numbers")
    return values.astype(float)


def _classifier(scheme: str, values: np.ndarray, k: int) -> mapclassify.classifiers.MapClassifier:
    with warnings.catch_warnings():  # without numba mapclassify warns that it is slow: not for 17 values
        warnings.filterwarnings("ignore", message="Numba not installed")
        return _make_classifier(scheme, values, k)


def _make_classifier(scheme: str, values: np.ndarray, k: int) -> mapclassify.classifiers.MapClassifier:
    if scheme == "HeadTailBreaks":
        return mapclassify.HeadTailBreaks(values)
    if scheme == "NaturalBreaks":  # k-means, best of mapclassify's default 10 starts (scikit-learn refuses 0)
        return mapclassify.NaturalBreaks(values, k=k)
    if scheme == "FisherJenks" and len(values) > JENKS_SAMPLE:
        sample = np.quantile(values, np.linspace(0, 1, JENKS_SAMPLE))
        bins = mapclassify.FisherJenks(sample, k=k).bins
        return mapclassify.UserDefined(values, bins=list(bins))
    return getattr(mapclassify, scheme)(values, k=k)


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
