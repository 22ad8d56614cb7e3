"""Plan Map (北京规划一张图): Streamlit wiring only. Layers, styles and legends come from layers/, joins from geo/."""
from __future__ import annotations

import math

import streamlit as st

from geo.places import UnknownPlace, known_place_ids, load_places
from geo.plan import PlanError, integrity_errors, load_manifest, load_plan
from geo.validate import Problem
from ui import first_page, link_state, map_frame, panels, upload
from ui.accessible import layer_label
from ui.compare import compare_panel
from ui.errors import failure_language, show_failure, show_problems
from ui.feature_details import feature_details
from ui.layout import page_layout
from ui.page_script import page_behaviour
from ui.reconnect import browser_values, held_choices
from ui.search import FRAME_FLAG, search_box
from layers.basemaps import Basemap, available_basemaps
from layers.catalog import load_catalog
from layers.i18n import LANGUAGES, t
from layers.safe_text import markdown_inert
from layers.interactive import CLEAR_MARK, bounds_of, feature_by_tooltip, legend_css
from layers.view_state import PANELS, parse_params

st.set_page_config(page_title="北京规划一张图 · Plan Map", layout="wide")
MAP_KEY = map_frame.MAP_KEY
LABELLED_CHOICES = ("basemap", "panel", "f_doc", "f_theme", "f_place", "f_status")  # widgets whose option labels follow lang


@st.cache_resource(show_spinner=False)
def data():
    """Plan tables, places and sources: read once per server, shared by every session."""
    return load_plan(), load_places(), load_manifest()


@st.cache_resource(show_spinner=False)
def plan_problems() -> list[Problem]:
    """Plan-table records that break a rule (an unknown place id, a duplicate id, a status without evidence),
    each naming its file and record: loaded as they are, and listed rather than accepted silently."""
    plan, places, _manifest = data()
    return integrity_errors(plan, known_place_ids(places))


@st.cache_resource(show_spinner=False)
def secrets() -> dict[str, str]:
    """Basemap keys from .streamlit/secrets.toml, read once per server (parsing them cost 4 % of every rerun
    under load); with no such file, keyed basemaps are simply not offered. A new key needs a restart."""
    try:
        return {key: str(value) for key, value in st.secrets.items()}
    except Exception:  # Streamlit raises its own error type when secrets.toml is absent or unreadable
        return {}


def init_state(basemaps: dict[str, Basemap], plan) -> bool:
    """Seed widget values from the URL on a session's first run, and again when Back/Forward (or an edited
    link) brings a URL this session did not write; True when it did (the map then frames the link's view).
    On every run, values the browser holds win (see take_held_values)."""
    seeding = link_state.url_changed(st.session_state)
    if seeding:
        options = {"f_doc": set(plan.tasks["doc_id"]), "f_theme": set(plan.tasks["theme"]),
                   "f_status": set(plan.tasks["status"]),
                   "f_place": {p for cell in plan.tasks["places"] for p in cell.split(";") if p}}
        state = parse_params(st.query_params.to_dict(), list(basemaps))
        link_state.seed(st.session_state, state, list(load_catalog().layers), options)
        upload.restore_from_link(state)
    take_held_values(basemaps)
    return seeding


def take_held_values(basemaps: dict[str, Basemap]) -> None:
    """The layer boxes and choices as the browser holds them win over what a seeding run set: after a server
    restart the reconnected page sends its view plus the click that started the run, and when that click
    interrupts the new session's seeding run, the values the seed set would otherwise undo it in the next run.
    Nothing else sets these widgets, so on other runs this changes nothing."""
    held = browser_values()
    labels = {"lang": {label: code for code, label in LANGUAGES.items()},
              "basemap": {b.title(lang): b.id for b in basemaps.values() for lang in LANGUAGES},
              "panel": {t(f"tab_{name}", lang): name for name in PANELS for lang in LANGUAGES}}
    for key, value in held_choices(held, labels).items():
        if st.session_state.get(key) != value:
            st.session_state[key] = value
    for layer_id in load_catalog().layers:
        key = f"layer_{layer_id}"
        if isinstance(held.get(key), bool) and st.session_state.get(key) != held[key]:
            st.session_state[key] = held[key]


