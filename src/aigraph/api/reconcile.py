"""``/reconcile``: the W3C Entity Reconciliation API 0.2 (what OpenRefine speaks).

Thin routes over :mod:`aigraph.linking.reconcile`: manifest (GET without parameters), batch
matching and data extension (GET or form POST with ``queries`` / ``extend``), suggest,
preview and propose_properties. Errors are :class:`~aigraph.errors.AigraphError` and are
rendered by the application's problem+json handler.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..linking import reconcile as core

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])


def _base(request: Request) -> str:
    return str(request.url_for("reconcile_get")).split("?")[0]


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


async def _service(request: Request) -> JSONResponse:
    params = await _params(request)
    store = request.app.state.store
    if "queries" in params:
        return JSONResponse(core.reconcile(store, core.parse_queries(params["queries"])))
    if "extend" in params:
        return JSONResponse(core.extend(store, core.parse_extend(params["extend"])))
    return JSONResponse(core.manifest(_base(request)))


@router.get("", name="reconcile_get")
async def reconcile_get(request: Request) -> JSONResponse:
    return await _service(request)


@router.post("")
async def reconcile_post(request: Request) -> JSONResponse:
    return await _service(request)


@router.get("/suggest/entity")
def suggest_entity(request: Request, prefix: str = "", type: str | None = None) -> dict:
    return core.suggest_entity(request.app.state.store, prefix, [type] if type else None)


@router.get("/suggest/type")
def suggest_type(prefix: str = "") -> dict:
    return core.suggest_type(prefix)


@router.get("/suggest/property")
def suggest_property(prefix: str = "") -> dict:
    return core.suggest_property(prefix)


@router.get("/preview", response_class=HTMLResponse)
def preview(request: Request, id: str) -> HTMLResponse:
    return HTMLResponse(core.preview(request.app.state.store, id))


@router.get("/propose_properties")
def propose_properties(type: str = core.ORGANISATION, limit: int | None = None) -> dict:
    return core.propose_properties(type, limit)
