"""A short run of benchmarks/load.py from a test, off the main thread (the load runs its own event loop)."""
from __future__ import annotations

import sys

from geo.paths import ROOT
from tests.threads import off_the_main_thread

sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402  (a script beside the benchmarks, not a package)


def short_load_run(capsys, sessions: int, *options: str) -> str:
    """Its report, after checking that every session was held and no toggle met an error."""
    status = off_the_main_thread(load.main, ["--sessions", str(sessions), "--interval", "1", *options])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"sessions held        {sessions} / {sessions}" in out and "errors               0" in out
    return out
