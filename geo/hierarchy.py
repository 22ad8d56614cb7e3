"""The place hierarchy: what each place is part of, what lies in it, which lines cross it.

The plans name places at every scale (a station, a street, the CBD, the district, the city), so a
question about one place must also gather what the plans say about the places inside it, the lines
running through it and the places it belongs to. Those relations are derived here, once per process.

Rules (geometry in an Albers equal-area projection, metres; tolerance = the drawing accuracy):
- **Area in area**: A lies in B when at least CONTAIN_SHARE (95 %) of A's area lies inside B widened by
  min(accuracy_m of A, accuracy_m of B). 95 % keeps 建外 (88 % inside the core) out of the core while the
  core, 核心区 and each street (100 %) sit in the zone, the zone in 朝阳 (99 % unwidened).
- **Point in area**: a point lies in A when it is inside A; a point drawn just outside A also counts when it
  is within min(accuracies) of A and no neighbour of A in its layer holds it. Two tiling neighbours
  therefore never both claim a point that clearly falls in one of them, while a nested area (核心区 inside
  the core) still claims a station drawn on its own edge.
- **Which points roll up** (the kinds present in the gazetteer, decided by what a point stands for):
  SITE_KINDS are point-like sites (stations, hubs, interchanges, sites, campuses, malls, venues, airports,
  the sub-centre's places): they lie in every area that holds them. AREA_ANCHOR_KINDS stand for a
  whole area of unknown extent (a 地区, a town, an old town, a business district): they lie only in a
  district (an administrative whole) and only when their accuracy disc lies ≥ 95 % inside it.
  LINE_ANCHOR_KINDS stand for a river or a railway with no drawn course, and road/river lines stand for a
  corridor: neither lies in any area, so their tasks never pile into every area they happen to cross.
  Counties lie only where declared (北三县).
- **Lines**: a rail line is part of the areas that hold ≥ 95 % of its length (area widened by the
  tolerance); it crosses an area when it is not part of it but either runs deeper than the tolerance
  into it (the line meets the area shrunk by min(accuracies)) or one of its stations lies in it.
  An area lists every line that crosses it or runs within it. Lines with no drawn course
  (rail_unplaced.csv) lie in the area their `within` column names.
- **Stations** lie on the lines their `lines` property names; gazetteer stations on every rail line
  within min(accuracies) of them.
- **Declared** (data/places_declared.csv, SCHEMA): 中心城区 = its six districts, 首都功能核心区, 北三县 =
  its three counties (the sub-centre's partner, not part of Beijing), the city = every district;
  核心区 ⊂ core ⊂ zone; the 17 streets ⊂ zone; the sc_* places ⊂ sub-centre; every CBD spatial-structure
  element ⊂ zone. Declared regions get their members' union as geometry for the rules above.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.measure import EQUAL_AREA_CRS
from geo.places import load_declared, load_places, load_unplaced_lines
from geo.plan import load_plan

CONTAIN_SHARE = 0.95
SITE_KINDS = frozenset({
    "metro_station", "planned_metro_station", "railway_station", "bus_station", "transport_hub", "interchange",
    "redevelopment_area", "campus", "residential_area", "shopping_centre", "venue", "airport", "facility_cluster",
    "station", "site",
})
# subcentre_places draws its places with no published extent as points of kind "place": the hub is a site,
# the towns (1500–2000 m) stand for areas. A "place" counts as a site when drawn this accurately.
SITE_ACCURACY_M = 500
AREA_ANCHOR_KINDS = frozenset({"area", "area_anchor", "heritage_area", "business_district", "town", "park", "rail_yard"})
# Kinds that never roll up: rivers, railways and roads standing for their whole course, counties. Every kind in
# the data must be in one of the three lists (tests/test_hierarchy.py), so a new kind gets a decision.
NON_ROLLING_KINDS = frozenset({"river_anchor", "rail_line_anchor", "county", "road", "river", "rail_line"})
STATION_KINDS = frozenset({"metro_station", "planned_metro_station", "railway_station", "station"})
POLYGONAL = ("Polygon", "MultiPolygon")
DISTRICT_KIND = "district"
RAIL_LINE_LAYERS = ("rail_lines", "rail_unplaced")
DECLARED_CONTAINMENT = (("cbd_core_central", "cbd_core"), ("cbd_core", "cbd_zone"))


@dataclass(frozen=True)
class PlaceInfo:
    """The facts a report shows about one place, whatever table it comes from."""

    id: str
    name_zh: str
    name_en: str
    layer: str
    kind: str
    area_km2: float | None
    official_km2: float | None
    accuracy_m: float | None


class Hierarchy:
    """Containment, lines and structure membership for every known place id."""

    def __init__(self, info: dict[str, PlaceInfo], ancestors: dict[str, set[str]], lines_of: dict[str, set[str]],
                 lines_in: dict[str, set[str]], lines_crossing: dict[str, set[str]],
                 structure_members: dict[str, set[str]], size: dict[str, float]) -> None:
        self.info = info
        self._ancestors = ancestors
        self._lines_of = lines_of
        self._lines_in = lines_in
        self._lines_crossing = lines_crossing
        self._structure_members = structure_members
        self._size = size
        self._descendants: dict[str, set[str]] = {}
        for child, parents in ancestors.items():
            for parent in parents:
                self._descendants.setdefault(parent, set()).add(child)
        self._stations: dict[str, set[str]] = {}
        for station, lines in lines_of.items():
            for line in lines:
                self._stations.setdefault(line, set()).add(station)

    def __contains__(self, place_id: str) -> bool:
        return place_id in self.info

    def is_line(self, place_id: str) -> bool:
        info = self.info.get(place_id)
        return info is not None and (info.layer in RAIL_LINE_LAYERS or info.kind == "rail_line")

    def part_of(self, place_id: str) -> list[str]:
        """What the place belongs to, nearest first: the lines a station lies on, then areas smallest first."""
        if self.is_line(place_id):
            return self._by_size(self._lines_in.get(place_id, set()))
        return self._by_size(self._lines_of.get(place_id, set())) + self._by_size(self._ancestors.get(place_id, set()))

    def contains(self, place_id: str) -> list[str]:
        """What lies in the place: for an area the places inside it, for a line its stations."""
        if self.is_line(place_id):
            return sorted(self._stations.get(place_id, set()))
        return sorted(self._descendants.get(place_id, set()))

    def crossed_by(self, place_id: str) -> list[str]:
        """For an area the lines that cross it or run in it; for a line the areas it crosses (not those it lies in)."""
        if self.is_line(place_id):
            return sorted(self._lines_crossing.get(place_id, set()))
        return sorted(line for line in self.info if self.is_line(line)
                      and place_id in self._lines_crossing.get(line, set()) | self._lines_in.get(line, set()))

    def structure_of(self, place_id: str) -> list[str]:
        """The CBD spatial-structure elements that name this place, or a place it is part of, as a member."""
        own = {place_id} | self._ancestors.get(place_id, set())
        return sorted(element for element, members in self._structure_members.items() if members & own)

    def _by_size(self, ids: set[str]) -> list[str]:
        return sorted(ids, key=lambda place_id: (self._size.get(place_id, float("inf")), place_id))


def build_hierarchy(places: gpd.GeoDataFrame, unplaced: pd.DataFrame, declared: pd.DataFrame,
                    structure: pd.DataFrame) -> Hierarchy:
    """Derive the hierarchy from the layers (WGS84 places as load_places returns them) and the declarations."""
    places = places.drop_duplicates("id").set_index("id", drop=False)
    metric = places.to_crs(EQUAL_AREA_CRS).geometry
    accuracy = pd.to_numeric(places["accuracy_m"], errors="coerce").fillna(0.0)
    kinds = places.get("kind", pd.Series("", index=places.index)).fillna("").astype(str)
    kinds = kinds.where(places["layer"] != "rail_stations", "station")
    info = {place_id: _info(row, kinds[place_id]) for place_id, row in places.iterrows()}
    coarse_place = (kinds == "place") & (accuracy > SITE_ACCURACY_M)
    kinds = kinds.mask(kinds == "place", "site").mask(coarse_place, "area")
    size = {place_id: metric[place_id].area for place_id in places.index if metric[place_id].geom_type in POLYGONAL}

    declared_geometry: dict[str, BaseGeometry] = {}
    districts = [p for p in places.index if kinds[p] == DISTRICT_KIND]
    for row in declared.itertuples():
        members = _members(row, districts)
        polygons = [metric[m] for m in members if m in metric.index and metric[m].geom_type in POLYGONAL]
        if polygons:
            declared_geometry[row.id] = gpd.GeoSeries(polygons, crs=EQUAL_AREA_CRS).union_all()
            size[row.id] = declared_geometry[row.id].area
        info[row.id] = PlaceInfo(row.id, row.name_zh, row.name_en, "declared", row.kind, None, None, None)
    for row in unplaced.itertuples():
        info[row.id] = PlaceInfo(row.id, row.name_zh, row.name_en, "rail_unplaced", "rail_line", None, None, None)
    for row in structure.itertuples():
        info[row.id] = PlaceInfo(row.id, row.name_zh, row.name_en, "structure", row.kind, None, None, None)

    areas = {p: metric[p] for p in places.index if metric[p].geom_type in POLYGONAL}
    areas.update(declared_geometry)
    area_accuracy = {p: float(accuracy[p]) if p in accuracy.index else float(accuracy[districts].max())
                     for p in areas}
    layer_of = {p: places.at[p, "layer"] if p in places.index else "declared" for p in areas}

    pairs = _areas_in_areas(areas, area_accuracy, size)
    pairs += _points_in_areas(metric, accuracy, kinds, areas, area_accuracy, layer_of, districts)
    pairs += [(member, row.id) for row in declared.itertuples() for member in _members(row, districts)]
    pairs += [(row.id, row.part_of) for row in declared.itertuples() if row.part_of]
    pairs += list(DECLARED_CONTAINMENT)
    pairs += [(p, "cbd_zone") for p in places.index if places.at[p, "layer"] == "cbd_streets"]
    pairs += [(p, "subcentre") for p in places.index if p.startswith("sc_")]
    pairs += [(row.id, "cbd_zone") for row in structure.itertuples()]
    parents: dict[str, set[str]] = {}
    for child, parent in pairs:
        if child != parent:
            parents.setdefault(child, set()).add(parent)
    structure_members = {row.id: _ids(row.streets) | (_ids(getattr(row, "drawn_from", "")) if row.kind == "core"
                                                      else set())
                         for row in structure.itertuples()}

    ancestors = _closure(parents)
    lines_of, lines_in, lines_crossing = _line_relations(places, metric, accuracy, kinds, unplaced, areas,
                                                         area_accuracy, layer_of, ancestors)
    return Hierarchy(info, ancestors, lines_of, lines_in, lines_crossing, structure_members, size)


def _ids(cell: object) -> set[str]:
    return {part for part in str(cell or "").split(";") if part}


def _members(row: tuple, districts: list[str]) -> list[str]:
    """A declared place's members; the city (no members, part of nothing) holds every district."""
    if row.members:
        return sorted(_ids(row.members))
    return districts if not row.part_of else []


