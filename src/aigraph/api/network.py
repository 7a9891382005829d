"""``/network``: collaboration networks over HTTP (thin routes over :mod:`aigraph.analytics`).

JSON everywhere, and the networks themselves as GraphML, GEXF or a CSV edge list for Gephi
and Cytoscape (``/network/export``, ``/network/ego``). Common query parameters: ``projection``
(co-participation, agreements, affiliation), ``from``/``to`` (time window), ``country``,
``type``, ``priority`` (repeatable) and ``seed``. Errors are problem+json (400 bad parameter,
404 unknown node), mapped where the app maps every :class:`~aigraph.errors.AigraphError`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from .. import analytics as an

router = APIRouter(prefix="/network", tags=["network"])

Projection = Literal["co-participation", "agreements", "affiliation"]
GraphFormat = Literal["json", "graphml", "gexf", "csv"]


class NetworkParams:
    def __init__(
        self,
        projection: Projection = "co-participation",
        start: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
        end: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
        country: Annotated[list[str] | None, Query(description="ISO alpha-3")] = None,
        type: Annotated[list[str] | None, Query(description="organisation type")] = None,  # noqa: A002
        priority: Annotated[list[str] | None, Query()] = None,
        seed: int = 0,
    ):
        self.projection = projection
        self.filters = an.Filters.of(start, end, country, type, priority)
        self.seed = seed


Params = Annotated[NetworkParams, Depends()]


def _graph(request: Request, p: NetworkParams, funding: bool = False):
    return an.project(request.app.state.store, p.projection, p.filters, funding=funding)


def _file(G, fmt: str, name: str) -> Response:
    data = an.export(G, fmt)
    headers = (
        {} if fmt == "json" else {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )
    return Response(data, media_type=an.EXPORT_FORMATS[fmt], headers=headers)


@router.get("/summary")
def summary(request: Request, p: Params) -> dict:
    """Nodes, edges, components, largest component, Louvain modularity."""
    return an.summary(_graph(request, p), seed=p.seed)


@router.get("/metrics")
def metrics(
    request: Request,
    p: Params,
    metric: Annotated[list[str] | None, Query()] = None,
    sort: str | None = None,
    top: int = 20,
    k: int | None = None,
) -> dict:
    """Per-node metrics (degree, strength, pagerank, betweenness, closeness, component), the
    top ``top`` by ``sort``; sampled betweenness states its ``k`` and ``seed``."""
    names = tuple(metric or ("degree", "strength", "pagerank"))
    try:
        rows, params = an.node_table(_graph(request, p), names, k=k, seed=p.seed)
    except ValueError as err:
        raise an_input_error(str(err)) from None
    key = sort or names[0]
    if key not in names:
        raise an_input_error(f"sort={key} is not one of the metrics asked")
    rows.sort(key=lambda r: (-(r[key] or 0), r["id"]))
    return {
        "projection": p.projection,
        "parameters": params,
        "total": len(rows),
        "nodes": rows[:top] if top else rows,
    }


def an_input_error(message: str):
    from ..errors import InputError

    return InputError(message)


@router.get("/communities")
def communities(
    request: Request,
    p: Params,
    algorithm: Literal["louvain", "leiden"] = "louvain",
    resolution: float = 1.0,
    top: int = 20,
    members: int = 100,
) -> dict:
    G = _graph(request, p)
    c = an.detect(G, algorithm=algorithm, resolution=resolution, seed=p.seed)
    return {
        "algorithm": c.algorithm,
        "parameters": c.parameters,
        "modularity": c.modularity,
        "count": len(c.communities),
        "communities": [
            {"id": i, "size": len(m), "members": sorted(str(v) for v in m)[:members]}
            for i, m in enumerate(c.communities[:top])
        ],
    }


@router.get("/path")
def path(
    request: Request,
    p: Params,
    source: str,
    target: str,
    all: bool = False,  # noqa: A002
    limit: int = 20,
) -> dict:
    """Shortest path(s) between two nodes (IRI, PIC or exact label), with what makes each hop."""
    G = _graph(request, p)
    a, b = an.resolve(G, source), an.resolve(G, target)
    if all:
        paths = an.all_shortest_paths(G, a, b, limit=limit)
    else:
        one = an.shortest_path(G, a, b)
        paths = [one] if one is not None else []
    return {
        "source": a,
        "target": b,
        "connected": bool(paths),
        "paths": [x.to_json(G) for x in paths],
    }


@router.get("/ego")
def ego(
    request: Request, p: Params, node: str, radius: int = 1, format: GraphFormat = "json"
) -> Response:  # noqa: A002
    G = _graph(request, p)
    E = an.ego(G, an.resolve(G, node), radius=radius)
    return _file(E, format, "ego")


@router.get("/brokers")
def brokers(request: Request, p: Params, a: str, b: str, top: int = 20) -> dict:
    """Nodes ranked by the A-B neighbour pairs they alone connect (aigraph.analytics.borders)."""
    rows = an.brokers(_graph(request, p), a, b, top=top or None)
    return {
        "a": a.upper(),
        "b": b.upper(),
        "definition": "bridged = pairs (x in A, y in B) of the node's neighbours not linked "
        "directly; share = bridged / all such pairs",
        "brokers": [
            {
                "id": str(x.node),
                "label": x.label,
                "country": x.country,
                "bridged": x.bridged,
                "pairs": x.pairs,
                "share": x.share,
            }
            for x in rows
        ],
    }


@router.get("/cross-border")
def cross_border(
    request: Request, p: Params, only: Annotated[list[str] | None, Query()] = None
) -> dict:
    """Observed cross-border weight over its configuration-model expectation, per country pair."""
    pairs = an.cross_border(_graph(request, p), countries=only)
    return {
        "definition": "index = observed / expected; expected = S_A * S_B / (2 W)",
        "pairs": [
            {
                "a": x.a,
                "b": x.b,
                "observed": x.observed,
                "expected": x.expected,
                "index": x.index,
                "edges": x.edges,
            }
            for x in pairs
        ],
    }


@router.get("/export")
def export(
    request: Request,
    p: Params,
    format: GraphFormat = "graphml",  # noqa: A002
    funding: bool = False,
) -> Response:
    """The whole network as GraphML, GEXF, a CSV edge list or node-link JSON."""
    return _file(_graph(request, p, funding), format, p.projection)