def clear_selection() -> None:
    """✕, Esc or a click on no feature: no place and no task picked."""
    st.session_state.update({"place": None, "task": None, "_place_layer": None})


def relabel_choices(lang: str) -> None:
    """After a language switch, re-send the choice widgets' options so they are labelled in this language.

    The browser keeps a choice widget's options as their labels; unless they are re-sent, the next rerun
    cannot match the old labels: the basemap falls back to the first one and the task filters match nothing.
    """
    if st.session_state.get("_labels_lang") != lang:
        for key in LABELLED_CHOICES:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        st.session_state["_labels_lang"] = lang


def chosen_layers() -> list[str]:
    """The ticked layers, in catalogue order (read before the sidebar draws the boxes: the map goes first)."""
    return [layer_id for layer_id in load_catalog().layers if st.session_state.get(f"layer_{layer_id}")]


def sidebar(basemaps, lang: str) -> None:
    """Language, basemap and the layer list (each box labelled with its legend swatch), grouped as declared.

    Drawn after the map: the page then asks for the map's frame before the widgets' code, so the map
    appears sooner; the sidebar's place on the page does not depend on the order.
    """
    catalog = load_catalog()
    with st.sidebar:
        st.radio("语言 / Language", list(LANGUAGES), key="lang", format_func=LANGUAGES.get, horizontal=True)
        # A radio list, not a select box: the first page then loads no select-box code before the map.
        st.radio(t("basemap", lang), list(basemaps), key="basemap", format_func=lambda b: basemaps[b].title(lang))
        st.subheader(t("layers", lang))
        for group_id, names in catalog.groups.items():
            st.caption(markdown_inert(names[lang]))
            for spec in catalog.in_group(group_id):
                st.checkbox(layer_label(spec, lang), key=f"layer_{spec.id}")
        st.html(legend_css(list(catalog.layers.values())))
        upload.my_layers_section(lang)
        upload.add_layer_section(lang, data()[1])
        st.caption(t("share_hint", lang))
    show_problems(catalog.problems, lang)
    show_problems(plan_problems(), lang, "plan_problems")


def take_map_click(chosen: list[str], lang: str, datum: str) -> None:
    """Select what was clicked on the map. The click arrives as the map's new value before this run starts,
    so the overlays built below already show it highlighted (no second run)."""
    # After a server restart the map's value is only in what the browser sent (see ui/reconnect.py).
    value = st.session_state.get(MAP_KEY) or browser_values().get(MAP_KEY) or {}
    click = map_frame.reported_click(value)
    clicked = click[0]
    if clicked and click != st.session_state.get("_last_click"):
        st.session_state["_last_click"] = click
        if clicked.startswith(CLEAR_MARK):
            clear_selection()
            return
        if upload.take_click(clicked):
            return
        st.session_state.pop(upload.PICK_KEY, None)
        hit = feature_by_tooltip(clicked, chosen, lang, datum)
        if hit:
            st.session_state["place"], st.session_state["_place_layer"] = hit[1], hit[0]


def view_for(place_ids: list[str]) -> tuple[tuple[float, float] | None, int | None]:
    """Centre and zoom that frame the places; none for no places."""
    bounds = bounds_of(place_ids) if place_ids else None
    if bounds is None:
        return None, None
    (south, west), (north, east) = bounds
    span = max(east - west, (north - south) * 1.3, 0.004)
    return ((south + north) / 2, (west + east) / 2), max(9, min(16, int(math.log2(360 * 3 / span))))


def write_link(basemap_id: str, chosen: list[str]) -> None:
    """The address bar follows the session's view; a planner's own layers go in by reference only."""
    st.query_params.from_dict(link_state.link_params(st.session_state, basemap_id, chosen, **upload.link_fields()))


