"""SVG report maps keep text as <text> and carry the fonts it uses: a subset of each face holding every glyph drawn."""
from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
from fontTools.ttLib import TTFont

from layers.static_map import render_map
from layers.svg_fonts import SVG_NS, embed_fonts, text_faces

FONT_FACE = re.compile(r"@font-face\{font-family:'([^']+)';font-weight:(\d+);font-style:(\w+);"
                       r"src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\) format\('woff2'\)\}")


@pytest.fixture(scope="module")
def svg() -> bytes:
    return render_map(focus="cbd_core", fmt="svg", orientation="portrait", dpi=80).data


def embedded_faces(svg: bytes) -> dict[tuple[str, int, str], TTFont]:
    style = "".join(element.text or "" for element in ET.fromstring(svg).iter(f"{SVG_NS}style"))
    return {(family, int(weight), font_style): TTFont(io.BytesIO(base64.b64decode(data)))
            for family, weight, font_style, data in FONT_FACE.findall(style)}


def test_text_stays_text_and_every_glyph_is_in_an_embedded_face(svg):
    texts = ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG_NS}text")]
    assert "建外街道" in texts and any("边界为示意" in text for text in texts)
    faces = embedded_faces(svg)
    used = text_faces(svg)
    assert {(face.family, face.weight, face.style) for face in used} == set(faces)
    for face, characters in used.items():
        font = faces[(face.family, face.weight, face.style)]
        cmap = font.getBestCmap()
        missing = [char for char in characters if ord(char) not in cmap]
        assert not missing, (face, missing)
        assert font.flavor == "woff2"
        assert font["name"].getDebugName(1) == face.family  # the face the <text> elements name, not JP or KR


def test_the_fonts_are_subsets_and_the_file_stays_reasonable(svg):
    faces = embedded_faces(svg)
    for font in faces.values():
        assert len(font.getGlyphOrder()) < 400  # a CJK face holds some 65 000 glyphs
    style_bytes = sum(len(element.text or "") for element in ET.fromstring(svg).iter(f"{SVG_NS}style"))
    assert style_bytes < 250_000, f"{style_bytes:,} bytes of embedded fonts"


def test_an_svg_without_text_is_left_alone():
    plain = (b'<svg xmlns="http://www.w3.org/2000/svg"><defs><style>*{}</style></defs>'
             b'<path d="M 0 0 L 1 1"/></svg>')
    assert embed_fonts(plain) == plain
