"""The query page: ``GET /`` (also ``/ui``) serves one self-contained HTML page (no external
assets: the service must work without internet) that runs SPARQL against ``/sparql`` and the
named queries of ``/queries`` from a browser.

The page lives in ``static/query.html``; its editor is prefilled server-side with the same
example query as ``aigraph example``. A Content-Security-Policy built from the hashes of the
page's inline script and style lets the browser load nothing but this page and its own origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from .. import __version__
from ..namespaces import PREFIXES
from ..query import example_query
from ..sparql import canned
from .openapi import content, problems

router = APIRouter(tags=["query page"])
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@lru_cache(maxsize=1)
def page() -> tuple[str, str]:
    """The page's HTML and its Content-Security-Policy."""
    template = (resources.files(__package__) / "static" / "query.html").read_text("utf-8")
    fills = {
        "example": html.escape(example_query(), quote=False),
        "prefixes": json.dumps(PREFIXES).replace("<", "\\u003c"),
        "version": __version__,
    }
    text = re.sub(r"\{\{(\w+)\}\}", lambda m: fills[m.group(1)], template)
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(text):
        hashes[tag].append(_hash(body))
    csp = (
        f"default-src 'none'; script-src {' '.join(hashes['script'])}; "
        f"style-src {' '.join(hashes['style'])}; connect-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    )
    return text, csp


def _page() -> HTMLResponse:
    text, csp = page()
    return HTMLResponse(text, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="The query page (HTML)",
    responses={200: content("text/html")},
)
def index() -> HTMLResponse:
    return _page()


@router.get("/ui", response_class=HTMLResponse, include_in_schema=False)
def ui() -> HTMLResponse:
    return _page()


@router.get(
    "/ui/queries/{name}",
    summary="The SPARQL text of a named query (for the page)",
    response_class=Response,
    responses={200: content("application/sparql-query"), **problems(404)},
)
def query_text(name: str) -> Response:
    return Response(canned.get(name).sparql, media_type="application/sparql-query")
