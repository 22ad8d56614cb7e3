"""Read back the HTML tables a page shows (ui/accessible.py html_table) as the rows they hold, with the standard
library's parser: AppTest gives an st.html element's body as written."""
from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


class _TableReader(HTMLParser):
    """Each <table>: its caption, header cells, and rows of cells (a row's `data-id` as its first value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.tags: list[str] = []
        self.text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "rows": [], "ids": []})
        elif tag == "tr" and "tbody" in self.tags:
            self.tables[-1]["rows"].append([])
            self.tables[-1]["ids"].append(dict(attrs).get("data-id"))
        elif tag in ("caption", "th", "td"):
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td") and self.text is not None:
            cell, table = "".join(self.text), self.tables[-1]
            if tag == "caption":
                table["caption"] = cell
            elif "thead" in self.tags:
                table["head"].append(cell)
            else:
                table["rows"][-1].append(cell)
            self.text = None
        while self.tags and self.tags.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def read_tables(html: str) -> list[tuple[str, pd.DataFrame]]:
    """(caption, rows) of each table in `html`; rows named by `data-id` get an "id" column first, as shown
    tables had it (hidden) in st.dataframe."""
    reader = _TableReader()
    reader.feed(html)
    found = []
    for table in reader.tables:
        frame = pd.DataFrame(table["rows"], columns=table["head"], dtype=object)
        if any(table["ids"]):
            frame.insert(0, "id", table["ids"])
        found.append((table["caption"], frame))
    return found


def shown_tables(at) -> list[pd.DataFrame]:
    """The rows of every HTML table an AppTest run shows, in page order."""
    return [frame for element in at.get("html") for _caption, frame in read_tables(element.value)]
