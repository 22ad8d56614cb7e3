"""Command line for exports and report maps: `python -m layers list | export | render`.

User mistakes (unknown layer, format, paper; missing font; tiles unreachable) end with one line on stderr
and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from layers.catalog import load_catalog
from layers.export import FORMATS, ExportError, export
from layers.safe_files import refuse_overwrite
from layers.static_map import MEDIA_TYPES, ORIENTATIONS, PAPER_MM, RenderError, render_map
from layers.validation import add_validate_parser

USER_ERROR = 2
DPI_RANGE = (50, 1200)  # 1200 dpi on A3 is already ~270 megapixels


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ExportError, RenderError, OSError) as error:
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
    rendered = render_map(args.layers, fmt=fmt, paper=args.paper, orientation=args.orientation, dpi=args.dpi,
                          title=args.title, lang=args.lang, context=not args.no_context, tiles=args.tiles,
                          date=args.date, path=args.output)
    print(f"wrote {args.output} ({fmt}, {args.paper} {args.orientation}, {args.dpi} dpi, font {rendered.font})",
          file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,export,render,validate}")

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
    rendering.add_argument("--layers", required=True, type=_layer_ids, help="comma-separated layer ids (see `list`)")
    rendering.add_argument("--paper", default="A4", type=str.upper, choices=list(PAPER_MM))
    rendering.add_argument("--orientation", default="landscape", choices=ORIENTATIONS)
    rendering.add_argument("--dpi", default=300, type=_dpi,
                           help=f"resolution for PNG, {DPI_RANGE[0]}–{DPI_RANGE[1]} (default 300)")
    rendering.add_argument("--title", help="map title (default: the layers' titles)")
    rendering.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of titles and labels")
    rendering.add_argument("--date", type=dt.date.fromisoformat, help="date printed on the map (default today)")
    rendering.add_argument("--no-context", action="store_true", help="leave out the context background layers")
    rendering.add_argument("--tiles", metavar="PROVIDER",
                           help="web tiles instead of context layers, e.g. OpenStreetMap.Mapnik (needs network)")
    rendering.add_argument("-o", "--output", required=True, type=Path, help="map file: .png, .svg or .pdf")
    rendering.add_argument("--force", action="store_true", help="replace the output file if it exists")
    rendering.set_defaults(run=_render)
    add_validate_parser(commands)
    return parser


def _layer_ids(text: str) -> list[str]:
    """Known layer ids from a comma-separated list; argparse reports unknown ones with the usage line."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    try:
        load_catalog().resolve(ids)
    except KeyError as error:
        raise argparse.ArgumentTypeError(error.args[0]) from error
    return ids


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
