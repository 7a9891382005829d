"""Every igraph fast path gives networkx's reference result (random graphs with weights,
isolated nodes and several components)."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from aigraph import analytics as an
from aigraph.analytics.backend import to_igraph


@pytest.fixture(scope="module")
def R() -> nx.Graph:
    """300 nodes (string ids), ~900 weighted edges, plus a separate small component and
    isolated nodes."""
    g = nx.gnm_random_graph(300, 900, seed=3)
    rng = random.Random(5)
    G = nx.Graph(projection="random")
    G.add_nodes_from(f"n{i}" for i in range(310))
    G.add_edges_from((f"n{u}", f"n{v}", {"weight": rng.randint(1, 5)}) for u, v in g.edges)
    G.add_edges_from([("n300", "n301", {"weight": 2}), ("n301", "n302", {"weight": 1})])
    return G


def close(a: dict, b: dict, tol: float) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= tol for k in a)


def test_pagerank(R):
    for weight in ("weight", None):
        assert close(
            an.pagerank(R, weight=weight, backend="igraph"),
            nx.pagerank(R, weight=weight, tol=1e-12, max_iter=1000),
            1e-8,
        )


def test_betweenness_exact(R):
    ref = nx.betweenness_centrality(R)
    got = an.betweenness(R, backend="igraph")
    assert got.exact and close(got.values, ref, 1e-9)
    ref = nx.betweenness_centrality(R, normalized=False)
    assert close(an.betweenness(R, normalized=False, backend="igraph").values, ref, 1e-7)


@pytest.mark.parametrize("k, seed", [(20, 0), (50, 7)])
def test_betweenness_sampled_same_estimate(R, k, seed):
    for normalized in (True, False):
        ref = nx.betweenness_centrality(R, k=k, seed=seed, normalized=normalized)
        got = an.betweenness(R, k=k, seed=seed, normalized=normalized, backend="igraph")
        assert not got.exact and got.k == k and got.seed == seed
        assert close(got.values, ref, 1e-7)
    nxb = an.betweenness(R, k=k, seed=seed, backend="networkx")
    ref = nx.betweenness_centrality(R, k=k, seed=seed)
    assert nxb.k == k and close(nxb.values, ref, 1e-12)


def test_closeness(R):
    assert close(
        an.closeness(R, backend="igraph"), nx.closeness_centrality(R, wf_improved=False), 1e-12
    )


def test_components(R):
    assert an.components(R, backend="igraph") == an.components(R, backend="networkx")


def test_modularity_same_partition(R):
    parts = nx.community.louvain_communities(R, seed=1)
    for weight in ("weight", None):
        assert an.modularity(R, parts, weight=weight, backend="igraph") == pytest.approx(
            nx.community.modularity(R, parts, weight=weight)
        )


def test_louvain_quality(R):
    ours = an.detect(R, backend="igraph", seed=1)
    ref = an.detect(R, backend="networkx", seed=1)
    assert ours.parameters["implementation"] == "igraph"
    assert ours.modularity == pytest.approx(nx.community.modularity(R, ours.communities))
    # both heuristics optimise modularity; igraph's must not be meaningfully worse
    assert ours.modularity >= ref.modularity - 0.02
    assert set().union(*ours.communities) == set(R)
    # seeded: repeatable, and the caller's random state is left alone
    state = random.getstate()
    assert an.detect(R, backend="igraph", seed=1).communities == ours.communities
    assert random.getstate() == state


def test_twin_is_refreshed_after_a_change(R):
    G = R.copy()
    twin, nodes = to_igraph(G)
    assert twin.ecount() == G.number_of_edges() and nodes == list(G)
    G.add_edge("n0", "n309", weight=1)
    assert to_igraph(G)[0].ecount() == G.number_of_edges()


def test_projection_twin_matches(hand_store):
    G = an.co_participation(hand_store)
    twin, nodes = to_igraph(G)
    edges = {frozenset((nodes[e.source], nodes[e.target])): e["weight"] for e in twin.es}
    assert edges == {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
