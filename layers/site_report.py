"""The site check (审查) on paper: one A4 page per site (PDF) and the tasks as a workbook (XLSX).

The page shows the site on a small map with the areas it touches and the lines and stations near it, the
places with how much of the site lies in each, and the tasks that apply grouped by why; zone-, district-
and city-wide tasks are counted on the page and listed in full in the workbook.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import textwrap

import geopandas as gpd
import matplotlib
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.sitecheck import SITE_VIA_ORDER, SiteResult
from layers.i18n import SITE_RELATIONS, STATUS, distance_text, pick, share_text, site_size
from layers.static_map import INK, cjk_font

A4_PORTRAIT_IN = (210 / 25.4, 297 / 25.4)
PAGE_TASK_LINES = 34
SITE_COLOUR = "#d62728"
AREA_COLOURS = {"in": "#1f77b4", "crosses": "#ff7f0e"}
NEAR_COLOUR = "#2ca02c"
VIA_TITLES = {"in": ("所在区域", "areas the site lies in"), "crosses": ("跨越区域", "areas the site crosses"),
              "near": ("邻近线路、站点", "lines and stations nearby"), "structure": ("空间结构", "spatial structure"),
              "part_of": ("上位区域（全区、全市）", "zone-, district- and city-wide")}


def site_pdf(results: list[SiteResult], sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame, title: str,
             crs_label: str, near_m: float, lang: str = "zh", date: dt.date | None = None) -> bytes:
    """One page per site: map, places, tasks by reason; returns the PDF's bytes."""
    family, _path = cjk_font()
    buffer = io.BytesIO()
    with matplotlib.rc_context({"font.family": [family], "pdf.fonttype": 42, "axes.unicode_minus": False,
                                "text.color": INK}), PdfPages(buffer, metadata={"Title": title}) as pdf:
        for result, geometry in zip(results, sites.geometry):
            figure = Figure(figsize=A4_PORTRAIT_IN)
            _page(figure, result, geometry, places, title, crs_label, near_m, lang, date or dt.date.today())
            pdf.savefig(figure)
    return buffer.getvalue()


def site_png(result: SiteResult, geometry: shapely.Geometry, places: gpd.GeoDataFrame, title: str, crs_label: str,
             near_m: float, lang: str = "zh", dpi: int = 110) -> bytes:
    """The page of one site as a PNG: what the app shows before the planner downloads the PDF."""
    family, _path = cjk_font()
    buffer = io.BytesIO()
    with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False, "text.color": INK}):
        figure = Figure(figsize=A4_PORTRAIT_IN)
        _page(figure, result, geometry, places, title, crs_label, near_m, lang, dt.date.today())
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def site_xlsx(results: list[SiteResult], label_field: str | None = None) -> bytes:
    """Sheets 'tasks', 'places' and 'indicators', one row per (site, item), the site named by its row and label."""
    tasks, places, indicators = [], [], []
    for result in results:
        site = {"site_row": result.row, "site": _site_label(result, label_field)}
        tasks += [site | {k: (";".join(v) if isinstance(v, list) else v) for k, v in task.items()}
                  for task in result.to_dict()["tasks"]]
        places += [site | place for place in result.places]
        indicators += [site | record for record in result.indicators]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, rows in (("tasks", tasks), ("places", places), ("indicators", indicators)):
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _site_label(result: SiteResult, label_field: str | None) -> str:
    if label_field and result.attributes.get(label_field) not in (None, ""):
        return str(result.attributes[label_field])
    named = next((v for k, v in result.attributes.items() if v not in (None, "") and isinstance(v, str)), None)
    return named or f"#{result.row}"


