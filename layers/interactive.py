"""The interactive renderer: declarations from the catalogue → a folium map served with local assets.

The base map (tiles, view) and the overlays are built apart: streamlit-folium adds overlays handed to it
as `feature_group_to_add` to the map already on the page, so toggling a layer neither reloads the map
nor loses the view. Each feature ships only what the page needs (its tooltip and style), and every
text is escaped before it reaches the page. Served through server.py, a layer's data goes out once, at a
content-addressed URL (layers/serving.py); the overlay script a toggle re-sends names that URL.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import lru_cache
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.gcj02 import shift_frame
from geo.geojson import feature_collection
from layers import serving
from layers.assets import STATIC_DIR, make_map, static_url_prefix, vendor_url
from layers.basemaps import Basemap
from layers import literal_templates
from layers.catalog import CASING_WIDTH, LayerSpec, feature_color, layer_frame, load_catalog
from layers.raster import raster_overlay

literal_templates.install()
BEIJING_CBD_VIEW = {"location": (39.91, 116.575), "zoom_start": 11}
# The opening view frames the CBD functional zone and the sub-centre whatever the window's width.
HOME_BOUNDS = [[39.83, 116.42], [39.99, 116.77]]
CLICK_ID_MARK = "\u241f"  # before the "layer/fid" a clicked shape's tooltip carries (static/planmap/layers.js)
CLEAR_MARK = "planmap:clear:"  # what static/planmap/layers.js reports as the clicked tooltip to clear the selection
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


def label_text(properties: dict[str, Any], lang: str) -> str:
    """The name drawn on the map: the chosen language's, else the Chinese one (plain text, escaped later)."""
    name = properties.get("name_zh" if lang == "zh" else "name_en") or properties.get("name_zh") or ""
    return str(name) if name == name else ""


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
    slim["label"] = [html.escape(label_text(record, lang)) for record in records]
    # Areas are labelled at a point inside them (a centroid can fall outside a ring or a bay).
    anchors = frame.geometry.representative_point()
    polygonal = frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    slim["lx"] = [round(a.x, 6) if keep else None for a, keep in zip(anchors, polygonal)]
    slim["ly"] = [round(a.y, 6) if keep else None for a, keep in zip(anchors, polygonal)]
    return json.dumps(feature_collection(slim), ensure_ascii=False, separators=(",", ":"))


def _inline(text: str) -> str:
    """JSON text made inert inside a saved page's <script> and to the Jinja pass folium makes over rendered
    scripts ("{{", "{%" and "{#" can only occur inside JSON strings, where the escape keeps the same text)."""
    for raw, escaped in (("</", "<\\/"), ("{{", "{\\u007b"), ("{%", "\\u007b%"), ("{#", "\\u007b#")):
        text = text.replace(raw, escaped)
    return text


@lru_cache(maxsize=512)
def _layer_source(layer_id: str, lang: str, datum: str, served: bool, inline: bool = False) -> str:
    """A JS expression for the layer's data: its URL when the server publishes it, else the data inline.

    `inline` with `served`: the data goes with the page and is kept under its URL (`planmap.keep`), so the
    map's first render needs no request per layer and later renders, which name only the URL, none either.
    """
    text = _layer_geojson(layer_id, lang, datum)
    if not served:
        return _inline(text)
    url = json.dumps(serving.publish(text.encode("utf-8"), "geojson"))
    return f"planmap.keep({url}, {_inline(text)})" if inline else url


@lru_cache(maxsize=256)
def _tooltip_index(layer_id: str, lang: str, datum: str) -> tuple[tuple[str, str], ...]:
    """(tooltip text as a click reports it, feature id) for every feature of a layer."""
    features = json.loads(_layer_geojson(layer_id, lang, datum))["features"]
    return tuple((html.unescape(f["properties"]["tip"]), f["properties"]["fid"]) for f in features)


@lru_cache(maxsize=16)
def _layer_raster(layer_id: str, datum: str, served: bool) -> tuple[str, list[list[float]]]:
    """The image of a big layer (its URL when served, else a data URI) and its bounds."""
    spec = load_catalog().layers[layer_id]
    frame = layer_frame(spec)
    if datum == "gcj02":
        frame = shift_frame(frame)
    png, bounds = raster_overlay(frame, spec.color, spec.fill_color, spec.fill_opacity)
    image = serving.publish(png, "png") if served else "data:image/png;base64," + base64.b64encode(png).decode()
    return image, bounds


