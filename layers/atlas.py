"""The atlas: one A4 page per place, as QGIS's atlas would print it, with continuation pages for long tables.

Each place gets its focused map (labelled, with inset, scale bar and legend), its facts (area measured and
official with the note on why they differ, drawing accuracy and its basis), its indicators with their flags
and its own tasks with their citations (named there, inside it, crossing it, or through the plan's structure).
A task that applies because the place lies in a larger area (the zone, 朝阳区, the city) is printed once, where
that area's tasks are: on the area's own pages when the atlas has them, else in the appendix that closes the
atlas; each place page counts those tasks by area and says where they are. Every task of every place is in
the atlas, and a city-wide task is not printed 17 times (the whole atlas once ran to 394 pages). Text is laid out in millimetres from the top of the page and wrapped
to its column; a table row that does not fit moves to a continuation page under a repeated header.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo.describe import place_name
from layers.catalog import load_catalog
from layers.i18n import STATUS, pick
from layers.own_layers import OwnLayer
from layers.place_facts import describe_place, shipped_places
from layers.provenance import licence_text
from layers.static_map import (CHROME_TEXT, INK, PAPER_MM, TEXT_AS_TEXT, PageCanvas, RenderError, cjk_font,
                               draw_legend, draw_map_panel, map_notes, page_sources, plan_map, wrap_to_width)

PAGE_MM = PAPER_MM["A4"]  # portrait
MARGIN_MM = 12.0
MAP_HEIGHT_MM = 118.0
LEGEND_HEIGHT_MM = 30.0
FOOTER_MM = 13.0
BODY_PT = 7.0
LINE_FACTOR = 1.45  # line height as a multiple of the font size
MM_PER_PT = 25.4 / 72
CBD_PLACES = ("cbd_zone", "cbd_core")
SUBCENTRE_PLACES = ("subcentre",)
WORDS = {
    "zh": {"continued": "（续）", "facts": "基本情况", "measured": "实测面积", "official": "官方面积",
           "accuracy": "绘制精度", "basis": "依据", "licence": "许可", "indicators": "指标", "tasks": "规划任务",
           "no_tasks": "规划未列出与此地相关的任务。", "no_indicators": "规划未设此地的指标。",
           "page": "第 {} 页", "inherited": "另有 {total} 项任务因其所属范围而适用：{areas}。",
           "inherited_where": "全文见本图集{where}。", "area_pages": "“{}”页", "appendix": "附录",
           "appendix_title": "附录 · 所属范围的任务", "appendix_note": "以下任务适用于所列范围内的每一地点；各地点页列出了其数量。",
           "appendix_sources": "规划文件（出处见各行）",
           "area_count": "{name} {count} 项", "list_sep": "、", "task_columns": ("编号", "任务", "状态", "关联", "出处（文件 · 章节 · 原文）"),
           "indicator_columns": ("指标", "单位", "基期", "目标", "最新", "标记"),
           "title": "北京规划一张图 · 地点图集"},
    "en": {"continued": " (continued)", "facts": "Facts", "measured": "Measured area", "official": "Official area",
           "accuracy": "Drawing accuracy", "basis": "basis", "licence": "Licence", "indicators": "Indicators",
           "tasks": "Plan tasks", "no_tasks": "The plans list no task for this place.",
           "no_indicators": "The plans set no indicator for this place.", "page": "page {}",
           "inherited": "{total} more tasks apply because the place lies in: {areas}.",
           "inherited_where": "They are printed in full on {where}.", "area_pages": "the pages of {}",
           "appendix": "the appendix", "appendix_title": "Appendix · tasks of the areas places lie in",
           "appendix_note": "These tasks apply to every place inside the area named; each place's page counts them.",
           "appendix_sources": "the plan documents (each row names its source)",
           "area_count": "{name} {count}", "list_sep": ", ",
           "task_columns": ("ID", "Task", "Status", "Link", "Source (document · section · quote)"),
           "indicator_columns": ("Indicator", "Unit", "Baseline", "Target", "Latest", "Flag"),
           "title": "Plan Map · atlas of places"},
}
VIA = {"direct": ("直接提及", "names it"), "inside": ("区内地点", "place inside"), "crossing": ("穿越", "crossing"),
       "structure": ("空间结构", "structure"), "part_of": ("所属范围", "part of")}
TASK_WIDTHS_MM = (20.0, 48.0, 16.0, 16.0, 86.0)
INHERITED_VIA = "part_of"  # a task of an area that holds the place (geo/describe.py)
INDICATOR_WIDTHS_MM = (62.0, 22.0, 24.0, 28.0, 24.0, 26.0)


def atlas_places() -> list[str]:
    """Every place the atlas covers, in reading order: the zone, the core, the 17 streets, the sub-centre and
    its key places."""
    places = shipped_places()
    streets = places.loc[places["layer"] == "cbd_streets", "id"].tolist()
    key_places = places.loc[places["layer"] == "subcentre_places", "id"].tolist()
    return list(CBD_PLACES) + streets + list(SUBCENTRE_PLACES) + key_places


@dataclass
class AtlasResult:
    """The PDF's bytes and where each place starts (zero-based page index) and how many pages it takes."""

    data: bytes
    pages: int
    place_pages: dict[str, tuple[int, int]] = field(default_factory=dict)
    appendix_pages: tuple[int, int] | None = None


