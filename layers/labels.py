"""Collision-aware label placement for the static maps: every label measured by the renderer, placed once.

Labels are placed greedily in priority order. An area's label must lie inside the area; a line's sits on
the line; a point's beside its symbol. When no position is free the label moves out on a leader line, and
when even that fails it becomes a number in the map with its name in an index beside the legend. Optional
labels (stations, context) are simply left out when there is no room. All boxes are in display pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from shapely.geometry import LineString, MultiLineString, Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polylabel

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels

HALO = "#ffffff"
LEADER_COLOR = "#444444"
GAP_PT = 1.5  # clear space kept around every label, in points
INSIDE_SHARE = 0.9  # an area label counts as inside when this share of its box lies in the area
GRID_STEPS = 9  # candidate positions per side of the grid laid over an area
LINE_FRACTIONS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9)
LEADER_ANGLES = tuple(range(0, 360, 30))
LEADER_REACH = (1.4, 2.2, 3.2)  # leader lengths as multiples of the label's half diagonal
SHRINK_STEPS = (1.0, 0.85)  # an area label may shrink once before it moves out


@dataclass
class LabelRequest:
    """One feature's label: what it says, where it belongs and how it looks."""

    text: str
    geometry: BaseGeometry  # in data (map) coordinates, already clipped to the frame
    family: str  # polygon, line or point
    fontsize: float
    color: str = "#222222"
    weight: str = "normal"
    style: str = "normal"
    required: bool = True  # required labels fall back to a leader line or an index number
    marker_radius_pt: float = 3.0
    layer: str = ""  # the layer id, kept as the text's gid so tests and SVG readers can tell labels apart
    avoid: BaseGeometry | None = None  # smaller areas inside this one: its label goes elsewhere if it can


@dataclass
class PlacedLabels:
    """What was drawn: the label texts (for overlap checks), leader lines, the index and what was left out."""

    texts: list[Text] = field(default_factory=list)
    leaders: int = 0
    index: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def place_labels(ax: Axes, requests: list[LabelRequest], obstacles: list[Box], renderer: RendererBase,
                 family: str) -> PlacedLabels:
    """Place the labels in the order given, avoiding each other and the obstacles (scale bar, inset, arrow)."""
    result = PlacedLabels()
    taken = list(obstacles)
    frame = ax.get_window_extent(renderer)
    frame_box = (frame.x0, frame.y0, frame.x1, frame.y1)
    gap = GAP_PT * ax.figure.dpi / 72
    for request in requests:
        placed = _place_one(ax, request, taken, frame_box, renderer, family, gap, result)
        if not placed:
            result.dropped.append(request.text)
    return result


def _place_one(ax: Axes, request: LabelRequest, taken: list[Box], frame: Box, renderer: RendererBase, family: str,
               gap: float, result: PlacedLabels) -> bool:
    for shrink in SHRINK_STEPS if request.family == "polygon" else (1.0,):
        text = _text(ax, request, request.fontsize * shrink, family)
        width, height = _size(text, renderer)
        for centre in _candidates(ax, request, width, height):
            candidate = _box_at(centre, width, height)
            if _free(candidate, taken, frame, gap) and _fits(ax, request, candidate):
                _commit(ax, text, centre, candidate, taken, result)
                return True
        text.remove()
    if not request.required:
        return False
    text = _text(ax, request, request.fontsize, family)
    width, height = _size(text, renderer)
    anchor = _anchor_px(ax, request)
    for centre in _leader_positions(anchor, width, height):
        candidate = _box_at(centre, width, height)
        if _free(candidate, taken, frame, gap) and _leader_clear(anchor, candidate, taken):
            _commit(ax, text, centre, candidate, taken, result)
            _draw_leader(ax, anchor, candidate)
            result.leaders += 1
            return True
    text.remove()
    number = str(len(result.index) + 1)
    marker = _text(ax, LabelRequest(number, request.geometry, "point", request.fontsize, request.color, "bold",
                                    layer=request.layer), request.fontsize, family)
    width, height = _size(marker, renderer)
    for centre in [anchor] + _leader_positions(anchor, width, height):
        candidate = _box_at(centre, width, height)
        if _free(candidate, taken, frame, gap):
            _commit(ax, marker, centre, candidate, taken, result)
            if centre is not anchor:
                _draw_leader(ax, anchor, candidate)
            result.index.append((number, request.text))
            return True
    marker.remove()
    return False


def _text(ax: Axes, request: LabelRequest, fontsize: float, family: str) -> Text:
    return ax.text(0, 0, request.text, ha="center", va="center", fontsize=fontsize, color=request.color,
                   fontweight=request.weight, fontstyle=request.style, family=family, zorder=50, clip_on=False,
                   gid=request.layer or None)


def add_halo(text: Text) -> Text:
    """A white outline drawn under a text as its own artist.

    matplotlib draws a text that has path effects as outlines, not as text: a halo on the label itself
    would take the label out of the PDF's and SVG's text layer. So the label stays plain text and this
    twin, drawn just below it, carries the halo.
    """
    twin = Text(*text.get_position(), text.get_text(), color=HALO, fontproperties=text.get_fontproperties(),
                ha=text.get_horizontalalignment(), va=text.get_verticalalignment(), transform=text.get_transform(),
                zorder=text.get_zorder() - 0.1, clip_on=False,
                path_effects=[patheffects.withStroke(linewidth=2.0, foreground=HALO)])
    text.axes.add_artist(twin)
    return twin


def _size(text: Text, renderer: RendererBase) -> tuple[float, float]:
    """The label's own box, as the renderer lays it out (the halo adds under a point and is kept clear by GAP_PT)."""
    extent = text.get_window_extent(renderer)
    return extent.width, extent.height


