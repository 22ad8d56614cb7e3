"""AppTest of the whole page: a session past its first run, which draws the map alone (ui/first_page.py).

In a browser the map's report (or the fallback timer) asks for the rest of the page; an AppTest has no map
to report, so the session starts where that report leaves it. tests/test_first_page.py tests the first run."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import first_page

APP = Path(__file__).resolve().parents[1] / "app.py"


def whole_page(timeout: float = 60, app: Path = APP) -> AppTest:
    """A new session of the app whose runs draw the whole page."""
    at = AppTest.from_file(str(app), default_timeout=timeout)
    at.session_state[first_page.PHASE] = first_page.REST
    return at
