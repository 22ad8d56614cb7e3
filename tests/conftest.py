"""Shared fixtures: the shipped layers, loaded once per test session."""
from __future__ import annotations

import geopandas as gpd
import pytest

from geo.load import read_layer
from geo.paths import DATA_DIR, SHARED_DIR


@pytest.fixture(scope="session")
def layer():
    cache: dict[str, gpd.GeoDataFrame] = {}

    def load(name: str) -> gpd.GeoDataFrame:
        if name not in cache:
            cache[name] = read_layer(DATA_DIR / f"{name}.geojson")
        return cache[name]

    return load


@pytest.fixture(scope="session")
def shared_geodata():
    path = SHARED_DIR / "geodata"
    if not path.exists():
        pytest.skip(f"reference data not found at {path} (CI has ../shared beside the clone)")
    return path
