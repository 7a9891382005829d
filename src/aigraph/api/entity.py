"""Linked-data entity pages: ``GET /id/{kind}/{slug}`` for the IRI
``https://w3id.org/aigraph/id/{kind}/{slug}``, negotiated (Turtle, N-Triples, JSON-LD, RDF/XML,
or HTML for a browser; ``?format=`` for links, ``?lang=`` for the page's language). Thin: the
data and the page come from :mod:`aigraph.sparql.entity`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..errors import NotFound
from ..sparql import entity, negotiate
from .openapi import GRAPHS, content, problems
from .sparql import service

router = APIRouter(tags=["entity pages"])


@router.get(
    "/id/{kind}/{slug}",
    summary="An entity's description (RDF) or page (HTML), by content negotiation",
    response_class=Response,
    responses={
        200: content("text/html", *GRAPHS, description="the entity"),
        **problems(400, 404, 406),
    },
)
async def entity_page(kind: str, slug: str, request: Request) -> Response:
    params = request.query_params
    fmt = entity.choose_format(request.headers.get("accept"), params.get("format"))
    iri = entity.entity_iri(kind, slug)
    store = service(request).store
    vary = {"Vary": "Accept, Accept-Language"}
    if fmt != "html":
        body = await run_in_threadpool(entity.rdf, store, iri, fmt)
        return Response(body, media_type=negotiate.FORMAT_MEDIA[fmt], headers=vary)
    lang = entity.choose_language(params.get("lang"), request.headers.get("accept-language"))
    headers = {**vary, "Content-Security-Policy": entity.csp(), "Content-Language": lang}
    try:
        found = await run_in_threadpool(entity.lookup, store, iri)
    except NotFound:
        page = entity.render_not_found(iri.value, lang)
        return HTMLResponse(page, status_code=404, headers=headers)
    return HTMLResponse(entity.render(found, lang), headers=headers)
