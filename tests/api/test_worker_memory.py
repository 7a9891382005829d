"""AIGRAPH_WORKER_MEMORY: workers answer from an in-memory copy of their snapshot."""

from __future__ import annotations

import time

from aigraph.config import settings_from_env
from aigraph.store import Store

AUTH = {"authorization": "Bearer test-token"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_the_setting_reads_its_variable():
    assert settings_from_env({}).worker_memory is False
    assert settings_from_env({"AIGRAPH_WORKER_MEMORY": "on"}).worker_memory is True


def test_in_memory_workers_answer_see_writes_and_keep_the_deadline(make_client, store_dir):
    with make_client(Store(store_dir), worker_memory=True) as client:
        pool = client.app.state.sparql.executor
        assert pool.info()["memory"] is True
        first = pool.snapshots.current
        assert pool.snapshots_in_use() == {first}  # loaded up front, before any query

        r = client.get("/sparql", params={"query": "ASK { ?s a org:Post }"})
        assert r.status_code == 200 and r.json()["boolean"] is True

        q = "SELECT ?l { <http://example.org/x> rdfs:label ?l }"
        assert client.get("/sparql", params={"query": q}).json()["results"]["bindings"] == []
        insert = (
            "INSERT DATA { GRAPH <http://example.org/graph/test> "
            '{ <http://example.org/x> rdfs:label "x" } }'
        )
        r = client.post("/update", data={"update": insert}, headers=AUTH)
        assert r.status_code == 200 and r.json()["added"] == 1
        assert pool.snapshots.current != first
        # the idle workers reloaded the new snapshot
        assert pool.snapshots_in_use() == {pool.snapshots.current}
        for _ in range(2):  # whichever worker answers has the write
            rows = client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
            assert rows == [{"l": {"type": "literal", "value": "x"}}]

        start = time.monotonic()
        r = client.get("/sparql", params={"query": RUNAWAY, "timeout": "1.5"})
        assert r.status_code == 503 and "deadline" in r.json()["detail"]
        assert time.monotonic() - start < 3.0
        killed = pool.killed[-1]
        deadline = time.monotonic() + 30
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(pool.pids()) == 2 and killed not in pool.pids()
        # the replacement loaded the current snapshot before taking jobs
        assert pool.snapshots_in_use() == {pool.snapshots.current}
        rows = client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
        assert rows[0]["l"]["value"] == "x"
