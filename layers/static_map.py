"""Static report maps (PNG, SVG, PDF) drawn with matplotlib from the same declarations as the web map.

Colours, dash patterns, weights, fills, per-feature colours and labels all come from catalog.toml, so a
printed map cannot drift from the interactive one. The map is drawn in Web Mercator (the CRS of tiles,
when asked for) and the scale bar is corrected to be true at the map's centre latitude. Nothing here
touches the network unless tiles are requested.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar
from pyproj import Transformer

from layers.catalog import Catalog, LayerSpec, feature_color, layer_frame, load_catalog
from layers.safe_files import write_atomically

MAP_CRS = 3857
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS = ("portrait", "landscape")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# Declared weights, radii and dash lengths are CSS pixels (1/96 in), as Leaflet reads them; matplotlib uses points.
PX_TO_PT = 72 / 96
# Simplified Chinese faces first: the labels are mainland place names.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK TC",
                "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
INK = "#222222"
HALO = "#ffffff"
MARGIN_FRACTION = 0.06
MIN_MARGIN_M = 300.0
GEOMETRY_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
                     "Polygon": "polygon", "MultiPolygon": "polygon"}
CHROME_TEXT = {
    "zh": {"legend": "图例", "date": "制图日期：", "source": "数据来源：", "north": "N"},
    "en": {"legend": "Legend", "date": "Date: ", "source": "Sources: ", "north": "N"},
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


def render_map(
    ids: list[str] | str,
    *,
    fmt: str = "png",
    paper: str = "A4",
    orientation: str = "landscape",
    dpi: int = 300,
    title: str | None = None,
    lang: str = "zh",
    context: bool = True,
    tiles: str | None = None,
    date: dt.date | None = None,
    path: Path | None = None,
    catalog: Catalog | None = None,
) -> RenderedMap:
    """Draw the chosen layers on a report page and return the file's bytes (also written to path if given).

    The background is the declared context layers (offline) or, when `tiles` names an xyzservices
    provider (e.g. "OpenStreetMap.Mapnik"), web tiles fetched by contextily instead.
    """
    fmt, paper = fmt.lower(), paper.upper()
    if fmt not in MEDIA_TYPES:
        raise RenderError(f"unknown map format {fmt!r}; choose one of {', '.join(MEDIA_TYPES)}")
    if lang not in CHROME_TEXT:
        raise RenderError(f"unknown language {lang!r}; choose one of {', '.join(CHROME_TEXT)}")
    catalog = catalog or load_catalog()
    chosen = catalog.resolve(ids)
    if not chosen:
        raise RenderError("no layers chosen")
    background = [spec for spec in catalog.in_group("context") if spec not in chosen] if context and not tiles else []
    drawn = [spec for spec in catalog.layers.values() if spec in chosen or spec in background]
    frames = {spec.id: layer_frame(spec).to_crs(MAP_CRS) for spec in drawn}
    family, font_path = cjk_font()
    size = paper_inches(paper, orientation)
    scale = min(PAPER_MM[paper]) / PAPER_MM["A4"][0]
    title = title or _default_title(chosen, lang)
    with matplotlib.rc_context({"font.family": [family], "pdf.fonttype": 42, "svg.fonttype": "path",
                                "axes.unicode_minus": False, "text.color": INK,
                                "text.parse_math": False}):  # a `$` in a title or name is text, not mathtext
        figure = Figure(figsize=size, dpi=dpi)
        map_box, legend_box = _layout(size, orientation)
        ax = figure.add_axes(map_box)
        _frame_axes(ax, map_extent([frames[spec.id] for spec in chosen], ax_aspect(size, map_box)))
        attribution = catalog.attribution_text(drawn, lang)
        if tiles:
            attribution = " · ".join(filter(None, [attribution, _add_tiles(ax, tiles)]))
        _draw_map(ax, chosen, drawn, frames, lang, family, scale)
        _add_legend(figure.add_axes(legend_box), legend_entries(drawn, frames, lang), lang, orientation, 7.5 * scale)
        _add_page_text(figure, title, attribution, date or dt.date.today(), lang, scale)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Title": title})
    data = buffer.getvalue()
    if path is not None:
        write_atomically(Path(path), data)
    return RenderedMap(data=data, format=fmt, font=family, font_path=font_path, dpi=dpi, size_inches=size)


def _draw_map(ax: Axes, chosen: list[LayerSpec], drawn: list[LayerSpec], frames: dict[str, gpd.GeoDataFrame],
              lang: str, family: str, scale: float) -> None:
    """Layers in declaration order, then labels of the chosen layers on top, then scale bar and north arrow."""
    for order, spec in enumerate(drawn):
        draw_layer(ax, spec, frames[spec.id], zorder=2 + order)
    placed: list[tuple[float, float, float, float]] = []
    for spec in chosen:
        _draw_labels(ax, spec, frames[spec.id], lang, 6.5 * scale, placed)
    _add_scalebar(ax, family, 7 * scale)
    _add_north_arrow(ax, CHROME_TEXT[lang]["north"], 10 * scale)


def draw_layer(ax: Axes, spec: LayerSpec, frame: gpd.GeoDataFrame, zorder: float) -> None:
    """Draw one layer's polygons, lines and points with its declared style and per-feature colours."""
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
            part.plot(ax=ax, facecolor=fill_rgba(spec), edgecolor=part_colors, linewidth=line_width(spec),
                      linestyle=line_style(spec), joinstyle="round", zorder=zorder)
        elif family == "line":
            part.plot(ax=ax, color=part_colors, linewidth=line_width(spec), linestyle=line_style(spec),
                      capstyle="butt" if spec.is_dashed else "round", joinstyle="round", zorder=zorder)
        else:
            points = part.geometry.representative_point()
            ax.scatter(points.x, points.y, s=marker_size(spec) ** 2, marker="o", facecolor=fill_rgba(spec),
                       edgecolor=part_colors, linewidths=line_width(spec), zorder=zorder + 0.5)