def _page(figure: Figure, result: SiteResult, geometry: shapely.Geometry, places: gpd.GeoDataFrame, title: str,
          crs_label: str, near_m: float, lang: str, date: dt.date) -> None:
    zh = lang == "zh"
    name = _site_label(result, None)
    figure.text(0.06, 0.965, f"{'审查' if zh else 'Site check'} · {name}", fontsize=15, weight="bold")
    size = site_size(result.size, lang)
    figure.text(0.06, 0.945, f"{title} · {'要素' if zh else 'feature'} {result.row} · {result.geometry_type} · {size}",
                fontsize=8)
    figure.text(0.06, 0.932, f"{'坐标系' if zh else 'CRS'}: {crs_label} · {'邻近距离' if zh else 'near'} ≤ {near_m:.0f} m"
                f" · {date.isoformat()}", fontsize=8)
    _draw_site_map(figure.add_axes([0.06, 0.60, 0.42, 0.31]), result, geometry, places, near_m)
    lines = [f"{pick(SITE_RELATIONS[p['relation']], lang)}  {p['name_zh' if zh else 'name_en'] or p['name_zh']}"
             f"  ({p['id']})  " + (share_text(p["share"]) if "share" in p else distance_text(p["distance_m"]))
             for p in result.places]
    figure.text(0.52, 0.91, "\n".join(["地点" if zh else "Places"] + lines[:24]), fontsize=7.5, va="top",
                linespacing=1.35)
    counts = result.tasks["via"].value_counts() if not result.tasks.empty else pd.Series(dtype=int)
    summary = " · ".join(f"{pick(VIA_TITLES[v], lang)} {counts.get(v, 0)}" for v in SITE_VIA_ORDER if counts.get(v, 0))
    figure.text(0.06, 0.575, f"{'适用任务' if zh else 'Tasks that apply'}: {len(result.tasks)} ({summary}) · "
                f"{'指标' if zh else 'indicators'}: {len(result.indicators)}", fontsize=9, weight="bold")
    figure.text(0.06, 0.555, "\n".join(_task_lines(result.tasks, lang)), fontsize=7, va="top", linespacing=1.4)
    figure.text(0.06, 0.025, "区域边界为示意（非法定边界）；完整任务清单见 XLSX。" if zh else
                "Boundaries are schematic, not legal; the full task list is in the XLSX.", fontsize=7, color="#555555")


def _task_lines(tasks: pd.DataFrame, lang: str) -> list[str]:
    """The site-specific tasks (not part_of), grouped by reason, then a count of the wide ones."""
    lines: list[str] = []
    title = "title_zh" if lang == "zh" else "title_en"
    for via in SITE_VIA_ORDER[:-1]:
        group = tasks[tasks["via"] == via] if not tasks.empty else tasks
        if group.empty:
            continue
        lines.append(f"【{pick(VIA_TITLES[via], lang)}】")
        for task in group.itertuples():
            text = f"{task.id}  {getattr(task, title) or task.title_zh} · {pick(STATUS.get(task.status), lang, task.status)}" \
                   f" · {', '.join(task.via_places)}"
            lines.append("  " + textwrap.shorten(text, 100, placeholder="…"))
    wide = int((tasks["via"] == "part_of").sum()) if not tasks.empty else 0
    if len(lines) > PAGE_TASK_LINES:
        more = len(lines) - PAGE_TASK_LINES + 1
        lines = lines[:PAGE_TASK_LINES - 1] + [f"  … {more} {'行见 XLSX' if lang == 'zh' else 'more lines in the XLSX'}"]
    if wide:
        lines.append(f"【{pick(VIA_TITLES['part_of'], lang)}】 {wide} {'项（见 XLSX）' if lang == 'zh' else '(in the XLSX)'}")
    return lines


def _draw_site_map(ax, result: SiteResult, geometry: shapely.Geometry, places: gpd.GeoDataFrame,
                   near_m: float) -> None:
    """The site in red over the areas it touches (blue: in, orange: crosses) and what lies near (green)."""
    site = gpd.GeoSeries([geometry], crs=4326).to_crs(3857)
    window = site.buffer(max(near_m * 1.3, 300)).total_bounds
    relation = {p["id"]: p["relation"] for p in result.places}
    touched = places[places["id"].isin(relation)].to_crs(3857)
    for row in touched.itertuples():
        kind = relation[row.id]
        colour = AREA_COLOURS.get(kind, NEAR_COLOUR)
        series = gpd.GeoSeries([row.geometry], crs=3857)
        if row.geometry.geom_type in ("Polygon", "MultiPolygon"):
            series.boundary.plot(ax=ax, color=colour, linewidth=0.8)
        else:
            series.plot(ax=ax, color=colour, linewidth=1.0, markersize=10)
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        site.plot(ax=ax, facecolor=SITE_COLOUR, alpha=0.35, edgecolor=SITE_COLOUR, linewidth=1.5)
    else:
        site.plot(ax=ax, color=SITE_COLOUR, linewidth=2, markersize=30)
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    # A scale bar of near_m on the ground: Web Mercator stretches distances by 1/cos(latitude).
    bar = near_m / math.cos(math.radians(geometry.centroid.y))
    margin = (window[2] - window[0]) * 0.05
    ax.plot([window[0] + margin, window[0] + margin + bar], [window[1] + margin] * 2, color=INK, linewidth=1.5)
    ax.text(window[0] + margin, window[1] + margin * 1.4, f"{near_m:.0f} m", fontsize=6)
