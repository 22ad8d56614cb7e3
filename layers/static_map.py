"""Static report maps (PNG, SVG, PDF) drawn with matplotlib from the same declarations as the web map.

Colours, dash patterns, weights, fills, per-feature colours and labels all come from catalog.toml, so a
printed map cannot drift from the interactive one. A map is framed on its subject (`focus`, or the chosen
planning layers), every layer is clipped to the frame, and the page carries what a reviewer asks of a
Chinese planning map: scale bar, north arrow, a legend of what is in the frame, an inset locator, the
审图号 of any official outline, the data sources and licences, and the note that curated boundaries are
schematic. The map is drawn in Web Mercator; distances on the scale bar are true at the frame's centre.
Nothing here touches the network unless tiles are requested.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import pandas as pd
import shapely
from matplotlib import font_manager, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from pyproj import Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.paths import DATA_DIR
from layers.catalog import SCHEMATIC_BADGE, Catalog, LayerSpec, feature_color, layer_frame, load_catalog
from layers.labels import Box, LabelRequest, PlacedLabels, add_halo, place_labels
from layers.own_layers import OWN_COLOUR, OWN_GROUP, OWN_LABEL_LIMIT, OwnLayer, by_id
from layers.place_facts import shipped_places
from layers.thematic import NO_DATA_COLOR, NO_DATA_TEXT, Theme, classify
from layers.safe_files import write_atomically
from layers.svg_fonts import embed_fonts

MAP_CRS = 3857
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS = ("portrait", "landscape")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# Declared weights, radii and dash lengths are CSS pixels (1/96 in), as Leaflet reads them; matplotlib uses points.
PX_TO_PT = 72 / 96
# Simplified Chinese faces first: the labels are mainland place names.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK TC",
                "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
# Text stays text: TrueType/OpenType embedded in PDF, <text> elements in SVG (editable in Illustrator, Inkscape).
TEXT_AS_TEXT = {"pdf.fonttype": 42, "svg.fonttype": "none",
                "text.parse_math": False}  # a `$` in a title or name is text, not mathtext
INK = "#222222"
HALO = "#ffffff"
# The district layer covers Beijing only: land beyond it (Hebei, Tianjin) is this neutral fill, and the page says so.
LAND = "#e6e3dc"
OWN_MIN_WEIGHT = 0.25  # CSS px: the thinnest outline an own layer's areas get on paper
THEMED_OUTLINE = "#555555"  # outline of an own layer's areas when a theme fills them
VEIL = (1.0, 1.0, 1.0, 0.45)  # over everything outside the subject, as a QGIS atlas highlights its feature
MARGIN_FRACTION = 0.06
MIN_MARGIN_M = 300.0
FOCUS_MARGIN_FRACTION = 0.12
FOCUS_MIN_HALF_SIZE_M = 1500.0
# Stations are drawn from 1:100 000 and named from 1:40 000 (on the printed page); smaller scales crowd them.
STATION_SYMBOL_SCALE = 100_000
STATION_LABEL_SCALE = 40_000
INSET_MAX_SHARE = 0.4  # no inset when the frame already shows this share of Beijing
INSET_WIDTH_SHARE = 0.2  # the locator's width, as a share of the map's
INSET_MARGIN_X, INSET_MARGIN_Y = 0.012, 0.015  # its distance from the map's edges, as shares of its sides
GEOMETRY_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
                     "Polygon": "polygon", "MultiPolygon": "polygon"}
# Layers whose bounds frame a map when no focus is given: the long rail lines and the districts would
# otherwise frame the whole municipality around a zone a few millimetres wide.
FRAMING_GROUPS = ("planning", "tasks")
THEME_LAYERS = ("cbd_streets", "subcentre_places")  # the areas the plans' measures (tasks, status) are kept for
TITLE_GROUPS = ("planning", "tasks", "own")  # what a title without a subject names: the areas, not the rail lines
DATE_ROOM_MM = 40.0  # the date's place at the title's right
# Label order: small areas first (they must fit inside), then the areas holding them, stations (few places to
# go), lines (many), then the context.
LABEL_ORDER = ("cbd_streets", "subcentre_places", "cbd_core", "task_places", "cbd_zone", "subcentre",
               "rail_stations", "rail_operating", "rail_construction", "rail_planned", "context_districts",
               "context_rivers", "context_roads")
OPTIONAL_LABELS = ("rail_stations", "context_districts", "context_rivers", "context_roads")
PLAN_AREA_LABELS = ("cbd_core", "cbd_zone", "subcentre")  # the areas the plans name: a reader looks for these first
LABEL_SIZE_PT = {"cbd_zone": 8.0, "subcentre": 8.0, "cbd_core": 7.0, "rail_stations": 5.5}
DEFAULT_LABEL_PT = 6.5
CHROME_TEXT = {
    "zh": {"legend": "图例", "date": "制图日期：", "source": "数据来源：", "north": "北", "index": "编号",
           "subject": "本图主体", "outside": "北京市以外（未分省绘制）", "schematic": SCHEMATIC_BADGE[0],
           "land_note": "北京市界外陆地以中性底色表示，未绘河北、天津界线。",
           "scale": "比例尺", "km": "千米", "m": "米", "own": "规划人员自有图层："},
    "en": {"legend": "Legend", "date": "Date: ", "source": "Sources: ", "north": "N", "index": "Index",
           "subject": "Map subject", "outside": "Outside Beijing (not drawn)", "schematic": SCHEMATIC_BADGE[1],
           "land_note": "Land outside Beijing is a neutral fill; Hebei and Tianjin outlines are not drawn.",
           "scale": "Scale", "km": "km", "m": "m", "own": "Planner's own layers: "},
}


class RenderError(RuntimeError):
    """A map that cannot be drawn as asked; the message says what to change."""


class CJKFontNotFound(RenderError):
    """No font that draws Chinese: labels would come out as empty boxes."""


class TilesUnavailable(RenderError):
    """Background tiles were asked for but could not be fetched."""


@dataclass(frozen=True)
class RenderedMap:
    """The rendered file and what it was drawn with."""

    data: bytes
    format: str
    font: str
    font_path: str
    dpi: int
    size_inches: tuple[float, float]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass
class MapPlan:
    """What one map frame shows: its layers clipped to the frame, the subject, the theme and the scale."""

    chosen: list[LayerSpec]
    drawn: list[LayerSpec]  # the chosen layers and their context background, in drawing order
    frames: dict[str, gpd.GeoDataFrame]  # Web Mercator, clipped to the extent
    extent: tuple[float, float, float, float]
    scale_denominator: float
    subject: BaseGeometry | None = None
    subject_id: str | None = None
    theme: Theme | None = None
    outside_beijing: bool = False
    own: dict[str, OwnLayer] = field(default_factory=dict)  # the planner's layers drawn, by their spec id

    @property
    def visible(self) -> list[LayerSpec]:
        """The drawn layers with at least one feature in the frame: exactly what the legend lists."""
        return [spec for spec in self.drawn if not self.frames[spec.id].empty]

    @property
    def schematic(self) -> list[LayerSpec]:
        return [spec for spec in self.visible if spec.schematic]


@dataclass
class MapPanel:
    """A drawn map frame and what the page around it needs to know about it."""

    ax: Axes
    plan: MapPlan
    labels: PlacedLabels
    scale_length_m: float
    inset: Axes | None = None
    obstacles: list[Box] = field(default_factory=list)
    tile_credit: str | None = None


@dataclass
class ComposedMap:
    """A whole report page, before it is saved: the figure, its map panel and the legend's texts."""

    figure: Figure
    panel: MapPanel
    legend_texts: list[str]
    title: str
    font: str
    font_path: str


