"""Runs the Streamlit script named by BENCH_APP and appends each script run's duration to BENCH_TIMINGS.

The benchmark serves every app through this wrapper, so Plan Map, the baseline and the floor are timed the
same way, inside the real server, with real browser sessions driving the reruns. A line is
`<wall-clock start> <seconds> <outcome>`; outcome is `ok`, or the exception's name when Streamlit stopped
or restarted the run (those runs are not complete and the benchmark ignores them).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

APP = Path(os.environ["BENCH_APP"])
CODE = compile(APP.read_text(encoding="utf-8"), str(APP), "exec")  # compiled before the clock starts

wall, start, outcome = time.time(), time.perf_counter(), "ok"
try:
    exec(CODE, {"__name__": "__main__", "__file__": str(APP)})
except BaseException as stopped:  # Streamlit's StopException / RerunException: re-raised untouched
    outcome = type(stopped).__name__
    raise
finally:
    with open(os.environ["BENCH_TIMINGS"], "a", encoding="utf-8") as log:
        log.write(f"{wall:.6f} {time.perf_counter() - start:.6f} {outcome}\n")
