"""Deadlines that really stop the work (worker killed), the row cap always signalled."""

from __future__ import annotations

import os
import threading
import time
import xml.etree.ElementTree as ET

import psutil

from aigraph.config import Settings
from aigraph.sparql import policy

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_runaway_query_is_stopped_at_the_deadline_while_others_are_answered(pool_client):
    pool = pool_client.app.state.sparql.executor
    before = set(pool.pids())
    result: dict = {}

    def runaway() -> None:
        start = time.monotonic()
        result["response"] = pool_client.get("/sparql", params={"query": RUNAWAY, "timeout": "1.5"})
        result["elapsed"] = time.monotonic() - start

    idle = pool.info()["idle"]
    thread = threading.Thread(target=runaway)
    thread.start()
    # synchronise on the pool, not on a sleep: the runaway holds one worker now
    until = time.monotonic() + 10
    while pool.info()["idle"] >= idle and time.monotonic() < until:
        time.sleep(0.01)
    assert pool.info()["idle"] < idle, "the runaway never took a worker"
    quick = pool_client.get("/sparql", params={"query": "ASK { ?s a org:Post }"})
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert thread.is_alive(), "the quick query was answered only after the runaway ended"
    thread.join(30)

    r = result["response"]
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "deadline" in r.json()["detail"]
    assert result["elapsed"] > 1.4  # stopped at its deadline, not before
    killed = pool.killed[-1]
    assert killed in before
    proc_gone = not psutil.pid_exists(killed) or psutil.Process(killed).status() == "zombie"
    assert proc_gone, "the runaway worker is still running"
    # a fresh worker replaces it
    deadline = time.monotonic() + 20
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool.pids()) == 2 and killed not in pool.pids()
    assert os.getpid() not in pool.pids()


def test_a_request_sets_its_deadline_never_past_the_maximum():
    s = Settings(query_timeout=30, max_query_timeout=60)
    assert policy.deadline(s, None) == 30
    assert policy.deadline(s, 2) == 2
    assert policy.deadline(s, 45) == 45
    assert policy.deadline(s, 1e6) == 60


def test_truncation_is_signalled_in_header_and_json(pool_client):
    r = pool_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert r.status_code == 200
    assert r.headers["AIGraph-Truncated"] == "true"
    assert r.headers["AIGraph-Row-Limit"] == "5"
    doc = r.json()
    assert doc["truncated"] is True and doc["limit"] == 5
    assert len(doc["results"]["bindings"]) == 5


def test_truncation_in_xml_csv_and_graphs(pool_client):
    q = {"query": "SELECT * { ?s ?p ?o }"}
    xml = pool_client.get("/sparql", params=q, headers={"accept": "application/sparql-results+xml"})
    head = ET.fromstring(xml.content).find("{http://www.w3.org/2005/sparql-results#}head")
    assert head.find("{http://www.w3.org/2005/sparql-results#}link").get("href")
    csv = pool_client.get("/sparql", params=q, headers={"accept": "text/csv"})
    assert csv.headers["AIGraph-Truncated"] == "true"
    assert len(csv.text.strip().splitlines()) == 6
    g = pool_client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": "application/n-triples"},
    )
    assert g.headers["AIGraph-Truncated"] == "true"
    assert len(g.text.strip().splitlines()) == 5


def test_no_truncation_flag_when_under_the_cap(pool_client):
    r = pool_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"})
    assert r.headers["AIGraph-Truncated"] == "false"
    assert "truncated" not in r.json()
    assert len(r.json()["results"]["bindings"]) == 5