def cjk_font() -> tuple[str, str]:
    """(family, file) of the first CJK font matplotlib knows, preferring Simplified Chinese sans faces."""
    available = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in available:
            return family, available[family]
    fallback = sorted(name for name in available if "CJK" in name)
    if fallback:
        return fallback[0], available[fallback[0]]
    raise CJKFontNotFound(
        "no CJK font found by matplotlib, so Chinese text would draw as empty boxes; install one "
        "(Debian: apt-get install fonts-noto-cjk) and delete matplotlib's font cache "
        f"({matplotlib.get_cachedir()}/fontlist-*.json)")


def paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    """Figure size (width, height) in inches for an ISO paper size and orientation."""
    if paper.upper() not in PAPER_MM:
        raise RenderError(f"unknown paper {paper!r}; choose one of {', '.join(PAPER_MM)}")
    if orientation not in ORIENTATIONS:
        raise RenderError(f"unknown orientation {orientation!r}; choose portrait or landscape")
    short, long = PAPER_MM[paper.upper()]
    width, height = (long, short) if orientation == "landscape" else (short, long)
    return width / 25.4, height / 25.4


def line_width(spec: LayerSpec) -> float:
    """The declared stroke weight in points."""
    return spec.weight * PX_TO_PT


def casing_effects(spec: LayerSpec) -> list[patheffects.AbstractPathEffect]:
    """A cased line's casing drawn under each of its strokes (declared `casing`, CASING_WIDTH px wider), on the map
    and in its legend handle; nothing for a layer without one."""
    if not spec.casing:
        return []
    return [patheffects.Stroke(linewidth=spec.casing_weight * PX_TO_PT, foreground=spec.casing), patheffects.Normal()]


def line_style(spec: LayerSpec) -> str | tuple[float, tuple[float, ...]]:
    """The declared SVG dash pattern as a matplotlib dash tuple that keeps the declared absolute lengths.

    matplotlib multiplies dash lengths by the line width, so the pattern is divided by it here.
    """
    if not spec.dash:
        return "solid"
    lengths = [float(part) for part in spec.dash.replace(",", " ").split()]
    return 0.0, tuple(length * PX_TO_PT / line_width(spec) for length in lengths)


def fill_rgba(spec: LayerSpec) -> tuple[float, float, float, float] | str:
    """The declared fill with its opacity, or no fill at all."""
    if spec.fill_color is None or spec.fill_opacity <= 0:
        return "none"
    return to_rgba(spec.fill_color, spec.fill_opacity)


def marker_size(spec: LayerSpec) -> float:
    """Marker diameter in points from the declared circle radius."""
    return 2 * spec.radius * PX_TO_PT


def ground_metres_per_unit(latitude: float) -> float:
    """Web Mercator stretches distances by 1/cos(latitude): one map unit is cos(lat) metres on the ground."""
    return math.cos(math.radians(latitude))


DEFAULT_DPI = 300


def round_scale_length(ground_width_m: float, fraction: float = 0.25) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres that is at most `fraction` of the frame's ground width."""
    target = ground_width_m * fraction
    power = 10 ** math.floor(math.log10(target))
    return next(step * power for step in (5, 2, 1) if step * power <= target)


def render_map(
    ids: list[str] | str | None = None,
    *,
    fmt: str = "png",
    path: Path | None = None,
    **options: Any,
) -> RenderedMap:
    """Draw a report page and return the file's bytes (also written to path if given).

    `options` are `compose_map`'s (focus, bbox, own_layers, theme, paper, orientation, dpi, title, lang, tiles, …):
    `focus` frames the map on a place and, without `ids`, picks the layers; `bbox` (west, south, east, north in
    WGS84 degrees) frames it on an area such as the app's current view; `own_layers` adds the planner's layers;
    `theme` colours the areas of `theme_layer` (a declared layer or an own layer's id) by a measure. An SVG
    carries the subset of every font its text uses. The background is the declared context layers over a
    neutral land fill (offline) or, when `tiles` names an xyzservices provider, web tiles fetched by contextily.
    """
    fmt = fmt.lower()
    if fmt not in MEDIA_TYPES:
        raise RenderError(f"unknown map format {fmt!r}; choose one of {', '.join(MEDIA_TYPES)}")
    composed = compose_map(ids, **options)
    dpi = options.get("dpi", DEFAULT_DPI)
    buffer = io.BytesIO()
    with matplotlib.rc_context(TEXT_AS_TEXT):
        composed.figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Title": composed.title})
    data = embed_fonts(buffer.getvalue()) if fmt == "svg" else buffer.getvalue()
    if path is not None:
        write_atomically(Path(path), data)
    return RenderedMap(data=data, format=fmt, font=composed.font, font_path=composed.font_path, dpi=dpi,
                       size_inches=tuple(composed.figure.get_size_inches()))


class PageCanvas(FigureCanvasAgg):
    """A report page's canvas. geopandas asks for a redraw after every layer it plots (`draw_idle`), and an Agg
    canvas then draws the whole page at once: 16 draws at 300 dpi before the page was saved. A page is drawn
    when it is saved, or when label placement asks for text extents."""

    def draw_idle(self, *args, **kwargs) -> None:
        """Nothing: the page is drawn when it is saved."""