def _areas_in_areas(areas: dict[str, BaseGeometry], area_accuracy: dict[str, float],
                    size: dict[str, float]) -> list[tuple[str, str]]:
    """(smaller, larger) pairs where ≥ CONTAIN_SHARE of the smaller lies in the larger widened by the tolerance."""
    pairs = []
    for a, geometry in areas.items():
        for b, container in areas.items():
            if a != b and size[a] < size[b]:
                tolerance = min(area_accuracy[a], area_accuracy[b])
                if geometry.intersection(container.buffer(tolerance)).area >= CONTAIN_SHARE * geometry.area:
                    pairs.append((a, b))
    return pairs


def _points_in_areas(metric: gpd.GeoSeries, accuracy: pd.Series, kinds: pd.Series, areas: dict[str, BaseGeometry],
                     area_accuracy: dict[str, float], layer_of: dict[str, str],
                     districts: list[str]) -> list[tuple[str, str]]:
    """(point, area) pairs: sites in every area holding them, area anchors in the district holding their disc.
    River and railway anchors, counties and any other kind lie nowhere (see the module docstring)."""
    pairs = []
    for p, geometry in metric.items():
        if geometry.geom_type != "Point":
            continue
        if kinds[p] in SITE_KINDS:
            pairs += [(p, area) for area in _areas_holding_point(geometry, float(accuracy[p]), areas, area_accuracy,
                                                                  layer_of)]
        elif kinds[p] in AREA_ANCHOR_KINDS:
            disc = geometry.buffer(max(float(accuracy[p]), 1.0))
            pairs += [(p, district) for district in districts
                      if disc.intersection(areas[district].buffer(area_accuracy[district])).area
                      >= CONTAIN_SHARE * disc.area]
    return pairs


