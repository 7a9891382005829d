"""Collaboration across borders: brokers between two countries, and a cross-border
collaboration index for each pair of countries. Nodes carry a ``country`` attribute (ISO
alpha-3 code; nodes without one are left out).

**Broker score.** For countries A != B, the broker score of a node v (of any country) is the
number of pairs (a, b) of its neighbours, a in A and b in B, that are *not* linked to each
other: v is the only direct go-between of a and b (a structural hole between A and B that v
spans). ``share`` is that number over all |N_A(v)| x |N_B(v)| pairs of its A and B
neighbours (1: none of them is linked directly).

**Cross-border collaboration index.** For countries A != B, with w the edge weight, s(v) the
strength of v, S_A the total strength of A's nodes and W the total edge weight:

- observed O_AB = total weight of the edges between an A node and a B node;
- expected E_AB = S_A * S_B / (2 W), the weight the configuration model (random rewiring
  keeping every node's strength) puts between A and B;
- index = O_AB / E_AB: 1 as much as chance, above 1 more, below 1 less.

Only nodes with a country count in S and W, so the index compares countries within the part
of the network whose countries are known.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from ..errors import InputError

_ALPHA3 = re.compile(r"[A-Za-z]{3}")


def check_countries(present: Iterable[str], codes: Iterable[str]) -> None:
    """Raise :class:`InputError` naming the first of ``codes`` that no node of the network has
    as its country (``present``: the nodes' countries); case does not matter.

    >>> try:
    ...     check_countries(["FRA", "DEU"], ["fra", "XYZ"])
    ... except InputError as err:
    ...     print(err)
    unknown country 'XYZ': no organisation of the network has it (its countries: DEU, FRA)
    """
    known = {c for c in present if c}
    for code in codes:
        if code.upper() in known:
            continue
        if not _ALPHA3.fullmatch(code):
            raise InputError(
                f"{code!r} is not a country code: give an ISO 3166-1 alpha-3 code (FRA, DEU, ...)"
            )
        if not known:
            raise InputError(
                f"no organisation of the network has a country, so none is in {code!r} "
                "(a network of CORDIS participations has them)"
            )
        listed = ", ".join(sorted(known)[:40]) + (", ..." if len(known) > 40 else "")
        raise InputError(
            f"unknown country {code!r}: no organisation of the network has it "
            f"(its countries: {listed})"
        )


@dataclass
class Broker:
    node: object
    label: str
    country: str
    bridged: int  # pairs (a in A, b in B) of neighbours not linked directly
    pairs: int  # all pairs (a in A, b in B) of neighbours
    neighbours_a: int
    neighbours_b: int

    @property
    def share(self) -> float:
        return self.bridged / self.pairs if self.pairs else 0.0


def brokers(G: nx.Graph, country_a: str, country_b: str, top: int | None = 20) -> list[Broker]:
    """Nodes ranked by the number of A-B neighbour pairs they alone connect (see module doc).

    Ties are broken by the number of pairs, then the node. Nodes scoring 0 are left out.

    Examples
    --------
    >>> G = nx.Graph([("f1", "x"), ("x", "d1"), ("x", "d2"), ("f1", "d2")])
    >>> nx.set_node_attributes(G, {"f1": "FRA", "d1": "DEU", "d2": "DEU", "x": "ITA"}, "country")
    >>> [(b.node, b.bridged, b.pairs) for b in brokers(G, "FRA", "DEU")]
    [('x', 1, 2)]
    """
    a, b = country_a.upper(), country_b.upper()
    if a == b:
        raise InputError("brokers between a country and itself: give two different countries")
    country = nx.get_node_attributes(G, "country")
    check_countries(country.values(), [country_a, country_b])
    out = []
    for v in G:
        na = [u for u in G[v] if country.get(u) == a]
        if not na:
            continue
        nb = {u for u in G[v] if country.get(u) == b}
        if not nb:
            continue
        linked = sum(len(nb.intersection(G[u])) for u in na)
        pairs = len(na) * len(nb)
        if pairs - linked > 0:
            out.append(
                Broker(
                    v,
                    str(G.nodes[v].get("label", v)),
                    country.get(v, ""),
                    pairs - linked,
                    pairs,
                    len(na),
                    len(nb),
                )
            )
    out.sort(key=lambda x: (-x.bridged, -x.pairs, str(x.node)))
    return out if top is None else out[:top]


@dataclass
class CountryPair:
    a: str
    b: str
    observed: float
    expected: float
    edges: int

    @property
    def index(self) -> float:
        return self.observed / self.expected if self.expected else 0.0


def cross_border(
    G: nx.Graph, weight: str | None = "weight", countries: list[str] | None = None
) -> list[CountryPair]:
    """The cross-border collaboration index of each pair of countries (see module doc),
    sorted by observed weight. ``countries`` restricts the pairs reported (not the totals).

    Examples
    --------
    >>> G = nx.Graph([("f1", "f2"), ("f1", "d1"), ("d1", "d2")])
    >>> nx.set_node_attributes(G, {"f1": "FRA", "f2": "FRA", "d1": "DEU", "d2": "DEU"}, "country")
    >>> [(p.a, p.b, p.observed, p.expected, round(p.index, 3)) for p in cross_border(G)]
    [('DEU', 'FRA', 1.0, 1.5, 0.667)]
    """
    country = {v: c for v, c in nx.get_node_attributes(G, "country").items() if c}
    observed: dict[tuple[str, str], float] = defaultdict(float)
    edges: dict[tuple[str, str], int] = defaultdict(int)
    s: dict[str, float] = defaultdict(float)
    total = 0.0
    for u, v, w in G.edges(data=weight, default=1):
        cu, cv = country.get(u), country.get(v)
        if not cu or not cv:
            continue
        w = 1 if weight is None else w
        total += w
        s[cu] += w
        s[cv] += w
        if cu != cv:
            key = (cu, cv) if cu < cv else (cv, cu)
            observed[key] += w
            edges[key] += 1
    if countries:
        check_countries(country.values(), countries)
    keep = {c.upper() for c in countries} if countries else None
    out = []
    for ca, cb in combinations(sorted(s), 2):
        if keep is not None and not ({ca, cb} <= keep):
            continue
        o = observed.get((ca, cb), 0.0)
        if not o:
            continue
        out.append(CountryPair(ca, cb, o, s[ca] * s[cb] / (2 * total), edges[(ca, cb)]))
    out.sort(key=lambda p: (-p.observed, p.a, p.b))
    return out
