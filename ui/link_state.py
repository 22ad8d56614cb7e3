"""The session's view kept in step with the address bar: seeded from the link, written back after each run,
and seeded again when the browser's Back/Forward brings another URL.

Back/Forward: Streamlit adds a history entry whenever a run changes the URL and, on Back/Forward, reruns
the page with that entry's URL. The session follows the URL on such a run, so each entry — a selection,
a filter, a layer, a map move — is a view Back returns to, as in a web map whose address is its view.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from layers.view_state import FILTER_PARAMS, ViewState, parse_opacity

# The map's reported centre may differ from the one it was given by a pixel's rounding: within this many
# degrees at the same zoom the view is the same (no new history entry).
SAME_VIEW_DEG = 2e-4


def url_changed(session: MutableMapping) -> bool:
    """True on the session's first run and on a Back/Forward run. Not merely "the URL differs from the last
    one written": a rerun asked for while the previous run was still writing carries the older URL."""
    return not session.get("_seeded") or _history_navigation()


def _history_navigation() -> bool:
    """Streamlit marks the run that Back/Forward started (not a public API: absent, no run is one)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def seed(session: MutableMapping, state: ViewState, layer_ids: list[str], filter_options: dict[str, set[str]]) -> None:
    """Widget values and selection from a link. Filter codes no longer offered are dropped (a select box
    refuses a default outside its options)."""
    # Marked at once: a run interrupted by the next click must not seed that next run from the old link.
    session.update({"_seeded": True, "panel": state.panel, "lang": state.lang, "basemap": state.basemap, "place": state.place,
                    "task": state.task, "_ignored": state.ignored_layers, "view": state.view, "view_bounds": None,
                    "_frame_view": state.view, "_frame_basemap": state.basemap, "_place_layer": None,
                    "opacity": state.opacity, "_frame_opacity": state.opacity})
    for layer_id in layer_ids:
        session[f"layer_{layer_id}"] = layer_id in state.layers
    for key in FILTER_PARAMS:
        value = state.filters.get(key)
        if key == "f_keyword":
            session[key] = value or ""
        else:
            session[key] = [code for code in (value or []) if code in filter_options.get(key, set())]


def take_map_view(session: MutableMapping, value: dict[str, Any] | None) -> None:
    """The map's centre and zoom as it last reported them (after each pan or zoom), and its bounds (the area a
    report map's "current map view" frames; a resized window changes them without moving the centre)."""
    center, zoom = (value or {}).get("center"), (value or {}).get("zoom")
    if not center or zoom is None:
        return
    session["view_bounds"] = value.get("bounds")
    reported = (round(float(center["lat"]), 5), round(float(center["lng"]), 5), int(zoom))
    known = session.get("view")
    if known and known[2] == reported[2] and abs(known[0] - reported[0]) < SAME_VIEW_DEG \
            and abs(known[1] - reported[1]) < SAME_VIEW_DEG:
        return
    session["view"] = reported


def take_map_opacity(session: MutableMapping, value: dict[str, Any] | None) -> None:
    """Each layer's opacity as the map's sliders last reported it (static/planmap/tools.js sends it as the
    map value's `selected_tags`, "layer:percent" strings: streamlit-folium reports none of its own)."""
    tags = (value or {}).get("selected_tags")
    if isinstance(tags, list):
        session["opacity"] = parse_opacity(",".join(str(tag) for tag in tags))


def frame_view(session: MutableMapping, basemap_id: str) -> tuple[float, float, int] | None:
    """The view a new map frame opens at. It changes only when the basemap changes (the frame is rebuilt
    then, and keeps the current view and layer opacity) or a link is seeded, so a pan never rebuilds the map."""
    if session.get("_frame_basemap") != basemap_id:
        session["_frame_basemap"] = basemap_id
        session["_frame_view"] = session.get("view")
        session["_frame_opacity"] = session.get("opacity") or {}
    return session.get("_frame_view")


def frame_opacity(session: MutableMapping) -> dict[str, int]:
    """The layer opacity a new map frame starts with (taken with frame_view; the sliders change it in place)."""
    return session.get("_frame_opacity") or {}


def link_params(session: MutableMapping, basemap_id: str, layer_ids: list[str], **own: Any) -> dict[str, str]:
    """The address bar's parameters for the session's view: the page writes them at the end of each run, the
    map (ui/map_frame.py) after a move or an opacity change. `own`: the own layers' references (ui/upload.py)."""
    return ViewState(lang=session["lang"], basemap=basemap_id, layers=layer_ids, place=session.get("place"),
                     task=session.get("task"), panel=session.get("panel"), view=session.get("view"),
                     filters=filters(session), opacity=session.get("opacity") or {}, **own).to_params()


def filters(session: MutableMapping) -> dict[str, list[str] | str]:
    return {key: session.get(key) for key in FILTER_PARAMS if session.get(key)}

