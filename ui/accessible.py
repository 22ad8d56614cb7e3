"""What a screen reader hears and a keyboard reaches: layer boxes named in plain words, and every table as a
download (st.dataframe draws on a canvas: a screen reader does not read it cell by cell, nor does the keyboard
reach its own download icon, shown on hover only)."""
from __future__ import annotations

from collections.abc import Callable

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


def table_csv(frame: pd.DataFrame) -> bytes:
    """A shown table as CSV a spreadsheet opens in the right encoding (BOM) and cannot run (no formula cell)."""
    return frame.map(neutralise_formula).to_csv(index=False).encode("utf-8-sig")


def table_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], title: str, file_stem: str, lang: str,
                   key: str) -> None:
    """Under a table drawn on a canvas (st.dataframe): the same rows as a CSV file, behind a button a keyboard
    reaches and a screen reader names. Built only when clicked (no cost to a rerun; `frame` may be a function
    making the rows then), and no rerun after."""
    rows = frame if callable(frame) else (lambda: frame)
    st.download_button(t("download_table", lang).format(table=title), data=lambda: table_csv(rows()),
                       file_name=f"{file_stem}.csv", mime="text/csv", key=key, on_click="ignore",
                       icon=":material/download:", type="tertiary")
