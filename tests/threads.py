"""Run asyncio code from a test even when the session already has a running event loop.

Playwright's sync API (the browser tests, which run first in `make test`) leaves an event loop running in
the main thread, and `asyncio.run` refuses to start inside one: such calls go to a fresh thread instead.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")


def off_the_main_thread(function: Callable[..., Result], *args: object) -> Result:
    """function(*args) in a worker thread (which has no event loop), returning its result or raising its error."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()
