"""The CBD functional zone (CBD功能区) is not drawn: it is the union of its 17 streets, computed on load,
so the zone can never disagree with the streets that make it up."""
from __future__ import annotations

import geopandas as gpd

from geo.measure import area_km2

ZONE_ID = "cbd_zone"
ZONE_OFFICIAL_KM2 = 84.0


def dissolve_zone(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature: the union of the streets, with its measured area and the streets it holds."""
    union = streets.geometry.union_all()
    zone = gpd.GeoDataFrame([{
        "id": ZONE_ID, "name_zh": "CBD功能区", "name_en": "CBD functional zone", "kind": "area",
        "official_km2": ZONE_OFFICIAL_KM2,
        "official_source": "000 note under Table 1 (中心区及周边共17个街乡…84平方公里)",
        "streets": ";".join(streets["id"]),
        "source": "union of the 17 curated street polygons",
        "method": "dissolved on load from data/cbd_streets.geojson",
        "accuracy_m": int(streets["accuracy_m"].max()),
        "geometry": union,
    }], crs=streets.crs)
    zone["area_km2"] = area_km2(zone).round(3)
    return zone
