"""Behaviour of the page around the map, in one small script run in the page itself: the document's
`lang` follows the chosen language (screen readers, fonts, hyphenation), and Esc anywhere outside a text
field or an open list clears the selection (the map handles Esc itself when it has the focus)."""
from __future__ import annotations

import streamlit as st

HTML_LANG = {"zh": "zh-CN", "en": "en"}
SCRIPT = """<script>
document.documentElement.lang = %s;
if (!window.__planmapKeys) {
  window.__planmapKeys = true;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var target = event.target;
    if (target && (target.closest("input, textarea, select, [data-baseweb='popover'], [role='dialog']"))) return;
    var clear = document.querySelector(".st-key-clear_selection button");
    if (clear) clear.click();
  });
}
</script>"""


def page_behaviour(lang: str) -> None:
    st.html(SCRIPT % ('"' + HTML_LANG.get(lang, "zh-CN") + '"'), unsafe_allow_javascript=True)
