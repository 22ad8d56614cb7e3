"""Download buttons for the visible layers and the plan tables, and the static report map."""
from __future__ import annotations

import streamlit as st

from layers.i18n import t


def export_panel(chosen: list[str], lang: str) -> None:
    st.caption(t("export_layers", lang))
