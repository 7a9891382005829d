"""No request kills the server: over-deep nesting is refused before the engine, updates are
planned in a worker of their own (a crash there is a 500 for that request, a runaway is stopped
at its deadline), and a stream of bad requests leaves the query workers alone."""

from __future__ import annotations

import shutil
import time

import pytest

from aigraph import policy
from aigraph.store import Store

TOKEN = "test-token"  # the write token of the clients made by conftest.client_for
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY_WHERE = "GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z }"
OK = "INSERT DATA { GRAPH <https://w3id.org/aigraph/graph/test> { <urn:a> <urn:b> <urn:c> } }"


def nested(depth: int) -> str:
    return "{" * depth + " ?s ?p ?o " + "}" * depth


@pytest.fixture
def disk_store(initialised_store_dir, tmp_path) -> Store:
    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    return Store(target)


def everything(store: Store) -> set:
    return set(store.ox.quads_for_pattern(None, None, None, None))


def test_deep_nesting_is_refused_before_the_engine(make_client, disk_store):
    with make_client(disk_store) as c:
        pool = c.app.state.sparql.executor
        for _ in range(30):
            r = c.get("/sparql", params={"query": f"SELECT * WHERE {nested(10_000)}"})
            assert r.status_code == 400 and "nests" in r.json()["detail"]
        update = f"INSERT {{ GRAPH <urn:g> {{ <urn:a> <urn:b> <urn:c> }} }} WHERE {nested(10_000)}"
        r = c.post(
            "/update", content=update, headers={**AUTH, "content-type": "application/sparql-update"}
        )
        assert r.status_code == 400 and "nests" in r.json()["detail"]
        assert pool.killed == []
        # the pool is whole and answers at once
        t = time.monotonic()
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and time.monotonic() - t < 5
        # nesting within the cap still runs
        r = c.get("/sparql", params={"query": f"ASK {nested(policy.MAX_NESTING - 1)}"})
        assert r.status_code == 200, r.text


def test_a_crash_while_planning_an_update_is_that_request_alone(
    make_client, disk_store, monkeypatch
):
    """Past the nesting cap (lifted here on purpose) the engine's parser overflows its stack:
    the update worker dies, the request gets a 500, the server and its store carry on."""
    monkeypatch.setattr(policy, "MAX_NESTING", 1_000_000)
    with make_client(disk_store) as c:
        before = everything(disk_store)
        update = f"INSERT {{ GRAPH <urn:g> {{ <urn:a> <urn:b> <urn:c> }} }} WHERE {nested(50_000)}"
        r = c.post(
            "/update", content=update, headers={**AUTH, "content-type": "application/sparql-update"}
        )
        assert r.status_code == 500, r.text
        assert "nothing was written" in r.json()["detail"]
        assert everything(disk_store) == before
        assert c.get("/health").status_code == 200
        r = c.post("/update", data={"update": OK}, headers=AUTH)
        assert r.status_code == 200 and r.json()["added"] == 1


def test_an_update_where_clause_stops_at_its_deadline(make_client, disk_store):
    with make_client(disk_store, query_timeout=2) as c:
        before = everything(disk_store)
        update = f"INSERT {{ GRAPH <urn:g> {{ ?a <urn:p> ?c }} }} WHERE {{ {RUNAWAY_WHERE} }}"
        t = time.monotonic()
        r = c.post("/update", data={"update": update}, headers=AUTH)
        elapsed = time.monotonic() - t
        assert r.status_code == 503, r.text
        assert "deadline" in r.json()["detail"]
        assert elapsed < 15
        assert everything(disk_store) == before
        # a request may lower the deadline, and the next update works
        r = c.post("/update?timeout=1", data={"update": update}, headers=AUTH)
        assert r.status_code == 503
        r = c.post("/update", data={"update": OK}, headers=AUTH)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "NaN"])
def test_a_timeout_that_is_no_deadline_is_refused(client, value):
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "timeout": value})
    assert r.status_code == 400 and "timeout" in r.json()["detail"]


def test_an_update_is_checked_without_running_it(make_client, disk_store):
    """A malformed update is reported with the position in the text as sent."""
    with make_client(disk_store) as c:
        text = "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b }"
        r = c.post("/update", data={"update": text}, headers=AUTH)
        assert r.status_code == 400
        assert "error at 2:" in r.json()["detail"]
