"""``/sparql`` (SPARQL 1.1 Protocol: query) and ``/update`` (SPARQL 1.1 Update). Thin: the
policy, the engines and the formats live in :mod:`aigraph.sparql`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ..errors import InputError, UnsupportedMediaType
from ..sparql import QueryRequest, SparqlService, describe, entity, negotiate
from .body import form_fields, media_type, read_body
from .body import text as body_text

router = APIRouter(tags=["SPARQL"])
TRUNCATED = "AIGraph-Truncated"
ROW_LIMIT = "AIGraph-Row-Limit"


def service(request: Request) -> SparqlService:
    return request.app.state.sparql


def _timeout(values: list[str]) -> float | None:
    if not values or not values[-1]:
        return None
    try:
        return float(values[-1])
    except ValueError:
        raise InputError(f"timeout must be a number of seconds, not {values[-1]!r}") from None


async def result_response(svc: SparqlService, req: QueryRequest) -> Response:
    reply = await svc.query_async(req)
    headers = {TRUNCATED: "true" if reply.truncated else "false", "Vary": "Accept"}
    if reply.truncated:
        headers[ROW_LIMIT] = str(svc.settings.max_rows)
    return Response(reply.body, media_type=negotiate.FORMAT_MEDIA[reply.fmt], headers=headers)


#: request parameters that name a result format (Fuseki and Virtuoso read all three)
FORMAT_PARAMS = ("format", "output", "results")


def _formats(params: dict[str, list[str]]) -> tuple[str, ...] | None:
    values = tuple(v for name in FORMAT_PARAMS for v in params.get(name, []) if v)
    return values or None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    """The single value of ``name`` (the Protocol allows exactly one query or update)."""
    values = params.get(name, [])
    if len(values) > 1:
        raise InputError(
            f"the request has {len(values)} '{name}' parameters; the SPARQL Protocol allows one"
        )
    return values[0] if values else None


def browser_view(title: str, turtle: bytes) -> HTMLResponse:
    """An RDF description shown to a browser as a page (not a download, not a 406)."""
    links = {"Turtle": "?format=ttl", "N-Triples": "?format=nt", "JSON-LD": "?format=jsonld"}
    page = entity.render_rdf(title, turtle.decode("utf-8"), links)
    headers = {"Vary": "Accept", "Content-Security-Policy": entity.csp()}
    return HTMLResponse(page, headers=headers)


def _query_request(request: Request, params: dict[str, list[str]], text: str) -> QueryRequest:
    return QueryRequest(
        query=text,
        accept=request.headers.get("accept"),
        format=_formats(params),
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        timeout=_timeout(params.get("timeout", [])),
        client=request.client.host if request.client else None,
        base=_base(request),
    )


def _base(request: Request) -> str:
    """The request's URL without its query: the base IRI of the query or update it carries
    (SPARQL 1.1 Protocol, 2.1.4 and 2.2.3; RFC 3986's retrieval URI)."""
    return str(request.url.replace(query="", fragment=""))


def _url_params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _refuse_update() -> None:
    raise InputError(
        "the query endpoint does not run updates: send them to /update (nothing was run)"
    )


@router.get("/sparql", summary="SPARQL query (or, without a query, the service description)")
async def sparql_get(request: Request) -> Response:
    params = _url_params(request)
    svc = service(request)
    if "update" in params:
        _refuse_update()
    if "query" not in params:
        formats = [
            f
            for f in (
                negotiate.requested_format(v, negotiate.GRAPH_MEDIA) for v in _formats(params) or ()
            )
            if f
        ]
        accept = request.headers.get("accept")
        browser = not formats and entity.wants_html(accept)
        fmt = (
            "turtle"
            if browser
            else negotiate.choose(accept, negotiate.GRAPH_MEDIA, formats[0] if formats else None)
        )
        base = str(request.base_url)
        triples = describe.service_description(
            svc.store,
            base + "sparql",
            update=bool(svc.settings.write_token),
            federation=svc.settings.federation,
            void_iri=base + ".well-known/void",
        )
        if browser:
            return browser_view("SPARQL service description", describe.write(triples, fmt))
        return Response(
            describe.write(triples, fmt),
            media_type=negotiate.FORMAT_MEDIA[fmt],
            headers={"Vary": "Accept"},
        )
    req = _query_request(request, params, _one(params, "query") or "")
    return await result_response(svc, req)


@router.post("/sparql", summary="SPARQL query by POST (form-encoded or application/sparql-query)")
async def sparql_post(request: Request) -> Response:
    svc = service(request)
    body = await read_body(request, svc.settings.max_request_bytes)
    params = _url_params(request)
    kind = media_type(request)
    if kind == "application/x-www-form-urlencoded":
        fields = form_fields(body)
        if "update" in fields:
            _refuse_update()
        for key, values in fields.items():
            params.setdefault(key, []).extend(values)
        if "query" not in fields:
            raise InputError("the form has no 'query' field")
        text = _one(params, "query") or ""
    elif kind == "application/sparql-query":
        if "query" in params:
            raise InputError("a query sent directly in the body takes no 'query' parameter as well")
        text = body_text(body)
    elif kind == "application/sparql-update":
        _refuse_update()
    else:
        raise UnsupportedMediaType(
            f"POST /sparql takes application/x-www-form-urlencoded or application/sparql-query, "
            f"not {kind or 'a body without a content type'}"
        )
    return await result_response(svc, _query_request(request, params, text))


@router.post("/update", summary="SPARQL 1.1 Update (needs the write token)")
async def update(request: Request) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    svc = service(request)
    body = await read_body(request, svc.settings.max_request_bytes)
    kind = media_type(request)
    params = _url_params(request)
    if kind == "application/x-www-form-urlencoded":
        fields = form_fields(body)
        if "update" not in fields:
            raise InputError("the form has no 'update' field")
        for key, values in fields.items():
            params.setdefault(key, []).extend(values)
        text = _one(params, "update") or ""
    elif kind == "application/sparql-update":
        if "update" in params:
            raise InputError(
                "an update sent directly in the body takes no 'update' parameter as well"
            )
        text = body_text(body)
    else:
        raise UnsupportedMediaType(
            "POST /update takes application/x-www-form-urlencoded or application/sparql-update, "
            f"not {kind or 'a body without a content type'}"
        )
    result = await run_in_threadpool(
        svc.update,
        text,
        request.headers.get("authorization"),
        _timeout(params.get("timeout", [])),
        tuple(params.get("using-graph-uri", [])),
        tuple(params.get("using-named-graph-uri", [])),
        _base(request),
    )
    return JSONResponse(
        {
            "added": result.added,
            "removed": result.removed,
            "before": result.before,
            "after": result.after,
        }
    )
