"""Serve folium's JS/CSS from the app itself so the map works with no network.

folium points every map at public CDNs (jsDelivr, the jQuery CDN, cdnjs, ...). Plan
Map has to run offline, so:

* :func:`make_map` / :func:`use_local_assets` swap a map's ``default_js`` /
  ``default_css`` for the copies vendored in ``static/vendor/`` (see its
  README), which Streamlit serves at ``/app/static/...`` when
  ``server.enableStaticServing`` is on (``.streamlit/config.toml``).
* :func:`standalone_html` renders a map as one self-contained HTML file with
  those assets inlined, for downloads that must open without a server.
* :func:`offline_problems` lists whatever in a map would still reach another
  host (plugin CDN links, remote tile layers, ``folium.Icon``), for tests.

Only Leaflet and jQuery are vendored: that is all GeoJson, tooltips, popups,
LayerControl and CircleMarker need (folium's ``Popup`` builds its content with
``$(...)``, hence jQuery). Bootstrap, awesome-markers and Font Awesome are
dropped; ``folium.Icon`` needs them, so it is reported as a problem.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

import branca
import branca.colormap
import branca.element
import folium
import jinja2

__all__ = [
    "VENDOR_DIR",
    "JS_ASSETS",
    "CSS_ASSETS",
    "static_url_prefix",
    "vendor_url",
    "LeafletIconPath",
    "use_local_assets",
    "make_map",
    "offline_problems",
    "standalone_html",
]

#: The app's static folder: Streamlit serves the ``static/`` folder that sits
#: next to the main script, so app.py must live in the repository root.
STATIC_DIR: Path = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR: Path = STATIC_DIR / "vendor"

#: (name, path under static/vendor). Names match folium's own so that an
#: element rendered later under the same name replaces, not duplicates, it.
JS_ASSETS: tuple[tuple[str, str], ...] = (
    ("leaflet", "leaflet/leaflet.js"),
    ("jquery", "jquery/jquery.min.js"),
)
CSS_ASSETS: tuple[tuple[str, str], ...] = (("leaflet_css", "leaflet/leaflet.css"),)

# Where Streamlit serves ./static (streamlit.url_util.STATIC_SERVING_ENDPOINT).
_STATIC_ENDPOINT = "/app/static/"


def static_url_prefix() -> str:
    """URL path under which ``static/`` is served, e.g. ``/app/static/``.

    Absolute (leading ``/``) on purpose: streamlit-folium's component runs in
    an iframe at ``/component/streamlit_folium.st_folium/index.html`` and
    appends our URLs as ``<script src>`` / ``<link href>`` there, so a
    relative path would resolve under the component's folder. Honours
    ``server.baseUrlPath`` when the app runs behind a path prefix.
    """
    base = ""
    try:  # Not fatal outside Streamlit (e.g. a plain script exporting HTML).
        from streamlit import config as st_config

        base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # pragma: no cover - streamlit missing or not configured
        base = ""
    return f"/{base}{_STATIC_ENDPOINT}" if base else _STATIC_ENDPOINT


def vendor_url(relpath: str, prefix: str | None = None) -> str:
    """URL of one vendored file, ``relpath`` being relative to static/vendor."""
    return f"{prefix if prefix is not None else static_url_prefix()}vendor/{relpath}"


class LeafletIconPath(branca.element.MacroElement):
    """Sets ``L.Icon.Default.imagePath`` before any marker is created.

    Leaflet 1.9.3 guesses its marker-image folder from leaflet.css. Inside
    streamlit-folium's iframe the CSS ``<link>`` is appended after the scripts
    and may not be applied yet when the map script runs; Leaflet then falls
    back to a path built from the link's URL that drops a ``/``
    (``.../vendor/leafletmarker-icon.png``). Stating the path avoids the race.
    ``icon_urls`` (data URIs) is used by the standalone export.
    """

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            {%- if this.icon_urls %}
            L.Icon.Default.mergeOptions({{ this.icon_urls|tojson }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, image_path: str, icon_urls: dict[str, str] | None = None):
        super().__init__()
        self._name = "LeafletIconPath"
        self.image_path = image_path
        self.icon_urls = icon_urls or {}


def _icon_path_element(m: folium.Map) -> LeafletIconPath | None:
    for child in m._children.values():
        if isinstance(child, LeafletIconPath):
            return child
    return None


def asset_links(m: folium.Map) -> tuple[list[str], list[str]]:
    """(scripts, stylesheets) the map's frame will load, in order, once each: every element's ``default_js`` /
    ``default_css``, as streamlit-folium collects them."""
    scripts: list[str] = []
    sheets: list[str] = []

    def visit(element: branca.element.Element) -> None:
        scripts.extend(src for _name, src in getattr(element, "default_js", []))
        sheets.extend(href for _name, href in getattr(element, "default_css", []))
        for child in element._children.values():
            visit(child)

    visit(m)
    return list(dict.fromkeys(scripts)), list(dict.fromkeys(sheets))


def use_local_assets(m: folium.Map, prefix: str | None = None) -> folium.Map:
    """Point ``m``'s JS/CSS at the vendored copies; returns ``m``.

    Sets *instance* attributes, so folium's class-level CDN lists (shared by
    every map in the process) stay untouched. Call before the map is rendered
    (``st_folium`` renders it). streamlit-folium strips the ``<script src>`` /
    ``<link>`` tags from the rendered header and instead reads
    ``default_js`` / ``default_css`` of every element, which is why patching
    these attributes is what counts. Also adds a :class:`LeafletIconPath` as
    the map's first child so it runs before any marker's script.
    """
    m.default_js = [(name, vendor_url(rel, prefix)) for name, rel in JS_ASSETS]
    m.default_css = [(name, vendor_url(rel, prefix)) for name, rel in CSS_ASSETS]
    image_path = vendor_url("leaflet/images/", prefix)
    element = _icon_path_element(m)
    if element is None:
        element = LeafletIconPath(image_path)
        m.add_child(element)
    else:
        element.image_path, element.icon_urls = image_path, {}
    m._children.move_to_end(element.get_name(), last=False)
    return m


def make_map(prefix: str | None = None, **kwargs: object) -> folium.Map:
    """A ``folium.Map`` wired to the vendored assets.

    ``tiles`` defaults to ``None``: any web tile layer is a request to another
    host (OpenStreetMap by default), which fails offline. Pass ``tiles=``
    explicitly to opt in to a basemap.
    """
    kwargs.setdefault("tiles", None)
    return use_local_assets(folium.Map(**kwargs), prefix)  # type: ignore[arg-type]


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def offline_problems(m: folium.Map) -> list[str]:
    """Human-readable reasons why ``m`` would still touch the network.

    Empty list means: nothing but the vendored assets. Meant for tests
    (``assert not offline_problems(m)``), so a new plugin or layer that pulls
    from a CDN is caught before it ships.
    """
    problems: list[str] = []
    for el in _walk(m):
        for attr in ("default_js", "default_css"):
            for name, url in getattr(el, attr, []) or []:
                if _is_remote(url):
                    problems.append(f"{type(el).__name__} loads {name} from {url}")
        if isinstance(el, folium.TileLayer) and _is_remote(str(el.tiles)):
            problems.append(f"TileLayer fetches tiles from {el.tiles}")
        if isinstance(el, folium.GeoJson) and not el.embed and _is_remote(
            str(el.embed_link)
        ):
            problems.append(f"GeoJson fetches its data from {el.embed_link}")
        if isinstance(el, folium.Icon):
            problems.append(
                "folium.Icon needs awesome-markers/Font Awesome, which are not "
                "vendored; use CircleMarker or folium.Marker's default icon"
            )
        if isinstance(el, branca.colormap.ColorMap):
            problems.append(
                "branca colormap legends make streamlit-folium load d3 from a CDN"
            )
    return problems


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    """CSS text with relative ``url(...)`` references turned into data URIs."""

    def repl(match: re.Match[str]) -> str:
        ref = match.group(1).strip("'\"")
        if ref.startswith(("#", "data:")) or _is_remote(ref):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            return match.group(0)
        return f'url("{_data_uri(target)}")'

    return re.sub(r"url\(([^)]+)\)", repl, path.read_text(encoding="utf-8"))


def standalone_html(m: folium.Map, strict: bool = True) -> str:
    """The map as one HTML document with Leaflet/jQuery inlined.

    For "download this map": the file opens from disk with no server and no
    network. Build a fresh map for it rather than reusing one already passed
    to ``st_folium``, which renames the map's internal ids while rendering.
    With ``strict`` (default) a remaining external script/stylesheet or tile
    layer raises ``ValueError`` instead of silently shipping a broken file.
    """
    if strict and (problems := offline_problems(use_local_assets(m))):
        raise ValueError("map is not offline-safe: " + "; ".join(problems))
    use_local_assets(m)
    # Leaflet cannot derive marker-image URLs from a data-URI stylesheet, so
    # hand it the images directly (imagePath '' + data URI = data URI).
    images = VENDOR_DIR / "leaflet" / "images"
    icon_element = _icon_path_element(m)
    assert icon_element is not None
    icon_element.image_path = ""
    icon_element.icon_urls = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    try:
        html = m.get_root().render()
    finally:
        use_local_assets(m)  # back to served URLs, in case m is shown later

    by_url = {vendor_url(rel): VENDOR_DIR / rel for _, rel in JS_ASSETS + CSS_ASSETS}

    def inline_js(match: re.Match[str]) -> str:
        path = by_url.get(match.group(1))
        if path is None:
            return match.group(0)
        code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def inline_css(match: re.Match[str]) -> str:
        path = by_url.get(match.group(1))
        if path is None:
            return match.group(0)
        return f"<style>{_inline_css(path)}</style>"

    html = re.sub(r'<script src="([^"]+)"></script>', inline_js, html)
    html = re.sub(r'<link rel="stylesheet" href="([^"]+)"\s*/?>', inline_css, html)
    return html