def compose_map(
    ids: list[str] | str | None = None,
    *,
    focus: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    own_layers: Sequence[OwnLayer] = (),
    theme: str | None = None,
    theme_layer: str | None = None,
    scheme: str = "FisherJenks",
    classes: int = 5,
    paper: str = "A4",
    orientation: str = "landscape",
    dpi: int = DEFAULT_DPI,
    title: str | None = None,
    subtitle: str | None = None,
    lang: str = "zh",
    context: bool = True,
    tiles: str | None = None,
    date: dt.date | None = None,
    catalog: Catalog | None = None,
) -> ComposedMap:
    """Lay out a report page (title, map, legend, marks) as a matplotlib figure, ready to save."""
    paper = paper.upper()
    if lang not in CHROME_TEXT:
        raise RenderError(f"unknown language {lang!r}; choose one of {', '.join(CHROME_TEXT)}")
    catalog = catalog or load_catalog()
    size = paper_inches(paper, orientation)
    family, font_path = cjk_font()
    scale = min(PAPER_MM[paper]) / PAPER_MM["A4"][0]
    map_box, legend_box = _layout(size, orientation)
    map_size_mm = (map_box[2] * size[0] * 25.4, map_box[3] * size[1] * 25.4)
    plan = plan_map(ids, focus=focus, bbox=bbox, own_layers=own_layers, theme=theme, theme_layer=theme_layer,
                    scheme=scheme, classes=classes, map_size_mm=map_size_mm, lang=lang,
                    context=context and not tiles, catalog=catalog)
    title = title or _default_title(plan, lang)
    with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False, "text.color": INK,
                                **TEXT_AS_TEXT}):
        figure = Figure(figsize=size, dpi=dpi)
        PageCanvas(figure)
        panel = draw_map_panel(figure, map_box, plan, lang, family, scale, tiles=tiles)
        legend_ax = figure.add_axes(legend_box)
        legend_texts = draw_legend(legend_ax, panel, lang, ncols=1 if orientation == "landscape" else 3,
                                   fontsize=7.5 * scale)
        sources = " · ".join(filter(None, [page_sources(plan, lang, catalog), panel.tile_credit]))
        _add_page_text(figure, title, subtitle, sources, map_notes(plan, lang), date or dt.date.today(), lang, scale)
    return ComposedMap(figure=figure, panel=panel, legend_texts=legend_texts, title=title, font=family,
                       font_path=font_path)


def plan_map(ids: list[str] | str | None, *, focus: str | None, theme: str | None, theme_layer: str | None,
             scheme: str, classes: int, map_size_mm: tuple[float, float], lang: str, context: bool,
             catalog: Catalog, bbox: tuple[float, float, float, float] | None = None,
             own_layers: Sequence[OwnLayer] = ()) -> MapPlan:
    """Choose the layers, frame the subject (a place, an area or the layers), clip everything to the frame and
    classify any theme. The planner's own layers are drawn above the declared ones."""
    if not ids and not focus and bbox is None and not own_layers:
        raise RenderError("no layers chosen: name them (--layers), a place to focus on (--focus) or an area (--bbox)")
    if focus and bbox is not None:
        raise RenderError("frame the map on a place (--focus) or on an area (--bbox), not both")
    aspect = map_size_mm[0] / map_size_mm[1]
    own = by_id(own_layers)
    own_specs = {layer_id: layer.spec() for layer_id, layer in own.items()}
    own_frames = {layer_id: layer.mercator for layer_id, layer in own.items()}
    subject = focus_geometry(focus) if focus else None
    chosen = catalog.resolve(ids) if ids else []
    if ids and not chosen:
        raise RenderError("no layers chosen")
    if subject is not None:
        extent = focus_extent(subject, aspect)
    elif bbox is not None:
        extent = bbox_extent(bbox, aspect)
    else:
        full = {spec.id: layer_frame(spec).to_crs(MAP_CRS) for spec in chosen}
        framing = [full[spec.id] for spec in chosen if spec.group in FRAMING_GROUPS or spec.external]
        framing += list(own_frames.values())
        extent = map_extent(framing or list(full.values()), aspect)
    scale_denominator = _ground_width(extent) / (map_size_mm[0] / 1000)
    if not chosen:
        chosen = default_focus_layers(catalog, focus, scale_denominator)
    theme_spec = None
    if theme:
        theme_id = theme_layer or default_theme_layer(focus, extent, catalog)
        theme_spec = own_specs.get(theme_id) or catalog.layers[theme_id]
        if theme_spec.group != OWN_GROUP and theme_spec not in chosen:
            chosen = [spec for spec in catalog.layers.values() if spec in chosen or spec is theme_spec]
    background = [spec for spec in catalog.in_group("context") if spec not in chosen] if context else []
    drawn = [spec for spec in catalog.layers.values() if spec in chosen or spec in background]
    frame_box = box(*extent)
    frames = {spec.id: clip_to_frame(_mercator_frame(spec), frame_box) for spec in drawn}
    for layer_id, spec in own_specs.items():
        frames[layer_id] = clip_to_frame(own_frames[layer_id], frame_box).reset_index(drop=True)
        own_specs[layer_id] = spec = fine_outline(spec, frames[layer_id], extent, map_size_mm[0])
        themed_here = theme_spec is not None and theme_spec.id == layer_id
        # On top, as on the app's map; a themed one just above the context, as a themed declared layer is drawn,
        # so that the plans' outlines and the rail lines stay visible over its filled classes.
        drawn.insert(sum(spec.group == "context" for spec in drawn) if themed_here else len(drawn), spec)
        chosen.append(spec)
    classified = None
    if theme_spec is not None:
        theme_spec = own_specs.get(theme_spec.id, theme_spec)
        themed = frames[theme_spec.id]
        if themed.empty:
            raise RenderError(f"no feature of {theme_spec.id} lies in the frame to colour by {theme!r}")
        classified = classify(theme, theme_spec.id, themed, lang, scheme=scheme, classes=classes)
        if theme_spec.group == OWN_GROUP:  # the classes fill the areas; the planner's colours would compete
            frames[theme_spec.id] = themed.assign(**{OWN_COLOUR: THEMED_OUTLINE})
            classified = replace(classified, title=f"{theme_spec.title(lang)} · {classified.title}")
    return MapPlan(chosen=chosen, drawn=drawn, frames=frames, extent=extent, scale_denominator=scale_denominator,
                   subject=subject, subject_id=focus, theme=classified,
                   outside_beijing=_shows_land_beyond_beijing(frames, frame_box), own=own)


def fine_outline(spec: LayerSpec, frame: gpd.GeoDataFrame, extent: tuple[float, float, float, float],
                 map_width_mm: float) -> LayerSpec:
    """An own layer of many small parcels would drown in the app's 2.5 px outlines on paper: its stroke is at most
    a tenth of its median area's size on the page (never below OWN_MIN_WEIGHT px)."""
    areas = frame.area[frame.geom_type.str.contains("Polygon")]
    if areas.empty:
        return spec
    size_px = math.sqrt(float(areas.median())) / (extent[2] - extent[0]) * map_width_mm / 25.4 * 96
    return replace(spec, weight=max(OWN_MIN_WEIGHT, min(spec.weight, size_px / 10)))


def _shows_land_beyond_beijing(frames: dict[str, gpd.GeoDataFrame], frame_box: BaseGeometry) -> bool:
    """The land fill stands for the provinces only where the district outlines are drawn and end in the frame."""
    districts = frames.get("context_districts")
    return districts is not None and not districts.empty and not beijing_outline().buffer(1).contains(frame_box)


def default_focus_layers(catalog: Catalog, focus: str | None, scale_denominator: float) -> list[LayerSpec]:
    """What a focus alone shows: the layers on by default, stations at large scales, task places for a site."""
    wanted = [spec.id for spec in catalog.layers.values() if spec.visible and spec.group != "context"]
    if scale_denominator <= STATION_SYMBOL_SCALE:
        wanted.append("rail_stations")
    if focus and focus.startswith("gz_"):
        wanted.append("task_places")
    return catalog.resolve(wanted)


