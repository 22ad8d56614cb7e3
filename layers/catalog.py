"""The layer catalogue: declarations from catalog.toml as plain dataclasses, and the data behind each.

Modelled on xyzservices' provider registry: the declarations are data; this module only reads them,
loads the features a declaration points at, and answers questions about styles and legends.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.load import read_layer
from geo.paths import DATA_DIR
from geo.places import load_places
from geo.plan import load_plan
from geo.structure import structure_features
from geo.zone import dissolve_zone

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
# A planner's own layers (parcels, buildings…): a TOML file of [layers.*] declarations whose `source`
# is a path to a GeoJSON or GeoPackage file; only an `id` property is required of their features.
EXTRA_CATALOG_ENV = "PLANMAP_EXTRA_LAYERS"

ATTRIBUTIONS = {  # (Chinese, English); the 审图号 stays as issued in both
    "osm": ("© OpenStreetMap contributors (ODbL)", "© OpenStreetMap contributors (ODbL)"),
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

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def sources(self) -> list[str]:
        return self.source.split("+")

    @property
    def is_dashed(self) -> bool:
        return bool(self.dash)


@dataclass(frozen=True)
class Catalog:
    groups: dict[str, dict[str, str]]
    layers: dict[str, LayerSpec]

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
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    layers = _specs(raw["layers"], external=False)
    extra = os.environ.get(EXTRA_CATALOG_ENV)
    if extra:
        layers.update(_specs(tomllib.loads(Path(extra).read_text(encoding="utf-8"))["layers"], external=True))
    return Catalog(groups=raw["groups"], layers=layers)


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


@lru_cache(maxsize=None)
def _read_external(path: str) -> gpd.GeoDataFrame:
    return read_layer(Path(path), required=("id",))


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