def _box_at(centre: tuple[float, float], width: float, height: float) -> Box:
    return centre[0] - width / 2, centre[1] - height / 2, centre[0] + width / 2, centre[1] + height / 2


def _free(candidate: Box, taken: list[Box], frame: Box, gap: float) -> bool:
    inside = (frame[0] + gap <= candidate[0] and candidate[2] <= frame[2] - gap
              and frame[1] + gap <= candidate[1] and candidate[3] <= frame[3] - gap)
    return inside and not any(boxes_overlap(candidate, other, gap) for other in taken)


def boxes_overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    """True when two boxes come closer than `gap` on both axes."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _fits(ax: Axes, request: LabelRequest, candidate: Box) -> bool:
    """An area label must lie inside its area; line and point labels only need to be free."""
    if request.family != "polygon":
        return True
    inverse = ax.transData.inverted()
    (x0, y0), (x1, y1) = inverse.transform([(candidate[0], candidate[1]), (candidate[2], candidate[3])])
    label_box = box(x0, y0, x1, y1)
    return request.geometry.intersection(label_box).area >= INSIDE_SHARE * label_box.area


def _commit(ax: Axes, text: Text, centre: tuple[float, float], candidate: Box, taken: list[Box],
            result: PlacedLabels) -> None:
    text.set_position(ax.transData.inverted().transform(centre))
    add_halo(text)
    taken.append(candidate)
    result.texts.append(text)


def _leader_clear(anchor: tuple[float, float], candidate: Box, taken: list[Box]) -> bool:
    """A leader line may not cross another label, the scale bar, the inset or the north arrow."""
    leader = LineString([anchor, _leader_end(anchor, candidate)])
    at_anchor = Point(anchor)
    return not any(leader.intersects(box(*other)) and not box(*other).contains(at_anchor) for other in taken)


def _leader_end(anchor: tuple[float, float], candidate: Box) -> tuple[float, float]:
    return min(max(anchor[0], candidate[0]), candidate[2]), min(max(anchor[1], candidate[1]), candidate[3])


def _draw_leader(ax: Axes, anchor: tuple[float, float], candidate: Box) -> None:
    """A thin line from the feature to the nearest point of its label's box, and a dot on the feature."""
    end = _leader_end(anchor, candidate)
    inverse = ax.transData.inverted()
    (ax0, ay0), (ex, ey) = inverse.transform([anchor, end])
    ax.plot([ax0, ex], [ay0, ey], color=LEADER_COLOR, linewidth=0.5, zorder=49, solid_capstyle="butt")
    ax.plot([ax0], [ay0], marker="o", markersize=1.8, color=LEADER_COLOR, zorder=49)


def _anchor_px(ax: Axes, request: LabelRequest) -> tuple[float, float]:
    point = _anchor(request.geometry, request.family)
    x, y = ax.transData.transform((point.x, point.y))
    return float(x), float(y)


def _anchor(geometry: BaseGeometry, family: str) -> Point:
    """Where a label belongs: an area's pole of inaccessibility, a line's middle, a point itself."""
    if family == "polygon":
        part = _largest_part(geometry)
        return polylabel(part, tolerance=max(math.sqrt(part.area) / 100, 1.0))
    if family == "line":
        line = _longest_line(geometry)
        return line.interpolate(0.5, normalized=True)
    return geometry.representative_point()


def _candidates(ax: Axes, request: LabelRequest, width: float, height: float) -> list[tuple[float, float]]:
    """Centres to try, best first, in display pixels."""
    to_px = ax.transData.transform
    if request.family == "polygon":
        part = _largest_part(request.geometry)
        pole = _anchor(request.geometry, "polygon")
        xmin, ymin, xmax, ymax = part.bounds
        xs, ys = np.meshgrid(np.linspace(xmin, xmax, GRID_STEPS), np.linspace(ymin, ymax, GRID_STEPS))
        grid = shapely.points(xs.ravel(), ys.ravel())
        inside = grid[shapely.contains(part, grid)]
        avoid = request.avoid
        ordered = sorted([pole] + list(inside), key=lambda point: (
            avoid is not None and avoid.contains(point), point.distance(pole)))
        return [tuple(to_px((point.x, point.y))) for point in ordered]
    if request.family == "line":
        line = _longest_line(request.geometry)
        centres = []
        for fraction in LINE_FRACTIONS:
            point = line.interpolate(fraction, normalized=True)
            x, y = to_px((point.x, point.y))
            centres += [(x, y), (x, y + height * 0.75), (x, y - height * 0.75)]
        return centres
    x, y = _anchor_px(ax, request)
    reach = (request.marker_radius_pt + 2 * GAP_PT) * ax.figure.dpi / 72  # clear of its own symbol
    dx, dy = width / 2 + reach, height / 2 + reach
    return [(x + dx, y), (x - dx, y), (x, y + dy), (x, y - dy), (x + dx, y + dy), (x - dx, y + dy),
            (x + dx, y - dy), (x - dx, y - dy)]


def _leader_positions(anchor: tuple[float, float], width: float, height: float) -> list[tuple[float, float]]:
    half_diagonal = math.hypot(width, height) / 2
    return [(anchor[0] + reach * half_diagonal * math.cos(math.radians(angle)),
             anchor[1] + reach * half_diagonal * math.sin(math.radians(angle)))
            for reach in LEADER_REACH for angle in LEADER_ANGLES]


def _largest_part(geometry: BaseGeometry) -> BaseGeometry:
    parts = getattr(geometry, "geoms", [geometry])
    return max(parts, key=lambda part: part.area)


def _longest_line(geometry: BaseGeometry) -> LineString:
    merged = linemerge(geometry) if isinstance(geometry, MultiLineString) else geometry
    parts = getattr(merged, "geoms", [merged])
    return max(parts, key=lambda part: part.length)
