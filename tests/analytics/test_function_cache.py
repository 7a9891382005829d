"""The analytics behind the ``aigf:`` SPARQL functions are computed once per store version:
not per row, not per query, and again after any committed write (even one that leaves the
number of quads unchanged)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from aigraph.analytics import cache, functions, projection
from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.namespaces import PREFIXES
from aigraph.query import extension_functions

ORG = "https://w3id.org/aigraph/id/organisation/test-"
ROLE = "https://w3id.org/aigraph/id/project-role/"
GRAPH = ox.NamedNode("https://w3id.org/aigraph/graph/test-network")
IS_ROLE_OF = ox.NamedNode("http://data.europa.eu/s66#isRoleOf")
QUERY = """SELECT ?org (aigf:pagerank(?org) AS ?pr) (aigf:degree(?org) AS ?degree)
           WHERE { ?org a org:Organization } ORDER BY ?org"""


@pytest.fixture
def counted(monkeypatch):
    """How many times the projection and PageRank were computed."""
    calls = {"projection": 0, "pagerank": 0}
    build, rank = projection.co_participation, functions.pagerank

    def counting_build(*args, **kwargs):
        calls["projection"] += 1
        return build(*args, **kwargs)

    def counting_rank(*args, **kwargs):
        calls["pagerank"] += 1
        return rank(*args, **kwargs)

    monkeypatch.setattr(projection, "co_participation", counting_build)
    monkeypatch.setattr(functions, "pagerank", counting_rank)
    return calls


def degrees(oxs: ox.Store) -> dict[str, int | None]:
    """One query, as the in-process executor runs it: the functions bound for this query.
    A node outside the network (no project) has no PageRank and no degree."""
    rows = oxs.query(
        QUERY,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        custom_functions=extension_functions(oxs),
    )
    out: dict[str, int | None] = {}
    for row in rows:
        assert (row["pr"] is None) == (row["degree"] is None)
        degree = row["degree"]
        out[row["org"].value.removeprefix(ORG)] = None if degree is None else int(degree.value)
    return out


def test_a_store_computes_once_per_version(hand_store, counted):
    cache.track(hand_store)
    first = degrees(hand_store.ox)
    assert first == {"a": 2, "b": 2, "c": 4, "d": 2, "e": 2, "f": 0}
    assert degrees(hand_store.ox) == first  # a second query: nothing recomputed
    assert counted == {"projection": 1, "pagerank": 1}

    # E's role in P3 becomes F's: as many quads as before, another network
    role = ox.NamedNode(ROLE + "rcn-3-pic-e-participant")
    hand_store.write(
        remove=[ox.Quad(role, IS_ROLE_OF, ox.NamedNode(ORG + "e"), GRAPH)],
        add=[ox.Quad(role, IS_ROLE_OF, ox.NamedNode(ORG + "f"), GRAPH)],
        validate=False,
    )
    after = degrees(hand_store.ox)
    assert after == {"a": 2, "b": 2, "c": 4, "d": 2, "e": None, "f": 2}
    assert counted == {"projection": 2, "pagerank": 2}
    assert degrees(hand_store.ox) == after
    assert counted == {"projection": 2, "pagerank": 2}


def test_a_bare_engine_store_computes_once_per_query(hand_store, counted):
    """A pyoxigraph store no aigraph Store owns (a query worker's snapshot) has no version:
    the functions bound to it compute once for all their rows, and keep it while bound."""
    bare = ox.Store()
    bare.extend(hand_store.ox.quads_for_pattern(None, None, None, None))
    bound = extension_functions(bare)
    for _ in range(2):
        rows = bare.query(
            QUERY, prefixes=PREFIXES, use_default_graph_as_union=True, custom_functions=bound
        )
        assert len(list(rows)) == 6
    assert counted == {"projection": 1, "pagerank": 1}


def test_the_service_shares_the_cache_across_queries(hand_store, counted, tmp_path):
    settings = Settings(store=tmp_path / "unused", workers=0)
    with TestClient(create_app(settings, hand_store)) as client:
        for _ in range(3):
            r = client.get(
                "/sparql",
                params={"query": QUERY},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert r.status_code == 200
            assert len(r.json()["results"]["bindings"]) == 6
    assert counted == {"projection": 1, "pagerank": 1}
