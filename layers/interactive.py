"""The interactive renderer: declarations from the catalogue → a folium map served with local assets.

The base map (tiles, view) and the overlays are built apart: streamlit-folium adds overlays handed to it
as `feature_group_to_add` to the map already on the page, so toggling a layer neither reloads the map
nor loses the view. Each feature ships only what the page needs (its tooltip and style), and every
text is escaped before it reaches the page.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import folium

from geo.gcj02 import shift_frame
from geo.geojson import feature_collection
from layers.assets import make_map
from layers.basemaps import Basemap
from layers.catalog import LayerSpec, feature_color, layer_frame, load_catalog
from layers.raster import raster_overlay

BEIJING_CBD_VIEW = {"location": (39.91, 116.575), "zoom_start": 11}
# The opening view frames the CBD functional zone and the sub-centre whatever the window's width.
HOME_BOUNDS = [[39.83, 116.42], [39.99, 116.77]]
HIGHLIGHT_STYLE = {"color": "#ffd400", "weight": 6, "fillOpacity": 0.15, "fillColor": "#ffd400", "opacity": 1}
STATUS_LABELS = {
    "operating": ("运营", "operating"), "under_construction": ("在建", "under construction"),
    "planned": ("规划", "planned"),
}


def tooltip_text(properties: dict[str, Any], lang: str) -> str:
    """What hovering a feature shows: its name, and its area or status (plain text, escaped later)."""
    name = properties.get("name_zh" if lang == "zh" else "name_en") or properties.get("name_zh") or properties["id"]
    parts = [str(name)]
    area = properties.get("area_km2")
    if isinstance(area, (int, float)) and area == area:
        parts.append(f"{area:.2f} km²")
    status = properties.get("status")
    if status in STATUS_LABELS:
        parts.append(STATUS_LABELS[status][0 if lang == "zh" else 1])
    return " · ".join(parts)


@lru_cache(maxsize=256)
def _layer_geojson(layer_id: str, lang: str, datum: str) -> str:
    """The slim GeoJSON one layer sends to the page (cached: the same for every rerun)."""
    spec = load_catalog().layers[layer_id]
    frame = layer_frame(spec)
    if datum == "gcj02":
        frame = shift_frame(frame)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    slim = frame[[frame.geometry.name]].copy()
    slim["fid"] = frame["id"].astype(str)
    slim["tip"] = [html.escape(tooltip_text(record, lang)) for record in records]
    slim["stroke"] = [feature_color(spec, record) for record in records]
    return json.dumps(feature_collection(slim), ensure_ascii=False, separators=(",", ":"))


def _style(spec: LayerSpec):
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "color": feature["properties"]["stroke"], "weight": spec.weight, "opacity": 0.95,
            "fillColor": spec.fill_color or feature["properties"]["stroke"],
            "fillOpacity": spec.fill_opacity if spec.kind != "line" else 0,
            "dashArray": spec.dash,
        }
    return style


@lru_cache(maxsize=16)
def _layer_raster(layer_id: str, datum: str) -> tuple[str, list[list[float]]]:
    spec = load_catalog().layers[layer_id]
    frame = layer_frame(spec)
    if datum == "gcj02":
        frame = shift_frame(frame)
    return raster_overlay(frame, spec.color, spec.fill_color, spec.fill_opacity)


@lru_cache(maxsize=64)
def _feature_count(layer_id: str) -> int:
    return len(layer_frame(load_catalog().layers[layer_id]))


@dataclass
class Overlays:
    """The overlay groups of one render and the tooltip text → (layer, feature) index for clicks."""

    groups: list[folium.FeatureGroup]
    by_tooltip: dict[str, tuple[str, str]]


def build_overlays(layer_ids: list[str], lang: str, basemap: Basemap, highlight: tuple[str, ...] = ()) -> Overlays:
    """Feature groups for the chosen layers in drawing order, plus a highlight group for picked places."""
    catalog = load_catalog()
    groups, by_tooltip = [], {}
    for spec in catalog.resolve(layer_ids):
        group = folium.FeatureGroup(name=spec.title(lang))
        if _feature_count(spec.id) > spec.vector_limit:
            image, bounds = _layer_raster(spec.id, basemap.datum)
            folium.raster_layers.ImageOverlay(image, bounds=bounds, mercator_project=False, zindex=2).add_to(group)
            groups.append(group)
            continue
        collection = json.loads(_layer_geojson(spec.id, lang, basemap.datum))
        folium.GeoJson(
            collection, name=spec.title(lang), style_function=_style(spec),
            marker=folium.CircleMarker(radius=spec.radius, fill=True),
            highlight_function=lambda _feature: {"weight": 5, "fillOpacity": 0.35},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
            smooth_factor=1.0,
        ).add_to(group)
        groups.append(group)
        for feature in collection["features"]:
            by_tooltip.setdefault(html.unescape(feature["properties"]["tip"]), (spec.id, feature["properties"]["fid"]))
    if highlight:
        groups.append(_highlight_group(highlight, lang, basemap))
    return Overlays(groups, by_tooltip)


def _highlight_group(place_ids: tuple[str, ...], lang: str, basemap: Basemap) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="highlight")
    for layer_id in load_catalog().layers:
        collection = json.loads(_layer_geojson(layer_id, lang, basemap.datum))
        picked = [f for f in collection["features"] if f["properties"]["fid"] in place_ids]
        if picked:
            folium.GeoJson({"type": "FeatureCollection", "features": picked},
                           style_function=lambda _feature: HIGHLIGHT_STYLE,
                           marker=folium.CircleMarker(radius=9, fill=True)).add_to(group)
    return group


def base_map(basemap: Basemap) -> folium.Map:
    """The map frame: view, scale bar, and tiles only if the user chose an online basemap."""
    fmap = make_map(location=BEIJING_CBD_VIEW["location"], zoom_start=BEIJING_CBD_VIEW["zoom_start"],
                    control_scale=True, tiles=None, attribution_control=True)
    fmap.fit_bounds(HOME_BOUNDS)
    if not basemap.offline:
        folium.TileLayer(basemap.url, attr=basemap.attribution, name=basemap.title_en, subdomains=basemap.subdomains,
                         max_zoom=basemap.max_zoom).add_to(fmap)
        if basemap.overlay_url:
            folium.TileLayer(basemap.overlay_url, attr=basemap.attribution, name="labels", overlay=True,
                             subdomains=basemap.subdomains, max_zoom=basemap.max_zoom).add_to(fmap)
    return fmap


def bounds_of(place_ids: list[str]) -> list[list[float]] | None:
    """South-west and north-east corners around the given places (for zooming to a task's places)."""
    boxes = []
    for spec in load_catalog().layers.values():
        frame = layer_frame(spec)
        hit = frame[frame["id"].isin(place_ids)]
        if not hit.empty:
            boxes.append(hit.total_bounds)
    if not boxes:
        return None
    minx, miny = min(b[0] for b in boxes), min(b[1] for b in boxes)
    maxx, maxy = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return [[miny, minx], [maxy, maxx]]


def legend_svg(spec: LayerSpec) -> str:
    """A small swatch drawn from the declaration, for the sidebar legend."""
    dash = f' stroke-dasharray="{html.escape(spec.dash)}"' if spec.dash else ""
    if spec.kind == "line":
        shape = f'<line x1="2" y1="8" x2="26" y2="8" stroke="{spec.color}" stroke-width="{min(spec.weight, 4)}"{dash}/>'
    elif spec.kind == "point":
        shape = (f'<circle cx="14" cy="8" r="{min(spec.radius, 6)}" fill="{spec.fill_color or spec.color}" '
                 f'stroke="{spec.color}" stroke-width="1.5"/>')
    else:
        shape = (f'<rect x="3" y="2" width="22" height="12" fill="{spec.fill_color or spec.color}" '
                 f'fill-opacity="{max(spec.fill_opacity, 0.25)}" stroke="{spec.color}" stroke-width="2"{dash}/>')
    return f'<svg width="28" height="16" viewBox="0 0 28 16" xmlns="http://www.w3.org/2000/svg">{shape}</svg>'
