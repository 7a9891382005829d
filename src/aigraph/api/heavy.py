"""Running a heavy handler's work through the app's :class:`~aigraph.analytics.runner.Runner`:
off the event loop, with the queries' deadline (``AIGRAPH_QUERY_TIMEOUT``, lowered by
``?timeout=``, never above ``AIGRAPH_MAX_QUERY_TIMEOUT``), cached per store version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from ..policy import deadline

Timeout = Annotated[
    float | None,
    Query(
        gt=0,
        allow_inf_nan=False,
        description="seconds; lowers the service's deadline (AIGRAPH_QUERY_TIMEOUT), never "
        "above AIGRAPH_MAX_QUERY_TIMEOUT",
    ),
]


async def run(request: Request, task: str, timeout: float | None, /, **kwargs: Any) -> Any:
    """``task(store, **kwargs)`` within the request's deadline (503 past it)."""
    settings = request.app.state.settings
    return await request.app.state.heavy.run(task, kwargs, deadline(settings, timeout))


__all__ = ["Timeout", "run"]
