"""The igraph twin of a networkx graph, for the algorithms where igraph is 10-20x faster.

:func:`to_igraph` converts once and remembers the result for as long as the networkx graph
lives and keeps its node and edge counts (the projections seed it with a twin built straight
from their arrays, so the conversion is free there). Analytics results do not depend on the
backend: the tests check every fast path against networkx's reference implementation.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import igraph as ig
import networkx as nx

#: below this many edges networkx is fast enough, and is the reference
IGRAPH_MIN_EDGES = 5_000

_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fingerprint(G: nx.Graph) -> tuple[int, int]:
    return G.number_of_nodes(), G.number_of_edges()


def seed_twin(G: nx.Graph, twin: ig.Graph, nodes: Sequence) -> None:
    """Record ``twin`` (vertex ``i`` is ``nodes[i]``) as the igraph form of ``G``."""
    _TWINS[G] = (_fingerprint(G), twin, list(nodes))


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> tuple[ig.Graph, list]:
    """``(igraph graph, nodes)`` for an undirected networkx graph; vertex ``i`` is ``nodes[i]``.

    The edge attribute ``weight`` (if given) is copied as the igraph edge attribute of the
    same name, missing values counting 1.
    """
    if G.is_directed() or G.is_multigraph():
        raise ValueError("the igraph backend takes simple undirected graphs")
    cached = _TWINS.get(G)
    if cached is not None and cached[0] == _fingerprint(G):
        twin, nodes = cached[1], cached[2]
        if weight is None or weight in twin.edge_attributes():
            return twin, nodes
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    edges, weights = [], []
    for u, v, w in G.edges(data=weight, default=1):
        edges.append((index[u], index[v]))
        weights.append(w)
    twin = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight is not None:
        twin.es[weight] = weights
    _TWINS[G] = (_fingerprint(G), twin, nodes)
    return twin, nodes


def use_igraph(G: nx.Graph, backend: str) -> bool:
    """Whether ``backend`` (``auto``, ``networkx`` or ``igraph``) picks igraph for ``G``."""
    if backend not in ("auto", "networkx", "igraph"):
        raise ValueError(f"backend must be auto, networkx or igraph, not {backend!r}")
    if G.is_directed() or G.is_multigraph():
        return False
    return backend == "igraph" or (backend == "auto" and G.number_of_edges() >= IGRAPH_MIN_EDGES)
