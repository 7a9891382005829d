"""``/reconcile``: the W3C Entity Reconciliation API, versions 0.2 (what OpenRefine speaks) and
1.0-draft, on one endpoint.

Requests are told apart as the specifications say. GET without ``queries``/``extend``: the
manifest (``?version=0.2`` or ``?version=1.0-draft`` for one version's full manifest). 0.2:
``queries=`` / ``extend=`` in the query string or a form body. 1.0: JSON bodies
(``application/json``) POSTed to ``/match`` (a query batch) and ``/extend`` (a data-extension
query), or to the endpoint itself, which tells the two apart by their members; property
proposals at ``/extend/propose`` (0.2: ``/propose_properties``). Suggest and preview routes
serve both versions.

Thin routes over :mod:`aigraph.linking.reconcile`. Bodies are capped
(``AIGRAPH_MAX_REQUEST_BYTES``, 413), their JSON bounded in size and nesting (400), batches by
the manifest's ``batchSize`` (413). Matching, extension, suggestions and previews run off the
event loop with the queries' deadline (503 past it), cached per store version. Errors are
:class:`~aigraph.errors.AigraphError` and rendered by the app's problem+json handler.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..errors import InputError, UnsupportedMediaType
from ..linking import reconcile as core
from . import heavy
from .body import form_fields, media_type, read_body, text
from .openapi import content, problems

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])
TASKS = "aigraph.linking.reconcile:"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Json = Annotated[
    str | None, Query(max_length=core.MAX_JSON_CHARS, description="a JSON object (see the API)")
]
Prefix = Annotated[str, Query(max_length=500)]
Limit = Annotated[int | None, Query(ge=1, le=core.MAX_LIMIT, description="at most this many")]
Offset = Annotated[int | None, Query(ge=0, le=100_000, description="skip this many (1.0)")]
Cursor = Annotated[int | None, Query(ge=0, le=100_000, description="skip this many (0.2)")]
Version = Annotated[
    Literal["0.2", "1.0-draft"] | None,
    Query(description="the manifest of this version only (default: both versions)"),
]
SERVICE_RESPONSES = problems(400, 503)
JSON_BODY = {"type": "object", "description": "a 1.0 query batch or data-extension query"}
SERVICE_POST_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "queries": {"type": "string", "description": "JSON batch of queries"},
                        "extend": {"type": "string", "description": "JSON extension request"},
                    },
                }
            },
            JSON: {"schema": JSON_BODY},
        },
    }
}
JSON_POST_BODY = {"requestBody": {"required": True, "content": {JSON: {"schema": JSON_BODY}}}}


def _base(request: Request) -> str:
    return str(request.url_for("reconcile_get")).split("?")[0]


async def _json_body(request: Request) -> Any:
    """The JSON body of a 1.0 request (415 for another media type)."""
    body = await read_body(request, request.app.state.settings.max_request_bytes)
    kind = media_type(request)
    if kind != JSON:
        raise UnsupportedMediaType(
            f"{request.url.path} takes {JSON} bodies, not {kind or 'no content type'}"
        )
    return core.bounded_json(text(body), "the request body")


async def _match(request: Request, doc: Any, timeout: float | None) -> Any:
    queries = core.parse_batch(doc)
    return await heavy.run(request, TASKS + "match", timeout, queries=queries)


async def _extend(request: Request, doc: Any, version: str, timeout: float | None) -> Any:
    req = core.check_extend(doc)
    return await heavy.run(request, TASKS + "extend", timeout, request=req, version=version)


async def _service(
    request: Request, params: dict[str, str], version: str | None, timeout: float | None
) -> Any:
    """A 0.2 request (``queries``/``extend`` parameters) or, without them, the manifest."""
    if "queries" in params:
        queries = core.parse_queries(params["queries"])
        return await heavy.run(request, TASKS + "reconcile", timeout, queries=queries)
    if "extend" in params:
        return await _extend(request, core.parse_extend(params["extend"]), "0.2", timeout)
    return core.manifest(_base(request), version)


@router.get("", name="reconcile_get", responses=SERVICE_RESPONSES)
async def reconcile_get(
    request: Request,
    queries: Json = None,
    extend: Json = None,
    version: Version = None,
    timeout: heavy.Timeout = None,
) -> JSONResponse:
    """The manifest without parameters; 0.2 batch matching with ``queries``; 0.2 data
    extension with ``extend``."""
    params = {k: v for k, v in (("queries", queries), ("extend", extend)) if v is not None}
    return JSONResponse(await _service(request, params, version, timeout))


@router.post("", responses=problems(400, 413, 415, 503), openapi_extra=SERVICE_POST_BODY)
async def reconcile_post(
    request: Request, version: Version = None, timeout: heavy.Timeout = None
) -> JSONResponse:
    """0.2: ``queries`` or ``extend`` in a form body (what OpenRefine sends). 1.0: a JSON
    query batch (``{"queries": [...]}``) or data-extension query (``{"ids", "properties"}``).
    Without a body: the manifest."""
    body = await read_body(request, request.app.state.settings.max_request_bytes)
    if not body:
        return JSONResponse(core.manifest(_base(request), version))
    kind = media_type(request)
    if kind == JSON:
        doc = core.bounded_json(text(body), "the request body")
        if isinstance(doc, dict) and "queries" in doc:
            return JSONResponse(await _match(request, doc, timeout))
        if isinstance(doc, dict) and "ids" in doc:
            return JSONResponse(await _extend(request, doc, "1.0-draft", timeout))
        raise InputError(
            'a JSON body is a 1.0 query batch {"queries": [...]} or a data-extension query '
            '{"ids": [...], "properties": [...]}'
        )
    if kind != FORM:
        raise UnsupportedMediaType(
            f"POST /reconcile takes {FORM} (0.2) or {JSON} (1.0), not {kind or 'no content type'}"
        )
    params = {k: v[-1] for k, v in form_fields(body).items() if k in ("queries", "extend")}
    return JSONResponse(await _service(request, params, version, timeout))


@router.post("/match", responses=problems(400, 413, 415, 503), openapi_extra=JSON_POST_BODY)
async def match(request: Request, timeout: heavy.Timeout = None) -> JSONResponse:
    """1.0: a reconciliation query batch; the result batch, in the order of the queries."""
    return JSONResponse(await _match(request, await _json_body(request), timeout))


@router.post("/extend", responses=problems(400, 413, 415, 503), openapi_extra=JSON_POST_BODY)
async def extend(request: Request, timeout: heavy.Timeout = None) -> JSONResponse:
    """1.0: a data-extension query; the values of the properties for the ids."""
    return JSONResponse(await _extend(request, await _json_body(request), "1.0-draft", timeout))


@router.get("/suggest/entity", responses=SERVICE_RESPONSES)
async def suggest_entity(
    request: Request,
    prefix: Prefix = "",
    type: Annotated[str | None, Query(max_length=500)] = None,  # noqa: A002
    limit: Limit = None,
    offset: Offset = None,
    cursor: Cursor = None,
    timeout: heavy.Timeout = None,
) -> dict:
    types = (type,) if type else None
    skip = offset if offset is not None else cursor
    return await heavy.run(
        request, TASKS + "suggest_entity", timeout,
        prefix=prefix, types=types, limit=limit, offset=skip,
    )  # fmt: skip


@router.get("/suggest/type", responses=problems(400))
def suggest_type(
    prefix: Prefix = "", limit: Limit = None, offset: Offset = None, cursor: Cursor = None
) -> dict:
    return core.suggest_type(prefix, limit, offset if offset is not None else cursor)


@router.get("/suggest/property", responses=problems(400))
def suggest_property(
    prefix: Prefix = "", limit: Limit = None, offset: Offset = None, cursor: Cursor = None
) -> dict:
    return core.suggest_property(prefix, limit, offset if offset is not None else cursor)


@router.get(
    "/preview",
    response_class=HTMLResponse,
    responses={200: content("text/html"), **problems(400, 404, 503)},
)
async def preview(
    request: Request,
    id: Annotated[str, Query(min_length=1, max_length=2000)],  # noqa: A002
    timeout: heavy.Timeout = None,
) -> HTMLResponse:
    """A small HTML card of an organisation or person, for a client's preview pane."""
    return HTMLResponse(await heavy.run(request, TASKS + "preview", timeout, entity_id=id))


PropertyLimit = Annotated[int | None, Query(ge=0, le=1000)]


@router.get("/propose_properties", responses=problems(400))
def propose_properties(
    type: Annotated[str, Query(max_length=500)] = core.ORGANISATION,  # noqa: A002
    limit: PropertyLimit = None,
) -> dict:
    """0.2: the properties data extension offers for a type."""
    return core.propose_properties(type, limit)


@router.get("/extend/propose", responses=problems(400))
def extend_propose(
    type: Annotated[str, Query(max_length=500)],  # noqa: A002
    limit: PropertyLimit = None,
) -> dict:
    """1.0: the properties data extension offers for a type."""
    return core.propose_properties(type, limit)
