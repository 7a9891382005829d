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
per store version and cached, never per row (see :mod:`.cache`): a query worker computes
them once per snapshot (the functions are bound to it), an :class:`~aigraph.store.Store` once
per ``version`` (any committed write recomputes), a bare pyoxigraph store once per query. A
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
from .cache import VersionCache, owner
from .communities import detect
from .metrics import component_index, components, degree, pagerank, strength
from .projection import PROJECTIONS, project
from .results import GRAPH_IRI, analysis_iri

DEFAULT_PROJECTION = "co-participation"
_INT, _DOUBLE = ox.NamedNode(str(XSD.integer)), ox.NamedNode(str(XSD.double))
#: metric columns and projections per store version (a store's own, across queries)
_VALUES = VersionCache(size=32)
#: breadth-first distances from one source node per store version
_DISTANCES = VersionCache(size=16)
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


def _computed(G: nx.Graph, metric: str) -> dict | None:
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


class _Bound:
    """The cache of one provider call: the store's own version cache when it has one (see
    :func:`.cache.owner`), else a private one that lives as long as these functions do (a
    query worker binds them once per snapshot)."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._lock = threading.RLock()  # a metric's computation asks for the graph
        self._local: OrderedDict = OrderedDict()

    def get(self, cache: VersionCache, key: tuple, compute: Callable):
        if owner(self.store) is not None:
            return cache.get(self.store, key, compute)
        with self._lock:  # also makes concurrent rows wait for one computation
            if key in self._local:
                self._local.move_to_end(key)
                return self._local[key]
            value = self._local[key] = compute()
            while len(self._local) > cache.size + _VALUES.size:
                self._local.popitem(last=False)
            return value

    def graph(self, projection: str) -> nx.Graph:
        return self.get(_VALUES, ("graph", projection), lambda: project(self.store, projection))

    def values(self, projection: str, metric: str) -> dict:
        def compute() -> dict:
            written = _written(self.store, projection, metric)
            if written is not None:
                return written
            return _computed(self.graph(projection), metric) or {}

        return self.get(_VALUES, (projection, metric), compute)


def _projection(args: tuple) -> str | None:
    if not args:
        return DEFAULT_PROJECTION
    name = args[0].value if isinstance(args[0], ox.Literal) else None
    return name if name in PROJECTIONS else None


def _metric(bound: _Bound, metric: str) -> Callable:
    def fn(node=None, *args):
        projection = _projection(args)
        if not isinstance(node, ox.NamedNode) or projection is None:
            return None
        return bound.values(projection, metric).get(node.value)

    return fn


def _distance(bound: _Bound) -> Callable:
    def fn(a=None, b=None, *args):
        projection = _projection(args)
        if not isinstance(a, ox.NamedNode) or not isinstance(b, ox.NamedNode) or not projection:
            return None
        G = bound.graph(projection)
        if a.value not in G or b.value not in G:
            return None
        lengths = bound.get(
            _DISTANCES,
            ("bfs", projection, a.value),
            lambda: nx.single_source_shortest_path_length(G, a.value),
        )
        d = lengths.get(b.value)
        return None if d is None else ox.Literal(str(d), datatype=_INT)

    return fn


def provider(store: ox.Store) -> dict:
    """The ``aigf:`` functions bound to ``store``; registered with
    :func:`aigraph.query.register_function_provider` on ``import aigraph.analytics``."""
    bound = _Bound(store)
    functions = {ox.NamedNode(str(AIGF[name])): _metric(bound, name) for name in _WRITTEN}
    functions[ox.NamedNode(str(AIGF.distance))] = _distance(bound)
    return functions
