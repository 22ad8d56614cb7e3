"""app.py on a busy server: the session's first run stalls for a while right after the map is sent, so the
browser draws the map and reports while that run is still going; and no fallback timer, so that only the
map's report can bring the rest of the page (tests/browser/test_first_page.py)."""
from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from ui import first_page  # noqa: E402

STALL_S = 3.0

if not getattr(first_page.hold_places, "stalls", False):
    held = first_page.hold_places

    def stalled_hold(search_slot) -> None:
        time.sleep(STALL_S)
        held(search_slot)

    stalled_hold.stalls = True
    first_page.hold_places = stalled_hold
    first_page._fallback = lambda: None

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
