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
    out: dict[int | str, dict[str, Any]] = {}  # string keys, as in the OpenAPI document
    for code in codes:
        entry: dict[str, Any] = {
            "description": WHY[code],
            "content": {PROBLEM_MEDIA: {"schema": PROBLEM_REF}},
        }
        if code in (429, 503):
            entry["headers"] = RETRY_AFTER
        out[str(code)] = entry
    return out


def content(*media_types: str, schema: dict | None = None, description: str = "OK") -> dict:
    """A ``responses=`` entry for a success answered in one of ``media_types``."""
    body = schema or {"type": "string"}
    return {"description": description, "content": {m: {"schema": body} for m in media_types}}


SOLUTIONS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPHS = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
FORM = "application/x-www-form-urlencoded"
TEXT = {"type": "string"}
IRIS = {"type": "array", "items": TEXT}


def _param(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


TIMEOUT = _param(
    "timeout",
    {"type": "number", "exclusiveMinimum": 0},
    "seconds; lowers the deadline (AIGRAPH_QUERY_TIMEOUT), never above the maximum",
)
FORMAT = _param("format", TEXT, "result format by name (json, xml, csv, tsv, turtle, ...)")
QUERY_PARAMS = [
    _param("query", TEXT, "the SPARQL query; without it, the service description"),
    _param("default-graph-uri", IRIS, "IRI of a graph of the default graph (repeatable)"),
    _param("named-graph-uri", IRIS, "IRI of a named graph (repeatable)"),
    FORMAT,
    TIMEOUT,
]
WRITE_RESULT = {
    "type": "object",
    "required": ["added", "removed", "before", "after"],
    "properties": {k: {"type": "integer"} for k in ("added", "removed", "before", "after")},
}
#: what routes that read their own parameters and bodies take and answer (merged in by path
#: and method: the routes of :mod:`.sparql` declare none themselves)
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/sparql", "get"): {
        "parameters": QUERY_PARAMS,
        "responses": {
            "200": content(*SOLUTIONS, *GRAPHS, description="results, or a graph"),
            **problems(400, 403, 406, 429, 503),
        },
    },
    ("/sparql", "post"): {
        "parameters": QUERY_PARAMS[1:],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": TEXT},
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": TEXT,
                            "default-graph-uri": IRIS,
                            "named-graph-uri": IRIS,
                            "format": TEXT,
                            "timeout": TIMEOUT["schema"],
                        },
                    }
                },
            },
        },
        "responses": {
            "200": content(*SOLUTIONS, *GRAPHS, description="results, or a graph"),
            **problems(400, 403, 406, 413, 415, 429, 503),
        },
    },
    ("/update", "post"): {
        "parameters": [TIMEOUT],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-update": {"schema": TEXT},
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["update"],
                        "properties": {"update": TEXT, "timeout": TIMEOUT["schema"]},
                    }
                },
            },
        },
        "responses": {
            "200": content("application/json", schema=WRITE_RESULT, description="the change"),
            **problems(400, 401, 403, 413, 415, 422, 503, 507),
        },
    },
}


def _merge(operation: dict, extra: dict) -> None:
    if "parameters" in extra:
        known = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
        params = operation.setdefault("parameters", [])
        params += [p for p in extra["parameters"] if (p["name"], p["in"]) not in known]
    if "requestBody" in extra:
        operation["requestBody"] = extra["requestBody"]
    if "responses" in extra:
        operation["responses"] = {**operation.get("responses", {}), **extra["responses"]}


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
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if (path, method) in OPERATIONS:
                _merge(operation, OPERATIONS[(path, method)])
            responses = operation.get("responses", {})
            if "422" in responses and _is_validation_error(responses["422"]):
                del responses["422"]
                responses.setdefault("400", problems(400)["400"])
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
