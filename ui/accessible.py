"""What a screen reader hears and a keyboard reaches: layer boxes named in plain words, the details column's
tables as real HTML tables, and every table as a download (st.dataframe draws on a canvas: a screen reader does
not read it cell by cell, nor does the keyboard reach its own download icon, shown on hover only)."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

import pandas as pd
import streamlit as st

from layers.catalog import SCHEMATIC_BADGE, LayerSpec
from layers.i18n import t
from layers.safe_text import label_inert, neutralise_formula


def layer_label(spec: LayerSpec, lang: str) -> str:
    """A layer box's label: its name and, for a curated outline, "（示意）" / "(schematic)" in plain words.

    Streamlit gives the label as written to the box's aria-label, so no Markdown directive (a badge) goes in:
    it was read out as ":gray-badge[示意]". The swatch is CSS (layers/interactive.py legend_css), not text.
    """
    title = label_inert(spec.title(lang))
    if not spec.schematic:
        return title
    return f"{title}（{SCHEMATIC_BADGE[0]}）" if lang == "zh" else f"{title} ({SCHEMATIC_BADGE[1]})"


def html_table(frame: pd.DataFrame, caption: str, *, row_headers: bool = False, row_id: str = "id") -> str:
    """A small read-only table as real HTML: a caption naming it, column headers (and, for a list of facts, row
    headers) a screen reader announces with each cell, every text escaped so markup in data stays text.

    Drawn by the browser as it is: no canvas grid (st.dataframe's glide-data-grid) to lay out and paint on each
    click. The `row_id` column is not shown; it names each row (`data-id`) for tests and scripts.
    pandas' `to_html` writes neither a caption nor header scopes, hence this small writer.
    """
    shown = [column for column in frame.columns if column != row_id]
    ids = frame[row_id] if row_id in frame.columns else None
    head = "".join(f'<th scope="col">{_cell(column)}</th>' for column in shown)
    rows = []
    for number, values in enumerate(frame[shown].itertuples(index=False, name=None)):
        cells = [f'<th scope="row">{_cell(value)}</th>' if row_headers and place == 0 else f"<td>{_cell(value)}</td>"
                 for place, value in enumerate(values)]
        named = "" if ids is None else f' data-id="{_cell(ids.iloc[number])}"'
        rows.append(f"<tr{named}>{''.join(cells)}</tr>")
    # A list of facts shows whole. A list of rows scrolls in a box of its own when long (its header stays in
    # view): the box takes the keyboard's focus (Tab, then the arrow keys) and is named by the caption.
    box = "" if row_headers else f' tabindex="0" role="region" aria-label="{_cell(caption)}"'
    kind = "planmap-facts" if row_headers else "planmap-rows"
    return (f'<div class="planmap-table {kind}"{box}><table><caption>{_cell(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _cell(value: object) -> str:
    """A cell's text, escaped (quotes included: it may go in an attribute); nothing for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value), quote=True)


def show_table(frame: pd.DataFrame, caption: str, *, row_headers: bool = False) -> None:
    """`frame` shown as an HTML table (html_table) in the page itself."""
    st.html(html_table(frame, caption, row_headers=row_headers))


def table_csv(frame: pd.DataFrame) -> bytes:
    """A shown table as CSV a spreadsheet opens in the right encoding (BOM) and cannot run (no formula cell)."""
    return frame.map(neutralise_formula).to_csv(index=False).encode("utf-8-sig")


def table_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], title: str, file_stem: str, lang: str,
                   key: str) -> None:
    """Under a table: the same rows as a CSV file for a spreadsheet, behind a button a keyboard reaches and a
    screen reader names (the only way to read a canvas-drawn st.dataframe cell by cell). Built only when clicked (no cost to a rerun; `frame` may be a function
    making the rows then), and no rerun after."""
    rows = frame if callable(frame) else (lambda: frame)
    st.download_button(t("download_table", lang).format(table=title), data=lambda: table_csv(rows()),
                       file_name=f"{file_stem}.csv", mime="text/csv", key=key, on_click="ignore",
                       icon=":material/download:", type="tertiary")
