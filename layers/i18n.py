"""Interface text in Chinese first, English one click away. One table, so no label is translated twice."""
from __future__ import annotations

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
    "tab_export": ("导出", "Export"),
    "details": ("详情", "Details"),
    "click_hint": ("点击地图上的区域或线路查看规划任务与指标。", "Click an area or line on the map to read its tasks and indicators."),
    "area": ("面积", "Area"),
    "official": ("官方数据", "Official figure"),
    "accuracy": ("绘制精度", "Drawing accuracy"),
    "method": ("绘制方法", "How it was drawn"),
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
    "clear_selection": ("清除选择", "Clear selection"),
    "table1": ("表1 CBD功能区“十四五”主要指标：功能区与中心区目标", "Table 1 of the CBD plan: functional zone vs core targets"),
    "beijing_indicators": ("北京市“十四五”主要指标", "Beijing 14th five-year plan main indicators"),
    "midterm": ("中期评估（2023）", "Mid-term evaluation (2023)"),
    "subcentre_targets": ("城市副中心目标", "Sub-centre targets"),
    "unknown_place": ("链接中的地点编号不存在：", "The link names an unknown place id: "),
    "unknown_layer": ("链接中的图层不存在，已忽略：", "The link names unknown layers, ignored: "),
    "failed": ("出错了，详情已记入服务器日志。", "Something failed; the details are in the server log."),
    "left_out": ("有问题的图层已略去", "Layers left out"),
    "export_too_big": ("导出文件超过 {limit} MB 的上限，请少选几个图层。",
                       "The export would exceed the {limit} MB limit; choose fewer layers."),
    "share_hint": ("地址栏中的链接可复现当前视图。", "The address bar link reproduces this view."),
    "export_layers": ("导出图层", "Export layers"),
    "export_format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "report_map": ("报告用静态地图", "Static map for reports"),
    "paper": ("纸张", "Paper"),
    "orientation": ("方向", "Orientation"),
    "title": ("标题", "Title"),
    "render": ("生成", "Render"),
    "via": ("关联", "Link"),
    "via_direct": ("直接提及", "names it"),
    "via_structure": ("经空间结构", "via structure"),
    "via_inside": ("区内地点", "place inside"),
}

STATUS = {
    "not_reported": ("未报告", "not reported"), "in_progress": ("推进中", "in progress"),
    "completed": ("已完成", "completed"), "opened": ("已开通", "opened"),
    "operating": ("运营", "operating"), "under_construction": ("在建", "under construction"), "planned": ("规划", "planned"),
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
