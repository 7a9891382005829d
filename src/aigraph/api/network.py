"""``/network``: collaboration networks over HTTP (thin routes over :mod:`aigraph.analytics`).

JSON everywhere, and the networks themselves as GraphML, GEXF or a CSV edge list for Gephi
and Cytoscape (``/network/export``, ``/network/ego``). Common query parameters: ``projection``
(co-participation, agreements, affiliation), ``from``/``to`` (time window), ``country``,
``type``, ``priority`` (repeatable), ``seed`` and ``timeout``. The work runs off the event loop
in the analytics worker (:mod:`aigraph.analytics.runner`) with the deadline of queries (503
past it) and is cached per store version. Errors are problem+json (400 bad parameter, 404
unknown node, 503 deadline or busy).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from ..analytics import EXPORT_FORMATS, METRICS, Filters
from ..analytics.tasks import File
from . import heavy
from .openapi import content, problems

router = APIRouter(prefix="/network", tags=["network"])

Projection = Literal["co-participation", "agreements", "affiliation"]
GraphFormat = Literal["json", "graphml", "gexf", "csv"]
Metric = Literal["degree", "strength", "pagerank", "betweenness", "closeness", "component"]
assert set(Metric.__args__) == set(METRICS)  # type: ignore[attr-defined]
COUNTRY = r"^[A-Za-z]{3}$"
Country = Annotated[str, Query(pattern=COUNTRY, description="ISO 3166 alpha-3 code")]
Text = Annotated[str, Query(min_length=1, max_length=2000)]
Count = Annotated[int, Query(ge=0, le=1_000_000)]
TASKS = "aigraph.analytics.tasks:"
JSON_ERRORS = problems(400, 503)
FILE = content(*EXPORT_FORMATS.values(), description="the network in the asked format")
FILE["content"]["application/json"]["schema"] = {
    "type": "object",
    "description": "node-link JSON: graph, nodes, edges",
}


class NetworkParams:
    def __init__(
        self,
        projection: Projection = "co-participation",
        start: Annotated[dt.date | None, Query(alias="from", description="YYYY-MM-DD")] = None,
        end: Annotated[dt.date | None, Query(alias="to", description="YYYY-MM-DD")] = None,
        country: Annotated[
            list[Annotated[str, Query(pattern=COUNTRY)]],
            Query(description="ISO 3166 alpha-3 code (repeatable)"),
        ] = [],  # noqa: B006 - FastAPI copies defaults
        type: Annotated[  # noqa: A002
            list[Annotated[str, Query(max_length=500)]],
            Query(description="organisation type: slug or IRI (repeatable)"),
        ] = [],  # noqa: B006
        priority: Annotated[
            list[Annotated[str, Query(max_length=500)]],
            Query(description="priority of agreements: slug or IRI (repeatable)"),
        ] = [],  # noqa: B006
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
        timeout: heavy.Timeout = None,
    ):
        self.projection = projection
        self.filters = Filters.of(start, end, country, type, priority)
        self.seed = seed
        self.timeout = timeout


Params = Annotated[NetworkParams, Depends()]


def _file(f: File) -> Response:
    headers = (
        {}
        if f.format == "json"
        else {"Content-Disposition": f'attachment; filename="{f.name}.{f.format}"'}
    )
    return Response(f.data, media_type=f.media_type, headers=headers)


@router.get("/summary", responses=JSON_ERRORS)
async def summary(request: Request, p: Params) -> dict:
    """Nodes, edges, components, largest component, Louvain modularity."""
    return await heavy.run(
        request, TASKS + "summary", p.timeout, projection=p.projection, filters=p.filters,
        seed=p.seed,
    )  # fmt: skip


@router.get("/metrics", responses=JSON_ERRORS)
async def metrics(
    request: Request,
    p: Params,
    metric: Annotated[list[Metric], Query()] = ["degree", "strength", "pagerank"],  # noqa: B006
    sort: Metric | None = None,
    top: Count = 20,
    k: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> dict:
    """Per-node metrics (degree, strength, pagerank, betweenness, closeness, component), the
    top ``top`` by ``sort`` (one of the metrics asked; 0 = all); sampled betweenness states
    its ``k`` and ``seed``."""
    names = tuple(dict.fromkeys(metric))
    return await heavy.run(
        request, TASKS + "metrics", p.timeout, projection=p.projection, filters=p.filters,
        names=names, sort=sort, top=top, k=k, seed=p.seed,
    )  # fmt: skip


@router.get("/communities", responses=JSON_ERRORS)
async def communities(
    request: Request,
    p: Params,
    algorithm: Literal["louvain", "leiden"] = "louvain",
    resolution: Annotated[float, Query(gt=0, le=1000, allow_inf_nan=False)] = 1.0,
    top: Count = 20,
    members: Count = 100,
) -> dict:
    return await heavy.run(
        request, TASKS + "communities", p.timeout, projection=p.projection, filters=p.filters,
        algorithm=algorithm, resolution=resolution, top=top, members=members, seed=p.seed,
    )  # fmt: skip


@router.get("/path", responses=problems(400, 404, 503))
async def path(
    request: Request,
    p: Params,
    source: Text,
    target: Text,
    all: bool = False,  # noqa: A002
    limit: Annotated[int, Query(ge=1, le=10_000)] = 20,
) -> dict:
    """Shortest path(s) between two nodes (IRI, PIC or exact label), with what makes each hop."""
    return await heavy.run(
        request, TASKS + "path", p.timeout, projection=p.projection, filters=p.filters,
        source=source, target=target, every=all, limit=limit,
    )  # fmt: skip


@router.get("/ego", response_class=Response, responses={200: FILE, **problems(400, 404, 503)})
async def ego(
    request: Request,
    p: Params,
    node: Text,
    radius: Annotated[int, Query(ge=0, le=10)] = 1,
    format: GraphFormat = "json",  # noqa: A002
) -> Response:
    """The neighbourhood of ``node`` within ``radius`` hops, as a network file."""
    f = await heavy.run(
        request, TASKS + "ego", p.timeout, projection=p.projection, filters=p.filters,
        node=node, radius=radius, fmt=format,
    )  # fmt: skip
    return _file(f)


@router.get("/brokers", responses=JSON_ERRORS)
async def brokers(request: Request, p: Params, a: Country, b: Country, top: Count = 20) -> dict:
    """Nodes ranked by the A-B neighbour pairs they alone connect (aigraph.analytics.borders)."""
    return await heavy.run(
        request, TASKS + "brokers", p.timeout, projection=p.projection, filters=p.filters,
        a=a, b=b, top=top,
    )  # fmt: skip


@router.get("/cross-border", responses=JSON_ERRORS)
async def cross_border(
    request: Request,
    p: Params,
    only: Annotated[
        list[Annotated[str, Query(pattern=COUNTRY)]],
        Query(description="report only the pairs of these countries (ISO alpha-3)"),
    ] = [],  # noqa: B006
) -> dict:
    """Observed cross-border weight over its configuration-model expectation, per country pair."""
    return await heavy.run(
        request, TASKS + "cross_border", p.timeout, projection=p.projection, filters=p.filters,
        only=tuple(only) or None,
    )  # fmt: skip


@router.get("/export", response_class=Response, responses={200: FILE, **JSON_ERRORS})
async def export(
    request: Request,
    p: Params,
    format: GraphFormat = "graphml",  # noqa: A002
    funding: bool = False,
) -> Response:
    """The whole network as GraphML, GEXF, a CSV edge list or node-link JSON."""
    f = await heavy.run(
        request, TASKS + "network_file", p.timeout, projection=p.projection,
        filters=p.filters, fmt=format, funding=funding,
    )  # fmt: skip
    return _file(f)
