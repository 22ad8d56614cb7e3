"""Interface text in Chinese first, English one click away. One table, so no label is translated twice."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

LANGUAGES = {"zh": "中文", "en": "English"}

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("北京规划一张图", "Plan Map — Beijing planning zones"),
    "app_caption": ("CBD、朝阳与城市副中心的规划范围、任务与指标",
                    "Planning areas of the CBD, Chaoyang and the city sub-centre, joined to their tasks and indicators"),
    "language": ("语言", "Language"),
    "basemap": ("底图", "Basemap"),
    "layers": ("图层", "Layers"),
    "tab_map": ("地图", "Map"),
    "tab_tasks": ("任务", "Tasks"),
    "tab_indicators": ("指标", "Indicators"),
    "tab_compare": ("对比分析", "Compare"),
    "tab_export": ("导出", "Export"),
    "details": ("详情", "Details"),
    "click_hint": ("点击地图上的区域或线路查看规划任务与指标。", "Click an area or line on the map to read its tasks and indicators."),
    "area": ("面积", "Area"),
    "official": ("面积（实测与官方）", "Area, measured and official"),
    "schematic": ("示意", "Schematic"),
    "download_table": ("下载表格（CSV）：{table}", "Download the table (CSV): {table}"),
    "download_answer": ("下载本地点的规划要求（JSON）", "Download what the plans say here (JSON)"),
    "licence": ("许可", "Licence"),
    "accuracy": ("绘制精度", "Drawing accuracy"),
    "method": ("绘制方法", "How it was drawn"),
    "note": ("说明", "Note"),
    "streets": ("涉及街乡", "Streets it spans"),
    "structure": ("空间结构", "Spatial structure"),
    "tasks": ("规划任务", "Plan tasks"),
    "indicators": ("指标", "Indicators"),
    "no_tasks": ("未找到相关任务。", "No task names this place."),
    "status": ("状态", "Status"),
    "stations": ("车站", "Stations"),
    "status_as_of": ("状态日期", "Status as of"),
    "document": ("文件", "Document"),
    "theme": ("主题", "Theme"),
    "place": ("地点", "Place"),
    "keyword": ("关键词", "Keyword"),
    "all": ("全部", "All"),
    "task_pick_hint": ("选中一行任务，地图将高亮并缩放到其地点。", "Pick a task row to highlight and zoom to its places on the map."),
    "selected_task": ("已选任务", "Selected task"),
    "table1": ("表1 CBD功能区“十四五”主要指标：功能区与中心区目标", "Table 1 of the CBD plan: functional zone vs core targets"),
    "beijing_indicators": ("北京市“十四五”主要指标", "Beijing 14th five-year plan main indicators"),
    "midterm": ("中期评估（2023）", "Mid-term evaluation (2023)"),
    "subcentre_targets": ("城市副中心目标", "Sub-centre targets"),
    "search": ("搜索地点", "Search places"),
    "search_hint": ("搜索地点：中文、English 或拼音", "Search places: English, 中文 or pinyin"),
    "clear_selection": ("清除选择（Esc）", "Clear selection (Esc)"),
    "unknown_place": ("链接中的地点编号不存在：", "The link names an unknown place id: "),
    "unknown_layer": ("链接中的图层不存在，已忽略：", "The link names unknown layers, ignored: "),
    "failed": ("出错了，详情已记入服务器日志。", "Something failed; the details are in the server log."),
    "left_out": ("有问题的图层已略去", "Layers left out"),
    "plan_problems": ("规划表中有问题的记录（已照常载入，请修正）", "Plan table records with problems (loaded as they are; fix them)"),
    "export_too_big": ("导出文件超过 {limit} MB 的上限，请少选几个图层。",
                       "The export would exceed the {limit} MB limit; choose fewer layers."),
    "share_hint": ("地址栏中的链接可复现当前视图。", "The address bar link reproduces this view."),
    "export_layers": ("导出图层", "Export layers"),
    "export_format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "report_map": ("报告用静态地图", "Static map for reports"),
    "paper": ("纸张", "Paper"),
    "orientation": ("方向", "Orientation"),
    "orientation_landscape": ("横向", "Landscape"),
    "orientation_portrait": ("纵向", "Portrait"),
    "title": ("标题", "Title"),
    "render": ("生成", "Render"),
    "subtitle": ("副标题", "Subtitle"),
    "title_default": ("留空则用地点名称或图层名称", "Empty: the place's name, or the layers' titles"),
    "frame": ("图幅范围", "Frame"),
    "frame_layers": ("所选图层", "The chosen layers"),
    "frame_place": ("当前选中地点", "The selected place"),
    "frame_view": ("当前地图视图", "The current map view"),
    "frame_area": ("图幅范围（WGS84，西,南,东,北）：", "Frame (WGS84, west,south,east,north): "),
    "own_in_report": ("报告图与图集中的自有图层", "My layers on report maps and the atlas"),
    "measure": ("专题", "Theme"),
    "measure_none": ("无（普通地图）", "None (reference map)"),
    "measure_tasks": ("各街乡/地点的任务数", "Tasks per area"),
    "measure_local_tasks": ("各街乡/地点本地的任务数（不含上级地区的）", "Tasks of each area itself (not of areas holding it)"),
    "measure_status_share": ("已报告进展的任务占比", "Share of tasks with a reported status"),
    "atlas": ("地点图集（PDF）", "Atlas of places (PDF)"),
    "atlas_scope_all": ("全部地点", "Every place"),
    "atlas_wait": ("正在生成图集，每个地点约需数秒…", "Writing the atlas, a few seconds per place…"),
    "via": ("关联", "Link"),
    "via_direct": ("直接提及", "names it"),
    "via_inside": ("区内地点", "a place inside it"),
    "via_crossing": ("穿越线路", "lines crossing it"),
    "via_crosses": ("穿越区域", "areas it crosses"),
    "via_structure": ("所属空间结构", "its spatial structure"),
    "via_part_of": ("所属范围", "what it is part of"),
    "why_direct": ("任务直接提及本地", "the task names this place"),
    "why_inside": ("任务提及位于其内的{places}", "the task names {places}, which lies inside it"),
    "why_crossing": ("任务提及穿越本地的{places}", "the task names {places}, which crosses this place"),
    "why_crosses": ("任务提及本线路穿越的{places}", "the task names {places}, which this line crosses"),
    "why_structure": ("任务提及其所属的空间结构{places}", "the task names {places}, a structure element it belongs to"),
    "why_part_of": ("任务提及其所属的{places}", "the task names {places}, which it is part of"),
    "own_and_inside": ("本地及区内地点", "This place and places inside it"),
    "wide_tasks": ("{place}范围的任务", "Tasks for all of {place}"),
    "part_of": ("所属", "Part of"),
    "crossed_by": ("穿越线路", "Lines crossing it"),
    "crosses": ("穿越区域", "Areas it crosses"),
    "monitoring": ("指标监测（基期→最新→目标）", "Indicator monitoring (baseline → latest → target)"),
    "sort_by": ("排序", "Sort"),
    "sort_table": ("按表格顺序", "table order"),
    "sort_flag": ("按预警状态", "by flag"),
    "baseline": ("基期", "Baseline"),
    "latest": ("最新", "Latest"),
    "target": ("目标", "Target"),
    "progress": ("完成进度", "Progress"),
    "flag": ("预警", "Flag"),
    "unit": ("单位", "Unit"),
    # The site check's tables (geo/sitecheck.py's columns, ui/upload.py).
    "col_relation": ("关系", "Relation"),
    "col_name": ("名称", "Name"),
    "col_id": ("编号", "ID"),
    "col_share": ("范围内占比", "Share inside"),
    "col_distance_m": ("距离（米）", "Distance (m)"),
    "col_layer": ("图层", "Layer"),
    "col_task": ("任务", "Task"),
    "col_via_places": ("经由地点", "Through places"),
    "col_quote": ("引文", "Clause (quote)"),
}

FLAGS = {
    "met": ("已达成", "met"), "on_track": ("符合进度", "on track"), "behind": ("滞后", "behind"),
    "not_measurable": ("无法衡量", "not measurable"),
}

# How a site relates to a place, and why a task applies to it (geo/sitecheck.py's codes): one wording for the
# app's tables and the site report.
SITE_RELATIONS = {"in": ("位于", "in"), "crosses": ("跨越", "crosses"), "near": ("邻近", "near"),
                  "structure": ("所属空间结构", "its spatial structure"), "part_of": ("所属范围", "what it is part of")}
# A site's size (geo/sitecheck.py `size`), as the sidebar and the site report word it.
SITE_SIZES = {"area_m2": ("面积 {value:,} m²", "area {value:,} m²"),
              "perimeter_m": ("周长 {value:,} m", "perimeter {value:,} m"),
              "length_m": ("长度 {value:,} m", "length {value:,} m")}


def site_size(size: dict[str, int], lang: str) -> str:
    """"面积 28,937 m², 周长 681 m": each measure in words, in the reader's language."""
    return ", ".join(pick(SITE_SIZES[key], lang).format(value=value) for key, value in size.items())


