"""The CBD plan's spatial structure (一核, 两轴, 四区, 一带, 七商圈) as features.

The plan draws it only as a sketch, so the features are derived, not drawn: clusters, the belt and the
business circles are the union of the streets the plan lists for them; the axes follow the roads the
plan names (长安街东延长线; 东三环 and 东四环), clipped to the functional zone.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.measure import area_km2

ZONE_MARGIN_DEG = 0.01


# How an element is drawn, in the reader's language (its `method` is the curators' record).
AXIS_METHOD = {"method_zh": "发展轴：规划点名的道路在功能区内的部分", "method_en": "axis: the named roads clipped to the zone"}
UNION_METHOD = {"method_zh": "规划所列街乡的合并范围", "method_en": "union of the listed streets"}


def structure_features(structure: pd.DataFrame, places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    by_id = places.drop_duplicates("id").set_index("id").geometry
    zone = by_id["cbd_zone"].buffer(ZONE_MARGIN_DEG)
    rows = []
    for row in structure.itertuples():
        sources = row.drawn_from.split(";") if row.drawn_from != "streets" else row.streets.split(";")
        parts = [by_id[source] for source in sources if source in by_id.index]
        if not parts:
            continue
        geometry = gpd.GeoSeries(parts, crs=4326).union_all()
        if row.kind == "axis":
            geometry = geometry.intersection(zone)
        rows.append({
            "id": row.id, "name_zh": row.name_zh, "name_en": row.name_en, "kind": row.kind, "streets": row.streets,
            "source": f"{row.doc_id} {row.section_path}", "quote": row.quote,
            "method": "axis: the named roads clipped to the zone" if row.kind == "axis" else "union of the listed streets",
            **(AXIS_METHOD if row.kind == "axis" else UNION_METHOD),
            "accuracy_m": 1000, "geometry": geometry,
        })
    frame = gpd.GeoDataFrame(rows, crs=4326)
    frame["area_km2"] = area_km2(frame).round(2).where(frame.geom_type.isin(["Polygon", "MultiPolygon"]))
    return frame
