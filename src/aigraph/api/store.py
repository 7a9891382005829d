"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (GET open; PUT, POST, DELETE need the
write token). Thin: see :mod:`aigraph.sparql.gsp`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ..sparql import negotiate
from .body import media_type, read_body
from .openapi import GRAPHS, content, problems
from .sparql import service

router = APIRouter(tags=["Graph Store"])
GraphParam = Query(None, description="IRI of the named graph")
DefaultParam = Query(None, description="present (empty) to address the default graph")


def _is_default(request: Request) -> bool:
    return "default" in request.query_params


RDF_BODY = {
    "requestBody": {
        "required": True,
        "content": {m: {"schema": {"type": "string"}} for m in (*GRAPHS, "application/trig")},
    }
}
WRITTEN: dict[int | str, dict[str, Any]] = {
    201: {"description": "the graph was created"},
    204: {"description": "the graph was changed"},
}


@router.get(
    "/store",
    summary="Read a graph (?graph=IRI or ?default)",
    response_class=Response,
    responses={200: content(*GRAPHS, description="the graph"), **problems(400, 404, 406)},
)
async def read(
    request: Request, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    svc = service(request)
    body, fmt = await run_in_threadpool(
        svc.graph_read,
        graph,
        _is_default(request),
        request.headers.get("accept"),
        request.query_params.get("format"),
    )
    return Response(body, media_type=negotiate.FORMAT_MEDIA[fmt], headers={"Vary": "Accept"})


async def _write(request: Request, method: str, graph: str | None) -> Response:
    svc = service(request)
    body = b""
    if method != "DELETE":
        body = await read_body(request, svc.settings.max_upload_bytes)
    _result, created = await run_in_threadpool(
        svc.graph_write,
        method,
        graph,
        _is_default(request),
        body,
        media_type(request),
        request.headers.get("authorization"),
    )
    return Response(status_code=201 if created else 204)


@router.put(
    "/store",
    status_code=204,
    summary="Replace a graph (needs the write token)",
    responses={**WRITTEN, **problems(400, 401, 403, 413, 415, 422, 507)},
    openapi_extra=RDF_BODY,
)
async def put(
    request: Request, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    return await _write(request, "PUT", graph)


@router.post(
    "/store",
    status_code=204,
    summary="Add to a graph (needs the write token)",
    responses={**WRITTEN, **problems(400, 401, 403, 413, 415, 422, 507)},
    openapi_extra=RDF_BODY,
)
async def post(
    request: Request, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    return await _write(request, "POST", graph)


@router.delete(
    "/store",
    status_code=204,
    summary="Delete a graph (needs the write token)",
    responses=problems(400, 401, 403, 404, 507),
)
async def delete(
    request: Request, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    return await _write(request, "DELETE", graph)