def share_text(share: float | None) -> str:
    """How much of a site lies in a place, as "62%"; empty when there is no share (a place only nearby)."""
    return "" if pd.isna(share) else f"{share:.0%}"


def distance_text(metres: float | None) -> str:
    """How far a place is from a site, as "1,280 m"; empty when there is no distance (the site lies in it)."""
    return "" if pd.isna(metres) else f"{metres:,.0f} m"


# Place layers that are not catalogue layers (geo/places.py): what a reader calls them.
PLACE_LAYERS = {"context": ("行政区", "administrative area"), "rail_lines": ("轨道线路", "rail line"),
                "gazetteer": ("地名", "gazetteer place")}

STATUS = {
    "not_reported": ("未报告", "not reported"), "in_progress": ("推进中", "in progress"),
    "completed": ("已完成", "completed"), "opened": ("已开通", "opened"),
    "operating": ("运营", "operating"), "under_construction": ("在建", "under construction"), "planned": ("规划", "planned"),
}

# What a feature is (its `kind` code in the data), for the details panel.
KINDS = {
    "airport": ("机场", "airport"), "area": ("区域", "area"), "area_anchor": ("区域（定位点）", "area (anchor point)"),
    "avenue": ("干道", "avenue"), "axis": ("轴", "axis"), "belt": ("带", "belt"), "bus_station": ("公交场站", "bus station"),
    "business_district": ("商务区", "business district"), "campus": ("园区", "campus"), "circle": ("商圈", "business circle"),
    "cluster": ("区（组团）", "cluster"), "core": ("核", "core"), "county": ("县", "county"), "district": ("区", "district"),
    "facility_cluster": ("设施群", "facility cluster"), "heritage_area": ("历史文化街区", "heritage area"),
    "interchange": ("立交桥", "interchange"), "metro_station": ("地铁站", "metro station"), "park": ("公园", "park"),
    "place": ("地点", "place"), "planned_metro_station": ("规划地铁站", "planned metro station"),
    "rail_line": ("轨道线路", "rail line"), "rail_line_anchor": ("轨道线路（定位点）", "rail line (anchor point)"),
    "rail_yard": ("车辆段", "rail yard"), "railway_station": ("火车站", "railway station"),
    "redevelopment_area": ("更新改造片区", "redevelopment area"), "residential_area": ("居住区", "residential area"),
    "ring_road": ("环路", "ring road"), "river": ("河流", "river"), "river_anchor": ("河流（定位点）", "river (anchor point)"),
    "road": ("道路", "road"), "shopping_centre": ("购物中心", "shopping centre"), "town": ("镇", "town"),
    "transport_hub": ("交通枢纽", "transport hub"), "venue": ("场馆", "venue"),
}

THEMES = {
    "economy": ("经济", "economy"), "opening": ("开放", "opening-up"), "innovation": ("创新", "innovation"),
    "spatial": ("空间", "spatial"), "culture": ("文化", "culture"), "environment": ("生态环境", "environment"),
    "transport": ("交通", "transport"), "livelihood": ("民生", "livelihood"), "governance": ("治理", "governance"),
    "regional": ("区域协同", "regional"),
}


def t(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def pick(pair: tuple[str, str] | None, lang: str, fallback: str = "") -> str:
    if pair is None:
        return fallback
    return pair[0] if lang == "zh" else pair[1]


def reason_key(via: str, of_line: bool) -> str:
    """The text key of a reason: for a line, "crossing" means the areas it crosses."""
    return "crosses" if via == "crossing" and of_line else via


def why_listed(via: str, listed: list[str], lang: str, name_of: Callable[[str, str], str], of_line: bool = False) -> str:
    """Why a task is listed, in words, naming (through name_of(id, lang)) the places through which it comes."""
    return t(f"why_{reason_key(via, of_line)}", lang).format(places="、".join(name_of(place, lang) for place in listed))