def default_theme_layer(focus: str | None, extent: tuple[float, float, float, float], catalog: Catalog) -> str:
    """The areas a theme colours: the sub-centre's key places around the sub-centre, the zone's streets around
    the zone; for an area, whichever of the two covers more of it."""
    if focus:
        return "subcentre_places" if focus == "subcentre" or focus.startswith("sc_") else "cbd_streets"
    frame_box = box(*extent)
    return max(THEME_LAYERS, key=lambda layer_id: _mercator_frame(catalog.layers[layer_id]).intersection(
        frame_box).area.sum())


def focus_geometry(place_id: str) -> BaseGeometry:
    """A place's geometry in Web Mercator: its own, or the union of its members for a declared place."""
    places = shipped_places()
    rows = places.loc[places["id"] == place_id]
    if rows.empty:
        members = declared_members().get(place_id)
        if members is None:
            raise RenderError(f"unknown place id {place_id!r} to focus on (see data/SCHEMA.md)")
        rows = places.loc[places["id"].isin(members)]
    return rows.to_crs(MAP_CRS).geometry.union_all()


@lru_cache(maxsize=1)
def declared_members() -> dict[str, list[str]]:
    """The places declared without geometry (data/places_declared.csv) and the places they are made of."""
    with open(DATA_DIR / "places_declared.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    members = {row["id"]: [part for part in row["members"].split(";") if part] for row in rows}
    districts = shipped_places().loc[shipped_places()["id"].str.startswith("district_"), "id"].tolist()
    members["beijing"] = districts
    for place_id, parts in members.items():  # a region made of regions (首都功能核心区 ⊂ 中心城区) is already flat
        members[place_id] = [part for member in parts for part in members.get(member, [member])]
    return members


@lru_cache(maxsize=1)
def beijing_outline() -> BaseGeometry:
    """The municipality in Web Mercator, as the union of the district outlines."""
    return focus_geometry("beijing")


def focus_extent(subject: BaseGeometry, aspect: float) -> tuple[float, float, float, float]:
    """The subject's bounds with a margin, at least FOCUS_MIN_HALF_SIZE_M each way, widened to the aspect."""
    xmin, ymin, xmax, ymax = subject.bounds
    margin = FOCUS_MARGIN_FRACTION * max(xmax - xmin, ymax - ymin)
    width = max(xmax - xmin + 2 * margin, 2 * FOCUS_MIN_HALF_SIZE_M)
    height = max(ymax - ymin + 2 * margin, 2 * FOCUS_MIN_HALF_SIZE_M)
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def bbox_extent(bbox: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """An area given as (west, south, east, north) in WGS84 degrees, in Web Mercator, widened to the map box's
    aspect about its centre: the whole area is on the page, and what the widening adds is drawn too."""
    west, south, east, north = (float(value) for value in bbox)
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise RenderError(f"the area {west:g},{south:g},{east:g},{north:g} is not west,south,east,north in degrees "
                          "with west < east and south < north")
    to_mercator = Transformer.from_crs(4326, MAP_CRS, always_xy=True)
    (xmin, xmax), (ymin, ymax) = to_mercator.transform([west, east], [south, north])
    width, height = xmax - xmin, ymax - ymin
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def map_extent(frames: list[gpd.GeoDataFrame], aspect: float) -> tuple[float, float, float, float]:
    """The union of the layers' bounds plus a margin, widened to the map box's aspect so nothing is cut."""
    bounds = [frame.total_bounds for frame in frames if not frame.empty]
    if not bounds:
        raise RenderError("the chosen layers hold no features to map")
    xmin = min(b[0] for b in bounds)
    ymin = min(b[1] for b in bounds)
    xmax = max(b[2] for b in bounds)
    ymax = max(b[3] for b in bounds)
    margin = max(MARGIN_FRACTION * max(xmax - xmin, ymax - ymin), MIN_MARGIN_M)
    width, height = xmax - xmin + 2 * margin, ymax - ymin + 2 * margin
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def clip_to_frame(frame: gpd.GeoDataFrame, frame_box: BaseGeometry) -> gpd.GeoDataFrame:
    """The features inside the frame, cut at its edge (lines leave at the frame, not at the page)."""
    if frame.empty:
        return frame
    clipped = gpd.clip(frame, frame_box)
    clipped = clipped[~clipped.geometry.is_empty & clipped.geometry.notna()]
    return clipped.explode(index_parts=False) if (clipped.geom_type == "GeometryCollection").any() else clipped


_MERCATOR_FRAMES: dict[tuple[str, str, str, str | None], gpd.GeoDataFrame] = {}


def _mercator_frame(spec: LayerSpec) -> gpd.GeoDataFrame:
    """A layer's features in Web Mercator, projected once per process (an atlas draws each layer many times)."""
    key = (spec.id, spec.source, repr(spec.where), spec.derive)
    if key not in _MERCATOR_FRAMES:
        _MERCATOR_FRAMES[key] = layer_frame(spec).to_crs(MAP_CRS)
    return _MERCATOR_FRAMES[key].copy()


def draw_map_panel(figure: Figure, map_box: list[float], plan: MapPlan, lang: str, family: str,
                   scale: float, tiles: str | None = None) -> MapPanel:
    """The map frame: land, layers (themed if asked), subject highlight, scale bar, north arrow, inset, labels."""
    ax = figure.add_axes(map_box)
    _frame_axes(ax, plan.extent)
    ax.set_facecolor(LAND)
    tile_credit = _add_tiles(ax, tiles) if tiles else None
    for order, spec in enumerate(plan.drawn):
        frame = plan.frames[spec.id]
        if plan.theme is not None and spec.id == plan.theme.layer_id:
            draw_theme(ax, spec, frame, plan.theme, zorder=2 + order)
        elif spec.group == OWN_GROUP:  # filled in each feature's own colour, as on the app's map
            fills = [to_rgba(colour, spec.fill_opacity) for colour in frame[OWN_COLOUR]]
            draw_layer(ax, spec, frame, zorder=2 + order, facecolors=fills)
        else:
            draw_layer(ax, spec, frame, zorder=2 + order)
    if plan.subject is not None:
        _highlight_subject(ax, plan)
    renderer = figure.canvas.get_renderer()
    length = _add_scalebar(ax, plan, family, 6.5 * scale)
    obstacles = [_artist_box(artist, renderer) for artist in _add_north_arrow(ax, CHROME_TEXT[lang]["north"],
                                                                             9 * scale)]
    obstacles.append(_scalebar_box(ax, renderer))
    inset = None
    if _wants_inset(plan):
        inset = _add_inset(figure, ax, plan)
        extent = inset.get_window_extent(renderer)
        obstacles.append((extent.x0, extent.y0, extent.x1, extent.y1))
    obstacles += point_symbol_boxes(ax, plan)
    labels = place_labels(ax, label_requests(plan, lang, scale), obstacles, renderer, family)
    return MapPanel(ax=ax, plan=plan, labels=labels, scale_length_m=length, inset=inset, obstacles=obstacles,
                    tile_credit=tile_credit)


def point_symbol_boxes(ax: Axes, plan: MapPlan) -> list[Box]:
    """The drawn point symbols (stations, sites) as boxes in display pixels: labels keep off them."""
    boxes: list[Box] = []
    for spec in plan.visible:
        frame = plan.frames[spec.id]
        points = frame[frame.geom_type.map(GEOMETRY_FAMILIES) == "point"].geometry.representative_point()
        if points.empty:
            continue
        radius = marker_size(spec) / 2 * ax.figure.dpi / 72
        for x, y in ax.transData.transform(list(zip(points.x, points.y))):
            boxes.append((x - radius, y - radius, x + radius, y + radius))
    return boxes


def draw_layer(ax: Axes, spec: LayerSpec, frame: gpd.GeoDataFrame, zorder: float,
               facecolors: list[str] | None = None) -> None:
    """Draw one layer's polygons, lines and points with its declared style and per-feature colours
    (`facecolors`, one per feature, fill the areas and points of a thematic layer instead)."""
    if frame.empty:
        return
    colors = [feature_color(spec, row) for row in _properties(frame)]
    families = frame.geom_type.map(GEOMETRY_FAMILIES)
    for family in ("polygon", "line", "point"):
        mask = (families == family).to_numpy()
        if not mask.any():
            continue
        part, part_colors = frame[mask], [color for color, keep in zip(colors, mask) if keep]
        if family == "polygon":
            faces = [color for color, keep in zip(facecolors, mask) if keep] if facecolors else fill_rgba(spec)
            part.plot(ax=ax, facecolor=faces, edgecolor=part_colors, linewidth=line_width(spec),
                      linestyle=line_style(spec), joinstyle="round", zorder=zorder)
        elif family == "line":
            part.plot(ax=ax, color=part_colors, linewidth=line_width(spec), linestyle=line_style(spec),
                      capstyle="butt" if spec.is_dashed else "round", joinstyle="round", zorder=zorder,
                      path_effects=casing_effects(spec))
        else:
            points = part.geometry.representative_point()
            faces = [color for color, keep in zip(facecolors, mask) if keep] if facecolors else fill_rgba(spec)
            ax.scatter(points.x, points.y, s=marker_size(spec) ** 2, marker="o", facecolor=faces,
                       edgecolor=part_colors, linewidths=line_width(spec), zorder=zorder + 0.5)


def draw_theme(ax: Axes, spec: LayerSpec, frame: gpd.GeoDataFrame, theme: Theme, zorder: float) -> None:
    """The themed layer with each area filled in its class colour, outlines as declared."""
    colors = theme.feature_colors()
    draw_layer(ax, spec, frame, zorder, facecolors=[to_rgba(color, 0.85) for color in colors])


def _highlight_subject(ax: Axes, plan: MapPlan) -> None:
    """Veil what lies outside an area subject and draw its outline heavier, as a QGIS atlas does."""
    subject = plan.subject
    if subject.geom_type in ("Polygon", "MultiPolygon"):
        veil = gpd.GeoSeries([box(*plan.extent).difference(subject)], crs=MAP_CRS)
        veil.plot(ax=ax, facecolor=VEIL, edgecolor="none", zorder=30)
        outline = gpd.GeoSeries([subject.boundary], crs=MAP_CRS)
        outline.plot(ax=ax, color=HALO, linewidth=4.2, zorder=31)
        outline.plot(ax=ax, color=INK, linewidth=1.6, zorder=32)
    elif subject.geom_type in ("LineString", "MultiLineString"):
        gpd.GeoSeries([subject], crs=MAP_CRS).plot(ax=ax, color=INK, linewidth=1.2, linestyle=(0, (2, 2)), zorder=31)
    else:
        gpd.GeoSeries([subject], crs=MAP_CRS).plot(ax=ax, marker="o", markersize=120, facecolor="none",
                                                    edgecolor=INK, linewidth=1.4, zorder=31)


def label_priority(layer_id: str) -> int:
    """A layer's label priority on QGIS's 0–10 scale, from the same roles the static map places labels by: the
    plan's named areas first, optional labels (stations, context) last. QGIS has no leader lines, so without this
    the dozens of station names could take the core's only place (seen in 1 of 6 QGIS runs)."""
    if layer_id in PLAN_AREA_LABELS:
        return 9
    return 2 if layer_id in OPTIONAL_LABELS else 6


def label_requests(plan: MapPlan, lang: str, scale: float) -> list[LabelRequest]:
    """One label per labelled feature in the frame, in placement order; station names at large scales only."""
    requests: list[LabelRequest] = []
    by_id = {spec.id: spec for spec in plan.visible}
    areas = [geometry for spec in plan.visible if spec.group == "planning"
             for geometry in plan.frames[spec.id].geometry if geometry.geom_type in ("Polygon", "MultiPolygon")]
    order = [layer_id for layer_id in LABEL_ORDER if layer_id in by_id]
    order += [spec.id for spec in plan.visible if spec.id not in LABEL_ORDER]
    for layer_id in order:
        spec = by_id[layer_id]
        if layer_id == "rail_stations" and plan.scale_denominator > STATION_LABEL_SCALE:
            continue
        frame = plan.frames[layer_id]
        own = spec.group == OWN_GROUP
        if own and len(frame) > OWN_LABEL_LIMIT:
            continue
        column = _label_column(spec, frame, lang)
        if column is None:
            continue
        planning = spec.group == "planning"
        size = LABEL_SIZE_PT.get(layer_id, DEFAULT_LABEL_PT) * scale
        for properties, geometry in zip(_properties(frame), frame.geometry):
            text = properties.get(column)
            family = GEOMETRY_FAMILIES.get(geometry.geom_type)
            if family is None or text is None or pd.isna(text) or not str(text).strip():
                continue
            position = 0 if properties.get("id") == plan.subject_id else len(requests)  # the subject first
            requests.insert(position, LabelRequest(
                text=str(text), geometry=geometry, family=family, fontsize=size,
                color=_label_color(spec, properties), required=not own and layer_id not in OPTIONAL_LABELS,
                weight="bold" if planning and layer_id not in ("cbd_streets", "subcentre_places") else "normal",
                style="italic" if spec.group == "context" else "normal", marker_radius_pt=marker_size(spec) / 2,
                layer=layer_id, avoid=_areas_inside(geometry, areas) if family == "polygon" else None))
    return requests


def _areas_inside(geometry: BaseGeometry, areas: list[BaseGeometry]) -> BaseGeometry | None:
    """The smaller areas that lie (mostly) inside this one: a containing area's label should not sit in them."""
    inside = [area for area in areas if area.area < 0.9 * geometry.area
              and area.intersection(geometry).area > 0.8 * area.area]
    return shapely.union_all(inside) if inside else None


def _label_color(spec: LayerSpec, properties: dict) -> str:
    if spec.group == "rail":
        return _legible(feature_color(spec, properties)) if spec.id != "rail_stations" else INK
    if spec.group == "context":
        return "#6b6358"
    return spec.color if spec.id in ("cbd_zone", "cbd_core", "subcentre") else INK


def _legible(color: str) -> str:
    """A line's colour darkened until text in it reads on a white halo (pale lines like 7号线 are too light)."""
    red, green, blue, _alpha = to_rgba(color)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    factor = min(1.0, 0.45 / luminance) if luminance > 0 else 1.0
    return to_hex((red * factor, green * factor, blue * factor))


def map_notes(plan: MapPlan, lang: str) -> list[str]:
    """The notes a reviewer looks for: schematic boundaries, and what the land fill stands for."""
    words = CHROME_TEXT[lang]
    notes = []
    note = load_catalog().schematic_note(plan.schematic, lang)
    if note:
        notes.append(note + ("。" if lang == "zh" else "."))
    if plan.outside_beijing:
        notes.append(words["land_note"])
    return notes


LegendEntry = tuple[Artist | tuple[Artist, ...], str]


def legend_entries(specs: list[LayerSpec], frames: dict[str, gpd.GeoDataFrame], lang: str,
                   per_feature: bool = True, own: dict[str, OwnLayer] | None = None,
                   themed: str | None = None) -> list[LegendEntry]:
    """(handle, text) per layer with features in the frame, styled as drawn; per-feature colours by name
    unless `per_feature` is off (the map labels each line in its colour anyway). An own layer lists its
    classes or categories (`own`) as the app's legend does, unless it is the `themed` layer."""
    entries: list[LegendEntry] = []
    for spec in reversed(specs):
        frame = frames[spec.id]
        if frame.empty:
            continue
        families = _families(spec, frame)
        if spec.group == OWN_GROUP:
            entries += _own_legend(spec, frame, families, (own or {}).get(spec.id), spec.id == themed)
            continue
        entries.append((_legend_handle(spec, spec.color, families), spec.title(lang)))
        if spec.color_field and per_feature:
            seen: dict[str, str] = {}
            for row in _properties(frame):
                seen.setdefault(str(row.get(f"name_{lang}") or row.get("id")), feature_color(spec, row))
            entries += [(_legend_handle(spec, color, families), f"    {name}") for name, color in seen.items()]
    return entries


def _own_legend(spec: LayerSpec, frame: gpd.GeoDataFrame, families: list[str], layer: OwnLayer | None,
                themed: bool) -> list[LegendEntry]:
    """The planner's layer under its name, then its classes or categories in their colours (present ones)."""
    shown = set(frame[OWN_COLOUR])
    rows = [] if themed or layer is None else [(colour, text) for colour, text in layer.legend if colour in shown]
    if themed or rows:
        colour = THEMED_OUTLINE
        title = _legend_handle(spec, colour, families, fill=to_rgba(colour, 0.1))
    else:
        colour = next(iter(shown))
        title = _legend_handle(spec, colour, families, fill=to_rgba(colour, spec.fill_opacity))
    entries: list[LegendEntry] = [(title, spec.title_zh)]  # the planner's name, in either language
    for colour, text in rows:
        entries.append((_legend_handle(spec, colour, families, fill=to_rgba(colour, spec.fill_opacity)),
                        f"    {text}"))
    return entries


def draw_legend(ax: Axes, panel: MapPanel, lang: str, ncols: int, fontsize: float) -> list[str]:
    """The legend of what is in the frame, with a 示意 badge on schematic layers, the theme's classes and the
    label index; returns every text it wrote (for tests)."""
    ax.set_axis_off()
    plan, words = panel.plan, CHROME_TEXT[lang]
    written: list[str] = []
    top = 1.0
    if plan.theme is not None:
        handles = [Patch(facecolor=to_rgba(color, 0.85), edgecolor=INK, linewidth=0.4) for color in plan.theme.colors]
        texts = plan.theme.class_labels()
        if (plan.theme.feature_class < 0).any():
            handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor=INK, linewidth=0.4))
            texts.append(NO_DATA_TEXT[lang])
        themed = ax.legend(handles, texts, loc="upper left", frameon=False, title=plan.theme.title, alignment="left",
                           fontsize=fontsize, title_fontsize=fontsize * 1.1, borderaxespad=0, ncols=ncols)
        ax.add_artist(themed)
        written += [plan.theme.title] + texts
        top = _legend_bottom(ax, themed) - 0.04
    for per_feature in (True, False):  # a legend that runs off its box drops the per-line entries
        entries = legend_entries(plan.visible, plan.frames, lang, per_feature=per_feature, own=plan.own,
                                 themed=plan.theme.layer_id if plan.theme else None)
        if plan.subject is not None:
            entries.insert(0, (Line2D([], [], color=INK, linewidth=1.6), words["subject"]))
        if plan.outside_beijing:
            entries.append((Patch(facecolor=LAND, edgecolor="#9e9a91", linewidth=0.4), words["outside"]))
        handles, texts = zip(*entries) if entries else ((), ())
        legend = ax.legend(handles, texts, loc="upper left", bbox_to_anchor=(0, top), frameon=False,
                           title=words["legend"], alignment="left", fontsize=fontsize,
                           title_fontsize=fontsize * 1.2, handlelength=2.6, ncols=ncols, borderaxespad=0,
                           columnspacing=4.5 if plan.schematic and ncols > 1 else 2.0,
                           handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)})
        if not per_feature or _legend_bottom(ax, legend) >= 0:
            break
        legend.remove()
    ax.add_artist(legend)
    written += [words["legend"]] + list(texts)
    schematic_titles = {spec.title(lang) for spec in plan.schematic}
    for text in legend.get_texts():
        if text.get_text() in schematic_titles:
            ax.annotate(words["schematic"], xy=(1, 0.5), xycoords=text, xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=fontsize * 0.8, color="#b2182b", zorder=legend.get_zorder() + 1,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#b2182b",
                              "linewidth": 0.6})
            written.append(words["schematic"])
    if panel.labels.index:
        index_lines = [f"{number}  {name}" for number, name in panel.labels.index]
        ax.annotate("\n".join([words["index"]] + index_lines), xy=(0, 0), xycoords=legend, xytext=(0, -6),
                    textcoords="offset points", va="top", ha="left", fontsize=fontsize * 0.9,
                    zorder=legend.get_zorder() + 1)
        written += index_lines
    return written


