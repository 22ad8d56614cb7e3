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
# Link values are cut before anything reads them: a 100 kB `place` made every action of its page take ~22 s.
ID_CHARS = 128  # longer than any id of a place, task or layer
LAYERS_CHARS = 4096  # every layer id, comma-separated, with room to spare
IGNORED_SHOWN = 20  # unknown layer ids reported back, at most


def _capped(value: str | None, limit: int = ID_CHARS) -> str | None:
    return value[:limit] if value else None


def parse_params(params: Mapping[str, str], basemaps: list[str]) -> ViewState:
    """A ViewState from URL parameters; unknown languages, basemaps and layers fall back to defaults."""
    catalog = load_catalog()
    state = ViewState(layers=catalog.default_visible())
    if params.get("lang") in LANGUAGES:
        state.lang = params["lang"]
    if params.get("basemap") in basemaps:
        state.basemap = params["basemap"]
    if "layers" in params:
        asked = [part[:ID_CHARS] for part in params["layers"][:LAYERS_CHARS].split(",") if part]
        state.layers = [layer_id for layer_id in catalog.layers if layer_id in asked]
        state.ignored_layers = [layer_id for layer_id in asked if layer_id not in catalog.layers][:IGNORED_SHOWN]
    state.place = _capped(params.get("place"))
    state.task = _capped(params.get("task"))
    state.panel = params.get("panel") if params.get("panel") in PANELS else None
    return state
