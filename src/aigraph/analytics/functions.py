"""SPARQL extension functions in the ``aigf:`` namespace (https://w3id.org/aigraph/function#).

| function | returns |
|---|---|
| ``aigf:degree(?node [, "projection"])`` | xsd:integer, number of neighbours |
| ``aigf:strength(?node [, "projection"])`` | xsd:double, weighted degree |
| ``aigf:pagerank(?node [, "projection"])`` | xsd:double |
| ``aigf:community(?node [, "projection"])`` | ``aig:Community`` IRI (written) or xsd:integer |
| ``aigf:component(?node [, "projection"])`` | xsd:integer, 0 = the largest component |
| ``aigf:betweenness(?node [, "projection"])`` | xsd:double, only from written metrics |
| ``aigf:distance(?a, ?b [, "projection"])`` | xsd:integer hops, unbound if not connected |

The projection defaults to ``co-participation``. Values come from ``graph/analytics`` when
``aigraph network write`` stored them for that projection; otherwise they are computed once
per store state (its identity and size: any write recomputes) and cached, never per row. A
node that is not in the network leaves the result unbound.

Example::

    SELECT ?org (aigf:pagerank(?org) AS ?pr) WHERE { ?org a org:Organization }
    ORDER BY DESC(?pr) LIMIT 10
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import networkx as nx
import pyoxigraph as ox

from ..namespaces import AIGF, PREFIXES, XSD
from .communities import detect
from .metrics import component_index, components, degree, pagerank, strength
from .projection import PROJECTIONS, project
from .results import GRAPH_IRI, analysis_iri

DEFAULT_PROJECTION = "co-participation"
_INT, _DOUBLE = ox.NamedNode(str(XSD.integer)), ox.NamedNode(str(XSD.double))
_LOCK = threading.Lock()
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16
_WRITTEN = {
    "degree": "degree",
    "strength": "strength",
    "pagerank": "pageRank",
    "community": "community",
    "component": "component",
    "betweenness": "betweenness",
}


def _written(store: ox.Store, projection: str, metric: str) -> dict | None:
    """``{node IRI: term}`` from graph/analytics, or None when nothing was written."""
    query = f"""
        SELECT ?node ?value WHERE {{ GRAPH <{GRAPH_IRI}> {{
          ?m <http://www.w3.org/ns/prov#wasGeneratedBy> <{analysis_iri(projection)}> ;
             aig:measuredNode ?node ; aig:{_WRITTEN[metric]} ?value }} }}"""

    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    values = {s["node"].value: s["value"] for s in solutions}
    return values or None


def _computed(store: ox.Store, projection: str, metric: str) -> dict | None:
    G: nx.Graph = project(store, projection)
    if metric == "degree":
        return {v: ox.Literal(str(x), datatype=_INT) for v, x in degree(G).items()}
    if metric == "strength":
        return {v: ox.Literal(repr(float(x)), datatype=_DOUBLE) for v, x in strength(G).items()}
    if metric == "pagerank":
        return {v: ox.Literal(repr(float(x)), datatype=_DOUBLE) for v, x in pagerank(G).items()}
    if metric == "community":
        members = detect(G).membership()
        return {v: ox.Literal(str(x), datatype=_INT) for v, x in members.items()}
    if metric == "component":
        index = component_index(components(G))
        return {v: ox.Literal(str(x), datatype=_INT) for v, x in index.items()}
    return None  # betweenness: too costly per query; write it with `aigraph network write`


def _values(store: ox.Store, projection: str, metric: str) -> dict:
    key = (id(store), len(store), projection, metric)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    values = _written(store, projection, metric)
    if values is None:
        values = _computed(store, projection, metric) or {}
    with _LOCK:
        _CACHE[key] = values
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return values


def _projection(args: tuple) -> str | None:
    if not args:
        return DEFAULT_PROJECTION
    name = args[0].value if isinstance(args[0], ox.Literal) else None
    return name if name in PROJECTIONS else None


def _metric(store: ox.Store, metric: str) -> Callable:
    def fn(node=None, *args):
        projection = _projection(args)
        if not isinstance(node, ox.NamedNode) or projection is None:
            return None
        return _values(store, projection, metric).get(node.value)

    return fn


def _distance(store: ox.Store) -> Callable:
    def fn(a=None, b=None, *args):
        projection = _projection(args)
        if not isinstance(a, ox.NamedNode) or not isinstance(b, ox.NamedNode) or not projection:
            return None
        G = project(store, projection)
        if a.value not in G or b.value not in G:
            return None
        key = (id(store), len(store), projection, "bfs", a.value)
        with _LOCK:
            lengths = _CACHE.get(key)
        if lengths is None:
            lengths = nx.single_source_shortest_path_length(G, a.value)
            with _LOCK:
                _CACHE[key] = lengths
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
        d = lengths.get(b.value)
        return None if d is None else ox.Literal(str(d), datatype=_INT)

    return fn


def provider(store: ox.Store) -> dict:
    """The ``aigf:`` functions bound to ``store``; registered with
    :func:`aigraph.query.register_function_provider` on ``import aigraph.analytics``."""
    functions = {ox.NamedNode(str(AIGF[name])): _metric(store, name) for name in _WRITTEN}
    functions[ox.NamedNode(str(AIGF.distance))] = _distance(store)
    return functions
