"""The view a link reproduces: language, basemap, layers and their opacity, map centre and zoom, task filters,
selected place and task, in URL parameters; a planner's own layers only by reference (`mine`, `mine_pick`),
never their data.

Parsing is pure (no Streamlit) so it is tested directly; bad values never break the page, they fall
back to defaults and are reported so the page can say what it ignored.
"""
from __future__ import annotations

from collections.abc import Mapping
import re
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
    view: tuple[float, float, int] | None = None  # map centre (lat, lng) and zoom; none: the home extent
    filters: dict[str, list[str] | str] = field(default_factory=dict)  # task explorer filters by widget key
    opacity: dict[str, int] = field(default_factory=dict)  # layer id → percent, for layers not fully opaque
    ignored_layers: list[str] = field(default_factory=list)
    # A session's own layers shown, by their opaque references, and its picked own feature as 'reference.row':
    # only the session that added the layers can resolve them (uploaded data never goes into the URL).
    mine: list[str] = field(default_factory=list)
    mine_pick: str | None = None

    def to_params(self) -> dict[str, str]:
        params = {"lang": self.lang, "basemap": self.basemap, "layers": ",".join(self.layers)}
        if self.place:
            params["place"] = self.place
        if self.task:
            params["task"] = self.task
        if self.panel:
            params["panel"] = self.panel
        if self.view:
            params["view"] = format_view(self.view)
        for key, param in FILTER_PARAMS.items():
            value = self.filters.get(key)
            if value:
                params[param] = value if isinstance(value, str) else ",".join(value)
        if self.opacity:
            params["op"] = format_opacity(self.opacity)
        if self.mine:
            params["mine"] = ",".join(self.mine)
        if self.mine_pick:
            params["mine_pick"] = self.mine_pick
        return params


PANELS = ("tasks", "indicators", "compare", "export")
# Link values are cut before anything reads them: a 100 kB `place` made every action of its page take ~22 s.
ID_CHARS = 128  # longer than any id of a place, task or layer
LAYERS_CHARS = 4096  # every layer id, comma-separated, with room to spare
IGNORED_SHOWN = 20  # unknown layer ids reported back, at most
# Task explorer widget key → URL parameter; the keyword is text, the others lists of codes.
FILTER_PARAMS = {"f_doc": "doc", "f_theme": "theme", "f_place": "in", "f_status": "status", "f_keyword": "q"}
VIEW_DIGITS = 5  # ~1 m: enough to reproduce a view, short enough to read
OWN_REF = re.compile(r"[A-Za-z0-9_-]{1,16}")  # an own layer's reference (secrets.token_urlsafe(6): 8 characters)
OWN_PICK = re.compile(r"([A-Za-z0-9_-]{1,16})\.([1-9][0-9]{0,8})")
OWN_REFS_SHOWN = 20  # own layer references read from a link, at most


def format_view(view: tuple[float, float, int]) -> str:
    lat, lng, zoom = view
    return f"{lat:.{VIEW_DIGITS}f},{lng:.{VIEW_DIGITS}f},{zoom}"


def parse_view(text: str | None) -> tuple[float, float, int] | None:
    """'lat,lng,zoom' inside the world and Leaflet's zoom range, else none (a bad link opens the home view)."""
    try:
        lat, lng, zoom = text.split(",")  # type: ignore[union-attr]
        view = (round(float(lat), VIEW_DIGITS), round(float(lng), VIEW_DIGITS), int(zoom))
    except (AttributeError, ValueError):
        return None
    return view if -90 <= view[0] <= 90 and -180 <= view[1] <= 180 and 1 <= view[2] <= 19 else None


OPACITY_RANGE = (10, 100)  # percent; the map's per-layer slider offers the same range


def format_opacity(opacity: dict[str, int]) -> str:
    """'layer:percent,…' for the layers drawn less than fully opaque, e.g. 'cbd_zone:30'."""
    return ",".join(f"{layer_id}:{percent}" for layer_id, percent in opacity.items() if percent < OPACITY_RANGE[1])


def parse_opacity(text: str | None) -> dict[str, int]:
    """Per-layer opacity from 'layer:percent,…' (the link's `op`, or what the map reports): catalogue layers
    only, percent within the slider's range; anything else is dropped, so a bad link draws layers opaque."""
    layers, found = load_catalog().layers, {}
    for part in (text or "")[:LAYERS_CHARS].split(","):
        layer_id, _colon, percent = part.partition(":")
        if layer_id in layers and percent.isdigit() and OPACITY_RANGE[0] <= int(percent) < OPACITY_RANGE[1]:
            found[layer_id] = int(percent)
    return found


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
    state.view = parse_view(_capped(params.get("view"), 64))
    state.opacity = parse_opacity(params.get("op"))
    for key, param in FILTER_PARAMS.items():
        if params.get(param):
            value = params[param][:LAYERS_CHARS]
            state.filters[key] = value[:ID_CHARS] if key == "f_keyword" else [p[:ID_CHARS] for p in value.split(",") if p]
    refs = (params.get("mine") or "")[:LAYERS_CHARS].split(",")
    state.mine = list(dict.fromkeys(ref for ref in refs if OWN_REF.fullmatch(ref)))[:OWN_REFS_SHOWN]
    pick = params.get("mine_pick") or ""
    state.mine_pick = pick if OWN_PICK.fullmatch(pick) else None  # the pattern bounds its length
    return state
