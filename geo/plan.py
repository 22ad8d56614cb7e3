"""The plan tables (tasks, indicators, values, spatial structure); geo/describe.py joins them to places.

Every record carries its document, section and a short verbatim quote; `integrity_errors` names the
record and file of anything that would break that promise (in both languages, with the validator's words),
and `quote_errors` checks each quote against the source text itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.load import read_layer
from geo.paths import DATA_DIR, PLAN_DIR, SEEDS_DIR
from geo.notes import Note, NoteError
from geo.validate import (MAX_QUOTE_CHARS, STATUSES, Problem, duplicate_id_note, long_quote_note,
                          missing_citation_note, status_without_evidence_note, unknown_id_note, unknown_status_note,
                          validate_file)


@dataclass
class Plan:
    tasks: pd.DataFrame
    indicators: pd.DataFrame
    values: pd.DataFrame
    structure: pd.DataFrame

    def indicator_table(self) -> pd.DataFrame:
        """Indicators with their values, one row per value, definitions repeated for reading."""
        return self._indicator_table.copy()

    @cached_property
    def _indicator_table(self) -> pd.DataFrame:
        merged = self.values.merge(self.indicators, left_on="indicator_id", right_on="id", how="left",
                                   suffixes=("", "_definition"))
        return merged.drop(columns=["id"])


class PlanError(NoteError):
    """A plan table that cannot be read; the message names the file and the row, in both languages."""


def _read_tables(pattern: str, directory: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(directory.glob(pattern)):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError) as error:  # e.g. saved as GBK by Excel
            problems = [problem for problem in validate_file(path).problems if problem.severity == "error"]
            if not problems:
                problems = [Problem(str(path), Note(str(error), str(error)))]
            raise PlanError("；".join(problem.text("zh") for problem in problems),
                            "; ".join(map(str, problems))) from error
        frame["file"] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def load_plan(plan_dir: Path = PLAN_DIR) -> Plan:
    return Plan(
        tasks=_read_tables("tasks_*.csv", plan_dir),
        indicators=_read_tables("indicators_*.csv", plan_dir),
        values=_read_tables("indicator_values_*.csv", plan_dir),
        structure=_read_tables("structure.csv", plan_dir),
    )


def load_gazetteer(data_dir: Path = DATA_DIR) -> gpd.GeoDataFrame:
    frames = [read_layer(path).assign(file=path.name) for path in sorted(data_dir.glob("gazetteer_*.geojson"))]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def integrity_errors(plan: Plan, known_places: set[str]) -> list[Problem]:
    """Every broken promise in the plan tables, each naming its file and record (str(): in English)."""
    errors: list[Problem] = []
    places_ok = known_places | set(plan.structure.get("id", []))
    for table_name, table in (("task", plan.tasks), ("indicator", plan.indicators), ("structure", plan.structure)):
        for duplicate in table["id"][table["id"].duplicated()].unique():
            files = "、".join(dict.fromkeys(table.loc[table["id"] == duplicate, "file"]))
            errors.append(Problem(files, duplicate_id_note(table_name, duplicate)))
    for row in plan.tasks.itertuples():
        where = Note(f"任务 {row.id}", f"task {row.id}")
        found = []
        if not row.quote or not row.doc_id or not row.section_path:
            found.append(missing_citation_note())
        if len(row.quote) > MAX_QUOTE_CHARS:
            found.append(long_quote_note())
        found += [unknown_id_note("place", place) for place in filter(None, row.places.split(";"))
                  if place not in places_ok]
        if row.status not in STATUSES:
            found.append(unknown_status_note(row.status))
        if row.status != "not_reported" and not (row.status_doc and row.status_quote):
            found.append(status_without_evidence_note(row.status))
        errors += [Problem(row.file, note, where) for note in found]
    indicator_ids = set(plan.indicators["id"])
    for row in plan.values.itertuples():
        where = Note(f"{row.place} 的 {row.indicator_id} 数值", f"value of {row.indicator_id} for {row.place}")
        found = []
        if row.indicator_id not in indicator_ids:
            found.append(unknown_id_note("indicator", row.indicator_id))
        if row.place not in places_ok:
            found.append(unknown_id_note("place", row.place))
        if len(row.quote) > MAX_QUOTE_CHARS:
            found.append(long_quote_note())
        errors += [Problem(row.file, note, where) for note in found]
    for row in plan.structure.itertuples():
        errors += [Problem(row.file, unknown_id_note("street", street), Note(f"空间结构 {row.id}", f"structure {row.id}"))
                   for street in filter(None, row.streets.split(";")) if street not in known_places]
    return errors


def quote_errors(plan: Plan, seeds_dir: Path) -> list[str]:
    """Quotes that do not occur verbatim in the document they cite."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in seeds_dir.glob("*.txt")}
    errors = []
    cited = [(r.file, f"task {r.id}", r.doc_id, r.quote) for r in plan.tasks.itertuples()]
    cited += [(r.file, f"task {r.id} status", r.status_doc, r.status_quote) for r in plan.tasks.itertuples()
              if r.status_doc and r.status_doc in texts]
    cited += [(r.file, f"indicator {r.id}", r.doc_id, r.quote) for r in plan.indicators.itertuples() if r.quote]
    cited += [(r.file, f"value {r.indicator_id}/{r.place}", r.doc_id, r.quote) for r in plan.values.itertuples() if r.quote]
    cited += [(r.file, f"structure {r.id}", r.doc_id, r.quote) for r in plan.structure.itertuples() if r.quote]
    for file, record, doc_id, quote in cited:
        if doc_id not in texts:
            errors.append(f"{file}: {record}: unknown document {doc_id!r}")
        elif quote not in texts[doc_id]:
            errors.append(f"{file}: {record}: quote not found in {doc_id}: {quote!r}")
    return errors


def load_manifest(seeds_dir: Path | None = None) -> pd.DataFrame:
    """The source documents (seeds/manifest.csv), indexed by doc id."""
    return pd.read_csv((seeds_dir or SEEDS_DIR) / "manifest.csv", dtype=str, keep_default_na=False).set_index("id")
