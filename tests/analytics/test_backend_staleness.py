"""The igraph twin never answers for an old state of its graph: a swapped edge leaves the node
and edge counts as they were, and the next igraph computation sees it (the twin lives in the
graph's networkx conversion cache, which every change through the graph's methods empties);
a write to the store that swaps an edge in the same way gives a new network.

The hand-made network (tests/fixtures/network/hand-made.trig): two triangles A-B-C and C-D-E
joined at C, F isolated.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest

from aigraph import analytics as an
from aigraph.analytics.backend import CACHE_KEY, to_igraph

ORG = "https://w3id.org/aigraph/id/organisation/test-"
ROLE = "https://w3id.org/aigraph/id/project-role/"
GRAPH = ox.NamedNode("https://w3id.org/aigraph/graph/test-network")
IS_ROLE_OF = ox.NamedNode("http://data.europa.eu/s66#isRoleOf")
A, B, C, D, E, F = (ORG + x for x in "abcdef")


def as_sets(parts) -> set[frozenset]:
    return {frozenset(p) for p in parts}


def test_a_swapped_edge_is_seen_though_the_counts_stay():
    G = nx.Graph([(0, 1), (2, 3)])
    assert as_sets(an.components(G, backend="igraph")) == {frozenset({0, 1}), frozenset({2, 3})}
    G.remove_edge(2, 3)
    G.add_edge(1, 2)
    assert (G.number_of_nodes(), G.number_of_edges()) == (4, 2)
    assert as_sets(an.components(G, backend="igraph")) == {frozenset({0, 1, 2}), frozenset({3})}


def test_the_projection_s_own_twin_is_dropped_on_a_swap(hand_store):
    G = an.co_participation(hand_store)
    assert CACHE_KEY in G.__networkx_cache__  # seeded by the projection
    before = an.pagerank(G, backend="igraph")
    assert before[F] < before[E]
    G.remove_edge(D, E)
    G.add_edge(D, F, weight=1)
    assert CACHE_KEY not in G.__networkx_cache__
    after = an.pagerank(G, backend="igraph")
    reference = an.pagerank(G, backend="networkx")
    assert after == pytest.approx(reference, abs=1e-6)
    assert after[F] > before[F]


def test_an_edge_weight_set_through_add_edge_is_seen(hand_store):
    G = an.co_participation(hand_store)
    an.pagerank(G, backend="igraph")
    before = an.pagerank(G, backend="igraph")
    G.add_edge(D, E, weight=50)  # an existing edge: only its weight changes
    after = an.pagerank(G, backend="igraph")
    assert after[D] - before[D] > 0.05
    assert after == pytest.approx(an.pagerank(G, backend="networkx"), abs=1e-5)


def test_a_view_follows_the_graph_beneath_it():
    G = nx.Graph([(0, 1), (2, 3)])
    view = G.subgraph([0, 1, 2, 3])
    assert len(an.components(view, backend="igraph")) == 2
    G.add_edge(1, 2)  # the view sees the new edge; a twin kept for it would not
    assert len(an.components(view, backend="igraph")) == 1
    assert CACHE_KEY not in view.__networkx_cache__


def test_caching_follows_networkx_s_setting():
    G = nx.path_graph(3)
    previous = nx.config.cache_converted_graphs
    nx.config.cache_converted_graphs = False
    try:
        to_igraph(G, None)
        assert CACHE_KEY not in G.__networkx_cache__
    finally:
        nx.config.cache_converted_graphs = previous
    twin, nodes = to_igraph(G, None)
    assert to_igraph(G, None)[0] is twin  # kept once caching is on


def test_a_store_write_that_swaps_an_edge_gives_the_new_network(hand_store):
    """E's role in P3 and F's in P4 change places: the same quads count, the same nodes and
    edge count, but C-D-F is now the triangle and E the isolated organisation."""
    G = an.project(hand_store, "co-participation")
    pr = an.pagerank(G, backend="igraph")
    assert pr[E] > pr[F]
    size, version = len(hand_store), hand_store.version

    def role(name: str, org: str) -> ox.Quad:
        return ox.Quad(ox.NamedNode(ROLE + name), IS_ROLE_OF, ox.NamedNode(org), GRAPH)

    hand_store.write(
        add=[role("rcn-3-pic-e-participant", F), role("rcn-4-pic-f-coordinator", E)],
        remove=[role("rcn-3-pic-e-participant", E), role("rcn-4-pic-f-coordinator", F)],
        validate=False,
    )
    assert len(hand_store) == size and hand_store.version > version
    H = an.project(hand_store, "co-participation")
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert H.has_edge(D, F) and not H.has_edge(D, E)
    pr = an.pagerank(H, backend="igraph")
    assert pr[F] > pr[E]
    assert pr == pytest.approx(an.pagerank(H, backend="networkx"), abs=1e-6)
