"""Metrics of the hand-made network, worked out by hand.

The network (tests/fixtures/network/hand-made.trig):

    projects  P1 2015-16: A B C   P2 2017-18: A C   P3 2019-20: C D E   P4 2019: F alone
    countries A, B: FRA   C, D: DEU   E: ITA   F: ESP

Co-participation (weight = shared projects): A-B 1 (P1), A-C 2 (P1, P2), B-C 1 (P1),
C-D 1, C-E 1, D-E 1 (P3); F isolated. Two triangles A-B-C and C-D-E joined at C.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest

from aigraph import analytics as an
from aigraph.errors import InputError, NotFound
from aigraph.query import run

ORG = "https://w3id.org/aigraph/id/organisation/test-"
PROJECT = "https://w3id.org/aigraph/id/project/rcn-"
A, B, C, D, E, F = (ORG + x for x in "abcdef")


@pytest.fixture
def G(hand_store) -> nx.Graph:
    return an.co_participation(hand_store, funding=True)


def test_co_participation_edges(G):
    assert {frozenset((u, v)): w for u, v, w in G.edges(data="weight")} == {
        frozenset((A, B)): 1,
        frozenset((A, C)): 2,
        frozenset((B, C)): 1,
        frozenset((C, D)): 1,
        frozenset((C, E)): 1,
        frozenset((D, E)): 1,
    }
    # funding = sum over shared projects of both contributions:
    # A-C: P1 (100 + 50) + P2 (10 + 20) = 180; A-B: P1 100 + 50 = 150; C-D: P3 5 + 5 = 10
    assert G[A][C]["funding"] == 180 and G[A][B]["funding"] == 150 and G[C][D]["funding"] == 10
    assert G.nodes[C]["country"] == "DEU" and G.nodes[C]["label"] == "Gamma"
    assert G.nodes[C]["type"] == "research-organisation"
    assert G.nodes[F]["projects"] == (PROJECT + "4",) and G.degree(F) == 0


def test_same_graph_as_networkx_construction(G):
    # the projection writes adjacency dicts directly: the graph equals one built the usual way
    H = nx.Graph(**G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from(G.edges(data=True))
    assert nx.utils.graphs_equal(G, H)
    assert all(G[u][v] is G[v][u] for u, v in G.edges)  # one attribute dict per edge


def test_filters(hand_store):
    # window 2019-2020: P3 and P4 only -> C-D, C-E, D-E; nodes C, D, E, F
    W = an.co_participation(hand_store, an.Filters.of(start="2019-01-01", end="2020-12-31"))
    assert set(W) == {C, D, E, F} and W.number_of_edges() == 3
    # a window touching P1's last day keeps P1 (overlap, not containment)
    W = an.co_participation(hand_store, an.Filters.of(start="2016-12-31", end="2016-12-31"))
    assert set(W) == {A, B, C}
    # FRA + DEU: E and F dropped with their edges -> A-B, A-C, B-C, C-D
    K = an.co_participation(hand_store, an.Filters.of(countries=["FRA", "deu"]))
    assert set(K) == {A, B, C, D} and K.number_of_edges() == 4
    T = an.co_participation(hand_store, an.Filters.of(org_types=["university"]))
    assert set(T) == {A, E} and T.number_of_edges() == 0
    with pytest.raises(InputError):
        an.Filters.of(start="2020-01-01", end="2019-01-01")


def test_degree_strength(G):
    assert an.degree(G) == {A: 2, B: 2, C: 4, D: 2, E: 2, F: 0}
    # strength: A = 1 + 2, C = 2 + 1 + 1 + 1
    assert an.strength(G) == {A: 3, B: 2, C: 5, D: 2, E: 2, F: 0}


def test_betweenness(G):
    # C is the only cut vertex: the 4 pairs {A, B} x {D, E} all pass through it and nothing
    # else lies on a shortest path. Normalised by (n-1)(n-2)/2 = 10 pairs: 4 / 10 = 0.4.
    b = an.betweenness(G)
    assert b.exact and b.k is None
    assert b.values[C] == pytest.approx(0.4)
    assert all(b.values[v] == 0 for v in (A, B, D, E, F))
    assert an.betweenness(G, normalized=False).values[C] == pytest.approx(4)


def test_pagerank_star_by_hand():
    # star: centre c, leaves l1, l2; x = PR(c), y = PR(leaf), alpha = 0.85, n = 3:
    #   x = 0.15/3 + 0.85 * 2y (each leaf gives all its rank to c)
    #   y = 0.15/3 + 0.85 * x/2
    # => x = 0.05 + 1.7 (0.05 + 0.425 x) => 0.2775 x = 0.135 => x = 0.486486, y = 0.256757
    pr = an.pagerank(nx.star_graph(2))
    assert pr[0] == pytest.approx(0.135 / 0.2775, abs=1e-6)
    assert pr[1] == pytest.approx(0.05 + 0.425 * 0.135 / 0.2775, abs=1e-6)


def test_pagerank_ranks(G):
    pr = an.pagerank(G)
    assert sum(pr.values()) == pytest.approx(1)
    assert max(pr, key=pr.get) == C and min(pr, key=pr.get) == F
    # F is isolated: it keeps only the teleport share, (1 - 0.85)/6 = 0.025, plus its share
    # of the dangling mass, which it itself is: PR(F) = 0.025 + 0.85 PR(F)/6 => 0.029126
    assert pr[F] == pytest.approx(0.025 / (1 - 0.85 / 6), abs=1e-6)
    assert pr[D] == pytest.approx(pr[E])


def test_components_closeness(G):
    assert an.components(G) == [{A, B, C, D, E}, {F}]
    cl = an.closeness(G)
    # within the 5-node component, C reaches the 4 others in 1 hop: 4/4 = 1;
    # A: B 1, C 1, D 2, E 2 -> 4/6
    assert cl[C] == 1 and cl[A] == pytest.approx(4 / 6) and cl[F] == 0


def test_communities_and_modularity(G):
    # W = 7. {A,B,C}: internal 4, degree sum 10; {D,E}: internal 1, degree sum 4; {F}: 0.
    # Q = 4/7 - (10/14)^2 + 1/7 - (4/14)^2 = 140/196 - 116/196 = 6/49
    c = an.detect(G, backend="networkx")
    assert c.communities == [{A, B, C}, {D, E}, {F}]
    assert c.modularity == pytest.approx(6 / 49)
    assert an.modularity(G, [{A, B}, {C, D, E}, {F}]) == pytest.approx(4 / 7 - 106 / 196)
    leiden = an.detect(G, algorithm="leiden")
    assert leiden.modularity == pytest.approx(6 / 49)


def test_summary(G):
    s = an.summary(G)
    assert {k: s[k] for k in ("nodes", "edges", "components", "largest_component")} == {
        "nodes": 6,
        "edges": 6,
        "components": 2,
        "largest_component": 5,
    }
    assert s["modularity"] == pytest.approx(6 / 49)


def test_paths_with_evidence(G):
    p = an.shortest_path(G, A, E)
    assert p.nodes == [A, C, E]
    assert [h.evidence for h in p.hops] == [[PROJECT + "1", PROJECT + "2"], [PROJECT + "3"]]
    assert [q.nodes for q in an.all_shortest_paths(G, B, D)] == [[B, C, D]]
    assert an.shortest_path(G, A, F) is None and an.all_shortest_paths(G, A, F) == []
    assert an.distance(G, A, D) == 2
    with pytest.raises(NotFound):
        an.shortest_path(G, A, ORG + "zz")
    assert set(an.ego(G, C, radius=1)) == {A, B, C, D, E}
    assert set(an.ego(G, A, radius=1)) == {A, B, C}
    assert an.resolve(G, "Gamma") == C and an.resolve(G, "test-c") == C


def test_brokers(G):
    # C (DEU) has FRA neighbours A, B and DEU neighbour D; neither A-D nor B-D is an edge:
    # C alone links 2 of 2 pairs. A (FRA) links B (FRA)... only (B, C) as an FRA-DEU pair,
    # and B-C is an edge: 0. D has no FRA neighbour.
    out = an.brokers(G, "FRA", "DEU")
    assert [(b.node, b.bridged, b.pairs, b.share) for b in out] == [(C, 2, 2, 1.0)]
    with pytest.raises(InputError):
        an.brokers(G, "FRA", "fra")


def test_cross_border_index(G):
    # W = 7; strengths FRA = 3 + 2 = 5, DEU = 5 + 2 = 7, ITA = 2, ESP = 0.
    # DEU-FRA: observed A-C 2 + B-C 1 = 3, expected 5 * 7 / 14 = 2.5, index 1.2
    # DEU-ITA: observed C-E 1 + D-E 1 = 2, expected 7 * 2 / 14 = 1, index 2.0
    pairs = [(p.a, p.b, p.observed, p.expected, p.edges) for p in an.cross_border(G)]
    assert pairs == [("DEU", "FRA", 3, 2.5, 2), ("DEU", "ITA", 2, 1.0, 2)]
    assert [round(p.index, 6) for p in an.cross_border(G)] == [1.2, 2.0]
    assert [(p.a, p.b) for p in an.cross_border(G, countries=["DEU", "ITA"])] == [("DEU", "ITA")]


def test_agreements_projection(hand_store):
    # X: A, C (priority sovereign-ai, 2025); Y: A, B, E (announced 2024-02-01)
    Ag = an.agreements(hand_store)
    x = "https://w3id.org/aigraph/id/agreement/test-x"
    y = "https://w3id.org/aigraph/id/partnership/test-y"
    assert {frozenset(e[:2]): e[2] for e in Ag.edges(data="agreements")} == {
        frozenset((A, C)): (x,),
        frozenset((A, B)): (y,),
        frozenset((A, E)): (y,),
        frozenset((B, E)): (y,),
    }
    only_x = an.agreements(hand_store, an.Filters.of(priorities=["sovereign-ai"]))
    assert list(only_x.edges) in ([(A, C)], [(C, A)])
    in_2024 = an.agreements(hand_store, an.Filters.of(start="2024-01-01", end="2024-12-31"))
    assert set(in_2024) == {A, B, E}
    assert an.shortest_path(Ag, C, E).hops[0].evidence == [x]


def test_affiliation_projection(hand_store):
    ann = "https://w3id.org/aigraph/id/person/test-ann"
    bob = "https://w3id.org/aigraph/id/person/test-bob"
    Af = an.affiliations(hand_store)
    assert {frozenset(e) for e in Af.edges} == {
        frozenset((A, ann)),
        frozenset((C, ann)),
        frozenset((C, bob)),
    }
    assert Af.nodes[ann]["bipartite"] == 1 and Af.nodes[A]["bipartite"] == 0
    # in 2020 only Ann's dated post counts (Bob left in 2019; the membership is undated)
    assert set(an.affiliations(hand_store, an.Filters.of("2020-01-01", "2020-12-31")).edges) in (
        {(A, ann)},
        {(ann, A)},
    )


def test_sparql_functions_computed_then_written(hand_store):
    q = f"""SELECT ?o (aigf:degree(?o) AS ?d) (aigf:pagerank(?o) AS ?pr)
                  (aigf:distance(<{A}>, ?o) AS ?dist) (aigf:betweenness(?o) AS ?b)
           WHERE {{ ?o a org:Organization }} ORDER BY ?o"""
    rows = {r["o"]: r for r in run(hand_store.ox, q).bindings()}
    assert {k: int(r["d"]) for k, r in rows.items()} == {A: 2, B: 2, C: 4, D: 2, E: 2, F: 0}
    assert int(rows[E]["dist"]) == 2 and "dist" not in rows[F]  # F unreachable: unbound
    assert "b" not in rows[C]  # betweenness only once written
    G = an.project(hand_store, "co-participation")
    pr = an.pagerank(G)
    assert float(rows[C]["pr"]) == pytest.approx(pr[C])
    # write the metrics back, then the functions read them from graph/analytics
    an.write_metrics(hand_store, an.analyse(G, with_betweenness=True), validate=False)
    rows = {r["o"]: r for r in run(hand_store.ox, q).bindings()}
    assert float(rows[C]["b"]) == pytest.approx(0.4)
    n = len(hand_store)
    # rewriting replaces: same size (only the dates change)
    an.write_metrics(hand_store, an.analyse(G, with_betweenness=True), validate=False)
    assert len(hand_store) == n
    ask = f"""ASK {{ GRAPH <https://w3id.org/aigraph/graph/analytics> {{
        ?a a aig:NetworkAnalysis ; aig:projection "co-participation" ; aig:parameters ?p ;
           prov:endedAtTime ?t ; aig:modularity ?q .
        ?m aig:measuredNode <{C}> ; aig:degree 4 ; aig:community ?c ; prov:wasGeneratedBy ?a .
        ?c aig:memberCount 3 }}
      GRAPH <https://w3id.org/aigraph/graph/catalog> {{
        <https://w3id.org/aigraph/graph/analytics> prov:wasGeneratedBy ?a }} }}"""
    assert run(hand_store.ox, ask).boolean


def test_exports(G):
    import io
    import json

    for fmt in ("graphml", "gexf"):
        data = an.export(G, fmt)
        H = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(data))
        assert H.number_of_nodes() == 6 and H.number_of_edges() == 6
    lines = an.export(G, "csv").decode().splitlines()
    assert lines[0] == "source,target,weight,funding" and len(lines) == 7
    doc = json.loads(an.export(G, "json"))
    assert len(doc["nodes"]) == 6 and isinstance(doc["nodes"][0]["projects"], list)
    assert not math.isnan(sum(e["weight"] for e in doc["edges"]))
