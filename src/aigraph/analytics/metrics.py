"""Node metrics and connectivity of undirected networkx graphs: pure functions.

Each function takes a networkx graph and returns plain dicts keyed by node. Where igraph is
much faster (``backend="auto"`` picks it from :data:`~.backend.IGRAPH_MIN_EDGES` edges) the
result is the one networkx's reference implementation gives, up to floating-point tolerance;
``tests/analytics/test_agreement.py`` checks each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import networkx as nx

from .backend import to_igraph, use_igraph

#: exact betweenness up to this many nodes; above, sampled with ``DEFAULT_K`` sources
EXACT_BETWEENNESS_MAX_NODES = 2_000
DEFAULT_K = 256


def degree(G: nx.Graph) -> dict:
    """Number of neighbours of each node.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> degree(G)
    {0: 1, 1: 2, 2: 1}
    """
    return dict(G.degree())


def strength(G: nx.Graph, weight: str = "weight") -> dict:
    """Sum of the weights of each node's edges (weighted degree; a missing weight counts 1).

    Examples
    --------
    >>> G = nx.Graph([(0, 1, {"weight": 2}), (1, 2, {"weight": 3})])
    >>> strength(G)
    {0: 2, 1: 5, 2: 3}
    """
    return dict(G.degree(weight=weight))


def pagerank(
    G: nx.Graph, alpha: float = 0.85, weight: str | None = "weight", backend: str = "auto"
) -> dict:
    """PageRank with damping ``alpha``, edges weighted by ``weight`` (``None``: unweighted).

    Same definition as :func:`networkx.pagerank` (dangling nodes spread their rank uniformly);
    the igraph backend (PRPACK, exact linear solve) agrees with it to ~1e-6.

    Examples
    --------
    >>> G = nx.star_graph(2)  # centre 0, leaves 1 and 2
    >>> pr = pagerank(G)
    >>> round(pr[0], 3), round(pr[1], 3)
    (0.486, 0.257)
    """
    if G.number_of_nodes() == 0:
        return {}
    if not use_igraph(G, backend):
        return nx.pagerank(G, alpha=alpha, weight=weight)
    twin, nodes = to_igraph(G, weight)
    values = twin.pagerank(damping=alpha, weights=weight, directed=False)
    return dict(zip(nodes, values, strict=True))


@dataclass
class Betweenness:
    """Betweenness values and how they were obtained: ``exact``, or sampled from ``k`` source
    nodes drawn with ``seed`` (networkx's estimator, scaled to approximate the exact value)."""

    values: dict
    exact: bool
    k: int | None
    seed: int | None
    normalized: bool


def betweenness(
    G: nx.Graph,
    k: int | None = None,
    seed: int = 0,
    normalized: bool = True,
    backend: str = "auto",
) -> Betweenness:
    """Shortest-path (hop count) betweenness centrality.

    Exact when ``k`` is None and the graph has at most
    :data:`EXACT_BETWEENNESS_MAX_NODES` nodes; otherwise sampled: ``k`` (default
    :data:`DEFAULT_K`) source nodes are drawn with ``random.Random(seed).sample(list(G), k)``
    exactly as :func:`networkx.betweenness_centrality` draws them, so both backends give
    networkx's estimate for the same ``k`` and ``seed``.

    Examples
    --------
    >>> b = betweenness(nx.path_graph(3), normalized=False)
    >>> b.values, b.exact
    ({0: 0.0, 1: 1.0, 2: 0.0}, True)
    """
    n = G.number_of_nodes()
    if k is None and n > EXACT_BETWEENNESS_MAX_NODES:
        k = DEFAULT_K
    if k is not None and k >= n:
        k = None
    if not use_igraph(G, backend):
        values = nx.betweenness_centrality(G, k=k, normalized=normalized, seed=seed)
        return Betweenness(values, k is None, k, seed if k else None, normalized)
    twin, nodes = to_igraph(G, None)
    if k is None:
        raw = twin.betweenness(directed=False)
        # igraph counts unordered pairs; networkx's scaling: 2/((n-1)(n-2)) when normalised
        scale = 2 / ((n - 1) * (n - 2)) if normalized and n > 2 else 1.0
        values = {v: b * scale for v, b in zip(nodes, raw, strict=True)}
        return Betweenness(values, True, None, None, normalized)
    sample = random.Random(seed).sample(list(G), k)
    index = {v: i for i, v in enumerate(nodes)}
    raw = twin.betweenness(directed=False, sources=[index[s] for s in sample], targets=None)
    # igraph halves undirected counts; networkx sums ordered (s, t) pairs, then rescales
    # (networkx.algorithms.centrality.betweenness._rescale, endpoints excluded)
    big_n = n - 1
    sources = set(sample)
    if normalized:
        s_src, s_other = 1 / ((k - 1) * (big_n - 1)), 1 / (k * (big_n - 1))
    else:
        s_src, s_other = big_n / ((k - 1) * 2), big_n / (k * 2)
    values = {
        v: 2 * b * (s_src if v in sources else s_other) for v, b in zip(nodes, raw, strict=True)
    }
    return Betweenness(values, False, k, seed, normalized)


def closeness(G: nx.Graph, backend: str = "auto") -> dict:
    """Closeness within each node's connected component: (r - 1) / sum of hop distances to
    the r - 1 other nodes of its component (0 for an isolated node).

    This is :func:`networkx.closeness_centrality` with ``wf_improved=False``: on a graph
    with several components, the whole-graph definition is not meaningful, so each node is
    compared with the nodes it can reach. Costs one BFS per node.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (3, 4)])
    >>> closeness(G)
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666, 3: 1.0, 4: 1.0}
    """
    if not use_igraph(G, backend):
        return nx.closeness_centrality(G, wf_improved=False)
    twin, nodes = to_igraph(G, None)
    values = twin.closeness(normalized=True)
    return {v: (0.0 if c != c else c) for v, c in zip(nodes, values, strict=True)}  # NaN -> 0


def components(G: nx.Graph, backend: str = "auto") -> list[set]:
    """Connected components as sets of nodes, largest first (ties: in node order).

    Examples
    --------
    >>> components(nx.Graph([(0, 1), (1, 2), (3, 4)]))
    [{0, 1, 2}, {3, 4}]
    """
    if not use_igraph(G, backend):
        comps = list(nx.connected_components(G))
    else:
        twin, nodes = to_igraph(G, None)
        comps = [{nodes[i] for i in c} for c in twin.connected_components()]
    return sorted(comps, key=len, reverse=True)


def component_index(comps: list[set]) -> dict:
    """Node -> position of its component in ``comps`` (0 = the largest)."""
    return {v: i for i, c in enumerate(comps) for v in c}
