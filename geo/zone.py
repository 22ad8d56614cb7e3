"""The CBD functional zone (CBD功能区) is not drawn: it is the union of its 17 streets, computed on load,
so the zone can never disagree with the streets that make it up."""
from __future__ import annotations

import geopandas as gpd

from geo.measure import area_km2, area_note

ZONE_ID = "cbd_zone"
ZONE_OFFICIAL_KM2 = 84.0
ZONE_OFFICIAL_SOURCE = "000 note under Table 1 (中心区及周边共17个街乡…84平方公里)"
ZONE_OFFICIAL_SOURCE_ZH = "《CBD功能区十四五规划》表1注（中心区及周边共17个街乡…84平方公里）"
ZONE_AREA_WHY = ("功能区为17个街乡（c.2009测绘界线，按现行证据修订）之并集；规划未列出17个街乡，也未说明84平方公里的量算口径，且街乡界线此后有调整。未做任何缩放。",
                 "the zone is the union of the 17 streets as drawn (c.2009 survey outlines amended from current "
                 "evidence); the plan neither lists the 17 nor says how it measured 84 km², and street boundaries "
                 "have moved since. Nothing is scaled to match.")


def dissolve_zone(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature: the union of the streets, with its measured area and the streets it holds."""
    union = streets.geometry.union_all()
    zone = gpd.GeoDataFrame([{
        "id": ZONE_ID, "name_zh": "CBD功能区", "name_en": "CBD functional zone", "kind": "area",
        "official_km2": ZONE_OFFICIAL_KM2,
        "official_source": ZONE_OFFICIAL_SOURCE,
        "streets": ";".join(streets["id"]),
        "source": "union of the 17 curated street polygons", "licence": streets["licence"].iloc[0],
        "schematic": True,
        "method": "dissolved on load from data/cbd_streets.geojson",
        "method_zh": "加载时由17个街乡合并而成", "method_en": "the union of its 17 streets, dissolved on load",
        "accuracy_m": int(streets["accuracy_m"].max()),
        "accuracy_basis_zh": "取所含街乡精度中的最差值", "accuracy_basis_en": "the worst accuracy of the streets it holds",
        "geometry": union,
    }], crs=streets.crs)
    zone["area_km2"] = area_km2(zone).round(3)
    zone["area_note_zh"], zone["area_note_en"] = area_note(
        float(zone["area_km2"].iloc[0]), ZONE_OFFICIAL_KM2, (ZONE_OFFICIAL_SOURCE_ZH, ZONE_OFFICIAL_SOURCE), ZONE_AREA_WHY)
    return zone