@lru_cache(maxsize=64)
def _feature_count(layer_id: str) -> int:
    return len(layer_frame(load_catalog().layers[layer_id]))


OVERLAY_SCRIPTS = ("layers.js", "tools.js")  # static/planmap/: how the map draws layers, and its tools


@lru_cache(maxsize=1)
def overlay_scripts() -> list[tuple[str, str]]:
    """Plan Map's own map code as (name, URL): files, so that a map message does not carry them (43 kB in each,
    the first map's and every toggle's), named by their content, so that a browser never runs an old copy.
    The map's frame asks for them beside Leaflet (ui/asgi.py MapFramePreload)."""
    scripts = []
    for name in OVERLAY_SCRIPTS:
        digest = hashlib.blake2b((STATIC_DIR / "planmap" / name).read_bytes(), digest_size=6).hexdigest()
        scripts.append((f"planmap_{name}", f"{static_url_prefix()}planmap/{name}?v={digest}"))
    return scripts


class MapWatch(MacroElement):
    """Wires the map's own behaviour once it exists: a click on no feature or Esc clears the selection, and
    online tiles that fail to load say so on the map (static/planmap/layers.js)."""

    _template = Template("{% macro script(this, kwargs) %}"
                         "planmap.watchMap({{ this._parent.get_name() }});\n"
                         "planmap.watchTiles({{ this._parent.get_name() }});\n"
                         "planmapTools.init({{ this._parent.get_name() }}, {{ this.options|tojson }});\n"
                         "{% endmacro %}")

    def __init__(self, datum: str, opacity: dict[str, int] | None = None) -> None:
        super().__init__()
        self._name = "MapWatch"
        self.options = {"home": HOME_BOUNDS, "datum": datum, "opacity": opacity or {}}


class OverlayGroup(folium.FeatureGroup):
    """Every chosen layer in one feature group, each drawn by static/planmap/layers.js in declared order.

    One element whatever the number of layers: streamlit-folium renders each element it is handed through
    Jinja on every rerun, so one small script instead of a group per layer keeps a toggle's rerun short.
    A layer's data is a URL when the server publishes it (the browser fetches it once), else inline.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.featureGroup({});\n"
        "{% for call, source, options in this.layers %}"
        "planmap.{{ call }}({{ this.get_name() }}, {{ source }}, {{ options|tojson }});\n"
        "{% endfor %}"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__(name="Plan Map")
        self.layers: list[tuple[str, str, dict[str, Any]]] = []

    def add_layer(self, source: str, options: dict[str, Any]) -> None:
        """Vector features: `source` is a JS expression (a quoted URL or the feature collection)."""
        self.layers.append(("addGeoJson", source, options))

    def add_vector_tiles(self, url_template: str, options: dict[str, Any]) -> None:
        """A big layer as vector tiles from the app's route (layers/tiles.py), its image below options' minZoom."""
        self.layers.append(("addVectorTiles", json.dumps(url_template), options))

    def add_image(self, url: str, bounds: list[list[float]]) -> None:
        """A big layer drawn server-side: its PNG's URL (or data URI) placed on [[south, west], [north, east]]."""
        self.layers.append(("addImage", json.dumps(url), {"bounds": bounds}))


# Map labels: streets from zoom 12, stations and task places from 14, areas and lines at every zoom. Where
# labels collide the more important one stays: planning areas, stations, rail lines, task places, context.
LABEL_MIN_ZOOM = {"cbd_streets": 12, "rail_stations": 14, "task_places": 14}
LABEL_RANK = {"planning": 0, "rail": 1, "tasks": 2, "context": 3}


def _label_options(spec: LayerSpec) -> dict[str, Any]:
    # Stations come right after the planning areas: a small point's name has one place, a line's many.
    rank = 6 if spec.kind == "point" and spec.group == "rail" else \
        LABEL_RANK.get(spec.group, 4) * 10 + (5 if spec.id in LABEL_MIN_ZOOM else 0)
    return {"minZoom": LABEL_MIN_ZOOM.get(spec.id, 0), "rank": rank,
            "color": "#333333" if spec.kind in ("polygon", "mixed") else spec.color}


