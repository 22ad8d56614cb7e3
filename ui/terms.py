"""The plan tables' own words (categories, units, attributes, worded targets) in the reader's language.

The plan data keeps the documents' Chinese (or, for a few categories, the curators' English codes); the
panels translate at display time so the data stays a faithful extract of the sources.
"""
from __future__ import annotations

import re

CATEGORY = {  # Chinese category → English
    "提质增效": "Quality and efficiency", "国际影响": "International influence", "协同创新": "Collaborative innovation",
    "宜居宜业": "Good to live and work in", "共治共享": "Shared governance", "创新发展": "Innovative development",
    "协调发展": "Coordinated development", "绿色发展": "Green development", "开放发展": "Open development",
    "共享发展": "Shared development", "减量提质": "Reduction with better quality", "安全稳定": "Safety and stability",
    "京津冀协同发展战略深入实施": "Beijing–Tianjin–Hebei coordination deepened",
    "首都功能持续优化提升": "Capital functions improved",
    "经济高质量发展迈出坚实步伐": "Solid steps in high-quality growth",
    "改革开放迈向更高水平": "Reform and opening at a higher level",
    "和谐宜居城市建设扎实推进": "A harmonious, liveable city advanced",
    "民生保障更有力度温度": "Stronger, warmer welfare",
    "首都社会大局保持和谐稳定": "Social harmony and stability kept",
    "规划《纲要》25项主要指标进展总体良好": "The outline's 25 main indicators: good overall progress",
    "全面深化高水平改革开放,持续增强发展动力和活力": "Deeper reform and opening, stronger drive",
    "建设具有首都特点的花园城市,深入推进城市绿色低碳转型发展": "A garden city, green low-carbon transition",
    "科学把握超大城市治理规律,持续提升首都城市现代化治理水平": "Governing a megacity, modern governance",
    "纵深推动京津冀协同发展,携手打造中国式现代化建设先行区、示范区": "Beijing–Tianjin–Hebei, a pilot zone together",
}
CATEGORY_ZH = {  # the curators' English codes → Chinese
    "environment": "生态环境", "governance": "治理", "innovation": "创新", "livelihood": "民生", "preamble": "总体",
    "regional": "区域协同", "transport": "交通",
}
UNIT = {
    "/10万": "per 100,000", "万人": "10,000 people", "万亿元": "trillion yuan", "万元": "10,000 yuan",
    "万元/人": "10,000 yuan per person", "万平方米": "10,000 m²", "个": "count", "个(大场景)": "count (large scenes)",
    "亩": "mu", "人": "people", "人/百亿元": "people per 10 bn yuan", "亿元": "100 m yuan",
    "亿元/万人": "100 m yuan per 10,000 people", "亿元/平方公里": "100 m yuan per km²", "亿元/年": "100 m yuan a year",
    "亿立方米": "100 m m³", "亿美元": "100 m US$", "件": "items", "公里": "km", "名": "people", "处": "sites",
    "套": "units", "家": "firms", "平方公里": "km²", "平方米": "m²", "年": "years", "座": "count", "张": "count",
    "微克/立方米": "µg/m³", "户": "households", "所": "count", "星级": "star rating", "条": "count",
    "条(段)": "count (sections)", "百分点": "percentage points", "部": "count", "项": "items",
}
ATTRIBUTE = {"约束性": "binding", "预期性": "expected"}
VALUE_PHRASES = {  # worded targets and values
    "达到朝阳区要求": "meets Chaoyang's requirement", "高于朝阳区平均水平": "above Chaoyang's average",
    "达到北京市要求": "meets Beijing's requirement", "未设定 / not set": "not set", "未设定": "not set",
}
_WORDED = ((re.compile(r"^(.*\d)左右$"), "about {}"), (re.compile(r"^(.*\d)以上$"), "over {}"),
           (re.compile(r"^(.*\d)以下$"), "under {}"))


def category(text: str, lang: str) -> str:
    return CATEGORY.get(text, text) if lang == "en" else CATEGORY_ZH.get(text, text)


def unit(text: str, lang: str) -> str:
    return UNIT.get(text, text) if lang == "en" else text


def attribute(text: str, lang: str) -> str:
    return ATTRIBUTE.get(text, text) if lang == "en" else text


def value(text: str, lang: str) -> str:
    """A table cell's value: numbers stay, worded targets are translated ("5.50左右" → "about 5.50")."""
    if lang == "zh":
        return "未设定" if text == "未设定 / not set" else text
    for pattern, english in _WORDED:
        hit = pattern.match(text or "")
        if hit:
            return english.format(hit.group(1))
    return VALUE_PHRASES.get(text, text)
