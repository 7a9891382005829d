"""RDF -> networkx graphs: the only module that turns the knowledge graph into networks.

Three projections, each a function of the store (the union of its graphs) and filters:

- :func:`co_participation`: organisations linked when they take part in the same project
  (EURIO roles). Edge ``weight`` = number of shared projects; with ``funding=True`` also
  ``funding`` = the EC contribution the two received in their shared projects
  (sum over shared projects p of c(u, p) + c(v, p)). Computed as a sparse product B·Bᵀ of
  the organisation x project incidence matrix, not by looping over pairs.
- :func:`agreements`: organisations linked by cooperation agreements and partnerships
  (``aig:hasParty``); edge ``weight`` = number of agreements, ``agreements`` = their IRIs.
- :func:`affiliations`: the bipartite person-organisation graph of posts and memberships.

Nodes are IRIs with attributes ``label``, ``country`` (ISO alpha-3 code of the EU authority
table, ``""`` if unknown), ``type`` (organisation-type slug) and ``kind``
(``organisation``/``person``); co-participation nodes also carry ``projects`` (the project
IRIs, sorted), from which :mod:`.paths` explains each hop.

Filters: a time window (``start``/``end``, dates; a project counts when its
[startDate, endDate] overlaps the window, an agreement when it was signed or announced in it,
a post when it was held during it; undated items are left out once a window is set),
``countries`` and ``org_types`` (organisations outside are dropped, with their edges) and
``priorities`` (agreements having at least one of them).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pyoxigraph as ox
from scipy import sparse

from ..errors import InputError
from ..namespaces import COUNTRY, ID, PREFIXES
from .backend import seed_twin
from .cache import VersionCache

PROJECTIONS = ("co-participation", "agreements", "affiliation")
_ORG_TYPE = f"{ID}organisation-type/"
_PRIORITY = f"{ID}priority/"


@dataclass(frozen=True)
class Filters:
    """What a projection keeps. Country codes are ISO alpha-3 (``FRA``); types and priorities
    are slugs (``university``, ``sovereign-ai``) or full IRIs."""

    start: dt.date | None = None
    end: dt.date | None = None
    countries: frozenset[str] = field(default_factory=frozenset)
    org_types: frozenset[str] = field(default_factory=frozenset)
    priorities: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        countries: Iterable[str] | None = None,
        org_types: Iterable[str] | None = None,
        priorities: Iterable[str] | None = None,
    ) -> Filters:
        def day(v: dt.date | str | None, what: str) -> dt.date | None:
            if v is None or isinstance(v, dt.date):
                return v
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                raise InputError(f"{what} {v!r} is not a date (YYYY-MM-DD)") from None

        s, e = day(start, "start"), day(end, "end")
        if s and e and e < s:
            raise InputError(f"the window ends ({e}) before it starts ({s})")
        return cls(
            s,
            e,
            frozenset(c.strip().upper().rsplit("/", 1)[-1] for c in countries or ()),
            frozenset(_slug(t, _ORG_TYPE) for t in org_types or ()),
            frozenset(_slug(p, _PRIORITY) for p in priorities or ()),
        )

    def windowed(self) -> bool:
        return self.start is not None or self.end is not None

    def overlaps(self, start: str, end: str) -> bool:
        """Whether [start, end] (ISO dates, ``""`` if unknown) meets the window."""
        if not self.windowed():
            return True
        if not start and not end:
            return False
        s, e = start or end, end or start
        return (self.end is None or s <= self.end.isoformat()) and (
            self.start is None or e >= self.start.isoformat()
        )

    def keeps_org(self, country: str, org_type: str) -> bool:
        return (not self.countries or country in self.countries) and (
            not self.org_types or org_type in self.org_types
        )


def _slug(value: str, base: str) -> str:
    v = value.strip()
    return v[len(base) :] if v.startswith(base) else v.rsplit("/", 1)[-1]


# ----------------------------------------------------------------------------- queries
@cache
def _sparql(name: str) -> str:
    return (Path(__file__).with_name(f"{name}.rq")).read_text(encoding="utf-8")


def _ox(store) -> ox.Store:
    return store.ox if hasattr(store, "ox") else store


def select(store, name: str) -> list[list[str]]:
    """Rows of the query ``name.rq`` as lists of lexical values (``""`` when unbound), in the
    order of its SELECT clause.

    Oxigraph writes the results as CSV (in Rust) and :mod:`csv` reads them back: much faster
    than building a Python term per cell.
    """
    answer = _ox(store).query(_sparql(name), prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions), f"{name}.rq must be a SELECT query"
    data = answer.serialize(format=ox.QueryResultsFormat.CSV) or b""
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(rows, None)  # header
    return list(rows)


def organisations(store) -> dict[str, dict[str, str]]:
    """IRI -> node attributes of every organisation: ``label`` (English, else untagged, else
    any; ``PIC n`` for a CORDIS participant without a name), ``country`` (ISO alpha-3),
    ``type`` (organisation-type slug) and ``kind``."""
    out: dict[str, dict[str, str]] = {}
    rank: dict[str, int] = {}
    country_ns = str(COUNTRY)
    for org, what, value, lang in select(store, "organisations"):
        a = out.get(org)
        if a is None:
            a = out[org] = _org_attrs({}, org)
        if what == "country" and value.startswith(country_ns) and not a["country"]:
            a["country"] = value[len(country_ns) :]
        elif what == "type" and not a["type"]:
            a["type"] = _slug(value, _ORG_TYPE)
        elif what == "label":
            r = 0 if lang.lower().startswith("en") else 1 if not lang else 2
            if r < rank.get(org, 3):
                rank[org] = r
                a["label"] = value
    return out


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _org_attrs(orgs: dict[str, dict[str, str]], iri: str) -> dict[str, str]:
    a = orgs.get(iri)
    if a is not None:
        return a
    local = _local(iri)
    label = f"PIC {local[4:]}" if local.startswith("pic-") else local
    return {"label": label, "country": "", "type": "", "kind": "organisation"}


def _fill_graph(
    G: nx.Graph, nodes: list, us: list[int], vs: list[int], columns: dict[str, list]
) -> None:
    """Add the edges ``nodes[us[k]] -- nodes[vs[k]]`` with attributes ``columns[name][k]``.

    Writes networkx's adjacency dicts directly (the nodes must already be in ``G``, and each
    pair given once): about 3x faster than ``add_edges_from`` on the 800 k edges of H2020, and
    the result is the same graph (``tests/analytics`` checks it with ``graphs_equal``).
    """
    names = list(columns)
    if len(names) == 1:
        (name,) = names
        datas = [{name: x} for x in columns[name]]
    else:
        rows = zip(*columns.values(), strict=True)
        datas = [dict(zip(names, vals, strict=True)) for vals in rows]
    n = len(nodes)
    k = np.arange(len(us))
    sym = sparse.csr_matrix(
        (np.concatenate([k, k]) + 1, (np.concatenate([us, vs]), np.concatenate([vs, us]))),
        shape=(n, n),
    )
    adj = G._adj
    indptr, indices, eids = sym.indptr, sym.indices.tolist(), (sym.data - 1).tolist()
    for i, u in enumerate(nodes):
        lo, hi = indptr[i], indptr[i + 1]
        if lo == hi:
            continue
        row = adj[u]
        neighbours = map(nodes.__getitem__, indices[lo:hi])
        row.update(zip(neighbours, map(datas.__getitem__, eids[lo:hi]), strict=True))
    G.__networkx_cache__.clear()


# ----------------------------------------------------------------------------- projections
@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while building millions of small containers (none of
    them cyclic): with a large heap, its repeated scans otherwise double the build time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def co_participation(store, filters: Filters | None = None, *, funding: bool = False) -> nx.Graph:
    """Organisation-organisation co-participation in projects.

    Returns an undirected graph: node = organisation IRI; edge ``weight`` = number of projects
    the two share (and ``funding`` if asked, see the module docstring). Organisations whose
    projects have no other (kept) participant are isolated nodes.
    """
    with _no_gc():
        return _co_participation(store, filters or Filters(), funding)


def _co_participation(store, f: Filters, funding: bool) -> nx.Graph:
    orgs = organisations(store)
    dates: dict[str, tuple[str, str]] = {}
    if f.windowed():
        dates = {p: (s, e) for p, s, e in select(store, "project-dates")}
    org_index: dict[str, int] = {}
    proj_index: dict[str, int] = {}
    rows_i: list[int] = []
    cols_j: list[int] = []
    money: list[float] = []
    for o, project, contribution in select(store, "co-participation"):
        if f.windowed() and not f.overlaps(*dates.get(project, ("", ""))):
            continue
        if f.countries or f.org_types:
            attrs = _org_attrs(orgs, o)
            if not f.keeps_org(attrs["country"], attrs["type"]):
                continue
        i = org_index.setdefault(o, len(org_index))
        rows_i.append(i)
        cols_j.append(proj_index.setdefault(project, len(proj_index)))
        if funding:
            money.append(float(contribution) if contribution else 0.0)
    n, m = len(org_index), len(proj_index)
    nodes, projects = list(org_index), list(proj_index)
    b = sparse.csr_matrix((np.ones(len(rows_i)), (rows_i, cols_j)), shape=(n, m))
    b.data[:] = 1.0  # two roles of an organisation in one project count once
    w = sparse.triu(b @ b.T, k=1).tocoo()
    us, vs = w.row, w.col
    columns: dict[str, list] = {"weight": w.data.astype(np.int64).tolist()}
    if funding:
        c = sparse.csr_matrix((np.asarray(money), (rows_i, cols_j)), shape=(n, m))
        fw = (c @ b.T + b @ c.T).tocsr()
        # fancy indexing with empty index arrays gives a sparse matrix, not an empty row
        columns["funding"] = np.asarray(fw[us, vs]).ravel().tolist() if len(us) else []
    b.sort_indices()
    G = nx.Graph(projection="co-participation")
    node_data = []
    for i, iri in enumerate(nodes):
        a: dict[str, object] = dict(_org_attrs(orgs, iri))
        a["projects"] = tuple(sorted(projects[j] for j in b.indices[b.indptr[i] : b.indptr[i + 1]]))
        node_data.append((iri, a))
    G.add_nodes_from(node_data)
    _fill_graph(G, nodes, us, vs, columns)
    twin = ig.Graph(n=n, edges=np.column_stack([us, vs]), directed=False)
    for name, col in columns.items():
        twin.es[name] = col
    seed_twin(G, twin, nodes)
    return G


def agreements(store, filters: Filters | None = None) -> nx.Graph:
    """Organisations linked by cooperation agreements and partnerships.

    Edge attributes: ``weight`` (number of agreements the two are party to together) and
    ``agreements`` (their IRIs, sorted); nodes also carry the agreements they are party to.
    """
    f = filters or Filters()
    orgs = organisations(store)
    parties: dict[str, set[str]] = defaultdict(set)
    info: dict[str, dict] = {}
    for a, kind, label, date, party, priority in select(store, "agreements"):
        d = info.setdefault(a, {"label": label, "kind": kind, "date": date, "priorities": set()})
        if priority:
            d["priorities"].add(_slug(priority, _PRIORITY))
        parties[a].add(party)
    G = nx.Graph(projection="agreements")
    for a in sorted(parties):
        d = info[a]
        if f.windowed() and not f.overlaps(d["date"], d["date"]):
            continue
        if f.priorities and not (d["priorities"] & f.priorities):
            continue
        kept = sorted(
            p
            for p in parties[a]
            if f.keeps_org(_org_attrs(orgs, p)["country"], _org_attrs(orgs, p)["type"])
        )
        for p in kept:
            if p not in G:
                G.add_node(p, **_org_attrs(orgs, p), agreements=())
            G.nodes[p]["agreements"] = (*G.nodes[p]["agreements"], a)
        for u, v in combinations(kept, 2):
            if G.has_edge(u, v):
                G[u][v]["weight"] += 1
                G[u][v]["agreements"] = (*G[u][v]["agreements"], a)
            else:
                G.add_edge(u, v, weight=1, agreements=(a,))
    G.graph["agreements"] = {
        a: {
            "label": d["label"],
            "kind": d["kind"],
            "date": d["date"],
            "priorities": sorted(d["priorities"]),
        }
        for a, d in info.items()
    }
    return G


def affiliations(store, filters: Filters | None = None) -> nx.Graph:
    """The bipartite graph of people (``bipartite=1``) and organisations (``bipartite=0``).

    An edge stands for posts or memberships: ``weight`` = how many, ``relations`` = their IRIs,
    ``roles`` = the role concepts.
    """
    f = filters or Filters()
    orgs = organisations(store)
    G = nx.Graph(projection="affiliation")
    for p, name, o, _kind, relation, role, start, end in select(store, "affiliations"):
        if f.windowed() and not _held_during(f, start, end):
            continue
        oa = _org_attrs(orgs, o)
        if not f.keeps_org(oa["country"], oa["type"]):
            continue
        if o not in G:
            G.add_node(o, bipartite=0, **oa)
        if p not in G:
            G.add_node(p, bipartite=1, kind="person", label=name or _local(p), country="", type="")
        if G.has_edge(o, p):
            e = G[o][p]
            if relation not in e["relations"]:
                e["relations"] = (*e["relations"], relation)
                e["weight"] = len(e["relations"])
            if role and role not in e["roles"]:
                e["roles"] = (*e["roles"], role)
        else:
            G.add_edge(o, p, weight=1, relations=(relation,), roles=(role,) if role else ())
    return G


def _held_during(f: Filters, start: str, end: str) -> bool:
    """A post with a start and no end is still held; one with no dates at all is left out."""
    if not start and not end:
        return False
    s = start[:10] if start else "0000"
    e = end[:10] if end else "9999"
    return (f.end is None or s <= f.end.isoformat()) and (
        f.start is None or e >= f.start.isoformat()
    )


# ----------------------------------------------------------------------------- dispatch
#: projections per store state (see :mod:`.cache`: keyed on the store's version)
_CACHE = VersionCache(size=4)


def project(
    store, name: str = "co-participation", filters: Filters | None = None, *, funding: bool = False
) -> nx.Graph:
    """The projection ``name`` (one of :data:`PROJECTIONS`), cached per store state.

    The cache key is the store and its ``version`` (bumped by every committed write) plus the
    arguments; a bare pyoxigraph store that no :class:`~aigraph.store.Store` owns is not
    cached. Callers must not modify the returned graph; copy it first.
    """
    if name not in PROJECTIONS:
        raise InputError(f"unknown projection {name!r} (use one of {', '.join(PROJECTIONS)})")
    f = filters or Filters()
    oxs = _ox(store)

    def build() -> nx.Graph:
        if name == "co-participation":
            return co_participation(oxs, f, funding=funding)
        if name == "agreements":
            return agreements(oxs, f)
        return affiliations(oxs, f)

    return _CACHE.get(store, (name, f, funding), build)
