"""Command line for exports, report maps, the atlas, place reports, site checks and validation:
`python -m layers list | export | render | atlas | describe | check | validate`.

User mistakes (unknown layer, format, paper; missing font; tiles unreachable) end with one line on stderr
and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from geo.crs import CrsError, label, parse_crs
from geo.describe import VIA_ORDER, PlaceReport, answer_json, describe, place_name
from geo.places import UnknownPlace
from geo.readers import ReadError

from layers.atlas import build_atlas
from layers.catalog import load_catalog
from layers.export import FORMATS, ExportError, export
from layers.i18n import FLAGS, STATUS, pick, reason_key, t, why_listed
from layers.safe_files import refuse_overwrite
from layers.static_map import MEDIA_TYPES, ORIENTATIONS, PAPER_MM, RenderError, render_map
from layers.thematic import SCHEMES, ThemeError
from layers.validation import add_validate_parser

USER_ERROR = 2
DPI_RANGE = (50, 1200)  # 1200 dpi on A3 is already ~270 megapixels


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ExportError, RenderError, ThemeError, OSError) as error:
        return _fail(str(error))


def _list(args: argparse.Namespace) -> int:
    """Print the declared layers: id, group, Chinese and English titles."""
    catalog = load_catalog()
    rows = [("id", "group", "title_zh", "title_en")]
    rows += [(spec.id, spec.group, spec.title_zh, spec.title_en) for spec in catalog.layers.values()]
    widths = [max(_display_width(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell + " " * (width - _display_width(cell)) for cell, width in zip(row, widths)]
        print("  ".join(cells + [row[3]]))
    return 0


def _export(args: argparse.Namespace) -> int:
    refuse_overwrite(args.output, args.force)
    data = export(args.format, args.layers, args.output)
    print(f"wrote {args.output} ({args.format}, {len(data):,} bytes)", file=sys.stderr)
    return 0


def _render(args: argparse.Namespace) -> int:
    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in MEDIA_TYPES:
        return _fail(f"cannot tell the map format from {args.output.name!r}: end the name in "
                     f"{', '.join('.' + name for name in MEDIA_TYPES)}")
    refuse_overwrite(args.output, args.force)
    if not args.layers and not args.focus and not args.bbox:
        return _fail("name the layers (--layers), a place to frame the map on (--focus) or an area (--bbox)")
    started = time.perf_counter()
    rendered = render_map(args.layers, focus=args.focus, bbox=args.bbox, theme=args.theme, theme_layer=args.theme_layer,
                          scheme=args.scheme, classes=args.classes, fmt=fmt, paper=args.paper,
                          orientation=args.orientation, dpi=args.dpi, title=args.title, subtitle=args.subtitle,
                          lang=args.lang, context=not args.no_context, tiles=args.tiles, date=args.date,
                          path=args.output)
    print(f"wrote {args.output} ({fmt}, {args.paper} {args.orientation}, {args.dpi} dpi, font {rendered.font}, "
          f"{time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def _atlas(args: argparse.Namespace) -> int:
    refuse_overwrite(args.output, args.force)
    started = time.perf_counter()
    places = [part.strip() for part in args.places.split(",") if part.strip()] if args.places else None
    result = build_atlas(places, lang=args.lang, path=args.output, date=args.date, preview_dir=args.preview_dir)
    print(f"wrote {args.output} ({len(result.place_pages)} places, {result.pages} pages, "
          f"{time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def _describe(args: argparse.Namespace) -> int:
    """What the plans say about a place: JSON (the contract of geo/describe.py) or a text summary."""
    try:
        report = describe(args.place_id)
    except UnknownPlace as error:
        return _fail(error.args[0])
    if args.json:
        print(answer_json(report))
        return 0
    print("\n".join(_report_lines(report, args.lang)))
    return 0


def _report_lines(report: PlaceReport, lang: str) -> list[str]:
    """The report as text: the place, its tasks grouped by reason (each saying why), its indicators."""
    name = report.name_zh if lang == "zh" else report.name_en
    area = f" · {report.area_km2:.2f} km²" if report.area_km2 is not None else ""
    lines = [f"{name} ({report.id}){area}"]
    if report.part_of:
        lines.append(f"{t('part_of', lang)}: " + " › ".join(place_name(p, lang) for p in report.part_of))
    lines.append(f"{t('tasks', lang)}: {len(report.tasks)}")
    title = "title_zh" if lang == "zh" else "title_en"
    for via in VIA_ORDER:
        group = report.tasks[report.tasks["via"] == via]
        if group.empty:
            continue
        lines.append(f"[{t('via_' + reason_key(via, report.is_line), lang)}] {len(group)}")
        for task in group.itertuples():
            status = pick(STATUS.get(task.status), lang, task.status)
            lines.append(f"  {task.id}  {getattr(task, title)} · {status} · "
                         f"{why_listed(via, task.via_places, lang, place_name, report.is_line)}")
    lines.append(f"{t('indicators', lang)}: {len(report.indicators)}")
    for record in report.indicators:
        flag = pick(FLAGS.get(record["flag"]), lang, record["flag"])
        lines.append(f"  {record['id']} {record['name_zh' if lang == 'zh' else 'name_en']} ({record['place']}): "
                     f"{record['baseline']} ({record['baseline_year']}) → {record['latest']} "
                     f"({record['latest_as_of']}) → {record['target']} ({record['target_year']}) · {flag}")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,export,render,atlas,describe,check,validate}")

    listing = commands.add_parser("list", help="list the declared layers (ids, groups, titles)")
    listing.set_defaults(run=_list)

    exporting = commands.add_parser(
        "export", help="export layers (geojson, gpkg, shp, kml) or the plan tables (csv, xlsx)",
        description="Export chosen layers for GIS, or the plan tables joined to places for spreadsheets.")
    exporting.add_argument("--layers", type=_layer_ids,
                           help="comma-separated layer ids (see `list`); not used by csv/xlsx")
    exporting.add_argument("--format", required=True, choices=list(FORMATS),
                           help="geojson, gpkg, shp (zipped), kml; csv (tasks), xlsx (tasks and indicators)")
    exporting.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    exporting.add_argument("--force", action="store_true", help="replace the output file if it exists")
    exporting.set_defaults(run=_export)

    rendering = commands.add_parser(
        "render", help="draw a static report map (png, svg or pdf, from the output's extension)",
        description="Draw a report map of the chosen layers with legend, scale bar, north arrow and sources.")
    rendering.add_argument("--layers", type=_layer_ids,
                           help="comma-separated layer ids (see `list`); optional with --focus or --bbox")
    framing = rendering.add_mutually_exclusive_group()
    framing.add_argument("--focus", metavar="PLACE_ID",
                         help="frame the map on a place (e.g. cbd_zone, st_jianwai, subcentre); without --layers "
                              "it shows the default layers, and stations at large scales")
    framing.add_argument("--bbox", metavar="W,S,E,N", type=_bbox,
                         help="frame the map on an area in WGS84 degrees (west,south,east,north), widened to the "
                              "page's shape, as the app's 'current map view' does")
    rendering.add_argument("--theme", metavar="MEASURE",
                           help="colour the areas by local_tasks (the area's own), tasks (all, "
                           "inherited ones too), status_share or a numeric column of --theme-layer")
    rendering.add_argument("--theme-layer", type=_layer_id,
                           help="the areas to colour (default: the zone's streets, or the sub-centre's key places)")
    rendering.add_argument("--scheme", default="FisherJenks", choices=SCHEMES, help="mapclassify classification")
    rendering.add_argument("--classes", default=5, type=_positive_int, help="number of classes (default 5)")
    rendering.add_argument("--subtitle", help="a line under the title")
    rendering.add_argument("--paper", default="A4", type=str.upper, choices=list(PAPER_MM))
    rendering.add_argument("--orientation", default="landscape", choices=ORIENTATIONS)
    rendering.add_argument("--dpi", default=300, type=_dpi,
                           help=f"resolution for PNG, {DPI_RANGE[0]}–{DPI_RANGE[1]} (default 300)")
    rendering.add_argument("--title", help="map title (default: the place's name, or the layers' titles)")
    rendering.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of titles and labels")
    rendering.add_argument("--date", type=dt.date.fromisoformat, help="date printed on the map (default today)")
    rendering.add_argument("--no-context", action="store_true", help="leave out the context background layers")
    rendering.add_argument("--tiles", metavar="PROVIDER",
                           help="web tiles instead of context layers, e.g. OpenStreetMap.Mapnik (needs network)")
    rendering.add_argument("-o", "--output", required=True, type=Path, help="map file: .png, .svg or .pdf")
    rendering.add_argument("--force", action="store_true", help="replace the output file if it exists")
    rendering.set_defaults(run=_render)

    describing = commands.add_parser(
        "describe", help="what the plans say about a place: its tasks (with why each is listed) and indicators",
        description="Every task that names the place, a place inside it, a line crossing it, its spatial structure "
                    "or what it is part of, each with its reason; and its indicators with their monitoring flag.")
    describing.add_argument("place_id", help="a place id, e.g. cbd_core, st_shuangjing, subcentre, rail_28, beijing")
    describing.add_argument("--json", action="store_true", help="print the answer as JSON")
    describing.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the text summary")
    describing.set_defaults(run=_describe)

    atlas = commands.add_parser(
        "atlas", help="write the atlas: one A4 page per place with its map, facts, indicators and tasks (PDF)",
        description="One page per place (the zone, the core, the 17 streets, the sub-centre and its key places), "
                    "with continuation pages where the tables run long.")
    atlas.add_argument("--places", help="comma-separated place ids (default: every place of the atlas)")
    atlas.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the atlas")
    atlas.add_argument("--date", type=dt.date.fromisoformat, help="date printed on the pages (default today)")
    atlas.add_argument("--preview-dir", type=Path, help="also write every page as a PNG into this folder")
    atlas.add_argument("-o", "--output", required=True, type=Path, help="the PDF to write")
    atlas.add_argument("--force", action="store_true", help="replace the output file if it exists")
    atlas.set_defaults(run=_atlas)


    checking = commands.add_parser(
        "check", help="site check (审查): for each feature of a file, the places it lies in or is near and the tasks",
        description="Read a planner's layer (GeoJSON, GPKG, zipped SHP, KML, DXF, CSV, XLSX), bring it to WGS84, "
                    "repair it, and list per feature the places it lies in, crosses or is near and the tasks and "
                    "indicators that apply there.")
    checking.add_argument("file", type=Path, help="the layer file")
    checking.add_argument("--crs", type=_crs, help="the file's coordinate system when it does not say: an EPSG "
                                                   "code, gcj02 or bd09")
    checking.add_argument("--layer", help="GeoPackage/KML layer or XLSX sheet (default: the first)")
    checking.add_argument("--near", type=_positive_int, default=500, help="metres within which lines and stations "
                                                                          "count as near (default 500)")
    checking.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the PDF and summary")
    output = checking.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the check as JSON")
    output.add_argument("-o", "--output", type=Path, help="write a report: .pdf (one page per site) or .xlsx (tasks)")
    checking.add_argument("--force", action="store_true", help="replace the report file if it exists")
    checking.set_defaults(run=_check)

    add_validate_parser(commands)
    return parser


def _crs(text: str) -> str:
    try:
        return parse_crs(text)
    except CrsError as error:
        raise argparse.ArgumentTypeError(error.args[0]) from error


def _check(args: argparse.Namespace) -> int:
    """Site check of every feature; asks for --crs (listing the candidates) when the file's system is unclear."""
    from geo.places import load_places
    from geo.sitecheck import check_layer, site_check_dict
    from geo.userlayer import load_user_layer
    from layers.site_report import site_pdf, site_xlsx

    if args.output is not None and args.output.suffix.lower() not in (".pdf", ".xlsx"):
        return _fail(f"cannot tell the report format from {args.output.name!r}: end the name in .pdf or .xlsx")
    if args.output is not None:
        refuse_overwrite(args.output, args.force)
    places = load_places()
    try:  # read as the app's upload reads it, named as typed: every reading error names the file once
        user = load_user_layer(str(args.file), _read_capped(args.file), args.crs, args.layer, anchors=places)
    except ReadError as error:
        return _fail(str(error))
    except CrsError as error:
        return _fail(f"{args.file}: {error}")
    if user.needs_crs:
        options = "; ".join(label(code) for code in user.decision.candidates) or "none fits"
        notes = " ".join(note.en for note in user.decision.notes)
        return _fail(f"{args.file}: the coordinate system cannot be told for sure ({notes}). "
                     f"Give --crs, one of: {options}")
    for line in user.summary():
        print(line.en, file=sys.stderr)
    if not user.report.empty:
        print(f"{len(user.report)} problem(s) found and handled: run with --json for the list", file=sys.stderr)
    results = check_layer(user.frame, places, near_m=args.near)
    if args.output is not None:
        if args.output.suffix.lower() == ".pdf":
            data = site_pdf(results, user.frame, places, args.file.name, label(user.crs), args.near, args.lang)
        else:
            data = site_xlsx(results, user.id_field)
        args.output.write_bytes(data)
        print(f"wrote {args.output} ({len(results)} site(s), {len(data):,} bytes)", file=sys.stderr)
        return 0
    if args.json:
        print(json.dumps(site_check_dict(user, results, args.near), ensure_ascii=False, indent=1))
        return 0
    for result in results:
        print(f"#{result.row} {result.attributes}: {', '.join(result.place_ids) or '-'} · {len(result.tasks)} tasks")
    return 0


def _read_capped(path: Path) -> bytes:
    """The file's bytes, its size checked first (the refusal names the file)."""
    from geo.readers import check_size

    if not path.exists():
        raise OSError(f"{path}: file not found")
    check_size(path.stat().st_size, str(path))
    return path.read_bytes()


def _layer_ids(text: str) -> list[str]:
    """Known layer ids from a comma-separated list; argparse reports unknown ones with the usage line."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    try:
        load_catalog().resolve(ids)
    except KeyError as error:
        raise argparse.ArgumentTypeError(error.args[0]) from error
    return ids


def _bbox(text: str) -> tuple[float, float, float, float]:
    """west,south,east,north in degrees."""
    parts = text.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be four numbers west,south,east,north, not {text}") from error
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise argparse.ArgumentTypeError(f"must be west,south,east,north in degrees with west < east and "
                                         f"south < north, not {text}")
    return west, south, east, north


def _layer_id(text: str) -> str:
    return _layer_ids(text)[0]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def _dpi(text: str) -> int:
    low, high = DPI_RANGE
    if not text.isdigit() or not low <= int(text) <= high:
        raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {text}")
    return int(text)


def _display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
