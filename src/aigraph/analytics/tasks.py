"""The network questions the service answers (``/network/*``), as plain functions of a store.

Each takes the store (an :class:`~aigraph.store.Store` or a read-only
:class:`~aigraph.analytics.cache.Snapshot`) and picklable arguments, and returns JSON-ready
data or a :class:`File`: so :mod:`.runner` can run it in a worker process it can stop, and the
routes stay thin. Projections are cached per store version (:func:`.projection.project`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .borders import brokers as _brokers
from .borders import cross_border as _cross_border
from .communities import detect
from .export import FORMATS, export
from .paths import all_shortest_paths, resolve, shortest_path
from .paths import ego as _ego
from .projection import Filters, project
from .summary import node_table
from .summary import summary as _summary


@dataclass(frozen=True)
class File:
    """A network written in one of :data:`.export.FORMATS` (``name`` without extension)."""

    data: bytes
    format: str
    name: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]


def summary(store, projection: str, filters: Filters, seed: int = 0) -> dict:
    return _summary(project(store, projection, filters), seed=seed)


def metrics(
    store,
    projection: str,
    filters: Filters,
    names: tuple[str, ...],
    sort: str | None,
    top: int,
    k: int | None,
    seed: int = 0,
) -> dict:
    key = sort or names[0]
    if key not in names:
        raise InputError(f"sort={key} is not one of the metrics asked")
    try:
        rows, params = node_table(project(store, projection, filters), names, k=k, seed=seed)
    except ValueError as err:
        raise InputError(str(err)) from None
    rows.sort(key=lambda r: (-(r[key] or 0), r["id"]))
    return {
        "projection": projection,
        "parameters": params,
        "total": len(rows),
        "nodes": rows[:top] if top else rows,
    }


def communities(
    store,
    projection: str,
    filters: Filters,
    algorithm: str,
    resolution: float,
    top: int,
    members: int,
    seed: int = 0,
) -> dict:
    G = project(store, projection, filters)
    c = detect(G, algorithm=algorithm, resolution=resolution, seed=seed)
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


def path(
    store, projection: str, filters: Filters, source: str, target: str, every: bool, limit: int
) -> dict:
    G = project(store, projection, filters)
    a, b = resolve(G, source), resolve(G, target)
    if every:
        paths = all_shortest_paths(G, a, b, limit=limit)
    else:
        one = shortest_path(G, a, b)
        paths = [one] if one is not None else []
    return {
        "source": a,
        "target": b,
        "connected": bool(paths),
        "paths": [x.to_json(G) for x in paths],
    }


def ego(store, projection: str, filters: Filters, node: str, radius: int, fmt: str) -> File:
    G = project(store, projection, filters)
    return File(export(_ego(G, resolve(G, node), radius=radius), fmt), fmt, "ego")


def brokers(store, projection: str, filters: Filters, a: str, b: str, top: int) -> dict:
    rows = _brokers(project(store, projection, filters), a, b, top=top or None)
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


def cross_border(store, projection: str, filters: Filters, only: list[str] | None) -> dict:
    pairs = _cross_border(project(store, projection, filters), countries=only)
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


def network_file(store, projection: str, filters: Filters, fmt: str, funding: bool) -> File:
    return File(export(project(store, projection, filters, funding=funding), fmt), fmt, projection)


__all__ = [
    "File",
    "brokers",
    "communities",
    "cross_border",
    "ego",
    "metrics",
    "network_file",
    "path",
    "summary",
]