def _legend_bottom(ax: Axes, legend: Legend) -> float:
    renderer = ax.figure.canvas.get_renderer()
    extent = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    return extent.y0


def _legend_handle(spec: LayerSpec, color: str, families: list[str],
                   fill: tuple[float, float, float, float] | None = None) -> Artist | tuple[Artist, ...]:
    """A swatch drawn like the layer: `fill` overrides the declared fill (an own layer fills in each colour)."""
    face = fill if fill is not None else fill_rgba(spec)
    handles: list[Artist] = []
    if "polygon" in families:
        handles.append(Patch(facecolor=face, edgecolor=color, linewidth=line_width(spec),
                             linestyle=line_style(spec)))
    if "line" in families:
        handles.append(Line2D([], [], color=color, linewidth=line_width(spec), linestyle=line_style(spec),
                              dash_capstyle="butt", solid_capstyle="round", path_effects=casing_effects(spec)))
    if "point" in families:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=marker_size(spec),
                              markerfacecolor=face, markeredgecolor=color,
                              markeredgewidth=line_width(spec)))
    return handles[0] if len(handles) == 1 else tuple(handles)


def _families(spec: LayerSpec, frame: gpd.GeoDataFrame) -> list[str]:
    """Geometry families a layer's legend shows: those present, or those its kind promises when empty."""
    present = frame.geom_type.map(GEOMETRY_FAMILIES).dropna().unique().tolist() if not frame.empty else []
    if present:
        return [family for family in ("polygon", "line", "point") if family in present]
    return ["polygon", "point"] if spec.kind == "mixed" else [spec.kind]


