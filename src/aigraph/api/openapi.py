"""The OpenAPI description, made to say what the service does.

Routes declare their error responses with :func:`problems` (RFC 9457 problem documents, one
shared schema) and their real media types with :func:`content`. :func:`install` replaces
FastAPI's generator with one that also drops the ``422 Validation Error`` FastAPI adds to every
operation with parameters: this service answers bad parameters with 400 (see
:mod:`.problems`), and 422 only for data that fails the SHACL shapes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; some problems add members (line and column of "
    "a SPARQL syntax error, the SHACL report of non-conforming data).",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "line": {"type": "integer"},
        "column": {"type": "integer"},
        "report": {"type": "object"},
    },
    "additionalProperties": True,
}
WHY = {
    400: "Bad input: a parameter, query or body that is not valid",
    401: "A write without the right bearer token",
    403: "Refused by the service's policy (writes off, SERVICE outside the allow-list, LOAD)",
    404: "Not found",
    406: "None of the accepted media types can be produced",
    413: "The request body is larger than the service accepts",
    415: "The request body's media type is not one this operation takes",
    422: "The data would not conform to the SHACL shapes (the report is in the problem)",
    429: "This client has too many requests running (see Retry-After)",
    503: "Past the deadline (the work was stopped) or the service is busy (see Retry-After)",
    507: "The store's disk refused the write (full disk or quota); the store is unchanged",
}
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}},
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses, each a problem document."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "description": WHY[code],
            "content": {PROBLEM_MEDIA: {"schema": PROBLEM_REF}},
        }
        if code in (429, 503):
            entry["headers"] = RETRY_AFTER
        out[code] = entry
    return out


def content(*media_types: str, schema: dict | None = None, description: str = "OK") -> dict:
    """A ``responses=`` entry for a success answered in one of ``media_types``."""
    body = schema or {"type": "string"}
    return {"description": description, "content": {m: {"schema": body} for m in media_types}}


def _is_validation_error(response: dict) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").endswith("/HTTPValidationError")


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            if "422" in responses and _is_validation_error(responses["422"]):
                del responses["422"]
                responses.setdefault("400", problems(400)[400])
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = PROBLEM_SCHEMA
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["PROBLEM_MEDIA", "content", "install", "problems"]
