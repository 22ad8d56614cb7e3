"""What a screen reader hears and a keyboard reaches: layer boxes named in plain words, and tables as real
HTML tables (a canvas grid such as st.dataframe is neither read by screen readers nor reachable cell by cell)."""
from __future__ import annotations

from layers.catalog import SCHEMATIC_BADGE, LayerSpec
from layers.safe_text import label_inert


def layer_label(spec: LayerSpec, lang: str) -> str:
    """A layer box's label: its name and, for a curated outline, "（示意）" / "(schematic)" in plain words.

    Streamlit gives the label as written to the box's aria-label, so no Markdown directive (a badge) goes in:
    it was read out as ":gray-badge[示意]". The swatch is CSS (layers/interactive.py legend_css), not text.
    """
    title = label_inert(spec.title(lang))
    if not spec.schematic:
        return title
    return f"{title}（{SCHEMATIC_BADGE[0]}）" if lang == "zh" else f"{title} ({SCHEMATIC_BADGE[1]})"