def _properties(frame: gpd.GeoDataFrame) -> list[dict]:
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")


def _label_column(spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str) -> str | None:
    """The declared label property, or its language variant (label "name" reads name_zh / name_en)."""
    if not spec.label:
        return None
    for column in (f"{spec.label}_{lang}", spec.label):
        if column in frame.columns:
            return column
    return None


def _layout(size: tuple[float, float], orientation: str) -> tuple[list[float], list[float]]:
    """Map and legend boxes in figure fractions: legend beside the map (landscape) or below it (portrait)."""
    width_mm, height_mm = size[0] * 25.4, size[1] * 25.4
    margin, title_band, footer, gap = 10.0, 17.0, 12.0, 4.0
    left, bottom = margin, margin + footer
    content_w, content_h = width_mm - 2 * margin, height_mm - 2 * margin - title_band - footer
    if orientation == "landscape":
        legend_w = 0.24 * content_w
        map_mm = [left, bottom, content_w - legend_w - gap, content_h]
        legend_mm = [left + content_w - legend_w, bottom, legend_w, content_h]
    else:
        legend_h = 0.2 * content_h
        map_mm = [left, bottom + legend_h + gap, content_w, content_h - legend_h - gap]
        legend_mm = [left, bottom, content_w, legend_h]
    page = (width_mm, height_mm, width_mm, height_mm)
    return [mm / total for mm, total in zip(map_mm, page)], [mm / total for mm, total in zip(legend_mm, page)]


