"""Text from a link or a layer, made inert wherever it is shown or exported.

Streamlit renders alerts, captions, widget labels and `st.markdown` as Markdown: a place id in a link such
as `[log in](http://host/login) ![t](http://host/t.png)` would become a live link and an image the browser
fetches. Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula. Everything here is pure
(no Streamlit), so the app, the exports and the command line share one rule each.
"""
from __future__ import annotations

import re
import string
from typing import Final

# CommonMark lets a backslash escape any ASCII punctuation character, and an escaped character is literal
# text: no link, image, emphasis, HTML, entity, autolink (`http\:`, `www\.`), LaTeX (`\$`) or Streamlit
# directive (`\:red[…]`) can start from it.
_MARKDOWN_ACTIVE: Final = frozenset(string.punctuation)
# What a page shows of one value it did not make itself (an id from a link, a name from a planner's layer).
SHOWN_CHARS: Final = 200
# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (tab and carriage return are stripped before the check by some of them).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-3.5", "+12", "-1e3") is not a formula, and neutralising it would turn it into text.
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def shorten(text: object, limit: int = SHOWN_CHARS) -> str:
    """One line of at most `limit` characters: line breaks and tabs become spaces, the rest is cut with "…"."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


# GFM turns bare URLs and e-mail addresses into links after escapes are resolved (`http\:\/\/x` is still
# linked), so an invisible word joiner goes where those patterns would match: "http:⁠//", "www⁠.", "a@⁠b".
WORD_JOINER: Final = "\u2060"
_AUTOLINK: Final = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def markdown_inert(text: object, limit: int = SHOWN_CHARS) -> str:
    """`text` as Markdown that renders as exactly that text (shortened to one line of `limit` characters)."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, shorten(text, limit))
    return "".join("\\" + char if char in _MARKDOWN_ACTIVE else char for char in unlinked)


# Punctuation that can start Markdown anywhere in a one-line label (code, emphasis, links, images, HTML, entities,
# strikethrough, LaTeX, Streamlit directives and emoji, tables, headings) — the rest (parentheses, commas,
# apostrophes, full stops, slashes) is literal unless it follows one of these or opens the line.
_LABEL_ACTIVE: Final = frozenset("\\`*_[]!<>&~$:|#{}")
_LINE_START: Final = re.compile(r"^(\d+)([.)])|^([-+=])")


def label_inert(text: object, limit: int = SHOWN_CHARS) -> str:
    """`text` as Markdown that renders as exactly that text, escaping only what could start Markdown.

    For widget labels: Streamlit also gives a label, as written, to screen readers (the box's aria-label),
    where every backslash of markdown_inert would be read out ("The zone\\'s 17 streets \\(schematic\\)").
    """
    unlinked = _AUTOLINK.sub(WORD_JOINER, shorten(text, limit))
    escaped = "".join("\\" + char if char in _LABEL_ACTIVE else char for char in unlinked)
    return _LINE_START.sub(lambda hit: f"{hit.group(1)}\\{hit.group(2)}" if hit.group(1) else "\\" + hit.group(3),
                           escaped)


def neutralise_formula(value: object) -> object:
    """A spreadsheet cell that cannot run: text starting with a formula character gets a leading apostrophe.

    Other values pass unchanged, plain numbers written as text included, so nothing is lost or retyped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value

