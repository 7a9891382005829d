"""``/health``, ``/.well-known/void`` and the canned queries at ``/queries``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..errors import InputError
from ..sparql import QueryRequest, canned, describe, entity, negotiate
from .openapi import GRAPHS, content, problems
from .sparql import browser_view, result_response, service

router = APIRouter(tags=["service"])
CANNED_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
}
_RESERVED = {"format", "timeout"}


@router.get("/health", summary="Liveness and a few facts about the service")
async def health(request: Request) -> dict:
    """Answered on the event loop (cheap, and so never queued behind busy threads)."""
    svc = service(request)
    return {
        "status": "ok",
        "store": "disk" if svc.store.path else "memory",
        "graphs": len(svc.store.named_graphs()),
        "executor": svc.executor.info(),
        "analytics": request.app.state.heavy.info(),
        "writes": bool(svc.settings.write_token),
        "federation": svc.settings.federation,
    }


@router.get(
    "/.well-known/void",
    summary="VoID and DCAT description of the dataset and graphs",
    response_class=Response,
    responses={200: content(*GRAPHS, description="the description"), **problems(400, 406)},
)
async def void(request: Request) -> Response:
    svc = service(request)
    accept = request.headers.get("accept")
    browser = "format" not in request.query_params and entity.wants_html(accept)
    fmt = (
        "turtle"
        if browser
        else negotiate.choose(accept, negotiate.GRAPH_MEDIA, request.query_params.get("format"))
    )
    base = str(request.base_url)
    cache = request.app.state.void_cache
    key = (svc.store.version, base)
    if key not in cache:
        cache.clear()
        cache[key] = await run_in_threadpool(
            describe.void_description,
            svc.store,
            base + ".well-known/void#dataset",
            base + "sparql",
        )
    if browser:
        return browser_view("VoID description", describe.write(cache[key], "turtle"))
    return Response(
        describe.write(cache[key], fmt),
        media_type=negotiate.FORMAT_MEDIA[fmt],
        headers={"Vary": "Accept"},
    )


@router.get("/queries", summary="The named queries and their parameters")
def list_queries() -> list[dict]:
    return [q.summary() for q in canned.catalogue().values()]


@router.get(
    "/queries/{name}",
    summary="Run a named query (parameters in the query string)",
    response_class=Response,
    responses={
        200: content(*CANNED_MEDIA, description="the results"),
        **problems(400, 404, 406, 429, 503),
    },
)
async def run_query(name: str, request: Request) -> Response:
    query = canned.get(name)
    params = {k: v for k, v in request.query_params.items() if k not in _RESERVED}
    fmt = negotiate.choose(
        request.headers.get("accept"), CANNED_MEDIA, request.query_params.get("format")
    )
    timeout = request.query_params.get("timeout")
    try:
        seconds = float(timeout) if timeout else None
    except ValueError:
        raise InputError(f"timeout must be a number of seconds, not {timeout!r}") from None
    req = QueryRequest(
        query.sparql,
        format=fmt,
        timeout=seconds,
        substitutions=canned.bind(query, params),
        client=request.client.host if request.client else None,
    )
    return await result_response(service(request), req)