def own_tasks(place_id: str) -> list[dict]:
    return [task for task in describe_place(place_id)["tasks"] if task["via"] != INHERITED_VIA]


def inherited_tasks(place_id: str) -> list[dict]:
    return [task for task in describe_place(place_id)["tasks"] if task["via"] == INHERITED_VIA]


def holding_area(task: dict, chosen: Sequence[str]) -> tuple[str, bool]:
    """Where an inherited task is printed: (the area, True) when a chosen place's pages list it as its own,
    else (the first area the task comes through, False): the appendix."""
    areas = list(task.get("via_places") or [])
    for area in areas:
        if area in chosen and any(own["id"] == task["id"] for own in own_tasks(area)):
            return area, True
    return (areas[0] if areas else "beijing"), False


def appendix_tasks(chosen: Sequence[str]) -> dict[str, list[dict]]:
    """The inherited tasks no chosen place's pages print, by the area they come through, each once."""
    by_area: dict[str, dict[str, dict]] = {}
    for place_id in chosen:
        for task in inherited_tasks(place_id):
            area, on_pages = holding_area(task, chosen)
            if not on_pages:
                by_area.setdefault(area, {}).setdefault(task["id"], task)
    return {area: list(tasks.values()) for area, tasks in by_area.items()}


def build_atlas(places: list[str] | None = None, lang: str = "zh", path: Path | None = None,
                date: dt.date | None = None, preview_dir: Path | None = None,
                own_layers: Sequence[OwnLayer] = ()) -> AtlasResult:
    """Write the atlas PDF (text as text, fonts embedded); unknown place ids are a RenderError naming them.

    `own_layers` are the planner's layers drawn on every page's map (where they reach into its frame).
    `preview_dir` also writes every page as a PNG (page-001.png …) for a quick look without a PDF viewer."""
    chosen = places or atlas_places()
    known = set(shipped_places()["id"])
    unknown = [place for place in chosen if place not in known]
    if unknown:
        raise RenderError(f"unknown place id(s) for the atlas: {', '.join(unknown)}")
    family, _font_path = cjk_font()
    buffer = io.BytesIO()
    result = AtlasResult(data=b"", pages=0)
    rc = {"font.family": [family], "axes.unicode_minus": False, "text.color": INK, **TEXT_AS_TEXT}
    appendix = appendix_tasks(chosen)
    with matplotlib.rc_context(rc), PdfPages(buffer, metadata={"Title": WORDS[lang]["title"]}) as pdf:
        for place_id in chosen:
            writer = _PageWriter(pdf, place_id, lang, family, date or dt.date.today(), result.pages, preview_dir,
                                 own_layers, chosen)
            writer.write_place()
            result.place_pages[place_id] = (result.pages, writer.page_count)
            result.pages += writer.page_count
        if appendix:
            writer = _AppendixWriter(pdf, lang, family, date or dt.date.today(), result.pages, preview_dir, appendix)
            writer.write_appendix()
            result.appendix_pages = (result.pages, writer.page_count)
            result.pages += writer.page_count
    result.data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(result.data)
    return result