def main() -> None:
    try:
        plan, places, manifest = data()
    except PlanError as error:  # e.g. a plan table saved as GBK: say which file and row, then stop
        lang = failure_language(st.query_params.get("lang"))
        show_failure(error, lang, error.text(lang))
        st.stop()
    basemaps = available_basemaps(secrets())
    seeded = init_state(basemaps, plan)
    lang, chosen = st.session_state["lang"], chosen_layers()
    relabel_choices(lang)
    basemap = basemaps.get(st.session_state["basemap"], basemaps["offline"])
    if not seeded:
        take_map_click(chosen, lang, basemap.datum)
        upload.take_drawing(st.session_state.get(MAP_KEY), basemap.datum)  # after the click: a drawing is one too
        link_state.take_map_view(st.session_state, st.session_state.get(MAP_KEY))
        link_state.take_map_opacity(st.session_state, st.session_state.get(MAP_KEY))
    page_behaviour(lang)
    page_layout()
    st.title(t("app_title", lang), help=t("app_caption", lang))
    if st.session_state.get("_ignored"):
        st.warning(t("unknown_layer", lang) + markdown_inert(", ".join(st.session_state["_ignored"])))
    upload.link_notice(lang)

    tasks_view = panels.filtered_tasks(plan, places, manifest, lang, st.session_state)
    pick = panels.task_pick(tasks_view, st.session_state)
    if pick is not panels.UNCHANGED:
        st.session_state["task"] = pick
    picked_task = pick if isinstance(pick, str) else None
    task_places = panels.task_places(plan, st.session_state.get("task"))

    map_col, detail_col = st.columns([5, 3], gap="small")
    with map_col:
        # The search box sits above the map but is sent after it: the page then asks for the map's frame
        # before the select box's code (as the sidebar, drawn last).
        search_slot = st.container()
        selected = [st.session_state["place"]] if st.session_state.get("place") else []
        map_only = first_page.map_only()  # a fresh page: the map alone, the rest once it is drawn
        # The session's first map carries its layers' data (no request per layer before the first shape).
        first = first_page.inline_map()
        # Zoom to a task's places when it is picked; a link without a view frames its task, else its place.
        linked = first and not st.session_state.get("view")
        if st.session_state.pop(FRAME_FLAG, False):  # a place picked in the search box
            center, zoom = view_for(selected)
        else:
            center, zoom = view_for(task_places or selected) if picked_task is not None or linked else (None, None)
        map_frame.drawing_page()
        map_frame.map_frame(chosen, lang, basemap, tuple(task_places + selected), first, center, zoom,
                            lambda: write_link(basemap.id, chosen))
        if map_only:
            first_page.hold_places(search_slot)
            first_page.wait_for_report()
            return
        with search_slot:
            search_box(places, plan, lang)
    with detail_col.container(key="details"):
        st.subheader(t("details", lang))
        place = st.session_state.get("place")
        if upload.site_check_panel(lang, places):  # a feature of the planner's own layer is picked
            pass
        elif not place:
            st.info(t("click_hint", lang))
        else:
            st.button("✕ " + t("clear_selection", lang), key="clear_selection", on_click=clear_selection)
            try:
                panels.place_details(panels.place_report(place, plan, places), places, manifest, lang)
            except UnknownPlace:
                if not feature_details(place, st.session_state.get("_place_layer"), plan, places, manifest, lang):
                    st.error(t("unknown_place", lang) + markdown_inert(place))

    # One panel at a time, none until asked: unlike st.tabs, a panel not shown costs no server time, and the
    # first page loads no table or chart code before the map.
    panel = st.segmented_control(" ", PANELS, key="panel", format_func=lambda name: t(f"tab_{name}", lang),
                                 label_visibility="collapsed")
    if panel == "tasks":
        panels.task_explorer(tasks_view, plan, places, manifest, lang)
    elif panel == "indicators":
        panels.indicators(plan, lang)
    elif panel == "compare":
        compare_panel(plan, places, lang)
    elif panel == "export":
        panels.exports(chosen, lang)
    sidebar(basemaps, lang)

    write_link(basemap.id, chosen)
    first_page.drawn()


main()