def _layer_options(spec: LayerSpec, tiles: bool = False) -> dict[str, Any]:
    """How a layer is drawn. Over online tiles the context layers keep their outlines but drop their fills:
    the district fill is opaque (it is the offline basemap) and would hide the tiles. A cased layer's casing
    (colour, weight) is drawn under its lines by static/planmap/layers.js."""
    context = spec.group == "context"
    fill_opacity = 0 if spec.kind == "line" or (context and tiles) else spec.fill_opacity
    return {
        "style": {"weight": spec.weight, "opacity": 0.95, "fillColor": spec.fill_color,
                  "fillOpacity": fill_opacity, "dashArray": spec.dash},
        "hover": {"weight": 5, "fillOpacity": 0.35}, "radius": spec.radius, "tooltip": True, "layer": spec.id,
        "label": _label_options(spec),
        **({"pane": "planmapContext"} if context else {}),
        **({"casing": {"color": spec.casing, "weight": spec.casing_weight}} if spec.casing else {}),
    }


def feature_by_tooltip(text: str, layer_ids: list[str], lang: str, datum: str) -> tuple[str, str] | None:
    """The (layer, feature id) of the drawn feature whose tooltip a map click reported, if any.

    streamlit-folium reports the tooltip of the topmost shape under the pointer: what the user clicked,
    which a point-in-polygon search would not tell apart from the areas beneath it. The tooltip ends in
    the shape's "layer/fid" (static/planmap/layers.js) because names repeat (光华路 the station and the
    street); a tooltip without it is matched by its text.
    """
    shown, _mark, identity = text.partition(CLICK_ID_MARK)
    drawn = load_catalog().resolve(layer_ids)
    if identity:
        layer_id, _slash, fid = identity.strip().partition("/")
        if any(spec.id == layer_id for spec in drawn) and \
                any(known == fid for _tip, known in _tooltip_index(layer_id, lang, datum)):
            return layer_id, fid
    for spec in drawn:
        if _feature_count(spec.id) <= spec.vector_limit:
            for tip, fid in _tooltip_index(spec.id, lang, datum):
                if tip == shown.strip():
                    return spec.id, fid
    return None


def build_overlays(layer_ids: list[str], lang: str, basemap: Basemap, highlight: tuple[str, ...] = (),
                   first: bool = False) -> OverlayGroup:
    """The chosen layers in drawing order, then the picked places highlighted; big layers as one image each.

    `first`: the page's first map, which carries its layers' data as well as their URLs (see _layer_source).
    """
    served = serving.is_mounted()
    group = OverlayGroup()
    for spec in load_catalog().resolve(layer_ids):
        if _feature_count(spec.id) > spec.vector_limit:
            group.add_image(*_layer_raster(spec.id, basemap.datum, served))
        else:
            group.add_layer(_layer_source(spec.id, lang, basemap.datum, served, first),
                            {**_layer_options(spec, tiles=not basemap.offline), "title": spec.title(lang)})
    # The outline never takes the mouse: what lies inside the selection stays hoverable and clickable.
    highlight_options = {"style": HIGHLIGHT_STYLE, "radius": 9, "tooltip": False, "interactive": False}
    # Places are highlighted from vector layers only: a big layer's features are not sent one by one.
    for spec in load_catalog().layers.values() if highlight else ():
        if _feature_count(spec.id) > spec.vector_limit:
            continue
        picked = sorted({fid for _tip, fid in _tooltip_index(spec.id, lang, basemap.datum) if fid in highlight})
        if picked:
            group.add_layer(_layer_source(spec.id, lang, basemap.datum, served), {**highlight_options, "only": picked})
    return group


def base_map(basemap: Basemap, view: tuple[float, float, int] | None = None,
             opacity: dict[str, int] | None = None) -> folium.Map:
    """The map frame: view (the given centre and zoom, else the home extent), each layer's starting opacity
    (percent by layer id; the map's sliders change it in place), scale bar, and tiles only if the user chose an
    online basemap."""
    location, zoom = (view[:2], view[2]) if view else (BEIJING_CBD_VIEW["location"], BEIJING_CBD_VIEW["zoom_start"])
    fmap = make_map(location=location, zoom_start=zoom, control_scale=True, tiles=None, attribution_control=True)
    # Leaflet only (folium's popups need jQuery, Plan Map's overlays do not), its fullscreen control and Plan Map's
    # own scripts, each a file the frame's page asks for up front (ui/asgi.py MapFramePreload).
    fmap.default_js = [("leaflet", vendor_url("leaflet/leaflet.js")),
                       ("fullscreen", vendor_url("leaflet.fullscreen/Control.FullScreen.umd.js")), *overlay_scripts()]
    fmap.default_css = [*fmap.default_css, ("fullscreen_css", vendor_url("leaflet.fullscreen/Control.FullScreen.css"))]
    if not view:
        fmap.fit_bounds(HOME_BOUNDS)
    if not basemap.offline:
        folium.TileLayer(basemap.url, attr=basemap.attribution, name=basemap.title_en, subdomains=basemap.subdomains,
                         max_zoom=basemap.max_zoom).add_to(fmap)
        if basemap.overlay_url:
            folium.TileLayer(basemap.overlay_url, attr=basemap.attribution, name="labels", overlay=True,
                             subdomains=basemap.subdomains, max_zoom=basemap.max_zoom).add_to(fmap)
    fmap.add_child(MapWatch(basemap.datum, opacity))
    return fmap


