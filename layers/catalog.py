"""The layer catalogue: declarations from catalog.toml as plain dataclasses, and the data behind each.

Modelled on xyzservices' provider registry: the declarations are data; this module only reads them,
loads the features a declaration points at, and answers questions about styles and legends.
"""
from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.load import LayerError, read_layer
from geo.notes import Note
from geo.paths import DATA_DIR
from geo.places import load_places
from geo.plan import load_plan
from geo.structure import structure_features
from geo.validate import Problem, validate_file
from geo.zone import dissolve_zone

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
# A planner's own layers (parcels, buildings…): a TOML file of [layers.*] declarations whose `source`
# is a path (absolute, or relative to the TOML file) to a layer file in any format geo/validate.py reads;
# only an `id` property is required of their features. A broken file or layer is reported and left out.
EXTRA_CATALOG_ENV = "PLANMAP_EXTRA_LAYERS"
REQUIRED_FIELDS = ("group", "title_zh", "title_en", "source", "kind", "color")
KINDS = ("polygon", "line", "point", "mixed")
CASING_WIDTH = 2.0  # px a casing is wider than its line: one on each side
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
log = logging.getLogger(__name__)

ATTRIBUTIONS = {  # (Chinese, English); the 审图号 stays as issued in both
    "osm": ("© OpenStreetMap 贡献者（ODbL）", "© OpenStreetMap contributors (ODbL)"),
    "tianditu": ("区界：天地图 审图号 GS(2024)0650", "District outlines: Tianditu 审图号 GS(2024)0650"),
    "curated": ("Plan Map 整理（见 data/README.md）", "Plan Map curation (data/README.md)"),
    "hsar": ("街乡界线：R 包 HSAR 的 Beijingdistricts（约2009年，GPL ≥ 2），Plan Map 修订",
             "Street outlines: HSAR's Beijingdistricts (c.2009, GPL ≥ 2), amended by Plan Map"),
}
# Chinese map practice: a boundary that is not the legal one says so wherever it is drawn.
SCHEMATIC_NOTE = ("边界为示意，非法定界线", "Boundaries are schematic, not legal boundaries")
SCHEMATIC_BADGE = ("示意", "schematic")


@dataclass(frozen=True)
class LayerSpec:
    """One layer as declared: where its features come from and how it looks everywhere."""

    id: str
    group: str
    title_zh: str
    title_en: str
    source: str
    kind: str
    color: str
    weight: float = 2.0
    fill_color: str | None = None
    fill_opacity: float = 0.0
    dash: str | None = None
    color_field: str | None = None
    radius: float = 4.0
    label: str | None = None
    visible: bool = False
    derive: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    attribution: tuple[str, ...] = ()
    schematic: bool = False  # curated, unofficial boundaries: marked 示意 in every legend and map
    vector_limit: int = 5000  # above this many features the map draws the layer as one image
    external: bool = False  # a user layer from PLANMAP_EXTRA_LAYERS
    # A darker outline drawn under a line (cartographers' casing): official line colours too pale for the map
    # (7号线 #FFC56E) keep their colour and still stand out. CASING_WIDTH px wider than the line.
    casing: str | None = None

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def sources(self) -> list[str]:
        return self.source.split("+")

    @property
    def is_dashed(self) -> bool:
        return bool(self.dash)

    @property
    def casing_weight(self) -> float:
        """The casing's stroke weight (CSS px): the line's plus a pixel on either side."""
        return self.weight + CASING_WIDTH


@dataclass(frozen=True)
class Catalog:
    groups: dict[str, dict[str, str]]
    layers: dict[str, LayerSpec]
    problems: tuple[Problem, ...] = ()  # what was wrong with the planner's catalogue, its layers left out

    def in_group(self, group: str) -> list[LayerSpec]:
        return [spec for spec in self.layers.values() if spec.group == group]

    def default_visible(self) -> list[str]:
        return [spec.id for spec in self.layers.values() if spec.visible]

    def resolve(self, ids: list[str] | str) -> list[LayerSpec]:
        """Specs for the given ids in drawing order; unknown ids raise KeyError naming them and the choices."""
        wanted = [part for part in (ids.split(",") if isinstance(ids, str) else ids) if part]
        unknown = [layer_id for layer_id in wanted if layer_id not in self.layers]
        if unknown:
            raise KeyError(f"unknown layer id(s): {', '.join(unknown)}; known: {', '.join(self.layers)}")
        return [spec for spec in self.layers.values() if spec.id in wanted]

    def attribution_text(self, specs: list[LayerSpec], lang: str = "zh") -> str:
        keys = dict.fromkeys(key for spec in specs for key in spec.attribution)
        return " · ".join(ATTRIBUTIONS[key][0 if lang == "zh" else 1] for key in keys)

    def schematic_note(self, specs: list[LayerSpec], lang: str = "zh") -> str | None:
        """The note Chinese map practice asks for whenever a schematic (curated, unofficial) boundary is drawn."""
        return SCHEMATIC_NOTE[0 if lang == "zh" else 1] if any(spec.schematic for spec in specs) else None


