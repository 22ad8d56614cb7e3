"""The map's drawing toolbar (Leaflet.draw, vendored): a planner draws a site to run the site check on it.

folium's Draw plugin, loading Leaflet.draw from static/vendor instead of a CDN, with polygon, rectangle,
line and point tools (a circle is not a site). streamlit-folium reports the drawn shapes as the map's
`all_drawings`. The toolbar's words are set once in both languages, so the map frame does not change
(and is not rebuilt) when the page's language does.
"""
from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from folium.plugins import Draw
from jinja2 import Template

from layers.assets import vendor_url

SHAPE_STYLE = {"color": "#d62728", "weight": 3, "fillOpacity": 0.15}
DRAW_OPTIONS = {"polygon": {"shapeOptions": SHAPE_STYLE, "showArea": False},
                "rectangle": {"shapeOptions": SHAPE_STYLE, "showArea": False},
                "polyline": {"shapeOptions": SHAPE_STYLE}, "marker": True, "circle": False, "circlemarker": False}
# Leaflet.draw's L.drawLocal, the words a planner meets while drawing, in Chinese and English.
WORDS = {
    "draw": {
        "toolbar": {
            "actions": {"title": "取消绘制 / Cancel drawing", "text": "取消 Cancel"},
            "finish": {"title": "完成绘制 / Finish drawing", "text": "完成 Finish"},
            "undo": {"title": "删除最后一点 / Delete the last point", "text": "删点 Undo"},
            "buttons": {"polyline": "画线（审查）/ Draw a line (site check)",
                        "polygon": "画范围（审查）/ Draw a site (site check)",
                        "rectangle": "画矩形（审查）/ Draw a rectangle (site check)",
                        "marker": "放点（审查）/ Place a point (site check)"},
        },
        "handlers": {
            "polygon": {"tooltip": {"start": "点击开始绘制范围 / Click to start the site",
                                    "cont": "点击继续 / Click to continue",
                                    "end": "点击第一点结束 / Click the first point to finish"}},
            "polyline": {"tooltip": {"start": "点击开始画线 / Click to start the line",
                                     "cont": "点击继续 / Click to continue",
                                     "end": "点击最后一点结束 / Click the last point to finish"}},
            "rectangle": {"tooltip": {"start": "按住并拖动 / Press and drag"}},
            "marker": {"tooltip": {"start": "点击放点 / Click to place the point"}},
            "simpleshape": {"tooltip": {"end": "松开鼠标结束 / Release to finish"}},
        },
    },
}


class DrawSetup(MacroElement):
    """Leaflet.draw's words, set before its toolbar is made (deep-merged: the words not given stay); and, while a
    shape is being drawn, the map's hover labels hidden: a label under the pointer would take the click meant
    for the next corner."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function merge(target, source) {
            for (var key in source) {
                if (typeof source[key] === "object") { merge(target[key] = target[key] || {}, source[key]); }
                else { target[key] = source[key]; }
            }
        })(L.drawLocal, {{ this.words }});
        (function (map) {
            var style = document.createElement("style");
            style.textContent = ".planmap-drawing .leaflet-tooltip-pane { display: none; }";
            document.head.appendChild(style);
            map.on("draw:drawstart", function () { map.getContainer().classList.add("planmap-drawing"); });
            map.on("draw:drawstop", function () { map.getContainer().classList.remove("planmap-drawing"); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "DrawSetup"
        self.words = json.dumps(WORDS, ensure_ascii=False)


class DrawTools(Draw):
    """folium's Draw with Leaflet.draw from static/vendor."""

    def __init__(self) -> None:
        super().__init__(position="topleft", show_geometry_on_click=False, draw_options=DRAW_OPTIONS,
                         edit_options={"edit": False})
        self.default_js = [("leaflet_draw_js", vendor_url("leaflet.draw/leaflet.draw.js"))]
        self.default_css = [("leaflet_draw_css", vendor_url("leaflet.draw/leaflet.draw.css"))]


def add_draw_tools(fmap: folium.Map) -> folium.Map:
    """The drawing toolbar on the map frame (a control belongs to the map, not to its overlay group)."""
    fmap.add_child(DrawSetup())
    fmap.add_child(DrawTools())
    return fmap