def bounds_of(place_ids: list[str]) -> list[list[float]] | None:
    """South-west and north-east corners around the given places (for zooming to a task's places)."""
    bounds = _bounds(tuple(sorted(set(place_ids))))
    return [list(corner) for corner in bounds] if bounds else None


@lru_cache(maxsize=1024)
def _bounds(place_ids: tuple[str, ...]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """bounds_of, once per set of places (it filters every layer: ~0.1 s, on the run that picks a task)."""
    boxes = []
    for spec in load_catalog().layers.values():
        frame = layer_frame(spec)
        hit = frame[frame["id"].isin(list(place_ids))]
        if not hit.empty:
            boxes.append(hit.total_bounds)
    if not boxes:
        return None
    minx, miny = min(b[0] for b in boxes), min(b[1] for b in boxes)
    maxx, maxy = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (float(miny), float(minx)), (float(maxy), float(maxx))


LEGEND_COLORS = 4  # at most this many of a layer's feature colours in its swatch


@lru_cache(maxsize=64)
def _drawn_colors(layer_id: str) -> tuple[str, ...]:
    """The stroke colours a layer's features are drawn in, most frequent first (the layer's own colour when
    it has no per-feature colour)."""
    spec = load_catalog().layers[layer_id]
    if not spec.color_field:
        return (spec.color,)
    records = layer_frame(spec).drop(columns="geometry").to_dict("records")
    counts: dict[str, int] = {}
    for record in records:
        color = feature_color(spec, record)
        counts[color] = counts.get(color, 0) + 1
    return tuple(sorted(counts, key=lambda color: -counts[color])[:LEGEND_COLORS])


def legend_svg(spec: LayerSpec) -> str:
    """A small swatch drawn from the declaration, for the sidebar legend (a cased line on its casing)."""
    dash = f' stroke-dasharray="{html.escape(spec.dash)}"' if spec.dash else ""
    width = min(spec.weight, 4)
    if spec.kind == "line":
        # A layer coloured per feature (each rail line its official colour) shows those colours side by side.
        colors = _drawn_colors(spec.id)
        colors = colors if len(colors) > 1 else (spec.color,)
        step = 24 / len(colors)
        strokes = ([(spec.casing, width + CASING_WIDTH)] if spec.casing else []) + [(None, width)]
        shape = "".join(f'<line x1="{2 + i * step:.1f}" y1="8" x2="{2 + (i + 1) * step:.1f}" y2="8" '
                        f'stroke="{stroke or color}" stroke-width="{stroke_width}"{dash}/>'
                        for stroke, stroke_width in strokes for i, color in enumerate(colors))
    elif spec.kind == "point":
        shape = (f'<circle cx="14" cy="8" r="{min(spec.radius, 6)}" fill="{spec.fill_color or spec.color}" '
                 f'stroke="{spec.color}" stroke-width="1.5"/>')
    else:
        shape = (f'<rect x="3" y="2" width="22" height="12" fill="{spec.fill_color or spec.color}" '
                 f'fill-opacity="{max(spec.fill_opacity, 0.25)}" stroke="{spec.color}" stroke-width="2"{dash}/>')
    return f'<svg width="28" height="16" viewBox="0 0 28 16" xmlns="http://www.w3.org/2000/svg">{shape}</svg>'


def legend_css(specs: list[LayerSpec]) -> str:
    """Each layer checkbox's swatch as CSS drawn before its label: not part of the label's text, so a screen
    reader reads the layer's name only (a Markdown image in the label was read out as its data URI)."""
    rules = []
    for spec in specs:
        data = base64.b64encode(legend_svg(spec).encode()).decode()
        rules.append(f'.st-key-layer_{spec.id} label [data-testid="stMarkdownContainer"] p::before '
                     f'{{ content: ""; display: inline-block; width: 28px; height: 16px; margin-right: 4px; '
                     f'vertical-align: -3px; background: url("data:image/svg+xml;base64,{data}") no-repeat; }}')
    return "<style>\n" + "\n".join(rules) + "\n</style>"
