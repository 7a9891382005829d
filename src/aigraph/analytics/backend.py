"""The igraph twin of a networkx graph, for the algorithms where igraph is 10-20x faster.

:func:`to_igraph` converts once and keeps the result in the graph's own conversion cache
(``G.__networkx_cache__``, where networkx keeps its backends' converted graphs): networkx
empties it on every change made through the graph's methods (``add_edge``, ``remove_edge``,
``add_nodes_from``, ``clear``, ...), so an edge swapped for another, which leaves the node and
edge counts as they were, is seen at the next call. The projections seed it with a twin built
straight from their arrays (the conversion is free there); they build a new graph for each
store version (:mod:`.cache`), so a write to the store is never answered from an old twin.

As for networkx's own cache, a change made behind the graph's back (``G[u][v]["weight"] = 2``
on the data dictionaries) is not seen: call ``nx._clear_cache(G)`` after one. Views
(``G.subgraph``, ``nx.restricted_view``) are converted afresh each time, since a change to the
graph beneath does not reach the view's cache; ``nx.config.cache_converted_graphs = False``
turns the cache off, as it does networkx's. Analytics results do not depend on the backend:
the tests check every fast path against networkx's reference implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import igraph as ig
import networkx as nx

#: below this many edges networkx is fast enough, and is the reference
IGRAPH_MIN_EDGES = 5_000
#: the key of the twin in ``G.__networkx_cache__``
CACHE_KEY = "aigraph.igraph"


def _cache(G: nx.Graph) -> dict[str, Any] | None:
    """``G``'s conversion cache, or None when a twin must not be kept for ``G``."""
    if not nx.config.cache_converted_graphs or getattr(G, "_graph", None) is not None:
        return None  # caching switched off, or a view of another graph
    cache = getattr(G, "__networkx_cache__", None)
    return cache if isinstance(cache, dict) else None


def seed_twin(G: nx.Graph, twin: ig.Graph, nodes: Sequence) -> None:
    """Record ``twin`` (vertex ``i`` is ``nodes[i]``) as the igraph form of ``G``."""
    cache = _cache(G)
    if cache is not None:
        cache[CACHE_KEY] = (twin, list(nodes))


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> tuple[ig.Graph, list]:
    """``(igraph graph, nodes)`` for an undirected networkx graph; vertex ``i`` is ``nodes[i]``.

    The edge attribute ``weight`` (if given) is copied as the igraph edge attribute of the
    same name, missing values counting 1.
    """
    if G.is_directed() or G.is_multigraph():
        raise ValueError("the igraph backend takes simple undirected graphs")
    cache = _cache(G)
    cached = cache.get(CACHE_KEY) if cache is not None else None
    if cached is not None:
        twin, nodes = cached
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
    if cache is not None:
        cache[CACHE_KEY] = (twin, nodes)
    return twin, nodes


def use_igraph(G: nx.Graph, backend: str) -> bool:
    """Whether ``backend`` (``auto``, ``networkx`` or ``igraph``) picks igraph for ``G``."""
    if backend not in ("auto", "networkx", "igraph"):
        raise ValueError(f"backend must be auto, networkx or igraph, not {backend!r}")
    if G.is_directed() or G.is_multigraph():
        return False
    return backend == "igraph" or (backend == "auto" and G.number_of_edges() >= IGRAPH_MIN_EDGES)
