"""Colour contrast of what is drawn against the offline basemap (WCAG 2.x, non-text contrast: at least 3:1).

The offline basemap is the context layers themselves: inside Beijing the district fill declared in
catalog.toml, beyond it — and everywhere once the planner switches the districts off — the bare map (Leaflet's
container on screen, static_map.LAND on report maps). A layer is checked against the district fill only if it
lies in Beijing, and against the bare map always.

A cased line (catalog.toml `casing`: a darker outline drawn under it) stands out by the better of two ways:
its own colour against the ground, or its casing against the ground and its colour against the casing. So an
official line colour too pale for the map (7号线 #FFC56E) passes on its casing, and a dark one (1号线) on its
own; the casing itself, drawn on the map, is checked against every ground like any declared colour.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shapely.ops import unary_union

from layers.catalog import LayerSpec, feature_color, layer_frame, load_catalog

MIN_RATIO = 3.0  # WCAG 2.1 success criterion 1.4.11, graphical objects
# The bare map on screen (beyond Beijing, or with the districts off): Leaflet's container (static/vendor/leaflet).
SCREEN_BARE_MAP = "#dddddd"
BASEMAP_GROUP = "context"  # these layers are the offline basemap, not drawn over it
DISTRICTS = "context_districts"


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def luminance(color: str) -> float:
    """WCAG relative luminance of an #rrggbb colour."""
    red, green, blue = (_linear(channel) for channel in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over(color: str, opacity: float, ground: str) -> str:
    """The colour seen when `color` is drawn at `opacity` over `ground`."""
    mixed = (round(opacity * top + (1 - opacity) * below) for top, below in zip(_rgb(color), _rgb(ground)))
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def line_contrast(color: str, opacity: float, ground: str, casing: str | None = None) -> float:
    """How well a line drawn at `opacity` stands out from `ground`: its colour against the ground, or (cased)
    the better of that and the weaker of casing–ground and colour–casing."""
    direct = contrast_ratio(over(color, opacity, ground), ground)
    if casing is None:
        return direct
    casing_seen = over(casing, opacity, ground)
    on_casing = contrast_ratio(over(color, opacity, casing_seen), casing_seen)
    return max(direct, min(contrast_ratio(casing_seen, ground), on_casing))


@dataclass(frozen=True)
class Shortfall:
    layer_id: str
    color: str
    ground: str
    ratio: float

    def __str__(self) -> str:
        return f"{self.layer_id}: {self.color} on {self.ground} is {self.ratio:.2f}:1 (needs {MIN_RATIO:g}:1)"


@lru_cache(maxsize=1)
def _beijing():
    return unary_union(layer_frame(load_catalog().layers[DISTRICTS]).geometry.to_list())


def grounds(spec: LayerSpec, bare_map: tuple[str, ...]) -> list[str]:
    """The basemap colours the layer's features can lie on: the district fill if they are in Beijing, and the
    bare map (beyond Beijing, or anywhere with the district layer off)."""
    districts = load_catalog().layers[DISTRICTS]
    geometry = unary_union(layer_frame(spec).geometry.to_list())
    return ([districts.fill_color or districts.color] if geometry.intersects(_beijing()) else []) + list(bare_map)


def stroke_colors(spec: LayerSpec, per_feature: bool) -> list[str]:
    """The layer's declared stroke colour, or (per_feature) every colour its features are drawn in."""
    if not per_feature or not spec.color_field:
        return [spec.color]
    records = layer_frame(spec).drop(columns="geometry").to_dict("records")
    return sorted({feature_color(spec, record) for record in records})


def shortfalls(opacity: float, bare_map: tuple[str, ...], per_feature: bool = False) -> list[Shortfall]:
    """Every drawn (non-basemap) layer colour below MIN_RATIO against a ground it is drawn on (a cased line's
    colour counted with its casing, see line_contrast), and every casing below it."""
    found = []
    for spec in load_catalog().layers.values():
        if spec.group == BASEMAP_GROUP or spec.external:
            continue
        for ground in grounds(spec, bare_map):
            if spec.casing:
                ratio = line_contrast(spec.casing, opacity, ground)
                if ratio < MIN_RATIO:
                    found.append(Shortfall(f"{spec.id} casing", spec.casing, ground, ratio))
            for color in stroke_colors(spec, per_feature):
                ratio = line_contrast(color, opacity, ground, spec.casing)
                if ratio < MIN_RATIO:
                    found.append(Shortfall(spec.id, color, ground, ratio))
    return found
