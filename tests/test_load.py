"""Bad input gets a clear message naming the file and the feature."""
from __future__ import annotations

import json

import pytest

from geo.load import LayerError, read_layer

GOOD = {"id": "a", "name_zh": "甲", "name_en": "A", "source": "test", "method": "test", "accuracy_m": 10}
SQUARE = {"type": "Polygon", "coordinates": [[[116.4, 39.9], [116.5, 39.9], [116.5, 40.0], [116.4, 40.0], [116.4, 39.9]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[116.4, 39.9], [116.5, 40.0], [116.5, 39.9], [116.4, 40.0], [116.4, 39.9]]]}


def write(tmp_path, features, **extra):
    path = tmp_path / "layer.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}, ensure_ascii=False), encoding="utf-8")
    return path


def feature(properties=GOOD, geometry=SQUARE):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_good_layer_loads(tmp_path):
    frame = read_layer(write(tmp_path, [feature()]))
    assert frame["name_zh"].iloc[0] == "甲"


@pytest.mark.parametrize(("text", "message"), [
    ('{"type": "FeatureCollection", "features": [', r"broken\.geojson: malformed JSON at line 1"),
    ("[1, 2, 3]", r"broken\.geojson: expected a GeoJSON FeatureCollection"),
])
def test_unreadable_json_is_explained_with_the_file(tmp_path, text, message):
    path = tmp_path / "broken.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError, match=message):
        read_layer(path)


def test_invalid_geometry_names_the_feature(tmp_path):
    with pytest.raises(LayerError, match=r"feature 'a': invalid geometry \(Self-intersection"):
        read_layer(write(tmp_path, [feature(geometry=BOWTIE)]))


def test_missing_provenance_is_refused(tmp_path):
    properties = {k: v for k, v in GOOD.items() if k != "accuracy_m"}
    with pytest.raises(LayerError, match="missing properties accuracy_m"):
        read_layer(write(tmp_path, [feature(properties=properties)]))


def test_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(LayerError, match="duplicate ids a"):
        read_layer(write(tmp_path, [feature(), feature()]))


def test_projected_crs_is_refused(tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32650"}}
    with pytest.raises(LayerError, match="CRS is EPSG:32650, expected EPSG:4326"):
        read_layer(write(tmp_path, [feature()], crs=crs))


def test_swapped_axes_are_refused(tmp_path):
    swapped = {"type": "Point", "coordinates": [39.9, 116.4]}
    with pytest.raises(LayerError, match="outside lon/lat range"):
        read_layer(write(tmp_path, [feature(geometry=swapped)]))


def test_missing_file(tmp_path):
    with pytest.raises(LayerError, match="file not found"):
        read_layer(tmp_path / "nope.geojson")
