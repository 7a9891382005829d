"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import (
    AigraphError,
    NonConformingError,
    Overloaded,
    QuerySyntaxError,
    Unauthorized,
)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://w3id.org/aigraph/problems/"
_POSITION = re.compile(r"\bat (\d+):(\d+)")
log = logging.getLogger("aigraph.api")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def problem(status: int, title: str, detail: str, instance: str, **extra) -> JSONResponse:
    headers = extra.pop("_headers", None)
    body = {
        "type": TYPE_BASE + _slug(title),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def from_error(err: AigraphError, instance: str) -> JSONResponse:
    extra: dict = {}
    if isinstance(err, QuerySyntaxError) and (m := _POSITION.search(str(err))):
        extra["line"], extra["column"] = int(m.group(1)), int(m.group(2))
    if isinstance(err, NonConformingError):
        extra["report"] = err.report.to_json()
    if isinstance(err, Unauthorized):
        extra["_headers"] = {"WWW-Authenticate": 'Bearer realm="aigraph"'}
    retry_after = getattr(err, "retry_after", None)
    if retry_after is not None:  # busy or over a client's share: when to come back
        extra["_headers"] = {"Retry-After": str(max(1, math.ceil(retry_after)))}
    if isinstance(err, Overloaded):
        extra["_headers"] = {"Retry-After": str(err.retry_after)}
    return problem(err.status, err.title, str(err), instance, **extra)


_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def allowed_methods(app: FastAPI, scope: MutableMapping[str, Any]) -> list[str]:
    """The methods some route takes at this request's path (asked of the router itself, so
    included routers and GET's implied HEAD count)."""
    allowed = []
    for method in _METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    @app.exception_handler(AigraphError)
    async def _aigraph(request: Request, err: AigraphError) -> JSONResponse:
        return from_error(err, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(err.status_code, "HTTP error")
        headers = dict(err.headers or {})
        if err.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
        extra = {"_headers": headers} if headers else {}
        return problem(err.status_code, title, str(err.detail), request.url.path, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, err: RequestValidationError) -> JSONResponse:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in err.errors()
        )
        return problem(400, "Bad input", detail, request.url.path)

    @app.exception_handler(Exception)
    async def _internal(request: Request, err: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return problem(500, "Internal error", "the service failed; see its log", request.url.path)
