"""``/reconcile``: the W3C Entity Reconciliation API 0.2 (what OpenRefine speaks).

Thin routes over :mod:`aigraph.linking.reconcile`: manifest (GET without parameters), batch
matching and data extension (GET, or POST of a form, with ``queries`` / ``extend``), suggest,
preview and propose_properties. Bodies are capped (``AIGRAPH_MAX_REQUEST_BYTES``, 413), their
JSON bounded in size and nesting (400). Matching, extension, suggestions and previews run off
the event loop with the queries' deadline (503 past it), cached per store version. Errors are
:class:`~aigraph.errors.AigraphError` and rendered by the app's problem+json handler.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..errors import UnsupportedMediaType
from ..linking import reconcile as core
from . import heavy
from .body import form_fields, media_type, read_body
from .openapi import content, problems

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])
TASKS = "aigraph.linking.reconcile:"
FORM = "application/x-www-form-urlencoded"
Json = Annotated[
    str | None, Query(max_length=core.MAX_JSON_CHARS, description="a JSON object (see the API)")
]
Prefix = Annotated[str, Query(max_length=500)]
SERVICE_RESPONSES = problems(400, 503)
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
            }
        },
    }
}


def _base(request: Request) -> str:
    return str(request.url_for("reconcile_get")).split("?")[0]


async def _service(request: Request, params: dict[str, str], timeout: float | None) -> Any:
    if "queries" in params:
        queries = core.parse_queries(params["queries"])
        return await heavy.run(request, TASKS + "reconcile", timeout, queries=queries)
    if "extend" in params:
        extend = core.parse_extend(params["extend"])
        return await heavy.run(request, TASKS + "extend", timeout, request=extend)
    return core.manifest(_base(request))


@router.get("", name="reconcile_get", responses=SERVICE_RESPONSES)
async def reconcile_get(
    request: Request, queries: Json = None, extend: Json = None, timeout: heavy.Timeout = None
) -> JSONResponse:
    """The manifest without parameters; batch matching with ``queries``; data extension with
    ``extend``."""
    params = {k: v for k, v in (("queries", queries), ("extend", extend)) if v is not None}
    return JSONResponse(await _service(request, params, timeout))


@router.post(
    "",
    responses=problems(400, 413, 415, 503),
    openapi_extra=SERVICE_POST_BODY,
)
async def reconcile_post(request: Request, timeout: heavy.Timeout = None) -> JSONResponse:
    """As GET, with ``queries`` or ``extend`` in a form body (what OpenRefine sends)."""
    body = await read_body(request, request.app.state.settings.max_request_bytes)
    params: dict[str, str] = {}
    if body:
        if media_type(request) != FORM:
            raise UnsupportedMediaType(
                f"POST /reconcile takes {FORM}, not {media_type(request) or 'no content type'}"
            )
        for key, values in form_fields(body).items():
            if key in ("queries", "extend"):
                params[key] = values[-1]
    return JSONResponse(await _service(request, params, timeout))


@router.get("/suggest/entity", responses=SERVICE_RESPONSES)
async def suggest_entity(
    request: Request,
    prefix: Prefix = "",
    type: Annotated[str | None, Query(max_length=500)] = None,  # noqa: A002
    timeout: heavy.Timeout = None,
) -> dict:
    types = (type,) if type else None
    return await heavy.run(request, TASKS + "suggest_entity", timeout, prefix=prefix, types=types)


@router.get("/suggest/type", responses=problems(400))
def suggest_type(prefix: Prefix = "") -> dict:
    return core.suggest_type(prefix)


@router.get("/suggest/property", responses=problems(400))
def suggest_property(prefix: Prefix = "") -> dict:
    return core.suggest_property(prefix)


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
    """A small HTML card of an organisation or person, for OpenRefine's preview pane."""
    return HTMLResponse(await heavy.run(request, TASKS + "preview", timeout, entity_id=id))


@router.get("/propose_properties", responses=problems(400))
def propose_properties(
    type: Annotated[str, Query(max_length=500)] = core.ORGANISATION,  # noqa: A002
    limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> dict:
    return core.propose_properties(type, limit)
