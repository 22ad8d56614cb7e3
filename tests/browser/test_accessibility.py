"""Accessibility and layer opacity in the real app (issue 13, items 4 and 7), in headless Chromium: what the
accessibility tree gives a screen reader for the layer boxes and the details' tables, tables as downloads a
keyboard reaches, and each layer's own opacity."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from geo.describe import describe
from geo.places import load_places
from geo.plan import load_plan
from layers.catalog import load_catalog
from layers.i18n import t
from ui.indicator_views import table1
from tests.browser.test_app_browser import FIND_MAP, MAP_IFRAME, TIMEOUT_S, open_app, screenshot, wait_until
from tests.browser.test_viewer_flow import param

pytestmark = pytest.mark.browser
ON_APP = pytest.mark.parametrize("app_script", ["server.py"], indirect=True)


def accessibility_tree(page) -> list[tuple[str, str]]:
    """(role, name) of every node of Chromium's full accessibility tree: what a screen reader walks, CSS
    pseudo-element content and images included."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return [(n.get("role", {}).get("value", ""), str(n.get("name", {}).get("value", ""))) for n in nodes]


@ON_APP
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_layer_boxes_read_as_the_name_and_schematic_in_plain_words(lang, streamlit_server, page, page_errors, capsys):
    open_app(page, streamlit_server, f"?lang={lang}")
    zone = load_catalog().layers["cbd_zone"]
    expected = "CBD功能区（示意）" if lang == "zh" else "CBD functional zone (schematic)"
    box = page.get_by_role("checkbox", name=expected, exact=True)
    box.wait_for(timeout=TIMEOUT_S * 1000)
    assert box.is_checked()
    rail = page.get_by_role("checkbox", name=load_catalog().layers["rail_operating"].title(lang), exact=True)
    assert rail.count() == 1  # not schematic: its name only
    assert zone.schematic
    sidebar = page.locator('[data-testid="stSidebar"]')
    tree = sidebar.aria_snapshot()
    for markup in (":gray-badge", "data:", "base64", "svg", "\\("):
        assert markup not in tree, (markup, tree)
    # Swatches are CSS with empty content: nothing of them in the tree a screen reader walks.
    tree_nodes = accessibility_tree(page)
    assert ("checkbox", expected) in tree_nodes
    assert not [node for node in tree_nodes if "data:" in node[1] or "gray-badge" in node[1]]
    assert not [node for node in tree_nodes if node[0] == "image" and not node[1]], "an unnamed image"
    swatch = page.evaluate("""() => getComputedStyle(document.querySelector(
        '.st-key-layer_cbd_zone label [data-testid="stMarkdownContainer"] p'), '::before').backgroundImage""")
    assert swatch.startswith('url("data:image/svg+xml'), swatch  # the swatch is still drawn
    screenshot(page, f"a11y_layer_boxes_{lang}", capsys)
    assert page_errors == []


@ON_APP
def test_indicator_tables_download_as_csv_from_the_keyboard(streamlit_server, page, page_errors, capsys):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_server + "?panel=indicators")
    name = "下载表格（CSV）：" + t("table1", "zh")
    button = page.get_by_role("button", name=name, exact=True)
    button.wait_for(timeout=TIMEOUT_S * 1000)
    for table in ("beijing_indicators", "monitoring", "subcentre_targets"):
        page.get_by_role("button", name="下载表格（CSV）：" + t(table, "zh"), exact=True).wait_for(timeout=10_000)
    button.focus()
    with page.expect_download(timeout=TIMEOUT_S * 1000) as download:
        page.keyboard.press("Enter")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    shown = table1(load_plan(), "zh")
    assert rows[0] == [str(column) for column in shown.columns]  # the header a screen reader names cells by
    assert len(rows) == len(shown) + 1
    screenshot(page, "a11y_indicator_downloads", capsys)
    assert page_errors == []


@ON_APP
def test_a_places_tasks_download_with_why_each_is_listed(streamlit_server, page, page_errors, capsys):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_server + "?place=cbd_core")
    button = page.get_by_role("button", name="下载表格（CSV）：" + t("tasks", "zh"), exact=True)
    button.wait_for(timeout=TIMEOUT_S * 1000)
    with page.expect_download(timeout=TIMEOUT_S * 1000) as download:
        button.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    report = describe("cbd_core", load_plan(), load_places())
    assert len(rows) == len(report.tasks) and {row["id"] for row in rows} == set(report.tasks["id"])
    assert all(row[t("via", "zh")] for row in rows)
    assert page_errors == []


