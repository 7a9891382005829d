"""End to end: ``aigraph serve`` as a real process on loopback, queried with SPARQLWrapper."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "AIGRAPH_STORE": str(tmp_path / "store"), "AIGRAPH_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aigraph", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            out = proc.stdout.read().decode() if proc.stdout else ""
            proc.kill()
            pytest.fail(f"aigraph serve did not come up:\n{out}")
        time.sleep(0.2)
    yield base
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert not (tmp_path / ".store.snapshots").exists()  # cleaned up on shutdown


def test_serve_answers_sparqlwrapper(server):
    sparql = SPARQLWrapper(server + "/sparql")
    sparql.setQuery("""PREFIX aig: <https://w3id.org/aigraph/ontology#>
        SELECT ?a WHERE { ?a a aig:CooperationAgreement }""")
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert rows and rows[0]["a"]["type"] == "uri"
    sparql.setMethod("POST")
    sparql.setQuery("ASK { ?s ?p ?o }")
    assert sparql.query().convert()["boolean"] is True
