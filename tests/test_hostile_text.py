"""Text from a link or a layer stays text: in alerts and labels (Markdown), the details' HTML tables, report
maps (mathtext) and spreadsheet exports (formulas); and link values are cut before the page reads them."""
from __future__ import annotations

import io
import re
import string
import time
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from layers import export
from layers.i18n import t
from layers.safe_text import SHOWN_CHARS, WORD_JOINER, label_inert, markdown_inert, neutralise_formula
from layers.static_map import render_map
from layers.view_state import ID_CHARS, parse_params
from tests.html_tables import read_tables
from ui.accessible import html_table
from tests.app_page import whole_page

PHISH = "[点此登录 log in](http://evil.example/login) ![t](http://evil.example/t.png)"
HOSTILE = [PHISH, "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7*7 }} {% if %}",
           "http://evil.example/x www.evil.example a@evil.example", "$x^2$ :red[alarm] &amp; **bold**",
           "line one\n# heading\n---"]
ESCAPED = re.compile(r"\\[" + re.escape(string.punctuation) + "]")


def _unescaped_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation left active in the text (not preceded by a backslash that escapes it)."""
    return [char for char in ESCAPED.sub("", markdown) if char in string.punctuation]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_inert_escapes_every_active_character_and_keeps_the_text(text):
    inert = markdown_inert(text)
    assert _unescaped_punctuation(inert) == []
    assert "\n" not in inert
    assert re.sub(r"\\(.)", r"\1", inert).replace(WORD_JOINER, "") == " ".join(text.split())
    assert not re.search(r"https?://|www\.|@\w", inert.replace("\\", ""))  # no autolink can start


@pytest.mark.parametrize("text", HOSTILE + ["1. a list", "- an item", "+ an item", "> a quote", "a \\ b"])
def test_label_inert_escapes_what_starts_markdown_and_keeps_plain_punctuation(text):
    inert = label_inert(text)
    active = set("\\`*_[]!<>&~$:|#{}")
    assert [char for char in ESCAPED.sub("", inert) if char in active] == []
    assert not re.match(r"\d+[.)]|[-+>]", inert)  # no list, quote or heading can start
    assert re.sub(r"\\(.)", r"\1", inert).replace(WORD_JOINER, "") == " ".join(text.split())
    assert not re.search(r"https?://|www\.|@\w", inert.replace("\\", ""))
    assert label_inert("The zone's 17 streets (schematic), 1.5 km/h") == "The zone's 17 streets (schematic), 1.5 km/h"


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, tuple(name for name, _ in attrs)))


@pytest.mark.parametrize("row_headers", [False, True])
def test_html_tables_keep_markup_in_every_cell_as_text(row_headers):
    """Caption, headers, cells and the row id of a details table (a list of rows scrolls in a box named by the
    caption) hold markup: it stays text, the same text."""
    cells = HOSTILE * 2
    frame = pd.DataFrame({"id": cells, HOSTILE[1]: cells, "值 \"quoted\" 'x'": list(reversed(cells))})
    shown = html_table(frame, HOSTILE[1] + PHISH, row_headers=row_headers)
    elements = _Elements()
    elements.feed(shown)
    assert {tag for tag, _ in elements.found} == {"div", "table", "caption", "thead", "tbody", "tr", "th", "td"}
    boxed = set() if row_headers else {"tabindex", "role", "aria-label"}
    assert {name for _, names in elements.found for name in names} == {"class", "scope", "data-id"} | boxed
    [(caption, read)] = read_tables(shown)
    assert caption == HOSTILE[1] + PHISH
    pd.testing.assert_frame_equal(read, frame, check_dtype=False)


def test_markdown_inert_cuts_a_runaway_value():
    assert len(markdown_inert("x" * 100_000)) == SHOWN_CHARS


def test_unknown_place_from_a_link_is_shown_as_text_not_as_a_link_or_image():
    at = whole_page(60)
    at.query_params["place"] = PHISH
    at.query_params["layers"] = "cbd_core,](http://evil.example)"
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    prefix = t("unknown_place", "zh")
    assert error.startswith(prefix) and _unescaped_punctuation(error.removeprefix(prefix)) == []
    [warning] = [w.value for w in at.warning]
    assert _unescaped_punctuation(warning.removeprefix(t("unknown_layer", "zh"))) == []


def test_link_values_are_cut_before_the_page_reads_them():
    state = parse_params({"place": "p" * 100_000, "task": "t" * 100_000,
                          "layers": ",".join(f"x{i}" for i in range(50_000))}, ["offline"])
    assert len(state.place) == ID_CHARS and len(state.task) == ID_CHARS
    assert len(state.ignored_layers) <= 20

    at = whole_page(60)
    at.query_params["place"] = "p" * 100_000
    started = time.perf_counter()
    at.run()
    assert not at.exception
    assert len(at.query_params["place"][0] if isinstance(at.query_params["place"], list)
               else at.query_params["place"]) == ID_CHARS
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(("cell", "expected"), [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"),
    ("-3.5", "-3.5"), ("+12", "+12"), ("CBD中心区", "CBD中心区"), (7, 7), (None, None),
])
def test_spreadsheet_formula_prefixes_are_neutralised(cell, expected):
    assert neutralise_formula(cell) == expected


@pytest.fixture
def formula_plan(monkeypatch):
    """The shipped plan with one task's title turned into a formula."""
    plan = export.load_plan()
    tasks = plan.tasks.copy()
    tasks.loc[0, "title_en"] = "=HYPERLINK(\"http://evil.example\",\"click\")"
    tasks.loc[0, "title_zh"] = "@SUM(1+1)"
    monkeypatch.setattr(export, "load_plan", lambda: type(plan)(tasks, plan.indicators, plan.values, plan.structure))
    return tasks.loc[0, "id"]


