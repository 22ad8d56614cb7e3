"""How completely a plan's text was extracted, and whether its statuses are honestly dated.

Recall is measured against the source itself: the text is cut into sentences, the sentences that carry
an action or a figure are enumerated, and a sentence counts as covered when a task or indicator quote of
that document lies inside it. The rule is plain enough to re-run on the seed, so a missed clause shows up
as a named sentence rather than as a silent gap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geo.plan import Plan

# Verbs a plan uses to commit to something; a sentence with none of them and no figure states context.
ACTION_WORDS = (
    "推动", "推进", "实施", "建设", "建成", "制定", "完成", "实现", "启动", "打造", "提升", "加快", "强化", "深化",
    "做好", "出台", "设立", "成立", "构建", "培育", "完善", "健全", "优化", "开工", "落实", "加强", "支持", "提高",
    "发挥", "促进", "探索", "开展", "研究", "争取", "扩大", "丰富", "保障", "引进", "吸引", "聚焦", "坚持", "统筹",
    "拓宽", "加大", "放大", "激发", "做大", "增强", "抓好", "做实", "推出", "升级", "编制", "争创", "绘制", "发展",
)
# A quantity: digits that are not a year, or a Chinese numeral with a counting word ("9所", "第二批", "三年行动").
FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.]*年)|[一二两三四五六七八九十百千]+(?:个|所|项|批|条|家|年行动)")
SENTENCE_END = re.compile(r"(?<=[。；！？])")


def sentences(text: str) -> list[str]:
    """Sentences of a document; a line without sentence punctuation is a headline and splits at its spaces."""
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = SENTENCE_END.split(line) if re.search(r"[。；！？]", line) else line.split()
        found.extend(part.strip() for part in parts if part.strip())
    return found


def figures(sentence: str) -> list[str]:
    """Quantities in a sentence; "一批" (a number of) counts nothing."""
    return [figure for figure in FIGURE.findall(sentence) if figure != "一批"]


def is_actionable(sentence: str) -> bool:
    """A sentence that commits to an action or states a figure: what extraction must cover."""
    return bool(figures(sentence)) or any(word in sentence for word in ACTION_WORDS)


def actionable_sentences(text: str) -> list[str]:
    return [sentence for sentence in sentences(text) if is_actionable(sentence)]


@dataclass
class Recall:
    enumerated: list[str]
    uncovered: list[str]

    @property
    def covered(self) -> int:
        return len(self.enumerated) - len(self.uncovered)

    @property
    def share(self) -> float:
        return self.covered / len(self.enumerated) if self.enumerated else 1.0


def cited_quotes(plan: Plan, doc_id: str) -> list[str]:
    """Every task and indicator quote that cites this document."""
    quotes = plan.tasks.loc[plan.tasks["doc_id"] == doc_id, "quote"].tolist()
    quotes += plan.indicators.loc[plan.indicators["doc_id"] == doc_id, "quote"].tolist()
    quotes += plan.values.loc[plan.values["doc_id"] == doc_id, "quote"].tolist()
    return [quote for quote in quotes if quote]


def recall(text: str, quotes: list[str]) -> Recall:
    """Which actionable sentences no quote lies in."""
    enumerated = actionable_sentences(text)
    uncovered = [s for s in enumerated if not any(quote in s for quote in quotes)]
    return Recall(enumerated, uncovered)


def uncited_figures(text: str, quotes: list[str]) -> list[tuple[str, str]]:
    """(figure, sentence) pairs where no quote inside the sentence carries the figure."""
    missing = []
    for sentence in actionable_sentences(text):
        inside = [quote for quote in quotes if quote in sentence]
        missing += [(figure, sentence) for figure in figures(sentence) if not any(figure in q for q in inside)]
    return missing


def component_groups(tasks: pd.DataFrame) -> dict[str, list[str]]:
    """Bundle id -> its component task ids (`t000_5_2_1` -> `t000_5_2_1_a`, `t000_5_2_1_b`, …)."""
    ids = set(tasks["id"])
    groups: dict[str, list[str]] = {}
    for task_id in sorted(ids):
        parent, _, suffix = task_id.rpartition("_")
        if parent in ids and len(suffix) == 1 and suffix.isalpha():
            groups.setdefault(parent, []).append(task_id)
    return groups


# When a document was issued, where the manifest cannot say: the earliest date its own text allows.
UNDATED_DOCUMENTS = {
    "000_a4f22e102a070a95": "2021-11-11",  # cites 十九届六中全会 (closed 2021-11-11), so issued no earlier
    "002_7c59a961256cf9e3": "2026-01-01",  # a plan for 2026 (2026年是“十五五”规划开局之年)
}
OSM_SNAPSHOT = "2026-04-30"  # the rail snapshot behind status_doc 'osm' (data/rail_lines.geojson status_as_of)


def document_dates(manifest: pd.DataFrame) -> dict[str, str]:
    """ISO date of each document id (and of the OSM snapshot), for ordering plans and their evidence."""
    dates = {doc_id: row["date_issued"] for doc_id, row in manifest.iterrows()
             if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date_issued"])}
    return {**UNDATED_DOCUMENTS, **dates, "osm": OSM_SNAPSHOT}


def status_dating_errors(tasks: pd.DataFrame, dates: dict[str, str]) -> list[str]:
    """Statuses whose evidence is not later than the plan it evaluates."""
    errors = []
    for task in tasks[tasks["status"] != "not_reported"].itertuples():
        plan_date, evidence_date = dates.get(task.doc_id), dates.get(task.status_doc)
        if plan_date is None or evidence_date is None:
            errors.append(f"{task.id}: no date for {task.doc_id!r} or {task.status_doc!r}")
        elif evidence_date <= plan_date:
            errors.append(f"{task.id}: evidence {task.status_doc} ({evidence_date}) is not after the plan ({plan_date})")
    return errors