@lru_cache(maxsize=1)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """The shipped declarations, plus the planner's (PLANMAP_EXTRA_LAYERS) that pass every check."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    layers = _specs(raw["layers"], external=False)
    extra = os.environ.get(EXTRA_CATALOG_ENV)
    problems: list[Problem] = []
    if extra:
        added, problems = check_catalog_file(Path(extra), builtin=layers, groups=raw["groups"])
        layers.update(added)
        for problem in problems:
            log.warning("planner catalogue: %s", problem)
    return Catalog(groups=raw["groups"], layers=layers, problems=tuple(problems))


def check_catalog_file(path: Path, builtin: dict[str, LayerSpec] | None = None,
                       groups: dict[str, dict[str, str]] | None = None) -> tuple[dict[str, LayerSpec], list[Problem]]:
    """The usable layers a catalogue file declares and the problems of the rest, each naming file and layer.

    With `builtin` (the shipped layers) the file is a planner's: its ids may not replace a built-in one, its
    groups are the shipped ones (`groups`, read from catalog.toml when not given) and its sources are layer
    files, read and validated now; without, it is the shipped catalogue (its own groups, data/ stems).
    """
    problems: list[Problem] = []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [Problem(str(path), Note("文件不存在", "file not found"))]
    except UnicodeDecodeError as error:
        return {}, [Problem(str(path), Note(f"不是 UTF-8 文本（第 {error.start} 个字节：{error.reason}）",
                                            f"not UTF-8 text ({error.reason} at byte {error.start})"))]
    except tomllib.TOMLDecodeError as error:
        return {}, [Problem(str(path), Note(f"不是有效的 TOML：{error}", f"not valid TOML: {error}"))]
    entries = raw.get("layers")
    if not isinstance(entries, dict) or not entries:
        return {}, [Problem(str(path), Note("没有声明任何 [layers.<id>] 表", "declares no [layers.<id>] tables"))]
    if builtin is None:  # the shipped catalogue declares its groups; a planner's uses them
        groups = raw.get("groups", {})
    elif groups is None:
        groups = tomllib.loads(CATALOG_PATH.read_text(encoding="utf-8")).get("groups", {})
    known_fields = {spec_field.name for spec_field in fields(LayerSpec)} - {"id", "external"}
    accepted: dict[str, LayerSpec] = {}
    left_out = Note("；该图层已略去", "; layer left out") if builtin is not None else Note("", "")
    for layer_id, entry in entries.items():
        record = Note(f"图层 {layer_id!r}", f"layer {layer_id!r}")
        found = _entry_problems(layer_id, entry, known_fields, groups, builtin)
        if not found:
            entry = dict(entry)
            if builtin is not None:
                source = Path(entry["source"]).expanduser()
                entry["source"] = str(source if source.is_absolute() else path.parent / source)
                report = validate_file(Path(entry["source"]))
                found += [Note(f"数据源 {problem.text('zh')}", f"source {problem}") for problem in report.problems
                          if problem.severity == "error"]
                if report.frame is not None:
                    _EXTERNAL_FRAMES[entry["source"]] = report.frame
            else:
                found += [Note(f"数据源 {stem!r}：没有 data/{stem}.geojson", f"source {stem!r}: no data/{stem}.geojson")
                          for stem in entry["source"].split("+")
                          if not entry.get("derive") == "structure" and not (DATA_DIR / f"{stem}.geojson").exists()]
        if found:
            problems += [Problem(str(path), message + left_out, record) for message in found]
            continue
        accepted.update(_specs({layer_id: entry}, external=builtin is not None))
    return accepted, problems


def _entry_problems(layer_id: str, entry: Any, known_fields: set[str], groups: dict[str, dict[str, str]],
                    builtin: dict[str, LayerSpec] | None) -> list[Note]:
    """What is wrong with one declaration, before its source is looked at (in both languages)."""
    if not isinstance(entry, dict):
        return [Note("不是字段表", "not a table of fields")]
    found = []
    if builtin is not None and layer_id in builtin:
        found.append(Note("与内置图层同编号；请另选编号（规划师的图层不能替换内置图层）",
                          "has the id of a built-in layer; choose another id (a planner layer cannot replace it)"))
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", layer_id):
        found.append(Note("编号须为 1–64 个字母、数字或下划线（编号会写进链接）",
                          "id must be 1–64 letters, digits or underscores (it goes into links)"))
    unknown = sorted(set(entry) - known_fields)
    if unknown:
        found.append(Note(f"未知字段 {'、'.join(unknown)}（已知字段：{'、'.join(sorted(known_fields))}）",
                          f"unknown fields {', '.join(unknown)} (known: {', '.join(sorted(known_fields))})"))
    missing = [name for name in REQUIRED_FIELDS if name not in entry]
    if missing:
        found.append(Note(f"缺少字段 {'、'.join(missing)}", f"missing fields {', '.join(missing)}"))
    if "group" in entry and entry["group"] not in groups:
        found.append(Note(f"未知的分组 {entry['group']!r}（应为 {'、'.join(groups)} 之一）",
                          f"unknown group {entry['group']!r} (one of {', '.join(groups)})"))
    if "kind" in entry and entry["kind"] not in KINDS:
        found.append(Note(f"未知的类型 {entry['kind']!r}（应为 {'、'.join(KINDS)} 之一）",
                          f"unknown kind {entry['kind']!r} (one of {', '.join(KINDS)})"))
    for name in ("color", "fill_color", "casing"):
        if name in entry and not (isinstance(entry[name], str) and _COLOR.fullmatch(entry[name])):
            found.append(Note(f"{name} {entry[name]!r} 不是颜色（应形如 \"#1f78b4\"）",
                              f"{name} {entry[name]!r} is not a colour like \"#1f78b4\""))
    if "casing" in entry and entry.get("kind") not in ("line", "mixed"):
        found.append(Note(f"casing（衬线）画在线下：类型 {entry.get('kind')!r} 没有线（应为 line 或 mixed）",
                          f"casing is drawn under lines: kind {entry.get('kind')!r} has none (line or mixed)"))
    for name in ("title_zh", "title_en", "source"):
        if name in entry and not (isinstance(entry[name], str) and entry[name].strip()):
            found.append(Note(f"{name} 须为非空文字", f"{name} must be non-empty text"))
    try:
        if not found:
            _specs({layer_id: entry}, external=False)
    except (TypeError, ValueError) as error:
        found.append(Note(f"字段类型不对（{error}）", f"fields of the wrong type ({error})"))
    return found


def _specs(entries: dict[str, dict[str, Any]], external: bool) -> dict[str, LayerSpec]:
    specs = {}
    for layer_id, entry in entries.items():
        entry = dict(entry, external=external)
        entry["attribution"] = tuple(entry.get("attribution", ()))
        specs[layer_id] = LayerSpec(id=layer_id, **entry)
    return specs


@lru_cache(maxsize=None)
def _read_source(stem: str) -> gpd.GeoDataFrame:
    return read_layer(DATA_DIR / f"{stem}.geojson")


# A planner layer's features, read once while its declaration was checked (check_catalog_file).
_EXTERNAL_FRAMES: dict[str, gpd.GeoDataFrame] = {}


def _read_external(path: str) -> gpd.GeoDataFrame:
    if path not in _EXTERNAL_FRAMES:
        report = validate_file(Path(path))
        if report.frame is None:
            raise LayerError("; ".join(map(str, report.problems)))
        _EXTERNAL_FRAMES[path] = report.frame
    return _EXTERNAL_FRAMES[path]


@lru_cache(maxsize=1)
def _structure() -> gpd.GeoDataFrame:
    return structure_features(load_plan().structure, load_places())


def layer_frame(spec: LayerSpec) -> gpd.GeoDataFrame:
    """The features of one declared layer, filtered and derived as declared (a copy: callers may add columns)."""
    if spec.derive == "structure":
        frames = [_structure()]
    elif spec.external:
        frames = [_read_external(spec.source)]
    else:
        frames = [_read_source(stem) for stem in spec.sources if (DATA_DIR / f"{stem}.geojson").exists()]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326) if frames else gpd.GeoDataFrame(
        {"id": [], "name_zh": [], "name_en": []}, geometry=[], crs=4326)
    for column, value in spec.where.items():
        allowed = value if isinstance(value, list) else [value]
        frame = frame[frame[column].isin(allowed)]
    if spec.derive == "zone":
        frame = dissolve_zone(frame)
    return frame.reset_index(drop=True).copy()


def feature_color(spec: LayerSpec, properties: dict[str, Any]) -> str:
    """The stroke colour of one feature: its own (e.g. a rail line's official colour) or the layer's."""
    if spec.color_field:
        value = properties.get(spec.color_field)
        if isinstance(value, str) and value.startswith("#"):
            return value
    return spec.color
