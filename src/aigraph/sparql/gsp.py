"""SPARQL 1.1 Graph Store HTTP Protocol: read, replace, merge and delete one graph.

``?graph=IRI`` names a graph; ``?default`` is the store's own default graph (not the union the
query endpoint uses). Writes go through :meth:`Store.write` (validated, atomic).
"""

from __future__ import annotations

import io

import pyoxigraph as ox

from ..errors import InputError, NotFound, UnsupportedMediaType
from ..namespaces import PREFIXES
from ..rdfio import parse_bytes
from ..store import Store, WriteResult
from .results import PREFIXED, RDF_FORMATS

UPLOAD_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def target(graph: str | None, default: bool) -> ox.NamedNode | ox.DefaultGraph:
    if default and graph:
        raise InputError("give either ?graph=IRI or ?default, not both")
    if default:
        return ox.DefaultGraph()
    if not graph:
        raise InputError("name the graph: ?graph=IRI, or ?default for the default graph")
    try:
        return ox.NamedNode(graph)
    except ValueError as err:
        raise InputError(f"graph {graph!r} is not a valid IRI: {err}") from None


def _quads(store: Store, g) -> list[ox.Quad]:
    return list(store.ox.quads_for_pattern(None, None, None, g))


def _exists(store: Store, g) -> bool:
    return next(iter(store.ox.quads_for_pattern(None, None, None, g)), None) is not None


def read(store: Store, g, fmt: str) -> bytes:
    """The graph's triples in ``fmt`` (404 for a named graph that holds nothing)."""
    if isinstance(g, ox.NamedNode) and not _exists(store, g):
        raise NotFound(f"graph <{g.value}> is not in the store")
    triples = (q.triple for q in store.ox.quads_for_pattern(None, None, None, g))
    buf = io.BytesIO()
    if fmt in PREFIXED:
        ox.serialize(triples, buf, RDF_FORMATS[fmt], prefixes=PREFIXES)
    else:
        ox.serialize(triples, buf, RDF_FORMATS[fmt])
    return buf.getvalue()


def parse_upload(data: bytes, content_type: str | None, g) -> list[ox.Quad]:
    media = (content_type or "").split(";")[0].strip().lower()
    fmt = UPLOAD_MEDIA.get(media)
    if fmt is None:
        raise UnsupportedMediaType(
            f"cannot read a graph sent as {media or 'no content type'!r}; send one of "
            + ", ".join(UPLOAD_MEDIA)
        )
    graph = g.value if isinstance(g, ox.NamedNode) else None
    quads = parse_bytes(data, fmt, source="request body", graph=graph)
    stray = [q for q in quads if q.graph_name != g]
    if stray:
        raise InputError(f"the request body names other graphs ({stray[0].graph_name})")
    return quads


def replace(store: Store, g, quads: list[ox.Quad]) -> tuple[WriteResult, bool]:
    """PUT: the graph becomes ``quads``; returns (result, created)."""
    created = not _exists(store, g)
    return store.write(add=quads, remove=_quads(store, g)), created


def merge(store: Store, g, quads: list[ox.Quad]) -> tuple[WriteResult, bool]:
    """POST: ``quads`` are added to the graph; returns (result, created)."""
    created = not _exists(store, g)
    return store.write(add=quads), created


def delete(store: Store, g) -> WriteResult:
    quads = _quads(store, g)
    if not quads and isinstance(g, ox.NamedNode):
        raise NotFound(f"graph <{g.value}> is not in the store")
    return store.write(remove=quads)