def _frame_axes(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Fix the extent (which turns autoscaling off) and hide ticks and the axis titles geopandas would add."""
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_autoscale_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.xaxis.label.set_visible(False)
    ax.yaxis.label.set_visible(False)
    for spine in ax.spines.values():
        spine.set_color(INK)
        spine.set_linewidth(0.8)
        spine.set_zorder(70)


def _centre_latitude(extent: tuple[float, float, float, float]) -> float:
    x, y = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    return Transformer.from_crs(MAP_CRS, 4326, always_xy=True).transform(x, y)[1]


def _ground_width(extent: tuple[float, float, float, float]) -> float:
    """The frame's width on the ground in metres, true at its centre latitude."""
    return (extent[2] - extent[0]) * ground_metres_per_unit(_centre_latitude(extent))


def _add_scalebar(ax: Axes, plan: MapPlan, family: str, fontsize: float) -> float:
    """A two-segment bar of a round length at lower left, true at the frame's centre, and the page scale."""
    ground = _ground_width(plan.extent)
    length = round_scale_length(ground)
    fraction = length / ground
    x0, y0, bar_h = 0.035, 0.045, 0.008
    unit, divisor = ("km", 1000) if length >= 1000 else ("m", 1)
    for part in range(2):
        ax.add_patch(Rectangle((x0 + part * fraction / 2, y0), fraction / 2, bar_h, transform=ax.transAxes,
                               facecolor=INK if part == 0 else "white", edgecolor=INK, linewidth=0.6, zorder=60))
    for value, position in ((0, x0), (length / 2, x0 + fraction / 2), (length, x0 + fraction)):
        text = f"{value / divisor:g}" + (f" {unit}" if value == length else "")
        add_halo(ax.text(position, y0 + bar_h + 0.006, text, transform=ax.transAxes, ha="center", va="bottom",
                         fontsize=fontsize, family=family, zorder=60, gid="scalebar"))
    add_halo(ax.text(x0, y0 - 0.008, f"1:{_round_scale(plan.scale_denominator):,}", transform=ax.transAxes,
                     ha="left", va="top", fontsize=fontsize * 0.9, family=family, zorder=60, gid="scalebar"))
    return length


def _round_scale(denominator: float) -> int:
    """A page scale rounded to two significant figures: the printed page is not more exact than that."""
    power = 10 ** max(0, math.floor(math.log10(denominator)) - 1)
    return int(round(denominator / power) * power)


def _scalebar_box(ax: Axes, renderer) -> Box:
    boxes = [artist.get_window_extent(renderer) for artist in ax.texts if artist.get_gid() == "scalebar"]
    boxes += [patch.get_window_extent(renderer) for patch in ax.patches]
    return (min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def _artist_box(artist: Artist, renderer) -> Box:
    extent = artist.get_window_extent(renderer)
    return extent.x0, extent.y0, extent.x1, extent.y1


def _add_north_arrow(ax: Axes, letter: str, fontsize: float) -> list[Artist]:
    """North is straight up in Web Mercator, so a fixed upward arrow is correct everywhere on the map."""
    x, tail, tip = 0.955, 0.84, 0.93
    arrow = ax.annotate("", xy=(x, tip), xytext=(x, tail), xycoords="axes fraction", zorder=60,
                        arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.9", "color": INK,
                                    "linewidth": 1.6})
    text = ax.text(x, tip + 0.01, letter, transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize,
                   fontweight="bold", zorder=60)
    add_halo(text)
    return [arrow, text]


def _wants_inset(plan: MapPlan) -> bool:
    """An inset only helps when the frame shows a small part of Beijing."""
    beijing = beijing_outline()
    shown = box(*plan.extent).intersection(beijing).area
    return shown < INSET_MAX_SHARE * beijing.area


def inset_corner(plan: MapPlan, width_share: float, height_share: float) -> tuple[float, float]:
    """Where the locator goes, as the (x, y) of its lower left in axes fractions: the lower right unless it
    would hide more of the subject than the upper left would (the scale bar and north arrow hold the other two
    corners). A street's outline often reaches into the lower right, and the locator covered it."""
    corners = [(1 - INSET_MARGIN_X - width_share, INSET_MARGIN_Y),
               (INSET_MARGIN_X, 1 - INSET_MARGIN_Y - height_share)]
    if plan.subject is None:
        return corners[0]
    xmin, ymin, xmax, ymax = plan.extent

    def hidden(corner: tuple[float, float]) -> float:
        x0, y0 = xmin + corner[0] * (xmax - xmin), ymin + corner[1] * (ymax - ymin)
        cover = box(x0, y0, x0 + width_share * (xmax - xmin), y0 + height_share * (ymax - ymin))
        part = plan.subject.intersection(cover)
        return part.area if plan.subject.area > 0 else part.length

    return min(corners, key=hidden)


def _add_inset(figure: Figure, ax: Axes, plan: MapPlan) -> Axes:
    """A locator in the corner that hides least of the subject: Beijing's districts, the frame as a red box."""
    position = ax.get_position()
    width = position.width * INSET_WIDTH_SHARE
    height = width * figure.get_size_inches()[0] / figure.get_size_inches()[1]
    x, y = inset_corner(plan, INSET_WIDTH_SHARE, height / position.height)
    inset = figure.add_axes([position.x0 + x * position.width, position.y0 + y * position.height, width, height])
    districts = _mercator_frame(load_catalog().layers["context_districts"])
    xmin, ymin, xmax, ymax = beijing_outline().bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin)
    _frame_axes(inset, focus_extent(box(xmin - pad, ymin - pad, xmax + pad, ymax + pad), aspect=1.0))
    inset.set_facecolor(LAND)
    districts.plot(ax=inset, facecolor="#f7f4ee", edgecolor="#9e9a91", linewidth=0.3, zorder=2)
    frame = box(*plan.extent)
    gpd.GeoSeries([frame], crs=MAP_CRS).boundary.plot(ax=inset, color="#d7301f", linewidth=1.0, zorder=4)
    if plan.subject is not None and plan.subject.geom_type in ("Polygon", "MultiPolygon"):
        gpd.GeoSeries([plan.subject], crs=MAP_CRS).plot(ax=inset, facecolor="#d7301f", edgecolor="none", zorder=3)
    for spine in inset.spines.values():
        spine.set_linewidth(0.6)
    return inset


