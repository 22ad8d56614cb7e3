"""A planner's own layer from file to map: read, decide its coordinate system, move to WGS84, check and repair.

One path for the app's upload and for `python -m layers check`, so both see the same layer and report.
When the coordinate system cannot be decided and the caller gave none, the layer is returned unconverted
with `needs_crs` set and the candidates to offer: the caller asks, nothing is guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.crs import CrsDecision, detect, label, to_wgs84
from geo.notes import Note
from geo.readers import SourceLayer, read_upload
from geo.repair import check_and_repair, id_column

# How the system was decided (CrsDecision.source), as the summary says it.
SOURCES = {"file": ("来自文件", "from file"), "format": ("来自格式", "from format"),
           "anchors": ("据同名地点判定", "from anchors"), "range": ("据坐标范围判定", "from range"),
           "user": ("已选择", "chosen")}


@dataclass
class UserLayer:
    """A layer as the planner brought it, and — once its system is known — ready to draw and check."""

    name: str
    source: SourceLayer
    decision: CrsDecision
    crs: str | None = None  # the system used: the detected one when certain, else the caller's choice
    frame: gpd.GeoDataFrame | None = None  # WGS84, repaired, no missing geometry
    report: pd.DataFrame = field(default_factory=pd.DataFrame)
    id_field: str | None = None

    @property
    def needs_crs(self) -> bool:
        return self.frame is None

    def summary(self) -> list[Note]:
        """What was read and decided, in lines a planner can check (each in both languages)."""
        layer = self.source.layer
        count = len(self.source.frame)
        part = "工作表" if self.source.format == "XLSX" else "图层"
        lines = [Note(f"{self.source.format}" + (f" · {part} {layer}" if layer else "") + f" · {count} 个要素",
                      f"{self.source.format}" + (f" · layer {layer}" if layer else "") + f" · {count} features")]
        if self.crs:
            zh, en = SOURCES.get(self.decision.source, (self.decision.source, f"from {self.decision.source}"))
            lines.append(Note(f"坐标系：{label(self.crs, 'zh')}（{zh}）", f"coordinate system: {label(self.crs)} ({en})"))
        return lines + self.source.notes + self.decision.notes


def load_user_layer(name: str, data: bytes, crs: str | None = None, layer: str | None = None,
                    anchors: gpd.GeoDataFrame | None = None) -> UserLayer:
    """Read the file's bytes; convert and repair when its system is certain or given (`crs`)."""
    source = read_upload(name, data, layer)
    decision = detect(source.frame, source.declared_by, anchors)
    result = UserLayer(name, source, decision)
    if crs is not None:
        decision.source = "user" if crs != decision.crs or not decision.certain else decision.source
        decision.certain = True
        result.crs = crs
    elif decision.certain and decision.crs is not None:
        result.crs = decision.crs
    else:
        return result
    wgs84 = to_wgs84(source.frame, result.crs, decision.swapped_axes)
    result.id_field = id_column(wgs84)
    result.frame, result.report = check_and_repair(wgs84, result.id_field)
    return result
