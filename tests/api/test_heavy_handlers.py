"""Heavy handlers (``/network/*``, ``/reconcile``) off the event loop, with the queries'
deadline, cached per store version; and the inputs that used to crash them."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from aigraph.analytics.runner import TASK_MODULES, Runner
from aigraph.api import create_app, heavy
from aigraph.config import Settings
from aigraph.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "network" / "hand-made.trig"
ORG = "https://w3id.org/aigraph/id/organisation/test-"
ROLE = "https://w3id.org/aigraph/id/project-role/"
GRAPH = ox.NamedNode("https://w3id.org/aigraph/graph/test-network")
IS_ROLE_OF = ox.NamedNode("http://data.europa.eu/s66#isRoleOf")


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return r.json()


# -- inputs that used to answer 500 --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv", "json"])
def test_export_with_funding_on_the_curated_store(client, fmt):
    """The curated data has no co-participation edges: the funding column was built wrong."""
    r = client.get("/network/export", params={"funding": "true", "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}.get(fmt, "")
        or ("text/csv" if fmt == "csv" else "application/json")
    )


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("field", ["queries", "extend"])
def test_deeply_nested_json_is_a_400(client, method, field):
    depth = 8_000 if method == "get" else 100_000  # a URL holds at most 64 KiB here
    deep = "[" * depth + "]" * depth
    if method == "get":
        r = client.get("/reconcile", params={field: deep})
    else:
        r = client.post("/reconcile", data={field: deep})
    body = problem(r, 400)
    assert "nested deeper" in body["detail"] or "characters long" in body["detail"]
    # a deep nest inside a string is only a string
    nested_text = json.dumps({"q0": {"query": "[" * 1000}})
    assert client.post("/reconcile", data={"queries": nested_text}).status_code == 200


@pytest.mark.parametrize(
    "queries",
    [
        {"q": {"query": "Inria", "limit": "ten"}},
        {"q": {"query": "Inria", "limit": 10**9}},
        {"q": {"query": "Inria", "properties": "country"}},
        {"q": {"query": "Inria", "type": 3}},
        {"q": "Inria"},
        ["Inria"],
    ],
)
def test_malformed_reconciliation_queries_are_a_400(client, queries):
    problem(client.post("/reconcile", data={"queries": json.dumps(queries)}), 400)


def test_extension_ids_cannot_inject_sparql(client):
    sneaky = "x> } } SELECT * WHERE { ?s ?p ?o } #"
    extend = {"ids": [sneaky], "properties": [{"id": "country"}]}
    body = problem(client.post("/reconcile", data={"extend": json.dumps(extend)}), 400)
    assert "not an entity id" in body["detail"]
    problem(client.post("/reconcile", data={"extend": '{"ids": ["a"], "properties": [{}]}'}), 400)


def test_reconcile_body_is_capped_and_typed(make_client, read_store):
    with make_client(read_store, max_request_bytes=1000) as c:
        r = c.post("/reconcile", data={"queries": json.dumps({"q": {"query": "x" * 2000}})})
        problem(r, 413)
        r = c.post("/reconcile", content=b'{"q0": {}}', headers={"Content-Type": "text/plain"})
        problem(r, 415)


# -- off the event loop, with a deadline, cached per store version ------------------------------


@pytest.fixture
def disk_store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    store.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store.ox.flush()
    return store


@pytest.fixture
def disk_client(disk_store, tmp_path):
    """The service over an on-disk store: analytics in a worker process; a test route runs
    ``slow_tasks.spin`` through the same runner."""
    app = create_app(Settings(store=disk_store.path, workers=0), disk_store)
    original = app.state.heavy
    runner = Runner(disk_store, task_modules=(*TASK_MODULES, "slow_tasks"))
    app.state.heavy = runner

    @app.get("/test/spin")
    async def spin(request: Request, seconds: float, timeout: float | None = None) -> dict:
        return await heavy.run(request, "slow_tasks:spin", timeout, seconds=seconds)

    with TestClient(app) as c:
        yield c
    runner.close()
    original.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not running
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_network_answers_come_from_a_worker_process_once_per_store_version(disk_client):
    runner = disk_client.app.state.heavy
    first = disk_client.get("/network/summary")
    assert first.status_code == 200, first.text
    assert (first.json()["nodes"], first.json()["edges"]) == (6, 6)
    assert disk_client.get("/network/summary").json() == first.json()
    assert runner.computed == 1
    health = disk_client.get("/health").json()
    assert health["analytics"]["mode"] == "process"
    assert health["analytics"]["cached"] == 1

    store = disk_client.app.state.store  # E's role in P3 becomes F's: the same size
    role = ox.NamedNode(ROLE + "rcn-3-pic-e-participant")
    store.write(
        remove=[ox.Quad(role, IS_ROLE_OF, ox.NamedNode(ORG + "e"), GRAPH)],
        add=[ox.Quad(role, IS_ROLE_OF, ox.NamedNode(ORG + "f"), GRAPH)],
        validate=False,
    )
    after = disk_client.get("/network/summary").json()
    assert runner.computed == 2
    assert (after["nodes"], after["edges"]) == (5, 6)  # E has left, F joined C and D


def test_a_runaway_is_stopped_at_the_deadline_and_health_stays_fast(disk_client):
    runner = disk_client.app.state.heavy
    assert disk_client.get("/test/spin", params={"seconds": 0.01}).status_code == 200  # warm
    result: dict = {}

    def slow() -> None:
        started = time.monotonic()
        result["response"] = disk_client.get("/test/spin", params={"seconds": 60, "timeout": 3})
        result["took"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        assert disk_client.get("/health").status_code == 200
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    thread.join()
    body = problem(result["response"], 503)
    assert "deadline of 3 s" in body["detail"]
    assert result["took"] < 10  # stopped at the deadline, not after the 60 s it asked for
    assert len(latencies) >= 10 and max(latencies) < 1.0, latencies
    assert runner.killed == 1 and not alive(runner.stopped[0])
    # a fresh worker answers the next request
    assert disk_client.get("/network/summary").status_code == 200


def test_the_request_timeout_lowers_the_deadline_and_is_checked(disk_client):
    problem(disk_client.get("/network/summary", params={"timeout": "nan"}), 400)
    problem(disk_client.get("/network/summary", params={"timeout": "0"}), 400)
    r = disk_client.get("/test/spin", params={"seconds": 5, "timeout": 0.5})
    assert "deadline of 0.5 s" in problem(r, 503)["detail"]


def test_thread_mode_keeps_the_answer_past_the_deadline(read_store, make_client):
    """An in-memory store cannot be opened by another process: the work runs in a thread,
    which a deadline cannot stop; its answer serves the next request."""
    with make_client(read_store) as c:
        runner = c.app.state.heavy
        assert runner.info()["mode"] == "thread"
        assert c.get("/network/summary").status_code == 200
        assert c.get("/network/summary").status_code == 200
        assert runner.computed == 1