def _add_page_text(figure: Figure, title: str, subtitle: str | None, sources: str, notes: list[str],
                   date: dt.date, lang: str, scale: float) -> None:
    """Title, subtitle and date above the map; sources, licences and notes below it (margins as in _layout)."""
    width_mm, height_mm = (value * 25.4 for value in figure.get_size_inches())
    left, right = 10.0 / width_mm, 1 - 10.0 / width_mm
    top = 1 - 10.0 / height_mm
    words = CHROME_TEXT[lang]
    title_room_pt = (width_mm - 20.0 - DATE_ROOM_MM) / 25.4 * 72
    title, title_size = fit_title(title, title_room_pt, 15 * scale, 10 * scale)
    figure.text(left, top, title, ha="left", va="top", fontsize=title_size, fontweight="bold")
    if subtitle:
        figure.text(left, top - 8.0 / height_mm, subtitle, ha="left", va="top", fontsize=9 * scale, color="#555555")
    figure.text(right, top, f"{words['date']}{date.isoformat()}", ha="right", va="top", fontsize=7 * scale)
    fontsize = 6.2 * scale
    lines = wrap_to_width(f"{words['source']}{sources}", (width_mm - 20.0) / 25.4 * 72, fontsize)
    figure.text(left, 10.0 / height_mm, "\n".join(lines + [" ".join(notes)]), ha="left", va="bottom",
                fontsize=fontsize, linespacing=1.5)


def text_width_pt(text: str, fontsize: float) -> float:
    """A line's width estimated as wrap_to_width does: CJK glyphs square, Latin ones 0.55 em."""
    return sum(fontsize * (1.0 if ord(char) > 0x2E80 else 0.55) for char in text)


def fit_title(title: str, width_pt: float, size: float, smallest: float) -> tuple[str, float]:
    """The title at the largest size down to `smallest` that fits on one line, cut with … if even that is too
    long: a long title must not run into the date."""
    width = text_width_pt(title, size)
    if width <= width_pt:
        return title, size
    size = max(smallest, size * width_pt / width)
    while text_width_pt(title, size) > width_pt and len(title) > 1:
        title = title[:-2] + "…"
    return title, size


def wrap_to_width(text: str, width_pt: float, fontsize: float) -> list[str]:
    """Break text into lines no wider than width_pt, estimating CJK glyphs as square and Latin ones at 0.55 em;
    breaks fall at spaces in Latin runs and anywhere between CJK characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, width, last_space = "", 0.0, -1
        for char in paragraph:
            char_width = fontsize * (1.0 if ord(char) > 0x2E80 else 0.55)
            if width + char_width > width_pt and line:
                cut = last_space if last_space > 0 and ord(char) <= 0x2E80 else len(line)
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
                width = sum(fontsize * (1.0 if ord(c) > 0x2E80 else 0.55) for c in line)
                last_space = -1
            if char == " ":
                last_space = len(line)
            line += char
            width += char_width
        lines.append(line)
    return lines


def _add_tiles(ax: Axes, name: str) -> str:
    """Draw web tiles under the layers and return their attribution; a clear error when they cannot be had.

    contextily is imported here because it pulls in rasterio: offline maps should not pay for it.
    """
    import contextily
    import xyzservices

    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError as error:
        raise TilesUnavailable(f"unknown tile provider {name!r} (an xyzservices name such as "
                               "OpenStreetMap.Mapnik)") from error
    try:
        contextily.add_basemap(ax, source=provider, crs=f"EPSG:{MAP_CRS}", attribution=False, zorder=0)
    except Exception as error:  # requests, rasterio and PIL each raise their own types for a failed fetch
        raise TilesUnavailable(f"could not fetch {name} tiles ({type(error).__name__}: {error}); "
                               "leave tiles out to draw the offline map with the context layers") from error
    return str(provider.get("attribution", name))


def page_sources(plan: MapPlan, lang: str, catalog: Catalog) -> str:
    """The sources line: the declared layers' attributions, then the planner's own layers by name."""
    own = [spec.title(lang) for spec in plan.visible if spec.group == OWN_GROUP]
    own_text = CHROME_TEXT[lang]["own"] + ("、" if lang == "zh" else ", ").join(own) if own else ""
    return " · ".join(filter(None, [catalog.attribution_text(plan.visible, lang), own_text]))


def _default_title(plan: MapPlan, lang: str) -> str:
    """The subject's name; else the planning areas and own layers in the frame; else every chosen layer."""
    if plan.subject_id:
        name = place_name(plan.subject_id, lang)
        return f"{name} — {plan.theme.title}" if plan.theme else name
    if plan.theme and plan.theme.layer_id in plan.own:  # its title already names the layer and the column
        return plan.theme.title
    visible = [spec for spec in plan.visible if spec in plan.chosen]
    named = [spec for spec in visible if spec.group in TITLE_GROUPS] or visible or plan.chosen
    title = ("、" if lang == "zh" else ", ").join(spec.title(lang) for spec in named)
    return f"{title} — {plan.theme.title}" if plan.theme else title


def place_name(place_id: str, lang: str) -> str:
    """A place's name in the language asked, or its id when no layer names it."""
    places = shipped_places()
    rows = places.loc[places["id"] == place_id]
    if rows.empty:
        return place_id
    return str(rows[f"name_{lang}"].iloc[0])