def _info(row: pd.Series, kind: str) -> PlaceInfo:
    area = row.get("area_km2")
    official = row.get("official_km2")
    return PlaceInfo(
        id=row["id"], name_zh=str(row["name_zh"]), name_en=str(row.get("name_en") or row["name_zh"]),
        layer=str(row["layer"]), kind=kind,
        area_km2=None if pd.isna(area) else float(area),
        official_km2=None if official is None or pd.isna(official) else float(official),
        accuracy_m=None if pd.isna(pd.to_numeric(row.get("accuracy_m"), errors="coerce")) else float(row["accuracy_m"]),
    )


def _areas_holding_point(point: BaseGeometry, point_accuracy: float, areas: dict[str, BaseGeometry],
                         area_accuracy: dict[str, float], layer_of: dict[str, str]) -> set[str]:
    """Areas the point is inside; plus those within the tolerance where no neighbour in their layer holds it.

    Tiling neighbours (two streets) never both claim a point on their shared edge; a nested area (核心区 in
    the core, one layer) still claims a station drawn on its own edge.
    """
    exact = {a for a, geometry in areas.items() if geometry.contains(point)}
    near = {a for a, geometry in areas.items() if a not in exact
            and geometry.distance(point) <= min(point_accuracy, area_accuracy[a])
            and not any(layer_of[b] == layer_of[a] and _neighbours(areas[a], areas[b]) for b in exact)}
    return exact | near