LegendEntry = tuple[Artist | tuple[Artist, ...], str]


def legend_entries(specs: list[LayerSpec], frames: dict[str, gpd.GeoDataFrame], lang: str) -> list[LegendEntry]:
    """(handle, text) per drawn layer, styled as drawn; layers coloured per feature list each colour by name."""
    entries: list[LegendEntry] = []
    for spec in reversed(specs):
        frame = frames[spec.id]
        families = _families(spec, frame)
        entries.append((_legend_handle(spec, spec.color, families), spec.title(lang)))
        if spec.color_field and not frame.empty:
            seen: dict[str, str] = {}
            for row in _properties(frame):
                seen.setdefault(str(row.get(f"name_{lang}") or row.get("id")), feature_color(spec, row))
            entries += [(_legend_handle(spec, color, families), f"    {name}") for name, color in seen.items()]
    return entries


def ax_aspect(size: tuple[float, float], box: list[float]) -> float:
    """Width / height of an axes box on the page."""
    return (box[2] * size[0]) / (box[3] * size[1])


def _legend_handle(spec: LayerSpec, color: str, families: list[str]) -> Artist | tuple[Artist, ...]:
    handles: list[Artist] = []
    if "polygon" in families:
        handles.append(Patch(facecolor=fill_rgba(spec), edgecolor=color, linewidth=line_width(spec),
                             linestyle=line_style(spec)))
    if "line" in families:
        handles.append(Line2D([], [], color=color, linewidth=line_width(spec), linestyle=line_style(spec),
                              dash_capstyle="butt", solid_capstyle="round"))
    if "point" in families:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=marker_size(spec),
                              markerfacecolor=fill_rgba(spec), markeredgecolor=color,
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
    for column in (spec.label, f"{spec.label}_{lang}"):
        if column in frame.columns:
            return column
    return None


def _draw_labels(ax: Axes, spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str, fontsize: float,
                 placed: list[tuple[float, float, float, float]]) -> None:
    """Label features where the text fits: inside its polygon's width, and clear of labels already placed."""
    column = _label_column(spec, frame, lang)
    if column is None or frame.empty:
        return
    halo = [patheffects.withStroke(linewidth=2.2, foreground=HALO)]
    points_per_unit = ax.get_window_extent().width * 72 / ax.figure.dpi / (ax.get_xlim()[1] - ax.get_xlim()[0])
    for text, geometry in zip(frame[column], frame.geometry):
        if pd.isna(text):
            continue
        family = GEOMETRY_FAMILIES.get(geometry.geom_type)
        anchor = geometry.representative_point()
        offset = -marker_size(spec) if family == "point" else 0.0
        box = _label_box(ax, anchor.x, anchor.y, str(text), fontsize, offset)
        if box is None or any(_overlaps(box, other) for other in placed):
            continue
        if family == "polygon" and box[2] - box[0] > (geometry.bounds[2] - geometry.bounds[0]) * points_per_unit:
            continue
        placed.append(box)
        ax.annotate(str(text), (anchor.x, anchor.y), xytext=(0, offset), textcoords="offset points",
                    ha="center", va="top" if family == "point" else "center", fontsize=fontsize, color=INK,
                    path_effects=halo, zorder=50)


