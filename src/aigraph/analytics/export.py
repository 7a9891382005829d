"""Writing networks for Gephi, Cytoscape and scripts: GraphML, GEXF, CSV edge list, JSON.

Tuple attributes (a node's projects, an edge's agreements) are written as space-separated
IRIs in GraphML, GEXF and CSV (those formats take scalars only), as lists in JSON.
"""

from __future__ import annotations

import csv
import io
import json

import networkx as nx

from ..errors import InputError

FORMATS = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv",
    "json": "application/json",
}


def _scalar(value):
    if isinstance(value, (tuple, list, set, frozenset)):
        return " ".join(str(x) for x in value)
    if value is None:
        return ""
    return value


def _flat(G: nx.Graph) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from((v, {k: _scalar(x) for k, x in d.items()}) for v, d in G.nodes(data=True))
    H.add_edges_from(
        (u, v, {k: _scalar(x) for k, x in d.items()}) for u, v, d in G.edges(data=True)
    )
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, (str, int, float))})
    return H


def edge_list_csv(G: nx.Graph) -> bytes:
    """``source,target,weight,...`` (one line per edge; the other edge attributes follow)."""
    keys: list[str] = []
    for _u, _v, d in G.edges(data=True):
        for k in d:
            if k not in keys:
                keys.append(k)
        if len(keys) > 8:
            break
    if "weight" in keys:
        keys.remove("weight")
        keys.insert(0, "weight")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["source", "target", *keys])
    for u, v, d in G.edges(data=True):
        w.writerow([u, v, *(_scalar(d.get(k)) for k in keys)])
    return buf.getvalue().encode("utf-8")


def to_json(G: nx.Graph) -> dict:
    """Node-link JSON: ``{"graph", "nodes": [{"id", ...}], "edges": [{"source", "target"}]}``."""

    def plain(d: dict) -> dict:
        return {k: (list(x) if isinstance(x, (tuple, set, frozenset)) else x) for k, x in d.items()}

    return {
        "graph": {k: v for k, v in G.graph.items() if isinstance(v, (str, int, float))},
        "nodes": [{"id": str(v), **plain(d)} for v, d in G.nodes(data=True)],
        "edges": [
            {"source": str(u), "target": str(v), **plain(d)} for u, v, d in G.edges(data=True)
        ],
    }


def export(G: nx.Graph, fmt: str) -> bytes:
    """``G`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(_flat(G), buf)
        return buf.getvalue()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(_flat(G), buf)
        return buf.getvalue()
    if fmt == "csv":
        return edge_list_csv(G)
    if fmt == "json":
        return json.dumps(to_json(G), ensure_ascii=False).encode("utf-8")
    raise InputError(f"unknown network format {fmt!r} (use one of {', '.join(FORMATS)})")