def _neighbours(first: BaseGeometry, second: BaseGeometry) -> bool:
    """Two areas of one layer that share (almost) no ground: neighbours, not one nested in the other."""
    return first.intersection(second).area < 0.05 * min(first.area, second.area)


def _line_relations(places: gpd.GeoDataFrame, metric: gpd.GeoSeries, accuracy: pd.Series, kinds: pd.Series,
                    unplaced: pd.DataFrame, areas: dict[str, BaseGeometry], area_accuracy: dict[str, float],
                    layer_of: dict[str, str], ancestors: dict[str, set[str]]
                    ) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Stations on lines; for each line the areas it lies in and the areas it crosses."""
    lines = [p for p in places.index if metric[p].geom_type in ("LineString", "MultiLineString")
             and (places.at[p, "layer"] == "rail_lines" or kinds[p] == "rail_line")]
    lines_of: dict[str, set[str]] = {}
    if "lines" in places.columns:
        for station, cell in places["lines"].dropna().items():
            lines_of[station] = {line for line in str(cell).split(";") if line}
    for p in places.index:
        if kinds[p] in STATION_KINDS and places.at[p, "layer"] != "rail_stations":
            near = {line for line in lines
                    if metric[line].distance(metric[p]) <= min(float(accuracy[p]), float(accuracy[line]))}
            if near:
                lines_of[p] = near
    station_areas = {station: _areas_holding_point(metric[station], float(accuracy[station]), areas, area_accuracy,
                                                   layer_of)
                     for station in lines_of if station in metric.index and metric[station].geom_type == "Point"}
    lines_in: dict[str, set[str]] = {}
    lines_crossing: dict[str, set[str]] = {}
    for line in lines:
        geometry, line_accuracy = metric[line], float(accuracy[line])
        served = set().union(*(station_areas.get(s, set()) for s, ls in lines_of.items() if line in ls))
        for area, polygon in areas.items():
            tolerance = min(line_accuracy, area_accuracy[area])
            if geometry.intersection(polygon.buffer(tolerance)).length >= CONTAIN_SHARE * geometry.length:
                lines_in.setdefault(line, set()).add(area)
            elif area in served or geometry.intersects(polygon.buffer(-tolerance)):
                lines_crossing.setdefault(line, set()).add(area)
    for row in unplaced.itertuples():
        if row.within:
            lines_in[row.id] = {row.within} | ancestors.get(row.within, set())
    return lines_of, lines_in, lines_crossing


def _closure(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every container of every place, following containers of containers."""
    closed: dict[str, set[str]] = {}

    def visit(place: str, seen: frozenset[str]) -> set[str]:
        if place in closed:
            return closed[place]
        found: set[str] = set()
        for parent in parents.get(place, set()) - seen:
            found |= {parent} | visit(parent, seen | {place})
        closed[place] = found
        return found

    for place in list(parents):
        visit(place, frozenset())
    return closed


@lru_cache(maxsize=1)
def hierarchy() -> Hierarchy:
    """The shipped data's hierarchy, built once per process."""
    return build_hierarchy(load_places(), load_unplaced_lines(), load_declared(), load_plan().structure)
