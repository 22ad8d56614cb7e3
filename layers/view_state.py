"""The view a link reproduces: language, basemap, layers, selected place and task, in URL parameters.

Parsing is pure (no Streamlit) so it is tested directly; bad values never break the page, they fall
back to defaults and are reported so the page can say what it ignored.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from layers.catalog import load_catalog
from layers.i18n import LANGUAGES


@dataclass
class ViewState:
    lang: str = "zh"
    basemap: str = "offline"
    layers: list[str] = field(default_factory=list)
    place: str | None = None
    task: str | None = None
    panel: str | None = None  # the panel open below the map (tasks, indicators, export), none at first
    ignored_layers: list[str] = field(default_factory=list)

    def to_params(self) -> dict[str, str]:
        params = {"lang": self.lang, "basemap": self.basemap, "layers": ",".join(self.layers)}
        if self.place:
            params["place"] = self.place
        if self.task:
            params["task"] = self.task
        if self.panel:
            params["panel"] = self.panel
        return params


PANELS = ("tasks", "indicators", "export")


def parse_params(params: Mapping[str, str], basemaps: list[str]) -> ViewState:
    """A ViewState from URL parameters; unknown languages, basemaps and layers fall back to defaults."""
    catalog = load_catalog()
    state = ViewState(layers=catalog.default_visible())
    if params.get("lang") in LANGUAGES:
        state.lang = params["lang"]
    if params.get("basemap") in basemaps:
        state.basemap = params["basemap"]
    if "layers" in params:
        asked = [part for part in params["layers"].split(",") if part]
        state.layers = [layer_id for layer_id in catalog.layers if layer_id in asked]
        state.ignored_layers = [layer_id for layer_id in asked if layer_id not in catalog.layers]
    state.place = params.get("place") or None
    state.task = params.get("task") or None
    state.panel = params.get("panel") if params.get("panel") in PANELS else None
    return state
