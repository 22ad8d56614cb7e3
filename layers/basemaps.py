"""Basemaps as data, after xyzservices: the offline context layer by default, online tiles on request.

AMap tiles are in GCJ-02, so a basemap says which datum its tiles use and the renderer shifts our
WGS84 overlays to match. Providers that need a key (天地图, and CARTO since it began requiring one) are
offered only when the key is configured, from the environment or Streamlit secrets.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace

import xyzservices.providers as xyz


@dataclass(frozen=True)
class Basemap:
    id: str
    title_zh: str
    title_en: str
    url: str | None  # None: no tiles, the context layers are the basemap
    attribution: str = ""
    datum: str = "wgs84"  # or "gcj02"
    subdomains: str = "abc"
    max_zoom: int = 18
    overlay_url: str | None = None  # a labels layer drawn over the tiles (天地图 注记)
    key_env: str | None = None  # the environment variable / secret that holds the key
    key_placeholder: str = "{key}"

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def offline(self) -> bool:
        return self.url is None

    def with_key(self, key: str) -> Basemap:
        fill = (lambda url: url.replace(self.key_placeholder, key) if url else url)
        return replace(self, url=fill(self.url), overlay_url=fill(self.overlay_url))


_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TileMatrix={{z}}&TileRow={{y}}"
             "&TileCol={{x}}&tk={{key}}")


def _provider_url(provider: xyz.TileProvider, **options: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xyzservices warns about keys we fill in ourselves
        return provider.build_url(**options)


OFFLINE = Basemap("offline", "离线底图", "Offline basemap", None, "Plan Map context layer")
CATALOG: tuple[Basemap, ...] = (
    OFFLINE,
    Basemap("osm", "OpenStreetMap", "OpenStreetMap", _provider_url(xyz.OpenStreetMap.Mapnik),
            xyz.OpenStreetMap.Mapnik.html_attribution, max_zoom=19),
    Basemap("positron", "CartoDB Positron", "CartoDB Positron",
            _provider_url(xyz.CartoDB.Positron, apikey="{key}", r=""), xyz.CartoDB.Positron.html_attribution,
            subdomains="abcd", max_zoom=20, key_env="CARTO_API_KEY"),
    Basemap("amap", "高德地图", "AMap (Gaode)", _provider_url(xyz.Gaode.Normal), xyz.Gaode.Normal.html_attribution,
            datum="gcj02", max_zoom=18),
    Basemap("tianditu", "天地图", "Tianditu", _TIANDITU.format(layer="vec"), "© 天地图 国家地理信息公共服务平台",
            subdomains="01234567", overlay_url=_TIANDITU.format(layer="cva"), key_env="TIANDITU_KEY"),
)


def available_basemaps(secrets: Mapping[str, str] | None = None) -> dict[str, Basemap]:
    """The basemaps a user may pick: keyless ones always, keyed ones when their key is configured."""
    lookup = {**os.environ, **(secrets or {})}
    chosen = {}
    for basemap in CATALOG:
        if basemap.key_env is None:
            chosen[basemap.id] = basemap
        elif lookup.get(basemap.key_env):
            chosen[basemap.id] = basemap.with_key(lookup[basemap.key_env])
    return chosen