@ON_APP
def test_a_places_details_are_tables_a_screen_reader_reads_cell_by_cell(streamlit_server, page, page_errors,
                                                                        capsys):
    """Facts, task groups and indicators are HTML tables: named by their caption, with column headers (and the
    facts' row headers) announced with each cell; a long group scrolls in a box the keyboard reaches."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_server + "?place=cbd_core")
    report = describe("cbd_core", load_plan(), load_places())
    facts = page.get_by_role("table", name=report.name_zh, exact=True)
    facts.wait_for(timeout=TIMEOUT_S * 1000)
    assert facts.get_by_role("columnheader").all_inner_texts() == ["项目", "内容"]
    assert facts.get_by_role("rowheader", name=t("area", "zh"), exact=True).count() == 1
    tasks = page.get_by_role("table", name=f"{t('own_and_inside', 'zh')} (")
    assert tasks.first.get_by_role("columnheader", name=t("via", "zh"), exact=True).count() == 1
    indicators = page.get_by_role("table", name=t("indicators", "zh"), exact=True)
    assert indicators.get_by_role("row").count() == len(report.indicators) + 1
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no canvas grid in the details
    tree = accessibility_tree(page)
    assert ("table", report.name_zh) in tree and ("columnheader", t("via", "zh")) in tree
    box = page.get_by_role("region", name=f"{t('own_and_inside', 'zh')} (")  # a long group scrolls in its box
    assert box.evaluate("e => e.scrollHeight > e.clientHeight && e.tabIndex === 0")
    screenshot(page, "a11y_details_facts_zh", capsys)
    box.scroll_into_view_if_needed()
    screenshot(page, "a11y_details_tasks_zh", capsys)
    # A folded group (the city's tasks) is drawn once opened, with all its rows.
    city = t("wide_tasks", "zh").format(place="北京市")
    wide = report.tasks[report.tasks["via"] == "part_of"]
    assert page.get_by_role("table", name=city).count() == 0
    summary = page.locator('[data-testid="stExpander"] summary', has_text=city)
    count = int(summary.inner_text().rsplit("(", 1)[1].rstrip(")"))
    summary.click()
    table = page.get_by_role("table", name=f"{city} ({count})", exact=True)
    table.wait_for(timeout=TIMEOUT_S * 1000)
    assert 0 < count <= len(wide) and table.locator("tbody tr").count() == count
    assert page_errors == []


# Stroke and fill opacity of one layer's SVG paths, as drawn.
PATH_OPACITY = """([name, layerId]) => {
    const found = [];
    window[name].eachLayer(l => { if (l instanceof L.GeoJSON && l.planmapLayer === layerId)
        l.eachLayer(p => { if (p._path) found.push([+p._path.getAttribute('stroke-opacity'),
                                                    +p._path.getAttribute('fill-opacity')]); }); });
    return found;
}"""


def opacities(frame, name: str, layer_id: str) -> set[tuple[float, float]]:
    return {(round(stroke, 3), round(fill, 3)) for stroke, fill in frame.evaluate(PATH_OPACITY, [name, layer_id])}


@ON_APP
def test_each_layer_has_its_own_opacity_kept_across_reruns_and_in_the_link(streamlit_server, page, page_errors,
                                                                            capsys):
    frame, name = open_app(page, streamlit_server, "?layers=cbd_zone,cbd_core")
    zone, core = load_catalog().layers["cbd_zone"], load_catalog().layers["cbd_core"]
    full_zone, full_core = {(0.95, zone.fill_opacity)}, {(0.95, core.fill_opacity)}
    wait_until(lambda: opacities(frame, name, "cbd_zone") == full_zone and opacities(frame, name, "cbd_core") == full_core,
               "both layers opaque")
    frame.locator(".planmap-opacity-toggle").click()
    slider = frame.get_by_role("slider", name="透明度：CBD功能区")
    slider.fill("30")
    faded = {(round(0.95 * 0.3, 3), round(zone.fill_opacity * 0.3, 3))}
    assert opacities(frame, name, "cbd_zone") == faded
    assert opacities(frame, name, "cbd_core") == full_core  # the other layer is untouched
    wait_until(lambda: param(page, "op") == "cbd_zone:30", "the opacity in the link")
    screenshot(page, "a11y_layer_opacity", capsys)
    # A pan and a layer toggle rerun the page (the toggle draws every layer again): the opacity stays.
    frame.evaluate("(n) => window[n].setView([39.92, 116.47], 13, {animate: false})", name)
    wait_until(lambda: (param(page, "view") or "").endswith(",13"), "the pan in the link")
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').filter(has_text="车站").click()
    wait_until(lambda: "rail_stations" in (param(page, "layers") or ""), "stations drawn")
    wait_until(lambda: frame.evaluate("(n) => { let k = 0; window[n].eachLayer(l => { if (l.planmapLayer === "
                                      "'rail_stations') k++; }); return k; }", name), "the stations layer")
    assert opacities(frame, name, "cbd_zone") == faded and opacities(frame, name, "cbd_core") == full_core
    assert param(page, "op") == "cbd_zone:30"
    # A reload (or the link sent to a colleague) draws the layer at the same opacity, its slider at 30 %.
    page.reload()
    page.locator(MAP_IFRAME).wait_for(timeout=TIMEOUT_S * 1000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    name = wait_until(lambda: frame.evaluate(FIND_MAP), "the map after reload")
    wait_until(lambda: opacities(frame, name, "cbd_zone") == faded, "the faded zone after reload")
    frame.locator(".planmap-opacity-toggle").click()
    assert frame.get_by_role("slider", name="透明度：CBD功能区").input_value() == "30"
    assert page_errors == []


# Each drawn line of a layer with its casing path: stroke, width, opacity, whether it takes the mouse, and whether
# the casing lies under the line in the SVG (earlier in document order).
CASED_LINES = """([name, layerId]) => {
    const lines = {}, casings = {};
    window[name].eachLayer(l => {
        if (!(l instanceof L.GeoJSON)) return;
        const into = l.planmapLayer === layerId ? lines : l.planmapCasingOf === layerId ? casings : null;
        if (into) l.eachLayer(p => { if (p._path) into[p.feature.properties.fid] = p._path; });
    });
    return Object.keys(lines).map(fid => {
        const line = lines[fid], casing = casings[fid];
        return {fid, line: line.getAttribute('stroke'), lineWidth: +line.getAttribute('stroke-width'),
                casing: casing && casing.getAttribute('stroke'), width: casing && +casing.getAttribute('stroke-width'),
                opacity: casing && +casing.getAttribute('stroke-opacity'),
                dash: casing && casing.getAttribute('stroke-dasharray') === line.getAttribute('stroke-dasharray'),
                interactive: casing && casing.classList.contains('leaflet-interactive'),
                under: casing && !!(casing.compareDocumentPosition(line) & Node.DOCUMENT_POSITION_FOLLOWING)};
    });
}"""


@ON_APP
def test_pale_official_line_colours_are_drawn_on_a_casing_that_follows_the_layer(streamlit_server, page, page_errors,
                                                                                 capsys):
    rail = load_catalog().layers["rail_operating"]
    frame, name = open_app(page, streamlit_server, "?layers=context_districts,context_roads,context_rivers,cbd_core,"
                                                   "rail_operating,rail_construction")
    frame.evaluate("(n) => window[n].setView([39.912, 116.465], 13, {animate: false})", name)
    lines = wait_until(lambda: frame.evaluate(CASED_LINES, [name, "rail_operating"]), "the operating lines")
    by_colour = {line["line"].upper(): line for line in lines}
    assert {"#FFC56E", "#D5A7A1", "#00A9A9", "#B58500", "#0092BC"} <= set(by_colour)  # lines 7, 14, 17, 6, 10
    for line in lines:
        assert line["casing"] == rail.casing and line["width"] == line["lineWidth"] + 2, line
        assert line["under"] and line["dash"] and not line["interactive"], line
        assert line["opacity"] == pytest.approx(0.95), line
    construction = frame.evaluate(CASED_LINES, [name, "rail_construction"])
    assert construction and all(line["casing"] and line["dash"] and line["under"] for line in construction)
    screenshot(page, "a11y_cased_lines_z13", capsys)
    # The layer's opacity slider fades its casing with it.
    frame.locator(".planmap-opacity-toggle").click()
    frame.get_by_role("slider", name="透明度：运营线路").fill("40")
    assert {round(line["opacity"], 3) for line in frame.evaluate(CASED_LINES, [name, "rail_operating"])} == {
        round(0.95 * 0.4, 3)}
    # Switched off, the layer takes its casing with it.
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').filter(has_text="运营线路").click()
    wait_until(lambda: "rail_operating" not in (param(page, "layers") or ""), "the operating lines off")
    wait_until(lambda: frame.evaluate("(n) => { let k = 0; window[n].eachLayer(l => { if (l.planmapCasingOf === "
                                      "'rail_operating') k++; }); return k === 0; }", name), "their casing gone")
    assert page_errors == []
