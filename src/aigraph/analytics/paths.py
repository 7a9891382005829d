"""Paths between organisations, each hop explained by what links its two ends, and ego
networks. Paths count hops (edge weights are tie strengths, not lengths).

The evidence of a hop u-v is what makes the edge: the agreements (agreements projection),
the posts and memberships (affiliation projection) or the projects both take part in
(co-participation: the intersection of the nodes' ``projects`` attributes).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..errors import NotFound

#: edge attributes that list what makes an edge, in order of preference
EVIDENCE_ATTRIBUTES = ("agreements", "relations", "projects")


@dataclass
class Hop:
    source: object
    target: object
    evidence: list[str]


@dataclass
class Path:
    nodes: list
    hops: list[Hop]

    @property
    def length(self) -> int:
        return len(self.hops)

    def to_json(self, G: nx.Graph | None = None) -> dict:
        def label(v) -> str:
            return str(G.nodes[v].get("label", v)) if G is not None else str(v)

        return {
            "length": self.length,
            "nodes": [{"id": str(v), "label": label(v)} for v in self.nodes],
            "hops": [
                {"from": str(h.source), "to": str(h.target), "evidence": h.evidence}
                for h in self.hops
            ],
        }


def _check(G: nx.Graph, *nodes) -> None:
    for v in nodes:
        if v not in G:
            raise NotFound(f"{v} is not a node of this network")


def resolve(G: nx.Graph, value: str):
    """The node ``value`` names: the node itself (an IRI), the IRI ending in ``/value`` or
    ``/pic-value`` (a slug or a PIC), or the node whose ``label`` is exactly ``value``.

    >>> G = nx.Graph([("https://w3id.org/aigraph/id/organisation/pic-1", "x")])
    >>> resolve(G, "1")
    'https://w3id.org/aigraph/id/organisation/pic-1'
    """
    if value in G:
        return value
    for v, label in G.nodes(data="label"):
        s = str(v)
        if label == value or s.endswith(f"/{value}") or s.endswith(f"/pic-{value}"):
            return v
    raise NotFound(f"{value!r} is not a node of the {G.graph.get('projection', '')} network")


def evidence(G: nx.Graph, u, v) -> list[str]:
    """What links ``u`` and ``v`` (sorted), from the edge or, for co-participation, the
    projects the two nodes share.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", projects=("p1", "p2")); G.add_node("b", projects=("p2", "p3"))
    >>> G.add_edge("a", "b", weight=1)
    >>> evidence(G, "a", "b")
    ['p2']
    """
    data = G.edges[u, v]
    for attr in EVIDENCE_ATTRIBUTES:
        if attr in data:
            return sorted(data[attr])
    pu, pv = G.nodes[u].get("projects"), G.nodes[v].get("projects")
    if pu is not None and pv is not None:
        return sorted(set(pu) & set(pv))
    return []


def _path(G: nx.Graph, nodes: list) -> Path:
    return Path(
        list(nodes),
        [Hop(a, b, evidence(G, a, b)) for a, b in zip(nodes[:-1], nodes[1:], strict=True)],
    )


def shortest_path(G: nx.Graph, source, target) -> Path | None:
    """One shortest path from ``source`` to ``target`` with the evidence of each hop, or
    ``None`` when they are not connected. Raises :class:`~aigraph.errors.NotFound` for a node
    not in ``G``.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"agreements": ("x",)}), ("b", "c", {"agreements": ("y",)})])
    >>> p = shortest_path(G, "a", "c")
    >>> p.nodes, [h.evidence for h in p.hops]
    (['a', 'b', 'c'], [['x'], ['y']])
    """
    _check(G, source, target)
    try:
        return _path(G, nx.shortest_path(G, source, target))
    except nx.NetworkXNoPath:
        return None


def all_shortest_paths(G: nx.Graph, source, target, limit: int = 100) -> list[Path]:
    """All shortest paths (at most ``limit``, in a stable order) with their evidence; ``[]``
    when the two are not connected.

    Examples
    --------
    >>> G = nx.cycle_graph(4)
    >>> [p.nodes for p in all_shortest_paths(G, 0, 2)]
    [[0, 1, 2], [0, 3, 2]]
    """
    _check(G, source, target)
    out = []
    try:
        for nodes in nx.all_shortest_paths(G, source, target):
            out.append(nodes)
            if len(out) >= limit:
                break
    except nx.NetworkXNoPath:
        return []
    return [_path(G, p) for p in sorted(out, key=lambda p: [str(v) for v in p])]


def distance(G: nx.Graph, source, target) -> int | None:
    """Number of hops on a shortest path, ``None`` if not connected.

    >>> distance(nx.path_graph(4), 0, 3)
    3
    """
    _check(G, source, target)
    try:
        return nx.shortest_path_length(G, source, target)
    except nx.NetworkXNoPath:
        return None


def ego(G: nx.Graph, center, radius: int = 1) -> nx.Graph:
    """The subgraph of the nodes within ``radius`` hops of ``center`` (a copy).

    >>> sorted(ego(nx.path_graph(5), 2, radius=1))
    [1, 2, 3]
    """
    _check(G, center)
    if radius < 0:
        raise ValueError("radius must be >= 0")
    return nx.ego_graph(G, center, radius=radius).copy()
