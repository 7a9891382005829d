"""A task for the analytics runner that holds a core and the GIL for as long as it is told, as
pure-Python network analytics do (used by test_heavy_handlers.py; the worker process imports it
by name)."""

from __future__ import annotations

import time


def spin(store, seconds: float) -> dict:
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return {"spun": seconds, "loops": n}
