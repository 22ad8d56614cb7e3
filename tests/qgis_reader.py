"""Run by QGIS's own Python (Debian's python3-qgis), not by pytest: open a GeoPackage's layers as a planner's
QGIS does, print the style QGIS applied to each as JSON, and draw them together into a PNG.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_reader.py FILE.gpkg OUT.png LAYER…
"""
import json
import os
import sys

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProperty, QgsRenderContext,
                       QgsSymbolLayer, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

STROKE_PROPS = ("line_color", "outline_color", "line_width", "use_custom_dash", "customdash", "color")


def style_of(layer: QgsVectorLayer) -> dict:
    renderer = layer.renderer()
    symbols = []
    for symbol in renderer.symbols(QgsRenderContext()):
        for symbol_layer in symbol.symbolLayers():
            props = symbol_layer.properties()
            colour_from = symbol_layer.dataDefinedProperties().property(QgsSymbolLayer.PropertyStrokeColor)
            symbols.append({"type": symbol_layer.layerType(),
                            "props": {key: props[key] for key in STROKE_PROPS if key in props},
                            "stroke_colour_field": colour_from.field() if colour_from.isActive()
                            and colour_from.propertyType() == QgsProperty.FieldBasedProperty else None})
    labelling = layer.labeling().settings() if layer.labelsEnabled() else None
    return {"valid": layer.isValid(), "features": layer.featureCount(), "renderer": renderer.type(),
            "symbol_layers": symbols, "label_field": labelling.fieldName if labelling else None}


def main(path: str, image: str, names: list[str]) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    layers = [QgsVectorLayer(f"{path}|layername={name}", name, "ogr") for name in names]
    styles = {layer.name(): style_of(layer) for layer in layers}
    settings = QgsMapSettings()
    settings.setLayers(list(reversed(layers)))  # the first named on top, as in QGIS's layer panel
    settings.setDestinationCrs(layers[0].crs())
    areas = [layer.extent() for layer in layers if layer.geometryType() == QgsWkbTypes.PolygonGeometry]
    extent = areas[0]
    for area in areas[1:]:
        extent.combineExtentWith(area)
    settings.setExtent(extent.buffered(extent.width() * 0.03))  # the areas, not the lines across Beijing
    settings.setOutputSize(QSize(1200, 900))
    settings.setBackgroundColor(QColor("white"))
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    settings.setOutputDpi(96)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(image, "png")
    placed = {layer.id(): layer.name() for layer in layers}
    for label in job.takeLabelingResults().allLabels():
        styles[placed[label.layerID]].setdefault("labels_drawn", []).append(label.labelText)
    print(json.dumps(styles, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22's teardown crashes (exitQgis with layers alive); the image and JSON are written


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
