"""`python -m layers validate PATH…`: the checks the app runs on every file it reads, from the command line.

Layers and plan tables go to geo/validate.py, catalogue files (TOML) to layers/catalog.py; a folder stands
for the files directly in it. Exit status 1 when any file has an error (warnings alone pass).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.validate import LAYER_SUFFIXES, Problem, validate_file
from layers.catalog import CATALOG_PATH, check_catalog_file, load_catalog

FOUND_ERRORS = 1


def add_validate_parser(commands: argparse._SubParsersAction) -> None:
    checking = commands.add_parser(
        "validate", help="check layers, plan tables and catalogue files; exit 1 on any error",
        description="Check layers in every format the upload reads (GeoJSON, GeoPackage, Shapefile zipped or "
                    "bare, KML/KMZ, DXF, CSV/TSV/XLSX with coordinates), plan tables (data/plan/*.csv) and "
                    "catalogue files (*.toml) as the app does, naming file, layer, record and problem. A folder "
                    "stands for the files directly in it.")
    checking.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    checking.set_defaults(run=lambda args: validate_command(args.paths))


def validate_command(paths: list[Path]) -> int:
    problems, files = [], 0
    for path in _expand(paths):
        files += 1
        problems += check_path(path)
    for problem in problems:
        print(problem)
    errors = sum(problem.severity == "error" for problem in problems)
    print(f"{files} file(s) checked: {errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr)
    return FOUND_ERRORS if errors else 0


def check_path(path: Path) -> list[Problem]:
    """The problems of one file: a catalogue (the shipped one, or a planner's checked against it), or data."""
    if path.suffix.lower() == ".toml":
        shipped = path.resolve() == CATALOG_PATH.resolve()
        builtin = None if shipped else {i: s for i, s in load_catalog().layers.items() if not s.external}
        return check_catalog_file(path, builtin=builtin)[1]
    return validate_file(path).problems


def _expand(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in LAYER_SUFFIXES + (".toml",))
        else:
            files.append(path)
    return files
