"""A layer's declared look as a QGIS style (QML): colours, widths, dashes, per-feature colours and labels.

A cased line (catalog.toml `casing`) is two line symbol layers, the casing under the line; with symbol
levels on, every casing is drawn before any line, so a line crossing another is not cut by its casing.
Written for QGIS 3: symbol layer properties go both as <Option> maps (read since 3.26) and as <prop>
elements (read by 3.16–3.34), so the Debian 12 QGIS and current releases both apply them. Widths, sizes
and dash lengths are declared in CSS pixels (1/96 in) and written in millimetres.
"""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

from matplotlib.colors import to_rgba

from layers.catalog import LayerSpec
from layers.static_map import CJKFontNotFound, cjk_font, label_priority

MM_PER_PX = 25.4 / 96
QGIS_VERSION = "3.28.0"
# QGIS's own definition of the table (QgsOgrProviderUtils::saveStyle), so QGIS finds and updates it.
QGIS_LAYER_STYLES_DDL = """CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""
# QGIS label placement modes (Qgis::LabelPlacement): over the centroid, along lines, around points.
PLACEMENT = {"polygon": 1, "line": 2, "point": 6}
KIND_FAMILIES = {"polygon": ["polygon"], "line": ["line"], "point": ["point"], "mixed": ["polygon", "line", "point"]}
GEOMETRY_TYPE_NAMES = {"polygon": "Polygon", "line": "Line", "point": "Point"}
HALO_COLOR = "255,255,255,255"
LABEL_COLOR = "34,34,34,255"
LABEL_SIZE_PT = 8


def qml_font_family() -> str:
    """The CJK family the static maps use, so QGIS labels match them (a fallback name when none is installed)."""
    try:
        return cjk_font()[0]
    except CJKFontNotFound:
        return "Noto Sans CJK SC"


def layer_qml(spec: LayerSpec, font_family: str = "Noto Sans CJK SC") -> str:
    """The QML document for one declared layer."""
    families = KIND_FAMILIES.get(spec.kind, ["polygon", "line", "point"])
    levels = int(bool(spec.casing) and "line" in families)
    if len(families) == 1:
        renderer = (f'<renderer-v2 type="singleSymbol" symbollevels="{levels}" forceraster="0" enableorderby="0">'
                    f'<symbols>{_symbol(spec, families[0], "0")}</symbols></renderer-v2>')
    else:
        rules = "".join(
            f'<rule key="{{rule-{family}}}" symbol="{index}" label={quoteattr(spec.title_zh)} '
            f'filter={quoteattr(f"geometry_type($geometry) = {GEOMETRY_TYPE_NAMES[family]!r}")}/>'
            for index, family in enumerate(families))
        symbols = "".join(_symbol(spec, family, str(index)) for index, family in enumerate(families))
        renderer = (f'<renderer-v2 type="RuleRenderer" symbollevels="{levels}" forceraster="0" enableorderby="0">'
                    f'<rules key="{{root}}">{rules}</rules><symbols>{symbols}</symbols></renderer-v2>')
    labels_enabled = int(bool(spec.label))
    labeling = _labeling(spec, families[0], font_family) if spec.label else ""
    return (f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling" labelsEnabled="{labels_enabled}">'
            f"{renderer}{labeling}</qgis>\n")


def _symbol(spec: LayerSpec, family: str, name: str) -> str:
    """A fill, line or marker symbol in the declared style; per-feature colours as a data-defined stroke."""
    if family == "polygon":
        fill = _layer("SimpleFill", {
            "color": _rgba(spec.fill_color or spec.color, spec.fill_opacity if spec.fill_color else 0.0),
            "style": "solid" if spec.fill_color and spec.fill_opacity > 0 else "no",
            "outline_style": "no", "outline_color": _rgba(spec.color), "outline_width": "0",
        })
        body, kind = fill + _line_layer(spec), "fill"
    elif family == "line":
        body, kind = _casing_layer(spec) + _line_layer(spec, level=1 if spec.casing else 0), "line"
    else:
        body = _layer("SimpleMarker", {
            "name": "circle", "color": _rgba(spec.fill_color or "#ffffff", spec.fill_opacity if spec.fill_color else 1),
            "outline_color": _rgba(spec.color), "outline_style": "solid",
            "outline_width": _mm(spec.weight), "outline_width_unit": "MM",
            "size": _mm(2 * spec.radius), "size_unit": "MM",
        }, data_defined=spec.color_field)
        kind = "marker"
    return f'<symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">{body}</symbol>'


def _line_properties(spec: LayerSpec, color: str, weight: float) -> dict[str, str]:
    dashes = [float(part) for part in (spec.dash or "").replace(",", " ").split()]
    return {
        "line_color": _rgba(color), "line_width": _mm(weight), "line_width_unit": "MM",
        "line_style": "solid", "use_custom_dash": "1" if dashes else "0",
        "customdash": ";".join(_mm(length) for length in dashes) if dashes else "5;2", "customdash_unit": "MM",
        "capstyle": "flat" if dashes else "round", "joinstyle": "round",
    }


def _line_layer(spec: LayerSpec, level: int = 0) -> str:
    return _layer("SimpleLine", _line_properties(spec, spec.color, spec.weight), data_defined=spec.color_field,
                  level=level)


def _casing_layer(spec: LayerSpec) -> str:
    """The declared casing under the line (nothing without one): same dashes, CASING_WIDTH px wider."""
    return _layer("SimpleLine", _line_properties(spec, spec.casing, spec.casing_weight)) if spec.casing else ""


def _layer(class_name: str, properties: dict[str, str], data_defined: str | None = None, level: int = 0) -> str:
    options = "".join(f'<Option type="QString" name="{key}" value={quoteattr(value)}/>'
                      for key, value in properties.items())
    props = "".join(f'<prop k="{key}" v={quoteattr(value)}/>' for key, value in properties.items())
    defined = ""
    if data_defined:
        defined = ('<data_defined_properties><Option type="Map"><Option type="QString" name="name" value=""/>'
                   '<Option name="properties" type="Map"><Option name="outlineColor" type="Map">'
                   '<Option type="bool" name="active" value="true"/>'
                   f'<Option type="QString" name="field" value={quoteattr(data_defined)}/>'
                   '<Option type="int" name="type" value="2"/></Option></Option>'
                   '<Option type="QString" name="type" value="collection"/></Option></data_defined_properties>')
    return (f'<layer class="{class_name}" enabled="1" locked="0" pass="{level}"><Option type="Map">{options}</Option>'
            f"{props}{defined}</layer>")


def _labeling(spec: LayerSpec, family: str, font_family: str) -> str:
    """Labels from the declared property (its Chinese variant, as on the Chinese map), with a white halo; priority
    by the layer's role, as on the static map. QGIS's default obstacle kind: a label may lie inside another layer's
    area but not across its edge (as interior obstacles, the zone's area left no room for any label in QGIS)."""
    field = f"{spec.label}_zh" if spec.label == "name" else spec.label
    return (f'<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName={quoteattr(field)} isExpression="0" fontFamily={quoteattr(font_family)} '
            f'fontSize="{LABEL_SIZE_PT}" fontSizeUnit="Point" fontWeight="50" textColor="{LABEL_COLOR}" textOpacity="1">'
            f'<text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="{HALO_COLOR}" '
            f'bufferOpacity="1" bufferNoFill="1" bufferJoinStyle="128"/></text-style>'
            f'<placement placement="{PLACEMENT[family]}" dist="1" distUnits="MM" priority="{label_priority(spec.id)}"/>'
            f'<rendering obstacle="1" obstacleType="1" obstacleFactor="1" scaleVisibility="0" drawLabels="1" labelPerPart="0" mergeLines="1"/>'
            f"</settings></labeling>")


def _rgba(color: str, alpha: float = 1.0) -> str:
    red, green, blue, _alpha = to_rgba(color)
    return f"{round(red * 255)},{round(green * 255)},{round(blue * 255)},{round(alpha * 255)}"


def _mm(pixels: float) -> str:
    return f"{pixels * MM_PER_PX:.3f}".rstrip("0").rstrip(".")