def _label_box(ax: Axes, x: float, y: float, text: str, fontsize: float,
               offset: float) -> tuple[float, float, float, float] | None:
    """The label's box in points on the page, estimated (CJK glyphs are square, Latin ones about half as wide);
    None when the anchor lies outside the map."""
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    if not (xmin < x < xmax and ymin < y < ymax):
        return None
    px, py = ax.transData.transform((x, y)) * 72 / ax.figure.dpi
    width = fontsize * sum(1.0 if ord(char) > 0x2E80 else 0.6 for char in text)
    height = fontsize * 1.2
    top = py + offset + (0 if offset else height / 2)
    return px - width / 2, top - height, px + width / 2, top


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _layout(size: tuple[float, float], orientation: str) -> tuple[list[float], list[float]]:
    """Map and legend boxes in figure fractions: legend beside the map (landscape) or below it (portrait)."""
    width_mm, height_mm = size[0] * 25.4, size[1] * 25.4
    margin, title_band, footer, gap = 10.0, 15.0, 9.0, 4.0
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


def _frame_axes(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Fix the extent (which turns autoscaling off) and hide ticks and the axis titles geopandas would add."""
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.xaxis.label.set_visible(False)
    ax.yaxis.label.set_visible(False)
    for spine in ax.spines.values():
        spine.set_color(INK)
        spine.set_linewidth(0.8)


def _centre_latitude(ax: Axes) -> float:
    x = sum(ax.get_xlim()) / 2
    y = sum(ax.get_ylim()) / 2
    return Transformer.from_crs(MAP_CRS, 4326, always_xy=True).transform(x, y)[1]


def _add_scalebar(ax: Axes, family: str, fontsize: float) -> None:
    """A metric scale bar true at the map's centre latitude (Web Mercator units are not metres there)."""
    dx = ground_metres_per_unit(_centre_latitude(ax))
    ax.add_artist(ScaleBar(dx, units="m", location="lower left", length_fraction=0.22, color=INK,
                           box_alpha=0.75, font_properties={"family": family, "size": fontsize}))


def _add_north_arrow(ax: Axes, letter: str, fontsize: float) -> None:
    """North is straight up in Web Mercator, so a fixed upward arrow is correct everywhere on the map."""
    x, tail, tip = 0.955, 0.84, 0.93
    ax.annotate("", xy=(x, tip), xytext=(x, tail), xycoords="axes fraction", zorder=60,
                arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.9", "color": INK, "linewidth": 1.6})
    ax.text(x, tip + 0.01, letter, transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize,
            fontweight="bold", zorder=60, path_effects=[patheffects.withStroke(linewidth=2.5, foreground=HALO)])


def _add_legend(ax: Axes, entries: list[LegendEntry], lang: str, orientation: str,
                fontsize: float) -> None:
    ax.set_axis_off()
    handles, texts = zip(*entries) if entries else ((), ())
    ax.legend(handles, texts, loc="upper left", frameon=False, title=CHROME_TEXT[lang]["legend"],
              alignment="left", fontsize=fontsize, title_fontsize=fontsize * 1.2, handlelength=2.6,
              ncols=1 if orientation == "landscape" else 3, borderaxespad=0,
              handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)})


def _add_page_text(figure: Figure, title: str, attribution: str, date: dt.date, lang: str, scale: float) -> None:
    """Title and date above the map, sources below it; the margins match _layout's."""
    width_mm, height_mm = (value * 25.4 for value in figure.get_size_inches())
    left, right = 10.0 / width_mm, 1 - 10.0 / width_mm
    top = 1 - 10.0 / height_mm
    words = CHROME_TEXT[lang]
    figure.text(left, top, title, ha="left", va="top", fontsize=15 * scale, fontweight="bold")
    figure.text(right, top, f"{words['date']}{date.isoformat()}", ha="right", va="top", fontsize=7 * scale)
    figure.text(left, 10.0 / height_mm, f"{words['source']}{attribution}", ha="left", va="bottom",
                fontsize=6.5 * scale, wrap=True)


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


def _default_title(specs: list[LayerSpec], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(spec.title(lang) for spec in specs)
