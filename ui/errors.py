"""What a planner sees when something fails: a short message in their language, never a traceback.

The traceback goes to the server log for the operator (Streamlit's own error details are off in
.streamlit/config.toml: client.showErrorDetails = "none").
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from geo.validate import Problem
from layers.i18n import LANGUAGES, t
from layers.safe_text import markdown_inert

log = logging.getLogger("planmap")


def show_failure(error: BaseException, lang: str, detail: str | None = None) -> None:
    """Log the error with its traceback; show the user what failed (`detail`, as text) and that it was logged."""
    log.error("Plan Map failed: %s", error, exc_info=error)
    message = t("failed", lang)
    if detail:
        message += " " + markdown_inert(detail, limit=600)
    st.error(message)


def show_problems(problems: Sequence[Problem], lang: str, title_key: str = "left_out") -> None:
    """Problems with the planner's layers, catalogue or plan tables, each shown as text in the reader's language;
    the rest of the page still works."""
    if problems:
        with st.sidebar.expander(t(title_key, lang) + f" ({len(problems)})", icon="⚠️"):
            for problem in problems:
                st.caption(markdown_inert(problem.text(lang), limit=600))


def failure_language(linked: str | None) -> str:
    """The language switch alone, for a page that stops on a failure before the sidebar is drawn: the message
    is then still one click away from the other language. `linked`: the link's language, the first choice."""
    return st.sidebar.radio("语言 / Language", list(LANGUAGES), key="lang", format_func=LANGUAGES.get,
                            horizontal=True, index=list(LANGUAGES).index(linked) if linked in LANGUAGES else 0)