def test_csv_export_holds_no_live_formula(formula_plan):
    table = pd.read_csv(io.BytesIO(export.tasks_csv()), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = table[table["id"] == formula_plan].iloc[0]
    assert row["title_en"] == "'=HYPERLINK(\"http://evil.example\",\"click\")" and row["title_zh"] == "'@SUM(1+1)"
    assert not table.map(lambda cell: cell.startswith(("=", "+", "@"))).any().any()


def test_xlsx_export_holds_no_formula_cell(formula_plan):
    workbook = openpyxl.load_workbook(io.BytesIO(export.plan_xlsx()))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in {cell.value for cell in cells}


def test_a_dollar_sign_in_a_report_map_title_is_text_not_mathtext():
    rendered = render_map(["cbd_core"], fmt="svg", title=r"成本 $\frac{1}{$ 万元", dpi=72)  # raised before
    assert rendered.data.startswith(b"<?xml")


@pytest.fixture
def hostile_layer(monkeypatch):
    """cbd_core's features named with markup, a link, template syntax and a formula, for the exporters."""
    real = export.layer_frame

    def fake(spec):
        frame = real(spec)
        if spec.id == "cbd_core":
            frame["name_zh"] = HOSTILE_NAME
            frame["name_en"] = HOSTILE_NAME
        return frame

    monkeypatch.setattr(export, "layer_frame", fake)
    return HOSTILE_NAME


HOSTILE_NAME = "<b>x</b> & [a](javascript:alert(1)) {{ 7*7 }} {% if %} =1+1 $y$"


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "kml"])
def test_every_layer_export_keeps_hostile_text_as_the_same_text(hostile_layer, fmt, tmp_path):
    import pyogrio

    data = export.export(fmt, ["cbd_core"])
    path = tmp_path / f"out{export.FORMATS[fmt].extension}"
    path.write_bytes(data)
    frame = pyogrio.read_dataframe(f"/vsizip/{path}/cbd_core.shp" if fmt == "shp" else path)
    column = "Name" if fmt == "kml" else "name_zh"
    assert set(frame[column]) == {hostile_layer}