class _PageWriter:
    """Lays one place's pages out top-down in millimetres, starting a continuation page when one is full."""

    def __init__(self, pdf: PdfPages, place_id: str, lang: str, family: str, date: dt.date, first_page: int,
                 preview_dir: Path | None, own_layers: Sequence[OwnLayer], chosen: Sequence[str] = ()):
        self.pdf, self.place_id, self.lang, self.family, self.date = pdf, place_id, lang, family, date
        self.preview_dir = preview_dir
        self.own_layers = own_layers
        self.chosen = chosen
        self.first_page = first_page
        self.words = WORDS[lang]
        self.description = describe_place(place_id) if place_id else {}
        self.row = shipped_places().loc[shipped_places()["id"] == place_id].iloc[0] if place_id else None
        self.page_count = 0
        self.figure: Figure | None = None
        self.cursor = 0.0
        self.notes: list[str] = []
        self.sources = ""

    def write_place(self) -> None:
        self._new_page(first=True)
        self._facts()
        self._indicators()
        self._tasks()
        self._finish_page()

    def _name(self) -> tuple[str, str]:
        place = self.description["place"]
        main, other = (place["name_zh"], place["name_en"]) if self.lang == "zh" else (place["name_en"],
                                                                                       place["name_zh"])
        return main, other

    def _new_page(self, first: bool = False) -> None:
        if self.figure is not None:
            self._finish_page()
        width, height = PAGE_MM
        self.figure = Figure(figsize=(width / 25.4, height / 25.4), dpi=100)
        PageCanvas(self.figure)
        self.page_count += 1
        main = self._name()[0]
        heading = main if first else main + self.words["continued"]
        self._text(MARGIN_MM, MARGIN_MM, heading, 14, weight="bold")
        self._text(MARGIN_MM, MARGIN_MM + 7, self._subtitle(), 8, color="#555555")
        self._text(width - MARGIN_MM, MARGIN_MM, self.words["title"], 7, ha="right", color="#555555")
        self.cursor = MARGIN_MM + 13
        if first and self.place_id:
            self._map()

    def _subtitle(self) -> str:
        return f"{self._name()[1]} · {self.place_id}"

    def _map(self) -> None:
        width, height = PAGE_MM
        map_w = width - 2 * MARGIN_MM
        box = [MARGIN_MM / width, 1 - (self.cursor + MAP_HEIGHT_MM) / height, map_w / width, MAP_HEIGHT_MM / height]
        plan = plan_map(None, focus=self.place_id, theme=None, theme_layer=None, scheme="FisherJenks", classes=5,
                        map_size_mm=(map_w, MAP_HEIGHT_MM), lang=self.lang, context=True, catalog=load_catalog(),
                        own_layers=self.own_layers)
        panel = draw_map_panel(self.figure, box, plan, self.lang, self.family, scale=0.9)
        self.cursor += MAP_HEIGHT_MM + 2
        legend_box = [MARGIN_MM / width, 1 - (self.cursor + LEGEND_HEIGHT_MM) / height, map_w / width,
                      LEGEND_HEIGHT_MM / height]
        draw_legend(self.figure.add_axes(legend_box), panel, self.lang, ncols=4, fontsize=5.8)
        self.cursor += LEGEND_HEIGHT_MM + 2
        self.notes = map_notes(plan, self.lang)
        self.sources = page_sources(plan, self.lang, load_catalog())

    def _facts(self) -> None:
        place, row, words = self.description["place"], self.row, self.words
        self._heading(words["facts"])
        lines = []
        if place.get("area_km2") is not None:
            lines.append(f"{words['measured']}: {place['area_km2']:.2f} km²")
        if place.get("official_km2") is not None:
            lines.append(f"{words['official']}: {place['official_km2']:g} km²")
        note = row.get(f"area_note_{self.lang}")
        if isinstance(note, str) and note:
            lines.append(note)
        accuracy = row.get("accuracy_m")
        if accuracy is not None and accuracy == accuracy:
            basis = row.get(f"accuracy_basis_{self.lang}")
            basis_text = f" ({words['basis']}: {basis})" if isinstance(basis, str) and basis else ""
            lines.append(f"{words['accuracy']}: ±{accuracy:g} m{basis_text}")
        licence = row.get("licence")
        if isinstance(licence, str) and licence:
            lines.append(f"{words['licence']}: {licence_text(licence, self.lang)}")
        for line in lines:
            self._paragraph(line)

    def _indicators(self) -> None:
        indicators = self.description["indicators"]
        self._heading(self.words["indicators"])
        if not indicators:
            self._paragraph(self.words["no_indicators"])
            return
        rows = []
        for item in indicators:
            name = item["name_zh"] if self.lang == "zh" else item["name_en"]
            rows.append([name, item.get("unit") or "", _with_year(item.get("baseline"), item.get("baseline_year")),
                         _with_year(item.get("target"), item.get("target_year")),
                         _with_year(item.get("latest"), item.get("latest_as_of")), str(item.get("flag") or "—")])
        self._table(self.words["indicator_columns"], INDICATOR_WIDTHS_MM, rows)

    def _tasks(self) -> None:
        tasks, words = self.description["tasks"], self.words
        own = [task for task in tasks if task["via"] != INHERITED_VIA]
        inherited = [task for task in tasks if task["via"] == INHERITED_VIA]
        self._heading(f"{words['tasks']} ({len(tasks)})")
        if not tasks:
            self._paragraph(words["no_tasks"])
            return
        if own:
            self._task_table(own)
        if inherited:
            counts: dict[str, int] = {}
            on_pages, in_appendix = [], False
            for task in inherited:
                area, printed = holding_area(task, self.chosen)
                counts[area] = counts.get(area, 0) + 1
                if printed and area not in on_pages:
                    on_pages.append(area)
                in_appendix = in_appendix or not printed
            areas = words["list_sep"].join(words["area_count"].format(name=place_name(area, self.lang), count=count)
                                           for area, count in counts.items())
            where = [words["area_pages"].format(place_name(area, self.lang)) for area in on_pages]
            where += [words["appendix"]] if in_appendix else []
            self._paragraph(words["inherited"].format(total=len(inherited), areas=areas)
                            + words["inherited_where"].format(where=words["list_sep"].join(where)))

    def _task_table(self, tasks: list[dict]) -> None:
        rows = []
        for task in tasks:
            title = task["title_zh"] if self.lang == "zh" else task["title_en"]
            status = pick(STATUS.get(task["status"]), self.lang, str(task["status"]))
            via = pick(VIA.get(task["via"]), self.lang, str(task["via"]))
            citation = f"{str(task['doc_id'])[:3]} · {task['section_path']} · 「{task['quote']}」"
            rows.append([task["id"], title, status, via, citation])
        self._table(self.words["task_columns"], TASK_WIDTHS_MM, rows)

    def _heading(self, text: str) -> None:
        self._ensure(BODY_PT * 3 * MM_PER_PT)
        self.cursor += 1.5
        self._text(MARGIN_MM, self.cursor, text, BODY_PT * 1.35, weight="bold")
        self.cursor += BODY_PT * 1.35 * LINE_FACTOR * MM_PER_PT + 0.5

    def _paragraph(self, text: str) -> None:
        width = (PAGE_MM[0] - 2 * MARGIN_MM) / MM_PER_PT
        for line in wrap_to_width(text, width, BODY_PT):
            self._ensure(BODY_PT * LINE_FACTOR * MM_PER_PT)
            self._text(MARGIN_MM, self.cursor, line, BODY_PT)
            self.cursor += BODY_PT * LINE_FACTOR * MM_PER_PT

    def _table(self, headers: tuple[str, ...], widths: tuple[float, ...], rows: list[list[str]]) -> None:
        """Rows wrapped to their columns; a row that does not fit starts a continuation page with the header."""
        size = BODY_PT * 0.92
        line_mm = size * LINE_FACTOR * MM_PER_PT
        self._ensure(3 * line_mm)
        self._table_header(headers, widths, size)
        for row in rows:
            cells = [wrap_to_width(str(cell), (width - 1.5) / MM_PER_PT, size) for cell, width in zip(row, widths)]
            height = max(len(cell) for cell in cells) * line_mm + 1.0
            if self.cursor + height > PAGE_MM[1] - MARGIN_MM - FOOTER_MM:
                self._new_page()
                self._table_header(headers, widths, size)
            x = MARGIN_MM
            for lines, width in zip(cells, widths):
                for number, line in enumerate(lines):
                    self._text(x, self.cursor + number * line_mm, line, size)
                x += width
            self.cursor += height
            self._rule(0.2, "#cccccc")

    def _table_header(self, headers: tuple[str, ...], widths: tuple[float, ...], size: float) -> None:
        x = MARGIN_MM
        for header, width in zip(headers, widths):
            self._text(x, self.cursor, header, size, weight="bold")
            x += width
        self.cursor += size * LINE_FACTOR * MM_PER_PT + 0.3
        self._rule(0.5, INK)

    def _rule(self, width_pt: float, color: str) -> None:
        y = 1 - (self.cursor - 0.6) / PAGE_MM[1]
        self.figure.add_artist(Line2D([MARGIN_MM / PAGE_MM[0], 1 - MARGIN_MM / PAGE_MM[0]], [y, y],
                                                       linewidth=width_pt, color=color))
        self.cursor += 0.8

    def _ensure(self, needed_mm: float) -> None:
        if self.cursor + needed_mm > PAGE_MM[1] - MARGIN_MM - FOOTER_MM:
            self._new_page()

    def _text(self, x_mm: float, y_mm: float, text: str, size: float, weight: str = "normal", ha: str = "left",
              color: str = INK) -> None:
        self.figure.text(x_mm / PAGE_MM[0], 1 - y_mm / PAGE_MM[1], text, ha=ha, va="top", fontsize=size,
                         fontweight=weight, color=color, family=self.family)

    def _finish_page(self) -> None:
        width, height = PAGE_MM
        words = CHROME_TEXT[self.lang]
        footer = wrap_to_width(f"{words['source']}{self.sources}", (width - 2 * MARGIN_MM - 20) / MM_PER_PT, 5.8)
        footer.append(f"{' '.join(self.notes)}  {words['date']}{self.date.isoformat()}")
        self.figure.text(MARGIN_MM / width, MARGIN_MM / height, "\n".join(footer), ha="left", va="bottom",
                         fontsize=5.8, linespacing=1.4, color="#444444")
        page_number = self.words["page"].format(self.first_page + self.page_count)
        self.figure.text(1 - MARGIN_MM / width, MARGIN_MM / height, page_number, ha="right", va="bottom",
                         fontsize=6.5)
        self.pdf.savefig(self.figure)
        if self.preview_dir is not None:
            Path(self.preview_dir).mkdir(parents=True, exist_ok=True)
            self.figure.savefig(Path(self.preview_dir) / f"page-{self.first_page + self.page_count:03d}.png", dpi=110)
        self.figure = None


class _AppendixWriter(_PageWriter):
    """The closing pages: the tasks of the areas places lie in that no place's pages print, by area."""

    def __init__(self, pdf: PdfPages, lang: str, family: str, date: dt.date, first_page: int,
                 preview_dir: Path | None, tasks_by_area: dict[str, list[dict]]):
        super().__init__(pdf, "", lang, family, date, first_page, preview_dir, ())
        self.tasks_by_area = tasks_by_area
        self.sources = self.words["appendix_sources"]

    def _name(self) -> tuple[str, str]:
        return self.words["appendix_title"], WORDS["en" if self.lang == "zh" else "zh"]["appendix_title"]

    def _subtitle(self) -> str:
        return self._name()[1]

    def write_appendix(self) -> None:
        self._new_page(first=True)
        self._paragraph(self.words["appendix_note"])
        for area, tasks in self.tasks_by_area.items():
            self._heading(f"{place_name(area, self.lang)} ({len(tasks)})")
            self._task_table(tasks)
        self._finish_page()


def _with_year(value: object, year: object) -> str:
    if value is None or value == "":
        return "—"
    return f"{value} ({year})" if year not in (None, "") else str(value)
