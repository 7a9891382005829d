"""Network metrics written back as RDF into ``graph/analytics``, with their provenance.

For a projection P (``co-participation``, ``agreements``, ``affiliation``):

- ``id/network-analysis/P`` a ``aig:NetworkAnalysis`` (a ``prov:Activity``): ``aig:projection``,
  ``aig:algorithm`` (one per algorithm), ``aig:parameters`` (JSON: filters, k and seed of a
  sampled betweenness, ...), ``aig:modularity``, ``prov:endedAtTime``;
- per node, ``id/network-measure/P-{node slug}`` a ``aig:NodeMeasurement``:
  ``aig:measuredNode``, ``aig:degree``, ``aig:strength``, ``aig:pageRank``, ``aig:component``,
  ``aig:community`` and, when computed, ``aig:betweenness``; ``prov:wasGeneratedBy`` the analysis;
- per community, ``id/community/P-{n}`` a ``aig:Community`` with ``aig:memberCount``.

``graph/analytics`` is described in ``graph/catalog``. Writing P again replaces everything
previously written for P, in one validated write. The terms are declared in
``ontology/analytics.ttl``. Query them with::

    SELECT ?org ?pr WHERE { ?m aig:measuredNode ?org ; aig:pageRank ?pr ;
                               prov:wasGeneratedBy/aig:projection "co-participation" }
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from ..namespaces import AIG, DCAT, DCTERMS, ID, PROV, RDF, XSD, entity, graph
from ..ontology import CATALOG_GRAPH
from .communities import Communities, detect
from .metrics import Betweenness, betweenness, component_index, components, degree, pagerank
from .metrics import strength as strength_of

GRAPH_IRI = graph("analytics")
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"


def analysis_iri(projection: str) -> str:
    return entity("network-analysis", projection)


def measure_iri(projection: str, node: str) -> str:
    """``id/network-measure/{projection}-{slug}``; the slug is the node IRI's path under
    ``id/`` with ``/`` as ``-`` (``organisation-pic-999``), else a hash of the IRI."""
    if node.startswith(ID):
        slug = node[len(ID) :].replace("/", "-")
    else:
        slug = "h-" + hashlib.sha256(node.encode()).hexdigest()[:16]
    return entity("network-measure", f"{projection}-{slug}")


def community_iri(projection: str, n: int) -> str:
    return entity("community", f"{projection}-{n}")


@dataclass
class Analysis:
    """Metrics of every node of a projection, ready to be written."""

    projection: str
    graph: nx.Graph
    degree: dict
    strength: dict
    pagerank: dict
    component: dict
    communities: Communities
    betweenness: Betweenness | None
    parameters: dict
    ended: dt.datetime


def analyse(
    G: nx.Graph,
    *,
    projection: str | None = None,
    betweenness_k: int | None = None,
    with_betweenness: bool = False,
    seed: int = 0,
    filters: dict | None = None,
    backend: str = "auto",
) -> Analysis:
    """Compute degree, strength, PageRank, components, Louvain communities and (if asked)
    betweenness of ``G``."""
    name = projection or G.graph.get("projection") or "network"
    parts = detect(G, seed=seed, backend=backend)
    b = betweenness(G, k=betweenness_k, seed=seed, backend=backend) if with_betweenness else None
    params: dict = {
        "filters": filters or {},
        "pagerank": {"alpha": 0.85, "weight": "weight"},
        "communities": parts.parameters | {"algorithm": parts.algorithm},
    }
    if b is not None:
        params["betweenness"] = {"exact": b.exact, "k": b.k, "seed": b.seed, "normalized": True}
    return Analysis(
        projection=name,
        graph=G,
        degree=degree(G),
        strength=strength_of(G),
        pagerank=pagerank(G, backend=backend),
        component=component_index(components(G, backend=backend)),
        communities=parts,
        betweenness=b,
        parameters=params,
        ended=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
    )


def to_quads(a: Analysis) -> list[ox.Quad]:
    """The RDF of an analysis, in ``graph/analytics`` (its catalog entry in ``graph/catalog``)."""
    N, L, Q = ox.NamedNode, ox.Literal, ox.Quad  # noqa: N806 - hot loop, local names
    g = N(GRAPH_IRI)
    a_type = N(str(RDF.type))
    t_int, t_double = N(str(XSD.integer)), N(str(XSD.double))
    act = N(analysis_iri(a.projection))
    generated = N(str(PROV.wasGeneratedBy))
    p = {
        k: N(str(AIG[k]))
        for k in (
            "measuredNode",
            "degree",
            "strength",
            "pageRank",
            "component",
            "community",
            "betweenness",
            "memberCount",
        )
    }
    out = [
        Q(act, a_type, N(str(AIG.NetworkAnalysis)), g),
        Q(act, a_type, N(str(PROV.Activity)), g),
        Q(act, N(str(AIG.projection)), L(a.projection), g),
        Q(
            act,
            N(str(AIG.parameters)),
            L(json.dumps(a.parameters, sort_keys=True), datatype=N(RDF_JSON)),
            g,
        ),
        Q(
            act,
            N(str(AIG.modularity)),
            L(repr(float(a.communities.modularity)), datatype=t_double),
            g,
        ),
        Q(act, N(str(PROV.endedAtTime)), L(a.ended.isoformat(), datatype=N(str(XSD.dateTime))), g),
    ]
    algorithms = [
        "degree",
        "strength",
        "pagerank",
        "connected components",
        f"{a.communities.algorithm} ({a.communities.parameters.get('implementation')})",
    ]
    if a.betweenness is not None:
        algorithms.append(
            "betweenness (exact)"
            if a.betweenness.exact
            else f"betweenness (sampled, k={a.betweenness.k})"
        )
    out += [Q(act, N(str(AIG.algorithm)), L(x), g) for x in algorithms]
    c_measure, c_comm = N(str(AIG.NodeMeasurement)), N(str(AIG.Community))
    communities = [N(community_iri(a.projection, i)) for i in range(len(a.communities.communities))]
    for node, c in zip(communities, a.communities.communities, strict=True):
        out.append(Q(node, a_type, c_comm, g))
        out.append(Q(node, p["memberCount"], L(str(len(c)), datatype=t_int), g))
        out.append(Q(node, generated, act, g))
    membership = a.communities.membership()
    bvals = a.betweenness.values if a.betweenness is not None else None
    for v in a.graph:
        iri = str(v)
        m = N(measure_iri(a.projection, iri))
        out.append(Q(m, a_type, c_measure, g))
        out.append(Q(m, generated, act, g))
        out.append(Q(m, p["measuredNode"], N(iri), g))
        out.append(Q(m, p["degree"], L(str(a.degree[v]), datatype=t_int), g))
        out.append(Q(m, p["strength"], L(repr(float(a.strength[v])), datatype=t_double), g))
        out.append(Q(m, p["pageRank"], L(repr(float(a.pagerank[v])), datatype=t_double), g))
        out.append(Q(m, p["component"], L(str(a.component[v]), datatype=t_int), g))
        out.append(Q(m, p["community"], communities[membership[v]], g))
        if bvals is not None:
            out.append(Q(m, p["betweenness"], L(repr(float(bvals[v])), datatype=t_double), g))
    return out


#: the publisher of what aigraph itself makes (the catalog names it for the curated graphs)
PROJECT = "https://w3id.org/aigraph/id/organisation/aigraph-project"


def catalog_quads(ended: dt.datetime, projections: list[str]) -> list[ox.Quad]:
    """The description of ``graph/analytics`` in ``graph/catalog``."""
    N, L = ox.NamedNode, ox.Literal  # noqa: N806
    c, ds = N(CATALOG_GRAPH), N(GRAPH_IRI)

    def q(pred, obj) -> ox.Quad:
        return ox.Quad(ds, N(str(pred)), obj, c)

    out = [
        q(RDF.type, N(str(DCAT.Dataset))),
        q(RDF.type, N(str(PROV.Entity))),
        q(DCTERMS.title, L("Network metrics", language="en")),
        q(DCTERMS.title, L("Mesures de réseau", language="fr")),
        q(DCTERMS.title, L("Netzwerkkennzahlen", language="de")),
        q(
            DCTERMS.description,
            L(
                "Degree, strength, PageRank, components, communities and "
                "betweenness of organisations in the collaboration networks "
                "projected from the knowledge graph, computed by aigraph.",
                language="en",
            ),
        ),
        q(DCTERMS.license, N(CC_BY_4)),
        # the metrics are the project's own work, published as the curated graphs are
        q(DCTERMS.publisher, N(PROJECT)),
        q(PROV.generatedAtTime, L(ended.isoformat(), datatype=N(str(XSD.dateTime)))),
    ]
    out += [q(PROV.wasGeneratedBy, N(analysis_iri(p))) for p in sorted(projections)]
    return out


def _written_for(store, projection: str) -> list[ox.Quad]:
    """Every quad of ``graph/analytics`` previously written for ``projection``."""
    oxs = store.ox
    g = ox.NamedNode(GRAPH_IRI)
    act = ox.NamedNode(analysis_iri(projection))
    subjects = {act}
    generated = ox.NamedNode(str(PROV.wasGeneratedBy))
    for q in oxs.quads_for_pattern(None, generated, act, g):
        subjects.add(q.subject)
    return [q for s in subjects for q in oxs.quads_for_pattern(s, None, None, g)]


def write(store, analysis: Analysis, *, validate: bool = True):
    """Replace what ``graph/analytics`` holds for the analysis' projection by its new results,
    and update the catalog entry: one validated, atomic :meth:`Store.write`."""
    add = to_quads(analysis)
    old = _written_for(store, analysis.projection)
    new = set(add)
    stale = [q for q in old if q not in new]
    c, ds = ox.NamedNode(CATALOG_GRAPH), ox.NamedNode(GRAPH_IRI)
    projections = {analysis.projection}
    for q in store.ox.quads_for_pattern(ds, ox.NamedNode(str(PROV.wasGeneratedBy)), None, c):
        projections.add(q.object.value.rsplit("/", 1)[-1])
    catalog = catalog_quads(analysis.ended, sorted(projections))
    keep = set(catalog)
    stale += [q for q in store.ox.quads_for_pattern(ds, None, None, c) if q not in keep]
    present = set(old)
    add = [q for q in add if q not in present] + catalog
    return store.write(add=add, remove=stale, validate=validate)
