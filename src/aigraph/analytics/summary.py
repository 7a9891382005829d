"""A network's headline figures and a per-node table of metrics."""

from __future__ import annotations

import networkx as nx

from .communities import detect
from .metrics import betweenness, components, degree, pagerank, strength

METRICS = ("degree", "strength", "pagerank", "betweenness", "closeness", "component")


def summary(G: nx.Graph, seed: int = 0, backend: str = "auto") -> dict:
    """``nodes``, ``edges``, ``components``, ``largest_component`` (its node count),
    ``isolates``, ``density`` and the ``modularity`` of its Louvain communities (with their
    number, ``communities``).

    Examples
    --------
    >>> s = summary(nx.Graph([(0, 1), (2, 3)]))
    >>> s["nodes"], s["edges"], s["components"], s["largest_component"], s["modularity"]
    (4, 2, 2, 2, 0.5)
    """
    comps = components(G, backend=backend)
    parts = detect(G, seed=seed, backend=backend)
    return {
        "projection": G.graph.get("projection"),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "components": len(comps),
        "largest_component": len(comps[0]) if comps else 0,
        "isolates": sum(1 for c in comps if len(c) == 1),
        "density": nx.density(G) if G.number_of_nodes() > 1 else 0.0,
        "communities": len(parts.communities),
        "modularity": parts.modularity,
    }


def node_table(
    G: nx.Graph,
    metrics: tuple[str, ...] = ("degree", "strength", "pagerank"),
    *,
    k: int | None = None,
    seed: int = 0,
    backend: str = "auto",
) -> tuple[list[dict], dict]:
    """One row per node (``id``, ``label``, ``country`` and the asked ``metrics``), and the
    parameters used (betweenness states ``k`` and ``seed`` when sampled)."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)} (use {', '.join(METRICS)})")
    columns: dict[str, dict] = {}
    params: dict = {}
    if "degree" in metrics:
        columns["degree"] = degree(G)
    if "strength" in metrics:
        columns["strength"] = strength(G)
    if "pagerank" in metrics:
        columns["pagerank"] = pagerank(G, backend=backend)
        params["pagerank"] = {"alpha": 0.85, "weight": "weight"}
    if "betweenness" in metrics:
        b = betweenness(G, k=k, seed=seed, backend=backend)
        columns["betweenness"] = b.values
        params["betweenness"] = {
            "exact": b.exact,
            "k": b.k,
            "seed": b.seed,
            "normalized": b.normalized,
        }
    if "closeness" in metrics:
        from .metrics import closeness

        columns["closeness"] = closeness(G, backend=backend)
        params["closeness"] = {"scope": "component"}
    if "component" in metrics:
        from .metrics import component_index

        columns["component"] = component_index(components(G, backend=backend))
    rows = []
    for v, data in G.nodes(data=True):
        row = {"id": str(v), "label": data.get("label", str(v)), "country": data.get("country", "")}
        for name, values in columns.items():
            row[name] = values.get(v)
        rows.append(row)
    return rows, params
