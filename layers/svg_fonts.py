"""Fonts embedded in SVG report maps, so text stays <text> (searchable, editable) and looks the same anywhere.

matplotlib writes SVG text as <text> elements that name a font family (svg.fonttype "none") but does not
embed the font: on a machine without Noto Sans CJK the map would fall back to another face, or to boxes.
Here every face the text uses is subset with fontTools to the characters drawn in it and added to the SVG's
<defs> as an @font-face WOFF2 data URL under the family name the <text> elements already carry. A CJK face
is some 20 MB; the subset of a report map is some 35 KB.
"""
from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from fontTools import subset
from fontTools.ttLib import TTFont
from matplotlib import font_manager

SVG_NS = "{http://www.w3.org/2000/svg}"
# OS/2 fsType bit 1: "restricted licence embedding" — such a face must not be embedded.
RESTRICTED_EMBEDDING = 0x0002


@dataclass(frozen=True)
class FaceRequest:
    """What a <text> element asks for: a family, a CSS weight and a style."""

    family: str
    weight: int
    style: str


def text_faces(svg: bytes) -> dict[FaceRequest, set[str]]:
    """The characters each requested face draws, read from the SVG's <text> elements."""
    faces: dict[FaceRequest, set[str]] = defaultdict(set)
    for element in ET.fromstring(svg).iter(f"{SVG_NS}text"):
        style = _css_declarations(element.get("style", ""))
        families = [name.strip().strip("'\"") for name in style.get("font-family", "").split(",")]
        request = FaceRequest(families[0], int(style.get("font-weight", "400")), style.get("font-style", "normal"))
        faces[request] |= set("".join(element.itertext()))
    return faces


def embed_fonts(svg: bytes) -> bytes:
    """The SVG with an @font-face rule per face its text uses, each holding the subset of the glyphs drawn."""
    faces = text_faces(svg)
    if not faces:
        return svg
    files: dict[tuple[str, int], set[str]] = defaultdict(set)  # one subset per font file and face index
    located = {}
    for request, characters in faces.items():
        source = _font_source(request)
        if source is not None:
            located[request] = source
            files[source] |= characters
    fonts = {source: _subset_woff2(source, characters) for source, characters in files.items()}
    rules = [_font_face(request, fonts[source]) for request, source in located.items() if fonts[source]]
    if not rules:
        return svg
    style = '<style type="text/css">' + "\n".join(rules) + "</style>\n"
    head, defs, tail = svg.partition(b"<defs>")
    if not defs:
        raise ValueError("no <defs> element in the SVG to hold the embedded fonts")
    return head + defs + b"\n  " + style.encode("utf-8") + tail


def _css_declarations(style: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    return {name.strip(): value.strip() for name, value in pairs}


def _font_source(request: FaceRequest) -> tuple[str, int] | None:
    """(file, face index) of the face matplotlib draws this request with; None for a generic or missing family."""
    if request.family in font_manager.font_family_aliases:
        return None
    properties = font_manager.FontProperties(family=request.family, weight=request.weight, style=request.style)
    try:
        path = str(font_manager.findfont(properties, fallback_to_default=False))
    except ValueError:
        return None
    return path, _face_index(path, request.family)


def _face_index(path: str, family: str) -> int:
    """The face of a collection (.ttc) whose family name is the one asked for: NotoSansCJK-Regular.ttc holds the
    JP, KR, SC, TC and HK faces, and the SVG names SC."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        names = {font["name"].getDebugName(name_id) for name_id in (1, 16)}
        if family in names:
            return index
    return 0


def _subset_woff2(source: tuple[str, int], characters: set[str]) -> bytes:
    """The face cut down to these characters, as WOFF2; empty when its licence forbids embedding."""
    path, index = source
    font = TTFont(path, fontNumber=index, lazy=True)
    if "OS/2" in font and font["OS/2"].fsType & RESTRICTED_EMBEDDING:
        return b""
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # hints are for screen pixels at small sizes; the map is scaled anyway
    options.desubroutinize = True  # compresses better in WOFF2
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


def _font_face(request: FaceRequest, woff2: bytes) -> str:
    """One @font-face rule under the family name the <text> elements use (escaped for CSS inside XML)."""
    family = re.sub(r"[\\'<>&]", "", request.family)
    data = base64.b64encode(woff2).decode("ascii")
    return (f"@font-face{{font-family:'{family}';font-weight:{request.weight};font-style:{request.style};"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}")
